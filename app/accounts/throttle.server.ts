// Lockout with exponential backoff on repeated sign-in failures, counted per
// login and per client address, stored in the database so that every web
// process sees the same counters.
import { prisma } from '~/utils/db.server'

export const THROTTLE = {
  /** Failures allowed before the first lock. */
  loginFreeFailures: 5,
  ipFreeFailures: 30,
  firstLockMs: 60_000,
  maxLockMs: 60 * 60_000,
  /** Counters older than this start again from zero. */
  forgetAfterMs: 24 * 60 * 60_000,
}

export const loginKey = (login: string) => `login:${login}`
export const ipKey = (ip: string) => `ip:${ip}`

/** The moment until which any of the keys is locked, or null. */
export async function lockedUntil(keys: string[], now = new Date()): Promise<Date | null> {
  const rows = await prisma.loginThrottle.findMany({ where: { key: { in: keys }, lockedUntil: { gt: now } } })
  if (rows.length === 0) return null
  return new Date(Math.max(...rows.map((r) => r.lockedUntil!.getTime())))
}

function lockFor(failures: number, free: number) {
  if (failures < free) return 0
  return Math.min(THROTTLE.firstLockMs * 2 ** (failures - free), THROTTLE.maxLockMs)
}

/** Counts a failure; returns the lock end if this failure locked the key. */
export async function recordFailure(key: string, now = new Date()): Promise<Date | null> {
  const free = key.startsWith('ip:') ? THROTTLE.ipFreeFailures : THROTTLE.loginFreeFailures
  const row = await prisma.loginThrottle.findUnique({ where: { key } })
  const stale = row && now.getTime() - row.updatedAt.getTime() > THROTTLE.forgetAfterMs
  const failures = (stale || !row ? 0 : row.failures) + 1
  const ms = lockFor(failures, free)
  const until = ms > 0 ? new Date(now.getTime() + ms) : null
  await prisma.loginThrottle.upsert({
    where: { key },
    create: { key, failures, lockedUntil: until },
    update: { failures, lockedUntil: until },
  })
  return until
}

export async function clearFailures(key: string) {
  await prisma.loginThrottle.deleteMany({ where: { key } })
}

/** "через 2 мин" — how long the person has to wait, rounded up. */
export function waitText(until: Date, now = new Date()) {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000))
  return `${minutes} мин.`
}

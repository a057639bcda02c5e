// Database-backed sessions: the cookie carries only a signed random id, so a
// session can be revoked at once (logout, logout everywhere, password reset).
import { randomBytes } from 'node:crypto'
import { createCookie, redirect } from '@remix-run/node'
import type { Role } from '~/generated/prisma/enums'
import { forgetSessions, kickSessions } from '~/realtime/publish.server'
import { cachedSession, rememberSession } from './session-cache.server'
import { prisma } from '~/utils/db.server'
import { env } from '~/utils/env.server'
import { memoizeInRequest } from '~/utils/request-memo.server'
import { singleton } from '~/utils/singleton.server'

const TOUCH_EVERY_MS = 10 * 60_000

function ttlMs() {
  return env().SESSION_TTL_DAYS * 24 * 60 * 60_000
}

export const sessionCookie = () =>
  singleton('session-cookie', () => {
    const secret = process.env.SESSION_SECRET
    if (!secret) throw new Error('SESSION_SECRET is not set: the server provides one before loading the app.')
    return createCookie('oko_session', {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: env().SECURE_COOKIES === true,
      secrets: secret.split(','),
      maxAge: ttlMs() / 1000,
    })
  })


export type SessionUser = {
  id: number
  login: string
  fullName: string
  email: string | null
  role: Role
  mustChangePassword: boolean
  organization: {
    id: number
    kind: 'FEDERAL' | 'REGION' | 'MUNICIPALITY' | 'SCHOOL' | 'COLLEGE'
    login: string
    name: string
    regionId: number | null
    municipalityId: number | null
    parentId: number | null
    regionCode: string | null
  }
  sessionId: string
}

export async function createSession(userId: number, meta: { ip?: string | null; userAgent?: string | null }) {
  const id = randomBytes(32).toString('base64url')
  const session = await prisma.session.create({
    data: {
      id,
      userId,
      expiresAt: new Date(Date.now() + ttlMs()),
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
    },
  })
  return session
}

export async function commitSessionCookie(sessionId: string) {
  return sessionCookie().serialize(sessionId)
}

export async function destroySessionCookie() {
  return sessionCookie().serialize('', { maxAge: 0 })
}

export async function readSessionId(cookieHeader: string | null | undefined): Promise<string | null> {
  if (!cookieHeader) return null
  const value = await sessionCookie().parse(cookieHeader)
  return typeof value === 'string' && value.length > 0 ? value : null
}

type SessionRow = {
  sessionId: string
  expiresAt: Date
  lastSeenAt: Date
  id: number
  login: string
  fullName: string
  email: string | null
  role: Role
  mustChangePassword: boolean
  disabled: boolean
  orgId: number
  orgKind: SessionUser['organization']['kind']
  orgLogin: string
  orgName: string
  regionId: number | null
  municipalityId: number | null
  parentId: number | null
  regionCode: string | null
}

/**
 * The signed-in person for a Cookie header, or null (unknown, expired, revoked or disabled).
 * One joined statement: this runs on every page, and Prisma would send three.
 */
export async function getUserByCookieHeader(cookieHeader: string | null | undefined): Promise<SessionUser | null> {
  const sessionId = await readSessionId(cookieHeader)
  if (!sessionId) return null
  const cached = cachedSession<SessionUser>(sessionId)
  if (cached) return cached
  const rows = await prisma.$queryRaw<SessionRow[]>`
    SELECT s."id" AS "sessionId", s."expiresAt", s."lastSeenAt",
           u."id", u."login", u."fullName", u."email", u."role"::text AS "role", u."mustChangePassword", u."disabled",
           o."id" AS "orgId", o."kind"::text AS "orgKind", o."login" AS "orgLogin", o."name" AS "orgName",
           o."regionId", o."municipalityId", o."parentId", o."regionCode"
      FROM "Session" s
      JOIN "User" u ON u."id" = s."userId"
      JOIN "Organization" o ON o."id" = u."organizationId"
     WHERE s."id" = ${sessionId}`
  const row = rows[0]
  if (!row) return null
  const now = Date.now()
  if (row.expiresAt.getTime() <= now || row.disabled) {
    await prisma.session.deleteMany({ where: { id: sessionId } })
    return null
  }
  if (now - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    // Sliding expiry, written at most every ten minutes per session.
    await prisma.session.update({
      where: { id: sessionId },
      data: { lastSeenAt: new Date(now), expiresAt: new Date(now + ttlMs()) },
    })
  }
  const user: SessionUser = {
    id: row.id,
    login: row.login,
    fullName: row.fullName,
    email: row.email,
    role: row.role,
    mustChangePassword: row.mustChangePassword,
    organization: {
      id: row.orgId,
      kind: row.orgKind,
      login: row.orgLogin,
      name: row.orgName,
      regionId: row.regionId,
      municipalityId: row.municipalityId,
      parentId: row.parentId,
      regionCode: row.regionCode,
    },
    sessionId,
  }
  rememberSession(sessionId, user.id, user)
  return user
}

export function getSessionUser(request: Request) {
  const cookie = request.headers.get('Cookie')
  // Layout and page loaders of one request share one lookup.
  return memoizeInRequest(`session:${cookie ?? ''}`, () => getUserByCookieHeader(cookie))
}

function loginRedirect(request: Request) {
  const url = new URL(request.url)
  const back = url.pathname + url.search
  const params = new URLSearchParams(back && back !== '/' ? { redirectTo: back } : {})
  const query = params.toString()
  return `/login${query ? `?${query}` : ''}`
}

/**
 * The signed-in person, or a thrown redirect to the sign-in page. People with
 * an issued one-time password are sent to choose their own first.
 */
export async function requireUser(request: Request, options: { allowPendingPasswordChange?: boolean } = {}) {
  const user = await getSessionUser(request)
  if (!user) {
    throw redirect(loginRedirect(request), {
      headers: request.headers.get('Cookie')?.includes('oko_session=')
        ? { 'Set-Cookie': await destroySessionCookie() }
        : undefined,
    })
  }
  if (user.mustChangePassword && !options.allowPendingPasswordChange) {
    throw redirect('/password')
  }
  return user
}

/** Throws 403 with a Russian message unless the person has one of the roles. */
export async function requireRole(request: Request, roles: Role[]) {
  const user = await requireUser(request)
  if (!roles.includes(user.role)) {
    throw new Response('Этот раздел недоступен для вашей роли.', { status: 403, statusText: 'Forbidden' })
  }
  return user
}

export async function revokeSession(sessionId: string) {
  await prisma.session.deleteMany({ where: { id: sessionId } })
  kickSessions([sessionId], 'Вы вышли из системы.')
}

/** Ends every session of a person (but the current one, if given); returns how many were ended. */
export async function revokeAllSessions(userId: number, exceptSessionId?: string) {
  const where = { userId, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) }
  const ids = (await prisma.session.findMany({ where, select: { id: true } })).map((s) => s.id)
  const result = await prisma.session.deleteMany({ where: { id: { in: ids } } })
  kickSessions(ids, 'Сеанс завершён: выполнен выход на всех устройствах.')
  return result.count
}

export async function listSessions(userId: number) {
  return prisma.session.findMany({
    where: { userId, expiresAt: { gt: new Date() } },
    orderBy: { lastSeenAt: 'desc' },
    select: { id: true, createdAt: true, lastSeenAt: true, ip: true, userAgent: true },
  })
}

export async function purgeExpiredSessions() {
  const result = await prisma.session.deleteMany({ where: { expiresAt: { lte: new Date() } } })
  return result.count
}

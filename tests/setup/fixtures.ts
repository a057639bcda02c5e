// Small factories so that tests read short. Every test file has a database of
// its own (db-setup.ts), so factories only need to be unique within a file.
import type { OrgKind, Role } from '~/generated/prisma/enums'
import { hashPassword } from '~/accounts/password.server'
import { COORDINATOR_ROLE } from '~/accounts/roles'
import { commitSessionCookie, createSession, type SessionUser } from '~/accounts/session.server'
import { prisma } from '~/utils/db.server'
import { DEMO_PASSWORD, seedDemo } from '../../prisma/seed.ts'

export { DEMO_PASSWORD }

export const TEST_PASSWORD = 'test-Password-2026'
export const META = { ip: '203.0.113.7', userAgent: 'vitest' }

// argon2id costs 20–50 ms a hash: hash each distinct password once per file.
const hashes = new Map<string, Promise<string>>()
export function cachedHash(password: string) {
  let hash = hashes.get(password)
  if (!hash) {
    hash = hashPassword(password)
    hashes.set(password, hash)
  }
  return hash
}

/** The demo organisations and logins (region 29 with ~350 schools, region 22, ФИОКО). */
export function seedDemoData() {
  return seedDemo(prisma)
}

let regionCounter = 50

/**
 * A region with municipalities, their schools and colleges directly under the
 * region, with the same denormalised ancestors the seed writes. Organisations
 * only: add accounts with createUser.
 */
export async function createRegionTree({ municipalities = 2, schoolsPer = 2, colleges = 1 } = {}) {
  const code = String(regionCounter++)
  const region = await prisma.organization.create({ data: { kind: 'REGION', login: `reg${code}0000`, name: `Регион ${code}`, regionCode: code } })
  await prisma.organization.update({ where: { id: region.id }, data: { regionId: region.id } })
  let schoolNo = 1
  const tree = []
  for (let m = 1; m <= municipalities; m++) {
    const mun = await prisma.organization.create({
      data: { kind: 'MUNICIPALITY', login: `reg${code}_m${String(m).padStart(3, '0')}`, name: `МОУО ${m} региона ${code}`, regionCode: code, parentId: region.id, regionId: region.id },
    })
    const municipality = await prisma.organization.update({ where: { id: mun.id }, data: { municipalityId: mun.id } })
    const schools = []
    for (let s = 0; s < schoolsPer; s++) {
      const n = schoolNo++
      schools.push(
        await prisma.organization.create({
          data: { kind: 'SCHOOL', login: `edu${code}${String(n).padStart(4, '0')}`, name: `Школа № ${n} региона ${code}`, regionCode: code, parentId: mun.id, regionId: region.id, municipalityId: mun.id },
        }),
      )
    }
    tree.push({ municipality, schools })
  }
  const collegeOrgs = []
  for (let c = 1; c <= colleges; c++) {
    collegeOrgs.push(
      await prisma.organization.create({
        data: { kind: 'COLLEGE', login: `spo${code}${String(c).padStart(4, '0')}`, name: `Колледж № ${c} региона ${code}`, regionCode: code, parentId: region.id, regionId: region.id },
      }),
    )
  }
  return { code, region: await prisma.organization.findUniqueOrThrow({ where: { id: region.id } }), municipalities: tree, colleges: collegeOrgs }
}

let userCounter = 1

/**
 * An account. By default the coordinator account of the organisation (login =
 * the organisation's login, the way issued credentials look), signed-in-able
 * with TEST_PASSWORD and no pending password change.
 */
export async function createUser({
  orgId,
  role,
  login,
  password = TEST_PASSWORD,
  mustChangePassword = false,
  disabled = false,
}: {
  orgId: number
  role?: Role
  login?: string
  password?: string | null
  mustChangePassword?: boolean
  disabled?: boolean
}) {
  const org = await prisma.organization.findUniqueOrThrow({ where: { id: orgId } })
  const coordinator = COORDINATOR_ROLE[org.kind as OrgKind]
  const finalRole = role ?? coordinator ?? 'SUPPORT_AGENT'
  const finalLogin = login ?? (finalRole === coordinator ? org.login : `user${userCounter++}.${org.login}`)
  const user = await prisma.user.create({
    data: {
      login: finalLogin,
      fullName: `Тестовый пользователь ${finalLogin}`,
      role: finalRole,
      organizationId: org.id,
      passwordHash: password === null ? null : await cachedHash(password),
      mustChangePassword,
      disabled,
    },
  })
  return { ...user, password }
}

export type Actor = Pick<SessionUser, 'id' | 'login' | 'role' | 'organization'>

/** The person as domain functions receive it (the shape requireUser returns, without a session). */
export async function actorFor(login: string): Promise<Actor> {
  const user = await prisma.user.findUniqueOrThrow({
    where: { login },
    select: {
      id: true,
      login: true,
      role: true,
      organization: {
        select: { id: true, kind: true, login: true, name: true, regionId: true, municipalityId: true, parentId: true, regionCode: true },
      },
    },
  })
  return user
}

/** A session for the person and the Cookie header a browser would send with it. */
export async function createSignedInSession(user: { id: number }) {
  const session = await createSession(user.id, META)
  const setCookie = await commitSessionCookie(session.id)
  return { sessionId: session.id, cookie: setCookie.split(';')[0] }
}

/** A Request carrying the person's signed session cookie, as a loader would receive it. */
export async function signedInRequest(user: { id: number }, url = 'http://localhost/cabinet', init: RequestInit = {}) {
  const { cookie } = await createSignedInSession(user)
  const headers = new Headers(init.headers)
  headers.set('Cookie', cookie)
  return new Request(url, { ...init, headers })
}

export function auditRows(action: string) {
  return prisma.auditEvent.findMany({ where: { action }, orderBy: { id: 'asc' } })
}

/** Runs `fn`, expects it to throw a Response, and returns it (status and body checked by the caller). */
export async function thrownResponse(fn: () => Promise<unknown>): Promise<Response> {
  try {
    await fn()
  } catch (error) {
    if (error instanceof Response) return error
    throw error
  }
  throw new Error('expected a thrown Response, but the call returned')
}

/**
 * Empties every table but the migrations record, for files whose tests each
 * want a clean slate (the database itself is already per file).
 */
export async function resetDatabase() {
  const tables = await prisma.$queryRaw<{ tablename: string }[]>`
    SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`
  if (tables.length === 0) return
  const list = tables.map((t) => `"public"."${t.tablename.replace(/"/g, '""')}"`).join(', ')
  await prisma.$executeRawUnsafe(`TRUNCATE ${list} RESTART IDENTITY CASCADE`)
}

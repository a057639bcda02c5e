import { beforeEach, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { createRegionTree, resetDatabase, createSignedInSession, createUser, signedInRequest } from '../../tests/setup/fixtures'
import { getUserByCookieHeader, requireRole, requireUser, revokeAllSessions, revokeSession } from './session.server'

let user: Awaited<ReturnType<typeof createUser>>

beforeEach(async () => {
  await resetDatabase()
  const tree = await createRegionTree({ municipalities: 1, schoolsPer: 1, colleges: 0 })
  user = await createUser({ orgId: tree.municipalities[0].municipality.id })
})

async function thrown(fn: () => Promise<unknown>) {
  try {
    await fn()
  } catch (error) {
    return error as Response
  }
  throw new Error('expected a thrown Response')
}

describe('sessions', () => {
  it('resolve a signed cookie to the person and their organisation', async () => {
    const { cookie, sessionId } = await createSignedInSession(user)
    expect(await getUserByCookieHeader(cookie)).toMatchObject({
      id: user.id,
      login: user.login,
      role: 'MUNICIPAL_COORDINATOR',
      sessionId,
      organization: { id: user.organizationId, kind: 'MUNICIPALITY' },
    })
  })

  it('ignore a cookie whose signature was tampered with, or a bare session id', async () => {
    const { cookie, sessionId } = await createSignedInSession(user)
    expect(await getUserByCookieHeader(cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).toBeNull()
    expect(await getUserByCookieHeader(`oko_session=${encodeURIComponent(btoa(JSON.stringify(sessionId)))}`)).toBeNull()
    expect(await getUserByCookieHeader(null)).toBeNull()
  })

  it('end when expired, and the row is removed', async () => {
    const { cookie, sessionId } = await createSignedInSession(user)
    await prisma.session.update({ where: { id: sessionId }, data: { expiresAt: new Date(Date.now() - 1000) } })
    expect(await getUserByCookieHeader(cookie)).toBeNull()
    expect(await prisma.session.findUnique({ where: { id: sessionId } })).toBeNull()
  })

  it('slide their expiry forward when used after ten minutes', async () => {
    const { cookie, sessionId } = await createSignedInSession(user)
    const soon = new Date(Date.now() + 60 * 60_000)
    await prisma.session.update({ where: { id: sessionId }, data: { lastSeenAt: new Date(Date.now() - 11 * 60_000), expiresAt: soon } })
    expect(await getUserByCookieHeader(cookie)).not.toBeNull()
    const session = await prisma.session.findUniqueOrThrow({ where: { id: sessionId } })
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 13 * 24 * 60 * 60_000)
  })

  it('of a disabled person no longer work', async () => {
    const { cookie } = await createSignedInSession(user)
    await prisma.user.update({ where: { id: user.id }, data: { disabled: true } })
    expect(await getUserByCookieHeader(cookie)).toBeNull()
  })

  it('"sign out everywhere" ends the others and keeps the current one', async () => {
    const current = await createSignedInSession(user)
    const phone = await createSignedInSession(user)
    const laptop = await createSignedInSession(user)
    const colleague = await createUser({ orgId: (await createRegionTree({ municipalities: 1, schoolsPer: 0, colleges: 0 })).municipalities[0].municipality.id })
    const colleagueSession = await createSignedInSession(colleague)

    expect(await revokeAllSessions(user.id, current.sessionId)).toBe(2)
    expect(await getUserByCookieHeader(current.cookie)).toMatchObject({ id: user.id })
    expect(await getUserByCookieHeader(phone.cookie)).toBeNull()
    expect(await getUserByCookieHeader(laptop.cookie)).toBeNull()
    expect(await getUserByCookieHeader(colleagueSession.cookie)).toMatchObject({ id: colleague.id })

    expect(await revokeAllSessions(user.id)).toBe(1)
    expect(await getUserByCookieHeader(current.cookie)).toBeNull()
  })

  it('sign out ends only that session', async () => {
    const a = await createSignedInSession(user)
    const b = await createSignedInSession(user)
    await revokeSession(a.sessionId)
    expect(await getUserByCookieHeader(a.cookie)).toBeNull()
    expect(await getUserByCookieHeader(b.cookie)).not.toBeNull()
  })
})

describe('requireUser and requireRole', () => {
  it('send an anonymous visitor to the sign-in page and back', async () => {
    const response = await thrown(() => requireUser(new Request('http://localhost/cabinet/orgs?page=2')))
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/login?redirectTo=%2Fcabinet%2Forgs%3Fpage%3D2')
  })

  it('clear a dead session cookie while redirecting', async () => {
    const request = await signedInRequest(user)
    await prisma.session.deleteMany({})
    const response = await thrown(() => requireUser(request))
    expect(response.headers.get('Set-Cookie')).toMatch(/^oko_session=;.*Max-Age=0/)
  })

  it('send a person with an issued password to choose their own first', async () => {
    await prisma.user.update({ where: { id: user.id }, data: { mustChangePassword: true } })
    const request = await signedInRequest(user)
    expect((await thrown(() => requireUser(request))).headers.get('Location')).toBe('/password')
    expect(await requireUser(request, { allowPendingPasswordChange: true })).toMatchObject({ id: user.id })
  })

  it('let the right role in and answer 403 to the others', async () => {
    const request = await signedInRequest(user)
    expect(await requireRole(request, ['MUNICIPAL_COORDINATOR'])).toMatchObject({ id: user.id })
    const response = await thrown(() => requireRole(request, ['ADMIN']))
    expect(response.status).toBe(403)
    expect(await response.text()).toBe('Этот раздел недоступен для вашей роли.')
  })
})

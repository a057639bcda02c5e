// The short session cache must never outlive a revocation made through the app.
import { beforeAll, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { createRegionTree, createSignedInSession, createUser, META, TEST_PASSWORD } from '../../tests/setup/fixtures'
import { changePassword } from './auth.server'
import { issueOrgCredentials } from './credentials.server'
import { getUserByCookieHeader, revokeAllSessions } from './session.server'
import { actorFor } from '../../tests/setup/fixtures'

let tree: Awaited<ReturnType<typeof createRegionTree>>
beforeAll(async () => {
  tree = await createRegionTree({ municipalities: 1, schoolsPer: 2, colleges: 0 })
})

it('serves a repeated lookup from memory, without the database', async () => {
  const user = await createUser({ orgId: tree.municipalities[0].schools[0].id })
  const { cookie, sessionId } = await createSignedInSession(user)
  expect(await getUserByCookieHeader(cookie)).toMatchObject({ login: user.login })
  // Deleting the row behind the app's back is seen only after the cache's few seconds…
  await prisma.session.delete({ where: { id: sessionId } })
  expect(await getUserByCookieHeader(cookie)).toMatchObject({ login: user.login })
})

it('forgets sessions revoked through the app at once', async () => {
  const user = await createUser({ orgId: tree.municipalities[0].schools[1].id })
  const { cookie } = await createSignedInSession(user)
  expect(await getUserByCookieHeader(cookie)).not.toBeNull()
  await revokeAllSessions(user.id)
  expect(await getUserByCookieHeader(cookie)).toBeNull()
})

it('forgets a reset account at once', async () => {
  await createUser({ orgId: tree.municipalities[0].municipality.id })
  const school = tree.municipalities[0].schools[0]
  const { cookie } = await createSignedInSession(await prisma.user.findUniqueOrThrow({ where: { login: school.login } }))
  expect(await getUserByCookieHeader(cookie)).not.toBeNull()
  await issueOrgCredentials(await actorFor(tree.municipalities[0].municipality.login), school.id, META)
  expect(await getUserByCookieHeader(cookie)).toBeNull()
})

it('drops the pending password change of the current session after a change', async () => {
  const user = await createUser({ orgId: tree.municipalities[0].schools[1].id, login: 'cache.pw', mustChangePassword: true })
  const { cookie, sessionId } = await createSignedInSession(user)
  expect((await getUserByCookieHeader(cookie))?.mustChangePassword).toBe(true)
  const result = await changePassword(user.id, sessionId, { currentPassword: TEST_PASSWORD, newPassword: 'Новый-пароль-2026', confirmPassword: 'Новый-пароль-2026' }, META)
  expect(result.status).toBe('success')
  expect((await getUserByCookieHeader(cookie))?.mustChangePassword).toBe(false)
})

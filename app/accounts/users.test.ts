import { beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { actorFor, auditRows, createSignedInSession, seedDemoData, thrownResponse } from '../../tests/setup/fixtures'
import { getUserByCookieHeader } from './session.server'
import { changeRole, listUsers } from './users.server'

beforeAll(async () => {
  await seedDemoData()
})

const user = (login: string) => prisma.user.findUniqueOrThrow({ where: { login } })

describe('changeRole', () => {
  it('is refused to anyone but an administrator, with an audit row', async () => {
    const target = await user('support01')
    for (const login of ['fioko01', 'reg290000', 'edu290001']) {
      const response = await thrownResponse(async () => changeRole(await actorFor(login), { userId: target.id, role: 'FIOKO_SPECIALIST' }))
      expect(response.status).toBe(403)
      expect(await response.text()).toBe('Менять роли может только администратор.')
    }
    expect((await user('support01')).role).toBe('SUPPORT_AGENT')
    const denied = (await auditRows('user.role_changed')).filter((r) => r.outcome === 'denied')
    expect(denied.map((r) => r.actorLogin)).toEqual(['fioko01', 'reg290000', 'edu290001'])
  })

  it('changes the role, records from/to and signs the person out everywhere', async () => {
    const target = await user('fioko01')
    const session = await createSignedInSession(target)
    expect(await changeRole(await actorFor('admin'), { userId: target.id, role: 'SUPPORT_AGENT' }, { ip: '192.0.2.5' })).toEqual({ status: 'success', changed: true })
    expect((await user('fioko01')).role).toBe('SUPPORT_AGENT')
    expect(await getUserByCookieHeader(session.cookie)).toBeNull()
    const rows = (await auditRows('user.role_changed')).filter((r) => r.targetLogin === 'fioko01' && r.outcome === 'success')
    expect(rows).toMatchObject([{ actorLogin: 'admin', ip: '192.0.2.5', details: { from: 'FIOKO_SPECIALIST', to: 'SUPPORT_AGENT' } }])
  })

  it('rejects a role that does not fit the organisation kind', async () => {
    const school = await user('edu290001')
    const session = await createSignedInSession(school)
    const admin = await actorFor('admin')
    for (const role of ['REGION_COORDINATOR', 'ADMIN', 'MUNICIPAL_COORDINATOR'] as const) {
      expect(await changeRole(admin, { userId: school.id, role })).toEqual({ status: 'error', message: 'Эта роль не подходит для организации пользователя.' })
    }
    expect((await user('edu290001')).role).toBe('SCHOOL_COORDINATOR')
    expect(await getUserByCookieHeader(session.cookie)).not.toBeNull()
    expect((await auditRows('user.role_changed')).filter((r) => r.targetLogin === 'edu290001')).toEqual([])
  })

  it('does not let an administrator demote themselves', async () => {
    const admin = await actorFor('admin')
    const result = await changeRole(admin, { userId: admin.id, role: 'SUPPORT_AGENT' })
    expect(result).toMatchObject({ status: 'error', message: expect.stringContaining('Нельзя снять роль администратора с самого себя') })
    expect((await user('admin')).role).toBe('ADMIN')
  })

  it('leaves sessions alone when the role is already the one asked for', async () => {
    const target = await user('edu290001_t01')
    const session = await createSignedInSession(target)
    expect(await changeRole(await actorFor('admin'), { userId: target.id, role: 'TEACHER_EXPERT' })).toEqual({ status: 'success', changed: false })
    expect(await getUserByCookieHeader(session.cookie)).not.toBeNull()
  })

  it('answers 404 for an unknown person', async () => {
    expect((await thrownResponse(async () => changeRole(await actorFor('admin'), { userId: 987_654, role: 'ADMIN' }))).status).toBe(404)
  })
})

describe('listUsers', () => {
  it('finds people by login, name or organisation, and by role', async () => {
    expect((await listUsers({ q: 'EDU290001', page: 1 })).users.map((u) => u.login)).toEqual(['edu290001', 'edu290001_t01'])
    expect((await listUsers({ q: 'кузнецова', page: 1 })).users.map((u) => u.login)).toEqual(['edu290001_t01'])
    expect((await listUsers({ q: 'Алтайский', page: 1 })).users.map((u) => u.login)).toEqual(['reg220000'])
    expect((await listUsers({ role: 'REGION_COORDINATOR', page: 1 })).users.map((u) => u.login)).toEqual(['reg220000', 'reg290000'])
  })
})

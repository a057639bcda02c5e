import { beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { actorFor, auditRows, createSignedInSession, createUser, DEMO_PASSWORD, META, seedDemoData, thrownResponse } from '../../tests/setup/fixtures'
import { signIn } from './auth.server'
import { createTeacher, issueCredentialArchive, issueOrgCredentials, resetTeacherPassword, setTeacherDisabled } from './credentials.server'
import { getUserByCookieHeader } from './session.server'

beforeAll(async () => {
  await seedDemoData()
})

const org = (login: string) => prisma.organization.findUniqueOrThrow({ where: { login } })
const user = (login: string) => prisma.user.findUniqueOrThrow({ where: { login } })
const auditFor = async (action: string, targetLogin: string) => (await auditRows(action)).filter((r) => r.targetLogin === targetLogin)

describe('issueOrgCredentials', () => {
  it('a МОУО resets its school: the new one-time password works once and must be changed', async () => {
    const oldSession = await createSignedInSession(await user('edu290001'))
    const school = await org('edu290001')

    const issued = await issueOrgCredentials(await actorFor('reg29_m001'), school.id, { ip: META.ip })
    expect(issued).toMatchObject({ login: 'edu290001', orgName: school.name, parentName: expect.stringMatching(/\(reg29_m001\)$/) })
    expect(issued.password).toMatch(/^[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}$/)

    expect(await getUserByCookieHeader(oldSession.cookie)).toBeNull()
    expect(await signIn({ login: 'edu290001', password: DEMO_PASSWORD }, META)).toMatchObject({ httpStatus: 401 })
    expect(await signIn({ login: 'edu290001', password: issued.password }, META)).toMatchObject({ status: 'success', mustChangePassword: true })
    expect(await auditFor('credentials.reset', 'edu290001')).toMatchObject([{ outcome: 'success', actorLogin: 'reg29_m001', targetOrgId: school.id, ip: META.ip }])
  })

  it('creates the coordinator account on first issuance', async () => {
    const school = await org('edu290002')
    expect(await prisma.user.findUnique({ where: { login: 'edu290002' } })).toBeNull()
    const issued = await issueOrgCredentials(await actorFor('reg29_m001'), school.id)
    expect(await user('edu290002')).toMatchObject({ role: 'SCHOOL_COORDINATOR', organizationId: school.id, mustChangePassword: true })
    expect(await signIn({ login: 'edu290002', password: issued.password }, META)).toMatchObject({ status: 'success' })
    expect(await auditFor('credentials.issued', 'edu290002')).toHaveLength(1)
  })

  it("refuses to reset another МОУО's school, audits it, and changes nothing", async () => {
    const target = await org('edu290053') // first school of reg29_m002
    const account = await createUser({ orgId: target.id })
    const session = await createSignedInSession(account)

    const response = await thrownResponse(async () => issueOrgCredentials(await actorFor('reg29_m001'), target.id, { ip: META.ip }))
    expect(response.status).toBe(403)
    expect(await auditFor('credentials.denied', 'edu290053')).toMatchObject([{ outcome: 'denied', actorLogin: 'reg29_m001', targetOrgId: target.id }])
    expect((await user('edu290053')).passwordHash).toBe(account.passwordHash)
    expect(await getUserByCookieHeader(session.cookie)).not.toBeNull()
    expect(await auditFor('credentials.reset', 'edu290053')).toEqual([])
  })

  it('a region cannot issue for a school under a МОУО, only for the level directly below', async () => {
    const region = await actorFor('reg290000')
    const school = await org('edu290003')
    const response = await thrownResponse(() => issueOrgCredentials(region, school.id))
    expect(response.status).toBe(403)
    expect(await response.text()).toBe('Выдавать доступ этой организации может только координатор уровнем выше неё.')
    expect(await prisma.user.findUnique({ where: { login: 'edu290003' } })).toBeNull()
    expect(await auditFor('credentials.denied', 'edu290003')).toHaveLength(1)

    const municipality = await issueOrgCredentials(region, (await org('reg29_m003')).id)
    expect(await signIn({ login: 'reg29_m003', password: municipality.password }, META)).toMatchObject({ status: 'success' })
    const college = await issueOrgCredentials(region, (await org('spo290002')).id)
    expect((await user('spo290002')).role).toBe('SCHOOL_COORDINATOR')
    expect(college.parentName).toBe('Архангельская область(reg290000)')
  })

  it('re-enables a disabled coordinator account, so the new password works', async () => {
    const moUo = await actorFor('reg29_m001')
    const school = await org('edu290004')
    await issueOrgCredentials(moUo, school.id, META)
    await prisma.user.update({ where: { login: 'edu290004' }, data: { disabled: true } })
    const issued = await issueOrgCredentials(moUo, school.id, META)
    expect((await user('edu290004')).disabled).toBe(false)
    expect((await signIn({ login: 'edu290004', password: issued.password }, META)).status).toBe('success')
  })

  it('answers 404 for an unknown organisation', async () => {
    expect((await thrownResponse(async () => issueOrgCredentials(await actorFor('reg29_m001'), 987_654))).status).toBe(404)
  })
})

describe('issueCredentialArchive', () => {
  it('is refused to a school coordinator', async () => {
    const before = (await user('edu220001')).passwordHash
    const response = await thrownResponse(async () => issueCredentialArchive(await actorFor('edu220001')))
    expect(response.status).toBe(403)
    expect((await auditRows('credentials.denied')).filter((r) => r.actorLogin === 'edu220001')).toMatchObject([{ details: { what: 'archive' } }])
    expect((await user('edu220001')).passwordHash).toBe(before)
  })

  it('for a region covers its МОУО and the colleges directly below it', async () => {
    const { rows } = await issueCredentialArchive(await actorFor('reg220000'))
    expect(rows.map((r) => r.login)).toEqual(['reg22_m001', 'reg22_m002', 'reg22_m003', 'spo220001'])
    // The school under a МОУО keeps its password.
    expect(await signIn({ login: 'edu220001', password: DEMO_PASSWORD }, META)).toMatchObject({ status: 'success' })
  })
})

describe('teacher experts', () => {
  it('a school coordinator creates numbered accounts after the existing ones', async () => {
    const school = await actorFor('edu290001')
    const first = await createTeacher(school, { fullName: 'Петрова Ольга Николаевна', email: 'petrova@example.org' })
    const second = await createTeacher(school, { fullName: 'Иванов Пётр Сергеевич' })
    expect([first.login, second.login]).toEqual(['edu290001_t02', 'edu290001_t03'])
    expect(await user('edu290001_t02')).toMatchObject({ role: 'TEACHER_EXPERT', organizationId: school.organization.id, email: 'petrova@example.org', mustChangePassword: true })
    expect(await signIn({ login: first.login, password: first.password }, META)).toMatchObject({ status: 'success', mustChangePassword: true })
    expect(await auditFor('user.created', 'edu290001_t02')).toMatchObject([{ actorLogin: 'edu290001', details: { role: 'TEACHER_EXPERT' } }])
  })

  it('gives simultaneous creations distinct logins', async () => {
    const coordinator = await actorFor('edu290001')
    const made = await Promise.all([1, 2, 3].map((i) => createTeacher(coordinator, { fullName: `Одновременный Эксперт ${i}` }, META)))
    expect(new Set(made.map((m) => m.login)).size).toBe(3)
    for (const m of made) expect(m.login).toMatch(/^edu290001_t\d{2}$/)
  })

  it('only a school coordinator creates them', async () => {
    expect((await thrownResponse(async () => createTeacher(await actorFor('reg29_m001'), { fullName: 'Сидоров Иван Иванович' }))).status).toBe(403)
    expect(await prisma.user.count({ where: { login: { startsWith: 'reg29_m001_t' } } })).toBe(0)
  })

  it('the own school resets a teacher password; the old one and old sessions stop working', async () => {
    const teacher = await user('edu290001_t01')
    const session = await createSignedInSession(teacher)
    const reset = await resetTeacherPassword(await actorFor('edu290001'), teacher.id)
    expect(reset.login).toBe('edu290001_t01')
    expect(await getUserByCookieHeader(session.cookie)).toBeNull()
    expect(await signIn({ login: 'edu290001_t01', password: DEMO_PASSWORD }, META)).toMatchObject({ httpStatus: 401 })
    expect(await signIn({ login: 'edu290001_t01', password: reset.password }, META)).toMatchObject({ status: 'success', mustChangePassword: true })
  })

  it("another school cannot reset or disable someone else's teacher", async () => {
    const teacher = await user('edu290001_t01')
    const otherSchool = await actorFor('edu220001')
    expect((await thrownResponse(() => resetTeacherPassword(otherSchool, teacher.id))).status).toBe(403)
    expect((await thrownResponse(() => setTeacherDisabled(otherSchool, teacher.id, true))).status).toBe(403)
    expect(await user('edu290001_t01')).toMatchObject({ passwordHash: teacher.passwordHash, disabled: false })
    expect(await auditFor('credentials.denied', 'edu290001_t01')).toHaveLength(2)
    // Nor can a school coordinator reset a fellow coordinator through this path.
    expect((await thrownResponse(async () => resetTeacherPassword(await actorFor('edu290001'), (await user('edu290001')).id))).status).toBe(403)
  })

  it('a disabled teacher cannot sign in until enabled again', async () => {
    const school = await actorFor('edu290001')
    const { login, password } = await createTeacher(school, { fullName: 'Смирнов Алексей Петрович' })
    const teacher = await user(login)
    const session = await createSignedInSession(teacher)
    await setTeacherDisabled(school, teacher.id, true)
    expect(await signIn({ login, password }, META)).toMatchObject({ status: 'error', message: 'Учётная запись отключена. Обратитесь к координатору уровнем выше.' })
    await setTeacherDisabled(school, teacher.id, false)
    // Enabling again does not bring the sessions from before back to life.
    expect(await getUserByCookieHeader(session.cookie)).toBeNull()
    expect(await signIn({ login, password }, META)).toMatchObject({ status: 'success' })
    expect((await auditRows('user.disabled')).map((r) => r.targetLogin)).toContain(login)
  })
})

import { beforeEach, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { auditRows, createRegionTree, resetDatabase, createSignedInSession, createUser, META, TEST_PASSWORD } from '../../tests/setup/fixtures'
import { ChangePasswordSchema, changePassword, signIn, SignInSchema } from './auth.server'
import { getUserByCookieHeader } from './session.server'

const WRONG = 'Неверный логин или пароль. Проверьте раскладку клавиатуры и Caps Lock.'

let school: Awaited<ReturnType<typeof createUser>>

beforeEach(async () => {
  await resetDatabase()
  // Each test gets a fresh school account (the database is per file).
  const tree = await createRegionTree({ municipalities: 1, schoolsPer: 1, colleges: 0 })
  school = await createUser({ orgId: tree.municipalities[0].schools[0].id })
})

describe('signIn', () => {
  it('signs in with the right password: a session the cookie resolves to, last login and an audit row', async () => {
    const result = await signIn({ login: school.login, password: TEST_PASSWORD }, META)
    expect(result).toMatchObject({ status: 'success', mustChangePassword: false })
    if (result.status !== 'success') throw new Error('unreachable')
    const session = await prisma.session.findUniqueOrThrow({ where: { id: result.sessionId } })
    expect(session).toMatchObject({ userId: school.id, ip: META.ip, userAgent: META.userAgent })
    expect((await prisma.user.findUniqueOrThrow({ where: { id: school.id } })).lastLoginAt).toBeInstanceOf(Date)
    expect(await auditRows('auth.login')).toMatchObject([{ actorLogin: school.login, outcome: 'success', ip: META.ip }])
  })

  it('tells a person with an issued one-time password to change it', async () => {
    await prisma.user.update({ where: { id: school.id }, data: { mustChangePassword: true } })
    expect(await signIn({ login: school.login, password: TEST_PASSWORD }, META)).toMatchObject({ status: 'success', mustChangePassword: true })
  })

  it('accepts a login typed in capitals with spaces, through the form schema', async () => {
    const input = SignInSchema.parse({ login: `  ${school.login.toUpperCase()} `, password: TEST_PASSWORD })
    expect((await signIn(input, META)).status).toBe('success')
  })

  it('refuses a wrong password with a Russian message and audits auth.login_failed', async () => {
    const result = await signIn({ login: school.login, password: 'wrong-password' }, META)
    expect(result).toEqual({ status: 'error', httpStatus: 401, message: WRONG })
    expect(await prisma.session.count()).toBe(0)
    expect(await auditRows('auth.login_failed')).toMatchObject([
      { outcome: 'failure', targetLogin: school.login, ip: META.ip, details: { reason: 'wrong_password', locked: false } },
    ])
  })

  it('gives an unknown login exactly the same answer', async () => {
    const result = await signIn({ login: 'edu999999', password: TEST_PASSWORD }, META)
    expect(result).toEqual({ status: 'error', httpStatus: 401, message: WRONG })
    expect(await auditRows('auth.login_failed')).toMatchObject([{ targetLogin: 'edu999999', details: { reason: 'unknown_login' } }])
  })

  it('refuses an account whose credentials were never issued', async () => {
    const teacher = await createUser({ orgId: school.organizationId, role: 'TEACHER_EXPERT', password: null })
    expect(await signIn({ login: teacher.login, password: '' }, META)).toMatchObject({ status: 'error', httpStatus: 401, message: WRONG })
    expect(await auditRows('auth.login_failed')).toMatchObject([{ details: { reason: 'no_credentials' } }])
  })

  it('refuses a disabled account even with the right password', async () => {
    await prisma.user.update({ where: { id: school.id }, data: { disabled: true } })
    const result = await signIn({ login: school.login, password: TEST_PASSWORD }, META)
    expect(result).toEqual({ status: 'error', httpStatus: 401, message: 'Учётная запись отключена. Обратитесь к координатору уровнем выше.' })
    expect(await prisma.session.count()).toBe(0)
  })

  it('locks the login after five failures, even for the right password, and says for how long', async () => {
    for (let i = 1; i <= 5; i++) {
      expect(await signIn({ login: school.login, password: `wrong-${i}` }, META)).toMatchObject({ httpStatus: 401 })
    }
    const locked = await signIn({ login: school.login, password: TEST_PASSWORD }, META)
    expect(locked).toMatchObject({ status: 'error', httpStatus: 429 })
    if (locked.status !== 'error') throw new Error('unreachable')
    expect(locked.message).toMatch(/^Слишком много неудачных попыток входа\. Повторите через 1 мин\./)
    expect(await prisma.session.count()).toBe(0)
    const failures = await auditRows('auth.login_failed')
    expect(failures.map((f) => (f.details as { locked: boolean }).locked)).toEqual([false, false, false, false, true])
    expect(await auditRows('auth.locked')).toMatchObject([{ outcome: 'denied', targetLogin: school.login }])

    // The lock is per login: a colleague at the same address still signs in.
    const other = await createUser({ orgId: school.organizationId, role: 'TEACHER_EXPERT' })
    expect((await signIn({ login: other.login, password: TEST_PASSWORD }, META)).status).toBe('success')
  })

  it('lets the person in once the lock has expired, and forgets the failures', async () => {
    for (let i = 1; i <= 5; i++) await signIn({ login: school.login, password: `wrong-${i}` }, META)
    await prisma.loginThrottle.update({ where: { key: `login:${school.login}` }, data: { lockedUntil: new Date(Date.now() - 1000) } })
    expect((await signIn({ login: school.login, password: TEST_PASSWORD }, META)).status).toBe('success')
    expect(await prisma.loginThrottle.findUnique({ where: { key: `login:${school.login}` } })).toBeNull()
    // A single new mistake does not lock again.
    expect(await signIn({ login: school.login, password: 'wrong-again' }, META)).toMatchObject({ httpStatus: 401 })
  })
})

describe('changePassword', () => {
  const input = (currentPassword: string, newPassword: string) => ({ currentPassword, newPassword, confirmPassword: newPassword })

  it('refuses a wrong current password and keeps the old one', async () => {
    const { sessionId } = await createSignedInSession(school)
    const before = (await prisma.user.findUniqueOrThrow({ where: { id: school.id } })).passwordHash
    expect(await changePassword(school.id, sessionId, input('not-my-password', 'Brand-new-pass-1'), META)).toEqual({
      status: 'error',
      field: 'currentPassword',
      message: 'Текущий пароль введён неверно.',
    })
    expect((await prisma.user.findUniqueOrThrow({ where: { id: school.id } })).passwordHash).toBe(before)
    expect(await auditRows('auth.password_changed')).toMatchObject([{ outcome: 'failure', details: { reason: 'wrong_current' } }])
  })

  it.each([
    ['short1', 'Пароль должен быть не короче 10 символов.'],
    ['aaaaabbbbbaaaaa', 'Пароль слишком однообразный: используйте разные символы.'],
  ])('rejects the weak password %j', async (weak, message) => {
    const { sessionId } = await createSignedInSession(school)
    expect(await changePassword(school.id, sessionId, input(TEST_PASSWORD, weak), META)).toEqual({ status: 'error', field: 'newPassword', message })
    expect((await signIn({ login: school.login, password: TEST_PASSWORD }, META)).status).toBe('success')
  })

  it('rejects a password that contains the login', async () => {
    const { sessionId } = await createSignedInSession(school)
    const result = await changePassword(school.id, sessionId, input(TEST_PASSWORD, `My-${school.login.toUpperCase()}-pass`), META)
    expect(result).toEqual({ status: 'error', field: 'newPassword', message: 'Пароль не должен содержать логин.' })
  })

  it('sets the new password, clears the pending change and signs out the other devices only', async () => {
    await prisma.user.update({ where: { id: school.id }, data: { mustChangePassword: true } })
    const current = await createSignedInSession(school)
    const otherDevice = await createSignedInSession(school)
    const result = await changePassword(school.id, current.sessionId, input(TEST_PASSWORD, 'Северное-сияние-29'), META)
    expect(result).toEqual({ status: 'success' })

    const user = await prisma.user.findUniqueOrThrow({ where: { id: school.id } })
    expect(user.mustChangePassword).toBe(false)
    expect(user.passwordChangedAt).toBeInstanceOf(Date)
    expect(await getUserByCookieHeader(current.cookie)).toMatchObject({ id: school.id, mustChangePassword: false })
    expect(await getUserByCookieHeader(otherDevice.cookie)).toBeNull()
    expect(await signIn({ login: school.login, password: TEST_PASSWORD }, META)).toMatchObject({ httpStatus: 401 })
    expect(await signIn({ login: school.login, password: 'Северное-сияние-29' }, META)).toMatchObject({ status: 'success', mustChangePassword: false })
    expect(await auditRows('auth.password_changed')).toMatchObject([{ outcome: 'success', actorLogin: school.login }])
  })

  it('the form schema catches a mistyped confirmation and an unchanged password', () => {
    const mismatch = ChangePasswordSchema.safeParse({ currentPassword: 'a', newPassword: 'Brand-new-pass-1', confirmPassword: 'Brand-new-pass-2' })
    expect(mismatch.success ? null : mismatch.error.issues[0]).toMatchObject({ path: ['confirmPassword'], message: 'Пароли не совпадают.' })
    const same = ChangePasswordSchema.safeParse(input('Brand-new-pass-1', 'Brand-new-pass-1'))
    expect(same.success ? null : same.error.issues[0]).toMatchObject({ path: ['newPassword'], message: 'Новый пароль должен отличаться от выданного.' })
  })
})

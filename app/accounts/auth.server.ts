// Sign-in and password change: the rules, once, for the web form and any
// other way in.
import { z } from 'zod'
import { forgetSessions } from '~/realtime/publish.server'
import { prisma } from '~/utils/db.server'
import { audit } from './audit.server'
import { normalizeLogin } from './logins'
import { burnVerification, hashPassword, passwordProblem, verifyPassword } from './password.server'
import { createSession, revokeAllSessions } from './session.server'
import { clearFailures, ipKey, lockedUntil, loginKey, recordFailure, waitText } from './throttle.server'

export const SignInSchema = z.object({
  login: z
    .string({ required_error: 'Введите логин.' })
    .trim()
    .min(1, 'Введите логин.')
    .max(64, 'Логин не длиннее 64 символов.')
    .transform(normalizeLogin),
  password: z.string({ required_error: 'Введите пароль.' }).min(1, 'Введите пароль.').max(256, 'Слишком длинный пароль.'),
  redirectTo: z.string().optional(),
})

export type SignInResult =
  | { status: 'success'; sessionId: string; mustChangePassword: boolean }
  | { status: 'error'; httpStatus: 400 | 401 | 429; message: string }

const WRONG = 'Неверный логин или пароль. Проверьте раскладку клавиатуры и Caps Lock.'

export async function signIn(
  input: { login: string; password: string },
  meta: { ip: string; userAgent?: string | null },
): Promise<SignInResult> {
  const { login, password } = input
  const keys = [loginKey(login), ipKey(meta.ip)]
  const locked = await lockedUntil(keys)
  if (locked) {
    await audit({ action: 'auth.locked', outcome: 'denied', targetLogin: login, ip: meta.ip })
    return {
      status: 'error',
      httpStatus: 429,
      message: `Слишком много неудачных попыток входа. Повторите через ${waitText(locked)} Если пароль утерян, обратитесь к координатору уровнем выше.`,
    }
  }

  const user = await prisma.user.findUnique({
    where: { login },
    select: { id: true, login: true, passwordHash: true, disabled: true, mustChangePassword: true },
  })
  const ok = user?.passwordHash ? await verifyPassword(user.passwordHash, password) : (await burnVerification(password), false)

  if (!user || !ok || user.disabled) {
    const reason = !user ? 'unknown_login' : !user.passwordHash ? 'no_credentials' : !ok ? 'wrong_password' : 'disabled'
    const [loginLock, ipLock] = await Promise.all(keys.map((k) => recordFailure(k)))
    await audit({
      action: 'auth.login_failed',
      outcome: 'failure',
      targetLogin: login,
      ip: meta.ip,
      details: { reason, locked: Boolean(loginLock || ipLock) },
    })
    if (user?.disabled && ok) {
      return { status: 'error', httpStatus: 401, message: 'Учётная запись отключена. Обратитесь к координатору уровнем выше.' }
    }
    return { status: 'error', httpStatus: 401, message: WRONG }
  }

  await clearFailures(loginKey(login))
  const session = await createSession(user.id, meta)
  await prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } })
  await audit({ action: 'auth.login', actor: user, targetLogin: user.login, ip: meta.ip })
  return { status: 'success', sessionId: session.id, mustChangePassword: user.mustChangePassword }
}

export const ChangePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, 'Введите текущий (выданный) пароль.').max(256),
    newPassword: z.string().min(1, 'Введите новый пароль.').max(256),
    confirmPassword: z.string().min(1, 'Повторите новый пароль.').max(256),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { message: 'Пароли не совпадают.', path: ['confirmPassword'] })
  .refine((v) => v.newPassword !== v.currentPassword, { message: 'Новый пароль должен отличаться от выданного.', path: ['newPassword'] })

export async function changePassword(
  userId: number,
  sessionId: string,
  input: z.infer<typeof ChangePasswordSchema>,
  meta: { ip: string },
): Promise<{ status: 'success' } | { status: 'error'; field: string; message: string }> {
  const user = await prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { id: true, login: true, passwordHash: true } })
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await audit({ action: 'auth.password_changed', outcome: 'failure', actor: user, targetLogin: user.login, ip: meta.ip, details: { reason: 'wrong_current' } })
    return { status: 'error', field: 'currentPassword', message: 'Текущий пароль введён неверно.' }
  }
  const problem = passwordProblem(input.newPassword, user.login)
  if (problem) return { status: 'error', field: 'newPassword', message: problem }
  const passwordHash = await hashPassword(input.newPassword)
  await prisma.user.update({
    where: { id: userId },
    data: { passwordHash, mustChangePassword: false, passwordChangedAt: new Date() },
  })
  // Other devices signed in with the old password are signed out; this one
  // is looked up afresh (it no longer has a pending password change).
  await revokeAllSessions(userId, sessionId)
  forgetSessions({ userId })
  await audit({ action: 'auth.password_changed', actor: user, targetLogin: user.login, ip: meta.ip })
  return { status: 'success' }
}

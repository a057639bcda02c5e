// Signing in with a wrong password: the person sees why, the administrators
// see the attempt in the audit log.
import { expect, submitLogin, test } from './fixtures'

test('a wrong password shows the Russian error and lands in the audit log', async ({ page, signIn }) => {
  // fioko01 is signed in elsewhere too; one failure is far from its lockout (5).
  await submitLogin(page, 'fioko01', 'not-the-password')
  await expect(page.locator('.alert-error')).toHaveText('Неверный логин или пароль. Проверьте раскладку клавиатуры и Caps Lock.')
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByTestId('who')).toHaveCount(0)

  const admin = await signIn('admin')
  await admin.goto('/cabinet/admin/audit?q=fioko01&action=auth.login_failed')
  const failed = admin.getByTestId('audit-table').locator('tr[data-action="auth.login_failed"]')
  await expect(failed.first()).toContainText('fioko01')
  await expect(failed.first()).toContainText('Неудачный вход')
})

test('an unknown login gets the same message as a wrong password', async ({ page }) => {
  await submitLogin(page, 'edu299999', 'whatever-password')
  await expect(page.locator('.alert-error')).toHaveText('Неверный логин или пароль. Проверьте раскладку клавиатуры и Caps Lock.')
})

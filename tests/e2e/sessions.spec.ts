// "Выйти на всех устройствах": the other signed-in browser is sent to the
// sign-in page at once, over the live connection.
//
// Data: the person is edu290004's coordinator, whose access reg29_m001 issues
// here, so that no other test's sessions end.
import { chooseOwnPassword, expect, login, orgIdOf, test } from './fixtures'

const PASSWORD = 'Kedr-Listvennica-2026'

test('logging out everywhere ends the session in the other browser too', async ({ signIn, newPage }) => {
  const municipal = await signIn('reg29_m001')
  await municipal.goto(`/cabinet/orgs/${await orgIdOf(municipal, 'reg29_m001')}`)
  await municipal.getByTestId('children-table').locator('tr[data-login="edu290004"]').getByRole('button', { name: 'Выдать доступ' }).click()
  const oneTime = (await municipal.getByTestId('one-time-password').textContent())!.trim()

  const laptop = await newPage()
  await login(laptop, 'edu290004', oneTime, '/password')
  await chooseOwnPassword(laptop, oneTime, PASSWORD)

  const phone = await newPage()
  await login(phone, 'edu290004', PASSWORD)
  await expect(phone.getByTestId('live-state')).toHaveAttribute('data-state', 'online')

  await laptop.goto('/cabinet/sessions')
  await expect(laptop.getByTestId('sessions-table').locator('tbody tr')).toHaveCount(2)
  await laptop.getByRole('button', { name: 'Выйти на всех устройствах' }).click()
  await expect(laptop).toHaveURL((url) => url.pathname === '/login')

  // Pushed over Socket.io: the phone leaves the cabinet without being touched.
  await expect(phone).toHaveURL((url) => url.pathname === '/login')
  await expect(phone.getByRole('button', { name: 'Войти' })).toBeVisible()
  // And the session is gone on the server, not only in that tab.
  await phone.goto('/cabinet')
  await expect(phone).toHaveURL(/\/login\?redirectTo=%2Fcabinet$/)
})

// Credentials down the hierarchy: a МОУО issues and resets a school's
// password, the school signs in with it and must choose its own; a region
// downloads the yearly archive of one-time passwords as a real .xlsx file.
//
// Data: reg29_m001 works on edu290003 only; reg220000's archive resets the
// accounts of reg22_m001..m003 and spo220001, which no other test uses.
import fs from 'node:fs'
import ExcelJS from 'exceljs'
import { chooseOwnPassword, expect, login, orgIdOf, submitLogin, test } from './fixtures'

test('a municipal coordinator resets a school’s password and the school signs in with it', async ({ signIn, newPage }) => {
  const municipal = await signIn('reg29_m001')
  await municipal.goto(`/cabinet/orgs/${await orgIdOf(municipal, 'reg29_m001')}`)
  const row = municipal.getByTestId('children-table').locator('tr[data-login="edu290003"]')
  const shownPassword = municipal.getByTestId('one-time-password')

  await row.getByRole('button', { name: 'Выдать доступ' }).click()
  await expect(shownPassword).toHaveText(/\S{8,}/)
  const first = (await shownPassword.textContent())!.trim()
  await expect(row).toContainText('выдан, не сменён')

  // A reset asks first; the old one-time password stops working.
  let question = ''
  municipal.once('dialog', (dialog) => {
    question = dialog.message()
    void dialog.accept()
  })
  await row.getByRole('button', { name: 'Сбросить пароль' }).click()
  await expect(shownPassword).not.toHaveText(first)
  expect(question).toContain('Сбросить пароль?')
  const second = (await shownPassword.textContent())!.trim()
  expect(second).toMatch(/\S{8,}/)

  const school = await newPage()
  await submitLogin(school, 'edu290003', first)
  await expect(school.locator('.alert-error')).toContainText('Неверный логин или пароль')

  await login(school, 'edu290003', second, '/password')
  // Nothing else opens before the school has its own password.
  await school.goto('/cabinet/orgs')
  await expect(school).toHaveURL(/\/password$/)
  await chooseOwnPassword(school, second, 'Sosna-Bereza-2026!')
  await expect(school.getByText('Пароль изменён.')).toBeVisible()
  await expect(school.getByTestId('who')).toContainText('(edu290003)')

  await municipal.reload()
  await expect(row).toContainText('действует')
})

test('a region downloads the credentials archive as an .xlsx with working passwords', async ({ signIn, newPage }, testInfo) => {
  const region = await signIn('reg220000')
  await region.goto('/cabinet/credentials')
  await expect(region.getByTestId('archive-count')).toHaveText('4') // three МОУО and one college

  const form = region.getByTestId('archive-form')
  await form.locator('input[name=confirm]').check()
  const [download] = await Promise.all([region.waitForEvent('download'), form.getByRole('button', { name: 'Сформировать архив (.xlsx)' }).click()])
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/)
  const file = testInfo.outputPath('archive.xlsx')
  await download.saveAs(file)
  const bytes = fs.readFileSync(file)
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04')

  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(file)
  const sheet = workbook.worksheets[0]
  const rows: string[][] = []
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))))
  const headerAt = rows.findIndex((r) => r[0] === 'Логин')
  expect(rows[headerAt]).toEqual(['Логин', 'Наименование', 'Вышестоящая организация', 'Одноразовый пароль'])
  const credentials = rows.slice(headerAt + 1)
  expect(credentials.map((r) => r[0]).sort()).toEqual(['reg22_m001', 'reg22_m002', 'reg22_m003', 'spo220001'])
  for (const r of credentials) expect(r[3], r[0]).toMatch(/\S{8,}/)

  // The passwords in the file are the ones the system accepts.
  const [mLogin, , , mPassword] = credentials.find((r) => r[0] === 'reg22_m002')!
  const municipal = await newPage()
  await login(municipal, mLogin, mPassword, '/password')
})

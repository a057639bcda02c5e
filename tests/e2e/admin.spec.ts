// An administrator changes a person's role; the change is on record.
//
// Data: the person is a teacher-expert edu220001 creates here, so that the
// demo logins other tests sign in with keep their roles and sessions.
import { expect, test } from './fixtures'

test('an administrator changes a teacher-expert into a school coordinator and sees it in the audit log', async ({ signIn }) => {
  const school = await signIn('edu220001')
  await school.goto('/cabinet/team')
  await school.locator('input[name=fullName]').fill('Петров Пётр Петрович')
  await school.getByRole('button', { name: 'Создать и выдать пароль' }).click()
  const issued = school.getByTestId('issued-password')
  await expect(issued).toContainText('Петров Пётр Петрович')
  const teacherLogin = (await issued.locator('code').textContent())!.trim()
  expect(teacherLogin).toMatch(/^edu220001_t\d{2,3}$/)
  await expect(school.getByTestId('teachers-table')).toContainText(teacherLogin)

  const admin = await signIn('admin')
  await admin.goto(`/cabinet/admin?q=${teacherLogin}`)
  const row = admin.getByTestId('users-table').locator(`tr[data-login="${teacherLogin}"]`)
  const role = row.locator('select[name=role]')
  await expect(role).toHaveValue('TEACHER_EXPERT')
  // A school account can only hold school roles.
  expect(await role.locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(['SCHOOL_COORDINATOR', 'TEACHER_EXPERT'])
  await role.selectOption('SCHOOL_COORDINATOR')
  await row.getByRole('button', { name: 'Сохранить' }).click()
  await expect(admin.locator('.alert-success')).toHaveText('Роль изменена; сеансы пользователя завершены.')

  await admin.goto(`/cabinet/admin?q=${teacherLogin}`)
  await expect(row.locator('select[name=role]')).toHaveValue('SCHOOL_COORDINATOR')

  await admin.goto(`/cabinet/admin/audit?q=${teacherLogin}&action=user.role_changed`)
  const entry = admin.getByTestId('audit-table').locator('tr[data-action="user.role_changed"]')
  await expect(entry).toHaveCount(1)
  await expect(entry).toContainText('admin')
  await expect(entry).toContainText(teacherLogin)
  await expect(entry).toContainText('SCHOOL_COORDINATOR')

  // The school coordinator's list of experts no longer has this person.
  // (The demo forum gives this school a teacher-expert of its own, so the list is not empty.)
  await school.goto('/cabinet/team')
  await expect(school.getByRole('heading', { level: 1 })).toBeVisible()
  await expect(school.locator('body')).not.toContainText(teacherLogin)
})

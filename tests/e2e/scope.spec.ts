// What each level cannot see: other schools, other municipalities, other
// regions, and the pages of roles above it — also when the address is typed in.
import { expect, orgIdOf, test } from './fixtures'

const OUT_OF_SCOPE = 'вне вашей зоны ответственности'

test('an ОО cannot open another ОО’s pages by URL', async ({ signIn }) => {
  const admin = await signIn('admin')
  const ownId = await orgIdOf(admin, 'edu290001')
  const otherId = await orgIdOf(admin, 'edu290002')

  const school = await signIn('edu290001')
  const own = await school.goto(`/cabinet/orgs/${ownId}`)
  expect(own?.status()).toBe(200)
  await expect(school.getByTestId('org-title')).toHaveText('МБОУ «Средняя школа № 1» г. Архангельск(edu290001)')

  const other = await school.goto(`/cabinet/orgs/${otherId}`)
  expect(other?.status()).toBe(403)
  await expect(school.getByText(OUT_OF_SCOPE)).toBeVisible()
  await expect(school.getByTestId('org-title')).toHaveCount(0)

  // The attempt is on record for the administrators.
  await admin.goto(`/cabinet/admin/audit?q=edu290002&action=access.denied`)
  const denied = admin.getByTestId('audit-table').locator('tr[data-action="access.denied"]', { hasText: 'edu290001' })
  await expect(denied.first()).toContainText('edu290002')
})

test('a municipal coordinator’s list has its own schools and nothing of another municipality or region', async ({ signIn }) => {
  // The organisations looked for below exist: the administrator finds them.
  const admin = await signIn('admin')
  const otherMunicipalSchool = await orgIdOf(admin, 'edu290053') // first school of reg29_m002
  await orgIdOf(admin, 'edu220001')

  const municipal = await signIn('reg29_m001')
  await municipal.goto('/cabinet/orgs?q=edu')
  const rows = municipal.getByTestId('org-table').locator('tbody tr')
  await expect(rows.first()).toContainText('(edu290001)')
  // Every school listed answers to this МОУО.
  const parents = await rows.locator('td:nth-child(3)').allTextContents()
  expect(parents.length).toBeGreaterThan(10)
  expect(new Set(parents)).toEqual(new Set(['Управление образования: г. Архангельск(reg29_m001)']))

  for (const q of ['edu290053', 'reg29_m002', 'edu220001', 'reg22']) {
    await municipal.goto(`/cabinet/orgs?q=${q}`)
    await expect(municipal.getByText('Ничего не найдено'), `search ${q}`).toBeVisible()
    await expect(municipal.getByTestId('org-table')).toHaveCount(0)
  }

  const byUrl = await municipal.goto(`/cabinet/orgs/${otherMunicipalSchool}`)
  expect(byUrl?.status()).toBe(403)
  await expect(municipal.getByText(OUT_OF_SCOPE)).toBeVisible()
})

test('another region cannot open region 29’s pages', async ({ signIn }) => {
  const admin = await signIn('admin')
  const region29 = await orgIdOf(admin, 'reg290000')
  const school29 = await orgIdOf(admin, 'edu290001')

  const region22 = await signIn('reg220000')
  for (const id of [region29, school29]) {
    const response = await region22.goto(`/cabinet/orgs/${id}`)
    expect(response?.status()).toBe(403)
    await expect(region22.getByText(OUT_OF_SCOPE)).toBeVisible()
  }
  await region22.goto('/cabinet/orgs?q=reg29')
  await expect(region22.getByText('Ничего не найдено')).toBeVisible()
})

test('a teacher-expert gets 403 on the organisations and administration pages', async ({ signIn }) => {
  const teacher = await signIn('edu290001_t01')
  for (const url of ['/cabinet/orgs', '/cabinet/admin', '/cabinet/admin/audit', '/cabinet/credentials', '/cabinet/team']) {
    const response = await teacher.goto(url)
    expect(response?.status(), url).toBe(403)
  }
})

test('coordinators get 403 on the administration pages', async ({ signIn }) => {
  const region = await signIn('reg290000')
  for (const url of ['/cabinet/admin', '/cabinet/admin/audit']) {
    const response = await region.goto(url)
    expect(response?.status(), url).toBe(403)
    await expect(region.getByText('Этот раздел недоступен для вашей роли.')).toBeVisible()
  }
})

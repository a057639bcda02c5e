// The forum's post editor in a real browser: formatting from the toolbar, a
// `javascript:` link refused with the server's message, the personal-data
// warning before the first image (cancel uploads nothing), an uploaded image
// and a pasted screenshot, and the post as the server rendered it. The
// author is reg29_m001, whom no other forum test posts as.
import { greyPng as png } from '../fixtures/png.ts'
import { expect, test } from './fixtures.ts'


test('the post editor formats, refuses a javascript: link, warns before the first image and posts what it shows', async ({ signIn }) => {
  test.setTimeout(60_000)
  const page = await signIn('reg29_m001')
  await page.goto('/cabinet/experts/ask')
  const subject = page.getByTestId('ask-subject')
  const firstSubject = await subject.locator('option').evaluateAll((options) => (options as HTMLOptionElement[]).map((o) => o.value).find(Boolean))
  await subject.selectOption(firstSubject!)
  await page.getByTestId('ask-task').fill('3')
  await page.getByTestId('ask-title').fill('Проверка редактора: единицы измерения в ответе')

  const editor = page.locator('[contenteditable="true"]').first()
  await editor.click()
  await editor.pressSequentially('Ответ ')
  await page.getByRole('button', { name: 'Жирный' }).click()
  await editor.pressSequentially('12 см')
  await page.getByRole('button', { name: 'Жирный' }).click()
  await editor.pressSequentially(' и <img src=x onerror=alert(1)>')
  await editor.press('Enter')
  await page.getByRole('button', { name: 'Маркированный список' }).click()
  await editor.pressSequentially('первый случай')
  await editor.press('Enter')
  await editor.pressSequentially('второй случай')
  await editor.press('Enter')
  await editor.press('Enter')

  await page.getByRole('button', { name: 'Ссылка' }).click()
  await page.getByLabel('Адрес ссылки').fill('JaVaScRiPt:alert(1)')
  await page.getByRole('button', { name: 'Вставить ссылку' }).click()
  await expect(page.getByRole('alert').filter({ hasText: 'не допускаются' })).toContainText('можно ссылаться только на адреса http://, https:// и mailto:')
  await page.getByLabel('Адрес ссылки').fill('https://fioko.ru/vpr')
  await page.getByRole('button', { name: 'Вставить ссылку' }).click()

  // The warning comes first; cancelling it uploads nothing.
  let uploads = 0
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/forum/uploads') uploads++
  })
  const image = { name: 'критерий.png', mimeType: 'image/png', buffer: png(120, 60) }
  let [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Изображение' }).click()])
  await chooser.setFiles(image)
  const warning = page.getByRole('alertdialog', { name: 'Проверьте изображение перед публикацией' })
  await expect(warning).toContainText('152-ФЗ')
  await warning.getByRole('button', { name: 'Отмена' }).click()
  await expect(warning).toBeHidden()
  expect(uploads).toBe(0)
  ;[chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Изображение' }).click()])
  await chooser.setFiles(image)
  await page.getByRole('button', { name: 'Понятно, на изображении нет персональных данных' }).click()
  await expect(page.locator('.editor-input img')).toHaveCount(1)
  expect(uploads).toBe(1)

  // A pasted screenshot: no second warning in the same editor.
  await editor.press('End')
  await editor.evaluate((element) => {
    const bytes = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='), (c) => c.charCodeAt(0))
    const data = new DataTransfer()
    data.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' }))
    element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
  })
  await expect(page.locator('.editor-input img')).toHaveCount(2)
  await expect(warning).toBeHidden()

  await page.getByTestId('ask-submit').click()
  await expect(page).toHaveURL(/\/cabinet\/topics\/\d+$/)
  const body = page.locator('.post-body').first()
  await expect(body.locator('strong')).toHaveText('12 см')
  await expect(body).toContainText('<img src=x onerror=alert(1)>')
  await expect(body.locator('ul li')).toHaveText(['первый случай', 'второй случай'])
  const link = body.locator('a[href="https://fioko.ru/vpr"]')
  await expect(link).toHaveAttribute('rel', 'nofollow noopener noreferrer')
  await expect(link).toHaveAttribute('target', '_blank')
  const images = body.locator('img')
  await expect(images).toHaveCount(2)
  const uploaded = body.locator('img[alt="критерий"]')
  await expect(uploaded).toHaveAttribute('width', '120')
  await expect(uploaded).toHaveAttribute('src', /^\/forum\/uploads\/[A-Za-z0-9_-]{22}$/)
  expect(await body.locator('img[onerror], script').count()).toBe(0)
  // The browser really shows it: the image loaded with its size.
  await expect.poll(() => uploaded.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(120)
  const src = await uploaded.getAttribute('src')
  const response = await page.request.get(src!)
  expect(response.headers()['content-type']).toBe('image/png')
  expect(response.headers()['x-content-type-options']).toContain('nosniff')
})

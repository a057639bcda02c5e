// The support desk in the browser: a coordinator files a ticket from the
// cabinet and sees what is missing; two agents work one ticket at once —
// each sees that the other has it open, a reply appears live on the other's
// page, and a reply written before it is stopped with a warning until
// confirmed; the coordinator sees the replies but not the internal note.
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'

/** A 1×1 PNG: a «screenshot» the intake recognises by its bytes. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64')

/** Files a ticket with the cabinet form and returns its number. */
async function fileTicket(page: Page, subject: string, description: string, screenshot = false) {
  await page.goto('/cabinet/support')
  await page.getByRole('link', { name: 'Новое обращение' }).click()
  await page.getByTestId('new-subject').fill(subject)
  await page.getByLabel('Исследование').selectOption('ВПР')
  await page.getByTestId('new-description').fill(description)
  if (screenshot) await page.locator('input[type=file][name=files]').setInputFiles({ name: 'oshibka.png', mimeType: 'image/png', buffer: PNG })
  await page.getByRole('button', { name: 'Отправить обращение' }).click()
  await expect(page).toHaveURL(/\/cabinet\/support\/\d+$/)
  return Number(/\/(\d+)$/.exec(page.url())![1])
}

const UPLOAD_ERROR =
  'При загрузке формы сбора результатов ВПР по математике в 5 классе в разделе «Обмен данными» выдаёт ошибку «Файл не соответствует шаблону». Форму заполняли в Excel, сохраняли в xlsx, столбцы не меняли.'

test('a coordinator files a ticket, is asked politely for the missing screenshot, and completes it', async ({ signIn }) => {
  const school = await signIn('edu290001')
  const id = await fileTicket(school, `Форма не загружается (e2e ${Date.now()})`, UPLOAD_ERROR)
  await expect(school.getByRole('heading', { level: 1 })).toContainText(`Обращение №${id}`)
  await expect(school.getByTestId('missing')).toContainText('Чтобы мы могли помочь, укажите: снимок экрана')
  await school.getByTestId('reply-text').fill('Снимок экрана прилагаю.')
  await school.locator('input[type=file][name=files]').setInputFiles({ name: 'oshibka.png', mimeType: 'image/png', buffer: PNG })
  await school.getByRole('button', { name: 'Отправить' }).click()
  await expect(school.getByTestId('missing')).toHaveCount(0)
  await expect(school.getByTestId('message').filter({ hasText: 'Снимок экрана прилагаю.' })).toBeVisible()
  await school.getByRole('link', { name: '← Мои обращения' }).click()
  await expect(school.getByTestId('my-tickets').getByRole('row').filter({ hasText: String(id) })).toContainText('Новый')
})

test('two agents work one ticket: presence, a live reply, and the collision warning', async ({ signIn }) => {
  const school = await signIn('edu290001')
  const subject = `Отчёт не строится (e2e ${Date.now()})`
  const id = await fileTicket(school, subject, UPLOAD_ERROR, true)

  const a = await signIn('support01')
  const b = await signIn('admin')
  await a.goto('/cabinet/support?q=' + encodeURIComponent(subject))
  await expect(a.getByTestId('desk-table').getByRole('link', { name: subject })).toBeVisible()
  await a.goto(`/cabinet/support/${id}`)
  await b.goto(`/cabinet/support/${id}`)
  await expect(a.getByTestId('presence')).toContainText('Также открыт')
  await expect(a.getByTestId('presence')).toContainText('(admin)')
  await expect(b.getByTestId('presence')).toContainText('(support01)')

  // B starts writing; meanwhile A answers.
  await b.getByTestId('reply-text').fill('Проверьте, пожалуйста, формат файла.')
  await a.getByTestId('reply-text').fill('Здравствуйте! Скачайте шаблон формы заново и перенесите данные.')
  await a.getByRole('button', { name: 'Отправить ответ' }).click()
  await expect(a.getByTestId('action-notice')).toContainText('Ответ отправлен')

  // B's page shows A's reply without reloading, marked as new.
  await expect(b.getByTestId('message').filter({ hasText: 'Скачайте шаблон формы заново' })).toBeVisible()
  await expect(b.getByTestId('new-messages')).toBeVisible()
  await expect(b.getByTestId('reply-text')).toHaveValue('Проверьте, пожалуйста, формат файла.')

  // B's reply, written before A's arrived, is stopped and shows what came in.
  await b.getByRole('button', { name: 'Отправить ответ' }).click()
  await expect(b.getByTestId('collision')).toContainText('Скачайте шаблон формы заново')
  await b.getByRole('button', { name: 'Всё равно отправить' }).click()
  await expect(b.getByTestId('action-notice')).toContainText('Ответ отправлен')

  await b.getByTestId('note-text').fill('Внутреннее: шаблон 2026 года менялся 20 ноября.')
  await b.getByRole('button', { name: 'Добавить заметку' }).click()
  await expect(a.getByTestId('message').filter({ hasText: 'шаблон 2026 года менялся' })).toBeVisible()

  // The coordinator sees both replies, not the note.
  await school.goto(`/cabinet/support/${id}`)
  await expect(school.getByTestId('message').filter({ hasText: 'Скачайте шаблон формы заново' })).toBeVisible()
  await expect(school.getByTestId('message').filter({ hasText: 'Проверьте, пожалуйста, формат файла.' })).toBeVisible()
  await expect(school.getByText('шаблон 2026 года менялся')).toHaveCount(0)
  await expect(school.getByTestId('message').last()).toContainText('Техподдержка')
})

test('another school gets 403 for the ticket; its attachment is downloaded only as a file', async ({ signIn }) => {
  const school = await signIn('edu290001')
  const id = await fileTicket(school, `Вложение (e2e ${Date.now()})`, UPLOAD_ERROR, true)
  const link = school.getByTestId('attachment').first()
  const href = await link.getAttribute('href')
  const download = await school.request.get(href!)
  expect(download.status()).toBe(200)
  expect(download.headers()['content-type']).toBe('image/png')
  expect(download.headers()['content-disposition']).toMatch(/^attachment;/)
  expect(download.headers()['x-content-type-options']).toBe('nosniff')

  const other = await signIn('edu220001')
  const response = await other.goto(`/cabinet/support/${id}`)
  expect(response?.status()).toBe(403)
  expect((await other.request.get(href!)).status()).toBe(403)
})

test('an agent answers with a canned reply, resolves the ticket and turns it into a ready answer without personal data', async ({ signIn }) => {
  const school = await signIn('edu290001')
  const subject = `Как заменить файл (e2e ${Date.now()})`
  const id = await fileTicket(
    school,
    subject,
    'Загрузили форму сбора результатов ВПР по русскому языку, 6 класс, в разделе «Обмен данными», потом нашли неточность в баллах двух участников. Как заменить уже загруженный файл, чтобы результаты пересчитались? Пишите на zavuch@example.ru',
    true,
  )

  const agent = await signIn('support01')
  await agent.goto('/cabinet/support/canned')
  const title = `Замена файла e2e ${id}`
  await agent.getByLabel('Название').first().fill(title)
  await agent.getByLabel('Текст').first().fill('Здравствуйте!\nПо обращению {{ticket}} ({{login}}): откройте публикацию и нажмите «Заменить файл».')
  await agent.getByRole('button', { name: 'Добавить шаблон' }).click()
  await expect(agent.getByTestId('canned-item').filter({ hasText: title })).toBeVisible()

  await agent.goto(`/cabinet/support/${id}`)
  await agent.getByTestId('canned').selectOption({ label: title })
  await expect(agent.getByTestId('reply-text')).toHaveValue(`Здравствуйте!\nПо обращению №${id} (edu290001): откройте публикацию и нажмите «Заменить файл».`)
  await agent.getByLabel('После ответа').selectOption('RESOLVED')
  await agent.getByRole('button', { name: 'Отправить ответ' }).click()
  await expect(agent.getByTestId('action-notice')).toContainText('Ответ отправлен')

  await agent.getByRole('link', { name: 'Сделать ответ для банка' }).click()
  const question = agent.getByTestId('answer-question')
  await expect(question).toHaveValue(/Как заменить уже загруженный файл/)
  await expect(question).not.toHaveValue(/zavuch@example\.ru|edu290001/)
  await expect(agent.getByTestId('answer-answer')).toHaveValue(/откройте публикацию и нажмите «Заменить файл»/)
  await agent.getByLabel('Сохранить как').selectOption('published')
  await agent.getByRole('button', { name: 'Сохранить в банк ответов' }).click()
  await expect(agent.getByTestId('saved')).toContainText('опубликован')
  await agent.getByRole('link', { name: 'Открыть в банке ответов' }).click()
  await expect(agent.getByTestId('answer-body')).toContainText('Заменить файл')

  await agent.goto('/cabinet/support/stats')
  await expect(agent.getByTestId('total')).not.toHaveText('0')
})

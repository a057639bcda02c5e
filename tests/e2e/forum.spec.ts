// The ВПР experts forum in two browsers: a teacher asks (with the Lexical
// editor), a specialist already looking at the subject's list sees the
// question arrive, claims it, answers and marks the answer official; the
// teacher's open page shows the claim, the answer and the badge without a
// reload, and after a spell offline catches up on what happened meanwhile.
// Then hostile text typed into the editor stays text, and a reply to a
// locked question is refused in Russian.
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'

const SPECIALIST_NAME = 'Смирнова Анна Викторовна'

/** The id of «<subject>, <grade> класс» in the catalogue, from the experts forum's front page. */
async function subjectId(page: Page, subject: string, grade: number) {
  await page.goto('/cabinet/experts')
  const link = page.locator('section', { has: page.getByRole('heading', { name: `${grade} класс`, exact: true }) }).getByRole('link', { name: subject, exact: true })
  const href = await link.getAttribute('href')
  const id = Number(/\/cabinet\/experts\/s\/(\d+)$/.exec(href ?? '')?.[1])
  expect(id, `link to ${subject}, ${grade}: ${href}`).toBeGreaterThan(0)
  return id
}

/** Marks the document so that a later check can tell it was not reloaded. */
async function markDocument(page: Page) {
  await page.evaluate(() => Object.assign(window, { __noReload: true }))
}
async function expectNotReloaded(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true)
}

/** The rich-text editor of a form (Lexical's contenteditable). */
function editorIn(scope: Page | ReturnType<Page['locator']>) {
  return scope.locator('[contenteditable="true"]').first()
}

/** Asks a question through the form and returns the new thread's id. */
async function ask(page: Page, subject: number, title: string, type: (editor: ReturnType<Page['locator']>) => Promise<void>) {
  await page.goto(`/cabinet/experts/ask?subject=${subject}`)
  await expect(page.getByTestId('ask-subject')).toHaveValue(String(subject))
  await page.getByTestId('ask-task').fill('5')
  await page.getByTestId('ask-title').fill(title)
  const editor = editorIn(page)
  await editor.click()
  await type(editor)
  await page.getByTestId('ask-submit').click()
  await expect(page).toHaveURL(/\/cabinet\/topics\/\d+$/)
  return Number(/\/(\d+)$/.exec(page.url())![1])
}

async function waitLive(page: Page, testId: string) {
  await expect(page.getByTestId(testId)).toHaveAttribute('data-connected', '1')
}

test('a question and its official answer reach the other browser live, and nothing is lost offline', async ({ signIn }) => {
  test.setTimeout(60_000)
  const specialist = await signIn('fioko01')
  const subject = await subjectId(specialist, 'Математика', 5)
  await specialist.goto(`/cabinet/experts/s/${subject}`)
  await waitLive(specialist, 'live-list')
  await markDocument(specialist)

  const teacher = await signIn('edu290001_t01')
  const title = `Нужны ли единицы измерения в ответе (e2e ${Date.now()})`
  const id = await ask(teacher, subject, title, async (editor) => {
    await editor.pressSequentially('Ученик записал ответ 12 без «см». Единицы ')
    await editor.press('Control+b')
    await editor.pressSequentially('обязательны')
    await editor.press('Control+b')
    await editor.pressSequentially('?')
  })
  await expect(teacher.getByTestId('topic-title')).toHaveText(title)
  // The experts front page, open elsewhere, counts the question as unanswered until it is answered.
  const watcher = await signIn('edu290001')
  await watcher.goto('/cabinet/experts')
  await waitLive(watcher, 'live-catalogue')
  const mathCounts = watcher.locator(`[data-subject-counts="${subject}"]`)
  const unanswered = Number(await mathCounts.getAttribute('data-open'))
  expect(unanswered).toBeGreaterThan(0)
  await expect(teacher.getByTestId('post').first().getByTestId('post-body').locator('strong')).toHaveText('обязательны')
  // Editing starts from what was written (the stored editor state), not its plain text: the bold word stays bold.
  const question = teacher.getByTestId('post').first()
  await question.getByRole('button', { name: 'Изменить' }).click()
  const questionForm = question.getByRole('form', { name: 'Изменить сообщение' })
  await expect(editorIn(questionForm).locator('strong')).toHaveText('обязательны')
  await editorIn(questionForm).click()
  await teacher.keyboard.press('Control+End')
  await editorIn(questionForm).pressSequentially(' Ставить 1 балл или 0?')
  await questionForm.getByRole('button', { name: 'Сохранить' }).click()
  await expect(question.getByTestId('post-body')).toContainText('обязательны? Ставить 1 балл или 0?')
  await expect(question.getByTestId('post-body').locator('strong')).toHaveText('обязательны')
  await waitLive(teacher, 'live-thread')
  await markDocument(teacher)

  // The specialist's list gets the question without a reload.
  const row = specialist.getByTestId('topic-row').filter({ hasText: title })
  await expect(row).toBeVisible()
  await expectNotReloaded(specialist)
  await row.getByRole('link', { name: title }).click()
  await expect(specialist).toHaveURL(new RegExp(`/cabinet/topics/${id}$`))
  await waitLive(specialist, 'live-thread')

  // Claim: the specialist sees their name and the deadline; the teacher that a specialist is on it.
  await specialist.getByRole('button', { name: 'Взять вопрос' }).click()
  await expect(specialist.getByTestId('claim')).toContainText(`Отвечает: ${SPECIALIST_NAME}, до `)
  await expect(specialist.getByRole('button', { name: 'Освободить' })).toBeVisible()
  await expect(teacher.getByTestId('claim')).toContainText('Специалист ФИОКО готовит ответ')

  // The answer, marked official.
  const answer = 'Нет. По критериям задания 5 ответ без единиц измерения засчитывается, если число верное.'
  await editorIn(specialist.getByTestId('reply-form')).click()
  await editorIn(specialist.getByTestId('reply-form')).pressSequentially(answer)
  await specialist.getByRole('button', { name: 'Отправить ответ' }).click()
  await expect(specialist.getByTestId('post').filter({ hasText: answer })).toBeVisible()
  // By id from here on: while it is being edited, the post's text is inside the editor.
  const answerId = await specialist.getByTestId('post').filter({ hasText: answer }).getAttribute('data-post')
  const specialistPost = specialist.locator(`[data-testid="post"][data-post="${answerId}"]`)
  await specialistPost.getByRole('button', { name: 'Отметить как официальный' }).click()
  await expect(specialistPost.getByTestId('official-badge')).toHaveText('✓ Официальный ответ ФИОКО')

  // The teacher's page: the answer, right after the question, with the badge; no reload.
  const teacherAnswer = teacher.getByTestId('post').filter({ hasText: answer })
  await expect(teacherAnswer.getByTestId('official-badge')).toBeVisible()
  await expect(teacher.getByTestId('post').nth(1)).toContainText(answer)
  await expect(teacher.getByTestId('topic-status').first()).toHaveText('Решён')
  await expect(watcher.locator(`[data-subject-counts="${subject}"]`)).toHaveAttribute('data-open', String(unanswered - 1))
  await expectNotReloaded(teacher)

  // Offline: the answer is edited and another reply is added meanwhile.
  await teacher.context().setOffline(true)
  await expect(teacher.getByTestId('live-thread')).toHaveAttribute('data-connected', '0', { timeout: 15_000 })
  await specialistPost.getByRole('button', { name: 'Изменить' }).click()
  const editForm = specialistPost.getByRole('form', { name: 'Изменить сообщение' })
  await editorIn(editForm).click()
  await specialist.keyboard.press('Control+a')
  const edited = 'Нет. Ответ без единиц измерения засчитывается, если число верное (уточнено по критериям 2026 года).'
  await editorIn(editForm).pressSequentially(edited)
  await editForm.getByRole('button', { name: 'Сохранить' }).click()
  await expect(specialist.getByTestId('post').filter({ hasText: edited })).toBeVisible()
  const addition = 'Дополнение: то же относится к заданию 6.'
  await editorIn(specialist.getByTestId('reply-form')).click()
  await editorIn(specialist.getByTestId('reply-form')).pressSequentially(addition)
  await specialist.getByRole('button', { name: 'Отправить ответ' }).click()
  await expect(specialist.getByTestId('post').filter({ hasText: addition })).toBeVisible()
  await expect(teacher.getByTestId('post').filter({ hasText: addition })).toHaveCount(0)

  // Back online: both changes arrive, the official answer stays second.
  await teacher.context().setOffline(false)
  await expect(teacher.getByTestId('post').filter({ hasText: addition })).toBeVisible({ timeout: 20_000 })
  await expect(teacher.getByTestId('post').nth(1)).toContainText(edited)
  await expect(teacher.getByTestId('post').nth(1).getByTestId('edited')).toBeVisible()
  await expect(teacher.getByTestId('post').nth(1).getByTestId('official-badge')).toBeVisible()
  await expectNotReloaded(teacher)
})

test('a script typed into a post stays text, and a reply to a locked question is refused in Russian', async ({ signIn }) => {
  const teacher = await signIn('edu290001_t01')
  const subject = await subjectId(teacher, 'Русский язык', 6)
  const hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
  const id = await ask(teacher, subject, `Вопрос со скриптом (e2e ${Date.now()})`, async (editor) => {
    await editor.pressSequentially(hostile)
  })
  const question = teacher.getByTestId('post').first()
  await expect(question.getByTestId('post-body')).toContainText('<script>window.__pwned = 1</script>')
  await expect(question.locator('script, img[src="x"]')).toHaveCount(0)
  expect(await teacher.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
  // Quoting takes the text as the post shows it (the page carries no plain text): the reply starts with it in a quote.
  await question.getByRole('button', { name: 'Цитировать' }).click()
  await expect(editorIn(teacher.getByTestId('reply-form')).locator('blockquote')).toContainText('<script>window.__pwned = 1</script>')

  // A moderator locks it; the teacher's open page says so at once.
  await waitLive(teacher, 'live-thread')
  const specialist = await signIn('fioko01')
  await specialist.goto(`/cabinet/topics/${id}`)
  await specialist.getByRole('button', { name: 'Закрыть для ответов (блокировка)' }).click()
  await expect(specialist.getByRole('button', { name: 'Открыть для ответов' })).toBeVisible()
  await expect(teacher.getByTestId('reply-disabled')).toHaveText('Вопрос закрыт для ответов: модератор запретил новые сообщения.')

  // A reply sent anyway (as a script or a stale page would) is refused by the server.
  const content = JSON.stringify({
    root: { type: 'root', version: 1, direction: null, format: '', indent: 0, children: [{ type: 'paragraph', version: 1, direction: null, format: '', indent: 0, textFormat: 0, textStyle: '', children: [{ type: 'text', version: 1, text: 'Всё равно отвечаю', format: 0, style: '', mode: 'normal', detail: 0 }] }] },
  })
  const response = await teacher.request.post(`/cabinet/topics/${id}?_data=${encodeURIComponent('routes/cabinet.topics.$id')}`, { form: { intent: 'reply', content } })
  expect(response.status()).toBe(400)
  const body = (await response.json()) as { ok: boolean; error: string }
  expect(body.ok).toBe(false)
  expect(body.error).toBe('Вопрос закрыт для ответов: модератор запретил новые сообщения.')
  await teacher.reload()
  await expect(teacher.getByTestId('post').filter({ hasText: 'Всё равно отвечаю' })).toHaveCount(0)
})

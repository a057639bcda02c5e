// The desk answers a ticket from the answer bank: the ticket page offers
// ready answers similar to the letter, the agent narrows them with a search,
// and one click puts the official answer with its link into the reply box.
import { expect, test } from './fixtures'

const SUBJECT = 'Не загружается форма сбора результатов ВПР'
/** The demo bank's official answer (search/relevance/bank.ts). */
const UPLOAD_ANSWER = 'Откройте «Обмен данными» → публикация «Форма сбора результатов», выберите файл xlsx и нажмите «Загрузить».'

test('an agent inserts a ready answer into the reply with one click', async ({ signIn }) => {
  const agent = await signIn('support01')
  await agent.goto('/cabinet/support?q=' + encodeURIComponent(SUBJECT))
  await agent.getByTestId('desk-table').getByRole('link', { name: SUBJECT }).first().click()
  await expect(agent).toHaveURL(/\/cabinet\/support\/\d+$/)

  const panel = agent.getByTestId('bank-panel')
  await expect(panel.getByRole('heading', { name: 'Готовые ответы' })).toBeVisible()
  // Similar to the ticket before anything is typed.
  await expect(panel.getByTestId('bank-hit').first()).toBeVisible()

  await panel.getByTestId('bank-q').fill('как загрузить форму сбора результатов')
  const hit = panel.getByTestId('bank-hit').filter({ hasText: 'Как загрузить форму сбора результатов в личный кабинет' })
  await expect(hit).toContainText('Официальный ответ')
  await expect(panel.getByTestId('bank-hit').first()).toContainText('Официальный ответ')

  await agent.getByTestId('reply-text').fill('Здравствуйте!')
  await hit.getByRole('button', { name: 'Вставить в ответ' }).click()
  const reply = agent.getByTestId('reply-text')
  await expect(reply).toHaveValue(new RegExp(`^Здравствуйте!\\n\\n${UPLOAD_ANSWER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
  await expect(reply).toHaveValue(/Подробнее: http:\/\/127\.0\.0\.1:\d+\/cabinet\/answers\/\d+$/)
  await expect(reply).toBeFocused()
  // Nothing is sent until the agent sends it.
  await expect(agent.getByTestId('action-notice')).toHaveCount(0)
})

test('a requester does not get the panel on their own ticket', async ({ signIn }) => {
  const school = await signIn('edu290001')
  await school.goto('/cabinet/support')
  await school.getByRole('link', { name: SUBJECT }).first().click()
  await expect(school).toHaveURL(/\/cabinet\/support\/\d+$/)
  await expect(school.getByTestId('reply-text')).toBeVisible()
  await expect(school.getByTestId('bank-panel')).toHaveCount(0)
})

// The thread page's loader and action as the browser gets them: the page
// stays small with a hundred posts (rendered HTML only, no plain text, no
// editor JSON), and the editor JSON of a post comes through `intent=source`
// to someone who may edit it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopSearchDrain } from '~/search/outbox.server'
import { action, loader } from '~/routes/cabinet.topics.$id'
import { signedInRequest } from '../../tests/setup/fixtures'
import { askExperts, forumPeople, replyText, type ForumPerson } from '../../tests/setup/forum'
import { closeForumSql } from './sql.server'
import { prisma } from '~/utils/db.server'

const CONTEXT = { cspNonce: 'test', clientIp: '203.0.113.7' }

let teacher: ForumPerson
let teacher2: ForumPerson
let teacher3: ForumPerson
let specialist: ForumPerson

beforeAll(async () => {
  ;({ teacher, teacher2, teacher3, specialist } = await forumPeople())
})

afterAll(async () => {
  await stopSearchDrain()
  await closeForumSql()
})

async function load(user: { id: number }, topicId: number) {
  const request = await signedInRequest(user, `http://localhost/cabinet/topics/${topicId}`)
  const response = (await loader({ request, params: { id: String(topicId) }, context: CONTEXT })) as Response
  expect(response.status).toBe(200)
  return response.text()
}

async function act(user: { id: number }, topicId: number, fields: Record<string, string>) {
  const request = await signedInRequest(user, `http://localhost/cabinet/topics/${topicId}`, { method: 'POST', body: new URLSearchParams(fields) })
  const response = (await action({ request, params: { id: String(topicId) }, context: CONTEXT })) as Response
  return { status: response.status, data: (await response.json()) as { ok: boolean; data?: unknown; error?: string } }
}

describe('thread page payload', () => {
  it('sends a 100-post thread as rendered HTML only, under 100 KB (141 KB when posts carried their plain text too)', async () => {
    const id = await askExperts(teacher, { text: 'Ученик записал верный ответ 12, но без «см». Критерий требует единицы измерения?\nСтавить 1 балл или 0?' })
    // The bench's thread (tests/bench/_forum-seed.ts): 99 answers of two lines each.
    for (let i = 0; i < 99; i++) {
      const text = `Ответ ${i + 1}. По критериям задания 5 ответ без единиц измерения оценивается в 0 баллов, если в условии явно сказано «запишите ответ в сантиметрах».\nЕсли не сказано — 1 балл. Проверьте формулировку в своём варианте и сверьтесь с разъяснениями ФИОКО.`
      await replyText(i % 5 === 4 ? teacher2 : specialist, id, text)
    }
    const body = await load(teacher3, id)
    const data = JSON.parse(body) as { thread: { posts: Record<string, unknown>[] } }
    expect(data.thread.posts).toHaveLength(100)
    console.log(`thread page JSON, 100 posts: ${body.length} characters, ${Buffer.byteLength(body)} bytes`)
    // Each post's body once, as sanitised HTML; its plain text and editor JSON stay on the server.
    expect(data.thread.posts[5]).toMatchObject({ html: expect.stringContaining('<p>Ответ 5. По критериям') })
    for (const post of data.thread.posts) {
      expect(post).not.toHaveProperty('text')
      expect(post).not.toHaveProperty('content')
      expect(post.author).not.toHaveProperty('login')
    }
    expect(Buffer.byteLength(body)).toBeLessThan(100_000)
  })
})

describe('intent=source', () => {
  it('gives the author the stored editor state of their post and refuses a stranger', async () => {
    const id = await askExperts(teacher)
    const postId = await replyText(teacher2, id, 'Первая строка\nВторая строка')
    const stored = await prisma.post.findUniqueOrThrow({ where: { id: postId }, select: { content: true } })

    const mine = await act(teacher2, id, { intent: 'source', postId: String(postId) })
    expect(mine).toEqual({ status: 200, data: expect.objectContaining({ ok: true, data: stored.content }) })

    const stranger = await act(teacher3, id, { intent: 'source', postId: String(postId) })
    expect(stranger.status).toBe(403)
    expect(stranger.data).toMatchObject({ ok: false, error: 'Править можно только свои сообщения.' })
    expect(stranger.data).not.toHaveProperty('data')
  })
})

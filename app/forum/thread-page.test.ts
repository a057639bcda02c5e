// The thread page's action as the browser calls it: the editor JSON of a
// post comes through `intent=source` to someone who may edit it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopSearchDrain } from '~/search/outbox.server'
import { action } from '~/routes/cabinet.topics.$id'
import { signedInRequest } from '../../tests/setup/fixtures'
import { askExperts, forumPeople, replyText, type ForumPerson } from '../../tests/setup/forum'
import { closeForumSql } from './sql.server'
import { prisma } from '~/utils/db.server'

const CONTEXT = { cspNonce: 'test', clientIp: '203.0.113.7' }

let teacher: ForumPerson
let teacher2: ForumPerson
let teacher3: ForumPerson

beforeAll(async () => {
  ;({ teacher, teacher2, teacher3 } = await forumPeople())
})

afterAll(async () => {
  await stopSearchDrain()
  await closeForumSql()
})

async function act(user: { id: number }, topicId: number, fields: Record<string, string>) {
  const request = await signedInRequest(user, `http://localhost/cabinet/topics/${topicId}`, { method: 'POST', body: new URLSearchParams(fields) })
  const response = (await action({ request, params: { id: String(topicId) }, context: CONTEXT })) as Response
  return { status: response.status, data: (await response.json()) as { ok: boolean; data?: unknown; error?: string } }
}

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

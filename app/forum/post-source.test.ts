// The edit form starts from the post's stored editor state (postSource), not
// from its plain text: formatting, links and images survive an edit. Only
// someone who may edit the post gets that state.
import crypto from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { stopSearchDrain } from '~/search/outbox.server'
import { thrownResponse } from '../../tests/setup/fixtures'
import { askExperts, forumPeople, type ForumPerson } from '../../tests/setup/forum'
import { editPost, postSource, reply } from './posts.server'
import { closeForumSql } from './sql.server'

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

async function upload(ownerId: number) {
  const id = crypto.randomBytes(16).toString('base64url')
  await prisma.forumUpload.create({
    data: { id, ownerId, contentType: 'image/png', size: 10, width: 640, height: 480, sha256: 'x', content: Buffer.from('0123456789') },
  })
  return id
}

const text = (t: string, format = 0) => ({ type: 'text', text: t, format, detail: 0, mode: 'normal', style: '', version: 1 })
const para = (...children: unknown[]) => ({ type: 'paragraph', children, direction: null, format: '', indent: 0, version: 1, textFormat: 0, textStyle: '' })
const image = (src: string, altText: string) => ({ type: 'image', src, altText, version: 1 })
const listItem = (value: number, ...children: unknown[]) => ({ type: 'listitem', children, direction: null, format: '', indent: 0, version: 1, value, checked: undefined })
const bullets = (...items: unknown[]) => ({ type: 'list', listType: 'bullet', start: 1, tag: 'ul', children: items, direction: null, format: '', indent: 0, version: 1 })
const state = (...children: unknown[]) => ({ root: { type: 'root', children, direction: null, format: '', indent: 0, version: 1 } })

describe('postSource', () => {
  it('gives the author the stored editor state, images and formatting included; a stranger gets 403', async () => {
    const id = await askExperts(teacher)
    const picture = await upload(teacher2.id)
    const sent = state(
      para(text('Критерий '), text('К2', 1), text(' читается так:')),
      bullets(listItem(1, text('единицы не обязательны', 2)), listItem(2, text('ответ в строке ответа'))),
      para(image(`/forum/uploads/${picture}`, 'Фрагмент критериев')),
    )
    const result = await reply(teacher2, id, { content: JSON.stringify(sent) })
    if (result.status !== 'success') throw new Error(result.message)
    const stored = await prisma.post.findUniqueOrThrow({ where: { id: result.postId }, select: { content: true, html: true } })
    expect(stored.html).toContain(`/forum/uploads/${picture}`)

    const mine = await postSource(teacher2, result.postId)
    expect(mine).toEqual({ status: 'success', postId: result.postId, content: stored.content })
    // What the author wrote, not its plain text: bold, italics, a list, the image.
    expect(mine.content).toMatchObject({
      root: {
        children: [
          { type: 'paragraph', children: [{ text: 'Критерий ' }, { text: 'К2', format: 1 }, { text: ' читается так:' }] },
          { type: 'list', listType: 'bullet', children: [{ children: [{ text: 'единицы не обязательны', format: 2 }] }, { children: [{ text: 'ответ в строке ответа' }] }] },
          { type: 'paragraph', children: [{ type: 'image', src: `/forum/uploads/${picture}`, altText: 'Фрагмент критериев' }] },
        ],
      },
    })

    // Saving that state back unchanged changes nothing: the edit form loses nothing.
    expect(await editPost(teacher2, result.postId, { content: JSON.stringify(mine.content) })).toMatchObject({ status: 'success', changed: false })

    // Someone else in the same forum (who can read the post) may not have its source.
    expect((await thrownResponse(() => postSource(teacher3, result.postId))).status).toBe(403)
    expect((await thrownResponse(() => postSource(teacher, result.postId))).status).toBe(403)
    // A moderator may edit, so may read it.
    expect((await postSource(specialist, result.postId)).content).toEqual(stored.content)
    // Unknown post: 404.
    expect((await thrownResponse(() => postSource(teacher2, 2_000_000_000))).status).toBe(404)
  })

  it('does not give the author the source of their post a moderator hid', async () => {
    const id = await askExperts(teacher)
    const result = await reply(teacher2, id, { content: JSON.stringify(state(para(text('Скрытое сообщение')))) })
    if (result.status !== 'success') throw new Error(result.message)
    await prisma.post.update({ where: { id: result.postId }, data: { hidden: true } })
    expect((await thrownResponse(() => postSource(teacher2, result.postId))).status).toBe(404)
    expect((await postSource(specialist, result.postId)).status).toBe('success')
  })
})

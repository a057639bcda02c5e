// The event log's retention on a real database: pruning removes events older
// than a week but keeps each room's newest old one as its watermark, so a
// client whose last id predates what was removed is told to reload (reset)
// instead of being replayed the rest with a silent gap, while a page read
// after the pruning replays normally.
import { beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { actorFor } from '../../tests/setup/fixtures.ts'
import { EVENT_RETENTION_DAYS, eventsSince, latestEventId, pruneForumEvents, pruneForumEventsQueue, recordEvents } from './events.server'
import { forumPeople, makeTopic } from './moderation-fixtures.server'
import type { Actor } from './permissions'
import { POST_SELECT, publicPost } from './views.server'

let teacher: Actor
let topicId: number

const DAY = 24 * 3600 * 1000

/** A real post of the topic and its `post.created` event, dated `daysAgo`. */
async function postEvent(room: string, text: string, daysAgo = 0) {
  const post = await prisma.post.create({ data: { topicId, authorId: teacher.id, content: {}, html: `<p>${text}</p>`, text }, select: POST_SELECT })
  const [event] = await prisma.$transaction((tx) => recordEvents(tx, [room], 'post.created', { post: publicPost(post) }))
  if (daysAgo) await prisma.forumEvent.update({ where: { id: BigInt(event.id) }, data: { createdAt: new Date(Date.now() - daysAgo * DAY) } })
  return event.id
}

beforeAll(async () => {
  await forumPeople()
  teacher = await actorFor('teacher1')
  topicId = (await makeTopic({ authorId: teacher.id, title: 'Вопрос для журнала событий' })).id
})

describe('pruning the event log', () => {
  it('keeps a week; a client that missed pruned events is told to reload, one that did not replays as usual', async () => {
    const busy = `topic:${topicId}`
    const quiet = 'forum:999' // an old room nobody wrote to since
    const e0 = await postEvent(busy, 'очень старое', 10)
    const e1 = await postEvent(busy, 'старое', 9)
    const e2 = await postEvent(busy, 'последнее старое', 8)
    const e3 = await postEvent(busy, 'свежее', 1)
    const q1 = await postEvent(quiet, 'тихая комната 1', 20)
    const q2 = await postEvent(quiet, 'тихая комната 2', 19)
    const recent = await postEvent('forum:998', 'вчерашнее', 1)

    // Before pruning: a client away longer than the retention reloads already.
    expect(await eventsSince(busy, e0, teacher)).toEqual({ events: [], reset: true })

    expect(await pruneForumEvents()).toBe(3) // e0, e1, q1
    const left = (await prisma.forumEvent.findMany({ orderBy: { id: 'asc' }, select: { id: true } })).map((r) => String(r.id))
    expect(left).toEqual([e2, e3, q2, recent].sort((a, b) => Number(BigInt(a) - BigInt(b))))

    // Missed events that are gone now: reset, never the rest with a hole in it.
    for (const since of ['0', e0, e1]) expect(await eventsSince(busy, since, teacher)).toEqual({ events: [], reset: true })
    for (const since of ['0', q1]) expect(await eventsSince(quiet, since, teacher)).toEqual({ events: [], reset: true })
    // Saw everything up to the watermark (a page read after the pruning gets at least that id): replays as usual.
    expect(await latestEventId(busy)).toBe(e3)
    const fromWatermark = await eventsSince(busy, e2, teacher)
    expect(fromWatermark.reset).toBe(false)
    expect(fromWatermark.events.map((e) => e.id)).toEqual([e3])
    expect(await eventsSince(busy, e3, teacher)).toEqual({ events: [], reset: false })
    expect(await latestEventId(quiet)).toBe(q2)
    expect(await eventsSince(quiet, q2, teacher)).toEqual({ events: [], reset: false })
    expect(await eventsSince('forum:998', '0', teacher)).toMatchObject({ reset: false, events: [{ id: recent }] })

    // Pruning again removes nothing more: each room keeps its watermark.
    expect(await pruneForumEvents()).toBe(0)
  })

  it('runs from the job queue every hour with a week of retention', () => {
    expect(EVENT_RETENTION_DAYS).toBe(7)
    expect(pruneForumEventsQueue.name).toBe('forum.prune-events')
  })
})

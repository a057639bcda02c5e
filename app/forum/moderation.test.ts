import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { randomBytes } from 'node:crypto'
import { drainSearchOutbox, stopSearchDrain } from '~/search/outbox.server'
import { closeSearchEngine } from '~/search/search.server'
import { prisma } from '~/utils/db.server'
import { thrownResponse } from '../../tests/setup/fixtures.ts'
import { claimTopic } from './claims.server'
import { contentFromText, uploadUrl } from './content'
import {
  HIDDEN_TOPIC_TITLE,
  hidePost,
  listFlags,
  mergeTopic,
  moderationLog,
  moveTopic,
  redactImage,
  resolveFlag,
  setDisputed,
  setLocked,
  setPinned,
  setTopicHidden,
  setTopicStatus,
} from './moderation.server'
import { body, forumBySlug, forumPeople, subject } from './moderation-fixtures.server'
import { editPost, flagPost, postHistory, reply } from './posts.server'
import { forumRooms } from './rooms'
import { askQuestion, getThread, setSubscribed } from './topics.server'
import { topicRooms } from './views.server'

let people: Awaited<ReturnType<typeof forumPeople>>
let math5: number

beforeAll(async () => {
  people = await forumPeople()
  math5 = (await subject('Математика', 5)).id
})

afterAll(async () => {
  await stopSearchDrain()
  await closeSearchEngine()
})

let n = 0

/** A question asked through the forum itself (askQuestion), as a teacher would. */
async function ask(actor: { id: number; login: string; role: (typeof people)['teacher']['role'] }, opts: { forum?: string; text?: string; title?: string; expertSubjectId?: number; sectionId?: number; content?: unknown } = {}) {
  const forum = opts.forum ?? 'experts'
  const support = forum !== 'experts'
  const sectionId = support ? (opts.sectionId ?? (await forumBySlug(forum)).sections[0].id) : undefined
  const result = await askQuestion(actor, {
    forum,
    title: opts.title ?? `Как оценить ответ ученика, вопрос ${++n}`,
    content: opts.content ?? contentFromText(opts.text ?? `Подробности вопроса ${n}`),
    ...(support ? { sectionId } : { expertSubjectId: opts.expertSubjectId ?? math5, taskNumber: '5' }),
  })
  if (result.status !== 'success') throw new Error(result.message)
  return prisma.topic.findUniqueOrThrow({ where: { id: result.topicId }, include: { forum: true } })
}

async function answer(actor: Parameters<typeof reply>[0], topicId: number, text: string) {
  const result = await reply(actor, topicId, { content: contentFromText(text) })
  if (result.status !== 'success') throw new Error(result.message)
  return result.postId
}

async function lastEventId() {
  const row = await prisma.forumEvent.findFirst({ orderBy: { id: 'desc' }, select: { id: true } })
  return row?.id ?? 0n
}

function eventsAfter(id: bigint) {
  return prisma.forumEvent.findMany({ where: { id: { gt: id } }, orderBy: { id: 'asc' } })
}

function logRows(action: string, topicId?: number) {
  return prisma.moderationLog.findMany({ where: { action, ...(topicId ? { topicId } : {}) }, orderBy: { id: 'asc' } })
}

describe('permissions', () => {
  test('a teacher or coordinator can neither lock, pin, mark disputed, hide, close, move, merge, hide posts, redact, nor see flags and the log', async () => {
    const q = await ask(people.teacher)
    const other = await ask(people.teacher2)
    const postId = await answer(people.teacher2, q.id, 'Я бы поставил 1 балл')
    const logBefore = await prisma.moderationLog.count()
    const math6 = (await subject('Математика', 6)).id
    for (const actor of [people.teacher, people.coordinator]) {
      const calls: (() => Promise<unknown>)[] = [
        () => setLocked(actor, q.id, true),
        () => setPinned(actor, q.id, true),
        () => setDisputed(actor, q.id, true),
        () => setTopicHidden(actor, q.id, true, 'спам'),
        () => setTopicStatus(actor, q.id, 'CLOSED'),
        () => moveTopic(actor, q.id, { expertSubjectId: math6 }),
        () => mergeTopic(actor, other.id, q.id),
        () => hidePost(actor, postId, true, 'грубость'),
        () => listFlags(actor),
        () => moderationLog(actor, { page: 1 }),
      ]
      for (const call of calls) expect((await thrownResponse(call)).status).toBe(403)
    }
    const row = await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })
    expect([row.locked, row.pinned, row.disputed, row.hidden, row.status, row.expertSubjectId]).toEqual([false, false, false, false, 'ANSWERED', math5])
    expect((await prisma.topic.findUniqueOrThrow({ where: { id: other.id } })).mergedIntoId).toBeNull()
    expect((await prisma.post.findUniqueOrThrow({ where: { id: postId } })).hidden).toBe(false)
    expect(await prisma.moderationLog.count()).toBe(logBefore)
  })

  test('a support agent moderates the support forums only', async () => {
    const expertQ = await ask(people.teacher)
    const supportQ = await ask(people.teacher, { forum: 'vpr' })
    expect((await thrownResponse(() => setLocked(people.agent, expertQ.id, true))).status).toBe(403)
    expect(await setLocked(people.agent, supportQ.id, true)).toMatchObject({ status: 'success', changed: true })
  })

  test('unknown ids are 404, not 500', async () => {
    expect((await thrownResponse(() => setLocked(people.spec1, 987654, true))).status).toBe(404)
    expect((await thrownResponse(() => setLocked(people.spec1, 'x; drop table', true))).status).toBe(404)
    expect((await thrownResponse(() => hidePost(people.spec1, 987654, true, 'x'))).status).toBe(404)
    expect((await thrownResponse(() => redactImage(people.spec1, '../../etc/passwd'))).status).toBe(404)
    expect((await thrownResponse(() => resolveFlag(people.spec1, 987654))).status).toBe(404)
  })
})

describe('lock, pin, disputed', () => {
  test('locking stops teachers replying, is logged with before/after, and every room of the topic hears it once', async () => {
    const q = await ask(people.teacher)
    const since = await lastEventId()
    const result = await setLocked(people.spec1, q.id, true)
    expect(result).toMatchObject({ status: 'success', changed: true, topic: { id: q.id, locked: true } })

    const events = await eventsAfter(since)
    expect(events.every((e) => e.type === 'topic.updated')).toBe(true)
    expect(events.map((e) => e.room).sort()).toEqual(topicRooms({ ...q, forum: { kind: 'EXPERTS' } }).sort())
    expect(events[0].payload).toMatchObject({ topic: { id: q.id, locked: true } })

    const [log] = await logRows('topic.lock', q.id)
    expect(log).toMatchObject({ actorId: people.spec1.id, details: { before: { locked: false }, after: { locked: true } } })

    const refused = await reply(people.teacher2, q.id, { content: contentFromText('А можно уточнить?') })
    expect(refused.status).toBe('error')

    // Locking again changes nothing and logs nothing.
    expect(await setLocked(people.spec1, q.id, true)).toMatchObject({ status: 'success', changed: false })
    expect(await logRows('topic.lock', q.id)).toHaveLength(1)

    expect(await setLocked(people.admin, q.id, false)).toMatchObject({ status: 'success', changed: true, topic: { locked: false } })
    expect(await logRows('topic.unlock', q.id)).toHaveLength(1)
    expect((await reply(people.teacher2, q.id, { content: contentFromText('А можно уточнить?') })).status).toBe('success')
  })

  test('pinning and the disputed mark (experts forum only)', async () => {
    const q = await ask(people.teacher)
    expect(await setPinned(people.spec1, q.id, true)).toMatchObject({ status: 'success', topic: { pinned: true } })
    expect(await logRows('topic.pin', q.id)).toHaveLength(1)
    expect(await setDisputed(people.spec1, q.id, true)).toMatchObject({ status: 'success', topic: { disputed: true } })
    const [log] = await logRows('topic.disputed', q.id)
    expect(log.details).toEqual({ before: { disputed: false }, after: { disputed: true } })
    const support = await ask(people.teacher, { forum: 'vpr' })
    expect(await setDisputed(people.spec1, support.id, true)).toEqual({ status: 'error', message: 'Спорными бывают только вопросы форума экспертов.' })
    expect((await prisma.topic.findUniqueOrThrow({ where: { id: support.id } })).disputed).toBe(false)
  })
})

describe('hiding a topic', () => {
  test('disappears for teachers and from search; the lists are told without its title; unhiding brings it back', async () => {
    const title = 'Фамилия ученика Петров в заголовке вопроса'
    const q = await ask(people.teacher, { title })
    const since = await lastEventId()
    expect(await setTopicHidden(people.spec1, q.id, true, 'персональные данные')).toMatchObject({ status: 'success', changed: true })
    expect((await thrownResponse(() => getThread(people.teacher2, q.id))).status).toBe(404)
    expect((await getThread(people.spec2, q.id)).topic.hidden).toBe(true)

    const events = await eventsAfter(since)
    expect(events.map((e) => e.room)).toEqual(expect.arrayContaining([forumRooms.subject(math5), forumRooms.forum(q.forumId), forumRooms.queue]))
    expect(JSON.stringify(events.map((e) => e.payload))).not.toContain('Петров')
    expect(events[0].payload).toMatchObject({ topic: { id: q.id, hidden: true, title: HIDDEN_TOPIC_TITLE } })

    await drainSearchOutbox()
    expect(await prisma.searchDocument.findUnique({ where: { id: `question:${q.id}` } })).toBeNull()
    const [log] = await logRows('topic.hide', q.id)
    expect(log.details).toMatchObject({ before: { hidden: false }, after: { hidden: true }, reason: 'персональные данные' })

    // Moderation of a hidden topic goes to its own room only (moderators).
    const sinceLock = await lastEventId()
    await setLocked(people.spec1, q.id, true)
    expect((await eventsAfter(sinceLock)).map((e) => e.room)).toEqual([forumRooms.topic(q.id)])

    expect(await setTopicHidden(people.spec1, q.id, false)).toMatchObject({ status: 'success', topic: { hidden: false, title } })
    expect((await getThread(people.teacher2, q.id)).topic.title).toBe(title)
    await drainSearchOutbox()
    expect(await prisma.searchDocument.findUnique({ where: { id: `question:${q.id}` } })).not.toBeNull()
    expect(await logRows('topic.unhide', q.id)).toHaveLength(1)
  })
})

describe('closing and reopening', () => {
  test('closing ends the claim and stops replies; reopening restores the status the answers give', async () => {
    const q = await ask(people.teacher)
    await answer(people.teacher2, q.id, 'Думаю, 1 балл')
    expect((await claimTopic(people.spec2, q.id)).status).toBe('success')
    expect(await setTopicStatus(people.spec1, q.id, 'CLOSED')).toMatchObject({ status: 'success', changed: true, topic: { status: 'CLOSED', claimedBy: null } })
    const closed = await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })
    expect([closed.status, closed.claimedById]).toEqual(['CLOSED', null])
    expect((await reply(people.teacher2, q.id, { content: contentFromText('Ещё вопрос') })).status).toBe('error')
    expect(await setTopicStatus(people.spec1, q.id, 'OPEN')).toMatchObject({ status: 'success', topic: { status: 'ANSWERED' } })
    expect((await logRows('topic.close', q.id))[0].details).toEqual({ before: { status: 'ANSWERED' }, after: { status: 'CLOSED' } })
    expect((await logRows('topic.reopen', q.id))[0].details).toEqual({ before: { status: 'CLOSED' }, after: { status: 'ANSWERED' } })
    expect(await prisma.searchOutbox.count({ where: { kind: 'question', sourceId: String(q.id) } })).toBeGreaterThanOrEqual(3)
    // Already open: nothing to do.
    expect(await setTopicStatus(people.spec1, q.id, 'OPEN')).toMatchObject({ status: 'success', changed: false })
  })
})

describe('moving', () => {
  test('a support topic moves between sections of its forum; both lists hear it', async () => {
    const vpr = await forumBySlug('vpr')
    const niko = await forumBySlug('niko')
    const q = await ask(people.teacher, { forum: 'vpr', sectionId: vpr.sections[0].id })
    const since = await lastEventId()
    const moved = await moveTopic(people.agent, q.id, { sectionId: vpr.sections[2].id })
    expect(moved).toMatchObject({ status: 'success', changed: true, topic: { sectionTitle: vpr.sections[2].title } })
    const events = await eventsAfter(since)
    expect(events.map((e) => e.room)).toEqual(
      expect.arrayContaining([forumRooms.section(vpr.sections[0].id), forumRooms.section(vpr.sections[2].id), forumRooms.topic(q.id), forumRooms.forum(vpr.id)]),
    )
    expect(events.every((e) => e.type === 'topic.moved')).toBe(true)
    expect(events[0].payload).toMatchObject({ topicId: q.id, fromRoom: forumRooms.section(vpr.sections[0].id) })
    expect((await logRows('topic.move', q.id))[0].details).toEqual({ before: { sectionId: vpr.sections[0].id }, after: { sectionId: vpr.sections[2].id } })
    expect(await prisma.searchOutbox.count({ where: { kind: 'topic', sourceId: String(q.id) } })).toBeGreaterThanOrEqual(2)

    expect(await moveTopic(people.agent, q.id, { sectionId: niko.sections[0].id })).toEqual({ status: 'error', message: 'Такого раздела нет в этом форуме.' })
    await prisma.forumSection.update({ where: { id: vpr.sections[3].id }, data: { archived: true } })
    expect((await moveTopic(people.agent, q.id, { sectionId: vpr.sections[3].id })).status).toBe('error')
    expect((await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })).sectionId).toBe(vpr.sections[2].id)
  })

  test('an experts question moves to another subject and task; bad task numbers are refused', async () => {
    const q = await ask(people.teacher)
    const physics7 = await subject('Физика', 7)
    const result = await moveTopic(people.spec1, q.id, { expertSubjectId: physics7.id, taskNumber: '4k1' })
    expect(result).toMatchObject({ status: 'success', topic: { subject: 'Физика', grade: 7, taskNumber: '4К1' } })
    expect((await logRows('topic.move', q.id))[0].details).toEqual({ before: { expertSubjectId: math5, taskNumber: '5' }, after: { expertSubjectId: physics7.id, taskNumber: '4К1' } })
    const events = await prisma.forumEvent.findMany({ where: { type: 'topic.moved', payload: { path: ['topicId'], equals: q.id } } })
    expect(events.map((e) => e.room)).toEqual(expect.arrayContaining([forumRooms.subject(math5), forumRooms.subject(physics7.id)]))

    expect(await moveTopic(people.spec1, q.id, { taskNumber: 'двадцать' })).toEqual({ status: 'error', message: 'Номер задания: число, например 5, 12.1 или 4К1.' })
    await prisma.expertSubject.update({ where: { id: physics7.id }, data: { taskCount: 10 } })
    expect((await moveTopic(people.spec1, q.id, { taskNumber: '12' })) as { message: string }).toMatchObject({ status: 'error', message: expect.stringContaining('задания с 1 по 10') })
    expect(await moveTopic(people.spec1, q.id, { sectionId: 1 })).toMatchObject({ status: 'error' })
    expect((await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })).taskNumber).toBe('4К1')
  })
})

describe('merging', () => {
  test('the duplicate points to the canonical question, is closed and locked, its people follow the canonical one', async () => {
    const canonical = await ask(people.teacher, { title: 'Как оценивать задание 5 без единиц измерения' })
    const dup = await ask(people.teacher2, { title: 'Задание 5: ответ без единиц, сколько баллов?' })
    await setSubscribed(people.coordinator, dup.id, true)
    await claimTopic(people.spec2, dup.id)
    const since = await lastEventId()

    const result = await mergeTopic(people.spec1, dup.id, canonical.id)
    expect(result).toEqual({ status: 'success', changed: true, duplicateId: dup.id, canonicalId: canonical.id, subscribersAdded: 2 })

    const row = await prisma.topic.findUniqueOrThrow({ where: { id: dup.id } })
    expect([row.mergedIntoId, row.status, row.locked, row.claimedById]).toEqual([canonical.id, 'CLOSED', true, null])
    const subs = await prisma.topicSubscription.findMany({ where: { topicId: canonical.id }, select: { userId: true } })
    expect(subs.map((s) => s.userId).sort()).toEqual([people.teacher.id, people.teacher2.id, people.coordinator.id].sort())

    const merged = (await eventsAfter(since)).filter((e) => e.type === 'topic.merged')
    expect(merged.map((e) => e.room).sort()).toEqual(topicRooms({ ...dup, forum: { kind: 'EXPERTS' } }).sort())
    expect(merged[0].payload).toEqual({ topicId: dup.id, intoId: canonical.id, intoTitle: canonical.title })

    const [log] = await logRows('topic.merge', dup.id)
    expect(log.details).toMatchObject({ canonicalId: canonical.id, before: { mergedIntoId: null, status: 'OPEN', locked: false }, after: { mergedIntoId: canonical.id, status: 'CLOSED', locked: true } })
    // The drain (run here rather than waiting for its timer) removes the duplicate's document and keeps the canonical one.
    await drainSearchOutbox()
    expect(await prisma.searchDocument.findUnique({ where: { id: `question:${dup.id}` } })).toBeNull()
    expect(await prisma.searchDocument.findUnique({ where: { id: `question:${canonical.id}` } })).not.toBeNull()

    const thread = await getThread(people.teacher, dup.id)
    expect(thread.topic.mergedInto).toEqual({ id: canonical.id, title: canonical.title })
    expect((await getThread(people.teacher, canonical.id)).topic.duplicates).toEqual([{ id: dup.id, title: dup.title }])
    // A teacher can no longer reply in the duplicate.
    expect((await reply(people.teacher, dup.id, { content: contentFromText('ещё') })).status).toBe('error')
  })

  test('refuses itself, an already merged duplicate, a merged canonical (no cycles), another kind of forum and a hidden canonical', async () => {
    const a = await ask(people.teacher)
    const b = await ask(people.teacher)
    const support = await ask(people.teacher, { forum: 'vpr' })
    const hidden = await ask(people.teacher)
    await setTopicHidden(people.spec1, hidden.id, true, 'спам')

    expect(await mergeTopic(people.spec1, a.id, a.id)).toEqual({ status: 'error', message: 'Нельзя объединить вопрос с самим собой.' })
    expect((await mergeTopic(people.spec1, a.id, support.id)).status).toBe('error')
    expect((await mergeTopic(people.spec1, a.id, hidden.id)).status).toBe('error')
    expect((await mergeTopic(people.spec1, a.id, b.id)).status).toBe('success')
    expect(await mergeTopic(people.spec1, a.id, b.id)).toEqual({ status: 'error', message: `Вопрос №${a.id} уже объединён с вопросом №${b.id}.` })
    // b → a would make a cycle: a is itself a duplicate.
    expect(await mergeTopic(people.spec1, b.id, a.id)).toEqual({ status: 'error', message: `Вопрос №${a.id} сам объединён с вопросом №${b.id}: выберите основным его.` })
    expect((await prisma.topic.findUniqueOrThrow({ where: { id: b.id } })).mergedIntoId).toBeNull()
    expect(await logRows('topic.merge', b.id)).toHaveLength(0)
  })

  test("a duplicate's own duplicates are pointed at the new canonical question", async () => {
    const a = await ask(people.teacher)
    const b = await ask(people.teacher)
    const c = await ask(people.teacher)
    expect((await mergeTopic(people.spec1, c.id, a.id)).status).toBe('success')
    expect((await mergeTopic(people.spec1, a.id, b.id)).status).toBe('success')
    expect((await prisma.topic.findUniqueOrThrow({ where: { id: c.id } })).mergedIntoId).toBe(b.id)
    expect(await setTopicStatus(people.spec1, c.id, 'OPEN')).toMatchObject({ status: 'error' })
  })
})

describe('hiding a post', () => {
  test('a hidden reply is gone for teachers, its text in no event, its flags resolved; shown again it comes back', async () => {
    const q = await ask(people.teacher)
    const postId = await answer(people.teacher2, q.id, 'Ученик Сидоров Пётр, код 12345, написал так')
    expect((await flagPost(people.teacher, postId, 'Персональные данные ученика')).status).toBe('success')
    const since = await lastEventId()

    expect(await hidePost(people.spec1, postId, true, 'Персональные данные')).toEqual({ status: 'success', changed: true, postId })
    const forTeacher = (await getThread(people.teacher, q.id)).posts.find((p) => p.id === postId)!
    expect(forTeacher).toMatchObject({ hidden: true, html: '', text: '', hiddenReason: 'Персональные данные' })

    const events = await eventsAfter(since)
    // The post in its thread; the topic's new counts and status in every list of it.
    expect(events.filter((e) => e.type === 'post.hidden').map((e) => e.room)).toEqual([forumRooms.topic(q.id)])
    expect(events.filter((e) => e.type === 'topic.updated').map((e) => e.room).sort()).toEqual(topicRooms(q).sort())
    expect(events.map((e) => e.type).filter((t) => t !== 'post.hidden' && t !== 'topic.updated')).toEqual([])
    expect(JSON.stringify(events.map((e) => e.payload))).not.toContain('Сидоров')
    expect(events.find((e) => e.room === forumRooms.topic(q.id))!.payload).toEqual({ postId, topicId: q.id, hidden: true, reason: 'Персональные данные' })
    expect(await prisma.postFlag.count({ where: { postId, resolvedAt: null } })).toBe(0)
    const [log] = await logRows('post.hide', q.id)
    expect(log).toMatchObject({ postId, details: { before: { hidden: false }, after: { hidden: true, reason: 'Персональные данные' }, flagsResolved: 1 } })

    const sinceUnhide = await lastEventId()
    expect(await hidePost(people.spec1, postId, false)).toMatchObject({ status: 'success', changed: true })
    const back = await eventsAfter(sinceUnhide)
    const updated = back.find((e) => e.type === 'post.updated')!
    expect((updated.payload as { post: { html: string } }).post.html).toContain('Сидоров')
    expect(await logRows('post.unhide', q.id)).toHaveLength(1)
  })

  test('hiding the only answer by someone else puts the question back in the queue; showing it again answers it', async () => {
    const q = await ask(people.teacher)
    await answer(people.teacher, q.id, 'Уточнение автора вопроса')
    const postId = await answer(people.teacher2, q.id, 'Ответ коллеги')
    expect(await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })).toMatchObject({ status: 'ANSWERED', replyCount: 2 })
    const answeredAt = (await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })).firstAnsweredAt
    expect(answeredAt).toBeInstanceOf(Date)
    const since = await lastEventId()

    await hidePost(people.spec1, postId, true, 'Не по теме')
    expect(await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })).toMatchObject({ status: 'OPEN', firstAnsweredAt: null, replyCount: 1 })
    const updated = (await eventsAfter(since)).filter((e) => e.type === 'topic.updated')
    expect(updated.map((e) => e.room)).toContain(forumRooms.queue)
    expect(updated[0].payload).toMatchObject({ topic: { id: q.id, status: 'OPEN', replyCount: 1 } })
    expect((await getThread(people.teacher, q.id)).topic).toMatchObject({ status: 'OPEN', replyCount: 1 })
    const { specialistQueue } = await import('./claims.server')
    expect((await specialistQueue(people.spec1)).map((t) => t.id)).toContain(q.id)

    await hidePost(people.spec1, postId, false)
    const back = await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })
    expect(back).toMatchObject({ status: 'ANSWERED', replyCount: 2 })
    expect(back.firstAnsweredAt?.getTime()).toBe((await prisma.post.findUniqueOrThrow({ where: { id: postId } })).createdAt.getTime())
    expect((await specialistQueue(people.spec1)).map((t) => t.id)).not.toContain(q.id)
  })

  test('hiding the official answer unmarks it, reopens the question, re-indexes it and tells the thread and the lists', async () => {
    const q = await ask(people.teacher)
    const official = await answer(people.spec1, q.id, 'Официальный ответ с фамилией ученика')
    const { setOfficial, setAccepted } = await import('./posts.server')
    expect((await setOfficial(people.spec1, official, true)).status).toBe('success')
    expect((await setAccepted(people.teacher, official, true)).status).toBe('success')
    expect(await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })).toMatchObject({ status: 'RESOLVED', officialPostId: official, acceptedPostId: official })
    const outbox = await prisma.searchOutbox.count({ where: { sourceId: String(q.id) } })
    const since = await lastEventId()

    await hidePost(people.spec1, official, true, 'Персональные данные')
    const topic = await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })
    expect(topic).toMatchObject({ status: 'OPEN', officialPostId: null, acceptedPostId: null, resolvedAt: null, firstAnsweredAt: null, replyCount: 0 })
    expect((await prisma.post.findUniqueOrThrow({ where: { id: official } })).official).toBe(false)
    expect(await prisma.searchOutbox.count({ where: { sourceId: String(q.id) } })).toBeGreaterThan(outbox)
    const events = await eventsAfter(since)
    const inThread = events.filter((e) => e.room === forumRooms.topic(q.id)).map((e) => e.type)
    expect(inThread).toEqual(['post.hidden', 'post.official', 'post.accepted', 'topic.updated'])
    expect(events.find((e) => e.type === 'post.official')!.payload).toMatchObject({ postId: official, official: false, topic: { hasOfficial: false, status: 'OPEN' } })
    expect(events.find((e) => e.type === 'post.accepted')!.payload).toMatchObject({ postId: official, accepted: false })
    expect(events.filter((e) => e.type === 'topic.updated').map((e) => e.room)).toContain(forumRooms.queue)
    const thread = await getThread(people.teacher, q.id)
    expect(thread.topic).toMatchObject({ status: 'OPEN', officialPostId: null, acceptedPostId: null })

    // Shown again, it is an ordinary answer: marking it official again is a deliberate act.
    await hidePost(people.spec1, official, false)
    expect(await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })).toMatchObject({ status: 'ANSWERED', officialPostId: null })
  })

  test('hiding the accepted answer of a support topic takes it back from RESOLVED', async () => {
    const q = await ask(people.teacher, { forum: 'vpr' })
    const first = await answer(people.agent, q.id, 'Первый ответ')
    const accepted = await answer(people.agent, q.id, 'Обновите страницу')
    const { setAccepted } = await import('./posts.server')
    expect((await setAccepted(people.teacher, accepted, true)).status).toBe('success')
    expect((await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })).status).toBe('RESOLVED')
    await hidePost(people.agent, accepted, true, 'Ошибка в ответе')
    expect(await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })).toMatchObject({ status: 'ANSWERED', acceptedPostId: null, resolvedAt: null, replyCount: 1 })
    void first
  })

  test('the question itself is not hidden alone: hide the topic', async () => {
    const q = await ask(people.teacher)
    const first = await prisma.post.findFirstOrThrow({ where: { topicId: q.id, isFirst: true } })
    expect(await hidePost(people.spec1, first.id, true, 'спам')).toEqual({ status: 'error', message: 'Это сам вопрос: чтобы убрать его, скройте тему целиком.' })
    expect((await prisma.post.findUniqueOrThrow({ where: { id: first.id } })).hidden).toBe(false)
  })
})

describe('flags', () => {
  test('moderators list open flags first with an excerpt, the reporter and the topic; support agents see support flags only', async () => {
    await prisma.postFlag.deleteMany()
    const q = await ask(people.teacher, { title: 'Вопрос с жалобами на ответы' })
    const rude = await answer(people.teacher2, q.id, 'Грубый ответ '.repeat(40))
    const fine = await answer(people.teacher2, q.id, 'Вежливый ответ')
    const support = await ask(people.teacher, { forum: 'vpr' })
    const supportReply = await answer(people.teacher2, support.id, 'Реклама курсов')

    const f1 = await flagPost(people.teacher, rude, 'Оскорбления')
    const f2 = await flagPost(people.coordinator, rude, 'Грубость')
    const f3 = await flagPost(people.teacher, fine, 'Не по теме')
    const f4 = await flagPost(people.teacher, supportReply, 'Спам')
    const ids = [f1, f2, f3, f4].map((f) => (f as { flagId: number }).flagId)

    expect(await resolveFlag(people.spec1, ids[2])).toEqual({ status: 'success', changed: true, flagId: ids[2], postHidden: false })
    expect((await prisma.post.findUniqueOrThrow({ where: { id: fine } })).hidden).toBe(false)
    expect(await resolveFlag(people.spec1, ids[2])).toEqual({ status: 'error', message: 'Жалоба уже рассмотрена.' })

    const all = await listFlags(people.spec1)
    expect(all.map((f) => f.id)).toEqual([ids[0], ids[1], ids[3], ids[2]])
    expect(all[0]).toMatchObject({
      reason: 'Оскорбления',
      resolvedAt: null,
      reporter: { login: 'teacher1' },
      post: { id: rude, hidden: false, author: { login: 'teacher2' } },
      topic: { id: q.id, title: 'Вопрос с жалобами на ответы', forumKind: 'EXPERTS' },
      openFlagsOnPost: 2,
    })
    expect(all[0].post.excerpt.length).toBeLessThanOrEqual(240)
    expect(all[0].post.excerpt.startsWith('Грубый ответ Грубый ответ')).toBe(true)
    expect(all[3]).toMatchObject({ resolvedBy: { login: 'spec1' } })
    expect((await listFlags(people.spec1, { open: true })).map((f) => f.id)).toEqual([ids[0], ids[1], ids[3]])
    expect((await listFlags(people.spec1, { open: false })).map((f) => f.id)).toEqual([ids[2]])
    expect((await listFlags(people.agent)).map((f) => f.id)).toEqual([ids[3]])
    expect((await thrownResponse(() => resolveFlag(people.agent, ids[0]))).status).toBe(403)
    expect((await thrownResponse(() => resolveFlag(people.teacher, ids[0]))).status).toBe(403)

    // Upheld: the post is hidden and both flags on it are resolved.
    expect(await resolveFlag(people.spec1, ids[0], { hidePost: true })).toEqual({ status: 'success', changed: true, flagId: ids[0], postHidden: true })
    const post = await prisma.post.findUniqueOrThrow({ where: { id: rude } })
    expect([post.hidden, post.hiddenReason]).toEqual([true, 'По жалобе: Оскорбления'])
    expect(await prisma.postFlag.count({ where: { postId: rude, resolvedAt: null } })).toBe(0)
    expect((await logRows('flag.resolve', q.id)).map((l) => (l.details as { flagId: number }).flagId)).toEqual([ids[2], ids[0]])
    expect(await logRows('post.hide', q.id)).toHaveLength(1)
    expect((await listFlags(people.spec1, { open: true })).map((f) => f.id)).toEqual([ids[3]])
  })
})

describe('redacting an image', () => {
  test('the bytes are emptied and no post, revision or event refers to the image any more', async () => {
    const uploadId = randomBytes(16).toString('base64url')
    await prisma.forumUpload.create({
      data: { id: uploadId, ownerId: people.teacher.id, contentType: 'image/png', size: 4, width: 10, height: 10, sha256: 'x'.repeat(64), content: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
    })
    const withImage = body('Вот скриншот работы', uploadId)
    const q = await ask(people.teacher, { content: withImage.content })
    const first = await prisma.post.findFirstOrThrow({ where: { topicId: q.id, isFirst: true } })
    expect(first.html).toContain(uploadUrl(uploadId))
    // An edit keeps the image and leaves a revision that shows it.
    expect((await editPost(people.teacher, first.id, { content: body('Вот скриншот работы, задание 5', uploadId).content })).status).toBe('success')
    expect((await prisma.postRevision.findFirstOrThrow({ where: { postId: first.id } })).html).toContain(uploadUrl(uploadId))

    // Another post of the thread showing it, with a body the renderer cannot read (an import, a bug).
    const copy = await prisma.post.create({
      data: { topicId: q.id, authorId: people.teacher2.id, content: {}, text: 'копия', html: `<p>копия <img src="${uploadUrl(uploadId)}" alt=""></p>` },
    })
    // And a hidden one: re-rendered too, but announced without its body.
    const hiddenCopy = await prisma.post.create({
      data: { topicId: q.id, authorId: people.teacher2.id, content: {}, text: 'скрытая копия', html: `<p>скрытая копия <img src="${uploadUrl(uploadId)}"></p>`, hidden: true, hiddenReason: 'ПДн' },
    })

    expect((await thrownResponse(() => redactImage(people.teacher2, uploadId))).status).toBe(403)
    const since = await lastEventId()
    expect(await redactImage(people.spec1, uploadId)).toEqual({ status: 'success', changed: true, uploadId, postIds: [first.id, copy.id, hiddenCopy.id] })
    expect((await prisma.post.findUniqueOrThrow({ where: { id: hiddenCopy.id } })).html).not.toContain(uploadId)
    expect((await prisma.post.findUniqueOrThrow({ where: { id: copy.id } })).html).toBe('<p>копия <span class="image-redacted">Изображение скрыто модератором</span></p>')

    const upload = await prisma.forumUpload.findUniqueOrThrow({ where: { id: uploadId } })
    expect(upload.content.length).toBe(0)
    expect(upload.redactedAt).not.toBeNull()
    expect(upload.redactedById).toBe(people.spec1.id)
    const post = await prisma.post.findUniqueOrThrow({ where: { id: first.id } })
    expect(post.html).not.toContain(uploadId)
    expect(post.html).toContain('Изображение скрыто модератором')
    expect(post.html).toContain('задание 5')
    const revisions = await prisma.postRevision.findMany({ where: { postId: first.id } })
    for (const rev of revisions) expect(rev.html).not.toContain(uploadId)
    const history = await postHistory(people.teacher, first.id)
    expect(JSON.stringify(history)).not.toContain(uploadId)

    const events = await eventsAfter(since)
    expect(events.map((e) => [e.type, e.room])).toEqual([
      ['post.updated', forumRooms.topic(q.id)],
      ['post.updated', forumRooms.topic(q.id)],
      ['post.hidden', forumRooms.topic(q.id)],
    ])
    expect(events[2].payload).toEqual({ postId: hiddenCopy.id, topicId: q.id, hidden: true, reason: 'ПДн' })
    expect(JSON.stringify(events.map((e) => e.payload))).not.toContain(uploadId)
    expect(JSON.stringify(events.map((e) => e.payload))).not.toContain('скрытая копия')
    // The thread page (cached per topic, validated by the room's newest event) shows the placeholder at once.
    const thread = await getThread(people.spec2, q.id)
    expect(JSON.stringify(thread.posts)).not.toContain(uploadId)
    const [log] = await logRows('upload.redact', q.id)
    expect(log).toMatchObject({ actorId: people.spec1.id, postId: first.id, details: { uploadId, before: { redactedAt: null, size: 4 }, after: { size: 0 }, revisionsRerendered: 1 } })

    // Twice: nothing more to do.
    expect(await redactImage(people.spec1, uploadId)).toEqual({ status: 'success', changed: false, uploadId, postIds: [] })
    expect(await logRows('upload.redact', q.id)).toHaveLength(1)
  })
})

describe('moderationLog', () => {
  test('newest first, 50 a page, with who did it; support agents see the support forums’ entries', async () => {
    const support = await ask(people.teacher, { forum: 'vpr' })
    const experts = await ask(people.teacher)
    await prisma.moderationLog.createMany({ data: Array.from({ length: 60 }, (_, i) => ({ actorId: people.admin.id, action: 'topic.pin', topicId: experts.id, details: { i } })) })
    await setLocked(people.agent, support.id, true)
    await setPinned(people.spec1, experts.id, true)

    const page1 = await moderationLog(people.spec2, { page: 1 })
    expect(page1.pageSize).toBe(50)
    expect(page1.entries).toHaveLength(50)
    expect(page1.total).toBe(await prisma.moderationLog.count())
    expect(page1.entries[0]).toMatchObject({ action: 'topic.pin', actionLabel: 'Закреплена', actor: { login: 'spec1', name: 'Тестовый пользователь spec1' }, topic: { id: experts.id, title: experts.title } })
    expect(page1.entries[1]).toMatchObject({ action: 'topic.lock', actor: { login: 'agent1' }, topic: { id: support.id } })
    const ids = page1.entries.map((e) => e.id)
    expect([...ids].sort((a, b) => b - a)).toEqual(ids)
    const page2 = await moderationLog(people.spec2, { page: 2 })
    expect(page2.entries[0].id).toBeLessThan(ids[ids.length - 1])

    const agentLog = await moderationLog(people.agent, { page: 1 })
    expect(agentLog.entries.length).toBeGreaterThan(0)
    const supportTopicIds = new Set((await prisma.topic.findMany({ where: { forum: { kind: 'SUPPORT' } }, select: { id: true } })).map((t) => t.id))
    expect(agentLog.entries.every((e) => e.topic !== null && supportTopicIds.has(e.topic.id))).toBe(true)
    expect(agentLog.total).toBeLessThan(page1.total)
  })
})

// Moderation (модерация): moving, merging a duplicate into its canonical
// question, locking, pinning, marking disputed, hiding topics and posts,
// closing and reopening, redacting an image that shows personal data, the
// flags (жалобы) users raise, and the log of all of it (журнал модерации).
//
// Every action is checked with canModerate for the topic's forum, runs in one
// short transaction that locks the topic row, changes it, writes a
// ModerationLog row (before/after), records the room events and, when the
// search document changes, a search-outbox row; the events are pushed and the
// search drain woken only after the commit. Events carry only what everyone in
// the room may see: hidden content never goes into them.
import type { ForumEventView, TopicListItem, TopicStatusName } from './types'
import { canModerate, type Actor, type ForumKindName } from './permissions'
import { publishEvents, recordEvents } from './events.server'
import { settledStatus } from './posts.server'
import { forumRooms } from './rooms'
import { POST_SELECT, TOPIC_LIST_SELECT, publicPost, topicListItem, topicRooms, type TopicListRow } from './views.server'
import { TaskNumber } from '~/search/answer-schema'
import { checkEditorState, UPLOAD_ID_PATTERN, uploadUrl } from './content'
import { REDACTED_IMAGE_TEXT, renderContent } from './content.server'
import { redactUpload } from './uploads.server'
import { enqueueIndex } from '~/search/documents.server'
import { notifySearch } from '~/search/outbox.server'
import { prisma, type Prisma } from '~/utils/db.server'

type Tx = Prisma.TransactionClient

export type ModerationResult<T = object> = ({ status: 'success'; changed: boolean } & T) | { status: 'error'; message: string }
export type TopicResult = ModerationResult<{ topic: TopicListItem }>

/** What lists show, in rooms whose members may not see it, instead of a hidden topic's title. */
export const HIDDEN_TOPIC_TITLE = 'Тема скрыта модератором'
export const REASON_MAX = 500
export const LOG_PAGE_SIZE = 50
export const FLAGS_LIMIT = 200
/** Characters of a flagged post shown in the flag list. */
export const EXCERPT_LENGTH = 240

const forbidden = () => new Response('Недостаточно прав для модерации.', { status: 403, statusText: 'Forbidden' })
const notFound = (what = 'Вопрос не найден.') => new Response(what, { status: 404, statusText: 'Not Found' })

function idOf(raw: unknown, what: string): number {
  const id = typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : raw
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > 2_147_483_647) throw notFound(what)
  return id
}

/** The search document kind of a forum's topics. */
function docKind(kind: ForumKindName) {
  return kind === 'EXPERTS' ? ('question' as const) : ('topic' as const)
}

function cleanReason(raw: unknown): string | null {
  if (typeof raw !== 'string') return null
  const reason = raw.replace(/\s+/g, ' ').trim()
  return reason === '' ? null : reason
}

// ─── The shape of one action ────────────────────────────────────────────────

interface LogEntry {
  action: string
  topicId?: number | null
  postId?: number | null
  details?: Record<string, unknown>
}

async function writeLog(tx: Tx, actorId: number, entry: LogEntry) {
  await tx.moderationLog.create({
    data: {
      actorId,
      action: entry.action,
      topicId: entry.topicId ?? null,
      postId: entry.postId ?? null,
      details: (entry.details ?? {}) as Prisma.InputJsonValue,
    },
  })
}

/** Locks the topic row for the rest of the transaction and reads it as lists show it. */
async function lockTopic(tx: Tx, id: number): Promise<TopicListRow | null> {
  const locked = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM "Topic" WHERE id = ${id}::int FOR UPDATE`
  if (locked.length === 0) return null
  return tx.topic.findUniqueOrThrow({ where: { id }, select: TOPIC_LIST_SELECT })
}

/** The list item events carry: a hidden topic's title stays out of rooms that anyone may join. */
function eventTopic(row: TopicListRow): TopicListItem {
  const item = topicListItem(row)
  return row.hidden ? { ...item, title: HIDDEN_TOPIC_TITLE } : item
}

/**
 * Rooms of a topic's events. A hidden topic's events go to its own room only
 * (joined by moderators alone, canJoinForumRoom); the action that hides or
 * unhides it tells the lists itself.
 */
function eventRooms(row: TopicListRow) {
  return row.hidden ? [forumRooms.topic(row.id)] : topicRooms(row)
}

interface Done<T> {
  result: T
  events: ForumEventView[]
  search: boolean
}

async function commit<T>(work: (tx: Tx) => Promise<Done<T>>): Promise<T> {
  const done = await prisma.$transaction(work)
  publishEvents(done.events)
  if (done.search) notifySearch()
  return done.result
}

/**
 * Checks the actor may moderate the topic's forum (404 for a topic that does
 * not exist, 403 otherwise), then runs `change` on the locked row.
 */
async function moderateTopic<T>(actor: Actor, rawTopicId: unknown, change: (tx: Tx, topic: TopicListRow) => Promise<Done<T>>): Promise<T> {
  const id = idOf(rawTopicId, 'Вопрос не найден.')
  const peek = await prisma.topic.findUnique({ where: { id }, select: { hidden: true, forum: { select: { kind: true } } } })
  if (!peek) throw notFound()
  if (!canModerate(actor, peek.forum.kind)) throw peek.hidden ? notFound() : forbidden()
  return commit(async (tx) => {
    const topic = await lockTopic(tx, id)
    if (!topic) throw notFound()
    return change(tx, topic)
  })
}

const unchanged = <T extends object>(extra: T): Done<{ status: 'success'; changed: false } & T> => ({
  result: { status: 'success', changed: false, ...extra },
  events: [],
  search: false,
})

// ─── Flags on a topic: lock, pin, disputed ──────────────────────────────────

type TopicFlag = 'locked' | 'pinned' | 'disputed'

async function setTopicFlag(actor: Actor, rawTopicId: unknown, field: TopicFlag, on: boolean, action: (on: boolean) => string): Promise<TopicResult> {
  return moderateTopic<TopicResult>(actor, rawTopicId, async (tx, topic) => {
    if (field === 'disputed' && topic.forum.kind !== 'EXPERTS') {
      return { result: { status: 'error', message: 'Спорными бывают только вопросы форума экспертов.' }, events: [], search: false }
    }
    if (topic[field] === on) return unchanged({ topic: eventTopic(topic) })
    const after = await tx.topic.update({ where: { id: topic.id }, data: { [field]: on }, select: TOPIC_LIST_SELECT })
    await writeLog(tx, actor.id, { action: action(on), topicId: topic.id, details: { before: { [field]: topic[field] }, after: { [field]: on } } })
    const item = eventTopic(after)
    const events = await recordEvents(tx, eventRooms(after), 'topic.updated', { topic: item })
    return { result: { status: 'success', changed: true, topic: item }, events, search: false }
  })
}

/** «Закрепить» keeps it above the others; «Закрыть для ответов» (locked) lets only moderators reply. */
export function setLocked(actor: Actor, topicId: unknown, on: boolean) {
  return setTopicFlag(actor, topicId, 'locked', on, (v) => (v ? 'topic.lock' : 'topic.unlock'))
}

export function setPinned(actor: Actor, topicId: unknown, on: boolean) {
  return setTopicFlag(actor, topicId, 'pinned', on, (v) => (v ? 'topic.pin' : 'topic.unpin'))
}

/** Спорный вопрос: experts may then vote agree/disagree on its answers. */
export function setDisputed(actor: Actor, topicId: unknown, on: boolean) {
  return setTopicFlag(actor, topicId, 'disputed', on, () => 'topic.disputed')
}

// ─── Hiding a topic ─────────────────────────────────────────────────────────

/**
 * Hides (or shows again) a whole topic: it disappears from lists, search and
 * its room for everyone but moderators. The reason (optional) goes to the log.
 */
export function setTopicHidden(actor: Actor, rawTopicId: unknown, on: boolean, rawReason?: unknown): Promise<TopicResult> {
  const reason = cleanReason(rawReason)
  if (reason && reason.length > REASON_MAX) return Promise.resolve({ status: 'error', message: `Причина слишком длинная: не более ${REASON_MAX} символов.` })
  return moderateTopic<TopicResult>(actor, rawTopicId, async (tx, topic) => {
    if (topic.hidden === on) return unchanged({ topic: eventTopic(topic) })
    const after = await tx.topic.update({ where: { id: topic.id }, data: { hidden: on }, select: TOPIC_LIST_SELECT })
    await writeLog(tx, actor.id, { action: on ? 'topic.hide' : 'topic.unhide', topicId: topic.id, details: { before: { hidden: !on }, after: { hidden: on }, reason } })
    // Every list room hears it: on hide they drop the row (its title replaced), on unhide they show it.
    const item = eventTopic(after)
    const events = await recordEvents(tx, topicRooms(after), 'topic.updated', { topic: item })
    await enqueueIndex(tx, docKind(topic.forum.kind), topic.id)
    return { result: { status: 'success', changed: true, topic: item }, events, search: true }
  })
}

// ─── Closing and reopening ──────────────────────────────────────────────────

/**
 * «Закрыть» / «Открыть снова». Reopening restores the status the topic's
 * answers give it (posts.server.ts settledStatus: resolved with an official
 * answer, answered once someone replied, otherwise open); a merged duplicate
 * stays closed.
 */
export function setTopicStatus(actor: Actor, rawTopicId: unknown, next: 'CLOSED' | 'OPEN'): Promise<TopicResult> {
  if (next !== 'CLOSED' && next !== 'OPEN') return Promise.resolve({ status: 'error', message: 'Неизвестное состояние вопроса.' })
  return moderateTopic<TopicResult>(actor, rawTopicId, async (tx, topic) => {
    let status: TopicStatusName
    if (next === 'CLOSED') {
      if (topic.status === 'CLOSED') return unchanged({ topic: eventTopic(topic) })
      status = 'CLOSED'
    } else {
      if (topic.status !== 'CLOSED') return unchanged({ topic: eventTopic(topic) })
      if (topic.mergedIntoId !== null) {
        return { result: { status: 'error', message: `Вопрос объединён с вопросом №${topic.mergedIntoId}: продолжайте обсуждение там.` }, events: [], search: false }
      }
      const { firstAnsweredAt } = await tx.topic.findUniqueOrThrow({ where: { id: topic.id }, select: { firstAnsweredAt: true } })
      status = settledStatus({ status: 'OPEN', kind: topic.forum.kind, officialPostId: topic.officialPostId, acceptedPostId: topic.acceptedPostId, firstAnsweredAt })
    }
    const after = await tx.topic.update({
      where: { id: topic.id },
      // A closed question needs nobody working on it: its claim goes with it.
      data: { status, ...(status === 'CLOSED' ? { claimedById: null, claimExpiresAt: null } : {}) },
      select: TOPIC_LIST_SELECT,
    })
    await writeLog(tx, actor.id, { action: next === 'CLOSED' ? 'topic.close' : 'topic.reopen', topicId: topic.id, details: { before: { status: topic.status }, after: { status } } })
    const item = eventTopic(after)
    const events = await recordEvents(tx, eventRooms(after), 'topic.updated', { topic: item })
    await enqueueIndex(tx, docKind(topic.forum.kind), topic.id)
    return { result: { status: 'success', changed: true, topic: item }, events, search: true }
  })
}

// ─── Moving ─────────────────────────────────────────────────────────────────

export interface MoveInput {
  /** Support forums: the section of the same forum. */
  sectionId?: number | null
  /** Experts forum: the subject and grade. */
  expertSubjectId?: number | null
  /** Experts forum: the task number as printed («5», «12.1», «4К1»); blank keeps it. */
  taskNumber?: string | null
}

/** The room a topic's list lives in: its section or subject, else its forum's front page. */
function listRoom(t: { forumId: number; sectionId: number | null; expertSubjectId: number | null }) {
  if (t.sectionId !== null) return forumRooms.section(t.sectionId)
  if (t.expertSubjectId !== null) return forumRooms.subject(t.expertSubjectId)
  return forumRooms.forum(t.forumId)
}

/**
 * Moves a topic to another section of the same support forum, or a question
 * to another subject-and-grade of the experts forum (optionally correcting
 * its task number). Both the old and the new lists hear `topic.moved`.
 */
export function moveTopic(actor: Actor, rawTopicId: unknown, input: MoveInput): Promise<TopicResult> {
  return moderateTopic<TopicResult>(actor, rawTopicId, async (tx, topic) => {
    const refuse = (message: string) => ({ result: { status: 'error' as const, message }, events: [], search: false })
    const data: Prisma.TopicUncheckedUpdateInput = {}
    const before: Record<string, unknown> = {}
    const afterValues: Record<string, unknown> = {}
    if (topic.forum.kind === 'SUPPORT') {
      if (input.expertSubjectId != null || (input.taskNumber != null && input.taskNumber.trim() !== '')) return refuse('У тем форума поддержки нет предмета и номера задания: выберите раздел.')
      if (input.sectionId == null) return refuse('Выберите раздел, в который перенести тему.')
      const section = Number.isInteger(input.sectionId) && input.sectionId > 0 ? await tx.forumSection.findUnique({ where: { id: input.sectionId } }) : null
      if (!section || section.forumId !== topic.forumId) return refuse('Такого раздела нет в этом форуме.')
      if (section.archived && section.id !== topic.sectionId) return refuse('Раздел в архиве: в него нельзя переносить темы.')
      if (section.id !== topic.sectionId) {
        data.sectionId = section.id
        before.sectionId = topic.sectionId
        afterValues.sectionId = section.id
      }
    } else {
      if (input.sectionId != null) return refuse('У форума экспертов нет разделов: выберите предмет и класс.')
      if (input.expertSubjectId == null && input.taskNumber === undefined) return refuse('Выберите предмет и класс или номер задания.')
      let subject = topic.expertSubjectId !== null ? await tx.expertSubject.findUnique({ where: { id: topic.expertSubjectId } }) : null
      if (input.expertSubjectId != null) {
        const target = Number.isInteger(input.expertSubjectId) && input.expertSubjectId > 0 ? await tx.expertSubject.findUnique({ where: { id: input.expertSubjectId } }) : null
        if (!target) return refuse('Такого предмета нет в каталоге ВПР.')
        if (target.archived && target.id !== topic.expertSubjectId) return refuse('Предмет в архиве: в него нельзя переносить вопросы.')
        subject = target
        if (target.id !== topic.expertSubjectId) {
          data.expertSubjectId = target.id
          before.expertSubjectId = topic.expertSubjectId
          afterValues.expertSubjectId = target.id
        }
      }
      // A blank task field means "keep it": every question of the experts forum has a task number.
      let task = topic.taskNumber
      if (input.taskNumber != null && input.taskNumber.trim() !== '') {
        const parsed = TaskNumber.safeParse(input.taskNumber)
        if (!parsed.success) return refuse('Номер задания: число, например 5, 12.1 или 4К1.')
        task = parsed.data
        if (task !== topic.taskNumber) {
          data.taskNumber = task
          before.taskNumber = topic.taskNumber
          afterValues.taskNumber = task
        }
      }
      const taskNo = task ? Number.parseInt(task, 10) : NaN
      if (Object.keys(data).length > 0 && subject?.taskCount && Number.isFinite(taskNo) && (taskNo < 1 || taskNo > subject.taskCount)) {
        return refuse(`В работе «${subject.subject}, ${subject.grade} класс» задания с 1 по ${subject.taskCount}: укажите номер задания.`)
      }
    }
    if (Object.keys(data).length === 0) return unchanged({ topic: eventTopic(topic) })
    const after = await tx.topic.update({ where: { id: topic.id }, data, select: TOPIC_LIST_SELECT })
    await writeLog(tx, actor.id, { action: 'topic.move', topicId: topic.id, details: { before, after: afterValues } })
    const item = eventTopic(after)
    const fromRoom = listRoom(topic)
    const rooms = topic.hidden ? [forumRooms.topic(topic.id)] : [...topicRooms(topic), ...topicRooms(after)]
    const events = await recordEvents(tx, rooms, 'topic.moved', { topicId: topic.id, topic: item, fromRoom })
    await enqueueIndex(tx, docKind(topic.forum.kind), topic.id)
    return { result: { status: 'success', changed: true, topic: item }, events, search: true }
  })
}

// ─── Merging a duplicate ────────────────────────────────────────────────────

export type MergeResult = ModerationResult<{ duplicateId: number; canonicalId: number; subscribersAdded: number }>

/**
 * Merges a duplicate question into its canonical one: the duplicate points
 * to it (getThread shows «вопрос объединён с …»), is closed and locked, loses
 * its claim and its search document; its asker and subscribers are
 * subscribed to the canonical question so they hear its answer. Topics merged
 * into the duplicate earlier are pointed at the canonical directly, so that a
 * duplicate is never more than one step from its canonical question and no
 * cycle can form.
 */
export async function mergeTopic(actor: Actor, rawDuplicateId: unknown, rawCanonicalId: unknown): Promise<MergeResult> {
  const duplicateId = idOf(rawDuplicateId, 'Вопрос не найден.')
  const canonicalId = idOf(rawCanonicalId, 'Основной вопрос не найден.')
  const peek = await prisma.topic.findMany({ where: { id: { in: [duplicateId, canonicalId] } }, select: { id: true, hidden: true, forum: { select: { kind: true } } } })
  const d = peek.find((t) => t.id === duplicateId)
  const c = peek.find((t) => t.id === canonicalId)
  if (!d) throw notFound()
  if (!canModerate(actor, d.forum.kind)) throw d.hidden ? notFound() : forbidden()
  if (!c) throw notFound('Основной вопрос не найден.')
  if (!canModerate(actor, c.forum.kind)) throw c.hidden ? notFound('Основной вопрос не найден.') : forbidden()
  if (duplicateId === canonicalId) return { status: 'error', message: 'Нельзя объединить вопрос с самим собой.' }

  return commit<MergeResult>(async (tx) => {
    const refuse = (message: string) => ({ result: { status: 'error' as const, message }, events: [], search: false })
    // Lock in id order so that two opposite merges cannot deadlock.
    const [first, second] = [duplicateId, canonicalId].sort((a, b) => a - b)
    const firstRow = await lockTopic(tx, first)
    const secondRow = await lockTopic(tx, second)
    const dup = firstRow?.id === duplicateId ? firstRow : secondRow
    const canon = firstRow?.id === canonicalId ? firstRow : secondRow
    if (!dup) throw notFound()
    if (!canon) throw notFound('Основной вопрос не найден.')
    if (dup.forum.kind !== canon.forum.kind) return refuse('Объединять можно только вопросы одного вида форума: вопрос экспертам с вопросом экспертам, тему поддержки с темой поддержки.')
    if (dup.mergedIntoId !== null) return refuse(`Вопрос №${dup.id} уже объединён с вопросом №${dup.mergedIntoId}.`)
    if (canon.mergedIntoId !== null) return refuse(`Вопрос №${canon.id} сам объединён с вопросом №${canon.mergedIntoId}: выберите основным его.`)
    if (canon.hidden) return refuse(`Вопрос №${canon.id} скрыт: объединять с ним нельзя.`)

    await tx.topic.update({
      where: { id: dup.id },
      data: { mergedIntoId: canon.id, status: 'CLOSED', locked: true, claimedById: null, claimExpiresAt: null },
    })
    // Earlier duplicates of the duplicate now point to the canonical question.
    const rechained = await tx.topic.findMany({ where: { mergedIntoId: dup.id }, select: { id: true } })
    if (rechained.length) await tx.topic.updateMany({ where: { mergedIntoId: dup.id }, data: { mergedIntoId: canon.id } })

    const subscribers = await tx.topicSubscription.findMany({ where: { topicId: { in: [dup.id, ...rechained.map((r) => r.id)] } }, select: { userId: true } })
    const userIds = [...new Set([dup.authorId, ...subscribers.map((s) => s.userId)])]
    const added = await tx.topicSubscription.createMany({ data: userIds.map((userId) => ({ topicId: canon.id, userId })), skipDuplicates: true })

    await writeLog(tx, actor.id, {
      action: 'topic.merge',
      topicId: dup.id,
      details: {
        canonicalId: canon.id,
        before: { mergedIntoId: null, status: dup.status, locked: dup.locked },
        after: { mergedIntoId: canon.id, status: 'CLOSED', locked: true },
        rechained: rechained.map((r) => r.id),
        subscribersAdded: added.count,
      },
    })
    const payload = { topicId: dup.id, intoId: canon.id, intoTitle: canon.title }
    const events = await recordEvents(tx, topicRooms(dup), 'topic.merged', payload)
    for (const r of rechained) events.push(...(await recordEvents(tx, [forumRooms.topic(r.id)], 'topic.merged', { ...payload, topicId: r.id })))
    // The canonical thread lists its duplicates: its watchers refresh the header.
    events.push(...(await recordEvents(tx, eventRooms(canon), 'topic.updated', { topic: eventTopic(canon) })))
    // The duplicate's search document goes away (the source skips merged topics).
    await enqueueIndex(tx, docKind(dup.forum.kind), dup.id)
    return { result: { status: 'success', changed: true, duplicateId: dup.id, canonicalId: canon.id, subscribersAdded: added.count }, events, search: true }
  })
}

// ─── Hiding a post ──────────────────────────────────────────────────────────

const POST_CONTEXT_SELECT = {
  id: true,
  topicId: true,
  isFirst: true,
  hidden: true,
  hiddenReason: true,
  topic: { select: { id: true, hidden: true, acceptedPostId: true, forum: { select: { kind: true } } } },
} as const satisfies Prisma.PostSelect

async function requirePostModerator(actor: Actor, rawPostId: unknown) {
  const postId = idOf(rawPostId, 'Сообщение не найдено.')
  const post = await prisma.post.findUnique({ where: { id: postId }, select: POST_CONTEXT_SELECT })
  if (!post) throw notFound('Сообщение не найдено.')
  if (!canModerate(actor, post.topic.forum.kind)) throw post.topic.hidden ? notFound('Сообщение не найдено.') : forbidden()
  return post
}

/**
 * Hides a post from everyone but moderators (or shows it again), with an
 * optional reason the thread shows in its place. Open flags on the post are resolved
 * by hiding it. The question itself (the first post) is not hidden alone: a
 * thread of answers to an invisible question helps nobody and still shows its
 * title, so the whole topic is hidden instead (setTopicHidden).
 */
export async function hidePost(actor: Actor, rawPostId: unknown, hidden: boolean, rawReason?: unknown): Promise<ModerationResult<{ postId: number }>> {
  const reason = cleanReason(rawReason)
  if (reason && reason.length > REASON_MAX) return { status: 'error', message: `Причина слишком длинная: не более ${REASON_MAX} символов.` }
  const post = await requirePostModerator(actor, rawPostId)
  if (post.isFirst && hidden) return { status: 'error', message: 'Это сам вопрос: чтобы убрать его, скройте тему целиком.' }
  return commit(async (tx) => {
    const topic = await lockTopic(tx, post.topicId)
    if (!topic) throw notFound()
    return setPostHidden(tx, actor, topic, post.id, hidden, reason, null)
  })
}

/** The change itself, shared by hidePost and resolveFlag (which runs it in its own transaction). */
async function setPostHidden(tx: Tx, actor: Actor, topic: TopicListRow, postId: number, hidden: boolean, reason: string | null, flagId: number | null): Promise<Done<{ status: 'success'; changed: boolean; postId: number }>> {
  const current = await tx.post.findUniqueOrThrow({ where: { id: postId }, select: { hidden: true, hiddenReason: true } })
  if (current.hidden === hidden) return unchanged({ postId })
  const now = new Date()
  const row = await tx.post.update({
    where: { id: postId },
    data: hidden ? { hidden: true, hiddenById: actor.id, hiddenReason: reason } : { hidden: false, hiddenById: null, hiddenReason: null },
    select: POST_SELECT,
  })
  const resolved = hidden
    ? await tx.postFlag.updateMany({ where: { postId, resolvedAt: null }, data: { resolvedAt: now, resolvedById: actor.id } })
    : { count: 0 }
  await writeLog(tx, actor.id, {
    action: hidden ? 'post.hide' : 'post.unhide',
    topicId: topic.id,
    postId,
    details: { before: { hidden: current.hidden, reason: current.hiddenReason }, after: { hidden, reason: hidden ? reason : null }, flagsResolved: resolved.count, ...(flagId ? { flagId } : {}) },
  })
  const events = await recordEvents(tx, [forumRooms.topic(topic.id)], 'post.hidden', { postId, topicId: topic.id, hidden, reason: hidden ? reason : null })
  // Shown again: the room gets the body back without asking (it is public again).
  if (!hidden) events.push(...(await recordEvents(tx, [forumRooms.topic(topic.id)], 'post.updated', { post: publicPost(row, topic) })))
  events.push(...(await settleTopicAfterVisibility(tx, topic, postId, hidden)))
  await enqueueIndex(tx, docKind(topic.forum.kind), topic.id)
  return { result: { status: 'success', changed: true, postId }, events, search: true }
}

/**
 * After a post is hidden or shown again, the topic follows what readers see:
 * a hidden official or accepted answer stops being one (its marks are
 * cleared, not kept for an unhide: marking again is a deliberate act), and the
 * reply count, the first answer's time and the status are recomputed from
 * the visible replies — a question whose only answer by someone other than
 * the asker was hidden goes back to OPEN and so into the specialists' queue.
 * The lists hear `topic.updated`; the thread hears the marks going off.
 */
async function settleTopicAfterVisibility(tx: Tx, topic: TopicListRow, postId: number, hidden: boolean): Promise<ForumEventView[]> {
  const clearedOfficial = hidden && topic.officialPostId === postId
  const clearedAccepted = hidden && topic.acceptedPostId === postId
  if (clearedOfficial) await tx.post.update({ where: { id: postId }, data: { official: false } })
  const visibleReplies = { topicId: topic.id, isFirst: false, hidden: false }
  const [replyCount, firstAnswer, state] = await Promise.all([
    tx.post.count({ where: visibleReplies }),
    tx.post.findFirst({ where: { ...visibleReplies, authorId: { not: topic.authorId } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { createdAt: true } }),
    tx.topic.findUniqueOrThrow({ where: { id: topic.id }, select: { resolvedAt: true } }),
  ])
  const officialPostId = clearedOfficial ? null : topic.officialPostId
  const acceptedPostId = clearedAccepted ? null : topic.acceptedPostId
  const firstAnsweredAt = firstAnswer?.createdAt ?? null
  const status = settledStatus({ status: topic.status, kind: topic.forum.kind, officialPostId, acceptedPostId, firstAnsweredAt })
  const resolvedAt = status === 'RESOLVED' ? (state.resolvedAt ?? new Date()) : status === 'CLOSED' ? state.resolvedAt : null
  await tx.topic.update({ where: { id: topic.id }, data: { replyCount, firstAnsweredAt, status, officialPostId, acceptedPostId, resolvedAt } })
  const row = await tx.topic.findUniqueOrThrow({ where: { id: topic.id }, select: TOPIC_LIST_SELECT })
  const item = eventTopic(row)
  const rooms = eventRooms(row)
  const events: ForumEventView[] = []
  if (clearedOfficial) events.push(...(await recordEvents(tx, rooms, 'post.official', { postId, topicId: topic.id, official: false, topic: item })))
  if (clearedAccepted) events.push(...(await recordEvents(tx, rooms, 'post.accepted', { postId, topicId: topic.id, accepted: false, topic: item })))
  events.push(...(await recordEvents(tx, rooms, 'topic.updated', { topic: item })))
  return events
}

// ─── Redacting an image ─────────────────────────────────────────────────────

/**
 * Redacts an uploaded image that shows personal data (pupils' names, codes,
 * photos of works): its bytes are emptied by uploads.server.ts redactUpload
 * (the URL then serves a placeholder),
 * and the stored HTML of every post of the thread that shows it — and of
 * their earlier revisions, which the edit history shows — is rendered again
 * from its content with the image replaced by «Изображение скрыто
 * модератором», so no page, cache or history keeps pointing at the picture.
 * The thread hears `post.updated` (for a hidden post `post.hidden` instead:
 * its body never goes into events).
 */
export async function redactImage(actor: Actor, rawUploadId: unknown): Promise<ModerationResult<{ uploadId: string; postIds: number[] }>> {
  if (typeof rawUploadId !== 'string' || !UPLOAD_ID_PATTERN.test(rawUploadId)) throw notFound('Изображение не найдено.')
  const uploadId = rawUploadId
  const upload = await prisma.forumUpload.findUnique({
    where: { id: uploadId },
    select: { id: true, postId: true, post: { select: { topicId: true, topic: { select: { hidden: true, forum: { select: { kind: true } } } } } } },
  })
  if (!upload) throw notFound('Изображение не найдено.')
  // An image not yet in a post is seen by its owner only; ФИОКО may still remove it.
  const kind: ForumKindName = upload.post?.topic.forum.kind ?? 'EXPERTS'
  if (!canModerate(actor, kind)) throw upload.post?.topic.hidden ? notFound('Изображение не найдено.') : forbidden()

  return commit<ModerationResult<{ uploadId: string; postIds: number[] }>>(async (tx) => {
    const topic = upload.post ? await lockTopic(tx, upload.post.topicId) : null
    const [row] = await tx.$queryRaw<{ redactedAt: Date | null; size: number; contentType: string }[]>`
      SELECT "redactedAt", size, "contentType" FROM "ForumUpload" WHERE id = ${uploadId} FOR UPDATE`
    if (!row) throw notFound('Изображение не найдено.')
    if (row.redactedAt) return unchanged({ uploadId, postIds: [] })

    // The posts of the thread that show the image (its own post, and any other
    // whose HTML points at it), as they were: to know what changed.
    const url = uploadUrl(uploadId)
    const shownIn = topic
      ? await tx.post.findMany({
          where: { topicId: topic.id, OR: [...(upload.postId ? [{ id: upload.postId }] : []), { html: { contains: url } }] },
          select: { id: true, html: true },
          orderBy: { id: 'asc' },
        })
      : []
    const htmlBefore = new Map(shownIn.map((p) => [p.id, p.html]))
    const revisionsBefore = shownIn.length
      ? await tx.postRevision.count({ where: { postId: { in: shownIn.map((p) => p.id) }, html: { contains: url } } })
      : 0

    // The content module empties the bytes and re-renders its post and that
    // post's history, in this transaction (a second connection inside it would
    // wait forever on PGlite).
    const done = await redactUpload(uploadId, actor.id, tx)
    if (done.status === 'error') throw notFound(done.message)

    // What is still left pointing at the image (another post of the thread, a
    // body the renderer could not read) is rendered or replaced here.
    const leftovers = shownIn.length
      ? await tx.post.findMany({
          where: { id: { in: shownIn.map((p) => p.id) } },
          select: { id: true, content: true, html: true, revisions: { where: { html: { contains: url } }, select: { id: true, content: true, html: true } } },
        })
      : []
    const changedPosts: number[] = []
    for (const post of leftovers) {
      let html = post.html
      if (html.includes(url)) {
        html = await redactedHtml(tx, post.content, html, uploadId)
        await tx.post.update({ where: { id: post.id }, data: { html } })
      }
      if (html !== htmlBefore.get(post.id)) changedPosts.push(post.id)
      for (const rev of post.revisions) {
        await tx.postRevision.update({ where: { id: rev.id }, data: { html: await redactedHtml(tx, rev.content, rev.html, uploadId) } })
      }
    }
    changedPosts.sort((a, b) => a - b)
    const now = (await tx.forumUpload.findUniqueOrThrow({ where: { id: uploadId }, select: { redactedAt: true } })).redactedAt ?? new Date()
    const revisions = revisionsBefore
    await writeLog(tx, actor.id, {
      action: 'upload.redact',
      topicId: topic?.id ?? null,
      postId: upload.postId,
      details: { uploadId, before: { redactedAt: null, size: row.size, contentType: row.contentType }, after: { redactedAt: now.toISOString(), size: 0 }, postsRerendered: changedPosts, revisionsRerendered: revisions },
    })
    const events: ForumEventView[] = []
    if (topic) {
      // Every changed post is announced, so that the room's newest event id
      // moves (cached threads are validated by it); a hidden one by its
      // content-free state only.
      const changed = await tx.post.findMany({ where: { id: { in: changedPosts } }, select: POST_SELECT, orderBy: { id: 'asc' } })
      for (const post of changed) {
        events.push(
          ...(post.hidden
            ? await recordEvents(tx, [forumRooms.topic(topic.id)], 'post.hidden', { postId: post.id, topicId: topic.id, hidden: true, reason: post.hiddenReason })
            : await recordEvents(tx, [forumRooms.topic(topic.id)], 'post.updated', { post: publicPost(post, topic) })),
        )
      }
    }
    return { result: { status: 'success', changed: true, uploadId, postIds: changedPosts }, events, search: false }
  })
}

const REDACTED_IMAGE_HTML = `<span class="image-redacted">${REDACTED_IMAGE_TEXT}</span>`

/**
 * A post body's HTML with the upload (and any other redacted upload it shows)
 * replaced by the placeholder: rendered again from the stored editor state by
 * the content module; if that state cannot be read, the <img> tags pointing
 * at the upload are replaced in the stored HTML instead. Either way the result
 * is checked not to reference the upload any more.
 */
async function redactedHtml(tx: Tx, content: unknown, html: string, uploadId: string): Promise<string> {
  const url = uploadUrl(uploadId)
  let out: string | null = null
  const checked = checkEditorState(content)
  if (checked.status === 'success') {
    const others = checked.uploadIds.filter((id) => id !== uploadId)
    const alsoRedacted = others.length
      ? (await tx.forumUpload.findMany({ where: { id: { in: others }, redactedAt: { not: null } }, select: { id: true } })).map((u) => u.id)
      : []
    out = renderContent(checked.state, { redactedUploadIds: [uploadId, ...alsoRedacted] })
  }
  if (out === null || out.includes(url)) {
    // The id is [A-Za-z0-9_-] (UPLOAD_ID_PATTERN): safe inside a pattern.
    out = (out ?? html).replace(new RegExp(`<img\\b[^>]*${url.replace(/\//g, '\\/')}(?![A-Za-z0-9_-])[^>]*>`, 'g'), REDACTED_IMAGE_HTML)
  }
  return out
}

// ─── Flags ──────────────────────────────────────────────────────────────────

export interface FlagListItem {
  id: number
  reason: string
  createdAt: string
  resolvedAt: string | null
  resolvedBy: PersonBrief | null
  reporter: PersonBrief
  post: { id: number; excerpt: string; hidden: boolean; isFirst: boolean; author: PersonBrief; createdAt: string }
  topic: { id: number; title: string; hidden: boolean; forumKind: ForumKindName; forumTitle: string }
  /** Open flags on the same post (several people may report one post). */
  openFlagsOnPost: number
}

export interface PersonBrief {
  id: number
  login: string
  name: string
}

/** Which forums' flags and log an actor moderates (null: none). */
function moderatedKinds(actor: Actor): ForumKindName[] | null {
  const kinds = (['EXPERTS', 'SUPPORT'] as const).filter((k) => canModerate(actor, k))
  return kinds.length ? kinds : null
}

function excerpt(text: string) {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length <= EXCERPT_LENGTH ? flat : `${flat.slice(0, EXCERPT_LENGTH - 1).trimEnd()}…`
}

const brief = (u: { id: number; login: string; fullName: string }): PersonBrief => ({ id: u.id, login: u.login, name: u.fullName })
const BRIEF_SELECT = { id: true, login: true, fullName: true } as const

/**
 * Flags (жалобы) for the moderators of the forums they moderate: open ones
 * first (oldest first: the longest-waiting is handled first), then resolved
 * ones, newest first. `open: true` gives only open flags, `open: false` only
 * resolved ones.
 */
export async function listFlags(actor: Actor, filter: { open?: boolean } = {}): Promise<FlagListItem[]> {
  const kinds = moderatedKinds(actor)
  if (!kinds) throw forbidden()
  const where: Prisma.PostFlagWhereInput = {
    post: { topic: { forum: { kind: { in: kinds } } } },
    ...(filter.open === true ? { resolvedAt: null } : filter.open === false ? { resolvedAt: { not: null } } : {}),
  }
  const flags = await prisma.postFlag.findMany({
    where,
    orderBy: [{ resolvedAt: { sort: 'desc', nulls: 'first' } }, { createdAt: 'asc' }, { id: 'asc' }],
    take: FLAGS_LIMIT,
    select: {
      id: true,
      reason: true,
      createdAt: true,
      resolvedAt: true,
      resolvedById: true,
      reporterId: true,
      post: {
        select: {
          id: true,
          text: true,
          hidden: true,
          isFirst: true,
          createdAt: true,
          author: { select: BRIEF_SELECT },
          topic: { select: { id: true, title: true, hidden: true, forum: { select: { kind: true, title: true } } } },
          _count: { select: { flags: { where: { resolvedAt: null } } } },
        },
      },
    },
  })
  // PostFlag has no relation to User: the reporters and resolvers in one query.
  const peopleIds = [...new Set(flags.flatMap((f) => [f.reporterId, ...(f.resolvedById ? [f.resolvedById] : [])]))]
  const people = new Map((await prisma.user.findMany({ where: { id: { in: peopleIds } }, select: BRIEF_SELECT })).map((u) => [u.id, brief(u)]))
  const unknown = (id: number): PersonBrief => ({ id, login: '', name: 'Удалённый пользователь' })
  return flags.map((f) => ({
    id: f.id,
    reason: f.reason,
    createdAt: f.createdAt.toISOString(),
    resolvedAt: f.resolvedAt ? f.resolvedAt.toISOString() : null,
    resolvedBy: f.resolvedById ? (people.get(f.resolvedById) ?? unknown(f.resolvedById)) : null,
    reporter: people.get(f.reporterId) ?? unknown(f.reporterId),
    post: { id: f.post.id, excerpt: excerpt(f.post.text), hidden: f.post.hidden, isFirst: f.post.isFirst, author: brief(f.post.author), createdAt: f.post.createdAt.toISOString() },
    topic: { id: f.post.topic.id, title: f.post.topic.title, hidden: f.post.topic.hidden, forumKind: f.post.topic.forum.kind, forumTitle: f.post.topic.forum.title },
    openFlagsOnPost: f.post._count.flags,
  }))
}

/**
 * Resolves a flag: «оставить» (the post stays) or, with `hidePost`, hides the
 * post (reason: the flag's) and so resolves every open flag on it. A flag on
 * the question itself cannot hide it alone: hide the topic, then resolve.
 */
export async function resolveFlag(actor: Actor, rawFlagId: unknown, options: { hidePost?: boolean } = {}): Promise<ModerationResult<{ flagId: number; postHidden: boolean }>> {
  const flagId = idOf(rawFlagId, 'Жалоба не найдена.')
  const flag = await prisma.postFlag.findUnique({ where: { id: flagId }, select: { id: true, reason: true, resolvedAt: true, postId: true } })
  if (!flag) throw notFound('Жалоба не найдена.')
  const post = await requirePostModerator(actor, flag.postId)
  if (flag.resolvedAt) return { status: 'error', message: 'Жалоба уже рассмотрена.' }
  const hide = options.hidePost === true
  if (hide && post.isFirst) return { status: 'error', message: 'Жалоба на сам вопрос: чтобы убрать его, скройте тему целиком, затем закройте жалобу.' }
  return commit<ModerationResult<{ flagId: number; postHidden: boolean }>>(async (tx) => {
    const topic = await lockTopic(tx, post.topicId)
    if (!topic) throw notFound()
    const resolved = await tx.postFlag.updateMany({ where: { id: flagId, resolvedAt: null }, data: { resolvedAt: new Date(), resolvedById: actor.id } })
    if (resolved.count === 0) return { result: { status: 'error' as const, message: 'Жалоба уже рассмотрена.' }, events: [], search: false }
    await writeLog(tx, actor.id, { action: 'flag.resolve', topicId: topic.id, postId: post.id, details: { flagId, reason: flag.reason, before: { resolved: false }, after: { resolved: true, hidePost: hide } } })
    if (!hide) return { result: { status: 'success' as const, changed: true, flagId, postHidden: post.hidden }, events: [], search: false }
    const hidden = await setPostHidden(tx, actor, topic, post.id, true, `По жалобе: ${flag.reason}`.slice(0, REASON_MAX), flagId)
    return { result: { status: 'success' as const, changed: true, flagId, postHidden: true }, events: hidden.events, search: hidden.search }
  })
}

// ─── The log ────────────────────────────────────────────────────────────────

export const MODERATION_ACTION_LABELS: Record<string, string> = {
  'topic.move': 'Перенос',
  'topic.merge': 'Объединение с основным вопросом',
  'topic.lock': 'Закрыта для ответов',
  'topic.unlock': 'Открыта для ответов',
  'topic.pin': 'Закреплена',
  'topic.unpin': 'Откреплена',
  'topic.disputed': 'Отметка «спорный вопрос»',
  'topic.hide': 'Тема скрыта',
  'topic.unhide': 'Тема показана',
  'topic.close': 'Вопрос закрыт',
  'topic.reopen': 'Вопрос открыт снова',
  'post.hide': 'Сообщение скрыто',
  'post.unhide': 'Сообщение показано',
  'upload.redact': 'Изображение скрыто (персональные данные)',
  'flag.resolve': 'Жалоба рассмотрена',
}

export interface ModerationLogEntry {
  id: number
  at: string
  action: string
  actionLabel: string
  actor: PersonBrief
  topic: { id: number; title: string } | null
  postId: number | null
  details: unknown
}

/**
 * The moderation log (журнал модерации), newest first, 50 a page. Support
 * agents, who moderate the support forums only, see those forums' entries.
 */
export async function moderationLog(actor: Actor, options: { page?: number } = {}): Promise<{ entries: ModerationLogEntry[]; total: number; page: number; pageSize: number }> {
  const kinds = moderatedKinds(actor)
  if (!kinds) throw forbidden()
  const page = Number.isInteger(options.page) && options.page! > 0 ? Math.min(options.page!, 100_000) : 1
  const everything = kinds.length === 2
  // ModerationLog keeps plain ids (its rows outlive what they mention): joined here.
  const rows = await prisma.$queryRaw<{ id: number; at: Date; action: string; topicId: number | null; postId: number | null; details: unknown; actorId: number; login: string | null; fullName: string | null; title: string | null }[]>`
    SELECT l.id, l.at, l.action, l."topicId", l."postId", l.details, l."actorId", u.login, u."fullName", t.title
    FROM "ModerationLog" l
    LEFT JOIN "User" u ON u.id = l."actorId"
    LEFT JOIN "Topic" t ON t.id = l."topicId"
    LEFT JOIN "Forum" f ON f.id = t."forumId"
    WHERE ${everything}::boolean OR f.kind::text = ANY(${kinds}::text[])
    ORDER BY l.id DESC
    LIMIT ${LOG_PAGE_SIZE}::int OFFSET ${(page - 1) * LOG_PAGE_SIZE}::int`
  const [{ total }] = await prisma.$queryRaw<{ total: number }[]>`
    SELECT count(*)::int AS total
    FROM "ModerationLog" l
    LEFT JOIN "Topic" t ON t.id = l."topicId"
    LEFT JOIN "Forum" f ON f.id = t."forumId"
    WHERE ${everything}::boolean OR f.kind::text = ANY(${kinds}::text[])`
  return {
    entries: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      action: r.action,
      actionLabel: MODERATION_ACTION_LABELS[r.action] ?? r.action,
      actor: { id: r.actorId, login: r.login ?? '', name: r.fullName ?? 'Удалённый пользователь' },
      topic: r.topicId !== null && r.title !== null ? { id: r.topicId, title: r.title } : null,
      postId: r.postId,
      details: r.details,
    })),
    total,
    page,
    pageSize: LOG_PAGE_SIZE,
  }
}


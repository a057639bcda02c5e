// Asking and reading: a new question (experts forum) or topic (support forum)
// with its first post, the thread page's data, subscriptions and the view
// counter.
import type { ForumKind, Role } from '~/generated/prisma/enums'
import { logger } from '~/utils/logger.server'
import { prisma } from '~/utils/db.server'
import { singleton } from '~/utils/singleton.server'
import { docKindOf, forumChange, notFound, topicUrl, shortTitle, type Failure, type ForumActor } from './change.server'
import { prepareContent } from './content.server'
import { checkPostingLimit } from './limits.server'
import { canAnswerOfficially, canClaim, canModerate, canReply } from './permissions'
import { forumRooms } from './rooms'
import { AskInput } from './schemas'
import { forumQuery } from './sql.server'
import type { PostView, ThreadView } from './types'
import { TOPIC_LIST_SELECT, postViewFor, topicListItem, topicRooms, type PersonRow, type PostRowLike, type TopicRowLike } from './views.server'
import './search-documents.server'

// ─── Asking ─────────────────────────────────────────────────────────────────

export type AskResult = { status: 'success'; topicId: number } | Failure

/**
 * Posts a question: placement checked against the forum (a live section of a
 * support forum; a live subject of the experts forum with a task number in
 * its range), posting limits, the body validated and rendered by
 * prepareContent; then one transaction writes the topic, its first post, the
 * asker's subscription, the uploads' attachment, the event for the lists,
 * the search outbox row and the mentions' notifications.
 */
export async function askQuestion(actor: ForumActor, input: unknown): Promise<AskResult> {
  const parsed = AskInput.safeParse(input)
  if (!parsed.success) {
    const fieldErrors = parsed.error.flatten().fieldErrors as Record<string, string[]>
    return { status: 'error', message: parsed.error.issues[0]?.message ?? 'Проверьте введённые данные.', fieldErrors }
  }
  const data = parsed.data
  const forum = await prisma.forum.findUnique({ where: { slug: data.forum }, select: { id: true, kind: true, title: true } })
  if (!forum) return { status: 'error', message: 'Форум не найден.', fieldErrors: { forum: ['Форум не найден.'] } }

  let placement: { sectionId: number | null; expertSubjectId: number | null; taskNumber: string | null; variant: string | null; year: number | null }
  if (forum.kind === 'SUPPORT') {
    if (!data.sectionId) return fieldError('sectionId', 'Выберите раздел форума.')
    const section = await prisma.forumSection.findUnique({ where: { id: data.sectionId }, select: { forumId: true, archived: true } })
    if (!section || section.forumId !== forum.id) return fieldError('sectionId', 'Такого раздела в этом форуме нет.')
    if (section.archived) return fieldError('sectionId', 'Раздел в архиве: выберите другой.')
    placement = { sectionId: data.sectionId, expertSubjectId: null, taskNumber: null, variant: null, year: null }
  } else {
    if (!data.expertSubjectId) return fieldError('expertSubjectId', 'Выберите предмет и класс.')
    if (!data.taskNumber) return fieldError('taskNumber', 'Укажите номер задания, например 5, 12.2 или 4К1.')
    const subject = await prisma.expertSubject.findUnique({ where: { id: data.expertSubjectId }, select: { archived: true, taskCount: true } })
    if (!subject) return fieldError('expertSubjectId', 'Такого предмета нет в каталоге ВПР.')
    if (subject.archived) return fieldError('expertSubjectId', 'Этот предмет убран из каталога: выберите другой.')
    const taskNo = Number.parseInt(data.taskNumber, 10)
    if (subject.taskCount && (taskNo < 1 || taskNo > subject.taskCount)) {
      return fieldError('taskNumber', `В этой работе задания с 1 по ${subject.taskCount}.`)
    }
    placement = { sectionId: null, expertSubjectId: data.expertSubjectId, taskNumber: data.taskNumber, variant: data.variant ?? null, year: data.year ?? null }
  }

  const limit = await checkPostingLimit(actor, 'question')
  if (limit.status === 'error') return { status: 'error', message: limit.message }

  const body = await prepareContent(data.content, { ownerId: actor.id })
  if (body.status === 'error') return { status: 'error', message: body.message, fieldErrors: { content: [body.message] } }
  const prepared = body.value

  const result = await forumChange(async (tx, fx) => {
    const now = new Date()
    const topic = await tx.topic.create({
      data: { forumId: forum.id, ...placement, title: data.title, authorId: actor.id, lastPostAt: now, createdAt: now },
      select: { id: true },
    })
    const post = await tx.post.create({
      data: { topicId: topic.id, authorId: actor.id, isFirst: true, content: prepared.content, html: prepared.html, text: prepared.text, createdAt: now },
      select: { id: true },
    })
    if (prepared.uploadIds.length) {
      await tx.forumUpload.updateMany({ where: { id: { in: prepared.uploadIds }, ownerId: actor.id, postId: null }, data: { postId: post.id } })
    }
    await tx.topicSubscription.create({ data: { topicId: topic.id, userId: actor.id } })
    const row = await tx.topic.findUniqueOrThrow({ where: { id: topic.id }, select: TOPIC_LIST_SELECT })
    await fx.event(topicRooms(row), 'topic.created', { topic: topicListItem(row, now) })
    await fx.index(docKindOf(forum.kind), topic.id)
    if (prepared.mentions.length) {
      const mentioned = await tx.user.findMany({ where: { login: { in: prepared.mentions } }, select: { id: true } })
      await fx.notify({
        kind: 'mention',
        userIds: mentioned.map((u) => u.id),
        actorId: actor.id,
        topicId: topic.id,
        postId: post.id,
        text: `${row.author.fullName} упомянул(а) вас в вопросе «${shortTitle(data.title)}»`,
        url: topicUrl(topic.id, post.id),
      })
    }
    return { status: 'success' as const, topicId: topic.id }
  })
  return result
}

function fieldError(field: string, message: string): Failure {
  return { status: 'error', message, fieldErrors: { [field]: [message] } }
}

// ─── Reading ────────────────────────────────────────────────────────────────

/** The thread's topic row as the plain-SQL read returns it: the list row's own columns, the joins flattened. */
type ThreadTopicRow = Omit<TopicRowLike, 'author' | 'claimedBy' | 'expertSubject' | 'section' | 'forum'> & {
  viewCount: number
  forumSlug: string
  forumKind: ForumKind
  forumTitle: string
  forumStudy: string
  authorLogin: string
  authorName: string
  authorRole: Role
  claimId: number | null
  claimLogin: string | null
  claimName: string | null
  claimRole: Role | null
  subject: string | null
  grade: number | null
  sectionTitle: string | null
  mergedTitle: string | null
  duplicates: { id: number; title: string }[]
  lastEventId: string
}

// Timestamps are stored without a time zone, in UTC (Prisma's convention):
// `AT TIME ZONE 'UTC'` hands pg a timestamptz it parses into the right Date.
const THREAD_TOPIC_SQL = `
SELECT t.id, t."forumId", t."sectionId", t."expertSubjectId", t.title, t.status::text AS status, t.pinned, t.locked, t.hidden,
       t.disputed, t."mergedIntoId", t."taskNumber", t.variant, t.year, t."replyCount", t."viewCount", t."officialPostId",
       t."acceptedPostId", t."claimExpiresAt" AT TIME ZONE 'UTC' AS "claimExpiresAt", t."createdAt" AT TIME ZONE 'UTC' AS "createdAt",
       t."lastPostAt" AT TIME ZONE 'UTC' AS "lastPostAt", t."authorId",
       f.slug AS "forumSlug", f.kind::text AS "forumKind", f.title AS "forumTitle", f.study AS "forumStudy",
       a.login AS "authorLogin", a."fullName" AS "authorName", a.role::text AS "authorRole",
       c.id AS "claimId", c.login AS "claimLogin", c."fullName" AS "claimName", c.role::text AS "claimRole",
       es.subject, es.grade, s.title AS "sectionTitle", m.title AS "mergedTitle",
       COALESCE((SELECT json_agg(json_build_object('id', d.id, 'title', d.title) ORDER BY d.id)
                 FROM "Topic" d WHERE d."mergedIntoId" = t.id AND NOT d.hidden), '[]'::json) AS duplicates,
       COALESCE((SELECT max(e.id) FROM "ForumEvent" e WHERE e.room = $2), 0)::text AS "lastEventId"
FROM "Topic" t
JOIN "Forum" f ON f.id = t."forumId"
JOIN "User" a ON a.id = t."authorId"
LEFT JOIN "User" c ON c.id = t."claimedById"
LEFT JOIN "ExpertSubject" es ON es.id = t."expertSubjectId"
LEFT JOIN "ForumSection" s ON s.id = t."sectionId"
LEFT JOIN "Topic" m ON m.id = t."mergedIntoId"
WHERE t.id = $1`

/** A post row of the thread's plain-SQL read: the post's columns with its author's flattened in. */
type ThreadPostRow = Omit<PostRowLike, 'author'> & {
  login: string
  fullName: string
  role: Role
}

const THREAD_POSTS_SQL = `
SELECT p.id, p."topicId", p."authorId", p."isFirst", p."replyToId", p.html, p.text,
       p.official, p."agreeCount", p."disagreeCount", p.hidden, p."hiddenReason", p."editCount",
       p."editedAt" AT TIME ZONE 'UTC' AS "editedAt", p."createdAt" AT TIME ZONE 'UTC' AS "createdAt",
       u.login, u."fullName", u.role::text AS role
FROM "Post" p
JOIN "User" u ON u.id = p."authorId"
WHERE p."topicId" = $1
ORDER BY p.id`

interface ViewerRow {
  lastEventId: string
  subscribed: boolean
}

/** This viewer's subscription, and the room's newest event id to validate the cached thread against. */
const THREAD_VIEWER_SQL = `
SELECT COALESCE((SELECT max(e.id) FROM "ForumEvent" e WHERE e.room = $1), 0)::text AS "lastEventId",
       EXISTS (SELECT 1 FROM "TopicSubscription" ts WHERE ts."topicId" = $2 AND ts."userId" = $3) AS subscribed`

/** Every vote of the topic's posts: a vote is an event of the room, so they are cached with the thread. */
const THREAD_VOTES_SQL = `
SELECT v."postId", v."userId", v.value FROM "PostVote" v JOIN "Post" p ON p.id = v."postId" WHERE p."topicId" = $1`

// ─── The thread cache ────────────────────────────────────────────────────────
// The thread page must serve ≥ 150 req/s with 100 posts on two cores, where
// the embedded database runs in the same process: reading and mapping a
// hundred posts per request is too much. Every change a thread shows is
// recorded as an event of the topic's room in its own transaction
// (events.server.ts), so the room's newest event id is the thread's version:
// a request reads that id with the viewer's subscription in one small
// statement, and re-reads topic, posts and votes only when the id
// moved. Entries also expire after THREAD_TTL_MS, which bounds how stale
// what is not an event can get (a renamed author, the view count). Each
// process keeps its own cache; all of them validate against the database.

const THREAD_TTL_MS = 10_000
const THREAD_CACHE_MAX = 300

interface CachedThread {
  /** The room's event id read with the topic: the content is at least this new. */
  version: string
  loadedAt: number
  topic: ThreadTopicRow
  posts: PostRowLike[]
  /** userId → postId → vote. */
  votes: Map<number, Map<number, number>>
}

const threadCache = singleton('forum-thread-cache', () => new Map<number, CachedThread>())

async function loadThread(topicId: number): Promise<CachedThread | null> {
  const [t] = await forumQuery<ThreadTopicRow>(THREAD_TOPIC_SQL, [topicId, forumRooms.topic(topicId)])
  if (!t) return null
  const rows = await forumQuery<ThreadPostRow>(THREAD_POSTS_SQL, [topicId])
  const posts: PostRowLike[] = rows.map((p) => ({ ...p, author: { id: p.authorId, login: p.login, fullName: p.fullName, role: p.role } }))
  const votes = new Map<number, Map<number, number>>()
  for (const v of await forumQuery<{ postId: number; userId: number; value: number }>(THREAD_VOTES_SQL, [topicId])) {
    let mine = votes.get(v.userId)
    if (!mine) votes.set(v.userId, (mine = new Map()))
    mine.set(v.postId, v.value)
  }
  return { version: t.lastEventId, loadedAt: Date.now(), topic: t, posts, votes }
}

/** Drops cached threads (a test or a script that changed rows without recording events). */
export function forgetCachedThreads() {
  threadCache.clear()
}

/**
 * The thread page: the topic, its posts (question first, then the official
 * answer, the accepted one, then the rest in order), what this viewer may
 * do, and the event id the page's state corresponds to. Reads, on the
 * forum's read pool (sql.server.ts), one small statement when the cached
 * thread is current, four when it is not. The version is read with the
 * topic, so an event committed meanwhile is replayed to the page (clients
 * apply events idempotently) rather than lost.
 *
 * 404 for an unknown topic and for a hidden one unless the viewer moderates;
 * a hidden post keeps its place, with its body only for moderators.
 */
export async function getThread(actor: ForumActor, topicId: number): Promise<ThreadView> {
  if (!Number.isInteger(topicId) || topicId <= 0 || topicId > 2_147_483_647) throw notFound()
  const [viewer] = await forumQuery<ViewerRow>(THREAD_VIEWER_SQL, [forumRooms.topic(topicId), topicId, actor.id])
  let entry = threadCache.get(topicId)
  if (!entry || entry.version !== viewer.lastEventId || Date.now() - entry.loadedAt > THREAD_TTL_MS) {
    const loaded = await loadThread(topicId)
    threadCache.delete(topicId)
    if (!loaded) throw notFound()
    entry = loaded
    if (threadCache.size >= THREAD_CACHE_MAX) threadCache.delete(threadCache.keys().next().value!)
  } else {
    threadCache.delete(topicId) // re-inserted below: the Map's order is the LRU order
  }
  threadCache.set(topicId, entry)

  const t = entry.topic
  const moderator = canModerate(actor, t.forumKind)
  if (t.hidden && !moderator) throw notFound()
  countView(topicId, actor.id)

  const person = (id: number, login: string, fullName: string, role: Role): PersonRow => ({ id, login, fullName, role })
  const topicRow: TopicRowLike = {
    ...t,
    author: person(t.authorId, t.authorLogin, t.authorName, t.authorRole),
    claimedBy: t.claimId !== null ? person(t.claimId, t.claimLogin!, t.claimName!, t.claimRole!) : null,
    expertSubject: t.subject !== null && t.grade !== null ? { subject: t.subject, grade: t.grade } : null,
    section: t.sectionTitle !== null ? { title: t.sectionTitle } : null,
    forum: { kind: t.forumKind },
  }
  const context = { authorId: t.authorId, acceptedPostId: t.acceptedPostId, forum: { kind: t.forumKind } }
  const myVotes = entry.votes.get(actor.id)
  const posts: PostView[] = entry.posts.map((p) => postViewFor(actor, p, context, myVotes?.get(p.id) ?? 0))
  const rank = (p: PostView) => (p.isFirst ? 0 : p.id === t.officialPostId ? 1 : p.id === t.acceptedPostId ? 2 : 3)
  posts.sort((a, b) => rank(a) - rank(b) || a.id - b.id)

  return {
    topic: {
      ...topicListItem(topicRow),
      forum: { id: t.forumId, slug: t.forumSlug, kind: t.forumKind, title: t.forumTitle, study: t.forumStudy },
      sectionId: t.sectionId,
      expertSubjectId: t.expertSubjectId,
      officialPostId: t.officialPostId,
      acceptedPostId: t.acceptedPostId,
      viewCount: t.viewCount + pendingViews(topicId),
      subscribed: viewer.subscribed,
      mergedInto: t.mergedIntoId !== null && t.mergedTitle !== null ? { id: t.mergedIntoId, title: t.mergedTitle } : null,
      duplicates: t.duplicates,
    },
    posts,
    lastEventId: entry.version,
    can: {
      reply: canReply(actor, t.forumKind, t),
      moderate: moderator,
      claim: canClaim(actor, t.forumKind),
      answerOfficially: canAnswerOfficially(actor, t.forumKind),
      subscribe: true,
    },
  }
}

/** A topic this person may read (hidden ones only for moderators); 404 otherwise. */
export async function readableTopic(actor: ForumActor, topicId: number) {
  if (!Number.isInteger(topicId) || topicId <= 0 || topicId > 2_147_483_647) throw notFound()
  const topic = await prisma.topic.findUnique({
    where: { id: topicId },
    select: { id: true, title: true, authorId: true, hidden: true, forum: { select: { kind: true } } },
  })
  if (!topic || (topic.hidden && !canModerate(actor, topic.forum.kind))) throw notFound()
  return topic
}

// ─── Subscriptions ──────────────────────────────────────────────────────────

/** Follow or unfollow a topic (notifications of answers and its resolution). */
export async function setSubscribed(actor: ForumActor, topicId: number, on: boolean): Promise<{ status: 'success'; subscribed: boolean }> {
  await readableTopic(actor, topicId)
  if (on) {
    await prisma.topicSubscription.upsert({
      where: { topicId_userId: { topicId, userId: actor.id } },
      create: { topicId, userId: actor.id },
      update: {},
    })
  } else {
    await prisma.topicSubscription.deleteMany({ where: { topicId, userId: actor.id } })
  }
  return { status: 'success', subscribed: on }
}

// ─── The view counter ───────────────────────────────────────────────────────
// Counting a view must not cost the thread page a write: views are counted
// in memory, once per viewer and topic per minute (a reload or a live
// revalidation is not a new view), and added to Topic.viewCount in one
// batched UPDATE every few seconds. A crash loses at most those seconds of
// views: acceptable for a popularity figure. Each process counts its own.

const VIEW_FLUSH_MS = 5_000

const VIEW_WINDOW_MS = 60_000

const views = singleton('forum-views', () => ({
  /** "topicId:userId" → until when another view by them is not counted. */
  seen: new Map<string, number>(),
  purgedAt: 0,
  pending: new Map<number, number>(),
  timer: null as NodeJS.Timeout | null,
}))

function countView(topicId: number, userId: number) {
  const now = Date.now()
  if (now - views.purgedAt > VIEW_WINDOW_MS) {
    views.purgedAt = now
    for (const [key, until] of views.seen) if (until <= now) views.seen.delete(key)
  }
  const key = `${topicId}:${userId}`
  if ((views.seen.get(key) ?? 0) > now) return
  views.seen.set(key, now + VIEW_WINDOW_MS)
  views.pending.set(topicId, (views.pending.get(topicId) ?? 0) + 1)
  if (!views.timer) {
    views.timer = setTimeout(() => {
      views.timer = null
      flushViewCounts().catch((error) => logger.warn({ err: error }, 'forum: view counts not saved; they are retried with the next batch'))
    }, VIEW_FLUSH_MS)
    views.timer.unref?.()
  }
}

function pendingViews(topicId: number) {
  return views.pending.get(topicId) ?? 0
}

/** Writes the counted views (the timer does it; tests and shutdown call it). */
export async function flushViewCounts() {
  if (views.timer) clearTimeout(views.timer)
  views.timer = null
  if (views.pending.size === 0) return
  const batch = [...views.pending.entries()]
  views.pending.clear()
  try {
    await forumQuery(
      `UPDATE "Topic" t SET "viewCount" = t."viewCount" + v.n
       FROM (SELECT unnest($1::int[]) AS id, unnest($2::int[]) AS n) v WHERE t.id = v.id`,
      [batch.map(([id]) => id), batch.map(([, n]) => n)],
    )
  } catch (error) {
    for (const [id, n] of batch) views.pending.set(id, (views.pending.get(id) ?? 0) + n)
    throw error
  }
}

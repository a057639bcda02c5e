// The forum's event log (ForumEvent). A change writes its events in its own
// transaction (`recordEvents`), then pushes them to the rooms after the commit
// (`publishEvents`); a client that reconnects asks for what came after the
// last id it saw (`eventsSince`), so nothing is silently lost even when the
// socket's own connection-state recovery cannot help (a restart, another node).
//
// Stored payloads are what the room could see when the change happened. A
// replay is sent later, after posts or topics may have been hidden or edited
// by a moderator, so `eventsSince` never hands stored payloads out: it swaps
// each post and topic for its current public state (see `currentPayloads`).
import type { Prisma } from '~/utils/db.server'
import { prisma } from '~/utils/db.server'
import { io } from '~/realtime/publish.server'
import { recheckForumRoom } from '~/realtime/forum-rooms.server'
import { defineQueue } from '~/utils/jobs.server'
import { logger } from '~/utils/logger.server'
import type { ForumEventType, ForumEventView, TopicListItem } from './types'
import { canModerate, type Actor } from './permissions'
import { forumRooms, parseForumRoom } from './rooms'
import { HIDDEN_TOPIC_TITLE } from './moderation.server'
import { POST_SELECT, TOPIC_LIST_SELECT, publicPost, topicListItem, type PostRow, type TopicListRow } from './views.server'

type Tx = Pick<Prisma.TransactionClient, 'forumEvent'>

/** Most events a reconnecting client is sent; beyond that it reloads the page. */
export const SINCE_LIMIT = 500

/** How long events are kept; a client away longer than this reloads its page (reset). */
export const EVENT_RETENTION_DAYS = 7
const RETENTION_MS = EVENT_RETENTION_DAYS * 24 * 3600 * 1000

/** Writes one event per room in the caller's transaction; publish the result after the commit. */
export async function recordEvents(tx: Tx, rooms: string[], type: ForumEventType, payload: Record<string, unknown>): Promise<ForumEventView[]> {
  const unique = [...new Set(rooms)]
  if (unique.length === 0) return []
  const rows = await tx.forumEvent.createManyAndReturn({
    data: unique.map((room) => ({ room, type, payload: payload as Prisma.InputJsonValue })),
    select: { id: true, room: true, type: true, payload: true, createdAt: true },
  })
  return rows.map(toView)
}

/**
 * Pushes committed events to their rooms (on every node, through the adapter).
 * A topic that has just become hidden (setTopicHidden records `topic.updated`
 * with `topic.hidden`) narrows who may read its room: after the event itself
 * has gone out (so open pages learn the topic is hidden), every member of the
 * room is re-checked and those who may no longer read it are removed,
 * cluster-wide. Rechecks run in the background; failures are logged.
 */
export function publishEvents(events: ForumEventView[]) {
  const server = io()
  if (!server) return
  const narrowed = new Set<string>()
  for (const event of events) {
    server.to(event.room).emit('forum:event', event)
    if (event.type === 'topic.updated' && (event.payload.topic as { hidden?: unknown } | undefined)?.hidden === true) {
      narrowed.add(forumRooms.topic((event.payload.topic as { id: number }).id))
    }
  }
  for (const room of narrowed) {
    const check = recheckForumRoom(room).catch((error) => logger.error({ err: error, room }, 'forum room recheck after hiding failed'))
    pendingRechecks.add(check)
    void check.finally(() => pendingRechecks.delete(check))
  }
}

const pendingRechecks = new Set<Promise<unknown>>()

/** Resolves when the room rechecks started by publishEvents so far are done (tests, shutdown). */
export async function roomRechecksSettled() {
  while (pendingRechecks.size > 0) await Promise.all([...pendingRechecks])
}

/**
 * Events of a room after `sinceId`, oldest first, as `viewer` may see them now;
 * `reset` when the client should reload instead: more were missed than a
 * client should replay, or the first missed event is older than the retention
 * period (pruning may have removed some of what it missed, see pruneForumEvents).
 */
export async function eventsSince(room: string, sinceId: string, viewer: Actor): Promise<{ events: ForumEventView[]; reset: boolean }> {
  let since: bigint
  try {
    since = BigInt(sinceId)
  } catch {
    return { events: [], reset: true }
  }
  const rows = await prisma.forumEvent.findMany({
    where: { room, id: { gt: since } },
    orderBy: { id: 'asc' },
    take: SINCE_LIMIT + 1,
    select: { id: true, room: true, type: true, payload: true, createdAt: true },
  })
  if (rows.length > SINCE_LIMIT) return { events: [], reset: true }
  // Pruning keeps, per room, the newest of the events it removes, and that
  // one is older than the retention period. So a client that missed pruned
  // events always finds an event that old among those after its id.
  const horizon = Date.now() - RETENTION_MS
  if (rows.some((r) => r.createdAt.getTime() < horizon)) return { events: [], reset: true }
  return { events: await currentPayloads(rows.map(toView), viewer), reset: false }
}

interface TopicRef {
  id?: unknown
}
interface PostRef {
  id?: unknown
  topicId?: unknown
}

const intOf = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null)

/**
 * Replaces the posts and topics events carry by their current public state
 * (two queries for the whole batch): a post hidden since is sent without its
 * body, a moderator's edit replaces the text it removed, a topic hidden since
 * is sent with the hidden title to those who do not moderate it (lists drop
 * hidden rows, and their counts follow), with its real state to moderators.
 * Events about posts or topics that are gone, or about a post of a topic
 * this viewer may not read, are dropped. The order is kept.
 */
async function currentPayloads(events: ForumEventView[], viewer: Actor): Promise<ForumEventView[]> {
  if (events.length === 0) return events
  const postIds = new Set<number>()
  const topicIds = new Set<number>()
  for (const e of events) {
    const p = e.payload
    const post = p.post as PostRef | undefined
    const postId = intOf(post?.id)
    if (postId) postIds.add(postId)
    const topicId = intOf((p.topic as TopicRef | undefined)?.id) ?? intOf(p.topicId) ?? intOf(post?.topicId)
    if (topicId) topicIds.add(topicId)
    const intoId = intOf(p.intoId)
    if (intoId) topicIds.add(intoId)
  }
  const posts = new Map<number, PostRow>()
  if (postIds.size > 0) {
    for (const row of await prisma.post.findMany({ where: { id: { in: [...postIds] } }, select: POST_SELECT })) {
      posts.set(row.id, row)
      topicIds.add(row.topicId)
    }
  }
  const topics = new Map<number, TopicListRow>()
  if (topicIds.size > 0) {
    for (const row of await prisma.topic.findMany({ where: { id: { in: [...topicIds] } }, select: TOPIC_LIST_SELECT })) topics.set(row.id, row)
  }
  const mayRead = (t: TopicListRow) => !t.hidden || canModerate(viewer, t.forum.kind)
  const listItem = (t: TopicListRow): TopicListItem => {
    const item = topicListItem(t)
    return mayRead(t) ? item : { ...item, title: HIDDEN_TOPIC_TITLE }
  }

  const out: ForumEventView[] = []
  for (const e of events) {
    const p = { ...e.payload }
    if ('post' in p) {
      const row = posts.get(intOf((p.post as PostRef | undefined)?.id) ?? 0)
      const topic = row && topics.get(row.topicId)
      if (!row || !topic || !mayRead(topic)) continue
      p.post = publicPost(row, topic)
    }
    if ('topic' in p) {
      const topic = topics.get(intOf((p.topic as TopicRef | undefined)?.id) ?? 0)
      if (!topic) continue
      p.topic = listItem(topic)
    }
    if ('intoTitle' in p) {
      const into = topics.get(intOf(p.intoId) ?? 0)
      p.intoTitle = into ? listItem(into).title : HIDDEN_TOPIC_TITLE
    }
    out.push({ ...e, payload: p })
  }
  return out
}

/** The newest event id of a room ("0" when none): pages hand it to the client with what they show. */
export async function latestEventId(room: string): Promise<string> {
  const row = await prisma.forumEvent.findFirst({ where: { room }, orderBy: { id: 'desc' }, select: { id: true } })
  return row ? String(row.id) : '0'
}

/**
 * Deletes events older than the retention period, except the newest such event
 * of each room. That one stays as the room's watermark: a client whose last
 * id is older finds it among the events it missed and, as it is older than
 * the retention, eventsSince answers `reset` rather than replaying with a
 * silent gap; a page read now gets an id at or after it and replays normally.
 * Returns how many events were deleted.
 */
export async function pruneForumEvents(): Promise<number> {
  // The timestamp columns hold UTC clock time without a zone (Prisma's mapping).
  const deleted = await prisma.$executeRaw`
    WITH cutoff AS (SELECT (now() AT TIME ZONE 'UTC') - make_interval(days => ${EVENT_RETENTION_DAYS}::int) AS at),
    keep AS (
      SELECT room, max(id) AS id FROM "ForumEvent", cutoff WHERE "createdAt" < cutoff.at GROUP BY room)
    DELETE FROM "ForumEvent" e USING keep, cutoff
    WHERE e.room = keep.room AND e.id < keep.id AND e."createdAt" < cutoff.at`
  return deleted
}

/** Every hour in the worker: the event log keeps a week. */
export const pruneForumEventsQueue = defineQueue<Record<string, never>>({
  name: 'forum.prune-events',
  cron: '17 * * * *',
  retryLimit: 1,
  async handler() {
    const deleted = await pruneForumEvents()
    if (deleted) logger.info({ deleted }, 'forum events older than the retention period deleted')
  },
})

/**
 * May this person join (and replay) the room? Every signed-in person reads the
 * forums; a hidden topic is for moderators only; the queue for those who claim.
 */
export async function canJoinForumRoom(actor: Actor, room: string): Promise<boolean> {
  const parsed = parseForumRoom(room)
  if (!parsed) return false
  switch (parsed.kind) {
    case 'queue':
      return actor.role === 'ADMIN' || actor.role === 'FIOKO_SPECIALIST'
    case 'topic': {
      const topic = await prisma.topic.findUnique({ where: { id: parsed.id }, select: { hidden: true, forum: { select: { kind: true } } } })
      if (!topic) return false
      return !topic.hidden || canModerate(actor, topic.forum.kind)
    }
    case 'section':
      return (await prisma.forumSection.count({ where: { id: parsed.id } })) === 1
    case 'subject':
      return (await prisma.expertSubject.count({ where: { id: parsed.id } })) === 1
    case 'forum':
      return (await prisma.forum.count({ where: { id: parsed.id } })) === 1
  }
}

function toView(row: { id: bigint; room: string; type: string; payload: unknown; createdAt: Date }): ForumEventView {
  return {
    id: String(row.id),
    room: row.room,
    type: row.type as ForumEventType,
    payload: row.payload as Record<string, unknown>,
    createdAt: row.createdAt.toISOString(),
  }
}

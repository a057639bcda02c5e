// The forum's event log (ForumEvent). A change writes its events in its own
// transaction (`recordEvents`), then pushes them to the rooms after the commit
// (`publishEvents`); a client that reconnects asks for what came after the
// last id it saw (`eventsSince`), so nothing is silently lost even when the
// socket's own connection-state recovery cannot help (a restart, another node).
import type { Prisma } from '~/utils/db.server'
import { prisma } from '~/utils/db.server'
import { io } from '~/realtime/publish.server'
import type { ForumEventType, ForumEventView } from './types'
import { canModerate, type Actor } from './permissions'
import { parseForumRoom } from './rooms'

type Tx = Pick<Prisma.TransactionClient, 'forumEvent'>

/** Most events a reconnecting client is sent; beyond that it reloads the page. */
export const SINCE_LIMIT = 500

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

/** Pushes committed events to their rooms (on every node, through the adapter). */
export function publishEvents(events: ForumEventView[]) {
  const server = io()
  if (!server) return
  for (const event of events) server.to(event.room).emit('forum:event', event)
}

/** Events of a room after `sinceId`, oldest first; `reset` when more were missed than a client should replay. */
export async function eventsSince(room: string, sinceId: string): Promise<{ events: ForumEventView[]; reset: boolean }> {
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
  return { events: rows.map(toView), reset: false }
}

/** The newest event id of a room ("0" when none): pages hand it to the client with what they show. */
export async function latestEventId(room: string): Promise<string> {
  const row = await prisma.forumEvent.findFirst({ where: { room }, orderBy: { id: 'desc' }, select: { id: true } })
  return row ? String(row.id) : '0'
}

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

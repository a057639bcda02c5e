// Socket handlers of the forums: joining a forum room (after a database
// check, with the events missed since the client's last id), leaving it,
// "is typing" in a topic, the number of people viewing each topic, and the
// unread notification count the header bell asks for after a reconnection.
// Posting never goes over the socket: it is an HTTP action, and its events
// reach the rooms through publishEvents (app/forum/events.server.ts).
import type { Namespace } from 'socket.io'
import { z } from 'zod'
import type { Role } from '../../app/generated/prisma/enums.ts'
import { canJoinForumRoom, eventsSince } from '../../app/forum/events.server.ts'
import { forumRooms, parseForumRoom } from '../../app/forum/rooms.ts'
import type { ForumJoinResult, Typist } from '../../app/realtime/events.ts'
import { unreadCount } from '../../app/notifications/notifications.server.ts'
import { prisma } from '../../app/utils/db.server.ts'
import { logger } from '../../app/utils/logger.server.ts'
import { handle, type AppSocket } from './dispatch.ts'

/** Forum rooms one connection may follow at once (a page follows one or two; a socket is shared per page). */
export const MAX_FORUM_ROOMS = 20
/** One "is typing" broadcast per person and topic per this interval (the client throttles to the same). */
export const TYPING_INTERVAL_MS = 2_000
/** Viewer counts of a room are recounted (cluster-wide) at most this often. */
export const VIEWERS_INTERVAL_MS = 1_000

const ROOM = /^(?:queue|(?:topic|section|subject|forum):[1-9]\d{0,9})$/
const RoomName = z.string().max(24).regex(ROOM)
const JoinSchema = z.object({ room: RoomName, lastEventId: z.string().regex(/^\d{1,19}$/).optional() }).strict()
const LeaveSchema = z.object({ room: RoomName }).strict()
const TypingSchema = z.object({ topicId: z.number().int().positive().max(2_147_483_647) }).strict()

const STAFF_ROLES: Role[] = ['ADMIN', 'FIOKO_SPECIALIST', 'SUPPORT_AGENT']

function isForumRoom(room: string) {
  return parseForumRoom(room) !== null
}

// ---------------------------------------------------------------------------
// Viewers: distinct people in a topic room, on every node

interface Recount {
  timer: NodeJS.Timeout | null
  lastAt: number
}
/** Per namespace (tests run two "nodes" in one process). */
const recountsOf = new WeakMap<Namespace, Map<string, Recount>>()

/**
 * Asks for a recount of a topic room's viewers soon: at most once per
 * VIEWERS_INTERVAL_MS per room, so a thousand joins cost one fetchSockets
 * (cluster-wide with the Redis adapter, and not cheap) and one broadcast.
 */
function scheduleViewers(nsp: Namespace, room: string) {
  if (!room.startsWith('topic:')) return
  let recounts = recountsOf.get(nsp)
  if (!recounts) recountsOf.set(nsp, (recounts = new Map()))
  const r = recounts.get(room) ?? { timer: null, lastAt: 0 }
  recounts.set(room, r)
  if (r.timer) return
  const wait = Math.max(100, r.lastAt + VIEWERS_INTERVAL_MS - Date.now())
  r.timer = setTimeout(() => {
    r.timer = null
    r.lastAt = Date.now()
    countViewers(nsp, room)
      .then((count) => {
        const topicId = Number(room.slice('topic:'.length))
        nsp.to(room).emit('topic:viewers', { topicId, count })
        if (count === 0 && !r.timer) recounts.delete(room)
      })
      .catch((error) => logger.warn({ err: error, room }, 'viewer recount failed'))
  }, wait)
  r.timer.unref?.()
}

async function countViewers(nsp: Namespace, room: string): Promise<number> {
  const sockets = await nsp.in(room).fetchSockets()
  return new Set(sockets.map((s) => (s.data as AppSocket['data']).userId)).size
}

/** Stops pending recounts of a namespace (its server is closing). */
export function stopForumTimers(nsp: Namespace) {
  const recounts = recountsOf.get(nsp)
  if (!recounts) return
  for (const r of recounts.values()) if (r.timer) clearTimeout(r.timer)
  recountsOf.delete(nsp)
}

// ---------------------------------------------------------------------------
// Typing: one broadcast per person and topic per interval, on this node

const lastTyping = new Map<string, number>()

function typingAllowed(userId: number, topicId: number, now: number) {
  const key = `${userId}:${topicId}`
  const last = lastTyping.get(key)
  if (last !== undefined && now - last < TYPING_INTERVAL_MS) return false
  lastTyping.set(key, now)
  // Forget old entries now and then, so the map stays as small as the people typing.
  if (lastTyping.size > 5_000) for (const [k, t] of lastTyping) if (now - t >= TYPING_INTERVAL_MS) lastTyping.delete(k)
  return true
}

async function typistOf(socket: AppSocket): Promise<Typist> {
  if (socket.data.fullName === undefined) {
    const user = await prisma.user.findUnique({ where: { id: socket.data.userId }, select: { fullName: true } })
    socket.data.fullName = user?.fullName ?? socket.data.login
  }
  return { id: socket.data.userId, name: socket.data.fullName, staff: STAFF_ROLES.includes(socket.data.role as Role) }
}

// ---------------------------------------------------------------------------

/**
 * A socket restored by connection-state recovery is put back into the rooms it
 * had, without the checks of forum:join. A topic may have been hidden while it
 * was away (and the recheck after hiding did not see it, it was gone): each
 * forum room it is back in is checked again and the refused ones are left.
 * The packets missed while away were already sent to it before this runs;
 * they are the packets the room's members got live during that time (the
 * hiding event included), so nothing beyond what it could see live reaches it.
 */
export async function recheckRecoveredRooms(socket: AppSocket): Promise<string[]> {
  const actor = { id: socket.data.userId, role: socket.data.role as Role }
  const left: string[] = []
  for (const room of [...socket.rooms].filter(isForumRoom)) {
    if (await canJoinForumRoom(actor, room)) continue
    await socket.leave(room)
    scheduleViewers(socket.nsp as unknown as Namespace, room)
    left.push(room)
  }
  if (left.length) logger.info({ userId: socket.data.userId, rooms: left }, 'recovered socket: forum rooms it may no longer read were left')
  return left
}

export function registerForumHandlers(socket: AppSocket) {
  const nsp = socket.nsp as unknown as Namespace

  handle(socket, 'forum:join', JoinSchema, async ({ room, lastEventId }): Promise<ForumJoinResult> => {
    const already = socket.rooms.has(room)
    if (!already && [...socket.rooms].filter(isForumRoom).length >= MAX_FORUM_ROOMS) {
      throw new Response('Открыто слишком много тем и разделов форума: закройте лишние вкладки.', { status: 429 })
    }
    // The role is the session's: a role change ends the person's sockets (kickUser), so it is current.
    const actor = { id: socket.data.userId, role: socket.data.role as Role }
    if (!(await canJoinForumRoom(actor, room))) {
      throw new Response(room === forumRooms.queue ? 'Очередь вопросов доступна только специалистам ФИОКО.' : 'Нет доступа: тема или раздел форума не найдены или скрыты.', {
        status: 403,
      })
    }
    // Join first, then read what was missed: an event committed in between
    // arrives twice (the client drops duplicates by id) rather than never.
    await socket.join(room)
    scheduleViewers(nsp, room)
    if (lastEventId === undefined) return { events: [], reset: false }
    return eventsSince(room, lastEventId, actor)
  })

  handle(socket, 'forum:leave', LeaveSchema, async ({ room }) => {
    if (socket.rooms.has(room)) {
      await socket.leave(room)
      scheduleViewers(nsp, room)
    }
    return { left: true as const }
  })

  handle(socket, 'topic:typing', TypingSchema, async ({ topicId }) => {
    const room = forumRooms.topic(topicId)
    // Only people who were let into the room (its join was authorised) may type in it.
    if (!socket.rooms.has(room)) throw new Response('Сначала откройте тему.', { status: 403 })
    if (!typingAllowed(socket.data.userId, topicId, Date.now())) return { sent: false }
    const user = await typistOf(socket)
    // Not to the writer's own tabs: the room minus their personal room.
    socket.to(room).except(`user:${socket.data.userId}`).emit('topic:typing', { topicId, user })
    return { sent: true }
  })

  handle(socket, 'notification:count', z.object({}).strict(), async () => ({ count: await unreadCount(socket.data.userId) }))

  // Closing the tab: the others' viewer counts drop (after the socket has left).
  socket.on('disconnecting', () => {
    for (const room of socket.rooms) if (room.startsWith('topic:')) scheduleViewers(nsp, room)
  })
}

// The typed Socket.io event map, shared by the server and the browser.
// Mutations go over HTTP; sockets carry pushes, presence and room membership.
import type { ForumEventView, NotificationView } from '../forum/types'

/** Every client→server event is acknowledged in this shape (NodeBB-style). */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: string }

export interface ServerToClientEvents {
  /** The session was ended elsewhere (logout everywhere, password reset, role change). */
  'session:revoked': (payload: { reason: string }) => void
  /** A short notice for the person, shown in the cabinet header. */
  notice: (payload: { id: string; text: string; at: string }) => void
  /** A ticket changed (a message, its state, assignment…): the desk and the ticket page refresh. Rooms: desk, ticket:<id>. */
  'ticket:changed': (payload: { id: number; reason: string }) => void
  /** Who has the ticket open right now, for the desk's collision warning. Room: ticket:<id>:staff. */
  'ticket:presence': (payload: { id: number; viewers: TicketViewer[] }) => void
  /** Something happened in a forum room (app/forum/rooms.ts); see ForumEventType for the payloads. */
  'forum:event': (event: ForumEventView) => void
  /** How many distinct people have the topic open (recounted at most once a second). Room: topic:<id>. */
  'topic:viewers': (payload: { topicId: number; count: number }) => void
  /** Someone is writing a reply (at most every 2 s per person and topic). Room: topic:<id>, never to the writer's own sockets. */
  'topic:typing': (payload: { topicId: number; user: Typist }) => void
  /** A new notification for this person (answered, resolved, mention, reply). Room: user:<id>. */
  'notification:new': (notification: NotificationView) => void
  /** The person read notifications (in any tab): the bell shows this count. Room: user:<id>. */
  'notification:unread': (payload: { count: number }) => void
}

/** A person writing a reply in a topic; `staff`: ФИОКО, support or an administrator («специалист печатает»). */
export interface Typist {
  id: number
  name: string
  staff: boolean
}

/** The answer to forum:join: what the client missed since its lastEventId, or `reset` (too much: reload the page). */
export interface ForumJoinResult {
  events: ForumEventView[]
  reset: boolean
}

/** A person who has a ticket open on the desk. */
export interface TicketViewer {
  userId: number
  login: string
  name: string
}

export interface ClientToServerEvents {
  /** Who the server thinks this socket belongs to. */
  whoami: (payload: Record<string, never>, ack: (result: Ack<{ login: string; role: string; org: string }>) => void) => void
  /** Desk staff: receive ticket:changed for every ticket. */
  'desk:join': (payload: Record<string, never>, ack: (result: Ack<{ joined: true }>) => void) => void
  /** Follow one ticket (after a database check); desk staff also appear in its presence list. */
  'ticket:join': (payload: { id: number }, ack: (result: Ack<{ viewers: TicketViewer[] }>) => void) => void
  'ticket:leave': (payload: { id: number }, ack: (result: Ack<{ left: true }>) => void) => void
  /** Follow a forum room (app/forum/rooms.ts) after a database check; with lastEventId, also get what was missed. */
  'forum:join': (payload: { room: string; lastEventId?: string }, ack: (result: Ack<ForumJoinResult>) => void) => void
  'forum:leave': (payload: { room: string }, ack: (result: Ack<{ left: true }>) => void) => void
  /** "I am writing a reply" in a topic whose room this socket joined. */
  'topic:typing': (payload: { topicId: number }, ack?: (result: Ack<{ sent: boolean }>) => void) => void
  /** The person's unread notifications now (the bell asks after a reconnection: pushes may have been missed). */
  'notification:count': (payload: Record<string, never>, ack: (result: Ack<{ count: number }>) => void) => void
}

export interface InterServerEvents {
  /** Another node revoked sessions: drop them from this node's lookup cache. */
  'sessions:forget': (target: { sessionIds?: string[]; userId?: number }) => void
}

export interface SocketData {
  userId: number
  login: string
  role: string
  orgId: number
  orgLabel: string
  sessionId: string
  /** Filled when the person first opens a ticket (presence shows names). */
  fullName?: string
}

export const rooms = {
  user: (id: number) => `user:${id}`,
  session: (id: string) => `session:${id}`,
  org: (id: number) => `org:${id}`,
  /** Desk staff (agents, administrators, ФИОКО): changes of every ticket. */
  desk: 'desk',
  /** Everyone following a ticket: its requesters and the staff who have it open. */
  ticket: (id: number) => `ticket:${id}`,
  /** Staff who have the ticket open (presence is never shown to requesters). */
  ticketStaff: (id: number) => `ticket:${id}:staff`,
}

// The typed Socket.io event map, shared by the server and the browser.
// Mutations go over HTTP; sockets carry pushes, presence and room membership.

/** Every client→server event is acknowledged in this shape (NodeBB-style). */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: string }

export interface ServerToClientEvents {
  /** The session was ended elsewhere (logout everywhere, password reset, role change). */
  'session:revoked': (payload: { reason: string }) => void
  /** A short notice for the person, shown in the cabinet header. */
  notice: (payload: { id: string; text: string; at: string }) => void
}

export interface ClientToServerEvents {
  /** Who the server thinks this socket belongs to. */
  whoami: (payload: Record<string, never>, ack: (result: Ack<{ login: string; role: string; org: string }>) => void) => void
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
}

export const rooms = {
  user: (id: number) => `user:${id}`,
  session: (id: string) => `session:${id}`,
  org: (id: number) => `org:${id}`,
}

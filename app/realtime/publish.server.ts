// Pushing to connected browsers from domain code. The Socket.io server is
// registered by server/ at start-up; processes without it (workers, CLI,
// tests) publish through nothing, and the web nodes share events via Redis.
import type { Server } from 'socket.io'
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from './events'
import { rooms } from './events'
import { forgetSessionsLocally, type ForgetTarget } from '~/accounts/session-cache.server'

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>

const state = globalThis as unknown as { __okoIo?: IoServer; __okoIoClustered?: boolean }

/** `clustered`: an adapter that reaches other nodes (Redis), so server-side events make sense. */
export function registerIo(io: IoServer | undefined, clustered = false) {
  state.__okoIo = io
  state.__okoIoClustered = clustered
}

export function io(): IoServer | undefined {
  return state.__okoIo
}

/** Forgets cached session lookups on every node (revocation, role or password change). */
export function forgetSessions(target: ForgetTarget) {
  forgetSessionsLocally(target)
  if (state.__okoIoClustered) state.__okoIo?.serverSideEmit('sessions:forget', target)
}

/** Ends live connections of revoked sessions, on every node. */
export function kickSessions(sessionIds: string[], reason: string) {
  forgetSessions({ sessionIds })
  const server = state.__okoIo
  if (!server || sessionIds.length === 0) return
  const targets = sessionIds.map(rooms.session)
  server.to(targets).emit('session:revoked', { reason })
  server.in(targets).disconnectSockets(true)
}

/** Ends every live connection of a person (credentials reset, role change, disabled). */
export function kickUser(userId: number, reason: string) {
  forgetSessions({ userId })
  const server = state.__okoIo
  if (!server) return
  server.to(rooms.user(userId)).emit('session:revoked', { reason })
  server.in(rooms.user(userId)).disconnectSockets(true)
}

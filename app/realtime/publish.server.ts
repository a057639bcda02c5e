// Pushing to connected browsers from domain code. The Socket.io server is
// registered by server/ at start-up; processes without it (workers, CLI,
// tests) publish through nothing, and the web nodes share events via Redis.
import type { Server } from 'socket.io'
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from './events'
import { rooms } from './events'

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>

const state = globalThis as unknown as { __okoIo?: IoServer }

export function registerIo(io: IoServer | undefined) {
  state.__okoIo = io
}

export function io(): IoServer | undefined {
  return state.__okoIo
}

/** Ends live connections of revoked sessions, on every node. */
export function kickSessions(sessionIds: string[], reason: string) {
  const server = state.__okoIo
  if (!server || sessionIds.length === 0) return
  const targets = sessionIds.map(rooms.session)
  server.to(targets).emit('session:revoked', { reason })
  server.in(targets).disconnectSockets(true)
}

/** Ends every live connection of a person (credentials reset, role change, disabled). */
export function kickUser(userId: number, reason: string) {
  const server = state.__okoIo
  if (!server) return
  server.to(rooms.user(userId)).emit('session:revoked', { reason })
  server.in(rooms.user(userId)).disconnectSockets(true)
}

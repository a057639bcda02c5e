// The page's one live connection, shared by the cabinet header (session
// revocation, notices) and the pages that follow something live (the desk).
// Browser only; opened on first use, closed when the cabinet unmounts.
import type { Socket } from 'socket.io-client'
import type { ClientToServerEvents, ServerToClientEvents } from './events'

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>

let pending: Promise<LiveSocket> | null = null

export function liveSocket(): Promise<LiveSocket> {
  // On the server (rendering) there is no connection: a promise that never settles.
  if (typeof window === 'undefined') return new Promise(() => undefined)
  pending ??= import('socket.io-client').then(({ io }) => io({ path: '/socket.io', transports: ['websocket', 'polling'] }) as LiveSocket)
  return pending
}

export function closeLiveSocket() {
  const current = pending
  pending = null
  current?.then((socket) => socket.close())
}

// The Socket.io gateway on the same HTTP server as Remix. The handshake is
// authenticated with the web session cookie; every socket joins its person's,
// session's and organisation's rooms, nothing else without a database check.
import type http from 'node:http'
import { Server } from 'socket.io'
import { z } from 'zod'
import { createAdapter } from '@socket.io/redis-streams-adapter'
import { createClient } from 'redis'
import { getUserByCookieHeader } from '../../app/accounts/session.server.ts'
import { orgLabel } from '../../app/accounts/logins.ts'
import { rooms } from '../../app/realtime/events.ts'
import { registerIo, type IoServer } from '../../app/realtime/publish.server.ts'
import { forgetSessionsLocally } from '../../app/accounts/session-cache.server.ts'
import { logger } from '../../app/utils/logger.server.ts'
import { socketsGauge } from '../metrics.ts'
import { handle } from './dispatch.ts'
import { registerHelpdeskHandlers } from './helpdesk.ts'
import { recheckRecoveredRooms, registerForumHandlers, stopForumTimers } from './forum.ts'

export async function attachSocketServer(httpServer: http.Server, options: { redisUrl?: string }) {
  let redis: ReturnType<typeof createClient> | undefined
  let adapter: ReturnType<typeof createAdapter> | undefined
  if (options.redisUrl) {
    redis = createClient({ url: options.redisUrl })
    redis.on('error', (err) => logger.error({ err }, 'redis error'))
    await redis.connect()
    // Streams adapter: events are shared between nodes, and a client that
    // reconnects to any node gets the events it missed.
    adapter = createAdapter(redis, { streamName: 'oko:socket.io' })
  }
  const io: IoServer = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    adapter,
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
    maxHttpBufferSize: 64 * 1024,
  })

  io.use(async (socket, next) => {
    try {
      const user = await getUserByCookieHeader(socket.request.headers.cookie)
      if (!user) return next(new Error('unauthorized'))
      if (user.mustChangePassword) return next(new Error('password_change_required'))
      socket.data = {
        userId: user.id,
        login: user.login,
        role: user.role,
        orgId: user.organization.id,
        orgLabel: orgLabel(user.organization),
        sessionId: user.sessionId,
      }
      next()
    } catch (error) {
      logger.error({ err: error }, 'socket handshake failed')
      next(new Error('server_error'))
    }
  })

  io.on('sessions:forget', (target) => forgetSessionsLocally(target))

  io.on('connection', (socket) => {
    socketsGauge.inc()
    socket.join([rooms.user(socket.data.userId), rooms.session(socket.data.sessionId), rooms.org(socket.data.orgId)])
    handle(socket, 'whoami', z.object({}).strict(), () => ({ login: socket.data.login, role: socket.data.role, org: socket.data.orgLabel }))
    registerHelpdeskHandlers(socket)
    registerForumHandlers(socket)
    // Recovery restores the old rooms unchecked: forum rooms are re-authorised.
    if (socket.recovered) recheckRecoveredRooms(socket).catch((error) => logger.error({ err: error }, 'recovered socket: forum room recheck failed'))
    socket.on('disconnect', () => socketsGauge.dec())
  })

  registerIo(io, Boolean(adapter))
  return {
    io,
    async close() {
      registerIo(undefined)
      stopForumTimers(io.of('/') as never)
      // io.close() drops the transports without a disconnect packet: browsers
      // see "transport close" and reconnect to the restarted (or another)
      // node, rejoining their rooms. disconnectSockets(true) would tell them
      // the server ended the session on purpose, and they would stay offline.
      await new Promise<void>((resolve) => io.close(() => resolve()))
      if (redis) await redis.quit().catch(() => undefined)
    },
  }
}

// One dispatcher for every client→server event (NodeBB's pattern): validate
// the payload with zod, re-check the session, rate-limit, then call the
// handler and acknowledge { ok, data } | { ok: false, error }.
import type { Socket } from 'socket.io'
import type { ZodType } from 'zod'
import type { Ack, ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '../../app/realtime/events.ts'
import { getUserByCookieHeader } from '../../app/accounts/session.server.ts'
import { logger } from '../../app/utils/logger.server.ts'

export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>

/** Token bucket per socket: a burst of 20, refilled at 10 events per second. */
const BUCKET = { burst: 20, perSecond: 10, strikesBeforeDisconnect: 3 }
/** How often a long-lived socket re-checks that its session still exists. */
const RECHECK_MS = 60_000

interface Limits {
  tokens: number
  updated: number
  strikes: number
  checkedAt: number
}
const limits = new WeakMap<AppSocket, Limits>()

function take(socket: AppSocket) {
  const now = Date.now()
  const l = limits.get(socket) ?? { tokens: BUCKET.burst, updated: now, strikes: 0, checkedAt: now }
  l.tokens = Math.min(BUCKET.burst, l.tokens + ((now - l.updated) / 1000) * BUCKET.perSecond)
  l.updated = now
  limits.set(socket, l)
  if (l.tokens < 1) {
    l.strikes++
    return { ok: false, disconnect: l.strikes >= BUCKET.strikesBeforeDisconnect, limits: l }
  }
  l.tokens -= 1
  return { ok: true, disconnect: false, limits: l }
}

export function handle<P, R>(
  socket: AppSocket,
  event: keyof ClientToServerEvents,
  schema: ZodType<P>,
  handler: (payload: P, socket: AppSocket) => Promise<R> | R,
) {
  ;(socket as unknown as Socket).on(event, async (payload: unknown, ack?: (r: Ack<R>) => void) => {
    const reply = typeof ack === 'function' ? ack : () => undefined
    const budget = take(socket)
    if (!budget.ok) {
      reply({ ok: false, error: 'Слишком много событий: подождите немного.' })
      if (budget.disconnect) {
        logger.warn({ login: socket.data.login, event }, 'socket flooding: disconnected')
        socket.disconnect(true)
      }
      return
    }
    if (Date.now() - budget.limits.checkedAt > RECHECK_MS) {
      budget.limits.checkedAt = Date.now()
      const user = await getUserByCookieHeader(socket.request.headers.cookie)
      if (!user || user.sessionId !== socket.data.sessionId) {
        socket.emit('session:revoked', { reason: 'Сеанс истёк: войдите снова.' })
        socket.disconnect(true)
        return
      }
    }
    const parsed = schema.safeParse(payload ?? {})
    if (!parsed.success) {
      reply({ ok: false, error: 'Неверные данные события.' })
      return
    }
    try {
      reply({ ok: true, data: await handler(parsed.data, socket) })
    } catch (error) {
      if (error instanceof Response) {
        reply({ ok: false, error: await error.text() })
        return
      }
      logger.error({ err: error, event }, 'socket handler failed')
      reply({ ok: false, error: 'Внутренняя ошибка сервера.' })
    }
  })
}

// The Socket.io gateway over a real HTTP server on loopback: the handshake
// uses the web session, events are validated and rate-limited, revoked
// sessions are cut off, and with REDIS_URL two nodes share events.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { io as connect, type Socket } from 'socket.io-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { revokeAllSessions } from '~/accounts/session.server'
import { rooms } from '~/realtime/events'
import { createRegionTree, createSignedInSession, createUser } from '../../tests/setup/fixtures.ts'
import { attachSocketServer } from './index.ts'

type Node = { url: string; close(): Promise<void>; io: Awaited<ReturnType<typeof attachSocketServer>>['io'] }

async function startNode(redisUrl?: string): Promise<Node> {
  const server = http.createServer()
  const sockets = await attachSocketServer(server, { redisUrl })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    io: sockets.io,
    async close() {
      await sockets.close()
      server.closeAllConnections()
    },
  }
}

const clients: Socket[] = []
function client(url: string, cookie?: string) {
  const socket = connect(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: cookie ? { Cookie: cookie } : {}, reconnection: false, forceNew: true })
  clients.push(socket)
  return socket
}

function once<T>(socket: Socket, event: string, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs)
    socket.once(event, (value: T) => {
      clearTimeout(timer)
      resolve(value)
    })
  })
}

let node: Node
let user: Awaited<ReturnType<typeof createUser>>

beforeAll(async () => {
  const tree = await createRegionTree({ municipalities: 1, schoolsPer: 1, colleges: 0 })
  user = await createUser({ orgId: tree.municipalities[0].schools[0].id })
  node = await startNode()
})

afterEach(() => {
  for (const c of clients.splice(0)) c.close()
})

afterAll(async () => {
  await node.close()
})

describe('socket handshake', () => {
  it('refuses a connection without a session cookie', async () => {
    const error = await once<Error>(client(node.url), 'connect_error')
    expect(error.message).toBe('unauthorized')
  })

  it('refuses a forged cookie', async () => {
    const error = await once<Error>(client(node.url, 'oko_session=forged.value'), 'connect_error')
    expect(error.message).toBe('unauthorized')
  })

  it('refuses a person who must still change an issued password', async () => {
    const tree = await createRegionTree({ municipalities: 1, schoolsPer: 1, colleges: 0 })
    const pending = await createUser({ orgId: tree.municipalities[0].schools[0].id, mustChangePassword: true })
    const { cookie } = await createSignedInSession(pending)
    const error = await once<Error>(client(node.url, cookie), 'connect_error')
    expect(error.message).toBe('password_change_required')
  })

  it('accepts a signed-in person and answers whoami with their identity', async () => {
    const { cookie } = await createSignedInSession(user)
    const socket = client(node.url, cookie)
    await once(socket, 'connect')
    const reply = await socket.timeout(5_000).emitWithAck('whoami', {})
    expect(reply).toEqual({ ok: true, data: { login: user.login, role: 'SCHOOL_COORDINATOR', org: expect.stringContaining(`(${user.login})`) } })
  })
})

describe('socket events', () => {
  it('rejects a payload that does not match the schema', async () => {
    const { cookie } = await createSignedInSession(user)
    const socket = client(node.url, cookie)
    await once(socket, 'connect')
    const reply = await socket.timeout(5_000).emitWithAck('whoami', { room: 'org:1' })
    expect(reply).toEqual({ ok: false, error: 'Неверные данные события.' })
  })

  it('throttles a flooding client, then disconnects it', async () => {
    const { cookie } = await createSignedInSession(user)
    const socket = client(node.url, cookie)
    await once(socket, 'connect')
    const disconnected = once<string>(socket, 'disconnect')
    const replies = await Promise.all(Array.from({ length: 60 }, () => socket.timeout(5_000).emitWithAck('whoami', {}).catch(() => null)))
    const refused = replies.filter((r) => r && r.ok === false)
    expect(refused.length).toBeGreaterThan(0)
    expect(refused[0]).toEqual({ ok: false, error: 'Слишком много событий: подождите немного.' })
    expect(await disconnected).toBe('io server disconnect')
  })

  it('pushes session:revoked and disconnects when the person logs out everywhere', async () => {
    const { cookie } = await createSignedInSession(user)
    const socket = client(node.url, cookie)
    await once(socket, 'connect')
    const revoked = once<{ reason: string }>(socket, 'session:revoked')
    const disconnected = once<string>(socket, 'disconnect')
    expect(await revokeAllSessions(user.id)).toBeGreaterThan(0)
    expect((await revoked).reason).toMatch(/выход на всех устройствах/)
    expect(await disconnected).toBe('io server disconnect')
  })
})

describe.skipIf(!process.env.REDIS_URL)('two nodes with Redis (REDIS_URL)', () => {
  it('delivers an event emitted on one node to a client connected to the other', async () => {
    const a = await startNode(process.env.REDIS_URL)
    const b = await startNode(process.env.REDIS_URL)
    try {
      const { cookie } = await createSignedInSession(user)
      const socket = client(b.url, cookie)
      await once(socket, 'connect')
      const notice = once<{ text: string }>(socket, 'notice')
      a.io.to(rooms.user(user.id)).emit('notice', { id: 'n1', text: 'через Redis', at: new Date().toISOString() })
      expect((await notice).text).toBe('через Redis')
    } finally {
      await a.close()
      await b.close()
    }
  })
})

if (!process.env.REDIS_URL) {
  console.warn('server/socket/socket.test.ts: the two-node Redis test is skipped: REDIS_URL is not set (CI sets it).')
}

describe.skipIf(!process.env.REDIS_URL)('session cache across nodes (REDIS_URL)', () => {
  it('forgets a revoked session on the other node too', async () => {
    const { getUserByCookieHeader } = await import('~/accounts/session.server')
    const { forgetSessions } = await import('~/realtime/publish.server')
    const { cachedSession, rememberSession } = await import('~/accounts/session-cache.server')
    const a = await startNode(process.env.REDIS_URL)
    const b = await startNode(process.env.REDIS_URL)
    try {
      const { cookie, sessionId } = await createSignedInSession(user)
      expect(await getUserByCookieHeader(cookie)).not.toBeNull()
      // Both nodes live in this process; emit from b's side and watch a's handler clear the shared map.
      rememberSession(sessionId, user.id, { marker: true })
      b.io.serverSideEmit('sessions:forget', { sessionIds: [sessionId] })
      const deadline = Date.now() + 5_000
      while (cachedSession(sessionId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(cachedSession(sessionId)).toBeUndefined()
      forgetSessions({ userId: user.id })
    } finally {
      await a.close()
      await b.close()
    }
  })
})

// The desk's socket events over a real HTTP server on loopback: joins are
// checked against the database, presence lists the staff who have a ticket
// open (never the requester), and ticket:changed reaches the desk and the
// ticket's followers.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { io as connect, type Socket } from 'socket.io-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { announceTicketChanged } from '~/helpdesk/tickets.server'
import type { Ack, TicketViewer } from '~/realtime/events'
import { prisma } from '~/utils/db.server'
import { createRegionTree, createSignedInSession, createUser } from '../../tests/setup/fixtures.ts'
import { createTicket } from '../../tests/setup/tickets.ts'
import { attachSocketServer } from './index.ts'

let url: string
let close: () => Promise<void>
const clients: Socket[] = []

async function client(user: { id: number }) {
  const { cookie } = await createSignedInSession(user)
  const socket = connect(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { Cookie: cookie }, reconnection: false, forceNew: true })
  clients.push(socket)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  return socket
}

function emit<T>(socket: Socket, event: string, payload: unknown): Promise<Ack<T>> {
  return new Promise((resolve) => socket.emit(event, payload, resolve))
}

function next<T>(socket: Socket, event: string, match: (v: T) => boolean = () => true, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching ${event} within ${timeoutMs} ms`)), timeoutMs)
    const on = (value: T) => {
      if (!match(value)) return
      clearTimeout(timer)
      socket.off(event, on)
      resolve(value)
    }
    socket.on(event, on)
  })
}

let agentA: { id: number }
let agentB: { id: number }
let school: { id: number }
let otherSchool: { id: number }
let ownTicket: number
let foreignTicket: number

beforeAll(async () => {
  const server = http.createServer()
  const sockets = await attachSocketServer(server, {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = async () => {
    await sockets.close()
    server.closeAllConnections()
  }
  const tree = await createRegionTree({ municipalities: 1, schoolsPer: 2, colleges: 0 })
  const fed = await prisma.organization.create({ data: { kind: 'FEDERAL', login: 'fioko', name: 'ФИОКО' } })
  agentA = await createUser({ orgId: fed.id, role: 'SUPPORT_AGENT', login: 'support-a' })
  agentB = await createUser({ orgId: fed.id, role: 'SUPPORT_AGENT', login: 'support-b' })
  const [a, b] = tree.municipalities[0].schools
  school = await createUser({ orgId: a.id })
  otherSchool = await createUser({ orgId: b.id })
  ownTicket = (await createTicket({ organizationId: a.id })).id
  foreignTicket = (await createTicket({ organizationId: b.id })).id
})

afterEach(() => {
  for (const c of clients.splice(0)) c.close()
})

afterAll(async () => {
  await close()
})

describe('joining', () => {
  it('lets staff follow the desk and refuses a coordinator', async () => {
    expect(await emit(await client(agentA), 'desk:join', {})).toEqual({ ok: true, data: { joined: true } })
    const refused = await emit(await client(school), 'desk:join', {})
    expect(refused).toEqual({ ok: false, error: 'Очередь обращений доступна только сотрудникам техподдержки.' })
  })

  it('lets a coordinator follow their own ticket but not another school\'s', async () => {
    const socket = await client(school)
    expect(await emit(socket, 'ticket:join', { id: ownTicket })).toEqual({ ok: true, data: { viewers: [] } })
    const refused = await emit<unknown>(socket, 'ticket:join', { id: foreignTicket })
    expect(refused).toMatchObject({ ok: false, error: expect.stringContaining('другой организации') })
    expect(await emit(socket, 'ticket:join', { id: 'x' })).toEqual({ ok: false, error: 'Неверные данные события.' })
  })
})

describe('presence', () => {
  it('shows each agent who else has the ticket open, and drops one who leaves', async () => {
    const a = await client(agentA)
    const b = await client(agentB)
    const requester = await client(school)
    await emit(requester, 'ticket:join', { id: ownTicket })
    await emit(a, 'ticket:join', { id: ownTicket })
    const aSeesB = next<{ id: number; viewers: TicketViewer[] }>(a, 'ticket:presence', (p) => p.viewers.length === 2)
    const joined = await emit<{ viewers: TicketViewer[] }>(b, 'ticket:join', { id: ownTicket })
    expect(joined.ok && joined.data.viewers.map((v) => v.login)).toEqual(['support-a', 'support-b'].sort())
    expect((await aSeesB).viewers.map((v) => v.name).sort()).toEqual(['Тестовый пользователь support-a', 'Тестовый пользователь support-b'])

    const bAlone = next<{ viewers: TicketViewer[] }>(b, 'ticket:presence', (p) => p.viewers.length === 1)
    a.close()
    expect((await bAlone).viewers.map((v) => v.login)).toEqual(['support-b'])
  })

  it('sends ticket:changed to the desk and to the ticket\'s followers, not to others', async () => {
    const desk = await client(agentA)
    await emit(desk, 'desk:join', {})
    const follower = await client(school)
    await emit(follower, 'ticket:join', { id: ownTicket })
    const stranger = await client(otherSchool)
    let strangerGot = false
    stranger.on('ticket:changed', () => (strangerGot = true))
    const atDesk = next<{ id: number; reason: string }>(desk, 'ticket:changed')
    const atTicket = next<{ id: number; reason: string }>(follower, 'ticket:changed')
    announceTicketChanged(ownTicket, 'reply')
    expect(await atDesk).toEqual({ id: ownTicket, reason: 'reply' })
    expect(await atTicket).toEqual({ id: ownTicket, reason: 'reply' })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(strangerGot).toBe(false)
  })
})

// Socket handlers of the support desk: following the desk and single tickets
// live (ticket:changed), and presence — who of the staff has a ticket open —
// for the collision warning. Every join is checked against the database with
// the same scope rules as the pages (app/helpdesk/desk-scope.server.ts).
import type { Namespace } from 'socket.io'
import { z } from 'zod'
import { isDeskStaff, requireTicketAccess } from '../../app/helpdesk/desk-scope.server.ts'
import { rooms, type TicketViewer } from '../../app/realtime/events.ts'
import { prisma } from '../../app/utils/db.server.ts'
import { handle, type AppSocket } from './dispatch.ts'

/** Tickets one connection may follow at once (a tab follows one; a few tabs share a socket per page). */
const MAX_TICKET_ROOMS = 20
const TicketRef = z.object({ id: z.number().int().positive().max(2_147_483_647) }).strict()
const STAFF_ROOM = /^ticket:(\d+):staff$/

/** The person behind the socket, fresh from the database (role and organisation as they are now). */
async function actorOf(socket: AppSocket) {
  const user = await prisma.user.findUnique({
    where: { id: socket.data.userId },
    select: {
      id: true,
      login: true,
      fullName: true,
      role: true,
      disabled: true,
      organization: { select: { id: true, kind: true, login: true, name: true, regionId: true, municipalityId: true, parentId: true, regionCode: true } },
    },
  })
  if (!user || user.disabled) throw new Response('Сеанс недействителен: войдите снова.', { status: 401 })
  return user
}

async function viewersOf(nsp: Namespace, ticketId: number, without?: string): Promise<TicketViewer[]> {
  const sockets = await nsp.in(rooms.ticketStaff(ticketId)).fetchSockets()
  const byUser = new Map<number, TicketViewer>()
  for (const s of sockets) {
    if (s.id === without) continue
    byUser.set(s.data.userId, { userId: s.data.userId, login: s.data.login, name: s.data.fullName ?? s.data.login })
  }
  return [...byUser.values()].sort((a, b) => a.name.localeCompare(b.name, 'ru'))
}

async function announcePresence(nsp: Namespace, ticketId: number, without?: string) {
  const viewers = await viewersOf(nsp, ticketId, without)
  nsp.to(rooms.ticketStaff(ticketId)).emit('ticket:presence', { id: ticketId, viewers })
  return viewers
}

export function registerHelpdeskHandlers(socket: AppSocket) {
  const nsp = socket.nsp as unknown as Namespace

  handle(socket, 'desk:join', z.object({}).strict(), async () => {
    const actor = await actorOf(socket)
    if (!isDeskStaff(actor.role)) throw new Response('Очередь обращений доступна только сотрудникам техподдержки.', { status: 403 })
    await socket.join(rooms.desk)
    return { joined: true as const }
  })

  handle(socket, 'ticket:join', TicketRef, async ({ id }) => {
    const actor = await actorOf(socket)
    await requireTicketAccess(actor, id)
    const following = [...socket.rooms].filter((r) => r.startsWith('ticket:') && !r.endsWith(':staff'))
    if (following.length >= MAX_TICKET_ROOMS && !socket.rooms.has(rooms.ticket(id))) {
      throw new Response('Открыто слишком много обращений: закройте лишние вкладки.', { status: 429 })
    }
    await socket.join(rooms.ticket(id))
    if (!isDeskStaff(actor.role)) return { viewers: [] }
    socket.data.fullName = actor.fullName
    await socket.join(rooms.ticketStaff(id))
    return { viewers: await announcePresence(nsp, id) }
  })

  handle(socket, 'ticket:leave', TicketRef, async ({ id }) => {
    const wasStaff = socket.rooms.has(rooms.ticketStaff(id))
    await socket.leave(rooms.ticket(id))
    await socket.leave(rooms.ticketStaff(id))
    if (wasStaff) await announcePresence(nsp, id)
    return { left: true as const }
  })

  // Closing the tab: the others stop seeing this person in the ticket.
  socket.on('disconnecting', () => {
    const tickets = [...socket.rooms].map((r) => STAFF_ROOM.exec(r)?.[1]).filter(Boolean).map(Number)
    for (const id of tickets) announcePresence(nsp, id, socket.id).catch(() => undefined)
  })
}

// Who sees which tickets, in one place (DESIGN.md: every read is scoped; the
// check sits in the domain module, not in the page).
//
// - Support agents and administrators work the desk: every ticket, every
//   message, every action.
// - ФИОКО specialists are observers: they read every ticket and the
//   statistics and may leave internal notes (support asks them about
//   methodology), but they do not reply to requesters, assign, change states
//   or merge — that stays with the people who own the queue.
// - Coordinators are requesters: the tickets of the organisations in their
//   scope (orgVisibilityWhere: a school its own, a МОУО its schools, a region
//   everything in it) and the tickets they filed themselves; only what was
//   sent or received (no internal notes, no system events).
// - Teacher-experts have no support section (roles.ts).
import type { Role, TicketMessageKind } from '~/generated/prisma/enums'
import { audit } from '~/accounts/audit.server'
import { canSeeOrg, orgVisibilityWhere } from '~/accounts/scope.server'
import type { SessionUser } from '~/accounts/session.server'
import { prisma, type Prisma } from '~/utils/db.server'

export type Actor = Pick<SessionUser, 'id' | 'login' | 'role' | 'organization'>

export type DeskRole = 'agent' | 'observer' | 'requester'

/** Roles that work tickets: reply, assign, change states, merge, bulk actions. */
export const AGENT_ROLES: readonly Role[] = ['ADMIN', 'SUPPORT_AGENT']
/** Roles that see the desk (all tickets, internal notes, statistics). */
export const DESK_ROLES: readonly Role[] = ['ADMIN', 'SUPPORT_AGENT', 'FIOKO_SPECIALIST']
/** Roles that file and follow tickets from the cabinet. */
export const REQUESTER_ROLES: readonly Role[] = ['REGION_COORDINATOR', 'MUNICIPAL_COORDINATOR', 'SCHOOL_COORDINATOR']

export function deskRoleOf(role: Role): DeskRole | null {
  if (AGENT_ROLES.includes(role)) return 'agent'
  if (role === 'FIOKO_SPECIALIST') return 'observer'
  if (REQUESTER_ROLES.includes(role)) return 'requester'
  return null
}

export const isDeskStaff = (role: Role) => DESK_ROLES.includes(role)
export const isAgent = (role: Role) => AGENT_ROLES.includes(role)

/** Message kinds a requester sees: what was written to or by them. */
export const REQUESTER_MESSAGE_KINDS: TicketMessageKind[] = ['INBOUND', 'OUTBOUND']

export function messageKindsFor(role: Role): TicketMessageKind[] {
  return isDeskStaff(role) ? ['INBOUND', 'OUTBOUND', 'NOTE', 'SYSTEM'] : REQUESTER_MESSAGE_KINDS
}

/** The filter of tickets a person may see (compose it into every ticket query). */
export function ticketVisibilityWhere(actor: Actor): Prisma.TicketWhereInput {
  if (isDeskStaff(actor.role)) return {}
  if (!REQUESTER_ROLES.includes(actor.role)) return { id: -1 }
  return { OR: [{ requesterId: actor.id }, { organization: orgVisibilityWhere(actor) }] }
}

const forbidden = (message: string) => new Response(message, { status: 403, statusText: 'Forbidden' })
const notFound = (message: string) => new Response(message, { status: 404, statusText: 'Not Found' })

/** Throws 403 unless the person works the desk (agents and administrators). */
export function requireAgent(actor: Pick<Actor, 'role'>) {
  if (!isAgent(actor.role)) throw forbidden('Это действие доступно только сотрудникам техподдержки.')
}

/** Throws 403 unless the person sees the desk (agents, administrators, ФИОКО). */
export function requireDeskStaff(actor: Pick<Actor, 'role'>) {
  if (!isDeskStaff(actor.role)) throw forbidden('Этот раздел доступен только сотрудникам техподдержки.')
}

export function parseTicketId(raw: unknown): number | null {
  const s = String(raw ?? '').replace(/^#/, '')
  if (!/^\d{1,10}$/.test(s)) return null
  const n = Number(s)
  return n > 0 && n <= 2_147_483_647 ? n : null
}

const accessSelect = {
  id: true,
  requesterId: true,
  mergedIntoId: true,
  organization: { select: { id: true, kind: true, login: true, parentId: true, regionId: true, municipalityId: true } },
} as const

export function canSeeTicket(actor: Actor, ticket: { requesterId: number | null; organization: Parameters<typeof canSeeOrg>[1] | null }) {
  if (isDeskStaff(actor.role)) return true
  if (!REQUESTER_ROLES.includes(actor.role)) return false
  if (ticket.requesterId === actor.id) return true
  return ticket.organization !== null && canSeeOrg(actor, ticket.organization)
}

/**
 * The ticket's id after checking that the person may see it. Unknown id →
 * 404; someone else's ticket → 403 and an audit entry (someone typed another
 * school's ticket number).
 */
export async function requireTicketAccess(actor: Actor, rawId: unknown, meta: { ip?: string } = {}) {
  const id = parseTicketId(rawId)
  const ticket = id ? await prisma.ticket.findUnique({ where: { id }, select: accessSelect }) : null
  if (!ticket) throw notFound('Обращение не найдено.')
  if (!canSeeTicket(actor, ticket)) {
    await audit({
      action: 'access.denied',
      outcome: 'denied',
      actor,
      targetOrgId: ticket.organization?.id ?? null,
      targetLogin: ticket.organization?.login ?? null,
      ip: meta.ip,
      details: { what: 'ticket', ticketId: ticket.id },
    })
    throw forbidden('Это обращение другой организации: оно вне вашей зоны ответственности.')
  }
  return ticket
}

/**
 * An attachment the person may download: the ticket must be visible to them,
 * and a requester gets only attachments of letters, never of internal notes.
 */
export async function requireAttachmentAccess(actor: Actor, rawId: unknown, meta: { ip?: string } = {}) {
  const id = parseTicketId(rawId)
  const attachment = id
    ? await prisma.ticketAttachment.findUnique({
        where: { id },
        select: {
          id: true,
          filename: true,
          contentType: true,
          size: true,
          content: true,
          sha256: true,
          inboundMailId: true,
          inboundPart: true,
          redactedAt: true,
          message: { select: { kind: true, ticketId: true } },
        },
      })
    : null
  if (!attachment) throw notFound('Файл не найден.')
  await requireTicketAccess(actor, attachment.message.ticketId, meta)
  if (!messageKindsFor(actor.role).includes(attachment.message.kind)) throw notFound('Файл не найден.')
  return attachment
}

// Requesters in the cabinet: a coordinator's view of the tickets of their
// organisation (and, for МОУО and regions, of the organisations in their
// scope), whether they came by mail or from the cabinet. Only what was sent
// and received is shown: never internal notes or the desk's history.
import { prisma } from '~/utils/db.server'
import { REQUESTER_MESSAGE_KINDS, requireTicketAccess, ticketVisibilityWhere, type Actor } from './desk-scope.server'
import { RULE_TITLES, type IntakeRule, type IntakeVerdict } from './rules'

export const MY_PAGE_SIZE = 30

export async function listRequesterTickets(actor: Actor, options: { mine?: boolean; page?: number } = {}) {
  const page = options.page ?? 1
  const where = { AND: [ticketVisibilityWhere(actor), options.mine ? { requesterId: actor.id } : {}] }
  const [total, tickets] = await Promise.all([
    prisma.ticket.count({ where }),
    prisma.ticket.findMany({
      where,
      select: {
        id: true,
        subject: true,
        state: true,
        study: true,
        channel: true,
        createdAt: true,
        lastMessageAt: true,
        mergedIntoId: true,
        requesterId: true,
        requesterEmail: true,
        organization: { select: { login: true, name: true } },
      },
      orderBy: [{ lastMessageAt: 'desc' }, { id: 'desc' }],
      skip: (page - 1) * MY_PAGE_SIZE,
      take: MY_PAGE_SIZE,
    }),
  ])
  return { total, page, tickets }
}

export interface MissingItem {
  rule: IntakeRule
  title: string
  hint: string
}

/** What the rules still miss, in the words the reply letter uses (for «Чтобы мы могли помочь, укажите: …»). */
export function missingItems(verdict: unknown): MissingItem[] {
  const v = verdict as IntakeVerdict | null
  if (!v || !Array.isArray(v.rules)) return []
  return v.rules.filter((r) => !r.met).map((r) => ({ rule: r.rule, title: RULE_TITLES[r.rule] ?? r.rule, hint: r.hint ?? '' }))
}

export async function getRequesterTicket(actor: Actor, rawId: unknown, meta: { ip?: string } = {}) {
  const { id } = await requireTicketAccess(actor, rawId, meta)
  const t = await prisma.ticket.findUniqueOrThrow({
    where: { id },
    select: {
      id: true,
      subject: true,
      state: true,
      study: true,
      channel: true,
      createdAt: true,
      verdict: true,
      requesterId: true,
      mergedIntoId: true,
      organization: { select: { login: true, name: true } },
      messages: {
        where: { kind: { in: REQUESTER_MESSAGE_KINDS } },
        orderBy: { id: 'asc' },
        select: {
          id: true,
          kind: true,
          fromName: true,
          fromAddress: true,
          shownText: true,
          automatic: true,
          createdAt: true,
          author: { select: { id: true, fullName: true } },
          attachments: { where: { redactedAt: null }, select: { id: true, filename: true, contentType: true, size: true }, orderBy: { id: 'asc' } },
        },
      },
    },
  })
  const { verdict, messages, ...ticket } = t
  return {
    ticket,
    missing: t.state === 'WAITING_INFO' ? missingItems(verdict) : [],
    messages: messages.map((m) => ({
      id: m.id,
      kind: m.kind,
      // Agents answer as the service: their names stay on the desk.
      who:
        m.kind === 'OUTBOUND'
          ? m.automatic
            ? 'Техподдержка (автоматическое письмо)'
            : 'Техподдержка'
          : m.author?.id === actor.id
            ? 'Вы'
            : (m.author?.fullName ?? m.fromName ?? m.fromAddress ?? 'Заявитель'),
      shownText: m.shownText,
      createdAt: m.createdAt,
      attachments: m.attachments,
    })),
  }
}

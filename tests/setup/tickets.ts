// Tickets straight in the database, for the desk's tests: the intake builds
// them from letters elsewhere; here only the shape the desk reads matters.
import type { IntakeChannel, TicketMessageKind, TicketPriority, TicketState } from '~/generated/prisma/enums'
import { initialSla } from '~/helpdesk/sla'
import type { IntakeRule, IntakeVerdict } from '~/helpdesk/rules'
import { prisma, type Prisma } from '~/utils/db.server'

let counter = 1

export interface TicketSeed {
  subject?: string
  study?: string | null
  state?: TicketState
  priority?: TicketPriority
  channel?: IntakeChannel
  organizationId?: number | null
  requesterId?: number | null
  requesterEmail?: string | null
  requesterName?: string | null
  assigneeId?: number | null
  tags?: string[]
  createdAt?: Date
  firstResponseAt?: Date | null
  resolvedAt?: Date | null
  verdict?: IntakeVerdict | null
  /** The first letter's text. */
  text?: string
}

export async function createTicket(seed: TicketSeed = {}) {
  const n = counter++
  const createdAt = seed.createdAt ?? new Date()
  const state = seed.state ?? 'NEW'
  const priority = seed.priority ?? 'NORMAL'
  const text = seed.text ?? `Здравствуйте! Не загружается форма результатов ВПР, письмо ${n}.`
  const email = seed.requesterEmail === undefined ? `school${n}@example.ru` : seed.requesterEmail
  return prisma.ticket.create({
    data: {
      subject: seed.subject ?? `Обращение ${n}`,
      study: seed.study === undefined ? 'ВПР' : seed.study,
      state,
      priority,
      channel: seed.channel ?? 'smtp',
      organizationId: seed.organizationId ?? null,
      requesterId: seed.requesterId ?? null,
      requesterEmail: email,
      requesterName: seed.requesterName ?? null,
      assigneeId: seed.assigneeId ?? null,
      tags: seed.tags ?? [],
      verdict: (seed.verdict ?? undefined) as Prisma.InputJsonValue | undefined,
      createdAt,
      lastMessageAt: createdAt,
      firstResponseAt: seed.firstResponseAt ?? null,
      resolvedAt: seed.resolvedAt ?? null,
      ...initialSla(priority, state, createdAt),
      messages: { create: { kind: 'INBOUND', fromAddress: email, text, shownText: text, createdAt } },
    },
  })
}

export async function addMessage(ticketId: number, kind: TicketMessageKind, text: string, extra: Partial<Prisma.TicketMessageUncheckedCreateInput> = {}) {
  return prisma.ticketMessage.create({ data: { ticketId, kind, text, shownText: text, ...extra } })
}

/** A verdict in the shape of rules.ts, missing the given rules. */
export function verdictMissing(missing: IntakeRule[]): IntakeVerdict {
  const rules = (['login', 'orgName', 'description', 'screenshot'] as const).map((rule) => ({
    rule,
    met: !missing.includes(rule),
    evidence: missing.includes(rule) ? 'не найдено' : 'найдено',
    hint: missing.includes(rule) ? `Укажите: ${rule}` : null,
    facts: {},
  }))
  return { rules: rules as unknown as IntakeVerdict['rules'], complete: missing.length === 0, missing, org: null }
}

export function messagesOf(ticketId: number) {
  return prisma.ticketMessage.findMany({ where: { ticketId }, orderBy: { id: 'asc' } })
}

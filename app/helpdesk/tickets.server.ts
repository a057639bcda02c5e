// The support desk: queues, assignment, states with their SLA clocks, notes,
// tags, forum links, merging, agents' replies with the collision check,
// bulk actions, round-robin distribution, and turning a resolved ticket into
// a ready answer for the bank. Every change is one short transaction that
// locks the ticket row, leaves a SYSTEM message in the thread (the ticket's
// history), and is announced as `ticket:changed` after the commit.
import type { TicketMessageKind, TicketPriority, TicketState } from '~/generated/prisma/enums'
import { audit } from '~/accounts/audit.server'
import { rooms } from '~/realtime/events'
import { io } from '~/realtime/publish.server'
import { ReadyAnswerInput } from '~/search/answer-schema'
import { enqueueIndex } from '~/search/documents.server'
import { notifySearch } from '~/search/outbox.server'
import { prisma, type Prisma } from '~/utils/db.server'
import { defineQueue } from '~/utils/jobs.server'
import { logger } from '~/utils/logger.server'
import { placeholderValues, renderCanned, listCanned } from './canned.server'
import { NO_STUDY, STATES_AFTER_REPLY, type DeskFilters } from './desk-query'
import { isAgent, requireAgent, requireDeskStaff, requireTicketAccess, type Actor } from './desk-scope.server'
import { queueOutbound } from './outbound.server'
import type { IntakeVerdict } from './rules'
import { scrubPersonalData, type ScrubResult } from './scrub'
import { SLA_TARGETS, slaOnStateChange, slaStatus, type SlaFields } from './sla'
import { ACTIVE_STATES, MANUAL_TRANSITIONS, PRIORITY_LABELS, STATE_LABELS } from './states'

type Tx = Prisma.TransactionClient
type Meta = { ip?: string }

export const PAGE_SIZE = 50

const badRequest = (message: string) => new Response(message, { status: 400, statusText: 'Bad Request' })
const conflict = (message: string) => new Response(message, { status: 409, statusText: 'Conflict' })

// --- Live updates ------------------------------------------------------------

/** Tells the desk and the ticket's followers that tickets changed (after the commit). */
export function announceTicketChanged(ids: number | number[], reason: string) {
  const server = io()
  if (!server) return
  for (const id of Array.isArray(ids) ? ids : [ids]) server.to([rooms.desk, rooms.ticket(id)]).emit('ticket:changed', { id, reason })
}

// --- Queue -------------------------------------------------------------------

const ACTIVE: TicketState[] = [...ACTIVE_STATES]
/** Unpaused states whose clock can run out. */
const RUNNING: TicketState[] = ['NEW', 'OPEN']

/** Tickets whose first response or resolution is late right now (the clock is running). */
export function overdueWhere(now: Date): Prisma.TicketWhereInput {
  return {
    state: { in: RUNNING },
    slaPausedAt: null,
    OR: [
      { firstResponseAt: null, firstResponseDueAt: { lt: now } },
      { resolvedAt: null, resolutionDueAt: { lt: now } },
    ],
  }
}

function queueWhere(queue: string | undefined): Prisma.TicketWhereInput {
  if (!queue) return {}
  return queue === NO_STUDY ? { study: null } : { study: queue }
}

function stateWhere(state: string): Prisma.TicketWhereInput {
  if (state === 'all') return {}
  if (state === 'active') return { state: { in: ACTIVE } }
  return { state: state as TicketState }
}

/** The filters of the desk as one Prisma condition (the state filter optional, for the state counts). */
export function deskWhere(actor: Actor, f: DeskFilters, now: Date, options: { state?: boolean; queue?: boolean } = {}): Prisma.TicketWhereInput {
  const and: Prisma.TicketWhereInput[] = []
  if (options.queue !== false) and.push(queueWhere(f.queue))
  if (options.state !== false) and.push(stateWhere(f.state))
  if (f.assignee === 'me') and.push({ assigneeId: actor.id })
  else if (f.assignee === 'nobody') and.push({ assigneeId: null })
  else if (typeof f.assignee === 'number') and.push({ assigneeId: f.assignee })
  if (f.overdue) and.push(overdueWhere(now))
  if (f.tag) and.push({ tags: { has: f.tag } })
  if (f.org) {
    const org = f.org
    and.push({
      OR: [
        { organization: { login: { startsWith: org.toLowerCase() } } },
        { organization: { name: { contains: org, mode: 'insensitive' } } },
        { requesterEmail: { contains: org, mode: 'insensitive' } },
      ],
    })
  }
  if (f.q) {
    const q = f.q
    const asId = /^#?\d{1,9}$/.test(q) ? Number(q.replace('#', '')) : null
    and.push({
      OR: [
        ...(asId ? [{ id: asId }] : []),
        { subject: { contains: q, mode: 'insensitive' } },
        // What people wrote: our automatic replies are templates, left out of the trigram index (migration 20261126180000).
        { messages: { some: { automatic: false, shownText: { contains: q, mode: 'insensitive' } } } },
      ],
    })
  }
  return { AND: and }
}

const listSelect = {
  id: true,
  subject: true,
  study: true,
  state: true,
  priority: true,
  channel: true,
  tags: true,
  requesterEmail: true,
  requesterName: true,
  createdAt: true,
  lastMessageAt: true,
  firstResponseAt: true,
  resolvedAt: true,
  firstResponseDueAt: true,
  resolutionDueAt: true,
  slaPausedAt: true,
  mergedIntoId: true,
  organization: { select: { id: true, login: true, name: true } },
  assignee: { select: { id: true, login: true, fullName: true } },
} as const

function orderFor(sort: DeskFilters['sort']): Prisma.TicketOrderByWithRelationInput[] {
  switch (sort) {
    case 'new':
      return [{ createdAt: 'desc' }, { id: 'desc' }]
    case 'updated':
      return [{ lastMessageAt: 'desc' }, { id: 'desc' }]
    default:
      // Not answered yet first (by the first-response deadline), then by the resolution deadline.
      return [{ firstResponseAt: { sort: 'asc', nulls: 'first' } }, { firstResponseDueAt: 'asc' }, { resolutionDueAt: 'asc' }, { id: 'asc' }]
  }
}

/** The desk's queue page: tickets, per-queue and per-state counts, the agents to assign to. */
export async function listDeskTickets(actor: Actor, f: DeskFilters, now = new Date()) {
  requireDeskStaff(actor)
  const where = deskWhere(actor, f, now)
  const [total, rows, byState, byQueue, overdueByQueue, agents, queues] = await Promise.all([
    prisma.ticket.count({ where }),
    prisma.ticket.findMany({ where, select: listSelect, orderBy: orderFor(f.sort), skip: (f.page - 1) * PAGE_SIZE, take: PAGE_SIZE }),
    prisma.ticket.groupBy({ by: ['state'], where: deskWhere(actor, f, now, { state: false }), _count: { _all: true } }),
    prisma.ticket.groupBy({ by: ['study'], where: { state: { in: ACTIVE } }, _count: { _all: true } }),
    prisma.ticket.groupBy({ by: ['study'], where: overdueWhere(now), _count: { _all: true } }),
    listAgents(),
    prisma.deskQueue.findMany({ where: { roundRobin: true }, select: { study: true } }),
  ])
  const key = (study: string | null) => study ?? NO_STUDY
  return {
    total,
    tickets: rows.map((t) => ({ ...t, sla: slaStatus(t as SlaFields, now) })),
    stateCounts: Object.fromEntries(byState.map((g) => [g.state, g._count._all])) as Partial<Record<TicketState, number>>,
    queueCounts: Object.fromEntries(byQueue.map((g) => [key(g.study), g._count._all])) as Record<string, number>,
    queueOverdue: Object.fromEntries(overdueByQueue.map((g) => [key(g.study), g._count._all])) as Record<string, number>,
    agents,
    roundRobinQueues: queues.map((q) => q.study || NO_STUDY),
  }
}

/** People tickets can be assigned to. */
export function listAgents() {
  return prisma.user.findMany({
    where: { role: { in: ['SUPPORT_AGENT', 'ADMIN'] }, disabled: false },
    select: { id: true, login: true, fullName: true, role: true },
    orderBy: [{ role: 'desc' }, { fullName: 'asc' }],
  })
}

// --- One ticket on the desk --------------------------------------------------

const messageSelect = {
  id: true,
  kind: true,
  fromAddress: true,
  fromName: true,
  toAddress: true,
  subject: true,
  text: true,
  shownText: true,
  safeHtml: true,
  automatic: true,
  sentAt: true,
  sendError: true,
  createdAt: true,
  author: { select: { id: true, login: true, fullName: true } },
  attachments: { select: { id: true, filename: true, contentType: true, size: true, inline: true, contentId: true, redactedAt: true }, orderBy: { id: 'asc' } },
} as const

/** Everything the ticket page of the desk shows. */
export async function getDeskTicket(actor: Actor, rawId: unknown, meta: Meta = {}, now = new Date()) {
  requireDeskStaff(actor)
  const { id } = await requireTicketAccess(actor, rawId, meta)
  const ticket = await prisma.ticket.findUniqueOrThrow({
    where: { id },
    include: {
      organization: {
        select: {
          id: true,
          login: true,
          name: true,
          kind: true,
          region: { select: { id: true, login: true, name: true } },
          municipality: { select: { id: true, login: true, name: true } },
        },
      },
      requester: { select: { id: true, login: true, fullName: true, email: true } },
      assignee: { select: { id: true, login: true, fullName: true } },
      mergedInto: { select: { id: true, subject: true } },
      mergedFrom: { select: { id: true, subject: true }, orderBy: { id: 'asc' } },
      participants: { select: { email: true } },
      messages: { select: messageSelect, orderBy: { id: 'asc' } },
    },
  })
  const [history, agents, canned, me, answer] = await Promise.all([
    ticket.organization
      ? prisma.ticket.findMany({
          where: { organizationId: ticket.organization.id },
          select: { id: true, subject: true, state: true, study: true, createdAt: true },
          orderBy: { id: 'desc' },
          take: 30,
        })
      : Promise.resolve([]),
    listAgents(),
    listCanned(ticket.study),
    prisma.user.findUniqueOrThrow({ where: { id: actor.id }, select: { fullName: true } }),
    prisma.readyAnswer.findUnique({ where: { source_externalId: { source: TICKET_ANSWER_SOURCE, externalId: String(id) } }, select: { id: true, status: true } }),
  ])
  const historyTotal = ticket.organization ? await prisma.ticket.count({ where: { organizationId: ticket.organization.id } }) : 0
  const values = placeholderValues(ticket, me)
  const { verdict, intakeVerdict: _first, ...rest } = ticket
  return {
    ticket: { ...rest, verdict: verdict as IntakeVerdict | null },
    sla: slaStatus(ticket, now),
    transitions: MANUAL_TRANSITIONS[ticket.state],
    lastMessageId: ticket.messages.at(-1)?.id ?? 0,
    orgHistory: { tickets: history.filter((t) => t.id !== id), total: Math.max(0, historyTotal - 1) },
    agents,
    canned: canned.map((c) => ({ id: c.id, title: c.title, study: c.study, text: renderCanned(c.body, values) })),
    readyAnswer: answer,
    canWork: isAgent(actor.role),
  }
}

// --- Changing a ticket -------------------------------------------------------

async function lockTicket(tx: Tx, id: number) {
  // One change at a time per ticket: two agents clicking at once are serialised.
  await tx.$queryRaw`SELECT "id" FROM "Ticket" WHERE "id" = ${id} FOR UPDATE`
  return tx.ticket.findUniqueOrThrow({ where: { id } })
}

async function nameOf(tx: Tx, userId: number) {
  const u = await tx.user.findUnique({ where: { id: userId }, select: { fullName: true, login: true } })
  return u ? `${u.fullName} (${u.login})` : `#${userId}`
}

/** A line in the ticket's history (shown to staff, never to requesters). */
export async function systemMessage(tx: Tx, ticketId: number, authorId: number | null, text: string) {
  return tx.ticketMessage.create({ data: { ticketId, kind: 'SYSTEM', authorId, text, shownText: text } })
}

type TicketRow = Awaited<ReturnType<typeof lockTicket>>

/** The fields that change with the state: SLA pause and resume, resolved and closed times. */
export function stateChange(ticket: SlaFields & { closedAt: Date | null }, next: TicketState, now: Date): Prisma.TicketUpdateInput {
  const data: Prisma.TicketUpdateInput = { state: next, ...slaOnStateChange(ticket, next, now) }
  if (next === 'RESOLVED') data.resolvedAt = ticket.resolvedAt ?? now
  if (next === 'CLOSED') {
    data.closedAt = now
    data.resolvedAt = ticket.resolvedAt ?? now
  }
  if (ACTIVE_STATES.has(next)) {
    data.resolvedAt = null
    data.closedAt = null
  }
  return data
}

/**
 * Runs one change of one ticket: checks the person, locks the row, applies
 * `change`, commits, announces. `change` returns false when nothing changed.
 */
async function changeTicket(
  actor: Actor,
  rawId: unknown,
  reason: string,
  meta: Meta,
  change: (tx: Tx, ticket: TicketRow, who: string, now: Date) => Promise<boolean | void>,
  options: { allowObserver?: boolean; allowMerged?: boolean } = {},
) {
  if (options.allowObserver) requireDeskStaff(actor)
  else requireAgent(actor)
  const { id } = await requireTicketAccess(actor, rawId, meta)
  const now = new Date()
  const changed = await prisma.$transaction(async (tx) => {
    const ticket = await lockTicket(tx, id)
    if (ticket.mergedIntoId && !options.allowMerged) throw conflict(`Обращение №${id} объединено с №${ticket.mergedIntoId}: работайте с ним.`)
    return (await change(tx, ticket, await nameOf(tx, actor.id), now)) !== false
  })
  if (changed) announceTicketChanged(id, reason)
  return { id, changed }
}

/** «Взять себе»: the agent becomes the assignee; a new ticket goes to work. */
export function takeTicket(actor: Actor, rawId: unknown, meta: Meta = {}) {
  return changeTicket(actor, rawId, 'assigned', meta, async (tx, t, who, now) => {
    if (t.assigneeId === actor.id && t.state !== 'NEW') return false
    const data: Prisma.TicketUpdateInput = { assignee: { connect: { id: actor.id } } }
    if (t.state === 'NEW') Object.assign(data, stateChange(t, 'OPEN', now))
    await tx.ticket.update({ where: { id: t.id }, data })
    await systemMessage(tx, t.id, actor.id, `${who} взял(а) обращение${t.state === 'NEW' ? ' в работу' : ''}.`)
  })
}

/** Assigns to another agent (or to nobody, with null). */
export function assignTicket(actor: Actor, rawId: unknown, assigneeId: number | null, meta: Meta = {}) {
  return changeTicket(actor, rawId, 'assigned', meta, async (tx, t, who) => {
    if (t.assigneeId === assigneeId) return false
    if (assigneeId !== null) {
      const target = await tx.user.findUnique({ where: { id: assigneeId }, select: { role: true, disabled: true } })
      if (!target || target.disabled || !isAgent(target.role)) throw badRequest('Назначить можно только сотрудника техподдержки или администратора.')
    }
    await tx.ticket.update({ where: { id: t.id }, data: { assigneeId } })
    await systemMessage(tx, t.id, actor.id, assigneeId === null ? `${who} снял(а) назначение.` : `${who} назначил(а) исполнителя: ${await nameOf(tx, assigneeId)}.`)
  })
}

/** Sets a state by hand (MANUAL_TRANSITIONS): the SLA clock pauses and resumes with it. */
export function setTicketState(actor: Actor, rawId: unknown, next: TicketState, meta: Meta = {}) {
  return changeTicket(actor, rawId, 'state', meta, async (tx, t, who, now) => {
    if (t.state === next) return false
    if (!MANUAL_TRANSITIONS[t.state].includes(next)) {
      throw badRequest(`Нельзя перевести обращение из состояния «${STATE_LABELS[t.state]}» в «${STATE_LABELS[next]}».`)
    }
    await tx.ticket.update({ where: { id: t.id }, data: stateChange(t, next, now) })
    await systemMessage(tx, t.id, actor.id, `${who}: состояние «${STATE_LABELS[t.state]}» → «${STATE_LABELS[next]}».`)
  })
}

/** Changes the priority; the SLA deadlines move by the difference of the targets (pauses stay counted). */
export function setTicketPriority(actor: Actor, rawId: unknown, priority: TicketPriority, meta: Meta = {}) {
  return changeTicket(actor, rawId, 'priority', meta, async (tx, t, who) => {
    if (t.priority === priority) return false
    const before = SLA_TARGETS[t.priority]
    const after = SLA_TARGETS[priority]
    const move = (d: Date | null, minutes: number) => (d ? new Date(d.getTime() + minutes * 60_000) : d)
    await tx.ticket.update({
      where: { id: t.id },
      data: {
        priority,
        firstResponseDueAt: t.firstResponseAt ? t.firstResponseDueAt : move(t.firstResponseDueAt, after.firstResponseMin - before.firstResponseMin),
        resolutionDueAt: t.resolvedAt ? t.resolutionDueAt : move(t.resolutionDueAt, after.resolutionMin - before.resolutionMin),
      },
    })
    await systemMessage(tx, t.id, actor.id, `${who}: приоритет «${PRIORITY_LABELS[t.priority]}» → «${PRIORITY_LABELS[priority]}».`)
  })
}

export function setTicketTags(actor: Actor, rawId: unknown, tags: string[], meta: Meta = {}) {
  return changeTicket(actor, rawId, 'tags', meta, async (tx, t, who) => {
    const next = [...new Set(tags)]
    if (next.length === t.tags.length && next.every((tag) => t.tags.includes(tag))) return false
    await tx.ticket.update({ where: { id: t.id }, data: { tags: next } })
    await systemMessage(tx, t.id, actor.id, `${who}: метки — ${next.length ? next.join(', ') : 'нет'}.`)
  })
}

/** Adds one tag (bulk action), keeping the others. */
export function addTicketTag(actor: Actor, rawId: unknown, tag: string, meta: Meta = {}) {
  return changeTicket(actor, rawId, 'tags', meta, async (tx, t, who) => {
    if (t.tags.includes(tag)) return false
    await tx.ticket.update({ where: { id: t.id }, data: { tags: [...t.tags, tag] } })
    await systemMessage(tx, t.id, actor.id, `${who} добавил(а) метку «${tag}».`)
  })
}

export function setForumLinks(actor: Actor, rawId: unknown, links: string[], meta: Meta = {}) {
  return changeTicket(actor, rawId, 'links', meta, async (tx, t, who) => {
    if (links.length === t.forumLinks.length && links.every((l, i) => t.forumLinks[i] === l)) return false
    await tx.ticket.update({ where: { id: t.id }, data: { forumLinks: links } })
    await systemMessage(tx, t.id, actor.id, `${who}: ссылки на форум — ${links.length ? links.join(' ') : 'нет'}.`)
  })
}

/** An internal note: staff only, never sent. ФИОКО specialists may leave them too. */
export async function addNote(actor: Actor, rawId: unknown, text: string, meta: Meta = {}) {
  let messageId = 0
  await changeTicket(
    actor,
    rawId,
    'note',
    meta,
    async (tx, t) => {
      const m = await tx.ticketMessage.create({ data: { ticketId: t.id, kind: 'NOTE', authorId: actor.id, text, shownText: text } })
      messageId = m.id
    },
    { allowObserver: true, allowMerged: true },
  )
  return { messageId }
}

// --- Replying ----------------------------------------------------------------

/** Messages that matter to someone about to reply: what the requester, another agent or a note said. */
const CONVERSATION: TicketMessageKind[] = ['INBOUND', 'OUTBOUND', 'NOTE']

export interface ReplyInput {
  text: string
  /** The state to leave the ticket in; «Ожидает ответа заявителя» by default. */
  state?: TicketState
  /** The newest message the agent had seen when they wrote the reply. */
  lastSeenMessageId: number
  /** Send even though new messages arrived (the agent saw the warning). */
  confirm?: boolean
  files?: { filename: string; contentType: string; content: Buffer }[]
}

export type NewerMessage = { id: number; kind: TicketMessageKind; author: string; shownText: string; createdAt: Date }

export type ReplyResult = { status: 'sent'; messageId: number } | { status: 'collision'; messages: NewerMessage[]; lastMessageId: number }

/**
 * An agent's reply to the requester: refused (status 'collision') when a
 * message arrived after the one the agent last saw, unless confirmed; else
 * queued for sending (the intake's outbox delivers it with threading
 * headers), the first response recorded, the ticket assigned to the agent if
 * it had nobody, and left in the chosen state.
 */
export async function replyToTicket(actor: Actor, rawId: unknown, input: ReplyInput, meta: Meta = {}): Promise<ReplyResult> {
  requireAgent(actor)
  const { id } = await requireTicketAccess(actor, rawId, meta)
  const next = input.state ?? 'WAITING_REQUESTER'
  if (!STATES_AFTER_REPLY.includes(next)) throw badRequest('После ответа обращение может быть «В работе», «Ожидает ответа заявителя» или «Решён».')
  const now = new Date()
  const result = await prisma.$transaction(async (tx): Promise<ReplyResult> => {
    const t = await lockTicket(tx, id)
    if (t.mergedIntoId) throw conflict(`Обращение №${id} объединено с №${t.mergedIntoId}: отвечайте в нём.`)
    const newer = await tx.ticketMessage.findMany({
      where: { ticketId: id, id: { gt: input.lastSeenMessageId }, kind: { in: CONVERSATION }, OR: [{ authorId: null }, { authorId: { not: actor.id } }] },
      select: { id: true, kind: true, fromName: true, fromAddress: true, shownText: true, createdAt: true, author: { select: { fullName: true } } },
      orderBy: { id: 'asc' },
    })
    if (newer.length && !input.confirm) {
      const last = await tx.ticketMessage.findFirst({ where: { ticketId: id }, orderBy: { id: 'desc' }, select: { id: true } })
      return {
        status: 'collision',
        lastMessageId: last?.id ?? input.lastSeenMessageId,
        messages: newer.map((m) => ({
          id: m.id,
          kind: m.kind,
          author: m.author?.fullName ?? m.fromName ?? m.fromAddress ?? 'заявитель',
          shownText: m.shownText,
          createdAt: m.createdAt,
        })),
      }
    }
    const requester = t.requesterId ? await tx.user.findUnique({ where: { id: t.requesterId }, select: { email: true } }) : null
    const to = t.requesterEmail ?? requester?.email ?? null
    if (!to && !t.requesterId) throw badRequest('У обращения нет адреса заявителя: ответ некому отправить.')
    const message = await queueOutbound(tx, {
      ticketId: id,
      kind: 'OUTBOUND',
      to: to ?? '',
      text: input.text,
      authorId: actor.id,
      automatic: false,
      ...(input.files?.length ? { attachments: input.files } : {}),
    })
    const data: Prisma.TicketUpdateInput = {
      lastMessageAt: now,
      firstResponseAt: t.firstResponseAt ?? now,
      ...(t.assigneeId ? {} : { assignee: { connect: { id: actor.id } } }),
      ...(t.state !== next ? stateChange(t, next, now) : {}),
    }
    await tx.ticket.update({ where: { id }, data })
    if (t.state !== next) await systemMessage(tx, id, actor.id, `Ответ отправлен; состояние «${STATE_LABELS[t.state]}» → «${STATE_LABELS[next]}».`)
    return { status: 'sent', messageId: message.id }
  })
  if (result.status === 'sent') announceTicketChanged(id, 'reply')
  return result
}

// --- Merging -----------------------------------------------------------------

/**
 * Merges ticket `sourceId` into `targetId`: the source's messages (with their
 * attachments and letters) move to the target, so that replies to either
 * thread land in the target; the source's requester becomes a participant of
 * the target; tags and forum links are united; the source points to the
 * target and is closed. Both threads say so, and the audit log records it.
 */
export async function mergeTickets(actor: Actor, rawSourceId: unknown, rawTargetId: unknown, meta: Meta = {}) {
  requireAgent(actor)
  const source = await requireTicketAccess(actor, rawSourceId, meta)
  const target = await requireTicketAccess(actor, rawTargetId, meta)
  if (source.id === target.id) throw badRequest('Нельзя объединить обращение с самим собой.')
  const now = new Date()
  await prisma.$transaction(async (tx) => {
    // Lock in id order so that two opposite merges cannot deadlock.
    const [first, second] = [source.id, target.id].sort((a, b) => a - b)
    await lockTicket(tx, first)
    await lockTicket(tx, second)
    const s = await tx.ticket.findUniqueOrThrow({ where: { id: source.id }, include: { participants: true } })
    const t = await tx.ticket.findUniqueOrThrow({ where: { id: target.id } })
    if (s.mergedIntoId) throw conflict(`Обращение №${s.id} уже объединено с №${s.mergedIntoId}.`)
    if (t.mergedIntoId) throw conflict(`Обращение №${t.id} само объединено с №${t.mergedIntoId}: выберите его.`)
    const who = await nameOf(tx, actor.id)

    const moved = await tx.ticketMessage.updateMany({ where: { ticketId: s.id }, data: { ticketId: t.id } })
    await tx.inboundMail.updateMany({ where: { ticketId: s.id }, data: { ticketId: t.id } })
    const emails = [...new Set([...s.participants.map((p) => p.email), ...(s.requesterEmail ? [s.requesterEmail] : [])])].filter(
      (e) => e.toLowerCase() !== (t.requesterEmail ?? '').toLowerCase(),
    )
    if (emails.length) await tx.ticketParticipant.createMany({ data: emails.map((email) => ({ ticketId: t.id, email })), skipDuplicates: true })
    // Tickets merged into the source earlier now point to the target directly.
    await tx.ticket.updateMany({ where: { mergedIntoId: s.id }, data: { mergedIntoId: t.id } })
    await tx.ticket.update({
      where: { id: t.id },
      data: {
        tags: [...new Set([...t.tags, ...s.tags])],
        forumLinks: [...new Set([...t.forumLinks, ...s.forumLinks])],
        lastMessageAt: s.lastMessageAt > t.lastMessageAt ? s.lastMessageAt : t.lastMessageAt,
        organizationId: t.organizationId ?? s.organizationId,
      },
    })
    await tx.ticket.update({
      where: { id: s.id },
      data: { mergedInto: { connect: { id: t.id } }, ...(s.state !== 'CLOSED' ? stateChange(s, 'CLOSED', now) : {}) },
    })
    await systemMessage(tx, s.id, actor.id, `${who} объединил(а) это обращение с №${t.id}: переписка (${moved.count} сообщ.) перенесена туда.`)
    await systemMessage(tx, t.id, actor.id, `${who} присоединил(а) обращение №${s.id} «${s.subject}»: его переписка перенесена сюда.`)
    await audit(
      { action: 'ticket.merged', actor, ip: meta.ip, details: { source: s.id, target: t.id, movedMessages: moved.count } },
      tx,
    )
  })
  announceTicketChanged([source.id, target.id], 'merged')
  return { sourceId: source.id, targetId: target.id }
}

// --- Bulk actions ------------------------------------------------------------

export type BulkAction =
  | { kind: 'assign'; assigneeId: number | null }
  | { kind: 'state'; state: TicketState }
  | { kind: 'tag'; tag: string }
  | { kind: 'close' }

export const BULK_LIMIT = 200

/**
 * Applies one action to the selected tickets, each in its own short
 * transaction (and with its own history line); tickets where it does not
 * apply are reported, not fatal.
 */
export async function bulkUpdate(actor: Actor, ids: number[], action: BulkAction, meta: Meta = {}) {
  requireAgent(actor)
  const unique = [...new Set(ids)].slice(0, BULK_LIMIT)
  const changed: number[] = []
  const unchanged: number[] = []
  const skipped: { id: number; reason: string }[] = []
  for (const id of unique) {
    try {
      const result = await (action.kind === 'assign'
        ? assignTicket(actor, id, action.assigneeId, meta)
        : action.kind === 'tag'
          ? addTicketTag(actor, id, action.tag, meta)
          : setTicketState(actor, id, action.kind === 'close' ? 'CLOSED' : action.state, meta))
      ;(result.changed ? changed : unchanged).push(id)
    } catch (error) {
      if (!(error instanceof Response)) throw error
      skipped.push({ id, reason: await error.text() })
    }
  }
  return { changed, unchanged, skipped }
}

// --- Round robin -------------------------------------------------------------

export async function setRoundRobin(actor: Actor, queue: string, on: boolean) {
  requireAgent(actor)
  const study = queue === NO_STUDY ? '' : queue
  await prisma.deskQueue.upsert({ where: { study }, create: { study, roundRobin: on }, update: { roundRobin: on } })
  if (on) await distributeNewTickets()
}

/**
 * «Распределять по кругу»: unassigned new tickets of the queues that ask for
 * it go to the active support agents in turn (ordered by id, continuing after
 * the previous one). Idempotent; run by the desk, after the switch is turned
 * on, and every minute by the job queue.
 */
export async function distributeNewTickets(): Promise<number> {
  const queues = await prisma.deskQueue.findMany({ where: { roundRobin: true } })
  if (queues.length === 0) return 0
  const agents = await prisma.user.findMany({ where: { role: 'SUPPORT_AGENT', disabled: false }, select: { id: true }, orderBy: { id: 'asc' } })
  if (agents.length === 0) return 0
  let assigned = 0
  for (const queue of queues) {
    const tickets = await prisma.ticket.findMany({
      where: { study: queue.study === '' ? null : queue.study, state: 'NEW', assigneeId: null, mergedIntoId: null },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: 200,
    })
    for (const { id } of tickets) {
      const done = await prisma.$transaction(async (tx) => {
        const q = await tx.deskQueue.findUniqueOrThrow({ where: { study: queue.study } })
        const next = agents.find((a) => a.id > (q.lastAssigneeId ?? 0)) ?? agents[0]
        const claimed = await tx.ticket.updateMany({ where: { id, assigneeId: null, state: 'NEW' }, data: { assigneeId: next.id } })
        if (claimed.count === 0) return false
        await tx.deskQueue.update({ where: { study: queue.study }, data: { lastAssigneeId: next.id } })
        await systemMessage(tx, id, null, `Назначено по кругу: ${await nameOf(tx, next.id)}.`)
        return true
      })
      if (done) {
        assigned++
        announceTicketChanged(id, 'assigned')
      }
    }
  }
  if (assigned) logger.info({ assigned }, 'desk: new tickets distributed round-robin')
  return assigned
}

/** The safety net of round-robin: every minute, for tickets nobody has looked at the desk since. */
export const roundRobinQueue = defineQueue<Record<string, never>>({
  name: 'desk.round-robin',
  cron: '* * * * *',
  retryLimit: 1,
  async handler() {
    await distributeNewTickets()
  },
})

// --- The answer bank ---------------------------------------------------------

export const TICKET_ANSWER_SOURCE = 'ticket'

/** States from which a ticket may become a ready answer: the problem is solved. */
const ANSWERABLE: TicketState[] = ['RESOLVED', 'CLOSED']

async function requireAnswerable(actor: Actor, rawId: unknown, meta: Meta) {
  requireAgent(actor)
  const { id } = await requireTicketAccess(actor, rawId, meta)
  const t = await prisma.ticket.findUniqueOrThrow({ where: { id }, select: { state: true, mergedIntoId: true } })
  if (t.mergedIntoId) throw conflict(`Обращение объединено с №${t.mergedIntoId}: сделайте ответ из него.`)
  if (!ANSWERABLE.includes(t.state)) throw conflict('Ответ для банка можно сделать только из решённого или закрытого обращения.')
  return id
}

export interface AnswerDraft {
  question: ScrubResult
  answer: ScrubResult
  study: string | null
  subject: string
  existing: { id: number; status: string; visibility: string } | null
}

/**
 * The question (the requester's first letter) and the answer (the agent's
 * last reply) of a resolved ticket, with personal data removed, for the
 * agent to review and edit before saving.
 */
export async function answerDraftFromTicket(actor: Actor, rawId: unknown, meta: Meta = {}): Promise<AnswerDraft> {
  const id = await requireAnswerable(actor, rawId, meta)
  const t = await prisma.ticket.findUniqueOrThrow({
    where: { id },
    select: {
      subject: true,
      study: true,
      verdict: true,
      organization: { select: { name: true } },
      messages: { where: { kind: { in: ['INBOUND', 'OUTBOUND'] } }, select: { kind: true, shownText: true, automatic: true }, orderBy: { id: 'asc' } },
    },
  })
  // The organisation's name as the system has it and as the letter wrote it.
  const orgNames = [t.organization?.name, (t.verdict as IntakeVerdict | null)?.rules?.find((r) => r.rule === 'orgName')?.facts.written as string | null | undefined]
  const clean = (text: string) => scrubPersonalData(text, { orgNames, dropGreeting: true })
  const firstLetter = t.messages.find((m) => m.kind === 'INBOUND')?.shownText ?? ''
  const lastReply = t.messages.filter((m) => m.kind === 'OUTBOUND' && !m.automatic).at(-1)?.shownText ?? ''
  const existing = await prisma.readyAnswer.findUnique({
    where: { source_externalId: { source: TICKET_ANSWER_SOURCE, externalId: String(id) } },
    select: { id: true, status: true, visibility: true, question: true, answer: true, study: true, subject: true },
  })
  return {
    question: existing ? scrubPersonalData(existing.question) : clean(firstLetter || t.subject),
    answer: existing ? scrubPersonalData(existing.answer) : clean(lastReply),
    study: existing?.study ?? t.study,
    subject: existing?.subject ?? 'Техническая поддержка',
    existing: existing ? { id: existing.id, status: existing.status, visibility: existing.visibility } : null,
  }
}

export interface SaveAnswerInput {
  question: string
  answer: string
  study: string
  subject: string
  visibility: 'public' | 'agents'
  status: 'draft' | 'published'
}

/**
 * Saves the reviewed texts as a ready answer (one per ticket: saving again
 * updates it). The texts are cleaned once more — what the agent typed in
 * review is held to the same rule — and the search outbox is written in the
 * same transaction.
 */
export async function saveAnswerFromTicket(actor: Actor, rawId: unknown, input: SaveAnswerInput, meta: Meta = {}) {
  const id = await requireAnswerable(actor, rawId, meta)
  const org = await prisma.ticket.findUniqueOrThrow({ where: { id }, select: { organization: { select: { name: true } } } })
  const orgNames = [org.organization?.name]
  const parsed = ReadyAnswerInput.safeParse({
    externalId: String(id),
    source: TICKET_ANSWER_SOURCE,
    study: input.study,
    subject: input.subject,
    question: scrubPersonalData(input.question, { orgNames }).text,
    answer: scrubPersonalData(input.answer, { orgNames }).text,
    visibility: input.visibility,
    official: false,
  })
  if (!parsed.success) return { status: 'invalid' as const, errors: parsed.error.issues.map((i) => i.message) }
  const a = parsed.data
  const data = {
    study: a.study,
    subject: a.subject,
    question: a.question,
    answer: a.answer,
    visibility: a.visibility ?? 'public',
    status: input.status,
  }
  const saved = await prisma.$transaction(async (tx) => {
    const row = await tx.readyAnswer.upsert({
      where: { source_externalId: { source: TICKET_ANSWER_SOURCE, externalId: String(id) } },
      create: { source: TICKET_ANSWER_SOURCE, externalId: String(id), official: false, ...data },
      update: data,
    })
    await enqueueIndex(tx, 'answer', row.id)
    const who = await nameOf(tx, actor.id)
    await systemMessage(
      tx,
      id,
      actor.id,
      `${who} ${input.status === 'published' ? 'опубликовал(а)' : 'сохранил(а) черновик'} ответа в банке ответов (№${row.id}, ${data.visibility === 'public' ? 'виден всем' : 'виден только сотрудникам'}).`,
    )
    await audit({ action: 'ticket.answer_saved', actor, ip: meta.ip, details: { ticket: id, answer: row.id, status: input.status, visibility: data.visibility } }, tx)
    return row
  })
  notifySearch()
  announceTicketChanged(id, 'answer')
  return { status: 'saved' as const, answer: saved }
}

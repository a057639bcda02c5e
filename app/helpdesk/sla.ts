// SLA timers: first response and resolution, paused while the ticket waits
// for the requester. Pure functions over the ticket's timestamps.
import type { TicketPriority, TicketState } from '~/generated/prisma/enums'
import { PAUSED_STATES } from './states'

/** Targets in working minutes of wall-clock time (the desk works through the checking window). */
export const SLA_TARGETS: Record<TicketPriority, { firstResponseMin: number; resolutionMin: number }> = {
  URGENT: { firstResponseMin: 60, resolutionMin: 8 * 60 },
  HIGH: { firstResponseMin: 4 * 60, resolutionMin: 24 * 60 },
  NORMAL: { firstResponseMin: 8 * 60, resolutionMin: 3 * 24 * 60 },
  LOW: { firstResponseMin: 24 * 60, resolutionMin: 7 * 24 * 60 },
}

export interface SlaFields {
  state: TicketState
  priority: TicketPriority
  createdAt: Date
  firstResponseAt: Date | null
  resolvedAt: Date | null
  firstResponseDueAt: Date | null
  resolutionDueAt: Date | null
  slaPausedAt: Date | null
}

/** Due times for a new ticket. A ticket born waiting for data starts paused. */
export function initialSla(priority: TicketPriority, state: TicketState, now: Date) {
  const t = SLA_TARGETS[priority]
  return {
    firstResponseDueAt: new Date(now.getTime() + t.firstResponseMin * 60_000),
    resolutionDueAt: new Date(now.getTime() + t.resolutionMin * 60_000),
    slaPausedAt: PAUSED_STATES.has(state) ? now : null,
  }
}

/**
 * The SLA fields after a state change: entering a paused state stops the
 * clock; leaving it shifts the due times by the pause.
 */
export function slaOnStateChange(ticket: SlaFields, next: TicketState, now: Date) {
  const wasPaused = ticket.slaPausedAt !== null
  const willPause = PAUSED_STATES.has(next)
  if (!wasPaused && willPause) return { slaPausedAt: now }
  if (wasPaused && !willPause) {
    const pausedMs = now.getTime() - ticket.slaPausedAt!.getTime()
    const shift = (d: Date | null) => (d ? new Date(d.getTime() + pausedMs) : d)
    return {
      slaPausedAt: null,
      firstResponseDueAt: ticket.firstResponseAt ? ticket.firstResponseDueAt : shift(ticket.firstResponseDueAt),
      resolutionDueAt: shift(ticket.resolutionDueAt),
    }
  }
  return {}
}

export type SlaStatus = 'ok' | 'soon' | 'overdue' | 'paused' | 'met'

/** For highlighting in the queue: overdue, due within the hour, paused or fine. */
export function slaStatus(ticket: SlaFields, now: Date): { firstResponse: SlaStatus; resolution: SlaStatus } {
  const judge = (due: Date | null, doneAt: Date | null): SlaStatus => {
    if (doneAt) return doneAt.getTime() <= (due?.getTime() ?? Infinity) ? 'met' : 'overdue'
    if (ticket.slaPausedAt) return 'paused'
    if (!due) return 'ok'
    const left = due.getTime() - now.getTime()
    return left < 0 ? 'overdue' : left < 60 * 60_000 ? 'soon' : 'ok'
  }
  return { firstResponse: judge(ticket.firstResponseDueAt, ticket.firstResponseAt), resolution: judge(ticket.resolutionDueAt, ticket.resolvedAt) }
}

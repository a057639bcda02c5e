// Ticket states, their Russian names, and what an incoming message or an
// agent's action does to them. Shared by the intake and the desk.
import type { TicketPriority, TicketState } from '~/generated/prisma/enums'

export const STATE_LABELS: Record<TicketState, string> = {
  NEW: 'Новый',
  WAITING_INFO: 'Ожидает данных',
  OPEN: 'В работе',
  WAITING_REQUESTER: 'Ожидает ответа заявителя',
  RESOLVED: 'Решён',
  CLOSED: 'Закрыт',
}

export const PRIORITY_LABELS: Record<TicketPriority, string> = {
  LOW: 'Низкий',
  NORMAL: 'Обычный',
  HIGH: 'Высокий',
  URGENT: 'Срочный',
}

/** States in which the SLA clock does not run: the ball is on the requester's side. */
export const PAUSED_STATES: ReadonlySet<TicketState> = new Set(['WAITING_INFO', 'WAITING_REQUESTER'])
/** States that count as the desk's backlog. */
export const ACTIVE_STATES: ReadonlySet<TicketState> = new Set(['NEW', 'WAITING_INFO', 'OPEN', 'WAITING_REQUESTER'])

/** A closed ticket is not reopened by mail: a new letter starts a new ticket (linked by the intake). */
export const REOPENABLE: ReadonlySet<TicketState> = new Set(['NEW', 'WAITING_INFO', 'OPEN', 'WAITING_REQUESTER', 'RESOLVED'])

/**
 * The state after the requester writes again.
 * `complete` is the verdict of the rules on the whole conversation.
 */
export function stateAfterRequesterMessage(current: TicketState, complete: boolean): TicketState {
  switch (current) {
    case 'WAITING_INFO':
      return complete ? 'NEW' : 'WAITING_INFO'
    case 'WAITING_REQUESTER':
    case 'RESOLVED':
      return 'OPEN'
    default:
      return current
  }
}

/** States an agent may set by hand from a given state. */
export const MANUAL_TRANSITIONS: Record<TicketState, TicketState[]> = {
  NEW: ['OPEN', 'WAITING_INFO', 'WAITING_REQUESTER', 'RESOLVED', 'CLOSED'],
  WAITING_INFO: ['NEW', 'OPEN', 'RESOLVED', 'CLOSED'],
  OPEN: ['WAITING_INFO', 'WAITING_REQUESTER', 'RESOLVED', 'CLOSED'],
  WAITING_REQUESTER: ['OPEN', 'RESOLVED', 'CLOSED'],
  RESOLVED: ['OPEN', 'CLOSED'],
  CLOSED: ['OPEN'],
}

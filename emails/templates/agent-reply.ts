// A support agent's reply: their words, their name, and the ticket reference.
import { footer, join, type RenderedMail, type TicketMailProps } from './layout.ts'

export interface AgentReplyProps extends TicketMailProps {
  /** What the agent wrote (greeting included, if they wrote one). */
  text: string
  agentName?: string | null
}

export function agentReply(props: AgentReplyProps): RenderedMail {
  const text = join(props.text.trim(), footer(props.ticketId, props.reference, props.agentName))
  return { subject: replySubject(props.ticketId, props.subject), text }
}

/** «Re: [#10001] Тема» — a reply in the requester's thread. */
export function replySubject(ticketId: number, subject: string): string {
  const base = subject
    .replace(/\s+/g, ' ')
    .replace(/^\s*((?:re|fwd?|ответ|отв|пересл)\s*(?:\[\d+\])?\s*:\s*|\[\s*(?:ticket|заявка|тикет)?\s*[#№]\s*\d+\s*\]\s*)+/i, '')
    .trim()
  return `Re: [#${ticketId}] ${base || 'Обращение в техническую поддержку'}`
}

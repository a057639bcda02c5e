// The ticket is resolved: what was done, and how to reopen it.
import { footer, greeting, join, tokenSubject, type RenderedMail, type TicketMailProps } from './layout.ts'

export interface ResolutionProps extends TicketMailProps {
  /** A short summary of the solution, if the agent wrote one. */
  summary?: string | null
}

export function resolution(props: ResolutionProps): RenderedMail {
  const text = join(
    greeting(props.requesterName),
    `Обращение #${props.ticketId} отмечено как решённое.`,
    props.summary?.trim() ? `Решение:\n${props.summary.trim()}` : null,
    'Если вопрос не решён или появились новые обстоятельства, ответьте на это письмо, не меняя тему: обращение снова откроется. Новый вопрос лучше задать новым письмом.',
    footer(props.ticketId, props.reference),
  )
  return { subject: tokenSubject(props.ticketId, 'Обращение решено', props.subject), text }
}

// The acknowledgement: a new ticket that meets the support rules, or a ticket
// that waited for data and now has enough («спасибо, данных достаточно»).
import { footer, greeting, join, tokenSubject, type RenderedMail, type TicketMailProps } from './layout.ts'

export interface AcknowledgementProps extends TicketMailProps {
  /** 'new': the first letter was complete; 'complete': the requester supplied what was missing. */
  variant: 'new' | 'complete'
  /** The organisation the ticket was filed for, when its login was found: «МБОУ … (edu290001)». */
  organization?: string | null
}

export function acknowledgement(props: AcknowledgementProps): RenderedMail {
  const { ticketId, reference, variant } = props
  const lead =
    variant === 'new'
      ? `Ваше обращение зарегистрировано под номером #${ticketId} и передано специалистам технической поддержки.`
      : `Спасибо, данных достаточно. Обращение #${ticketId} передано специалистам технической поддержки; срок ответа отсчитывается с этого момента.`
  const text = join(
    greeting(props.requesterName),
    lead,
    props.organization ? `Организация: ${props.organization}.` : null,
    'Ответ придёт на этот адрес. Если нужно что-то добавить, ответьте на это письмо, не меняя тему.',
    footer(ticketId, reference),
  )
  return { subject: tokenSubject(ticketId, variant === 'new' ? 'Обращение зарегистрировано' : 'Данных достаточно', props.subject), text }
}

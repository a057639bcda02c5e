// The one reply to a letter that misses what the support rules require
// (DOMAIN.md, "Tech support rules"): each missing item with what was found
// and exactly how to give it, and what is already there.
import { footer, greeting, join, tokenSubject, type RenderedMail, type TicketMailProps } from './layout.ts'

export interface RuleLine {
  /** «Логин организации». */
  title: string
  /** What the rules found (IntakeVerdict evidence). */
  evidence: string
  /** How to meet the rule; present for missing items. */
  hint?: string | null
}

export interface MissingInformationProps extends TicketMailProps {
  missing: RuleLine[]
  found: RuleLine[]
  /** The requester already answered once and something is still missing. */
  again?: boolean
}

export function missingInformation(props: MissingInformationProps): RenderedMail {
  const { ticketId, reference, missing, found } = props
  const list = missing
    .map((item, i) => [`${i + 1}. ${item.title}: ${item.evidence}.`, item.hint ? `   Что сделать: ${item.hint}` : null].filter(Boolean).join('\n'))
    .join('\n\n')
  const lead = props.again
    ? `Спасибо за ответ. В обращении #${ticketId} всё ещё не хватает сведений, без которых специалисты не смогут им заняться:`
    : `Ваше обращение зарегистрировано под номером #${ticketId}. Чтобы специалисты могли им заняться, не хватает сведений, которые требуют правила технической поддержки:`
  const text = join(
    greeting(props.requesterName),
    lead,
    list,
    'Ответьте, пожалуйста, на это письмо и добавьте недостающее (снимки экрана — вложением); тему письма не меняйте. Как только данных будет достаточно, обращение перейдёт к специалистам и начнёт отсчитываться срок ответа. До тех пор обращение ожидает ваших данных.',
    found.length ? `Что уже есть в обращении:\n${found.map((f) => `— ${f.title}: ${f.evidence}.`).join('\n')}` : null,
    'Правила: в письме укажите логин ОО или МОУО, название организации, подробно опишите проблему и, если на экране появилась ошибка, приложите снимок экрана.',
    footer(ticketId, reference),
  )
  return { subject: tokenSubject(ticketId, 'Нужны дополнительные сведения', props.subject), text }
}

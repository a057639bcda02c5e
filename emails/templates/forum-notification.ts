// A forum notification by mail: the person's question was answered or
// resolved, they were mentioned, or someone replied to them. Plain text with
// the link to the thread and where to change what is mailed. Pure: props in,
// text out. Only the recipient's own name appears; nobody else's address or
// contact details (152-ФЗ: coordinators' contacts are personal data).
import { greeting, join, type RenderedMail } from './layout.ts'

export type ForumNotificationKind = 'answered' | 'resolved' | 'mention' | 'reply'

export interface ForumNotificationProps {
  kind: ForumNotificationKind
  /** The recipient's full name (for the greeting only). */
  recipientName?: string | null
  /** The question or topic title. */
  topicTitle: string
  /** What happened, as the notification list shows it. */
  text: string
  /** Absolute link to the thread (the post's anchor when there is one). */
  url: string
  /** Absolute link to the notification settings page. */
  settingsUrl: string
}

const SUBJECTS: Record<ForumNotificationKind, string> = {
  answered: 'Ответ на ваш вопрос',
  resolved: 'Ваш вопрос решён',
  mention: 'Вас упомянули на форуме',
  reply: 'Новый ответ на форуме',
}

const SIGNATURE = 'Форум экспертов и поддержки ФИС ОКО'

export function forumNotification(props: ForumNotificationProps): RenderedMail {
  const title = props.topicTitle.replace(/\s+/g, ' ').trim()
  const shortTitle = title.length > 120 ? `${title.slice(0, 119)}…` : title
  const text = join(
    greeting(props.recipientName),
    props.text.trim(),
    `Тема: «${shortTitle}»`,
    `Открыть обсуждение: ${props.url}`,
    [
      '--',
      SIGNATURE,
      'Это автоматическое письмо, отвечать на него не нужно: ответ пишите на форуме.',
      `Какие уведомления приходят на почту, можно выбрать в личном кабинете: ${props.settingsUrl}`,
    ].join('\n'),
  )
  return { subject: `${SUBJECTS[props.kind]}: ${shortTitle}`, text }
}

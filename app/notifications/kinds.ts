// Notification kinds and preferences: shared by the server and the settings page.
export const NOTIFICATION_KINDS = ['answered', 'resolved', 'mention', 'reply'] as const
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  answered: 'На мой вопрос ответили',
  resolved: 'Мой вопрос решён (дан официальный ответ)',
  mention: 'Меня упомянули (@логин)',
  reply: 'Ответили на моё сообщение или в теме, на которую я подписан',
}

export type Channel = { web: boolean; email: boolean }
export type NotificationPreferences = Record<NotificationKind, Channel>

/** Answers and resolutions matter most: on the web and by mail. Mentions and replies: on the web only. */
export const DEFAULT_PREFERENCES: NotificationPreferences = {
  answered: { web: true, email: true },
  resolved: { web: true, email: true },
  mention: { web: true, email: false },
  reply: { web: true, email: false },
}

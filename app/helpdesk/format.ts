// How the desk shows times and SLA states (server and browser alike: the
// time zone is fixed, so the server's HTML and the browser's agree).
import type { SlaStatus } from './sla'

const DATE_TIME = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' })
const DATE = new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', day: '2-digit', month: '2-digit', year: 'numeric' })

export function formatDateTime(at: string | Date | null | undefined) {
  return at ? DATE_TIME.format(new Date(at)) : '—'
}

export function formatDate(at: string | Date | null | undefined) {
  return at ? DATE.format(new Date(at)) : '—'
}

/** 45 мин · 2 ч 10 мин · 3 дн 4 ч */
export function formatMinutes(minutes: number | null | undefined) {
  if (minutes === null || minutes === undefined) return '—'
  const m = Math.round(minutes)
  if (m < 60) return `${m} мин`
  if (m < 24 * 60) return `${Math.floor(m / 60)} ч${m % 60 ? ` ${m % 60} мин` : ''}`
  const days = Math.floor(m / (24 * 60))
  const hours = Math.floor((m % (24 * 60)) / 60)
  return `${days} дн${hours ? ` ${hours} ч` : ''}`
}

export function formatSize(bytes: number) {
  if (bytes < 1024) return `${bytes} Б`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} КБ`
  return `${(bytes / 1024 / 1024).toFixed(1)} МБ`
}

/** The badge of the queue's SLA column: late right now first, then paused, due soon, or fine. */
export function slaBadge(
  sla: { firstResponse: SlaStatus; resolution: SlaStatus },
  done: { responded: boolean; resolved: boolean },
): { cls: string; text: string; overdue: boolean } {
  if (sla.firstResponse === 'overdue' && !done.responded) return { cls: 'err', text: 'просрочен первый ответ', overdue: true }
  if (sla.resolution === 'overdue' && !done.resolved) return { cls: 'err', text: 'просрочено решение', overdue: true }
  if (done.resolved) return sla.resolution === 'met' ? { cls: 'ok', text: 'решено в срок', overdue: false } : { cls: 'warn', text: 'решено с опозданием', overdue: false }
  if (sla.firstResponse === 'paused' || sla.resolution === 'paused') return { cls: '', text: 'пауза: ждём заявителя', overdue: false }
  if (sla.firstResponse === 'soon' || sla.resolution === 'soon') return { cls: 'warn', text: 'срок меньше часа', overdue: false }
  return { cls: 'ok', text: 'в срок', overdue: false }
}

export const SLA_LABELS: Record<SlaStatus, string> = {
  ok: 'в срок',
  soon: 'срок истекает в течение часа',
  overdue: 'просрочено',
  paused: 'на паузе: ждём заявителя',
  met: 'выполнено',
}

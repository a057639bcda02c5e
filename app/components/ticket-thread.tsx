// Pieces of the desk and the requesters' pages: the state badge, a thread of
// messages with attachments. Letters are shown as their plain shown text;
// the sanitised HTML (safeHtml, already cleaned at intake) only on request.
import type { TicketMessageKind, TicketState } from '~/generated/prisma/enums'
import { formatDateTime, formatSize } from '~/helpdesk/format'
import { STATE_LABELS } from '~/helpdesk/states'

export function StateBadge({ state }: { state: TicketState }) {
  const cls = state === 'NEW' ? 'warn' : state === 'WAITING_INFO' ? 'err' : state === 'RESOLVED' || state === 'CLOSED' ? 'ok' : ''
  return (
    <span className={`badge ${cls}`} data-state={state}>
      {STATE_LABELS[state]}
    </span>
  )
}

export interface ThreadAttachment {
  id: number
  filename: string
  contentType: string
  size: number
  redactedAt?: string | null
}

export interface ThreadMessage {
  id: number
  kind: TicketMessageKind
  who: string
  detail?: string | null
  createdAt: string
  shownText: string
  /** The full decoded text, when it differs from the shown one (quotes, signature). */
  fullText?: string | null
  safeHtml?: string | null
  attachments: ThreadAttachment[]
  isNew?: boolean
}

const KIND_LABELS: Record<TicketMessageKind, string> = {
  INBOUND: 'Заявитель',
  OUTBOUND: 'Ответ',
  NOTE: 'Внутренняя заметка',
  SYSTEM: 'Событие',
}

/** Raster images are previewed inline; the server checks the bytes again before serving them inline. */
const PREVIEW = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp'])

export function Attachments({ files }: { files: ThreadAttachment[] }) {
  if (files.length === 0) return null
  return (
    <ul className="attachments" aria-label="Вложения">
      {files.map((a) =>
        a.redactedAt ? (
          <li key={a.id} className="hint small">
            {a.filename}: удалён модератором (персональные данные)
          </li>
        ) : (
          <li key={a.id}>
            <a href={`/cabinet/support/attachments/${a.id}`} download={a.filename} data-testid="attachment">
              {PREVIEW.has(a.contentType) ? <img src={`/cabinet/support/attachments/${a.id}?inline=1`} alt={`Вложение ${a.filename}`} loading="lazy" /> : null}
              {a.filename}
            </a>{' '}
            <span className="hint small">({formatSize(a.size)})</span>
          </li>
        ),
      )}
    </ul>
  )
}

export function Thread({ messages, staff }: { messages: ThreadMessage[]; staff: boolean }) {
  return (
    <ol className="thread" aria-label="Переписка">
      {messages.map((m) =>
        m.kind === 'SYSTEM' ? (
          <li key={m.id} className="msg kind-SYSTEM" data-testid="message" data-kind={m.kind} data-id={m.id}>
            {formatDateTime(m.createdAt)} · {m.shownText}
          </li>
        ) : (
          <li key={m.id} className={`msg kind-${m.kind}${m.isNew ? ' is-new' : ''}`} data-testid="message" data-kind={m.kind} data-id={m.id}>
            <div className="msg-head">
              <strong>{m.who}</strong>
              {staff ? <span>{KIND_LABELS[m.kind]}</span> : null}
              {m.detail ? <span>{m.detail}</span> : null}
              <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
              {m.isNew ? <span className="badge warn">новое</span> : null}
            </div>
            <p className="msg-text">{m.shownText || '(пустое сообщение)'}</p>
            <Attachments files={m.attachments} />
            {m.fullText ? (
              <details>
                <summary>Письмо полностью (с цитатами и подписью)</summary>
                <p className="msg-text">{m.fullText}</p>
              </details>
            ) : null}
            {m.safeHtml ? (
              <details>
                <summary>Оформление письма</summary>
                {/* Sanitised at intake (app/helpdesk/safe-html.ts): an allow-list without scripts, styles, forms or remote images. */}
                <div className="letter-html" dangerouslySetInnerHTML={{ __html: m.safeHtml }} />
              </details>
            ) : null}
          </li>
        ),
      )}
    </ol>
  )
}

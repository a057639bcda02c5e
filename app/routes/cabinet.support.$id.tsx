// One ticket. Desk staff see the whole thread (notes and history included),
// who else has it open, and the tools: reply with canned texts (warned when
// a message arrived while they wrote), note, assignment, state, priority,
// tags, forum links, merge, the intake verdict and the organisation's
// history. Requesters see the conversation, what is still missing, and a
// reply box; their replies join the same thread as their letters.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import { z } from 'zod'
import { orgLabel } from '~/accounts/logins'
import { ORG_KIND_LABELS, hasSection } from '~/accounts/roles'
import { requireUser } from '~/accounts/session.server'
import { BankPanel } from '~/components/bank-panel'
import { ChoiceField } from '~/components/choice-field'
import { useTicketLive } from '~/components/desk-live'
import { StateBadge, Thread, type ThreadMessage } from '~/components/ticket-thread'
import { TicketPriority, TicketState } from '~/generated/prisma/enums'
import styles from '~/helpdesk/desk.css'
import { CHANNEL_LABELS, ForumLinks, NoteText, ReplyText, STATES_AFTER_REPLY, TagList } from '~/helpdesk/desk-query'
import { isDeskStaff, parseTicketId } from '~/helpdesk/desk-scope.server'
import { SLA_LABELS, formatDateTime } from '~/helpdesk/format'
import { getRequesterTicket } from '~/helpdesk/my-tickets.server'
import { RULE_TITLES } from '~/helpdesk/rules'
import { safeHtml } from '~/helpdesk/safe-html'
import { PRIORITY_LABELS, STATE_LABELS } from '~/helpdesk/states'
import {
  addNote,
  assignTicket,
  getDeskTicket,
  mergeTickets,
  replyToTicket,
  setForumLinks,
  setTicketPriority,
  setTicketState,
  setTicketTags,
  takeTicket,
} from '~/helpdesk/tickets.server'
import { readFormWithFiles } from '~/helpdesk/uploads.server'
import bankStyles from '~/search/answers.css'
import { seedQuery } from '~/search/desk-bank'
import { replyFromCabinet } from '~/helpdesk/web-ticket.server'
import { clientIp } from '~/utils/http.server'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: styles },
  { rel: 'stylesheet', href: bankStyles },
]
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `№${data.ticket.id} ${data.ticket.subject} — Техподдержка` : 'Обращение — Техподдержка' }]

/** Inline images of a letter (cid:) point at the attachment download, which checks access again. */
function linkInlineImages(html: string | null, attachments: { id: number; contentId: string | null; redactedAt: Date | null }[]) {
  if (!html) return null
  return html.replace(/(<img\b[^>]*\bsrc=")cid:([^"]+)"/gi, (whole, start: string, cid: string) => {
    const a = attachments.find((x) => !x.redactedAt && x.contentId && x.contentId.replace(/^<|>$/g, '') === cid)
    return a ? `${start}/cabinet/support/attachments/${a.id}?inline=1"` : whole
  })
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  if (!hasSection(user.role, 'support')) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  const meta = { ip: clientIp(context) }
  if (!isDeskStaff(user.role)) {
    const view = await getRequesterTicket(user, params.id, meta)
    const messages: ThreadMessage[] = view.messages.map((m) => ({
      id: m.id,
      kind: m.kind,
      who: m.who,
      createdAt: m.createdAt.toISOString(),
      shownText: m.shownText,
      attachments: m.attachments,
    }))
    return json({ view: 'requester' as const, ticket: view.ticket, missing: view.missing, messages })
  }
  const d = await getDeskTicket(user, params.id, meta)
  const t = d.ticket
  const messages: (ThreadMessage & { authorId: number | null })[] = t.messages.map((m) => ({
    id: m.id,
    kind: m.kind,
    authorId: m.author?.id ?? null,
    who:
      m.kind === 'INBOUND'
        ? [m.fromName, m.fromAddress].filter(Boolean).join(' ') || 'Заявитель'
        : m.author
          ? `${m.author.fullName} (${m.author.login})`
          : m.kind === 'OUTBOUND'
            ? 'Автоматическое письмо'
            : 'Система',
    detail:
      m.kind === 'OUTBOUND'
        ? `кому: ${m.toAddress ?? 'только в кабинете'}${m.sentAt ? '' : m.sendError ? ` · не отправлено: ${m.sendError}` : ' · в очереди на отправку'}`
        : null,
    createdAt: m.createdAt.toISOString(),
    shownText: m.shownText,
    fullText: m.kind === 'INBOUND' && m.text.trim() !== m.shownText.trim() ? m.text : null,
    // Sanitised at intake already; again here, so a row written any other way cannot carry script.
    safeHtml: m.kind === 'INBOUND' ? linkInlineImages(safeHtml(m.safeHtml), m.attachments) : null,
    attachments: m.attachments.map((a) => ({ id: a.id, filename: a.filename, contentType: a.contentType, size: a.size, redactedAt: a.redactedAt?.toISOString() ?? null })),
  }))
  const { messages: _m, ...ticket } = t
  return json({
    view: 'desk' as const,
    me: user.id,
    ticket,
    messages,
    sla: d.sla,
    transitions: d.transitions,
    lastMessageId: d.lastMessageId,
    orgHistory: d.orgHistory,
    agents: d.agents,
    canned: d.canned,
    readyAnswer: d.readyAnswer,
    canWork: d.canWork,
  })
}

type ActionResult =
  | { ok: true; intent: string; notice?: string }
  | { ok: false; intent: string; error: string }
  | { ok: false; intent: 'reply'; collision: { lastMessageId: number; messages: { id: number; author: string; shownText: string; createdAt: string }[] } }

/** The message of a refusal: plain text, or the intake's `{ errors: { field: message } }`. */
async function refusal(response: Response) {
  const body = await response.text()
  if (!response.headers.get('Content-Type')?.includes('json')) return body
  try {
    const errors = (JSON.parse(body) as { errors?: Record<string, string> }).errors ?? {}
    return Object.values(errors).join(' ') || 'Неверные данные.'
  } catch {
    return body
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request)
  const meta = { ip: clientIp(context) }
  const parsed = await readFormWithFiles(request)
  if (parsed.status === 'error') return json<ActionResult>({ ok: false, intent: 'reply', error: parsed.message }, { status: 400 })
  const { form, files } = parsed
  const intent = String(form.get('intent') ?? '')
  const id = params.id
  const fail = (error: string, status = 400) => json<ActionResult>({ ok: false, intent, error }, { status })
  try {
    if (!isDeskStaff(user.role)) {
      if (intent !== 'reply') return fail('Неизвестное действие.')
      const text = ReplyText.safeParse(form.get('text') ?? '')
      if (!text.success) return fail(text.error.issues[0].message)
      const ticketId = parseTicketId(id)
      if (!ticketId) throw new Response('Обращение не найдено.', { status: 404 })
      await replyFromCabinet(user, ticketId, { text: text.data, files })
      return json<ActionResult>({ ok: true, intent, notice: 'Сообщение отправлено в техподдержку.' })
    }
    switch (intent) {
      case 'reply': {
        const text = ReplyText.safeParse(form.get('text') ?? '')
        if (!text.success) return fail(text.error.issues[0].message)
        const state = z.enum(STATES_AFTER_REPLY as [TicketState, ...TicketState[]]).safeParse(form.get('state'))
        const lastSeen = Number(form.get('lastSeenId'))
        const result = await replyToTicket(
          user,
          id,
          { text: text.data, state: state.success ? state.data : undefined, lastSeenMessageId: Number.isSafeInteger(lastSeen) ? lastSeen : 0, confirm: form.get('confirm') === '1', files },
          meta,
        )
        if (result.status === 'collision') {
          return json<ActionResult>(
            {
              ok: false,
              intent,
              collision: { lastMessageId: result.lastMessageId, messages: result.messages.map((m) => ({ id: m.id, author: m.author, shownText: m.shownText, createdAt: m.createdAt.toISOString() })) },
            },
            // Not an error: the page asks the agent to read and confirm.
            { status: 200 },
          )
        }
        return json<ActionResult>({ ok: true, intent, notice: 'Ответ отправлен заявителю.' })
      }
      case 'note': {
        const text = NoteText.safeParse(form.get('text') ?? '')
        if (!text.success) return fail(text.error.issues[0].message)
        await addNote(user, id, text.data, meta)
        return json<ActionResult>({ ok: true, intent, notice: 'Заметка добавлена.' })
      }
      case 'take':
        await takeTicket(user, id, meta)
        return json<ActionResult>({ ok: true, intent })
      case 'assign': {
        const raw = String(form.get('assigneeId') ?? '')
        const assigneeId = raw === '' ? null : parseTicketId(raw)
        if (raw !== '' && assigneeId === null) return fail('Выберите исполнителя.')
        await assignTicket(user, id, assigneeId, meta)
        return json<ActionResult>({ ok: true, intent })
      }
      case 'state': {
        const state = z.nativeEnum(TicketState).safeParse(form.get('state'))
        if (!state.success) return fail('Выберите состояние.')
        await setTicketState(user, id, state.data, meta)
        return json<ActionResult>({ ok: true, intent })
      }
      case 'priority': {
        const priority = z.nativeEnum(TicketPriority).safeParse(form.get('priority'))
        if (!priority.success) return fail('Выберите приоритет.')
        await setTicketPriority(user, id, priority.data, meta)
        return json<ActionResult>({ ok: true, intent })
      }
      case 'tags': {
        const tags = TagList.safeParse(form.get('tags') ?? '')
        if (!tags.success) return fail(tags.error.issues[0].message)
        await setTicketTags(user, id, tags.data, meta)
        return json<ActionResult>({ ok: true, intent })
      }
      case 'links': {
        const links = ForumLinks.safeParse(form.get('links') ?? '')
        if (!links.success) return fail(links.error.issues[0].message)
        await setForumLinks(user, id, links.data, meta)
        return json<ActionResult>({ ok: true, intent })
      }
      case 'merge': {
        const target = parseTicketId(form.get('target'))
        if (!target) return fail('Укажите номер обращения, с которым объединить.')
        await mergeTickets(user, id, target, meta)
        return json<ActionResult>({ ok: true, intent, notice: `Обращение объединено с №${target}.` })
      }
      default:
        return fail('Неизвестное действие.')
    }
  } catch (error) {
    // Expected refusals (a transition not allowed, a ticket already merged…) are shown next to the form.
    if (error instanceof Response && [400, 409].includes(error.status)) return fail(await refusal(error), error.status)
    throw error
  }
}

export default function TicketPage() {
  const data = useLoaderData<typeof loader>()
  return data.view === 'desk' ? <DeskTicket key={data.ticket.id} /> : <RequesterTicket key={data.ticket.id} />
}

// --- Requesters --------------------------------------------------------------

function RequesterTicket() {
  const data = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const nav = useNavigation()
  const busy = nav.state === 'submitting'
  const formRef = useRef<HTMLFormElement>(null)
  const t = data.ticket
  useTicketLive(t.id, { me: -1 })
  useEffect(() => {
    if (result?.ok && result.intent === 'reply') formRef.current?.reset()
  }, [result])
  if (data.view !== 'requester') return null
  const closed = t.state === 'CLOSED' || data.ticket.mergedIntoId !== null
  return (
    <>
      <p>
        <Link to="/cabinet/support">← Мои обращения</Link>
      </p>
      <h1>
        Обращение №{t.id}: {t.subject || '(без темы)'}
      </h1>
      <p className="ticket-meta">
        <StateBadge state={t.state} />
        {t.study ? <span>{t.study}</span> : null}
        {t.organization ? <span>{orgLabel(t.organization)}</span> : null}
        <span>создано {formatDateTime(t.createdAt)}</span>
      </p>
      {data.ticket.mergedIntoId ? (
        <p className="alert alert-info">
          Это обращение объединено с обращением <Link to={`/cabinet/support/${data.ticket.mergedIntoId}`}>№{data.ticket.mergedIntoId}</Link>: переписка продолжается там.
        </p>
      ) : null}
      {data.missing.length ? (
        <div className="alert alert-warn" data-testid="missing">
          <p>
            <strong>Чтобы мы могли помочь, укажите: {data.missing.map((m) => m.title.toLowerCase()).join(', ')}.</strong>
          </p>
          <ul>
            {data.missing.map((m) => (
              <li key={m.rule}>{m.hint || m.title}</li>
            ))}
          </ul>
          <p className="small">Ответьте ниже или на письмо техподдержки — мы проверим обращение ещё раз.</p>
        </div>
      ) : null}
      <Thread messages={data.messages} staff={false} />
      {closed ? (
        <p className="alert alert-info">Обращение закрыто. Если проблема повторилась, создайте новое обращение.</p>
      ) : (
        <Form method="post" encType="multipart/form-data" className="card reply" ref={formRef}>
          <h2>Ответить</h2>
          {result && !result.ok && 'error' in result ? (
            <p className="alert alert-error" role="alert">
              {result.error}
            </p>
          ) : null}
          {result?.ok ? (
            <p className="alert alert-success" role="status">
              {result.notice}
            </p>
          ) : null}
          <input type="hidden" name="intent" value="reply" />
          <label className="field">
            <span>Сообщение</span>
            <textarea name="text" required maxLength={50_000} data-testid="reply-text" />
          </label>
          <label className="field">
            <span>Снимки экрана и файлы (до 10 файлов, до 10 МБ каждый)</span>
            <input type="file" name="files" multiple />
          </label>
          <p className="hint small">
            Не прикладывайте списки с фамилиями учеников, коды участников и фотографии работ с именами: это персональные данные (152-ФЗ). Закройте их на снимке экрана.
          </p>
          <button type="submit" className="button primary" disabled={busy}>
            Отправить
          </button>
        </Form>
      )}
    </>
  )
}

// --- The desk ----------------------------------------------------------------

function DeskTicket() {
  const data = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const nav = useNavigation()
  const busy = nav.state === 'submitting'
  const replyRef = useRef<HTMLFormElement>(null)
  const textRef = useRef<HTMLTextAreaElement>(null)
  const noteRef = useRef<HTMLFormElement>(null)
  // The newest message the agent has acknowledged: set when the page opens,
  // moved on only by sending or by «Прочитано». Messages that arrive live
  // after it are marked, and a reply written before them is refused.
  const [seenId, setSeenId] = useState(data.view === 'desk' ? data.lastMessageId : 0)
  const me = data.view === 'desk' ? data.me : 0
  const viewers = useTicketLive(data.ticket.id, { me })
  useEffect(() => {
    if (data.view !== 'desk' || !result?.ok) return
    if (result.intent === 'reply') {
      replyRef.current?.reset()
      setSeenId(data.lastMessageId)
    }
    if (result.intent === 'note') noteRef.current?.reset()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result])
  if (data.view !== 'desk') return null
  const t = data.ticket
  const collision = result && !result.ok && 'collision' in result ? result.collision : null
  const newer = data.messages.filter((m) => m.id > seenId && m.kind !== 'SYSTEM' && m.authorId !== me)
  const newIds = new Set(newer.map((m) => m.id))
  const error = (intent: string) => (result && !result.ok && 'error' in result && result.intent === intent ? result.error : null)
  const verdict = t.verdict
  const merged = t.mergedInto

  return (
    <>
      <p>
        <Link to="/cabinet/support">← Очередь</Link>
      </p>
      <h1>
        №{t.id}: {t.subject || '(без темы)'}
      </h1>
      <div className="ticket-meta">
        <StateBadge state={t.state} />
        <span>приоритет: {PRIORITY_LABELS[t.priority].toLowerCase()}</span>
        <span>{t.study ?? 'без исследования'}</span>
        <span>{CHANNEL_LABELS[t.channel] ?? t.channel}</span>
        <span>создано {formatDateTime(t.createdAt)}</span>
        {t.tags.map((tag) => (
          <span key={tag} className="badge">
            {tag}
          </span>
        ))}
      </div>
      {viewers.length ? (
        <p className="alert alert-warn presence" role="status" data-testid="presence">
          Также открыт: {viewers.map((v) => `${v.name} (${v.login})`).join(', ')}
        </p>
      ) : null}
      {merged ? (
        <p className="alert alert-info">
          Объединено с обращением <Link to={`/cabinet/support/${merged.id}`}>№{merged.id} «{merged.subject}»</Link>: работайте там.
        </p>
      ) : null}
      {result?.ok && result.notice ? (
        <p className="alert alert-success" role="status" data-testid="action-notice">
          {result.notice}
        </p>
      ) : null}

      <div className="ticket-layout">
        <div>
          <Thread messages={data.messages.map((m) => ({ ...m, isNew: newIds.has(m.id) }))} staff />

          {data.canWork && !merged ? (
            <BankPanel seed={seedQuery(t.subject, data.messages.find((m) => m.kind === 'INBOUND')?.shownText)} reply={textRef} />
          ) : null}
          {data.canWork && !merged ? (
            <Form method="post" encType="multipart/form-data" className="card reply" ref={replyRef} aria-labelledby="reply-title">
              <h2 id="reply-title">Ответ заявителю</h2>
              {newer.length && !collision ? (
                <div className="alert alert-warn" role="status" data-testid="new-messages">
                  Пока обращение открыто у вас, в нём появились новые сообщения ({newer.length}) — они отмечены «новое». Прочитайте их перед ответом.{' '}
                  <button type="button" className="button small" onClick={() => setSeenId(data.lastMessageId)}>
                    Прочитано
                  </button>
                </div>
              ) : null}
              {collision ? (
                <div className="alert alert-error" role="alert" data-testid="collision">
                  <p>
                    <strong>Ответ не отправлен: пока вы его писали, в обращении появились новые сообщения.</strong> Прочитайте их; если ответ всё ещё уместен, отправьте его.
                  </p>
                  <ul>
                    {collision.messages.map((m) => (
                      <li key={m.id}>
                        {m.author}, {formatDateTime(m.createdAt)}: «{m.shownText.length > 300 ? `${m.shownText.slice(0, 300)}…` : m.shownText}»
                      </li>
                    ))}
                  </ul>
                  <button type="submit" name="confirm" value="1" className="button danger" disabled={busy}>
                    Всё равно отправить
                  </button>
                </div>
              ) : null}
              {error('reply') ? (
                <p className="alert alert-error" role="alert">
                  {error('reply')}
                </p>
              ) : null}
              <input type="hidden" name="intent" value="reply" />
              <input type="hidden" name="lastSeenId" value={seenId} />
              {data.canned.length ? (
                <label className="field">
                  <span>Шаблон ответа</span>
                  <select
                    defaultValue=""
                    onChange={(e) => {
                      const c = data.canned.find((x) => String(x.id) === e.currentTarget.value)
                      if (c && textRef.current) {
                        const el = textRef.current
                        el.value = el.value.trim() ? `${el.value.trimEnd()}\n\n${c.text}` : c.text
                        el.focus()
                      }
                      e.currentTarget.value = ''
                    }}
                    data-testid="canned"
                  >
                    <option value="">Вставить шаблон…</option>
                    {data.canned.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.title}
                        {c.study ? ` (${c.study})` : ''}
                      </option>
                    ))}
                  </select>
                </label>
              ) : null}
              <label className="field">
                <span>Текст ответа</span>
                <textarea name="text" ref={textRef} required maxLength={50_000} data-testid="reply-text" />
              </label>
              <div className="row">
                <ChoiceField label="После ответа" name="state" values={STATES_AFTER_REPLY} labels={STATE_LABELS} defaultValue="WAITING_REQUESTER" />
                <label className="field">
                  <span>Файлы</span>
                  <input type="file" name="files" multiple />
                </label>
                <button type="submit" className="button primary" disabled={busy}>
                  Отправить ответ
                </button>
              </div>
            </Form>
          ) : null}

          <Form method="post" className="card note" ref={noteRef} aria-labelledby="note-title">
            <h2 id="note-title">Внутренняя заметка</h2>
            <p className="hint small">Видна только сотрудникам, заявителю не отправляется.</p>
            {error('note') ? (
              <p className="alert alert-error" role="alert">
                {error('note')}
              </p>
            ) : null}
            <input type="hidden" name="intent" value="note" />
            <label className="field">
              <span className="visually-hidden">Текст заметки</span>
              <textarea name="text" required maxLength={20_000} data-testid="note-text" />
            </label>
            <button type="submit" className="button" disabled={busy}>
              Добавить заметку
            </button>
          </Form>
        </div>

        <aside className="ticket-side" aria-label="Свойства обращения">
          <section className="card">
            <h2>Исполнитель и состояние</h2>
            <p>
              Исполнитель: <strong data-testid="assignee">{t.assignee ? t.assignee.fullName : 'никто'}</strong>
            </p>
            {data.canWork && !merged ? (
              <>
                {t.assignee?.id !== data.me ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="take" />
                    <button type="submit" className="button small" disabled={busy}>
                      Взять себе
                    </button>
                  </Form>
                ) : null}
                <Form method="post" className="toolbar">
                  <input type="hidden" name="intent" value="assign" />
                  <label className="field">
                    <span>Назначить</span>
                    <select name="assigneeId" defaultValue={t.assignee?.id ?? ''}>
                      <option value="">никому</option>
                      {data.agents.map((a) => (
                        <option key={a.id} value={a.id}>
                          {a.fullName}
                        </option>
                      ))}
                    </select>
                  </label>
                  <button type="submit" className="button small" disabled={busy}>
                    OK
                  </button>
                </Form>
                {error('assign') ? <p className="field-error">{error('assign')}</p> : null}
                {data.transitions.length ? (
                  <Form method="post" className="toolbar">
                    <input type="hidden" name="intent" value="state" />
                    <ChoiceField label="Перевести в" name="state" values={data.transitions} labels={STATE_LABELS} defaultValue={data.transitions[0]!} />
                    <button type="submit" className="button small" disabled={busy}>
                      OK
                    </button>
                  </Form>
                ) : null}
                {error('state') ? <p className="field-error">{error('state')}</p> : null}
                <Form method="post" className="toolbar">
                  <input type="hidden" name="intent" value="priority" />
                  <ChoiceField label="Приоритет" name="priority" values={Object.keys(PRIORITY_LABELS) as (keyof typeof PRIORITY_LABELS)[]} labels={PRIORITY_LABELS} defaultValue={t.priority} />
                  <button type="submit" className="button small" disabled={busy}>
                    OK
                  </button>
                </Form>
              </>
            ) : null}
            <dl className="small">
              <dt>Первый ответ</dt>
              <dd>
                {t.firstResponseAt ? `дан ${formatDateTime(t.firstResponseAt)}` : `до ${formatDateTime(t.firstResponseDueAt)}`} — {SLA_LABELS[data.sla.firstResponse]}
              </dd>
              <dt>Решение</dt>
              <dd>
                {t.resolvedAt ? `решено ${formatDateTime(t.resolvedAt)}` : `до ${formatDateTime(t.resolutionDueAt)}`} — {SLA_LABELS[data.sla.resolution]}
              </dd>
            </dl>
          </section>

          <section className="card">
            <h2>Заявитель и организация</h2>
            <p className="small">
              {t.requester ? `${t.requester.fullName} (${t.requester.login})` : (t.requesterName ?? '')} {t.requesterEmail ? <span>{t.requesterEmail}</span> : null}
            </p>
            {t.participants.length ? <p className="small hint">Участники переписки: {t.participants.map((p) => p.email).join(', ')}</p> : null}
            {t.organization ? (
              <>
                <p>
                  <Link to={`/cabinet/orgs/${t.organization.id}`}>{orgLabel(t.organization)}</Link>
                  <br />
                  <span className="hint small">
                    {ORG_KIND_LABELS[t.organization.kind]}
                    {t.organization.municipality && t.organization.municipality.id !== t.organization.id ? ` · ${orgLabel(t.organization.municipality)}` : ''}
                    {t.organization.region && t.organization.region.id !== t.organization.id ? ` · ${orgLabel(t.organization.region)}` : ''}
                  </span>
                </p>
                <h3 className="small">
                  Другие обращения организации ({data.orgHistory.total}){' '}
                  {data.orgHistory.total ? <Link to={`/cabinet/support?state=all&sort=new&org=${encodeURIComponent(t.organization.login)}`}>все в очереди</Link> : null}
                </h3>
                {data.orgHistory.tickets.length ? (
                  <ul className="history" data-testid="org-history">
                    {data.orgHistory.tickets.map((h) => (
                      <li key={h.id}>
                        <Link to={`/cabinet/support/${h.id}`}>
                          №{h.id} {h.subject}
                        </Link>{' '}
                        <span className="hint">
                          {formatDateTime(h.createdAt)} · {STATE_LABELS[h.state]}
                        </span>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="hint small">Других обращений нет.</p>
                )}
              </>
            ) : (
              <p className="hint small">Организация не определена: логин в письме не найден.</p>
            )}
          </section>

          {verdict ? (
            <section className="card">
              <h2>Проверка правил обращения</h2>
              <ul className="rules" data-testid="verdict">
                {verdict.rules.map((r) => (
                  <li key={r.rule}>
                    <span className={`badge ${r.met ? 'ok' : 'err'}`}>{r.met ? 'есть' : 'нет'}</span> {RULE_TITLES[r.rule]}: <span className="hint">{r.evidence}</span>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}

          <section className="card">
            <h2>Метки и ссылки</h2>
            {data.canWork && !merged ? (
              <>
                <Form method="post">
                  <input type="hidden" name="intent" value="tags" />
                  <label className="field">
                    <span>Метки через запятую</span>
                    <input name="tags" defaultValue={t.tags.join(', ')} maxLength={900} />
                  </label>
                  {error('tags') ? <p className="field-error">{error('tags')}</p> : null}
                  <button type="submit" className="button small" disabled={busy}>
                    Сохранить метки
                  </button>
                </Form>
                <Form method="post">
                  <input type="hidden" name="intent" value="links" />
                  <label className="field">
                    <span>Темы на форуме (по ссылке в строке)</span>
                    <textarea name="links" defaultValue={t.forumLinks.join('\n')} rows={3} />
                  </label>
                  {error('links') ? <p className="field-error">{error('links')}</p> : null}
                  <button type="submit" className="button small" disabled={busy}>
                    Сохранить ссылки
                  </button>
                </Form>
              </>
            ) : null}
            {t.forumLinks.length ? (
              <ul className="history">
                {t.forumLinks.map((l) => (
                  <li key={l}>
                    <a href={l} rel="noopener noreferrer nofollow" target="_blank">
                      {l}
                    </a>
                  </li>
                ))}
              </ul>
            ) : null}
          </section>

          {data.canWork && !merged ? (
            <section className="card">
              <h2>Объединить</h2>
              <Form method="post">
                <input type="hidden" name="intent" value="merge" />
                <label className="field">
                  <span>Перенести это обращение в обращение №</span>
                  <input name="target" inputMode="numeric" pattern="#?[0-9]+" required />
                </label>
                {error('merge') ? <p className="field-error">{error('merge')}</p> : null}
                <button type="submit" className="button small" disabled={busy}>
                  Объединить
                </button>
              </Form>
              {t.mergedFrom.length ? (
                <p className="small hint">
                  Присоединены: {t.mergedFrom.map((m) => `№${m.id}`).join(', ')}
                </p>
              ) : null}
            </section>
          ) : null}

          {data.canWork && (t.state === 'RESOLVED' || t.state === 'CLOSED') && !merged ? (
            <section className="card">
              <h2>Банк ответов</h2>
              {data.readyAnswer ? (
                <p className="small">
                  Ответ уже сделан (№{data.readyAnswer.id}, {data.readyAnswer.status === 'published' ? 'опубликован' : 'черновик'}).
                </p>
              ) : null}
              <Link to={`/cabinet/support/${t.id}/answer`} className="button small">
                {data.readyAnswer ? 'Изменить ответ для банка' : 'Сделать ответ для банка'}
              </Link>
            </section>
          ) : null}
        </aside>
      </div>
    </>
  )
}

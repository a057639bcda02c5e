// «Техподдержка». Support agents, administrators and ФИОКО get the desk:
// queues per study, filters, state counts, SLA highlighting, bulk actions,
// live refresh. Coordinators get «Мои обращения»: the tickets of their
// organisation (and of those in their scope) and «Новое обращение».
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react'
import { useState } from 'react'
import { z } from 'zod'
import { orgLabel } from '~/accounts/logins'
import { hasSection } from '~/accounts/roles'
import { requireUser } from '~/accounts/session.server'
import { useDeskLive } from '~/components/desk-live'
import { StateBadge } from '~/components/ticket-thread'
import { ChoiceField } from '~/components/choice-field'
import { Pager } from '~/components/pager'
import styles from '~/helpdesk/desk.css'
import { CHANNEL_LABELS, QUEUE_LABELS, QUEUES, SORT_LABELS, Tag, TICKET_STATES, parseDeskFilters } from '~/helpdesk/desk-query'
import { deskRoleOf, isAgent, parseTicketId } from '~/helpdesk/desk-scope.server'
import { formatDateTime, slaBadge } from '~/helpdesk/format'
import { listRequesterTickets, MY_PAGE_SIZE } from '~/helpdesk/my-tickets.server'
import { PRIORITY_LABELS, STATE_LABELS } from '~/helpdesk/states'
import { BULK_LIMIT, PAGE_SIZE, bulkUpdate, distributeNewTickets, listDeskTickets, setRoundRobin, type BulkAction } from '~/helpdesk/tickets.server'
import { TicketState } from '~/generated/prisma/enums'
import { clientIp } from '~/utils/http.server'
import { logger } from '~/utils/logger.server'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction = () => [{ title: 'Техподдержка — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  if (!hasSection(user.role, 'support')) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  const url = new URL(request.url)
  if (deskRoleOf(user.role) === 'requester') {
    const page = Math.max(1, Math.min(10_000, Number(url.searchParams.get('page')) || 1))
    const mine = url.searchParams.get('mine') === '1'
    const result = await listRequesterTickets(user, { mine, page })
    return json({ view: 'requester' as const, ...result, mine, scoped: user.role !== 'SCHOOL_COORDINATOR', pageSize: MY_PAGE_SIZE })
  }
  // Round-robin catches up whenever the desk is looked at (and every minute from the job queue).
  await distributeNewTickets().catch((error) => logger.warn({ err: error }, 'desk: round-robin failed'))
  const filters = parseDeskFilters(url.searchParams)
  const result = await listDeskTickets(user, filters)
  return json({ view: 'desk' as const, filters, ...result, me: user.id, canWork: isAgent(user.role), pageSize: PAGE_SIZE })
}

const BulkForm = z.discriminatedUnion('op', [
  z.object({ op: z.literal('assign'), assignee: z.string() }),
  z.object({ op: z.literal('state'), state: z.nativeEnum(TicketState, { errorMap: () => ({ message: 'Выберите состояние' }) }) }),
  z.object({ op: z.literal('tag'), tag: Tag }),
  z.object({ op: z.literal('close') }),
])

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request)
  const form = await request.formData()
  const meta = { ip: clientIp(context) }
  const intent = form.get('intent')
  if (intent === 'roundRobin') {
    const queue = z.enum(QUEUES).safeParse(form.get('queue'))
    if (!queue.success) return json({ error: 'Выберите очередь.' }, { status: 400 })
    try {
      await setRoundRobin(user, queue.data, form.get('on') === '1')
    } catch (error) {
      if (error instanceof Response) return json({ error: await error.text() }, { status: error.status })
      throw error
    }
    return json({ notice: form.get('on') === '1' ? `Новые обращения очереди «${QUEUE_LABELS[queue.data]}» распределяются по кругу.` : 'Распределение по кругу выключено.' })
  }
  const ids = form.getAll('ids').map(parseTicketId).filter((id): id is number => id !== null)
  if (ids.length === 0) return json({ error: 'Отметьте обращения в таблице.' }, { status: 400 })
  if (ids.length > BULK_LIMIT) return json({ error: `Не больше ${BULK_LIMIT} обращений за раз.` }, { status: 400 })
  const parsed = BulkForm.safeParse(Object.fromEntries(form))
  if (!parsed.success) return json({ error: parsed.error.issues[0]?.message ?? 'Выберите действие.' }, { status: 400 })
  const p = parsed.data
  let bulk: BulkAction
  if (p.op === 'assign') {
    const assigneeId = p.assignee === 'me' ? user.id : p.assignee === '' ? null : parseTicketId(p.assignee)
    if (p.assignee !== '' && assigneeId === null) return json({ error: 'Выберите исполнителя.' }, { status: 400 })
    bulk = { kind: 'assign', assigneeId }
  } else if (p.op === 'state') bulk = { kind: 'state', state: p.state }
  else if (p.op === 'tag') bulk = { kind: 'tag', tag: p.tag }
  else bulk = { kind: 'close' }
  try {
    const result = await bulkUpdate(user, ids, bulk, meta)
    return json({ result })
  } catch (error) {
    if (error instanceof Response) return json({ error: await error.text() }, { status: error.status })
    throw error
  }
}

export default function Support() {
  const data = useLoaderData<typeof loader>()
  return data.view === 'desk' ? <Desk /> : <MyTickets />
}

// --- Coordinators: «Мои обращения» -------------------------------------------

function MyTickets() {
  const data = useLoaderData<typeof loader>()
  if (data.view !== 'requester') return null
  return (
    <>
      <div className="desk-head">
        <h1>Мои обращения</h1>
        <Link to="/cabinet/support/new" className="button primary">
          Новое обращение
        </Link>
      </div>
      <p className="hint">
        Обращения в техподдержку вашей организации{data.scoped ? ' и организаций вашей зоны ответственности' : ''}, отправленные по электронной почте и через кабинет. Отвечать можно и здесь, и
        письмом — переписка одна.
      </p>
      {data.scoped ? (
        <Form method="get" className="toolbar">
          <label className="checkbox">
            <input type="checkbox" name="mine" value="1" defaultChecked={data.mine} onChange={(e) => e.currentTarget.form?.requestSubmit()} /> Только мои обращения
          </label>
          <noscript>
            <button type="submit" className="button small">
              Показать
            </button>
          </noscript>
        </Form>
      ) : null}
      {data.tickets.length === 0 ? (
        <p className="alert alert-info" data-testid="no-tickets">
          Обращений пока нет. Если что-то не работает, создайте обращение: укажите, что делали и что произошло, приложите снимок экрана.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="my-tickets">
            <thead>
              <tr>
                <th scope="col">№</th>
                <th scope="col">Тема</th>
                {data.scoped ? <th scope="col">Организация</th> : null}
                <th scope="col">Состояние</th>
                <th scope="col">Последнее сообщение</th>
              </tr>
            </thead>
            <tbody>
              {data.tickets.map((t) => (
                <tr key={t.id}>
                  <td className="num">{t.id}</td>
                  <td>
                    <Link to={`/cabinet/support/${t.id}`}>{t.subject || '(без темы)'}</Link>
                    {t.study ? <span className="hint small"> · {t.study}</span> : null}
                  </td>
                  {data.scoped ? <td>{t.organization ? orgLabel(t.organization) : '—'}</td> : null}
                  <td>
                    <StateBadge state={t.state} />
                  </td>
                  <td>{formatDateTime(t.lastMessageAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={data.page} pageSize={data.pageSize} total={data.total} />
    </>
  )
}

// --- The desk ----------------------------------------------------------------

function Desk() {
  const data = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [params] = useSearchParams()
  const busy = useNavigation().state === 'submitting'
  const [selected, setSelected] = useState<Set<number>>(new Set())
  useDeskLive()
  if (data.view !== 'desk') return null
  const f = data.filters
  const link = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params)
    next.delete('page')
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || v === '') next.delete(k)
      else next.set(k, v)
    }
    const s = next.toString()
    return s ? `?${s}` : '?'
  }
  const allIds = data.tickets.map((t) => t.id)
  const allSelected = allIds.length > 0 && allIds.every((id) => selected.has(id))
  const toggle = (id: number, on: boolean) =>
    setSelected((s) => {
      const n = new Set(s)
      if (on) n.add(id)
      else n.delete(id)
      return n
    })
  const roundRobinOn = f.queue ? data.roundRobinQueues.includes(f.queue) : false
  const activeTotal = Object.values(data.queueCounts).reduce((a, b) => a + b, 0)

  return (
    <>
      <div className="desk-head">
        <h1>Обращения в техподдержку</h1>
        <nav aria-label="Разделы техподдержки">
          <Link to="/cabinet/support/stats">Статистика</Link>
          <Link to="/cabinet/support/canned">Шаблоны ответов</Link>
        </nav>
      </div>
      {!data.canWork ? (
        <p className="alert alert-info">Вы видите обращения и статистику и можете оставлять внутренние заметки; отвечают заявителям и ведут обращения сотрудники техподдержки.</p>
      ) : null}

      <nav aria-label="Очереди">
        <ul className="desk-queues" data-testid="queues">
          <li>
            <Link to={link({ queue: undefined })} aria-current={!f.queue ? 'page' : undefined}>
              Все<span className="count">{activeTotal}</span>
            </Link>
          </li>
          {QUEUES.map((q) => (
            <li key={q}>
              <Link to={link({ queue: q })} aria-current={f.queue === q ? 'page' : undefined} data-queue={q}>
                {QUEUE_LABELS[q]}
                <span className="count">{data.queueCounts[q] ?? 0}</span>
                {data.queueOverdue[q] ? <span className="late">({data.queueOverdue[q]} просроч.)</span> : null}
              </Link>
            </li>
          ))}
        </ul>
      </nav>

      <div className="desk-states" data-testid="state-counts">
        <Link to={link({ state: undefined })} aria-current={f.state === 'active' ? 'page' : undefined}>
          <span className="badge">Активные: {(['NEW', 'WAITING_INFO', 'OPEN', 'WAITING_REQUESTER'] as const).reduce((a, s) => a + (data.stateCounts[s] ?? 0), 0)}</span>
        </Link>
        {TICKET_STATES.map((s) => (
          <Link key={s} to={link({ state: s })} aria-current={f.state === s ? 'page' : undefined}>
            <span className="badge" data-state={s}>
              {STATE_LABELS[s]}: {data.stateCounts[s] ?? 0}
            </span>
          </Link>
        ))}
        <Link to={link({ state: 'all' })} aria-current={f.state === 'all' ? 'page' : undefined}>
          <span className="badge">Все состояния</span>
        </Link>
      </div>

      <Form method="get" className="toolbar desk-filters" role="search">
        {f.queue ? <input type="hidden" name="queue" value={f.queue} /> : null}
        {f.state !== 'active' ? <input type="hidden" name="state" value={f.state} /> : null}
        <label className="field">
          <span>Поиск по теме и письмам</span>
          <input name="q" type="search" defaultValue={f.q ?? ''} placeholder="текст, слово из письма или №" maxLength={200} />
        </label>
        <label className="field">
          <span>Организация, логин или адрес</span>
          <input name="org" type="search" defaultValue={f.org ?? ''} placeholder="edu290001" maxLength={200} />
        </label>
        <label className="field">
          <span>Исполнитель</span>
          <select name="assignee" defaultValue={f.assignee === undefined ? '' : String(f.assignee)}>
            <option value="">Все</option>
            <option value="me">Мои</option>
            <option value="nobody">Ничьи</option>
            {data.agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.fullName}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Метка</span>
          <input name="tag" defaultValue={f.tag ?? ''} maxLength={40} />
        </label>
        <label className="field">
          <span>Порядок</span>
          <select name="sort" defaultValue={f.sort}>
            {(Object.keys(SORT_LABELS) as (keyof typeof SORT_LABELS)[]).map((k) => (
              <option key={k} value={k}>
                {SORT_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label className="checkbox">
          <input type="checkbox" name="overdue" value="1" defaultChecked={f.overdue} /> Только просроченные
        </label>
        <button type="submit" className="button">
          Показать
        </button>
      </Form>

      {result && 'error' in result ? (
        <p className="alert alert-error" role="alert">
          {result.error}
        </p>
      ) : null}
      {result && 'notice' in result ? (
        <p className="alert alert-success" role="status">
          {result.notice}
        </p>
      ) : null}
      {result && 'result' in result ? (
        <div className="alert alert-success" role="status" data-testid="bulk-result">
          Изменено обращений: {result.result.changed.length}
          {result.result.unchanged.length ? `; уже были такими: ${result.result.unchanged.length}` : ''}.
          {result.result.skipped.length ? (
            <ul>
              {result.result.skipped.map((s) => (
                <li key={s.id}>
                  №{s.id}: {s.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}

      {f.queue && data.canWork ? (
        <Form method="post" className="toolbar">
          <input type="hidden" name="intent" value="roundRobin" />
          <input type="hidden" name="queue" value={f.queue} />
          <input type="hidden" name="on" value={roundRobinOn ? '0' : '1'} />
          <span className="hint">
            Распределение по кругу в очереди «{QUEUE_LABELS[f.queue]}»: <strong>{roundRobinOn ? 'включено' : 'выключено'}</strong>
          </span>
          <button type="submit" className="button small" disabled={busy}>
            {roundRobinOn ? 'Выключить' : 'Распределять по кругу'}
          </button>
        </Form>
      ) : null}

      {data.tickets.length === 0 ? (
        <p className="alert alert-info" data-testid="no-tickets">
          Обращений с такими условиями нет.
        </p>
      ) : (
        <Form method="post" onSubmit={() => setSelected(new Set())}>
          {data.canWork ? (
            <div className="desk-bulk" aria-label="Действия с отмеченными">
              <span>Отмечено: {selected.size}</span>
              <label className="field">
                <span>Назначить</span>
                <select name="assignee" defaultValue="me">
                  <option value="me">себе</option>
                  <option value="">никому</option>
                  {data.agents
                    .filter((a) => a.id !== data.me)
                    .map((a) => (
                      <option key={a.id} value={a.id}>
                        {a.fullName}
                      </option>
                    ))}
                </select>
              </label>
              <button type="submit" name="op" value="assign" className="button small" disabled={busy || selected.size === 0}>
                Назначить
              </button>
              <ChoiceField label="Состояние" name="state" values={TICKET_STATES} labels={STATE_LABELS} defaultValue="OPEN" />
              <button type="submit" name="op" value="state" className="button small" disabled={busy || selected.size === 0}>
                Перевести
              </button>
              <label className="field">
                <span>Метка</span>
                <input name="tag" maxLength={40} size={12} />
              </label>
              <button type="submit" name="op" value="tag" className="button small" disabled={busy || selected.size === 0}>
                Добавить метку
              </button>
              <button type="submit" name="op" value="close" className="button small" disabled={busy || selected.size === 0}>
                Закрыть
              </button>
            </div>
          ) : null}
          <div className="table-wrap">
            <table className="data" data-testid="desk-table">
              <thead>
                <tr>
                  {data.canWork ? (
                    <th scope="col">
                      <input
                        type="checkbox"
                        aria-label="Отметить все на странице"
                        checked={allSelected}
                        onChange={(e) => setSelected(e.currentTarget.checked ? new Set(allIds) : new Set())}
                      />
                    </th>
                  ) : null}
                  <th scope="col">№</th>
                  <th scope="col">Тема</th>
                  <th scope="col">Организация</th>
                  <th scope="col">Состояние</th>
                  <th scope="col">Исполнитель</th>
                  <th scope="col">SLA</th>
                  <th scope="col">Последнее</th>
                </tr>
              </thead>
              <tbody>
                {data.tickets.map((t) => {
                  const badge = slaBadge(t.sla, { responded: t.firstResponseAt !== null, resolved: t.resolvedAt !== null })
                  return (
                    <tr key={t.id} className={badge.overdue ? 'overdue' : undefined} data-ticket={t.id}>
                      {data.canWork ? (
                        <td>
                          <input type="checkbox" name="ids" value={t.id} aria-label={`Отметить №${t.id}`} checked={selected.has(t.id)} onChange={(e) => toggle(t.id, e.currentTarget.checked)} />
                        </td>
                      ) : null}
                      <td className="num">{t.id}</td>
                      <td>
                        <Link to={`/cabinet/support/${t.id}`} className="desk-subject">
                          {t.subject || '(без темы)'}
                        </Link>
                        <div className="hint small">
                          {t.study ?? 'без исследования'} · {CHANNEL_LABELS[t.channel] ?? t.channel}
                          {t.priority !== 'NORMAL' ? ` · приоритет: ${PRIORITY_LABELS[t.priority].toLowerCase()}` : ''}
                          {t.tags.length ? (
                            <span className="desk-tags">
                              {t.tags.map((tag) => (
                                <Link key={tag} to={link({ tag })} className="badge">
                                  {tag}
                                </Link>
                              ))}
                            </span>
                          ) : null}
                        </div>
                      </td>
                      <td>{t.organization ? orgLabel(t.organization) : (t.requesterEmail ?? '—')}</td>
                      <td>
                        <StateBadge state={t.state} />
                      </td>
                      <td>{t.assignee?.fullName ?? <span className="hint">никто</span>}</td>
                      <td>
                        <span className={`badge ${badge.cls}`} data-testid="sla">
                          {badge.text}
                        </span>
                      </td>
                      <td>{formatDateTime(t.lastMessageAt)}</td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        </Form>
      )}
      <Pager page={f.page} pageSize={data.pageSize} total={data.total} />
    </>
  )
}

// Moderation of the forums: open flags (жалобы) with «Рассмотрено» and
// «Скрыть сообщение», and the moderation log (журнал модерации).
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useFetcher, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { requireUser } from '~/accounts/session.server'
import { Crumbs } from '~/components/forum/crumbs'
import { ForumErrorBoundary } from '~/components/forum/error-boundary'
import { Pager } from '~/components/pager'
import { formatDateTime } from '~/helpdesk/format'
import styles from '~/forum/forum.css'
import { listFlags, moderationLog, resolveFlag, type FlagListItem } from '~/forum/moderation.server'
import { idOf, outcome, refuse, type ActionData } from '~/forum/page-actions.server'
import { canModerate } from '~/forum/permissions'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction = () => [{ title: 'Модерация форумов — ФИС ОКО' }]

const Page = z.coerce.number().int().min(1).max(100_000).catch(1)

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  if (!canModerate(user, 'SUPPORT') && !canModerate(user, 'EXPERTS')) throw new Response('Модерация форумов недоступна для вашей роли.', { status: 403 })
  const page = Page.parse(new URL(request.url).searchParams.get('page') ?? 1)
  const [flags, log] = await Promise.all([listFlags(user, { open: true }), moderationLog(user, { page })])
  return json({ flags, log })
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request)
  const form = await request.formData()
  const flagId = idOf(form.get('flagId'))
  if (flagId === null) return refuse('resolve', 'Жалоба не найдена.')
  const hide = form.get('hidePost') === '1'
  return outcome('resolve', () => resolveFlag(user, flagId, { hidePost: hide }), { target: flagId, notice: hide ? 'Сообщение скрыто, жалоба рассмотрена.' : 'Жалоба рассмотрена.' })
}

export default function Moderation() {
  const { flags, log } = useLoaderData<typeof loader>()
  return (
    <>
      <Crumbs items={[{ to: '/cabinet/forums', label: 'Форумы' }, { label: 'Модерация' }]} />
      <h1>Модерация форумов</h1>
      <section aria-labelledby="flags-h">
        <h2 id="flags-h">Жалобы ({flags.length})</h2>
        {flags.length === 0 ? (
          <p className="alert alert-success" data-testid="no-flags">
            Открытых жалоб нет.
          </p>
        ) : (
          <ul className="topics" data-testid="flags">
            {flags.map((f) => (
              <FlagRow key={f.id} flag={f} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="log-h">
        <h2 id="log-h">Журнал модерации</h2>
        <div className="table-wrap">
          <table className="data" data-testid="mod-log">
            <thead>
              <tr>
                <th scope="col">Когда</th>
                <th scope="col">Кто</th>
                <th scope="col">Действие</th>
                <th scope="col">Вопрос</th>
              </tr>
            </thead>
            <tbody>
              {log.entries.map((e) => (
                <tr key={e.id}>
                  <td>{formatDateTime(e.at)}</td>
                  <td>{e.actor.name}</td>
                  <td>
                    {e.actionLabel}
                    {detailText(e.details)}
                  </td>
                  <td>
                    {e.topic ? <Link to={`/cabinet/topics/${e.topic.id}${e.postId ? `#post-${e.postId}` : ''}`}>{e.topic.title}</Link> : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pager page={log.page} pageSize={log.pageSize} total={log.total} />
      </section>
    </>
  )
}

/** A reason, when the log keeps one. */
function detailText(details: unknown) {
  if (details && typeof details === 'object' && 'reason' in details && typeof details.reason === 'string' && details.reason) return `: ${details.reason}`
  return ''
}

function FlagRow({ flag }: { flag: FlagListItem }) {
  const fetcher = useFetcher<ActionData>()
  const done = fetcher.data?.ok
  return (
    <li className="topic-row" data-testid="flag">
      <div>
        <Link to={`/cabinet/topics/${flag.topic.id}#post-${flag.post.id}`} className="title">
          {flag.topic.title}
        </Link>{' '}
        <span className="badges">
          <span className="badge">{flag.topic.forumTitle}</span>
          {flag.post.hidden ? <span className="badge err">сообщение скрыто</span> : null}
          {flag.openFlagsOnPost > 1 ? <span className="badge warn">жалоб на сообщение: {flag.openFlagsOnPost}</span> : null}
        </span>
      </div>
      <div className="meta" style={{ display: 'block' }}>
        <p style={{ margin: '.25rem 0' }}>
          <strong>Причина:</strong> {flag.reason} <span className="hint">— {flag.reporter.name}, {formatDateTime(flag.createdAt)}</span>
        </p>
        <blockquote style={{ margin: '.25rem 0', color: 'var(--fg)' }}>
          {flag.post.excerpt} <span className="hint">— {flag.post.author.name}</span>
        </blockquote>
        {done ? (
          <p className="alert alert-success small" role="status">
            {fetcher.data?.notice}
          </p>
        ) : (
          <fetcher.Form method="post" className="post-actions">
            <input type="hidden" name="flagId" value={flag.id} />
            <button type="submit" className="button small" disabled={fetcher.state !== 'idle'}>
              Рассмотрено, оставить
            </button>
            {!flag.post.hidden ? (
              <button type="submit" name="hidePost" value="1" className="button small danger" disabled={fetcher.state !== 'idle'}>
                Скрыть сообщение
              </button>
            ) : null}
            {fetcher.data && !fetcher.data.ok ? (
              <span className="field-error" role="alert">
                {fetcher.data.error}
              </span>
            ) : null}
          </fetcher.Form>
        )}
      </div>
    </li>
  )
}

export function ErrorBoundary() {
  return <ForumErrorBoundary back={{ to: '/cabinet/forums', label: 'К форумам' }} />
}

// One support forum: its sections with topic counts and the latest activity.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { hasSection } from '~/accounts/roles'
import { requireUser } from '~/accounts/session.server'
import { Crumbs } from '~/components/forum/crumbs'
import { ForumErrorBoundary } from '~/components/forum/error-boundary'
import { formatDateTime } from '~/helpdesk/format'
import { getForum } from '~/forum/forums.server'
import styles from '~/forum/forum.css'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.forum.title ?? 'Форум'} — форумы ФИС ОКО` }]

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  if (!hasSection(user.role, 'forums')) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  const { forum, sections } = await getForum(params.slug ?? '')
  if (forum.kind === 'EXPERTS') throw redirect('/cabinet/experts')
  return json({ forum, sections: sections.filter((s) => !s.archived) })
}

export default function SupportForum() {
  const { forum, sections } = useLoaderData<typeof loader>()
  return (
    <>
      <Crumbs items={[{ to: '/cabinet/forums', label: 'Форумы' }, { label: forum.title }]} />
      <div className="forum-head">
        <h1>Форум: {forum.title}</h1>
        <div className="actions">
          <Link to={`/cabinet/forums/${forum.slug}/new`} className="button primary">
            Новая тема
          </Link>
        </div>
      </div>
      {forum.description ? <p className="hint">{forum.description}</p> : null}
      <div className="table-wrap">
        <table className="data" data-testid="sections">
          <thead>
            <tr>
              <th scope="col">Раздел</th>
              <th scope="col">Тем</th>
              <th scope="col">Последнее сообщение</th>
            </tr>
          </thead>
          <tbody>
            {sections.map((s) => (
              <tr key={s.id}>
                <td>
                  <Link to={`/cabinet/forums/${forum.slug}/${s.id}`}>{s.title}</Link>
                  {s.description ? <div className="hint small">{s.description}</div> : null}
                </td>
                <td>{s.topicCount}</td>
                <td>{s.lastPostAt ? formatDateTime(s.lastPostAt) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}

export function ErrorBoundary() {
  return <ForumErrorBoundary back={{ to: '/cabinet/forums', label: 'К форумам' }} />
}

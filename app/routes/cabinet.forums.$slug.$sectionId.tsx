// The topics of one section of a support forum; new topics arrive live from
// the room `section:<id>`.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useCallback } from 'react'
import { z } from 'zod'
import { hasSection } from '~/accounts/roles'
import { requireUser } from '~/accounts/session.server'
import { Crumbs } from '~/components/forum/crumbs'
import { ForumErrorBoundary } from '~/components/forum/error-boundary'
import { TopicRow, useLiveTopicList } from '~/components/forum/topic-list'
import { useForumRoom } from '~/components/forum-live'
import { Pager } from '~/components/pager'
import { getForum, listTopics } from '~/forum/forums.server'
import styles from '~/forum/forum.css'
import { idOf } from '~/forum/page-actions.server'
import { canModerate } from '~/forum/permissions'
import type { TopicListItem } from '~/forum/types'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.section.title} — ${data.forum.title}` : 'Форум' }]

const Page = z.coerce.number().int().min(1).max(10_000).catch(1)

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  if (!hasSection(user.role, 'forums')) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  const { forum, sections } = await getForum(params.slug ?? '')
  const id = idOf(params.sectionId)
  const section = sections.find((s) => s.id === id)
  if (!section || forum.kind !== 'SUPPORT') throw new Response('Такого раздела нет.', { status: 404 })
  const page = Page.parse(new URL(request.url).searchParams.get('page') ?? 1)
  const result = await listTopics(user, { forumId: forum.id, sectionId: section.id, page })
  return json({ forum, section, page, ...result, moderator: canModerate(user, forum.kind) })
}

export default function SectionTopics() {
  const { forum, section, page, topics: initial, total, pageSize, room, lastEventId, moderator } = useLoaderData<typeof loader>()
  const accepts = useCallback((t: TopicListItem) => (moderator || !t.hidden) && !t.mergedIntoId, [moderator])
  const { topics, fresh, added, onEvents } = useLiveTopicList(initial, { accepts, prepend: page === 1, limit: page === 1 ? pageSize + 20 : undefined })
  const { connected } = useForumRoom(room, lastEventId, onEvents)
  return (
    <>
      <Crumbs items={[{ to: '/cabinet/forums', label: 'Форумы' }, { to: `/cabinet/forums/${forum.slug}`, label: forum.title }, { label: section.title }]} />
      <div className="forum-head">
        <h1>{section.title}</h1>
        <div className="actions">
          <span className="live-note" data-testid="live-list" data-connected={connected ? '1' : '0'}>
            <span className={`live-dot live-${connected ? 'online' : 'offline'}`} aria-hidden="true" />
            {connected ? 'Новые темы появляются сразу' : 'Нет связи'}
          </span>
          <Link to={`/cabinet/forums/${forum.slug}/new?section=${section.id}`} className="button primary">
            Новая тема
          </Link>
        </div>
      </div>
      {section.description ? <p className="hint">{section.description}</p> : null}
      <p className="visually-hidden" role="status" aria-live="polite">
        {added ? `Новых тем: ${added}` : ''}
      </p>
      {topics.length === 0 ? (
        <p className="alert alert-info" data-testid="no-topics">
          Тем пока нет.
        </p>
      ) : (
        <ul className="topics" data-testid="topics">
          {topics.map((t) => (
            <TopicRow key={t.id} topic={t} fresh={fresh.has(t.id)} />
          ))}
        </ul>
      )}
      <Pager page={page} pageSize={pageSize} total={total + added} />
    </>
  )
}

export function ErrorBoundary() {
  return <ForumErrorBoundary back={{ to: '/cabinet/forums', label: 'К форумам' }} />
}

// The specialists' queue: unanswered questions of the experts forum, oldest
// first, per subject, with «Взять вопрос» so that two specialists do not
// answer the same one. Live from the room `queue`.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useFetcher, useLoaderData } from '@remix-run/react'
import { useCallback, useMemo } from 'react'
import { requireUser } from '~/accounts/session.server'
import { Crumbs } from '~/components/forum/crumbs'
import { ForumErrorBoundary } from '~/components/forum/error-boundary'
import { TopicRow, useLiveTopicList } from '~/components/forum/topic-list'
import { useForumRoom } from '~/components/forum-live'
import { claimTopic, releaseClaim, specialistQueue } from '~/forum/claims.server'
import { latestEventId } from '~/forum/events.server'
import { getForum } from '~/forum/forums.server'
import styles from '~/forum/forum.css'
import { idOf, outcome, refuse, type ActionData } from '~/forum/page-actions.server'
import { canClaim } from '~/forum/permissions'
import { forumRooms } from '~/forum/rooms'
import type { TopicListItem } from '~/forum/types'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction = () => [{ title: 'Очередь вопросов — Эксперты ВПР' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  if (!canClaim(user, 'EXPERTS')) throw new Response('Очередь вопросов — для специалистов ФИОКО.', { status: 403 })
  const subjectId = idOf(new URL(request.url).searchParams.get('subject'))
  // The event id first: what changes while the queue is read is replayed, not lost.
  const lastEventId = await latestEventId(forumRooms.queue)
  const [{ subjects }, topics] = await Promise.all([getForum('experts'), specialistQueue(user, { expertSubjectId: subjectId })])
  const subject = subjects.find((s) => s.id === subjectId) ?? null
  return json({ topics, lastEventId, subjects: subjects.filter((s) => !s.archived), subject, me: user.id })
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request)
  const form = await request.formData()
  const intent = String(form.get('intent') ?? '')
  const topicId = idOf(form.get('topicId'))
  if (topicId === null) return refuse(intent, 'Вопрос не найден.')
  if (intent === 'claim') return outcome(intent, () => claimTopic(user, topicId), { target: topicId })
  if (intent === 'release') return outcome(intent, () => releaseClaim(user, topicId), { target: topicId })
  return refuse(intent, 'Неизвестное действие.')
}

export default function Queue() {
  const { topics: initial, lastEventId, subjects, subject, me } = useLoaderData<typeof loader>()
  const accepts = useCallback(
    (t: TopicListItem) => t.status === 'OPEN' && !t.hidden && !t.mergedIntoId && (!subject || (t.subject === subject.subject && t.grade === subject.grade)),
    [subject],
  )
  const { topics, fresh, onEvents } = useLiveTopicList(initial, { accepts, prepend: false })
  const { connected } = useForumRoom(forumRooms.queue, lastEventId, onEvents)
  const free = useMemo(() => topics.filter((t) => !t.claimedBy).length, [topics])
  return (
    <>
      <Crumbs items={[{ to: '/cabinet/experts', label: 'Эксперты ВПР' }, { label: 'Очередь без ответа' }]} />
      <div className="forum-head">
        <h1>Вопросы без ответа</h1>
        <span className="live-note" data-connected={connected ? '1' : '0'}>
          <span className={`live-dot live-${connected ? 'online' : 'offline'}`} aria-hidden="true" />
          {connected ? 'Очередь обновляется сразу' : 'Нет связи'}
        </span>
      </div>
      <p className="hint" role="status" data-testid="queue-size">
        В очереди: {topics.length}, из них никем не взято: {free}. Сначала самые давние.
      </p>
      <Form method="get" className="toolbar" aria-label="Фильтр">
        <label className="field">
          <span>Предмет и класс</span>
          <select name="subject" defaultValue={subject?.id ?? ''}>
            <option value="">Все предметы</option>
            {subjects.map((s) => (
              <option key={s.id} value={s.id}>
                {s.subject}, {s.grade} класс {s.openCount ? `(${s.openCount})` : ''}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button">
          Показать
        </button>
      </Form>
      {topics.length === 0 ? (
        <p className="alert alert-success" data-testid="queue-empty">
          Все вопросы отвечены.
        </p>
      ) : (
        <ul className="topics" data-testid="queue">
          {topics.map((t) => (
            <TopicRow key={t.id} topic={t} fresh={fresh.has(t.id)} showSubject>
              <ClaimButton topic={t} me={me} />
            </TopicRow>
          ))}
        </ul>
      )}
      <p>
        <Link to="/cabinet/experts">← К форуму экспертов</Link>
      </p>
    </>
  )
}

function ClaimButton({ topic, me }: { topic: TopicListItem; me: number }) {
  const fetcher = useFetcher<ActionData>()
  const mine = topic.claimedBy?.id === me
  if (topic.claimedBy && !mine) return null
  return (
    <fetcher.Form method="post" className="inline-form">
      <input type="hidden" name="topicId" value={topic.id} />
      <button type="submit" name="intent" value={mine ? 'release' : 'claim'} className={`button small${mine ? '' : ' primary'}`} disabled={fetcher.state !== 'idle'}>
        {mine ? 'Освободить' : 'Взять вопрос'}
      </button>
      {fetcher.data && !fetcher.data.ok ? (
        <span className="field-error" role="alert">
          {fetcher.data.error}
        </span>
      ) : null}
    </fetcher.Form>
  )
}

export function ErrorBoundary() {
  return <ForumErrorBoundary />
}

// The questions of one subject and grade of the ВПР experts forum, with
// filters by task number and status. New and changed questions arrive live
// from the room `subject:<id>` without a reload.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
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
import { TOPIC_STATUS_LABELS, type TopicListItem, type TopicStatusName } from '~/forum/types'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.subject.subject}, ${data.subject.grade} класс — Эксперты ВПР` : 'Эксперты ВПР' }]

const STATUSES = Object.keys(TOPIC_STATUS_LABELS) as TopicStatusName[]
const Filters = z.object({
  task: z
    .string()
    .trim()
    .max(10)
    .regex(/^[0-9А-Яа-яA-Za-z.\-]*$/)
    .catch(''),
  status: z.enum(['', ...STATUSES] as [string, ...string[]]).catch(''),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
})

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  if (!hasSection(user.role, 'experts')) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  const id = idOf(params.subjectId)
  const { forum, subjects } = await getForum('experts')
  const subject = subjects.find((s) => s.id === id)
  if (!subject) throw new Response('Такого предмета в каталоге ВПР нет.', { status: 404 })
  const f = Filters.parse(Object.fromEntries(new URL(request.url).searchParams))
  const result = await listTopics(user, {
    forumId: forum.id,
    expertSubjectId: subject.id,
    taskNumber: f.task || undefined,
    status: (f.status || undefined) as TopicStatusName | undefined,
    page: f.page,
  })
  return json({ forum, subject, filters: f, ...result, moderator: canModerate(user, forum.kind) })
}

export default function SubjectQuestions() {
  const { subject, filters, topics: initial, total, pageSize, room, lastEventId, moderator } = useLoaderData<typeof loader>()
  const accepts = useCallback(
    (t: TopicListItem) => (!filters.task || t.taskNumber === filters.task) && (!filters.status || t.status === filters.status) && (moderator || !t.hidden) && !t.mergedIntoId,
    [filters.task, filters.status, moderator],
  )
  // Only the first page takes new questions at its top; later pages keep their rows.
  const { topics, fresh, added, onEvents } = useLiveTopicList(initial, { accepts, prepend: filters.page === 1, limit: filters.page === 1 ? pageSize + 20 : undefined })
  const { connected } = useForumRoom(room, lastEventId, onEvents)
  const taskOptions = subject.taskCount ? Array.from({ length: subject.taskCount }, (_, i) => String(i + 1)) : null

  return (
    <>
      <Crumbs items={[{ to: '/cabinet/experts', label: 'Эксперты ВПР' }, { label: `${subject.subject}, ${subject.grade} класс` }]} />
      <div className="forum-head">
        <h1>
          {subject.subject}, {subject.grade} класс
        </h1>
        <div className="actions">
          <span className="live-note" data-testid="live-list" data-connected={connected ? '1' : '0'}>
            <span className={`live-dot live-${connected ? 'online' : 'offline'}`} aria-hidden="true" />
            {connected ? 'Новые вопросы появляются сразу' : 'Нет связи: обновится после переподключения'}
          </span>
          <Link to={`/cabinet/experts/ask?subject=${subject.id}`} className="button primary">
            Задать вопрос
          </Link>
        </div>
      </div>

      <Form method="get" className="toolbar" aria-label="Фильтры">
        <label className="field">
          <span>Задание</span>
          {taskOptions ? (
            <select name="task" defaultValue={filters.task}>
              <option value="">Все</option>
              {taskOptions.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          ) : (
            <input name="task" defaultValue={filters.task} size={6} maxLength={10} placeholder="№" />
          )}
        </label>
        <label className="field">
          <span>Состояние</span>
          <select name="status" defaultValue={filters.status}>
            <option value="">Все</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {TOPIC_STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button">
          Показать
        </button>
        {filters.task || filters.status ? <Link to=".">Сбросить</Link> : null}
      </Form>

      <p className="visually-hidden" role="status" aria-live="polite">
        {added ? `Новых вопросов: ${added}` : ''}
      </p>
      {topics.length === 0 ? (
        <p className="alert alert-info" data-testid="no-topics">
          {filters.task || filters.status ? 'Вопросов с такими условиями нет.' : 'Вопросов пока нет. Задайте первый — специалисты ФИОКО ответят.'}
        </p>
      ) : (
        <ul className="topics" data-testid="topics">
          {topics.map((t) => (
            <TopicRow key={t.id} topic={t} fresh={fresh.has(t.id)} />
          ))}
        </ul>
      )}
      <Pager page={filters.page} pageSize={pageSize} total={total + added} />
    </>
  )
}

export function ErrorBoundary() {
  return <ForumErrorBoundary />
}

// «Эксперты ВПР»: search first (the answer may already exist), then the ВПР
// catalogue as grades × subjects with question counts, «Задать вопрос», and
// for specialists the queue with its size. New questions appear live.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useFetcher, useLoaderData } from '@remix-run/react'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { hasSection } from '~/accounts/roles'
import { requireUser } from '~/accounts/session.server'
import { ForumErrorBoundary } from '~/components/forum/error-boundary'
import { applyCatalogueEvent, startCounts, subjectKey, subjectKeys } from '~/components/forum/catalogue-counts'
import { SimilarList } from '~/components/forum/similar'
import { TopicRow } from '~/components/forum/topic-list'
import { useForumRoom } from '~/components/forum-live'
import { specialistQueue } from '~/forum/claims.server'
import { latestEventId } from '~/forum/events.server'
import { catalogueTopics, getForum } from '~/forum/forums.server'
import styles from '~/forum/forum.css'
import { canClaim } from '~/forum/permissions'
import { forumRooms } from '~/forum/rooms'
import type { ExpertSubjectSummary, ForumEventPayloads, ForumEventView, TopicListItem } from '~/forum/types'
import type { SearchHit } from '~/search/search.server'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction = () => [{ title: 'Эксперты ВПР — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  if (!hasSection(user.role, 'experts')) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  const { forum, subjects } = await getForum('experts')
  const room = forumRooms.forum(forum.id)
  const specialist = canClaim(user, 'EXPERTS')
  const [lastEventId, queue, known] = await Promise.all([latestEventId(room), specialist ? specialistQueue(user, {}) : Promise.resolve(null), catalogueTopics(forum.id)])
  return json({ forum, subjects: subjects.filter((s) => !s.archived), room, lastEventId, queueSize: queue ? queue.length : null, ...known })
}

export default function ExpertsForum() {
  const { forum, subjects, room, lastEventId, queueSize, openTopics, hiddenTopics } = useLoaderData<typeof loader>()
  // Counts per subject, and what is known of each question's previous state:
  // an answer or a resolution lowers «без ответа» as it happens.
  const [live, setLive] = useState(() => startCounts({ subjects, openTopics, hiddenTopics }))
  const [latest, setLatest] = useState<TopicListItem[]>([])
  useEffect(() => setLive(startCounts({ subjects, openTopics, hiddenTopics })), [subjects, openTopics, hiddenTopics])
  const keys = useMemo(() => subjectKeys(subjects), [subjects])
  const counts = live.counts

  const onEvents = useCallback(
    (events: ForumEventView[]) => {
      setLive((s) => events.reduce((acc, e) => applyCatalogueEvent(acc, e, keys), s))
      for (const event of events) {
        if (event.type !== 'topic.created' && event.type !== 'topic.updated') continue
        const { topic } = event.payload as unknown as ForumEventPayloads['topic.created']
        // A replay shows a topic hidden since as hidden (masked title): it leaves the list.
        if (topic.hidden) setLatest((list) => list.filter((t) => t.id !== topic.id))
        else if (event.type === 'topic.created') setLatest((list) => (list.some((t) => t.id === topic.id) ? list : [topic, ...list].slice(0, 5)))
      }
    },
    [keys],
  )
  const { connected } = useForumRoom(room, lastEventId, onEvents)

  const grades = useMemo(() => {
    const byGrade = new Map<number, ExpertSubjectSummary[]>()
    for (const s of subjects) byGrade.set(s.grade, [...(byGrade.get(s.grade) ?? []), s])
    return [...byGrade.entries()].sort((a, b) => a[0] - b[0])
  }, [subjects])

  return (
    <>
      <div className="forum-head">
        <h1>{forum.title}</h1>
        <div className="actions">
          {queueSize !== null ? (
            <Link to="/cabinet/experts/queue" data-testid="queue-link">
              Очередь без ответа: <strong>{queueSize}</strong>
            </Link>
          ) : null}
          <Link to="/cabinet/experts/ask" className="button primary">
            Задать вопрос
          </Link>
        </div>
      </div>
      {forum.description ? <p className="hint">{forum.description}</p> : null}

      <SearchFirst />

      {latest.length ? (
        <section className="new-topics" aria-labelledby="latest-h" data-testid="latest">
          <h2 id="latest-h">Новые вопросы</h2>
          <ul className="topics">
            {latest.map((t) => (
              <TopicRow key={t.id} topic={t} fresh showSubject />
            ))}
          </ul>
        </section>
      ) : null}

      <h2>
        Предметы по классам{' '}
        <span className="live-note" data-testid="live-catalogue" data-connected={connected ? '1' : '0'} title={connected ? 'Новые вопросы появляются сразу' : 'Нет связи: новые вопросы появятся после переподключения'}>
          <span className={`live-dot live-${connected ? 'online' : 'offline'}`} aria-hidden="true" />
          {connected ? 'обновляется сразу' : 'нет связи'}
        </span>
      </h2>
      <div className="catalogue" data-testid="catalogue">
        {grades.map(([grade, list]) => (
          <section key={grade} aria-labelledby={`grade-${grade}`}>
            <h2 id={`grade-${grade}`}>{grade} класс</h2>
            <ul>
              {list.map((s) => {
                const c = counts[subjectKey(s.subject, s.grade)] ?? { total: 0, open: 0 }
                return (
                  <li key={s.id}>
                    <Link to={`/cabinet/experts/s/${s.id}`} data-subject={s.id}>
                      {s.subject}
                    </Link>
                    <span className="counts" aria-label={`вопросов ${c.total}, без ответа ${c.open}`} data-subject-counts={s.id} data-total={c.total} data-open={c.open}>
                      {c.total}
                      {c.open ? (
                        <>
                          {' '}
                          · <strong>{c.open} без ответа</strong>
                        </>
                      ) : null}
                    </span>
                  </li>
                )
              })}
            </ul>
          </section>
        ))}
      </div>
    </>
  )
}

/** «Сначала поищите»: the answer bank's search over the experts forum, as you type. */
function SearchFirst() {
  const fetcher = useFetcher<{ hits: SearchHit[]; total: number }>()
  const [q, setQ] = useState('')
  const timer = useRef<ReturnType<typeof setTimeout>>()
  const load = useRef(fetcher.load)
  load.current = fetcher.load
  useEffect(() => {
    clearTimeout(timer.current)
    if (q.trim().length < 3) return
    timer.current = setTimeout(() => load.current(`/api/search?${new URLSearchParams({ q: q.trim(), study: 'ВПР', limit: '8' })}`), 250)
    return () => clearTimeout(timer.current)
  }, [q])
  const active = q.trim().length >= 3
  return (
    <form className="card forum-search" role="search" action="/cabinet/answers" method="get" aria-labelledby="search-first-h">
      <h2 id="search-first-h">Сначала поищите: возможно, ответ уже есть</h2>
      <label className="field">
        <span className="visually-hidden">Вопрос</span>
        <input
          name="q"
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="например: нужно ли указывать единицы измерения в задании 5"
          autoComplete="off"
          maxLength={500}
          data-testid="experts-search"
        />
      </label>
      <input type="hidden" name="study" value="ВПР" />
      {active ? (
        <>
          <SimilarList hits={fetcher.data?.hits ?? []} loading={fetcher.state === 'loading'} searched={fetcher.data !== undefined} empty="Ничего похожего не нашлось — задайте вопрос специалистам." />
          {fetcher.data && fetcher.data.total > (fetcher.data.hits?.length ?? 0) ? (
            <button type="submit" className="button link">
              Все результаты в банке ответов ({fetcher.data.total})
            </button>
          ) : null}
        </>
      ) : (
        <p className="hint small">Поиск учитывает опечатки и другие формы слов. Официальные ответы ФИОКО отмечены значком.</p>
      )}
    </form>
  )
}

export function ErrorBoundary() {
  return <ForumErrorBoundary back={{ to: '/cabinet', label: 'В личный кабинет' }} />
}

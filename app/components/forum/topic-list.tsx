// Topic lists of the forums (a subject of the experts forum, a support-forum
// section, the specialists' queue) and the badges a topic carries. The lists
// follow their room live: the payload of each event carries the whole
// TopicListItem, so a thousand watchers apply it without asking the server.
import { Link } from '@remix-run/react'
import { useCallback, useEffect, useState } from 'react'
import { formatDateTime } from '~/helpdesk/format'
import { TOPIC_STATUS_LABELS, type ForumEventPayloads, type ForumEventView, type TopicListItem, type TopicStatusName } from '~/forum/types'

export function StatusBadge({ status }: { status: TopicStatusName }) {
  return (
    <span className={`badge status-${status}`} data-testid="topic-status" data-status={status}>
      {TOPIC_STATUS_LABELS[status]}
    </span>
  )
}

/** «до 14:35» in Moscow time, as the checking day runs by it. */
export function formatClock(at: string) {
  return new Intl.DateTimeFormat('ru-RU', { timeZone: 'Europe/Moscow', hour: '2-digit', minute: '2-digit' }).format(new Date(at))
}

export function claimText(topic: Pick<TopicListItem, 'claimedBy' | 'claimExpiresAt'>) {
  if (!topic.claimedBy) return null
  return `Отвечает: ${topic.claimedBy.name}${topic.claimExpiresAt ? `, до ${formatClock(topic.claimExpiresAt)}` : ''}`
}

/** Official ✓, accepted, disputed, claimed by …, locked, pinned, merged, hidden. */
export function TopicBadges({ topic, showClaim = true }: { topic: TopicListItem; showClaim?: boolean }) {
  const claim = showClaim ? claimText(topic) : null
  return (
    <span className="badges">
      <StatusBadge status={topic.status} />
      {topic.hasOfficial ? (
        <span className="badge official" data-testid="badge-official">
          ✓ Официальный ответ
        </span>
      ) : null}
      {topic.hasAccepted ? <span className="badge ok">Ответ принят</span> : null}
      {topic.disputed ? <span className="badge warn">Спорный</span> : null}
      {claim ? (
        <span className="badge info" data-testid="badge-claim">
          {claim}
        </span>
      ) : null}
      {topic.locked ? <span className="badge err">🔒 Закрыт для ответов</span> : null}
      {topic.pinned ? <span className="badge info">📌 Закреплён</span> : null}
      {topic.mergedIntoId ? <span className="badge">Объединён</span> : null}
      {topic.hidden ? <span className="badge err">Скрыт</span> : null}
    </span>
  )
}

export function topicTags(topic: Pick<TopicListItem, 'subject' | 'grade' | 'taskNumber' | 'variant' | 'year'>) {
  return [topic.subject, topic.grade ? `${topic.grade} класс` : null, topic.taskNumber ? `задание ${topic.taskNumber}` : null, topic.variant ? `вариант ${topic.variant}` : null, topic.year ? `${topic.year} год` : null].filter(
    (x): x is string => Boolean(x),
  )
}

export function TopicRow({ topic, fresh, showSubject, children }: { topic: TopicListItem; fresh?: boolean; showSubject?: boolean; children?: React.ReactNode }) {
  const tags = topicTags(showSubject ? topic : { ...topic, subject: null, grade: null })
  return (
    <li className={`topic-row${topic.pinned ? ' pinned' : ''}${fresh ? ' is-new' : ''}`} data-testid="topic-row" data-topic={topic.id}>
      <div>
        <Link to={`/cabinet/topics/${topic.id}`} className="title">
          {topic.title}
        </Link>{' '}
        <TopicBadges topic={topic} />
      </div>
      <div className="meta">
        {tags.length ? <span>{tags.join(' · ')}</span> : null}
        {topic.sectionTitle && showSubject ? <span>{topic.sectionTitle}</span> : null}
        <span>
          {topic.author.name} · {formatDateTime(topic.createdAt)}
        </span>
        {children}
      </div>
      <div className="side">
        <strong>{topic.replyCount}</strong> {plural(topic.replyCount, 'ответ', 'ответа', 'ответов')}
        <div>{formatDateTime(topic.lastPostAt)}</div>
      </div>
    </li>
  )
}

export function plural(n: number, one: string, few: string, many: string) {
  const m10 = n % 10
  const m100 = n % 100
  if (m10 === 1 && m100 !== 11) return one
  if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return few
  return many
}

/**
 * A topic list kept in step with its room. `accepts` says whether a topic
 * belongs on this list as filtered (a new question of another task number
 * does not); one that stops belonging (closed while the filter shows open
 * ones, moved away) leaves the list.
 */
export function useLiveTopicList(initial: TopicListItem[], options: { accepts: (topic: TopicListItem) => boolean; prepend: boolean; limit?: number }) {
  const [topics, setTopics] = useState(initial)
  const [fresh, setFresh] = useState<Set<number>>(new Set())
  const [added, setAdded] = useState(0)
  // New loader data (navigation, revalidation after a reset) replaces the list.
  useEffect(() => {
    setTopics(initial)
    setFresh(new Set())
    setAdded(0)
  }, [initial])
  const { accepts, prepend, limit } = options
  const onEvents = useCallback(
    (events: ForumEventView[]) => {
      setTopics((list) => {
        let next = list
        for (const event of events) next = applyTopicEvent(next, event, { accepts, prepend, limit }, (id) => {
          setFresh((f) => new Set(f).add(id))
          setAdded((n) => n + 1)
        })
        return next
      })
    },
    [accepts, prepend, limit],
  )
  return { topics, fresh, added, onEvents }
}

function applyTopicEvent(
  list: TopicListItem[],
  event: ForumEventView,
  opts: { accepts: (t: TopicListItem) => boolean; prepend: boolean; limit?: number },
  onNew: (id: number) => void,
): TopicListItem[] {
  const replace = (topic: TopicListItem) => {
    const at = list.findIndex((t) => t.id === topic.id)
    if (at === -1) return list
    if (!opts.accepts(topic)) return list.filter((t) => t.id !== topic.id)
    const next = list.slice()
    next[at] = topic
    return next
  }
  switch (event.type) {
    case 'topic.created': {
      const { topic } = event.payload as unknown as ForumEventPayloads['topic.created']
      if (list.some((t) => t.id === topic.id) || !opts.accepts(topic)) return list
      onNew(topic.id)
      const next = opts.prepend ? insertAfterPinned(list, topic) : [...list, topic]
      return opts.limit ? next.slice(0, opts.limit) : next
    }
    case 'topic.updated':
    case 'post.official':
    case 'post.accepted':
      return replace((event.payload as unknown as ForumEventPayloads['topic.updated']).topic)
    case 'topic.moved': {
      const p = event.payload as unknown as ForumEventPayloads['topic.moved']
      // This room is where it left from: it leaves the list; arriving rooms get topic.created or topic.moved with the topic.
      if (p.fromRoom === event.room) return list.filter((t) => t.id !== p.topicId)
      if (list.some((t) => t.id === p.topicId)) return replace(p.topic)
      if (!opts.accepts(p.topic)) return list
      onNew(p.topic.id)
      return opts.prepend ? insertAfterPinned(list, p.topic) : [...list, p.topic]
    }
    case 'topic.merged': {
      const p = event.payload as unknown as ForumEventPayloads['topic.merged']
      return list.map((t) => (t.id === p.topicId ? { ...t, mergedIntoId: p.intoId } : t))
    }
    case 'topic.claimed': {
      const p = event.payload as unknown as ForumEventPayloads['topic.claimed']
      return list.map((t) => (t.id === p.topicId ? { ...t, claimedBy: p.claimedBy, claimExpiresAt: p.claimExpiresAt } : t))
    }
    case 'topic.released': {
      const p = event.payload as unknown as ForumEventPayloads['topic.released']
      return list.map((t) => (t.id === p.topicId ? { ...t, claimedBy: null, claimExpiresAt: null } : t))
    }
    case 'post.created': {
      const { post } = event.payload as unknown as ForumEventPayloads['post.created']
      return list.map((t) => (t.id === post.topicId && !post.isFirst ? { ...t, replyCount: t.replyCount + 1, lastPostAt: post.createdAt } : t))
    }
    default:
      return list
  }
}

function insertAfterPinned(list: TopicListItem[], topic: TopicListItem) {
  if (topic.pinned) return [topic, ...list]
  const at = list.findIndex((t) => !t.pinned)
  if (at === -1) return [...list, topic]
  return [...list.slice(0, at), topic, ...list.slice(at)]
}

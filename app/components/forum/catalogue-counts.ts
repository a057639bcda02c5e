// The experts forum's front page counts questions per subject-and-grade, and
// those without an answer (listed, status OPEN), as its loader read them; the
// `forum:<id>` room then brings every change. An event carries the topic's
// new state only, so the page remembers what it knows of each topic's
// previous one: the loader lists the open questions and the hidden ones (few,
// the rest of the forum is "listed, not open"); every event applied updates
// that memory. Applying an event twice changes nothing the second time.
import type { ForumEventPayloads, ForumEventView, TopicListItem } from '~/forum/types'

export interface SubjectCount {
  total: number
  open: number
}

/** What one topic adds to the counts. */
interface Contribution {
  /** `subject|grade`, or null when not known (nothing counted then). */
  key: string | null
  listed: boolean
  open: boolean
}

export interface CatalogueCounts {
  counts: Record<string, SubjectCount>
  /** What the page knows of each topic it has heard of; the others are listed and not open. */
  known: Record<number, Contribution>
}

export interface CatalogueStart {
  subjects: { id: number; subject: string; grade: number; topicCount: number; openCount: number }[]
  /** The listed OPEN questions as [topicId, expertSubjectId]. */
  openTopics: [number, number][]
  /** The hidden (not merged) questions: not counted. */
  hiddenTopics: number[]
}

export const subjectKey = (subject: string, grade: number) => `${subject}|${grade}`

export function startCounts(start: CatalogueStart): CatalogueCounts {
  const keyOf = subjectKeys(start.subjects)
  const known: Record<number, Contribution> = {}
  for (const [id, subjectId] of start.openTopics) known[id] = { key: keyOf.get(subjectId) ?? null, listed: true, open: true }
  for (const id of start.hiddenTopics) known[id] = { key: null, listed: false, open: false }
  return { counts: Object.fromEntries(start.subjects.map((s) => [subjectKey(s.subject, s.grade), { total: s.topicCount, open: s.openCount }])), known }
}

export function subjectKeys(subjects: CatalogueStart['subjects']): Map<number, string> {
  return new Map(subjects.map((s) => [s.id, subjectKey(s.subject, s.grade)]))
}

function contributionOf(topic: TopicListItem): Contribution {
  const listed = !topic.hidden && topic.mergedIntoId === null
  return { key: topic.subject !== null && topic.grade !== null ? subjectKey(topic.subject, topic.grade) : null, listed, open: listed && topic.status === 'OPEN' }
}

function change(state: CatalogueCounts, topicId: number, before: Contribution, after: Contribution): CatalogueCounts {
  const counts = { ...state.counts }
  const add = (c: Contribution, sign: 1 | -1) => {
    if (!c.key || !c.listed) return
    const was = counts[c.key] ?? { total: 0, open: 0 }
    counts[c.key] = { total: Math.max(0, was.total + sign), open: Math.max(0, was.open + (c.open ? sign : 0)) }
  }
  add(before, -1)
  add(after, 1)
  return { counts, known: { ...state.known, [topicId]: after } }
}

/**
 * Applies one event of the forum room. `subjectKeyOf` names a subject by id
 * (a moved question's old place comes as its room, `subject:<id>`).
 */
export function applyCatalogueEvent(state: CatalogueCounts, event: ForumEventView, subjectKeyOf: Map<number, string>): CatalogueCounts {
  switch (event.type) {
    case 'topic.created': {
      const { topic } = event.payload as unknown as ForumEventPayloads['topic.created']
      const before = state.known[topic.id] ?? { key: null, listed: false, open: false }
      return change(state, topic.id, before, contributionOf(topic))
    }
    case 'topic.updated':
    case 'post.official':
    case 'post.accepted': {
      const { topic } = event.payload as unknown as ForumEventPayloads['topic.updated']
      const after = contributionOf(topic)
      return change(state, topic.id, state.known[topic.id] ?? { key: after.key, listed: true, open: false }, after)
    }
    case 'topic.moved': {
      const { topic, fromRoom } = event.payload as unknown as ForumEventPayloads['topic.moved']
      const from = /^subject:(\d+)$/.exec(fromRoom)
      const after = contributionOf(topic)
      const before = state.known[topic.id] ?? { key: (from && subjectKeyOf.get(Number(from[1]))) ?? after.key, listed: true, open: false }
      return change(state, topic.id, before, after)
    }
    case 'topic.merged': {
      // The payload names no subject: an open question is known (its count drops
      // exactly); a merged answered one stays in the total until the next load.
      const { topicId } = event.payload as unknown as ForumEventPayloads['topic.merged']
      const before = state.known[topicId] ?? { key: null, listed: true, open: false }
      return change(state, topicId, before, { key: before.key, listed: false, open: false })
    }
    default:
      return state
  }
}

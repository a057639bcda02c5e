// The experts front page's live counts: a watcher must end up with the counts
// a fresh page load would show.
import { describe, expect, it } from 'vitest'
import type { ForumEventType, ForumEventView, PersonRef, TopicListItem } from '~/forum/types'
import { applyCatalogueEvent, startCounts, subjectKeys, type CatalogueCounts, type CatalogueStart } from './catalogue-counts'

const teacher: PersonRef = { id: 10, login: 'edu290001_t01', name: 'Кузнецова Мария Ивановна', roleLabel: 'Учитель-эксперт', staff: false }

function item(id: number, patch: Partial<TopicListItem> = {}): TopicListItem {
  return {
    id,
    title: `Вопрос ${id}`,
    status: 'OPEN',
    pinned: false,
    locked: false,
    hidden: false,
    disputed: false,
    mergedIntoId: null,
    taskNumber: '5',
    variant: null,
    year: null,
    subject: 'Математика',
    grade: 5,
    sectionTitle: null,
    author: teacher,
    replyCount: 0,
    hasOfficial: false,
    hasAccepted: false,
    claimedBy: null,
    claimExpiresAt: null,
    createdAt: '2026-11-26T10:00:00.000Z',
    lastPostAt: '2026-11-26T10:00:00.000Z',
    ...patch,
  }
}

let nextId = 100
function event(type: ForumEventType, payload: object): ForumEventView {
  return { id: String(nextId++), room: 'forum:1', type, payload: payload as Record<string, unknown>, createdAt: '2026-11-26T10:06:00.000Z' }
}

// Математика 5: 4 questions, 2 without an answer (7 and 8); Русский язык 4: 1, open (9); 11 is hidden.
const start: CatalogueStart = {
  subjects: [
    { id: 3, subject: 'Математика', grade: 5, topicCount: 4, openCount: 2 },
    { id: 4, subject: 'Русский язык', grade: 4, topicCount: 1, openCount: 1 },
  ],
  openTopics: [
    [7, 3],
    [8, 3],
    [9, 4],
  ],
  hiddenTopics: [11],
}
const keys = subjectKeys(start.subjects)
const apply = (s: CatalogueCounts, ...events: ForumEventView[]) => events.reduce((acc, e) => applyCatalogueEvent(acc, e, keys), s)
const math = (s: CatalogueCounts) => s.counts['Математика|5']
const russian = (s: CatalogueCounts) => s.counts['Русский язык|4']

describe('applyCatalogueEvent', () => {
  it('lowers «без ответа» once when a question gets its first answer, and not again when it is resolved', () => {
    const answered = event('topic.updated', { topic: item(7, { status: 'ANSWERED', replyCount: 1 }) })
    let s = apply(startCounts(start), answered, answered)
    expect(math(s)).toEqual({ total: 4, open: 1 })
    s = apply(s, event('post.official', { postId: 70, topicId: 7, official: true, topic: item(7, { status: 'RESOLVED', hasOfficial: true }) }))
    expect(math(s)).toEqual({ total: 4, open: 1 })
  })

  it('lowers it when an unanswered question is resolved straight away by an official answer', () => {
    const s = apply(startCounts(start), event('post.official', { postId: 80, topicId: 8, official: true, topic: item(8, { status: 'RESOLVED' }) }))
    expect(math(s)).toEqual({ total: 4, open: 1 })
  })

  it('raises it again when the official answer is withdrawn and nobody else answered', () => {
    let s = apply(startCounts(start), event('post.official', { postId: 80, topicId: 8, official: true, topic: item(8, { status: 'RESOLVED' }) }))
    s = apply(s, event('post.official', { postId: 80, topicId: 8, official: false, topic: item(8, { status: 'OPEN' }) }))
    expect(math(s)).toEqual({ total: 4, open: 2 })
  })

  it('changes nothing for a question already answered before the page loaded', () => {
    const s = apply(startCounts(start), event('topic.updated', { topic: item(5, { status: 'ANSWERED', replyCount: 3 }) }), event('post.official', { postId: 50, topicId: 5, official: true, topic: item(5, { status: 'RESOLVED' }) }))
    expect(math(s)).toEqual({ total: 4, open: 2 })
  })

  it('counts a new question once, even when its event comes twice', () => {
    const created = event('topic.created', { topic: item(20, { subject: 'Русский язык', grade: 4 }) })
    const s = apply(startCounts(start), created, created)
    expect(russian(s)).toEqual({ total: 2, open: 2 })
  })

  it('takes a hidden question out of both counts and puts it back when shown', () => {
    let s = apply(startCounts(start), event('topic.updated', { topic: item(7, { hidden: true, title: 'Скрыт' }) }))
    expect(math(s)).toEqual({ total: 3, open: 1 })
    s = apply(s, event('topic.updated', { topic: item(7) }))
    expect(math(s)).toEqual({ total: 4, open: 2 })
    // 11 was hidden when the page loaded: shown, it is counted.
    s = apply(s, event('topic.updated', { topic: item(11, { status: 'ANSWERED' }) }))
    expect(math(s)).toEqual({ total: 5, open: 2 })
  })

  it('moves an unanswered question between subjects, and a merged one leaves the counts', () => {
    let s = apply(startCounts(start), event('topic.moved', { topicId: 8, topic: item(8, { subject: 'Русский язык', grade: 4 }), fromRoom: 'subject:3' }))
    expect(math(s)).toEqual({ total: 3, open: 1 })
    expect(russian(s)).toEqual({ total: 2, open: 2 })
    // An answered one the page never heard of: its old subject comes from the room name.
    s = apply(s, event('topic.moved', { topicId: 5, topic: item(5, { status: 'ANSWERED', subject: 'Русский язык', grade: 4 }), fromRoom: 'subject:3' }))
    expect(math(s)).toEqual({ total: 2, open: 1 })
    expect(russian(s)).toEqual({ total: 3, open: 2 })
    s = apply(s, event('topic.merged', { topicId: 9, intoId: 8, intoTitle: 'Вопрос 8' }))
    expect(russian(s)).toEqual({ total: 2, open: 1 })
  })
})

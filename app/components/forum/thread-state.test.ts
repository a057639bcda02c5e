// The thread page applies the room's events to what its loader read: a
// watcher must end up seeing what a fresh page load would show.
import { describe, expect, it } from 'vitest'
import type { ForumEventType, ForumEventView, PersonRef, PostView, PublicPost, TopicListItem } from '~/forum/types'
import { applyThreadEvent, eventAfter, orderPosts, type ThreadState, type ThreadTopic } from './thread-state'

const teacher: PersonRef = { id: 10, login: 'edu290001_t01', name: 'Кузнецова Мария Ивановна', roleLabel: 'Учитель-эксперт', staff: false }
const specialist: PersonRef = { id: 2, login: 'fioko01', name: 'Смирнова Анна Викторовна', roleLabel: 'Специалист ФИОКО', staff: true }
const colleague: PersonRef = { id: 11, login: 'edu290001_t02', name: 'Петрова Елена Николаевна', roleLabel: 'Учитель-эксперт', staff: false }

const listItem: TopicListItem = {
  id: 7,
  title: 'Нужно ли указывать единицы измерения?',
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
}

const topic: ThreadTopic = {
  ...listItem,
  forum: { id: 1, slug: 'experts', kind: 'EXPERTS', title: 'Эксперты ВПР', study: 'ВПР' },
  sectionId: null,
  expertSubjectId: 3,
  officialPostId: null,
  acceptedPostId: null,
  viewCount: 0,
  subscribed: true,
  mergedInto: null,
  duplicates: [],
}

function publicPost(id: number, author: PersonRef, patch: Partial<PublicPost> = {}): PublicPost {
  return {
    id,
    topicId: 7,
    author,
    isFirst: false,
    replyToId: null,
    html: `<p>post ${id}</p>`,
    text: `post ${id}`,
    official: false,
    accepted: false,
    agreeCount: 0,
    disagreeCount: 0,
    hidden: false,
    hiddenReason: null,
    editCount: 0,
    editedAt: null,
    createdAt: '2026-11-26T10:05:00.000Z',
    ...patch,
  }
}

function view(p: PublicPost, patch: Partial<PostView> = {}): PostView {
  return { ...p, myVote: 0, can: { edit: false, hide: false, vote: false, flag: true, markOfficial: false, accept: false }, ...patch }
}

let nextId = 100
function event(type: ForumEventType, payload: object): ForumEventView {
  return { id: String(nextId++), room: 'topic:7', type, payload: payload as Record<string, unknown>, createdAt: '2026-11-26T10:06:00.000Z' }
}

const question = view(publicPost(1, teacher, { isFirst: true }))
const start: ThreadState = { topic, posts: [question], needsReload: false }
const asTeacher = { id: teacher.id, role: 'TEACHER_EXPERT' as const }
const asSpecialist = { id: specialist.id, role: 'FIOKO_SPECIALIST' as const }

describe('applyThreadEvent', () => {
  it('appends a new answer once, with what this viewer may do with it', () => {
    const created = event('post.created', { post: publicPost(2, specialist) })
    let s = applyThreadEvent(start, created, asTeacher)
    s = applyThreadEvent(s, created, asTeacher)
    expect(s.posts.map((p) => p.id)).toEqual([1, 2])
    // The asker accepts and flags it; only specialists mark it official.
    expect(s.posts[1]!.can).toMatchObject({ accept: true, flag: true, edit: false, markOfficial: false, hide: false })
    const forSpecialist = applyThreadEvent(start, created, asSpecialist)
    expect(forSpecialist.posts[1]!.can).toMatchObject({ edit: true, markOfficial: true, hide: true, flag: false })
  })

  it('moves the official answer right after the question and the accepted one after it', () => {
    let s = start
    for (const [id, who] of [
      [2, colleague],
      [3, colleague],
      [4, specialist],
    ] as const)
      s = applyThreadEvent(s, event('post.created', { post: publicPost(id, who) }), asTeacher)
    s = applyThreadEvent(s, event('post.official', { postId: 4, topicId: 7, official: true, topic: { ...listItem, status: 'RESOLVED', hasOfficial: true } }), asTeacher)
    s = applyThreadEvent(s, event('post.accepted', { postId: 3, topicId: 7, accepted: true, topic: { ...listItem, status: 'RESOLVED', hasOfficial: true, hasAccepted: true } }), asTeacher)
    expect(s.posts.map((p) => p.id)).toEqual([1, 4, 3, 2])
    expect(s.topic.status).toBe('RESOLVED')
    expect(s.topic.officialPostId).toBe(4)
    // Unmarking puts it back in order.
    s = applyThreadEvent(s, event('post.official', { postId: 4, topicId: 7, official: false, topic: { ...listItem, status: 'ANSWERED', hasAccepted: true } }), asTeacher)
    expect(s.posts.map((p) => p.id)).toEqual([1, 3, 2, 4])
    expect(s.topic.officialPostId).toBeNull()
  })

  it('empties a hidden post for everyone but moderators, and asks moderators to reload for an unseen one', () => {
    const withPost = applyThreadEvent(start, event('post.created', { post: publicPost(2, colleague) }), asTeacher)
    const hidden = applyThreadEvent(withPost, event('post.hidden', { postId: 2, topicId: 7, hidden: true, reason: 'Персональные данные' }), asTeacher)
    expect(hidden.posts[1]).toMatchObject({ hidden: true, html: '', hiddenReason: 'Персональные данные' })
    expect(hidden.posts[1]!.can.flag).toBe(false)
    const moderatorView = applyThreadEvent(applyThreadEvent(start, event('post.created', { post: publicPost(2, colleague) }), asSpecialist), event('post.hidden', { postId: 2, topicId: 7, hidden: true, reason: 'ПДн' }), asSpecialist)
    expect(moderatorView.posts[1]!.html).toBe('<p>post 2</p>')
    // Shown again: those who never had the text read the page again.
    const shown = applyThreadEvent(hidden, event('post.hidden', { postId: 2, topicId: 7, hidden: false, reason: null }), asTeacher)
    expect(shown.needsReload).toBe(true)
  })

  it('keeps the viewer’s own vote when counts change, and shows claims and their release', () => {
    let s: ThreadState = { ...start, posts: [question, view(publicPost(2, specialist), { myVote: 1, agreeCount: 1 })] }
    s = applyThreadEvent(s, event('post.votes', { postId: 2, topicId: 7, agreeCount: 5, disagreeCount: 2 }), asTeacher)
    expect(s.posts[1]).toMatchObject({ myVote: 1, agreeCount: 5, disagreeCount: 2 })
    s = applyThreadEvent(s, event('topic.claimed', { topicId: 7, claimedBy: specialist, claimExpiresAt: '2026-11-26T11:35:00.000Z' }), asTeacher)
    expect(s.topic.claimedBy?.name).toBe('Смирнова Анна Викторовна')
    s = applyThreadEvent(s, event('topic.released', { topicId: 7 }), asTeacher)
    expect(s.topic.claimedBy).toBeNull()
  })

  it('applies an edit in place and asks for a reload on a move or a merge', () => {
    let s = applyThreadEvent(start, event('post.created', { post: publicPost(2, specialist) }), asTeacher)
    s = applyThreadEvent(s, event('post.updated', { post: publicPost(2, specialist, { html: '<p>исправлено</p>', editCount: 1, editedAt: '2026-11-26T10:10:00.000Z' }) }), asTeacher)
    expect(s.posts[1]).toMatchObject({ html: '<p>исправлено</p>', editCount: 1 })
    expect(applyThreadEvent(s, event('topic.merged', { topicId: 7, intoId: 3, intoTitle: 'Другой' }), asTeacher).needsReload).toBe(true)
  })
})

describe('orderPosts and eventAfter', () => {
  it('orders question, official, accepted, rest', () => {
    const posts = [view(publicPost(5, colleague)), view(publicPost(3, colleague), { accepted: true }), question, view(publicPost(4, specialist), { official: true })]
    expect(orderPosts(posts).map((p) => p.id)).toEqual([1, 4, 3, 5])
  })
  it('compares event ids as numbers', () => {
    expect(eventAfter('10', '9')).toBe(true)
    expect(eventAfter('9', '10')).toBe(false)
    expect(eventAfter('10', '10')).toBe(false)
  })
})

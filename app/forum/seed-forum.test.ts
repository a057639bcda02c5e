// The demo forum: realistic questions across subjects, about half with an
// official answer by fioko01, disputed ones with their votes, support topics
// in every study's forum; consistent with the rules the domain enforces;
// searchable once the outbox is drained; idempotent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { drainSearchOutbox, stopSearchDrain } from '~/search/outbox.server'
import { closeSearchEngine, searchDocuments } from '~/search/search.server'
import { actorFor, seedDemoData } from '../../tests/setup/fixtures'
import { seedForumDemo } from '../../prisma/seed-forum.ts'
import { getThread } from './topics.server'
import { checkPostingLimit } from './limits.server'
import { closeForumSql } from './sql.server'
import './search-documents.server'

beforeAll(async () => {
  await seedDemoData()
})

afterAll(async () => {
  await stopSearchDrain()
  await closeSearchEngine()
  await closeForumSql()
})

describe('seedForumDemo', () => {
  it('fills the experts forum and the support forums consistently, once', async () => {
    const first = await seedForumDemo(prisma)
    expect(first.topics).toBeGreaterThan(35)
    expect(await seedForumDemo(prisma)).toEqual({ topics: 0 })

    const experts = await prisma.topic.findMany({ where: { forum: { slug: 'experts' } }, include: { posts: true, officialPost: { include: { author: true } } } })
    expect(experts.length).toBeGreaterThanOrEqual(28)
    expect(new Set(experts.map((t) => t.expertSubjectId)).size).toBeGreaterThanOrEqual(15)
    const official = experts.filter((t) => t.officialPostId !== null)
    expect(official.length).toBeGreaterThanOrEqual(12)
    expect(official.length).toBeLessThanOrEqual(experts.length * 0.6)
    expect(official.every((t) => t.officialPost!.author.login === 'fioko01' && t.officialPost!.official && t.status === 'RESOLVED' && t.resolvedAt)).toBe(true)
    expect(experts.filter((t) => t.disputed).length).toBeGreaterThanOrEqual(3)
    expect(experts.some((t) => t.status === 'OPEN') && experts.some((t) => t.status === 'ANSWERED')).toBe(true)
    for (const t of experts) {
      expect(t.taskNumber).toMatch(/^\d/)
      expect(t.posts.filter((p) => p.isFirst)).toHaveLength(1)
      expect(t.replyCount).toBe(t.posts.length - 1)
      for (const p of t.posts) {
        const votes = await prisma.postVote.findMany({ where: { postId: p.id } })
        expect(p.agreeCount).toBe(votes.filter((v) => v.value === 1).length)
        expect(p.disagreeCount).toBe(votes.filter((v) => v.value === -1).length)
        expect(votes.every((v) => v.userId !== p.authorId)).toBe(true)
      }
    }
    const supportForums = await prisma.topic.groupBy({ by: ['forumId'], where: { forum: { kind: 'SUPPORT' } }, _count: { _all: true } })
    expect(supportForums.length).toBe(8)

    const teacher = await actorFor('edu290001_t01')
    // Demo accounts count as old ones: the new-account delay does not hold them back.
    expect((await checkPostingLimit(teacher, 'question', { limits: { newAccountDelayMin: 10, questionsPerHour: 10, repliesPerHour: 60 } })).status).toBe('success')
    const thread = await getThread(teacher, official[0].id)
    expect(thread.posts[1].official).toBe(true)
    expect(thread.posts[1].author).toMatchObject({ login: 'fioko01', staff: true })
  })

  it('is searchable once the outbox is drained', async () => {
    await drainSearchOutbox()
    const teacher = await actorFor('edu290001_t01')
    const hits = (await searchDocuments(teacher, { q: 'единицы измерения задание 5', filters: { kind: 'question', officialOnly: true } })).hits
    expect(hits.length).toBeGreaterThan(0)
    expect(hits[0].url).toMatch(/^\/cabinet\/topics\/\d+$/)
    const support = (await searchDocuments(teacher, { q: 'неверный формат файла', filters: { kind: 'topic' } })).hits
    expect(support[0]).toMatchObject({ kind: 'topic', study: 'ВПР' })
  })
})

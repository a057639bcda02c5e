// Posting limits: the new-account delay and the hourly caps, staff exempt,
// with a Russian message that says when posting works again; and the limits
// applied by askQuestion and reply themselves (nothing stored when refused).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { env } from '~/utils/env.server'
import { stopSearchDrain } from '~/search/outbox.server'
import { askExperts, body, forumPeople, forumPlaces, forumRowCounts, type ForumPerson } from '../../tests/setup/forum'
import { actionLimits, checkActionLimit, checkPostingLimit, forgetVotes, noteVote, postingLimits, type ActionLimits, type PostingLimits } from './limits.server'
import { reply } from './posts.server'
import { askQuestion } from './topics.server'
import { closeForumSql } from './sql.server'

let teacher: ForumPerson
let teacher2: ForumPerson
let specialist: ForumPerson

const LIMITS: PostingLimits = { newAccountDelayMin: 10, questionsPerHour: 3, repliesPerHour: 2 }

beforeAll(async () => {
  ;({ teacher, teacher2, specialist } = await forumPeople())
})

afterAll(async () => {
  await stopSearchDrain()
  await closeForumSql()
})

describe('checkPostingLimit', () => {
  it('makes a new account wait, says until when, and lets staff post at once', async () => {
    const created = (await prisma.user.findUniqueOrThrow({ where: { id: teacher.id } })).createdAt
    const now = new Date(created.getTime() + 4 * 60_000)
    const outcome = await checkPostingLimit(teacher, 'question', { limits: LIMITS, now })
    expect(outcome.status).toBe('error')
    if (outcome.status === 'error') {
      expect(outcome.message).toMatch(/Новая учётная запись может писать на форуме через 10 мин\./)
      expect(outcome.message).toMatch(/по московскому времени \(через 6 мин\.\)/)
      expect(outcome.retryAt.getTime()).toBe(created.getTime() + 10 * 60_000)
    }
    expect((await checkPostingLimit(teacher, 'question', { limits: LIMITS, now: new Date(created.getTime() + 11 * 60_000) })).status).toBe('success')
    expect((await checkPostingLimit(specialist, 'question', { limits: LIMITS, now })).status).toBe('success')
  })

  it('caps questions and replies per rolling hour and names the time the cap lifts', async () => {
    await prisma.user.update({ where: { id: teacher2.id }, data: { createdAt: new Date(Date.now() - 86_400_000) } })
    const ids: number[] = []
    for (let i = 0; i < 3; i++) ids.push(await askExperts(teacher2))
    const oldest = await prisma.topic.findUniqueOrThrow({ where: { id: ids[0] } })
    const capped = await checkPostingLimit(teacher2, 'question', { limits: LIMITS })
    expect(capped).toMatchObject({ status: 'error', message: expect.stringMatching(/Слишком много вопросов — не больше 3 в час\. Следующий можно будет отправить в \d\d:\d\d по московскому времени/) })
    if (capped.status === 'error') expect(capped.retryAt.getTime()).toBe(oldest.createdAt.getTime() + 3600_000)
    // An hour later the oldest has left the window.
    expect((await checkPostingLimit(teacher2, 'question', { limits: LIMITS, now: new Date(oldest.createdAt.getTime() + 3600_001) })).status).toBe('success')
    // Replies have their own cap; the question's first post is not a reply.
    expect((await checkPostingLimit(teacher2, 'reply', { limits: LIMITS })).status).toBe('success')
    expect((await checkPostingLimit(specialist, 'question', { limits: { ...LIMITS, questionsPerHour: 0 } })).status).toBe('success')
  })

  it('reads its defaults from the environment (none under NODE_ENV=test unless set)', () => {
    expect(postingLimits()).toEqual({ newAccountDelayMin: 0, questionsPerHour: 0, repliesPerHour: 0 })
  })
})

describe('limits in askQuestion and reply', () => {
  it('refuses with the limit’s message and stores nothing', async () => {
    const places = await forumPlaces()
    const id = await askExperts(teacher)
    // env() is parsed once per process; this test changes the parsed copy for itself.
    const parsed = env()
    const saved = parsed.FORUM_NEW_ACCOUNT_DELAY_MIN
    parsed.FORUM_NEW_ACCOUNT_DELAY_MIN = 60
    try {
      const before = await forumRowCounts()
      const asked = await askQuestion(teacher, { forum: 'experts', expertSubjectId: places.math5.id, taskNumber: '3', title: 'Вопрос от новой учётной записи', content: body('Текст') })
      expect(asked).toMatchObject({ status: 'error', message: expect.stringMatching(/Новая учётная запись/) })
      const replied = await reply(teacher, id, { content: body('Ответ от новой учётной записи') })
      expect(replied).toMatchObject({ status: 'error', message: expect.stringMatching(/Новая учётная запись/) })
      expect(await forumRowCounts()).toEqual(before)
      expect((await reply(specialist, id, { content: body('Специалисту ждать не нужно') })).status).toBe('success')
    } finally {
      parsed.FORUM_NEW_ACCOUNT_DELAY_MIN = saved
    }
  })
})

describe('checkActionLimit (votes, flags, edits)', () => {
  const CAPS: ActionLimits = { votesPerHour: 2, flagsPerHour: 1, editsPerHour: 1 }

  it('counts votes in a sliding hour and says when voting works again; staff are exempt', async () => {
    forgetVotes()
    const t0 = new Date('2026-11-26T12:00:00Z')
    noteVote(teacher.id, t0)
    noteVote(teacher.id, new Date(t0.getTime() + 10 * 60_000))
    const at = new Date(t0.getTime() + 20 * 60_000)
    const capped = await checkActionLimit(teacher, 'vote', { limits: CAPS, now: at })
    expect(capped).toMatchObject({ status: 'error', message: 'Слишком много голосов — не больше 2 в час. Следующий голос можно будет отдать в 16:00 по московскому времени (через 40 мин.).' })
    if (capped.status === 'error') expect(capped.retryAt.getTime()).toBe(t0.getTime() + 3600_000)
    expect((await checkActionLimit(teacher, 'vote', { limits: CAPS, now: new Date(t0.getTime() + 3600_001) })).status).toBe('success')
    expect((await checkActionLimit(teacher2, 'vote', { limits: CAPS, now: at })).status).toBe('success')
    noteVote(specialist.id, at)
    noteVote(specialist.id, at)
    expect((await checkActionLimit(specialist, 'vote', { limits: CAPS, now: at })).status).toBe('success')
    forgetVotes()
  })

  it('counts flags and edits from their rows', async () => {
    const id = await askExperts(teacher)
    const post = await prisma.post.findFirstOrThrow({ where: { topicId: id, isFirst: true } })
    expect((await checkActionLimit(teacher2, 'flag', { limits: CAPS })).status).toBe('success')
    const flag = await prisma.postFlag.create({ data: { postId: post.id, reporterId: teacher2.id, reason: 'спам' } })
    const capped = await checkActionLimit(teacher2, 'flag', { limits: CAPS })
    expect(capped).toMatchObject({ status: 'error', message: expect.stringMatching(/^Слишком много жалоб — не больше 1 в час\. Следующую можно будет отправить в /) })
    if (capped.status === 'error') expect(capped.retryAt.getTime()).toBe(flag.createdAt.getTime() + 3600_000)
    expect((await checkActionLimit(teacher2, 'edit', { limits: CAPS })).status).toBe('success')
    await prisma.postRevision.create({ data: { postId: post.id, editorId: teacher2.id, content: {}, html: '<p>старое</p>' } })
    expect(await checkActionLimit(teacher2, 'edit', { limits: CAPS })).toMatchObject({ status: 'error', message: expect.stringMatching(/^Слишком много правок — не больше 1 в час/) })
    expect((await checkActionLimit(teacher2, 'edit', { limits: { ...CAPS, editsPerHour: 0 } })).status).toBe('success')
  })

  it('reads its defaults from the environment (none under NODE_ENV=test unless set)', () => {
    expect(actionLimits()).toEqual({ votesPerHour: 0, flagsPerHour: 0, editsPerHour: 0 })
    const parsed = env()
    const saved = { ...parsed }
    try {
      Object.assign(parsed, { FORUM_VOTES_PER_HOUR: 120, FORUM_FLAGS_PER_HOUR: 20, RATE_LIMIT_FACTOR: 2 })
      expect(actionLimits()).toEqual({ votesPerHour: 240, flagsPerHour: 40, editsPerHour: 0 })
    } finally {
      Object.assign(parsed, saved)
    }
  })
})

import { beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { prisma } from '~/utils/db.server'
import { parseEnv } from '~/utils/env.server'
import { thrownResponse } from '../../tests/setup/fixtures.ts'
import { claimMinutes, claimTopic, formatMoscowTime, releaseClaim, releaseExpiredClaims, specialistQueue } from './claims.server'
import { forumPeople, makeTopic, subject } from './moderation-fixtures.server'
import { forumRooms } from './rooms'

let people: Awaited<ReturnType<typeof forumPeople>>

beforeAll(async () => {
  people = await forumPeople()
})

beforeEach(async () => {
  // Each test starts with no claims and no events (the topics of earlier tests stay).
  await prisma.topic.updateMany({ data: { claimedById: null, claimExpiresAt: null } })
  await prisma.forumEvent.deleteMany()
})

const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000)

describe('claimTopic', () => {
  test('a specialist claims an open question for FORUM_CLAIM_MINUTES and every room of it hears who and until when', async () => {
    const q = await makeTopic({ authorId: people.teacher.id })
    const before = Date.now()
    const result = await claimTopic(people.spec1, q.id)
    expect(result).toMatchObject({ status: 'success', topicId: q.id, renewed: false, claimedBy: { id: people.spec1.id, login: 'spec1', staff: true } })

    const row = await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })
    expect(row.claimedById).toBe(people.spec1.id)
    expect(claimMinutes()).toBe(15)
    const lasts = row.claimExpiresAt!.getTime() - before
    expect(lasts).toBeGreaterThan(14.9 * 60_000)
    expect(lasts).toBeLessThan(15.5 * 60_000)

    const events = await prisma.forumEvent.findMany({ where: { type: 'topic.claimed' } })
    expect(events.map((e) => e.room).sort()).toEqual(
      [forumRooms.topic(q.id), forumRooms.subject(q.expertSubjectId!), forumRooms.forum(q.forumId), forumRooms.queue].sort(),
    )
    expect(events[0].payload).toMatchObject({ topicId: q.id, claimedBy: { login: 'spec1' }, claimExpiresAt: row.claimExpiresAt!.toISOString() })
  })

  test('a second specialist is refused while the claim lives, told who holds it and until when (Moscow time)', async () => {
    const q = await makeTopic({ authorId: people.teacher.id })
    expect((await claimTopic(people.spec1, q.id)).status).toBe('success')
    const refused = await claimTopic(people.spec2, q.id)
    const row = await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })
    expect(refused.status).toBe('error')
    const message = (refused as { message: string }).message
    expect(message).toContain('Вопрос уже взял(а) в работу Тестовый пользователь spec1')
    expect(message).toContain(`до ${formatMoscowTime(row.claimExpiresAt!)} (по московскому времени)`)
    expect(row.claimedById).toBe(people.spec1.id)
    expect(await prisma.forumEvent.count({ where: { type: 'topic.claimed' } })).toBe(4) // the first claim's rooms only
  })

  test('Moscow time is UTC+3 in the message', () => {
    expect(formatMoscowTime(new Date('2026-11-26T12:05:00Z'))).toBe('15:05')
  })

  test('the holder renews the claim; an expired claim is taken over by someone else', async () => {
    const q = await makeTopic({ authorId: people.teacher.id })
    await claimTopic(people.spec1, q.id)
    await prisma.topic.update({ where: { id: q.id }, data: { claimExpiresAt: minutesFromNow(2) } })
    const renewed = await claimTopic(people.spec1, q.id)
    expect(renewed).toMatchObject({ status: 'success', renewed: true })
    const after = await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })
    expect(after.claimExpiresAt!.getTime()).toBeGreaterThan(minutesFromNow(14).getTime())

    await prisma.topic.update({ where: { id: q.id }, data: { claimExpiresAt: minutesFromNow(-1) } })
    const takeover = await claimTopic(people.spec2, q.id)
    expect(takeover).toMatchObject({ status: 'success', renewed: false, claimedBy: { id: people.spec2.id } })
    expect((await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })).claimedById).toBe(people.spec2.id)
  })

  test('two specialists claiming the same question at the same moment: exactly one wins', async () => {
    for (let round = 0; round < 5; round++) {
      const q = await makeTopic({ authorId: people.teacher.id })
      const results = await Promise.all([claimTopic(people.spec1, q.id), claimTopic(people.spec2, q.id), claimTopic(people.admin, q.id)])
      const winners = results.filter((r) => r.status === 'success')
      expect(winners).toHaveLength(1)
      const row = await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })
      expect(row.claimedById).toBe((winners[0] as { claimedBy: { id: number } }).claimedBy.id)
      for (const loser of results.filter((r) => r.status === 'error')) expect((loser as { message: string }).message).toMatch(/^Вопрос уже взял\(а\) в работу/)
      expect(await prisma.forumEvent.count({ where: { type: 'topic.claimed', room: forumRooms.topic(q.id) } })).toBe(1)
    }
  })

  test('teachers, coordinators and support agents may not claim; nobody claims a support-forum topic', async () => {
    const q = await makeTopic({ authorId: people.teacher.id })
    for (const actor of [people.teacher, people.coordinator, people.agent]) {
      expect((await thrownResponse(() => claimTopic(actor, q.id))).status).toBe(403)
    }
    const support = await makeTopic({ authorId: people.teacher.id, forum: 'vpr' })
    expect((await thrownResponse(() => claimTopic(people.spec1, support.id))).status).toBe(403)
    expect((await thrownResponse(() => claimTopic(people.spec1, 9_999_999))).status).toBe(404)
    expect((await thrownResponse(() => claimTopic(people.spec1, 'abc'))).status).toBe(404)
    expect(await prisma.topic.count({ where: { claimedById: { not: null } } })).toBe(0)
  })

  test('questions with an official answer, closed, merged or hidden cannot be claimed; answered ones without an official answer can', async () => {
    const resolved = await makeTopic({ authorId: people.teacher.id, replies: [{ authorId: people.spec1.id, text: 'Официально: 2 балла', official: true }] })
    expect(await claimTopic(people.spec2, resolved.id)).toEqual({ status: 'error', message: 'На вопрос уже дан официальный ответ.' })
    const closed = await makeTopic({ authorId: people.teacher.id, status: 'CLOSED' })
    expect(await claimTopic(people.spec2, closed.id)).toEqual({ status: 'error', message: 'Вопрос закрыт.' })
    const canonical = await makeTopic({ authorId: people.teacher.id })
    const merged = await makeTopic({ authorId: people.teacher.id })
    await prisma.topic.update({ where: { id: merged.id }, data: { mergedIntoId: canonical.id, status: 'CLOSED' } })
    expect((await claimTopic(people.spec2, merged.id)) as { message: string }).toMatchObject({ message: `Вопрос объединён с вопросом №${canonical.id}: возьмите в работу его.` })
    const hidden = await makeTopic({ authorId: people.teacher.id, hidden: true })
    expect(await claimTopic(people.spec2, hidden.id)).toEqual({ status: 'error', message: 'Вопрос скрыт модератором.' })
    // A hidden question does not exist for a teacher.
    expect((await thrownResponse(() => claimTopic(people.teacher, hidden.id))).status).toBe(404)

    const answered = await makeTopic({ authorId: people.teacher.id, status: 'ANSWERED', replies: [{ authorId: people.teacher2.id, text: 'Я бы поставил 1' }] })
    expect((await claimTopic(people.spec2, answered.id)).status).toBe('success')
    expect(await prisma.topic.count({ where: { claimedById: { not: null } } })).toBe(1)
  })
})

describe('releaseClaim', () => {
  test('the holder gives the question back and the rooms hear topic.released', async () => {
    const q = await makeTopic({ authorId: people.teacher.id })
    await claimTopic(people.spec1, q.id)
    expect(await releaseClaim(people.spec1, q.id)).toEqual({ status: 'success', topicId: q.id, released: true })
    const row = await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })
    expect([row.claimedById, row.claimExpiresAt]).toEqual([null, null])
    const events = await prisma.forumEvent.findMany({ where: { type: 'topic.released' } })
    expect(events.map((e) => e.room)).toContain(forumRooms.queue)
    expect(events.map((e) => e.room)).toContain(forumRooms.topic(q.id))
    expect(events[0].payload).toEqual({ topicId: q.id })
    // Nothing to release: no error, no event.
    expect(await releaseClaim(people.spec1, q.id)).toEqual({ status: 'success', topicId: q.id, released: false })
    expect(await prisma.forumEvent.count({ where: { type: 'topic.released' } })).toBe(events.length)
  })

  test("another specialist cannot drop someone's live claim; an administrator can; a teacher gets 403", async () => {
    const q = await makeTopic({ authorId: people.teacher.id })
    await claimTopic(people.spec1, q.id)
    const refused = await releaseClaim(people.spec2, q.id)
    expect(refused.status).toBe('error')
    expect((await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })).claimedById).toBe(people.spec1.id)
    expect((await thrownResponse(() => releaseClaim(people.teacher, q.id))).status).toBe(403)
    expect(await releaseClaim(people.admin, q.id)).toMatchObject({ status: 'success', released: true })
    expect((await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })).claimedById).toBeNull()
  })
})

describe('specialistQueue', () => {
  test('unanswered, visible, unmerged questions of the experts forum, oldest first, per subject, expired claims shown free', async () => {
    await prisma.topic.updateMany({ data: { status: 'CLOSED' } }) // earlier tests' questions leave the queue
    const math = await subject('Математика', 6)
    const russian = await subject('Русский язык', 6)
    const old = await makeTopic({ authorId: people.teacher.id, expertSubjectId: math.id, createdAt: minutesFromNow(-120), title: 'Старый вопрос по математике' })
    const mid = await makeTopic({ authorId: people.teacher.id, expertSubjectId: russian.id, createdAt: minutesFromNow(-60), title: 'Вопрос по русскому' })
    const recent = await makeTopic({ authorId: people.teacher.id, expertSubjectId: math.id, createdAt: minutesFromNow(-5), title: 'Новый вопрос по математике' })
    await makeTopic({ authorId: people.teacher.id, status: 'ANSWERED' })
    await makeTopic({ authorId: people.teacher.id, hidden: true })
    await makeTopic({ authorId: people.teacher.id, forum: 'vpr' })
    const dup = await makeTopic({ authorId: people.teacher.id })
    await prisma.topic.update({ where: { id: dup.id }, data: { mergedIntoId: old.id } })

    await claimTopic(people.spec1, old.id)
    await claimTopic(people.spec2, recent.id)
    await prisma.topic.update({ where: { id: recent.id }, data: { claimExpiresAt: minutesFromNow(-1) } })

    const queue = await specialistQueue(people.spec2)
    expect(queue.map((t) => t.id)).toEqual([old.id, mid.id, recent.id])
    expect(queue[0].claimedBy).toMatchObject({ login: 'spec1' })
    expect(queue[0].claimExpiresAt).not.toBeNull()
    expect(queue[2].claimedBy).toBeNull() // expired: free
    expect(queue[2].claimExpiresAt).toBeNull()

    const mathOnly = await specialistQueue(people.admin, { expertSubjectId: math.id })
    expect(mathOnly.map((t) => t.title)).toEqual(['Старый вопрос по математике', 'Новый вопрос по математике'])

    for (const actor of [people.teacher, people.agent]) expect((await thrownResponse(() => specialistQueue(actor))).status).toBe(403)
  })
})

describe('releaseExpiredClaims', () => {
  test('clears expired claims only and announces each', async () => {
    const expired = await makeTopic({ authorId: people.teacher.id })
    const live = await makeTopic({ authorId: people.teacher.id })
    await claimTopic(people.spec1, expired.id)
    await claimTopic(people.spec2, live.id)
    await prisma.topic.update({ where: { id: expired.id }, data: { claimExpiresAt: minutesFromNow(-3) } })
    await prisma.forumEvent.deleteMany()

    expect(await releaseExpiredClaims()).toBe(1)
    expect((await prisma.topic.findUniqueOrThrow({ where: { id: expired.id } })).claimedById).toBeNull()
    expect((await prisma.topic.findUniqueOrThrow({ where: { id: live.id } })).claimedById).toBe(people.spec2.id)
    const events = await prisma.forumEvent.findMany({ where: { type: 'topic.released' } })
    expect(new Set(events.map((e) => (e.payload as { topicId: number }).topicId))).toEqual(new Set([expired.id]))
    expect(events.map((e) => e.room)).toContain(forumRooms.queue)
    expect(await releaseExpiredClaims()).toBe(0)
  })
})

test('FORUM_CLAIM_MINUTES: default 15, a whole number of minutes from 1 to a day', () => {
  expect(parseEnv({}).FORUM_CLAIM_MINUTES).toBe(15)
  expect(parseEnv({ FORUM_CLAIM_MINUTES: '30' }).FORUM_CLAIM_MINUTES).toBe(30)
  expect(() => parseEnv({ FORUM_CLAIM_MINUTES: '0' })).toThrow(/FORUM_CLAIM_MINUTES/)
  expect(() => parseEnv({ FORUM_CLAIM_MINUTES: 'soon' })).toThrow(/FORUM_CLAIM_MINUTES/)
})

describe('a database whose TimeZone is not UTC', () => {
  // The embedded database runs one session, so SET reaches the session the
  // claims' SQL runs in; the test checks that it did before relying on it.
  test('a claim lasts FORUM_CLAIM_MINUTES from now, is refused to others and expires on time in Moscow time too', async () => {
    await prisma.$executeRawUnsafe(`SET TIME ZONE 'Europe/Moscow'`)
    try {
      const [{ tz }] = await prisma.$queryRawUnsafe<{ tz: string }[]>(`SELECT current_setting('TimeZone') AS tz`)
      expect(tz).toBe('Europe/Moscow')
      const q = await makeTopic({ authorId: people.teacher.id })
      const before = Date.now()
      const claimed = await claimTopic(people.spec1, q.id)
      expect(claimed.status).toBe('success')
      const row = await prisma.topic.findUniqueOrThrow({ where: { id: q.id } })
      const lasts = row.claimExpiresAt!.getTime() - before
      expect(lasts).toBeGreaterThan(14.9 * 60_000)
      expect(lasts).toBeLessThan(15.5 * 60_000)
      expect((await claimTopic(people.spec2, q.id)).status).toBe('error')
      // Nothing has expired yet: the sweep leaves the live claim alone.
      expect(await releaseExpiredClaims()).toBe(0)
      // Two minutes past its expiry it is gone, and another specialist may take the question.
      await prisma.topic.update({ where: { id: q.id }, data: { claimExpiresAt: minutesFromNow(-2) } })
      expect((await claimTopic(people.spec2, q.id)).status).toBe('success')
      await prisma.topic.update({ where: { id: q.id }, data: { claimExpiresAt: minutesFromNow(-2) } })
      expect(await releaseExpiredClaims()).toBe(1)
    } finally {
      await prisma.$executeRawUnsafe(`SET TIME ZONE 'UTC'`)
    }
  })
})

// Answering on the test database: statuses, notifications and events of a
// reply; locked topics; official and accepted answers with their rights;
// votes (rights, the disputed mark, concurrent votes); edits with history;
// flags. Permissions are checked here, on the server, not by the buttons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { stopSearchDrain } from '~/search/outbox.server'
import { thrownResponse } from '../../tests/setup/fixtures'
import { askExperts, askSupport, body, forumPeople, forumRowCounts, replyText, type ForumPerson } from '../../tests/setup/forum'
import { editPost, flagPost, postHistory, reply, setAccepted, setOfficial, vote } from './posts.server'
import { getThread } from './topics.server'
import { closeForumSql } from './sql.server'
import { forgetVotes } from './limits.server'
import { env } from '~/utils/env.server'
import { createUser } from '../../tests/setup/fixtures'

let teacher: ForumPerson
let teacher2: ForumPerson
let teacher3: ForumPerson
let specialist: ForumPerson
let agent: ForumPerson

beforeAll(async () => {
  ;({ teacher, teacher2, teacher3, specialist, agent } = await forumPeople())
})

afterAll(async () => {
  await stopSearchDrain()
  await closeForumSql()
})

const notificationsOf = (topicId: number) => prisma.notification.findMany({ where: { topicId }, orderBy: { id: 'asc' } })

describe('reply', () => {
  it('moves OPEN to ANSWERED when someone else replies, records events in the right rooms and tells the asker and subscribers', async () => {
    const id = await askExperts(teacher)
    await prisma.topicSubscription.create({ data: { topicId: id, userId: teacher3.id } })

    await replyText(teacher, id, 'Уточню: ответ записан в строке ответа.')
    let topic = await prisma.topic.findUniqueOrThrow({ where: { id } })
    expect(topic).toMatchObject({ status: 'OPEN', replyCount: 1, firstAnsweredAt: null })

    const before = await prisma.forumEvent.findFirst({ orderBy: { id: 'desc' } })
    const postId = await replyText(teacher2, id, 'По критериям единицы измерения не обязательны.')
    topic = await prisma.topic.findUniqueOrThrow({ where: { id } })
    expect(topic.status).toBe('ANSWERED')
    expect(topic.replyCount).toBe(2)
    expect(topic.firstAnsweredAt).toBeInstanceOf(Date)

    const events = await prisma.forumEvent.findMany({ where: { id: { gt: before?.id ?? 0n } }, orderBy: { id: 'asc' } })
    const created = events.filter((e) => e.type === 'post.created')
    expect(created.map((e) => e.room)).toEqual([`topic:${id}`])
    expect(created[0].payload).toMatchObject({ post: { id: postId, topicId: id, author: { login: teacher2.login }, isFirst: false } })
    const updated = events.filter((e) => e.type === 'topic.updated').map((e) => e.room)
    expect(updated).toEqual(expect.arrayContaining([`topic:${id}`, 'queue', expect.stringMatching(/^subject:/), expect.stringMatching(/^forum:/)]))

    const notes = await notificationsOf(id)
    const answered = notes.filter((n) => n.postId === postId)
    expect(answered.map((n) => n.userId).sort()).toEqual([teacher.id, teacher3.id].sort())
    expect(answered.every((n) => n.kind === 'answered' && n.url === `/cabinet/topics/${id}#post-${postId}`)).toBe(true)
  })

  it('notifies the quoted author with "reply" and mentioned people with "mention", each person once', async () => {
    const id = await askExperts(teacher)
    const quoted = await replyText(teacher2, id, 'Я бы поставил 1 балл.')
    const postId = await replyText(specialist, id, `Коллеги, @${teacher3.login} и @${teacher2.login}, ставится 1 балл.`, quoted)
    const notes = (await notificationsOf(id)).filter((n) => n.postId === postId)
    const byUser = Object.fromEntries(notes.map((n) => [n.userId, n.kind]))
    expect(byUser).toEqual({ [teacher3.id]: 'mention', [teacher2.id]: 'mention', [teacher.id]: 'answered' })
    const post = await prisma.post.findUniqueOrThrow({ where: { id: postId } })
    expect(post.replyToId).toBe(quoted)
  })

  it('refuses a reply to a locked, closed or merged question except for moderators, storing nothing', async () => {
    const id = await askExperts(teacher)
    await prisma.topic.update({ where: { id }, data: { locked: true } })
    const before = await forumRowCounts()
    const refused = await reply(teacher2, id, { content: body('Можно мне ответить?') })
    expect(refused).toMatchObject({ status: 'error', message: expect.stringMatching(/^Вопрос закрыт для ответов/) })
    expect(await forumRowCounts()).toEqual(before)
    expect((await getThread(teacher2, id)).can.reply).toBe(false)
    expect((await reply(specialist, id, { content: body('Ответ модератора в закрытом вопросе') })).status).toBe('success')

    const closed = await askExperts(teacher)
    await prisma.topic.update({ where: { id: closed }, data: { status: 'CLOSED' } })
    expect(await reply(teacher2, closed, { content: body('Ответ') })).toMatchObject({ status: 'error', message: expect.stringMatching(/^Вопрос закрыт для ответов/) })
    const merged = await askExperts(teacher)
    await prisma.topic.update({ where: { id: merged }, data: { mergedIntoId: id } })
    expect(await reply(teacher2, merged, { content: body('Ответ') })).toMatchObject({ status: 'error', message: expect.stringMatching(/объединён/) })
  })

  it('announces changes of a hidden question only in its own room', async () => {
    const id = await askExperts(teacher, { title: 'Скрытый вопрос с фамилией ученика' })
    await prisma.topic.update({ where: { id }, data: { hidden: true } })
    const before = await prisma.forumEvent.findFirst({ orderBy: { id: 'desc' } })
    const answer = await replyText(specialist, id, 'Ответ модератора в скрытом вопросе')
    await setOfficial(specialist, answer, true)
    const events = await prisma.forumEvent.findMany({ where: { id: { gt: before!.id } } })
    expect(events.length).toBeGreaterThanOrEqual(3)
    expect(new Set(events.map((e) => e.room))).toEqual(new Set([`topic:${id}`]))
    // …and nobody but moderators is told about it.
    expect(await prisma.notification.count({ where: { topicId: id } })).toBe(0)
  })

  it('refuses bad bodies and foreign quotes; 404 for unknown and hidden questions', async () => {
    const id = await askExperts(teacher)
    const other = await askExperts(teacher)
    const foreign = await replyText(teacher2, other, 'Ответ в другом вопросе')
    const before = await forumRowCounts()
    expect((await reply(teacher2, id, { content: '' })).status).toBe('error')
    expect((await reply(teacher2, id, { content: JSON.stringify({ root: { type: 'root', children: [{ type: 'iframe', src: 'https://evil.example' }] } }) })).status).toBe('error')
    expect(await reply(teacher2, id, { content: body('Цитата'), replyToId: foreign })).toMatchObject({ status: 'error', message: expect.stringMatching(/Цитируемое/) })
    expect(await forumRowCounts()).toEqual(before)
    expect((await thrownResponse(() => reply(teacher2, 999_999, { content: body('Текст') }))).status).toBe(404)
    await prisma.topic.update({ where: { id }, data: { hidden: true } })
    expect((await thrownResponse(() => reply(teacher2, id, { content: body('Текст') }))).status).toBe(404)
  })
})

describe('official and accepted answers', () => {
  it('lets only ФИОКО mark an official answer, resolves, releases the claim, moves the mark and reverts when unmarked', async () => {
    const id = await askExperts(teacher)
    const a1 = await replyText(teacher2, id, 'Мнение учителя')
    const a2 = await replyText(specialist, id, 'Официально: балл ставится.')
    const first = (await prisma.post.findFirstOrThrow({ where: { topicId: id, isFirst: true } })).id

    expect((await thrownResponse(() => setOfficial(teacher, a2, true))).status).toBe(403)
    expect((await thrownResponse(() => setOfficial(agent, a2, true))).status).toBe(403)
    expect(await setOfficial(specialist, first, true)).toMatchObject({ status: 'error' })
    expect((await prisma.topic.findUniqueOrThrow({ where: { id } })).status).toBe('ANSWERED')

    await prisma.topic.update({ where: { id }, data: { claimedById: specialist.id, claimExpiresAt: new Date(Date.now() + 600_000) } })
    expect(await setOfficial(specialist, a2, true)).toMatchObject({ status: 'success', official: true })
    let topic = await prisma.topic.findUniqueOrThrow({ where: { id } })
    expect(topic).toMatchObject({ status: 'RESOLVED', officialPostId: a2, claimedById: null, claimExpiresAt: null })
    expect(topic.resolvedAt).toBeInstanceOf(Date)
    const resolved = (await notificationsOf(id)).filter((n) => n.kind === 'resolved')
    expect(resolved.map((n) => n.userId)).toEqual([teacher.id])
    const events = await prisma.forumEvent.findMany({ where: { room: `topic:${id}`, type: { in: ['post.official', 'topic.released'] } } })
    expect(events.map((e) => e.type).sort()).toEqual(['post.official', 'topic.released'])
    expect(events.find((e) => e.type === 'post.official')!.payload).toMatchObject({ postId: a2, official: true, topic: { id, status: 'RESOLVED', hasOfficial: true, claimedBy: null } })
    expect(await prisma.searchOutbox.count({ where: { kind: 'question', sourceId: String(id) } })).toBe(2)

    // One official answer per topic: marking another moves the mark.
    await setOfficial(specialist, a1, true)
    expect((await prisma.post.findUniqueOrThrow({ where: { id: a2 } })).official).toBe(false)
    expect((await prisma.post.findUniqueOrThrow({ where: { id: a1 } })).official).toBe(true)
    expect((await prisma.topic.findUniqueOrThrow({ where: { id } })).officialPostId).toBe(a1)

    await setOfficial(specialist, a1, false)
    topic = await prisma.topic.findUniqueOrThrow({ where: { id } })
    expect(topic).toMatchObject({ status: 'ANSWERED', officialPostId: null, resolvedAt: null })
    expect((await prisma.post.count({ where: { topicId: id, official: true } }))).toBe(0)
  })

  it('falls back to OPEN when only the asker replied', async () => {
    const id = await askExperts(teacher)
    const own = await replyText(teacher, id, 'Дополнение автора')
    const official = await replyText(specialist, id, 'Ответ')
    // The asker's own reply did not answer; the specialist's did.
    await prisma.topic.update({ where: { id }, data: { status: 'OPEN', firstAnsweredAt: null } })
    await setOfficial(specialist, own, true)
    await setOfficial(specialist, own, false)
    expect((await prisma.topic.findUniqueOrThrow({ where: { id } })).status).toBe('OPEN')
    void official
  })

  it('lets the asker accept one answer; accepting resolves a support topic but not an experts question', async () => {
    const id = await askExperts(teacher)
    const a1 = await replyText(teacher2, id, 'Ответ 1')
    const a2 = await replyText(teacher3, id, 'Ответ 2')
    expect((await thrownResponse(() => setAccepted(teacher2, a1, true))).status).toBe(403)
    expect(await setAccepted(teacher, a1, true)).toMatchObject({ status: 'success', accepted: true })
    expect(await prisma.topic.findUniqueOrThrow({ where: { id } })).toMatchObject({ acceptedPostId: a1, status: 'ANSWERED' })
    await setAccepted(teacher, a2, true)
    expect((await prisma.topic.findUniqueOrThrow({ where: { id } })).acceptedPostId).toBe(a2)
    const accepted = await prisma.forumEvent.findMany({ where: { room: `topic:${id}`, type: 'post.accepted' }, orderBy: { id: 'asc' } })
    expect(accepted.map((e) => (e.payload as { postId: number; accepted: boolean }))).toEqual([
      expect.objectContaining({ postId: a1, accepted: true }),
      expect.objectContaining({ postId: a1, accepted: false }),
      expect.objectContaining({ postId: a2, accepted: true }),
    ])

    const support = await askSupport(teacher)
    const answer = await replyText(agent, support, 'Обновите страницу и загрузите форму заново.')
    await setAccepted(teacher, answer, true)
    expect(await prisma.topic.findUniqueOrThrow({ where: { id: support } })).toMatchObject({ status: 'RESOLVED', acceptedPostId: answer })
    await setAccepted(teacher, answer, false)
    expect(await prisma.topic.findUniqueOrThrow({ where: { id: support } })).toMatchObject({ status: 'ANSWERED', acceptedPostId: null, resolvedAt: null })
  })
})

describe('votes', () => {
  it('enforces who votes on what, marks the question disputed on a disagree vote, and withdraws', async () => {
    const id = await askExperts(teacher)
    const answer = await replyText(teacher2, id, 'Я считаю, что балл не ставится.')
    const first = (await prisma.post.findFirstOrThrow({ where: { topicId: id, isFirst: true } })).id
    expect(await vote(teacher2, answer, 1)).toMatchObject({ status: 'error', message: expect.stringMatching(/своё/) })
    expect(await vote(teacher2, first, 1)).toMatchObject({ status: 'error' })
    expect((await thrownResponse(() => vote(agent, answer, 1))).status).toBe(403)
    expect(await vote(teacher3, answer, 2)).toMatchObject({ status: 'error' })

    expect(await vote(teacher3, answer, 1)).toMatchObject({ status: 'success', agreeCount: 1, disagreeCount: 0 })
    expect((await prisma.topic.findUniqueOrThrow({ where: { id } })).disputed).toBe(false)
    expect(await vote(teacher, answer, -1)).toMatchObject({ status: 'success', agreeCount: 1, disagreeCount: 1 })
    expect((await prisma.topic.findUniqueOrThrow({ where: { id } })).disputed).toBe(true)
    expect(await vote(teacher3, answer, -1)).toMatchObject({ agreeCount: 0, disagreeCount: 2 })
    expect(await vote(teacher3, answer, 0)).toMatchObject({ agreeCount: 0, disagreeCount: 1, myVote: 0 })
    expect((await getThread(teacher, id)).posts.find((p) => p.id === answer)).toMatchObject({ myVote: -1, disagreeCount: 1 })
    const votes = await prisma.forumEvent.findMany({ where: { type: 'post.votes', payload: { path: ['postId'], equals: answer } } })
    expect(votes.every((e) => e.room === `topic:${id}`)).toBe(true)
    expect(votes).toHaveLength(4)

    const support = await askSupport(teacher)
    const supportAnswer = await replyText(agent, support, 'Ответ поддержки')
    expect((await thrownResponse(() => vote(teacher2, supportAnswer, 1))).status).toBe(403)
  })

  it('counts every one of concurrent votes', async () => {
    const id = await askExperts(teacher)
    const answer = await replyText(specialist, id, 'Ответ для голосования')
    const results = await Promise.all([vote(teacher, answer, 1), vote(teacher2, answer, 1), vote(teacher3, answer, -1)])
    expect(results.every((r) => r.status === 'success')).toBe(true)
    const post = await prisma.post.findUniqueOrThrow({ where: { id: answer } })
    expect({ agree: post.agreeCount, disagree: post.disagreeCount }).toEqual({ agree: 2, disagree: 1 })
  })
})

describe('edits and history', () => {
  it('keeps every version; author and moderators edit, others may not; anyone who reads sees the history', async () => {
    const id = await askExperts(teacher)
    const answer = await replyText(teacher2, id, 'Версия 1')
    expect((await thrownResponse(() => editPost(teacher3, answer, { content: body('Чужая правка') }))).status).toBe(403)
    const before = await forumRowCounts()
    expect(await editPost(teacher2, answer, { content: JSON.stringify({ root: { type: 'root', children: [{ type: 'script' }] } }) })).toMatchObject({ status: 'error' })
    expect(await forumRowCounts()).toEqual(before)

    expect(await editPost(teacher2, answer, { content: body('Версия 2') })).toMatchObject({ status: 'success', changed: true })
    expect(await editPost(specialist, answer, { content: body('Версия 3 (правка модератора)') })).toMatchObject({ status: 'success', changed: true })
    expect(await editPost(teacher2, answer, { content: body('Версия 3 (правка модератора)') })).toMatchObject({ status: 'success', changed: false })
    const post = await prisma.post.findUniqueOrThrow({ where: { id: answer } })
    expect(post).toMatchObject({ editCount: 2, text: 'Версия 3 (правка модератора)' })
    expect(post.editedAt).toBeInstanceOf(Date)

    // The moderator's edit closes the versions before it to everyone but moderators.
    const history = await postHistory(teacher3, answer)
    expect(history.versions.map((v) => v.html.replace(/<[^>]+>/g, ''))).toEqual(['Версия 3 (правка модератора)'])
    expect(history.versions.map((v) => v.by?.login)).toEqual([specialist.login])
    expect(history.versions[0].current).toBe(true)
    expect(history.hiddenVersions).toBe(2)
    const full = await postHistory(specialist, answer)
    expect(full.versions.map((v) => v.html.replace(/<[^>]+>/g, ''))).toEqual(['Версия 3 (правка модератора)', 'Версия 2', 'Версия 1'])
    expect(full.versions.map((v) => v.by?.login)).toEqual([specialist.login, teacher2.login, teacher2.login])
    expect(full.hiddenVersions).toBe(0)

    const updated = await prisma.forumEvent.findMany({ where: { type: 'post.updated', room: `topic:${id}` } })
    expect(updated).toHaveLength(2)

    // Editing the question re-indexes it; editing an ordinary answer does not.
    const outbox = await prisma.searchOutbox.count({ where: { sourceId: String(id) } })
    const first = (await prisma.post.findFirstOrThrow({ where: { topicId: id, isFirst: true } })).id
    await editPost(teacher, first, { content: body('Уточнённый вопрос') })
    expect(await prisma.searchOutbox.count({ where: { sourceId: String(id) } })).toBe(outbox + 1)

    await prisma.post.update({ where: { id: answer }, data: { hidden: true } })
    expect((await thrownResponse(() => postHistory(teacher3, answer))).status).toBe(404)
    expect((await postHistory(specialist, answer)).versions).toHaveLength(3)
  })
})

describe('flags', () => {
  it('takes one report per person and post, never on one’s own post', async () => {
    const id = await askExperts(teacher)
    const answer = await replyText(teacher2, id, 'Фото работы ученика с фамилией')
    expect(await flagPost(teacher2, answer, 'Сам на себя')).toMatchObject({ status: 'error' })
    expect(await flagPost(teacher, answer, '')).toMatchObject({ status: 'error' })
    expect(await flagPost(teacher, answer, 'Персональные данные ученика')).toMatchObject({ status: 'success' })
    expect(await flagPost(teacher, answer, 'Ещё раз')).toMatchObject({ status: 'error', message: expect.stringMatching(/уже пожаловались/) })
    expect(await prisma.postFlag.count({ where: { postId: answer } })).toBe(1)
    expect((await thrownResponse(() => flagPost(teacher, 999_999, 'Нет такого'))).status).toBe(404)
  })
})

describe('history after a moderator’s edit', () => {
  it('shows the versions before the moderator’s edit to moderators only, the later ones to every reader', async () => {
    const id = await askExperts(teacher)
    const answer = await replyText(teacher2, id, 'Работа ученика Иванова Пети')
    expect(await editPost(teacher2, answer, { content: body('Работа ученика Иванова Пети, 2 балла') })).toMatchObject({ changed: true })
    expect((await postHistory(teacher3, answer)).versions).toHaveLength(2) // only the author's own edits: all public
    expect(await editPost(specialist, answer, { content: body('Работа ученика [имя скрыто], 2 балла') })).toMatchObject({ changed: true })
    expect(await editPost(teacher2, answer, { content: body('Работа ученика [имя скрыто], 2 балла. Спасибо!') })).toMatchObject({ changed: true })

    for (const reader of [teacher, teacher2, teacher3]) {
      const history = await postHistory(reader, answer)
      expect(JSON.stringify(history)).not.toContain('Иванова')
      expect(history.versions.map((v) => v.html.replace(/<[^>]+>/g, ''))).toEqual(['Работа ученика [имя скрыто], 2 балла. Спасибо!', 'Работа ученика [имя скрыто], 2 балла'])
      expect(history.hiddenVersions).toBe(2)
    }
    const forModerator = await postHistory(specialist, answer)
    expect(forModerator.versions).toHaveLength(4)
    expect(forModerator.versions[3].html).toContain('Иванова')
  })
})

describe('mentions', () => {
  it('notifies only the first ten distinct people mentioned in a post', async () => {
    const id = await askExperts(teacher)
    const { organizationId } = await prisma.user.findUniqueOrThrow({ where: { id: teacher.id } })
    const logins: string[] = []
    for (let i = 1; i <= 12; i++) logins.push((await createUser({ orgId: organizationId, role: 'TEACHER_EXPERT', login: `mention${i}.cap`, password: null })).login)
    const text = `Коллеги ${logins.map((l) => `@${l}`).join(' ')} и ещё раз @${logins[0]}, посмотрите.`
    const postId = await replyText(specialist, id, text)
    const mentioned = (await notificationsOf(id)).filter((n) => n.postId === postId && n.kind === 'mention')
    const users = await prisma.user.findMany({ where: { login: { in: logins.slice(0, 10) } }, select: { id: true } })
    expect(mentioned.map((n) => n.userId).sort()).toEqual(users.map((u) => u.id).sort())
    // The text keeps every mention.
    expect((await prisma.post.findUniqueOrThrow({ where: { id: postId } })).html).toContain(logins[11])
  })

  it('an edit notifies only the people it newly mentions', async () => {
    const id = await askExperts(teacher)
    const postId = await replyText(teacher2, id, `Вопрос к @${teacher3.login}`)
    const before = (await notificationsOf(id)).filter((n) => n.kind === 'mention').length
    expect(await editPost(teacher2, postId, { content: body(`Вопрос к @${teacher3.login}, уточнение`) })).toMatchObject({ changed: true })
    expect((await notificationsOf(id)).filter((n) => n.kind === 'mention')).toHaveLength(before)
    expect(await editPost(teacher2, postId, { content: body(`Вопрос к @${teacher3.login} и @${specialist.login}`) })).toMatchObject({ changed: true })
    const after = (await notificationsOf(id)).filter((n) => n.kind === 'mention')
    expect(after).toHaveLength(before + 1)
    expect(after.at(-1)!.userId).toBe(specialist.id)
  })
})

describe('per-person caps on votes, flags and edits', () => {
  // env() is parsed once per process; each test changes the parsed copy for itself.
  async function withEnv(values: Partial<ReturnType<typeof env>>, fn: () => Promise<void>) {
    const parsed = env()
    const saved = { ...parsed }
    Object.assign(parsed, values)
    forgetVotes()
    try {
      await fn()
    } finally {
      Object.assign(parsed, saved)
      forgetVotes()
    }
  }

  it('caps votes an hour, and a repeated vote is neither counted nor announced', async () => {
    const id = await askExperts(teacher)
    const a1 = await replyText(teacher2, id, 'Ответ 1')
    const a2 = await replyText(teacher2, id, 'Ответ 2')
    await withEnv({ FORUM_VOTES_PER_HOUR: 3 }, async () => {
      expect((await vote(teacher3, a1, 1)).status).toBe('success')
      const events = await prisma.forumEvent.count({ where: { room: `topic:${id}` } })
      expect(await vote(teacher3, a1, 1)).toMatchObject({ status: 'success', agreeCount: 1, myVote: 1 })
      expect(await prisma.forumEvent.count({ where: { room: `topic:${id}` } })).toBe(events)
      expect((await vote(teacher3, a1, 0)).status).toBe('success')
      expect((await vote(teacher3, a2, 1)).status).toBe('success')
      const refused = await vote(teacher3, a1, -1)
      expect(refused).toMatchObject({ status: 'error', message: expect.stringMatching(/^Слишком много голосов — не больше 3 в час\. Следующий голос можно будет отдать в \d\d:\d\d по московскому времени/) })
      // Refused: the question was not marked disputed and nothing was stored.
      expect((await prisma.topic.findUniqueOrThrow({ where: { id } })).disputed).toBe(false)
      expect(await prisma.postVote.count({ where: { postId: a1 } })).toBe(0)
      // Another person has their own allowance; staff have none.
      expect((await vote(teacher, a1, 1)).status).toBe('success')
    })
  })

  it('caps flags an hour and never reopens a flag a moderator resolved', async () => {
    const id = await askExperts(teacher)
    const posts = [await replyText(teacher2, id, 'Сообщение 1'), await replyText(teacher2, id, 'Сообщение 2'), await replyText(teacher2, id, 'Сообщение 3')]
    await withEnv({ FORUM_FLAGS_PER_HOUR: 2 }, async () => {
      const first = await flagPost(teacher3, posts[0], 'Персональные данные')
      expect(first.status).toBe('success')
      if (first.status !== 'success') return
      await prisma.postFlag.update({ where: { id: first.flagId }, data: { resolvedAt: new Date(), resolvedById: specialist.id } })
      expect(await flagPost(teacher3, posts[0], 'Ещё раз то же самое')).toEqual({ status: 'error', message: 'Жалоба уже рассмотрена модератором.' })
      expect(await prisma.postFlag.findUniqueOrThrow({ where: { id: first.flagId } })).toMatchObject({ reason: 'Персональные данные', resolvedById: specialist.id })
      expect((await flagPost(teacher3, posts[1], 'Грубость')).status).toBe('success')
      expect(await flagPost(teacher3, posts[2], 'Спам')).toMatchObject({ status: 'error', message: expect.stringMatching(/^Слишком много жалоб — не больше 2 в час/) })
      expect(await prisma.postFlag.count({ where: { postId: posts[2] } })).toBe(0)
    })
  })

  it('caps edits an hour for everyone but staff', async () => {
    const id = await askExperts(teacher)
    // teacher3 has edited nothing before in this file: the count starts at zero.
    const postId = await replyText(teacher3, id, 'Версия 1')
    await withEnv({ FORUM_EDITS_PER_HOUR: 2 }, async () => {
      expect((await editPost(teacher3, postId, { content: body('Версия 2') })).status).toBe('success')
      expect((await editPost(teacher3, postId, { content: body('Версия 3') })).status).toBe('success')
      expect(await editPost(teacher3, postId, { content: body('Версия 4') })).toMatchObject({ status: 'error', message: expect.stringMatching(/^Слишком много правок — не больше 2 в час/) })
      expect((await prisma.post.findUniqueOrThrow({ where: { id: postId } })).text).toBe('Версия 3')
      // An unchanged text is no edit and is not refused.
      expect(await editPost(teacher3, postId, { content: body('Версия 3') })).toMatchObject({ status: 'success', changed: false })
      expect((await editPost(specialist, postId, { content: body('Версия модератора') })).status).toBe('success')
      expect((await editPost(specialist, postId, { content: body('Версия модератора 2') })).status).toBe('success')
      expect((await editPost(specialist, postId, { content: body('Версия модератора 3') })).status).toBe('success')
    })
  })
})

// Asking and reading on the test database: placement rules, bad input that
// stores nothing, the first post and the asker's subscription, the event for
// the lists in the same transaction, the thread's order and per-viewer view,
// hidden topics and posts, subscriptions and the view counter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { stopSearchDrain } from '~/search/outbox.server'
import { thrownResponse } from '../../tests/setup/fixtures'
import { askExperts, askSupport, body, forumPeople, forumPlaces, forumRowCounts, replyText, type ForumPerson } from '../../tests/setup/forum'
import { listTopics } from './forums.server'
import { setAccepted, setOfficial, vote } from './posts.server'
import { askQuestion, flushViewCounts, forgetCachedThreads, getThread, setSubscribed } from './topics.server'
import { closeForumSql } from './sql.server'

let teacher: ForumPerson
let teacher2: ForumPerson
let specialist: ForumPerson
let agent: ForumPerson
let places: Awaited<ReturnType<typeof forumPlaces>>

beforeAll(async () => {
  ;({ teacher, teacher2, specialist, agent } = await forumPeople())
  places = await forumPlaces()
})

afterAll(async () => {
  await stopSearchDrain()
  await closeForumSql()
})

describe('askQuestion', () => {
  it('creates the question, its first post and the asker’s subscription, with an event for the lists and a search outbox row', async () => {
    const result = await askQuestion(teacher, {
      forum: 'experts',
      expertSubjectId: String(places.math5.id),
      taskNumber: '4к1',
      variant: '12',
      year: '2025',
      title: '  Нужно ли   указывать единицы измерения в задании 4К1? ',
      content: body('В ответе «12» без «см». Критерии про единицы молчат.'),
    })
    expect(result.status).toBe('success')
    if (result.status !== 'success') return
    const topic = await prisma.topic.findUniqueOrThrow({ where: { id: result.topicId }, include: { posts: true, subscriptions: true } })
    expect(topic).toMatchObject({ title: 'Нужно ли указывать единицы измерения в задании 4К1?', taskNumber: '4К1', variant: '12', year: 2025, status: 'OPEN', authorId: teacher.id, expertSubjectId: places.math5.id, sectionId: null })
    expect(topic.posts).toHaveLength(1)
    expect(topic.posts[0]).toMatchObject({ isFirst: true, authorId: teacher.id })
    expect(topic.posts[0].html).toContain('без «см»')
    expect(topic.posts[0].text).toContain('Критерии про единицы молчат')
    expect(topic.subscriptions.map((s) => s.userId)).toEqual([teacher.id])

    const events = await prisma.forumEvent.findMany({ where: { type: 'topic.created' }, orderBy: { id: 'asc' } })
    expect(events.map((e) => e.room).sort()).toEqual([`forum:${places.experts.id}`, 'queue', `subject:${places.math5.id}`, `topic:${result.topicId}`].sort())
    expect(events[0].payload).toMatchObject({ topic: { id: result.topicId, subject: 'Математика', grade: 5, taskNumber: '4К1', author: { login: teacher.login, staff: false } } })
    expect(await prisma.searchOutbox.count({ where: { kind: 'question', sourceId: String(result.topicId) } })).toBe(1)
  })

  it('places a support-forum topic in a section of that forum, and indexes it as a topic', async () => {
    const id = await askSupport(teacher)
    const topic = await prisma.topic.findUniqueOrThrow({ where: { id } })
    expect(topic).toMatchObject({ sectionId: places.vprSection.id, expertSubjectId: null, taskNumber: null })
    const rooms = (await prisma.forumEvent.findMany({ where: { room: { not: `topic:${id}` }, payload: { path: ['topic', 'id'], equals: id } } })).map((e) => e.room)
    expect(rooms.sort()).toEqual([`forum:${places.vpr.id}`, `section:${places.vprSection.id}`].sort())
    expect(await prisma.searchOutbox.count({ where: { kind: 'topic', sourceId: String(id) } })).toBe(1)
  })

  it('refuses bad placement and bad fields with Russian messages, storing nothing', async () => {
    const before = await forumRowCounts()
    const base = { forum: 'experts', expertSubjectId: places.math5.id, taskNumber: '5', title: 'Вопрос о задании пять', content: body('Текст вопроса') }
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...base, taskNumber: '' }, 'taskNumber', /номер задания/i],
      [{ ...base, taskNumber: 'пять' }, 'taskNumber', /номер задания/i],
      [{ ...base, taskNumber: '99' }, 'taskNumber', /./],
      [{ ...base, expertSubjectId: undefined }, 'expertSubjectId', /предмет/i],
      [{ ...base, title: 'Коротко' }, 'title', /короткий/],
      [{ ...base, year: 1999 }, 'year', /от 2015/],
      [{ ...base, forum: 'vpr', sectionId: places.nikoSection.id }, 'sectionId', /раздела/],
      [{ ...base, forum: 'vpr' }, 'sectionId', /раздел/],
      [{ ...base, forum: 'nope' }, 'forum', /не найден/],
      [{ ...base, content: '' }, 'content', /текст/i],
    ]
    // Task 99 only fails when the subject knows its task count.
    await prisma.expertSubject.update({ where: { id: places.math5.id }, data: { taskCount: 20 } })
    for (const [input, field, message] of cases) {
      const result = await askQuestion(teacher, input)
      expect(result.status, JSON.stringify(input)).toBe('error')
      if (result.status === 'error') {
        expect(result.message).toMatch(message)
        expect(Object.keys(result.fieldErrors ?? {})).toContain(field)
      }
    }
    await prisma.expertSubject.update({ where: { id: places.math5.id }, data: { taskCount: null } })
    expect(await forumRowCounts()).toEqual(before)
  })

  it('keeps hostile HTML as text and refuses forged nodes and javascript: links, storing nothing for refusals', async () => {
    const id = await askExperts(teacher, { text: '<script>alert(1)</script><img src=x onerror=alert(2)>' })
    const post = await prisma.post.findFirstOrThrow({ where: { topicId: id, isFirst: true } })
    expect(post.html).not.toMatch(/<script|<img/i)
    expect(post.html).toContain('&lt;script&gt;')

    const before = await forumRowCounts()
    const forged = { root: { type: 'root', version: 1, direction: null, format: '', indent: 0, children: [{ type: 'html', version: 1, html: '<script>alert(1)</script>' }] } }
    const link = {
      root: {
        type: 'root', version: 1, direction: null, format: '', indent: 0,
        children: [{ type: 'paragraph', version: 1, direction: null, format: '', indent: 0, textFormat: 0, textStyle: '', children: [
          { type: 'link', version: 1, url: 'javascript:alert(1)', rel: null, target: null, title: null, direction: null, format: '', indent: 0,
            children: [{ type: 'text', version: 1, text: 'нажми', format: 0, detail: 0, mode: 'normal', style: '' }] },
        ] }],
      },
    }
    for (const content of [JSON.stringify(forged), JSON.stringify(link), '{"root": 1}', 'не JSON']) {
      const result = await askQuestion(teacher, { forum: 'experts', expertSubjectId: places.math5.id, taskNumber: '5', title: 'Вопрос с подвохом внутри', content })
      expect(result.status).toBe('error')
      if (result.status === 'error') expect(result.message).toMatch(/[а-я]/i)
    }
    expect(await forumRowCounts()).toEqual(before)
  })
})

describe('getThread', () => {
  it('orders the question, the official answer, the accepted one, then the rest; shows each viewer their vote and rights', async () => {
    const id = await askExperts(teacher)
    const a1 = await replyText(teacher2, id, 'Первый ответ коллеги')
    const a2 = await replyText(specialist, id, 'Ответ специалиста ФИОКО')
    const a3 = await replyText(teacher2, id, 'Ещё одно мнение')
    expect((await setAccepted(teacher, a3, true)).status).toBe('success')
    expect((await setOfficial(specialist, a2, true)).status).toBe('success')
    await prisma.postVote.create({ data: { postId: a1, userId: teacher.id, value: -1 } })

    const forTeacher = await getThread(teacher, id)
    expect(forTeacher.posts.map((p) => p.id)).toEqual([forTeacher.posts[0].id, a2, a3, a1])
    expect(forTeacher.posts[0].isFirst).toBe(true)
    expect(forTeacher.posts[1]).toMatchObject({ official: true, author: { login: specialist.login, staff: true, roleLabel: 'Специалист ФИОКО' } })
    expect(forTeacher.posts[2].accepted).toBe(true)
    expect(forTeacher.posts[3].myVote).toBe(-1)
    expect(forTeacher.topic).toMatchObject({ id, status: 'RESOLVED', hasOfficial: true, hasAccepted: true, subscribed: true, officialPostId: a2, acceptedPostId: a3, replyCount: 3 })
    expect(forTeacher.can).toMatchObject({ reply: true, moderate: false, answerOfficially: false, claim: false })
    expect(forTeacher.posts[3].can).toMatchObject({ vote: true, edit: false, markOfficial: false, accept: true, flag: true })
    expect(forTeacher.posts[0].can).toMatchObject({ vote: false, edit: true })

    const forSpecialist = await getThread(specialist, id)
    expect(forSpecialist.can).toMatchObject({ moderate: true, answerOfficially: true, claim: true })
    expect(forSpecialist.topic.subscribed).toBe(false)
    expect(forSpecialist.posts.find((p) => p.id === a1)!.can).toMatchObject({ markOfficial: true, hide: true, edit: true })
    expect(forSpecialist.posts.find((p) => p.id === a1)!.myVote).toBe(0)

    const last = await prisma.forumEvent.findFirstOrThrow({ where: { room: `topic:${id}` }, orderBy: { id: 'desc' } })
    expect(forTeacher.lastEventId).toBe(String(last.id))
  })

  it('answers 404 for an unknown topic and for a hidden one unless the viewer moderates; hidden posts keep their place but not their text', async () => {
    expect((await thrownResponse(() => getThread(teacher, 987654))).status).toBe(404)
    expect((await thrownResponse(() => getThread(teacher, -1))).status).toBe(404)

    const id = await askExperts(teacher)
    const hiddenPost = await replyText(teacher2, id, 'Фамилия ученика Иванов, код 12345')
    await prisma.post.update({ where: { id: hiddenPost }, data: { hidden: true, hiddenReason: 'Персональные данные' } })
    const thread = await getThread(teacher, id)
    const shown = thread.posts.find((p) => p.id === hiddenPost)!
    expect(shown).toMatchObject({ hidden: true, html: '', text: '', hiddenReason: 'Персональные данные' })
    expect(JSON.stringify(thread)).not.toContain('Иванов')
    const forModerator = (await getThread(specialist, id)).posts.find((p) => p.id === hiddenPost)!
    expect(forModerator.html).toContain('Иванов')

    // Moderation records an event with every change; a direct update must drop the cached thread itself.
    await prisma.topic.update({ where: { id }, data: { hidden: true } })
    forgetCachedThreads()
    const response = await thrownResponse(() => getThread(teacher2, id))
    expect(response.status).toBe(404)
    expect((await getThread(specialist, id)).topic.hidden).toBe(true)
    // In the experts forum a support agent does not moderate.
    expect((await thrownResponse(() => getThread(agent, id))).status).toBe(404)
    expect((await thrownResponse(() => setSubscribed(teacher2, id, true))).status).toBe(404)
  })

  it('serves a cached thread only while no event moved its version', async () => {
    const id = await askExperts(teacher)
    const before = await getThread(teacher, id)
    expect(before.posts).toHaveLength(1)
    expect((await getThread(teacher, id)).lastEventId).toBe(before.lastEventId)
    const answer = await replyText(specialist, id, 'Новый ответ виден сразу')
    const after = await getThread(teacher, id)
    expect(after.posts.map((p) => p.id)).toContain(answer)
    expect(Number(after.lastEventId)).toBeGreaterThan(Number(before.lastEventId))
    expect(after.topic.status).toBe('ANSWERED')
    await vote(teacher, answer, -1)
    expect((await getThread(teacher, id)).posts.find((p) => p.id === answer)).toMatchObject({ myVote: -1, disagreeCount: 1 })
    expect((await getThread(teacher2, id)).posts.find((p) => p.id === answer)!.myVote).toBe(0)
    expect((await getThread(teacher, id)).topic.disputed).toBe(true)
  })

  it('counts a viewer once a minute, in a batch', async () => {
    const id = await askExperts(teacher)
    await getThread(teacher2, id)
    await getThread(teacher2, id)
    await getThread(specialist, id)
    expect((await getThread(teacher2, id)).topic.viewCount).toBe(2)
    await flushViewCounts()
    expect((await prisma.topic.findUniqueOrThrow({ where: { id } })).viewCount).toBe(2)
    await flushViewCounts()
    expect((await prisma.topic.findUniqueOrThrow({ where: { id } })).viewCount).toBe(2)
  })
})

describe('subscriptions and lists', () => {
  it('subscribes and unsubscribes', async () => {
    const id = await askExperts(teacher)
    expect((await getThread(teacher2, id)).topic.subscribed).toBe(false)
    await setSubscribed(teacher2, id, true)
    await setSubscribed(teacher2, id, true)
    expect((await getThread(teacher2, id)).topic.subscribed).toBe(true)
    await setSubscribed(teacher2, id, false)
    expect((await getThread(teacher2, id)).topic.subscribed).toBe(false)
  })

  it('lists a subject’s questions pinned first, filters by task and status, hides hidden and merged ones from non-moderators', async () => {
    const subject = places.russian4.id
    const a = await askExperts(teacher, { expertSubjectId: subject, taskNumber: '1' })
    const b = await askExperts(teacher, { expertSubjectId: subject, taskNumber: '2' })
    const c = await askExperts(teacher, { expertSubjectId: subject, taskNumber: '2' })
    const d = await askExperts(teacher, { expertSubjectId: subject, taskNumber: '3' })
    await prisma.topic.update({ where: { id: a }, data: { pinned: true } })
    await prisma.topic.update({ where: { id: c }, data: { hidden: true } })
    await prisma.topic.update({ where: { id: d }, data: { mergedIntoId: b } })

    const list = await listTopics(teacher, { forumId: places.experts.id, expertSubjectId: subject, page: 1 })
    expect(list.topics.map((t) => t.id)).toEqual([a, b])
    expect(list.total).toBe(2)
    expect(list.room).toBe(`subject:${subject}`)
    expect(Number(list.lastEventId)).toBeGreaterThan(0)
    const mod = await listTopics(specialist, { forumId: places.experts.id, expertSubjectId: subject, page: 1 })
    expect(mod.topics.map((t) => t.id)).toEqual([a, c, b])
    const task2 = await listTopics(teacher, { forumId: places.experts.id, expertSubjectId: subject, taskNumber: '2', page: 1 })
    expect(task2.topics.map((t) => t.id)).toEqual([b])
    await replyText(teacher2, b, 'Ответ коллеги')
    const answered = await listTopics(teacher, { forumId: places.experts.id, expertSubjectId: subject, status: 'ANSWERED', page: 1 })
    expect(answered.topics.map((t) => t.id)).toEqual([b])
    expect(answered.topics[0]).toMatchObject({ replyCount: 1, status: 'ANSWERED', subject: 'Русский язык', grade: 4 })
  })
})

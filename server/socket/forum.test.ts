// The forum's socket events over real HTTP servers on loopback: room joins
// are authorised against the database, a reconnecting client gets what it
// missed (also across a server restart), typing is limited, viewers are
// counted per person, floods are cut off, and with REDIS_URL an event
// published on one node reaches a client on another.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { io as connect, type Socket } from 'socket.io-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { publishEvents, recordEvents, roomRechecksSettled, SINCE_LIMIT } from '~/forum/events.server'
import { contentFromText } from '~/forum/content'
import { makeTopic, subject } from '~/forum/moderation-fixtures.server'
import { HIDDEN_TOPIC_TITLE, hidePost, setPinned, setTopicHidden } from '~/forum/moderation.server'
import { editPost, reply } from '~/forum/posts.server'
import { POST_SELECT, publicPost } from '~/forum/views.server'
import type { ForumEventView } from '~/forum/types'
import type { Ack, ForumJoinResult, Typist } from '~/realtime/events'
import { registerIo } from '~/realtime/publish.server'
import { prisma } from '~/utils/db.server'
import { actorFor, createRegionTree, createSignedInSession, createUser } from '../../tests/setup/fixtures.ts'
import { MAX_FORUM_ROOMS } from './forum.ts'
import { attachSocketServer } from './index.ts'

type Node = { url: string; port: number; io: Awaited<ReturnType<typeof attachSocketServer>>['io']; close(): Promise<void> }

async function startNode(options: { redisUrl?: string; port?: number } = {}): Promise<Node> {
  const server = http.createServer()
  const sockets = await attachSocketServer(server, { redisUrl: options.redisUrl })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    io: sockets.io,
    async close() {
      await sockets.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

const clients: Socket[] = []

async function client(url: string, user: { id: number }, options: { reconnection?: boolean } = {}) {
  const { cookie } = await createSignedInSession(user)
  const socket = connect(url, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: { Cookie: cookie },
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 200,
    forceNew: true,
  })
  clients.push(socket)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  return socket
}

function emit<T>(socket: Socket, event: string, payload: unknown): Promise<Ack<T>> {
  return socket.timeout(5_000).emitWithAck(event, payload)
}

function next<T>(socket: Socket, event: string, match: (v: T) => boolean = () => true, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching ${event} within ${timeoutMs} ms`)), timeoutMs)
    const on = (value: T) => {
      if (!match(value)) return
      clearTimeout(timer)
      socket.off(event, on)
      resolve(value)
    }
    socket.on(event, on)
  })
}

/**
 * A post written straight into the database and its event recorded and
 * published the way the forum's domain functions do it (a replay sends the
 * post's current state, so the post must exist).
 */
async function postEvent(topicId: number, _label: number, text: string) {
  const post = await prisma.post.create({
    data: { topicId, authorId: teacher.id, content: {}, html: `<p>${text}</p>`, text },
    select: POST_SELECT,
  })
  const events = await prisma.$transaction((tx) => recordEvents(tx, [`topic:${topicId}`], 'post.created', { post: publicPost(post) }))
  publishEvents(events)
  return events[0]
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let node: Node
let teacher: { id: number }
let colleague: { id: number }
let specialist: { id: number }
let forumId: number
let topic: number
let hiddenTopic: number

async function createTopic(title: string, hidden = false) {
  return (await prisma.topic.create({ data: { forumId, title, authorId: teacher.id, hidden } })).id
}

beforeAll(async () => {
  const tree = await createRegionTree({ municipalities: 1, schoolsPer: 1, colleges: 0 })
  const school = tree.municipalities[0].schools[0]
  const fed = await prisma.organization.create({ data: { kind: 'FEDERAL', login: 'fioko', name: 'ФИОКО' } })
  teacher = await createUser({ orgId: school.id, role: 'TEACHER_EXPERT', login: 'teacher-a' })
  colleague = await createUser({ orgId: school.id, role: 'TEACHER_EXPERT', login: 'teacher-b' })
  specialist = await createUser({ orgId: fed.id, role: 'FIOKO_SPECIALIST', login: 'fioko-a' })
  await prisma.user.update({ where: { id: specialist.id }, data: { fullName: 'Смирнова Ольга Петровна' } })
  forumId = (await prisma.forum.findUniqueOrThrow({ where: { slug: 'experts' } })).id
  topic = await createTopic('Задание 5: нужны ли единицы измерения?')
  hiddenTopic = await createTopic('Скрытый вопрос с фамилией ученика', true)
  node = await startNode()
})

afterEach(() => {
  for (const c of clients.splice(0)) c.close()
})

afterAll(async () => {
  await node.close()
})

describe('forum:join', () => {
  it('lets a teacher follow a visible topic and refuses a hidden one, which a moderator may follow', async () => {
    const t = await client(node.url, teacher)
    expect(await emit(t, 'forum:join', { room: `topic:${topic}` })).toEqual({ ok: true, data: { events: [], reset: false } })
    expect(await emit(t, 'forum:join', { room: `topic:${hiddenTopic}` })).toEqual({ ok: false, error: 'Нет доступа: тема или раздел форума не найдены или скрыты.' })
    const s = await client(node.url, specialist)
    expect(await emit(s, 'forum:join', { room: `topic:${hiddenTopic}` })).toEqual({ ok: true, data: { events: [], reset: false } })
  })

  it('refuses unknown rooms, malformed names and the specialists\' queue to a teacher', async () => {
    const t = await client(node.url, teacher)
    expect(await emit(t, 'forum:join', { room: 'topic:999999' })).toMatchObject({ ok: false, error: expect.stringContaining('Нет доступа') })
    expect(await emit(t, 'forum:join', { room: 'queue' })).toEqual({ ok: false, error: 'Очередь вопросов доступна только специалистам ФИОКО.' })
    for (const room of ['user:1', `topic:${topic}:staff`, 'topic:0', 'ticket:1', '']) {
      expect(await emit(t, 'forum:join', { room })).toEqual({ ok: false, error: 'Неверные данные события.' })
    }
    expect(await emit(t, 'forum:join', { room: `topic:${topic}`, lastEventId: 'abc' })).toEqual({ ok: false, error: 'Неверные данные события.' })
    // Refused joins really did not join: events of the hidden topic do not arrive.
    await emit(t, 'forum:join', { room: `topic:${hiddenTopic}` })
    let got = 0
    t.on('forum:event', () => got++)
    await postEvent(hiddenTopic, 1, 'скрыто')
    await sleep(150)
    expect(got).toBe(0)
  })

  it(`caps the rooms one connection follows at ${MAX_FORUM_ROOMS}`, async () => {
    const ids = await Promise.all(Array.from({ length: MAX_FORUM_ROOMS + 1 }, (_, i) => createTopic(`Вопрос ${i}`)))
    const t = await client(node.url, teacher)
    for (const [i, id] of ids.entries()) {
      const reply = await emit(t, 'forum:join', { room: `topic:${id}` })
      if (i < MAX_FORUM_ROOMS) expect(reply.ok).toBe(true)
      else expect(reply).toEqual({ ok: false, error: 'Открыто слишком много тем и разделов форума: закройте лишние вкладки.' })
      await sleep(60) // stay under the dispatcher's rate limit
    }
    // Leaving one makes room again.
    expect(await emit(t, 'forum:leave', { room: `topic:${ids[0]}` })).toEqual({ ok: true, data: { left: true } })
    expect((await emit(t, 'forum:join', { room: `topic:${ids[MAX_FORUM_ROOMS]}` })).ok).toBe(true)
  })
})

describe('events and what was missed', () => {
  it('delivers a post event live to the room, and replays what a client missed since its last id, in order', async () => {
    const t = await client(node.url, teacher)
    await emit(t, 'forum:join', { room: `topic:${topic}` })
    const live = next<ForumEventView>(t, 'forum:event')
    const first = await postEvent(topic, 101, 'первый ответ')
    expect(await live).toEqual(first)

    // Gone for a while; two answers come meanwhile.
    t.close()
    const second = await postEvent(topic, 102, 'второй ответ')
    const third = await postEvent(topic, 103, 'третий ответ')
    const again = await client(node.url, teacher)
    const reply = await emit<ForumJoinResult>(again, 'forum:join', { room: `topic:${topic}`, lastEventId: first.id })
    expect(reply).toEqual({ ok: true, data: { events: [second, third], reset: false } })
  })

  it('answers reset when more was missed than a client should replay', async () => {
    const since = (await postEvent(topic, 200, 'до обрыва')).id
    await prisma.forumEvent.createMany({ data: Array.from({ length: SINCE_LIMIT + 1 }, (_, i) => ({ room: `topic:${topic}`, type: 'post.votes', payload: { postId: 200, topicId: topic, agreeCount: i, disagreeCount: 0 } })) })
    const t = await client(node.url, teacher)
    expect(await emit(t, 'forum:join', { room: `topic:${topic}`, lastEventId: since })).toEqual({ ok: true, data: { events: [], reset: true } })
  })

  it('a client that reconnects after a server restart rejoins with its last id and gets the events published while the server was down', async () => {
    const restartable = await startNode()
    const t = await client(restartable.url, teacher, { reconnection: true })
    let lastId = (await postEvent(topic, 300, 'перед перезапуском')).id
    const received: ForumEventView[] = []
    // What useForumRoom does: (re)join on every connect with the last applied id.
    const join = () =>
      t.emit('forum:join', { room: `topic:${topic}`, lastEventId: lastId }, (ack: Ack<ForumJoinResult>) => {
        if (ack.ok) for (const e of ack.data.events) received.push(e)
      })
    t.on('forum:event', (e: ForumEventView) => received.push(e))
    t.on('connect', join)
    join()
    await sleep(100)
    const dropped = next<string>(t, 'disconnect')
    await restartable.close()
    await dropped
    const missed = await postEvent(topic, 301, 'пока сервер перезапускался') // no server: only the log has it
    const restarted = await startNode({ port: restartable.port })
    try {
      const deadline = Date.now() + 5_000
      while (!received.some((e) => e.id === missed.id) && Date.now() < deadline) await sleep(50)
      expect(received.map((e) => e.id)).toContain(missed.id)
    } finally {
      t.close()
      await restarted.close()
    }
  })
})

describe('typing and viewers', () => {
  it('shows typing to the others in the room, at most once per 2 s per person, and only from people in the room', async () => {
    const spec = await client(node.url, specialist)
    const t = await client(node.url, teacher)
    await emit(spec, 'forum:join', { room: `topic:${topic}` })
    expect(await emit(spec, 'topic:typing', { topicId: hiddenTopic })).toEqual({ ok: false, error: 'Сначала откройте тему.' })
    await emit(t, 'forum:join', { room: `topic:${topic}` })
    let ownEcho = 0
    spec.on('topic:typing', () => ownEcho++)
    const seen: { topicId: number; user: Typist }[] = []
    t.on('topic:typing', (p: { topicId: number; user: Typist }) => seen.push(p))

    expect(await emit(spec, 'topic:typing', { topicId: topic })).toEqual({ ok: true, data: { sent: true } })
    expect(await emit(spec, 'topic:typing', { topicId: topic })).toEqual({ ok: true, data: { sent: false } })
    expect(await emit(spec, 'topic:typing', { topicId: topic })).toEqual({ ok: true, data: { sent: false } })
    await sleep(200)
    expect(seen).toEqual([{ topicId: topic, user: { id: specialist.id, name: 'Смирнова Ольга Петровна', staff: true } }])
    expect(ownEcho).toBe(0)

    await sleep(2_000)
    expect(await emit(spec, 'topic:typing', { topicId: topic })).toEqual({ ok: true, data: { sent: true } })
    await sleep(200)
    expect(seen).toHaveLength(2)
  })

  it('counts distinct people viewing a topic, and drops those who leave', async () => {
    const room = `topic:${topic}`
    const a = await client(node.url, teacher)
    const aSecondTab = await client(node.url, teacher)
    const b = await client(node.url, colleague)
    const two = next<{ topicId: number; count: number }>(b, 'topic:viewers', (p) => p.topicId === topic && p.count === 2)
    for (const s of [a, aSecondTab, b]) await emit(s, 'forum:join', { room })
    expect(await two).toEqual({ topicId: topic, count: 2 })
    const one = next<{ count: number }>(b, 'topic:viewers', (p) => p.count === 1)
    a.close()
    await emit(aSecondTab, 'forum:leave', { room })
    expect(await one).toMatchObject({ count: 1 })
  })
})

describe('flooding', () => {
  it('refuses events over the rate limit, then disconnects the client', async () => {
    const t = await client(node.url, teacher)
    const disconnected = next<string>(t, 'disconnect')
    const replies = await Promise.all(Array.from({ length: 60 }, () => emit(t, 'topic:typing', { topicId: topic }).catch(() => null)))
    expect(replies.filter((r) => r && !r.ok).map((r) => r && !r.ok && r.error)).toContain('Слишком много событий: подождите немного.')
    expect(await disconnected).toBe('io server disconnect')
  })
})

describe.skipIf(!process.env.REDIS_URL)('two nodes with Redis (REDIS_URL)', () => {
  it('a post event published on node A reaches a client on node B, and viewers are counted across nodes', async () => {
    const b = await startNode({ redisUrl: process.env.REDIS_URL })
    // Started last, A is the node the domain publishes through (io()).
    const a = await startNode({ redisUrl: process.env.REDIS_URL })
    try {
      const onB = await client(b.url, teacher)
      const onA = await client(a.url, colleague)
      const room = `topic:${topic}`
      const bothCounted = next<{ count: number }>(onB, 'topic:viewers', (p) => p.count === 2, 8_000)
      expect((await emit(onB, 'forum:join', { room })).ok).toBe(true)
      expect((await emit(onA, 'forum:join', { room })).ok).toBe(true)
      const arrived = next<ForumEventView>(onB, 'forum:event')
      const event = await postEvent(topic, 400, 'с другого узла')
      expect(await arrived).toEqual(event)
      expect(await bothCounted).toMatchObject({ count: 2 })
    } finally {
      await a.close()
      await b.close()
    }
  })
})

if (!process.env.REDIS_URL) {
  console.warn('server/socket/forum.test.ts: the two-node Redis test is skipped: REDIS_URL is not set (CI sets it).')
}

describe('a topic hidden while people follow it', () => {
  it('stops sending its events to those who may no longer read it', async () => {
    const { recheckForumRoom } = await import('~/realtime/forum-rooms.server')
    // Other tests closed nodes of their own: publish through this file's main node again.
    registerIo(node.io)
    const id = await createTopic('Станет скрытым')
    const t = await client(node.url, teacher)
    const s = await client(node.url, specialist)
    await emit(t, 'forum:join', { room: `topic:${id}` })
    await emit(s, 'forum:join', { room: `topic:${id}` })
    await prisma.topic.update({ where: { id }, data: { hidden: true } })
    expect(await recheckForumRoom(`topic:${id}`)).toBe(1)
    let teacherGot = 0
    t.on('forum:event', () => teacherGot++)
    const toSpecialist = next<ForumEventView>(s, 'forum:event')
    await postEvent(id, 500, 'после скрытия')
    await toSpecialist
    await sleep(150)
    expect(teacherGot).toBe(0)
  })
})

describe('replays after hiding and moderators\' edits', () => {
  async function asTeacherAndSpecialist() {
    return { teacherActor: await actorFor('teacher-a'), specActor: await actorFor('fioko-a') }
  }

  it('replays posts and topics as they are now: no hidden body, no text a moderator removed, no hidden title', async () => {
    registerIo(node.io)
    const { teacherActor, specActor } = await asTeacherAndSpecialist()
    const math5 = await subject('Математика', 5)
    const t = await makeTopic({ authorId: teacher.id, title: 'Работа Сидорова Коли: задание 5', expertSubjectId: math5.id })
    const hiddenReply = await reply(teacherActor, t.id, { content: JSON.stringify(contentFromText('У Кузнецова Пети в работе так же')) })
    const editedReply = await reply(teacherActor, t.id, { content: JSON.stringify(contentFromText('У Петровой Маши ответ 12 см')) })
    if (hiddenReply.status !== 'success' || editedReply.status !== 'success') throw new Error('replies failed')
    // A moderator removes the pupil's name from one post and hides the other.
    expect(await editPost(specActor, editedReply.postId, { content: JSON.stringify(contentFromText('У ученицы ответ 12 см')) })).toMatchObject({ status: 'success', changed: true })
    expect(await hidePost(specActor, hiddenReply.postId, true, 'Персональные данные')).toMatchObject({ status: 'success' })

    const teacherSocket = await client(node.url, teacher)
    const inTopic = await emit<ForumJoinResult>(teacherSocket, 'forum:join', { room: `topic:${t.id}`, lastEventId: '0' })
    expect(inTopic.ok).toBe(true)
    const topicJson = JSON.stringify(inTopic)
    expect(topicJson).not.toContain('Кузнецова')
    expect(topicJson).not.toContain('Петровой')
    expect(topicJson).toContain('У ученицы ответ 12 см')
    // The order is kept, and the hidden post still has its place (marked hidden, empty body).
    const events = inTopic.ok ? inTopic.data.events : []
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => Number(BigInt(a) - BigInt(b))))
    const hiddenCreated = events.find((e) => e.type === 'post.created' && (e.payload.post as { id: number }).id === hiddenReply.postId)
    expect(hiddenCreated?.payload.post).toMatchObject({ hidden: true, html: '', text: '', hiddenReason: 'Персональные данные' })

    // Pinned while visible (its real title went to the lists), then hidden.
    expect(await setPinned(specActor, t.id, true)).toMatchObject({ status: 'success', changed: true })
    expect(await setTopicHidden(specActor, t.id, true, 'Фамилия ученика')).toMatchObject({ status: 'success', changed: true })
    const stored = await prisma.forumEvent.findMany({ where: { room: `subject:${math5.id}` } })
    expect(JSON.stringify(stored, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).toContain('Сидорова') // the log still has it: the fix is at read time

    for (const room of [`subject:${math5.id}`, `forum:${forumId}`]) {
      const again = await client(node.url, teacher)
      const ack = await emit<ForumJoinResult>(again, 'forum:join', { room, lastEventId: '0' })
      expect(ack.ok).toBe(true)
      const json = JSON.stringify(ack)
      expect(json).not.toContain('Сидорова')
      const aboutTopic = ack.ok ? ack.data.events.filter((e) => (e.payload.topic as { id?: number } | undefined)?.id === t.id) : []
      expect(aboutTopic.length).toBeGreaterThanOrEqual(2)
      for (const e of aboutTopic) expect(e.payload.topic).toMatchObject({ hidden: true, title: HIDDEN_TOPIC_TITLE })
    }
    // The hidden topic's own room stays closed to the teacher, replay or not.
    expect(await emit(teacherSocket, 'forum:join', { room: `topic:${t.id}`, lastEventId: '0' })).toMatchObject({ ok: false })

    // A moderator gets the real state: the real title in the lists, the thread's events.
    const spec = await client(node.url, specialist)
    const modList = await emit<ForumJoinResult>(spec, 'forum:join', { room: `subject:${math5.id}`, lastEventId: '0' })
    const modTopic = modList.ok ? modList.data.events.filter((e) => (e.payload.topic as { id?: number } | undefined)?.id === t.id) : []
    expect(modTopic.length).toBeGreaterThanOrEqual(2)
    for (const e of modTopic) expect(e.payload.topic).toMatchObject({ hidden: true, title: 'Работа Сидорова Коли: задание 5' })
    const modThread = await emit<ForumJoinResult>(spec, 'forum:join', { room: `topic:${t.id}`, lastEventId: '0' })
    expect(modThread.ok).toBe(true)
    const modEvents = modThread.ok ? modThread.data.events : []
    expect(modEvents.find((e) => e.type === 'post.hidden')?.payload).toMatchObject({ postId: hiddenReply.postId, hidden: true, reason: 'Персональные данные' })
    expect(JSON.stringify(modThread)).toContain('У ученицы ответ 12 см')
  })

  it('removes from a topic\'s room, when a moderator hides it, those who may no longer read it: a later reply does not reach them', async () => {
    registerIo(node.io)
    const { specActor } = await asTeacherAndSpecialist()
    const t = await makeTopic({ authorId: teacher.id, title: 'Скоро скроют' })
    const teacherSocket = await client(node.url, teacher)
    const spec = await client(node.url, specialist)
    expect((await emit(teacherSocket, 'forum:join', { room: `topic:${t.id}` })).ok).toBe(true)
    expect((await emit(spec, 'forum:join', { room: `topic:${t.id}` })).ok).toBe(true)
    const teacherGot: ForumEventView[] = []
    teacherSocket.on('forum:event', (e: ForumEventView) => teacherGot.push(e))

    const hiddenSeen = next<ForumEventView>(teacherSocket, 'forum:event', (e) => e.type === 'topic.updated')
    expect(await setTopicHidden(specActor, t.id, true)).toMatchObject({ status: 'success', changed: true })
    // The teacher's page hears that the topic is hidden (with the hidden title), then is let go.
    expect((await hiddenSeen).payload.topic).toMatchObject({ hidden: true, title: HIDDEN_TOPIC_TITLE })
    await roomRechecksSettled()

    const toSpecialist = next<ForumEventView>(spec, 'forum:event', (e) => e.type === 'post.created')
    const answer = await reply(specActor, t.id, { content: JSON.stringify(contentFromText('Секретный ответ в скрытой теме')) })
    expect(answer.status).toBe('success')
    expect(JSON.stringify((await toSpecialist).payload)).toContain('Секретный ответ в скрытой теме')
    await sleep(200)
    expect(teacherGot.map((e) => e.type)).toEqual(['topic.updated'])
  })

  it('re-checks the forum rooms of a socket restored by connection-state recovery', async () => {
    registerIo(node.io)
    const { specActor } = await asTeacherAndSpecialist()
    const t = await makeTopic({ authorId: teacher.id, title: 'Скроют, пока учитель без связи' })
    const room = `topic:${t.id}`
    const teacherSocket = await client(node.url, teacher, { reconnection: true })
    expect((await emit(teacherSocket, 'forum:join', { room })).ok).toBe(true)
    // A broadcast received: the client has an offset to recover from.
    const got = next<ForumEventView>(teacherSocket, 'forum:event')
    await postEvent(t.id, 0, 'до обрыва связи')
    await got

    // The connection drops (not a clean disconnect): the server keeps the session for recovery.
    const dropped = next<string>(teacherSocket, 'disconnect')
    ;(teacherSocket.io.engine as unknown as { close(): void }).close()
    await dropped
    expect(await setTopicHidden(specActor, t.id, true)).toMatchObject({ status: 'success', changed: true })
    await roomRechecksSettled()
    await next(teacherSocket, 'connect')
    expect(teacherSocket.recovered).toBe(true)
    // The recovered socket is let back into its old rooms, then re-checked.
    const deadline = Date.now() + 3_000
    const members = async () => (await node.io.in(room).fetchSockets()).map((s) => s.data.userId)
    while ((await members()).includes(teacher.id) && Date.now() < deadline) await sleep(50)
    expect(await members()).not.toContain(teacher.id)

    let after = 0
    teacherSocket.on('forum:event', () => after++)
    await postEvent(t.id, 0, 'после скрытия')
    await sleep(200)
    expect(after).toBe(0)
  })
})

// Forum notifications end to end on a real database: who gets a row and by
// which channel (preferences, the actor, hidden topics), the mail drain
// writing real .eml files to the file outbox with backoff after a failure,
// and the live push reaching a real socket.io client of a real server.
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { simpleParser } from 'mailparser'
import { io as connect, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { NotificationView } from '~/forum/types'
import { prisma } from '~/utils/db.server'
import { outboxDir } from '~/utils/mailer.server'
import { attachSocketServer } from '../../server/socket/index.ts'
import { action as pageAction, loader as pageLoader } from '~/routes/cabinet.notifications'
import { createRegionTree, createSignedInSession, createUser, signedInRequest } from '../../tests/setup/fixtures.ts'
import {
  drainNotificationMail,
  getPreferences,
  listNotifications,
  markRead,
  pushNotifications,
  queueNotifications,
  savePreferences,
  unreadCount,
  type NotificationRequest,
} from './notifications.server'

process.env.PUBLIC_URL = 'https://oko.example'

type U = Awaited<ReturnType<typeof createUser>>
let asker: U
let teacher: U
let specialist: U
let noMail: U
let topicId: number

async function createTopic(authorId: number, title: string, hidden = false) {
  const forum = await prisma.forum.findUniqueOrThrow({ where: { slug: 'experts' } })
  const topic = await prisma.topic.create({ data: { forumId: forum.id, title, authorId, hidden } })
  return topic.id
}

function request(over: Partial<NotificationRequest> = {}): NotificationRequest {
  return {
    kind: 'answered',
    userIds: [asker.id],
    actorId: specialist.id,
    topicId,
    postId: 7,
    text: 'Специалист ФИОКО ответил на ваш вопрос',
    url: `/cabinet/topics/${topicId}#post-7`,
    ...over,
  }
}

function queue(req: NotificationRequest) {
  return prisma.$transaction((tx) => queueNotifications(tx, req))
}

function outboxFiles() {
  const dir = outboxDir()
  return fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort() : []
}

beforeAll(async () => {
  const tree = await createRegionTree({ municipalities: 1, schoolsPer: 1, colleges: 0 })
  const school = tree.municipalities[0].schools[0]
  const fed = await prisma.organization.create({ data: { kind: 'FEDERAL', login: 'fioko', name: 'ФИОКО' } })
  asker = await createUser({ orgId: school.id, role: 'TEACHER_EXPERT', login: 'teacher-asker' })
  teacher = await createUser({ orgId: school.id, role: 'TEACHER_EXPERT', login: 'teacher-other' })
  noMail = await createUser({ orgId: school.id, role: 'TEACHER_EXPERT', login: 'teacher-nomail' })
  specialist = await createUser({ orgId: fed.id, role: 'FIOKO_SPECIALIST', login: 'fioko-spec' })
  await prisma.user.update({ where: { id: asker.id }, data: { email: 'asker@school.example', fullName: 'Петрова Анна Сергеевна' } })
  await prisma.user.update({ where: { id: teacher.id }, data: { email: 'other@school.example' } })
  await prisma.user.update({ where: { id: specialist.id }, data: { email: 'spec@fioko.example' } })
  topicId = await createTopic(asker.id, 'Как оценить задание 5, если нет единиц измерения?')
})

beforeEach(async () => {
  await prisma.notification.deleteMany()
  await prisma.notificationPreference.deleteMany()
  fs.rmSync(outboxDir(), { recursive: true, force: true })
})

describe('queueNotifications', () => {
  it('by default notifies an answer on the site and by mail, once per person, never the actor', async () => {
    const ids = await queue(request({ userIds: [asker.id, asker.id, specialist.id] }))
    expect(ids).toHaveLength(1)
    const [row] = await prisma.notification.findMany()
    expect(row).toMatchObject({ userId: asker.id, kind: 'answered', topicId, postId: 7, readAt: null, emailState: 'pending' })
    expect(await unreadCount(asker.id)).toBe(1)
    expect(await prisma.notification.count({ where: { userId: specialist.id } })).toBe(0)
  })

  it('mentions and replies are on the site only unless the person asked for mail', async () => {
    await queue(request({ kind: 'mention', userIds: [asker.id, teacher.id] }))
    const rows = await prisma.notification.findMany({ orderBy: { userId: 'asc' } })
    expect(rows.map((r) => [r.userId, r.emailState])).toEqual([
      [asker.id, 'none'],
      [teacher.id, 'none'],
    ])
    await savePreferences(teacher.id, { ...(await getPreferences(teacher.id)), mention: { web: true, email: true } })
    await queue(request({ kind: 'mention', userIds: [asker.id, teacher.id] }))
    expect(await prisma.notification.findFirst({ where: { userId: teacher.id, emailState: 'pending' } })).not.toBeNull()
    expect(await prisma.notification.count({ where: { userId: asker.id, emailState: 'pending' } })).toBe(0)
  })

  it('honours preferences: nothing when both channels are off, mail only when the site is off', async () => {
    const prefs = await getPreferences(asker.id)
    await savePreferences(asker.id, { ...prefs, answered: { web: false, email: false }, resolved: { web: false, email: true } })
    expect(await queue(request({ kind: 'answered' }))).toEqual([])
    const ids = await queue(request({ kind: 'resolved', text: 'Вопрос решён: дан официальный ответ' }))
    expect(ids).toHaveLength(1)
    const row = await prisma.notification.findUniqueOrThrow({ where: { id: ids[0] } })
    // Mail only: written as read, so the bell does not count it.
    expect(row.readAt).not.toBeNull()
    expect(row.emailState).toBe('pending')
    expect(await unreadCount(asker.id)).toBe(0)
  })

  it('does not mail a person without an address, and refuses malformed preferences', async () => {
    await queue(request({ userIds: [noMail.id] }))
    expect(await prisma.notification.findFirstOrThrow({ where: { userId: noMail.id } })).toMatchObject({ emailState: 'none', readAt: null })
    expect(await savePreferences(noMail.id, { answered: { web: 'yes' } })).toEqual({ status: 'error', message: 'Неверные настройки уведомлений.' })
    expect(await prisma.notificationPreference.count()).toBe(0)
  })

  it('tells only moderators about a hidden topic', async () => {
    const hidden = await createTopic(asker.id, 'Скрытая тема', true)
    const ids = await queue(request({ topicId: hidden, userIds: [asker.id, specialist.id], actorId: teacher.id, url: `/cabinet/topics/${hidden}` }))
    expect(ids).toHaveLength(1)
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: ids[0] } })).userId).toBe(specialist.id)
  })
})

describe('the bell\'s count', () => {
  it('is remembered between pages, yet follows a new notification at once', async () => {
    expect(await unreadCount(asker.id)).toBe(0)
    await queue(request({}))
    expect(await unreadCount(asker.id)).toBe(1)
    // Written behind the app's back: the remembered count stands until it expires.
    await prisma.notification.updateMany({ where: { userId: asker.id }, data: { readAt: new Date() } })
    expect(await unreadCount(asker.id)).toBe(1)
  })
})

describe('the cabinet list', () => {
  it('lists newest first and marks only the person\'s own notifications read', async () => {
    await queue(request({ text: 'первое' }))
    await queue(request({ text: 'второе' }))
    const theirs = await queue(request({ userIds: [teacher.id], text: 'чужое' }))
    const list = await listNotifications(asker.id)
    expect(list.items.map((n) => n.text)).toEqual(['второе', 'первое'])
    expect(list.unread).toBe(2)
    expect(await markRead(asker.id, theirs)).toBe(0)
    expect(await unreadCount(teacher.id)).toBe(1)
    expect(await markRead(asker.id, [list.items[1].id])).toBe(1)
    expect((await listNotifications(asker.id)).items.map((n) => n.read)).toEqual([false, true])
    expect(await markRead(asker.id, 'all')).toBe(1)
    expect(await unreadCount(asker.id)).toBe(0)
  })
})

describe('the notifications page', () => {
  const url = 'http://localhost/cabinet/notifications'
  const post = async (user: { id: number }, fields: Record<string, string>) => {
    const res = (await pageAction({ request: await signedInRequest(user, url, { method: 'POST', body: new URLSearchParams(fields) }), params: {}, context: { cspNonce: 'test', clientIp: '127.0.0.1' } })) as Response
    return { status: res.status, body: (await res.json()) as { ok: boolean; message: string | null } }
  }

  it('saves the choice from the form (unchecked boxes are off) and the next answer follows it', async () => {
    const saved = await post(asker, { intent: 'preferences', 'answered.email': 'on', 'resolved.web': 'on', 'resolved.email': 'on', 'mention.web': 'on', 'reply.web': 'on' })
    expect(saved).toEqual({ status: 200, body: { ok: true, message: 'Настройки уведомлений сохранены.' } })
    const res = (await pageLoader({ request: await signedInRequest(asker, url), params: {}, context: { cspNonce: 'test', clientIp: '127.0.0.1' } })) as Response
    const data = (await res.json()) as { preferences: Record<string, { web: boolean; email: boolean }>; mailable: boolean }
    expect(data.preferences.answered).toEqual({ web: false, email: true })
    expect(data.preferences.mention).toEqual({ web: true, email: false })
    expect(data.mailable).toBe(true)
    await queue(request())
    expect(await unreadCount(asker.id)).toBe(0)
    expect(await prisma.notification.count({ where: { userId: asker.id, emailState: 'pending' } })).toBe(1)
  })

  it('marks one or all read, refuses an unknown action', async () => {
    const [a] = await queue(request({ text: 'первое' }))
    await queue(request({ text: 'второе' }))
    expect((await post(asker, { intent: 'read', id: String(a) })).status).toBe(200)
    expect(await unreadCount(asker.id)).toBe(1)
    expect(await post(asker, { intent: 'read-all' })).toEqual({ status: 200, body: { ok: true, message: 'Отмечено прочитанными: 1.' } })
    expect(await post(asker, { intent: 'delete-everything' })).toEqual({ status: 400, body: { ok: false, message: 'Неизвестное действие.' } })
  })
})

describe('the mail drain', () => {
  it('writes one real .eml per notification to the file outbox, to the person only, with the link and the settings hint', async () => {
    await queue(request({ userIds: [asker.id, teacher.id] }))
    expect(await drainNotificationMail()).toEqual({ sent: 2, failed: 0, skipped: 0 })
    const files = outboxFiles()
    expect(files).toHaveLength(2)
    const mails = await Promise.all(files.map((f) => simpleParser(fs.readFileSync(path.join(outboxDir(), f)))))
    const toAsker = mails.find((m) => m.to && !Array.isArray(m.to) && m.to.text === 'asker@school.example')!
    expect(toAsker).toBeDefined()
    // Nobody else's address in it (coordinators' contacts are personal data).
    const raw = fs.readFileSync(path.join(outboxDir(), files[mails.indexOf(toAsker)]), 'utf8')
    expect(raw).not.toContain('other@school.example')
    expect(raw).not.toContain('spec@fioko.example')
    expect(toAsker.subject).toBe('Ответ на ваш вопрос: Как оценить задание 5, если нет единиц измерения?')
    expect(toAsker.text).toContain('Здравствуйте, Анна Сергеевна!')
    expect(toAsker.text).toContain('Специалист ФИОКО ответил на ваш вопрос')
    expect(toAsker.text).toContain(`https://oko.example/cabinet/topics/${topicId}#post-7`)
    expect(toAsker.text).toContain('https://oko.example/cabinet/notifications')
    expect(toAsker.headers.get('auto-submitted')).toBe('auto-generated')
    expect(await prisma.notification.count({ where: { emailState: 'sent', emailAttempts: 1 } })).toBe(2)
    // Sent rows are not sent again.
    expect(await drainNotificationMail()).toEqual({ sent: 0, failed: 0, skipped: 0 })
    expect(outboxFiles()).toHaveLength(2)
  })

  it('does not mail about a topic hidden after the notification was queued, except to its moderators', async () => {
    const later = await createTopic(asker.id, 'Вопрос с фамилией ученика Иванова')
    const ids = await queue(request({ topicId: later, userIds: [asker.id, specialist.id], actorId: teacher.id, url: `/cabinet/topics/${later}` }))
    expect(ids).toHaveLength(2)
    // A moderator hides it before the drain runs.
    await prisma.topic.update({ where: { id: later }, data: { hidden: true } })
    expect(await drainNotificationMail()).toEqual({ sent: 1, failed: 0, skipped: 1 })
    const files = outboxFiles()
    expect(files).toHaveLength(1)
    const mail = await simpleParser(fs.readFileSync(path.join(outboxDir(), files[0])))
    expect(mail.to && !Array.isArray(mail.to) && mail.to.text).toBe('spec@fioko.example')
    expect(await prisma.notification.findFirstOrThrow({ where: { userId: asker.id, topicId: later } })).toMatchObject({ emailState: 'none', emailError: 'Тема скрыта модератором' })
    // Not picked up again by a later pass.
    expect(await drainNotificationMail()).toEqual({ sent: 0, failed: 0, skipped: 0 })
  })

  it('retries a failed mail after a backoff, not before', async () => {
    const [id] = await queue(request())
    // The outbox path is taken by a file: the mailer cannot write.
    fs.mkdirSync(path.dirname(outboxDir()), { recursive: true })
    fs.writeFileSync(outboxDir(), 'not a folder')
    expect(await drainNotificationMail()).toMatchObject({ sent: 0, failed: 1 })
    const failed = await prisma.notification.findUniqueOrThrow({ where: { id } })
    expect(failed).toMatchObject({ emailState: 'pending', emailAttempts: 1 })
    expect(failed.emailAfter!.getTime() - Date.now()).toBeGreaterThan(20_000)
    expect(failed.emailError).toBeTruthy()

    fs.rmSync(outboxDir())
    expect(await drainNotificationMail()).toMatchObject({ sent: 0, failed: 0 })
    await prisma.notification.update({ where: { id }, data: { emailAfter: new Date(Date.now() - 1000) } })
    expect(await drainNotificationMail()).toMatchObject({ sent: 1, failed: 0 })
    expect(outboxFiles()).toHaveLength(1)
    expect(await prisma.notification.findUniqueOrThrow({ where: { id } })).toMatchObject({ emailState: 'sent', emailAttempts: 2 })
  })
})

describe('live push', () => {
  let url: string
  let close: () => Promise<void>
  const clients: Socket[] = []

  beforeAll(async () => {
    const server = http.createServer()
    const sockets = await attachSocketServer(server, {})
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = async () => {
      for (const c of clients) c.close()
      await sockets.close()
      server.closeAllConnections()
    }
  })
  afterAll(() => close())

  async function client(user: { id: number }) {
    const { cookie } = await createSignedInSession(user)
    const socket = connect(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { Cookie: cookie }, reconnection: false, forceNew: true })
    clients.push(socket)
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve())
      socket.once('connect_error', reject)
    })
    return socket
  }

  function next<T>(socket: Socket, event: string, timeoutMs = 5_000) {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs)
      socket.once(event, (v: T) => {
        clearTimeout(timer)
        resolve(v)
      })
    })
  }

  it('pushes a new notification to the person\'s sockets only, and the unread count after reading', async () => {
    const mine = await client(asker)
    const other = await client(teacher)
    let otherGot = 0
    other.on('notification:new', () => otherGot++)
    const arrived = next<NotificationView>(mine, 'notification:new')
    const ids = await queue(request())
    pushNotifications(ids)
    const view = await arrived
    expect(view).toMatchObject({ id: ids[0], kind: 'answered', text: 'Специалист ФИОКО ответил на ваш вопрос', url: `/cabinet/topics/${topicId}#post-7`, read: false })

    const unread = next<{ count: number }>(mine, 'notification:unread')
    await markRead(asker.id, ids)
    expect(await unread).toEqual({ count: 0 })
    await new Promise((r) => setTimeout(r, 100))
    expect(otherGot).toBe(0)
  })

  it('answers the bell\'s count after a reconnection', async () => {
    await queue(request({ text: 'пока не было связи' }))
    const mine = await client(asker)
    expect(await mine.timeout(5_000).emitWithAck('notification:count', {})).toEqual({ ok: true, data: { count: 1 } })
  })

  it('does not push a mail-only notification', async () => {
    const mine = await client(asker)
    await savePreferences(asker.id, { ...(await getPreferences(asker.id)), answered: { web: false, email: true } })
    let got = 0
    mine.on('notification:new', () => got++)
    pushNotifications(await queue(request()))
    await new Promise((r) => setTimeout(r, 300))
    expect(got).toBe(0)
  })
})

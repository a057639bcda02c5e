// Forum notifications: in the cabinet (live, through the person's socket room)
// and by mail. The Notification row is both the list entry and the mail
// outbox: it is written in the transaction of the change that caused it
// (queueNotifications), pushed after the commit (pushNotifications), and its
// mail is sent by a drain that leases rows, retries with backoff and runs
// right after the commit and every minute from the job queue.
import { z } from 'zod'
import { canModerate } from '~/forum/permissions'
import { forumQuery } from '~/forum/sql.server'
import type { NotificationView } from '~/forum/types'
import { isDeliverable } from '~/helpdesk/outbound.server'
import { rooms } from '~/realtime/events'
import { io } from '~/realtime/publish.server'
import { prisma, type Prisma } from '~/utils/db.server'
import { backoffSeconds, createDrain } from '~/utils/drain.server'
import { env } from '~/utils/env.server'
import { defineQueue } from '~/utils/jobs.server'
import { logger } from '~/utils/logger.server'
import { singleton } from '~/utils/singleton.server'
import { deliverMail } from '~/utils/mailer.server'
import { forumNotification } from '../../emails/templates/forum-notification.ts'
import { DEFAULT_PREFERENCES, NOTIFICATION_KINDS, type NotificationKind, type NotificationPreferences } from './kinds'

export { DEFAULT_PREFERENCES, NOTIFICATION_KINDS, NOTIFICATION_KIND_LABELS, type Channel, type NotificationKind, type NotificationPreferences } from './kinds'

export interface NotificationRequest {
  kind: NotificationKind
  userIds: number[]
  /** The person whose action caused it: never notified of their own action. */
  actorId: number
  topicId: number
  postId?: number
  /** What happened, in Russian, as the list and the mail show it. */
  text: string
  /** Path inside the site: `/cabinet/topics/12#post-34`. */
  url: string
}

type PreferenceRow = {
  answeredWeb: boolean
  answeredEmail: boolean
  resolvedWeb: boolean
  resolvedEmail: boolean
  mentionWeb: boolean
  mentionEmail: boolean
  replyWeb: boolean
  replyEmail: boolean
}

function fromRow(row: PreferenceRow | null | undefined): NotificationPreferences {
  if (!row) return structuredClone(DEFAULT_PREFERENCES)
  return {
    answered: { web: row.answeredWeb, email: row.answeredEmail },
    resolved: { web: row.resolvedWeb, email: row.resolvedEmail },
    mention: { web: row.mentionWeb, email: row.mentionEmail },
    reply: { web: row.replyWeb, email: row.replyEmail },
  }
}

function toRow(p: NotificationPreferences): PreferenceRow {
  return {
    answeredWeb: p.answered.web,
    answeredEmail: p.answered.email,
    resolvedWeb: p.resolved.web,
    resolvedEmail: p.resolved.email,
    mentionWeb: p.mention.web,
    mentionEmail: p.mention.email,
    replyWeb: p.reply.web,
    replyEmail: p.reply.email,
  }
}

const TEXT_MAX = 500

// ---------------------------------------------------------------------------
// Queueing (inside the change's transaction)

/**
 * Writes the notifications a change causes, in the caller's transaction:
 * once per person, never to the actor, never to disabled accounts, about a
 * hidden topic only to its moderators, and only by the channels each person
 * chose. Returns the rows' ids for pushNotifications after the commit.
 *
 * A person who wants a kind by mail only still gets a row (it is the mail's
 * outbox): it is written as already read, so it neither counts in the bell
 * nor is pushed live.
 */
export async function queueNotifications(tx: Prisma.TransactionClient, req: NotificationRequest): Promise<number[]> {
  if (!NOTIFICATION_KINDS.includes(req.kind)) throw new Error(`queueNotifications: unknown kind ${req.kind}`)
  if (!/^\/[^/\\]/.test(req.url)) throw new Error(`queueNotifications: url must be a path inside the site, got ${req.url}`)
  const userIds = [...new Set(req.userIds)].filter((id) => Number.isInteger(id) && id > 0 && id !== req.actorId)
  if (userIds.length === 0) return []

  const users = await tx.user.findMany({ where: { id: { in: userIds }, disabled: false }, select: { id: true, role: true, email: true } })
  if (users.length === 0) return []
  const topic = await tx.topic.findUnique({ where: { id: req.topicId }, select: { hidden: true, forum: { select: { kind: true } } } })
  if (!topic) return []
  const prefRows = await tx.notificationPreference.findMany({ where: { userId: { in: users.map((u) => u.id) } } })
  const prefs = new Map(prefRows.map((r) => [r.userId, fromRow(r)]))

  const now = new Date()
  const text = req.text.trim().slice(0, TEXT_MAX)
  const data: Prisma.NotificationCreateManyInput[] = []
  for (const user of users) {
    // A hidden topic is for moderators only: nobody else hears about it.
    if (topic.hidden && !canModerate(user, topic.forum.kind)) continue
    const channel = (prefs.get(user.id) ?? DEFAULT_PREFERENCES)[req.kind]
    const email = channel.email && isDeliverable(user.email)
    if (!channel.web && !email) continue
    data.push({
      userId: user.id,
      kind: req.kind,
      topicId: req.topicId,
      postId: req.postId ?? null,
      text,
      url: req.url,
      readAt: channel.web ? null : now,
      emailState: email ? 'pending' : 'none',
    })
  }
  if (data.length === 0) return []
  const rows = await tx.notification.createManyAndReturn({ data, select: { id: true } })
  forgetUnread(new Set(data.map((d) => d.userId)))
  return rows.map((r) => r.id)
}

// ---------------------------------------------------------------------------
// After the commit: live push and mail

const viewSelect = { id: true, userId: true, kind: true, text: true, url: true, createdAt: true, readAt: true, emailState: true } as const

function toView(row: { id: number; kind: string; text: string; url: string; createdAt: Date; readAt: Date | null }): NotificationView {
  return { id: row.id, kind: row.kind as NotificationKind, text: row.text, url: row.url, createdAt: row.createdAt.toISOString(), read: row.readAt !== null }
}

/**
 * After the transaction that queued them commits: pushes each unread
 * notification to its person's room (every node, through the adapter) and
 * wakes the mail drain. Never throws; a failure is logged (the rows are
 * there, the list shows them and the minute job mails them).
 */
export function pushNotifications(ids: number[]): void {
  if (ids.length === 0) return
  void (async () => {
    const rows = await prisma.notification.findMany({ where: { id: { in: ids } }, select: viewSelect, orderBy: { id: 'asc' } })
    forgetUnread(new Set(rows.map((r) => r.userId)))
    const server = io()
    if (server) for (const row of rows) if (!row.readAt) server.to(rooms.user(row.userId)).emit('notification:new', toView(row))
    if (rows.some((r) => r.emailState === 'pending')) notificationMail.wake()
  })().catch((error) => logger.warn({ err: error, ids }, 'notifications: live push failed; they stay in the list'))
}

// ---------------------------------------------------------------------------
// The cabinet: list, read marks, preferences

export const PAGE_SIZE = 30

export async function listNotifications(userId: number, { page = 1 }: { page?: number } = {}) {
  const current = Math.max(1, Math.floor(page))
  const [rows, total, unread] = await Promise.all([
    prisma.notification.findMany({ where: { userId }, orderBy: { id: 'desc' }, skip: (current - 1) * PAGE_SIZE, take: PAGE_SIZE, select: viewSelect }),
    prisma.notification.count({ where: { userId } }),
    unreadCount(userId),
  ])
  return { items: rows.map(toView), total, unread, page: current, pageSize: PAGE_SIZE }
}

// Every cabinet page shows the bell, so its count is read on every request:
// plain SQL (Prisma's client costs milliseconds a query here) and remembered
// for a few seconds. This process forgets a person's count when it pushes them
// a notification or marks theirs read; another node's count may lag by the
// TTL, and the bell follows live events anyway.
const UNREAD_TTL_MS = 5_000
const UNREAD_CACHE_MAX = 20_000
const unreadCache = singleton('notifications-unread', () => new Map<number, { count: number; until: number }>())

export async function unreadCount(userId: number): Promise<number> {
  const cached = unreadCache.get(userId)
  if (cached && cached.until > Date.now()) return cached.count
  const [row] = await forumQuery<{ count: number }>('SELECT count(*)::int AS count FROM "Notification" WHERE "userId" = $1 AND "readAt" IS NULL', [userId])
  const count = row?.count ?? 0
  if (unreadCache.size >= UNREAD_CACHE_MAX) unreadCache.clear()
  unreadCache.set(userId, { count, until: Date.now() + UNREAD_TTL_MS })
  return count
}

function forgetUnread(userIds: Iterable<number>) {
  for (const id of userIds) unreadCache.delete(id)
}

/** Marks the person's own notifications read (others' ids are ignored); the bell in every tab follows. */
export async function markRead(userId: number, ids: number[] | 'all'): Promise<number> {
  const where: Prisma.NotificationWhereInput = ids === 'all' ? { userId, readAt: null } : { userId, readAt: null, id: { in: ids } }
  if (ids !== 'all' && ids.length === 0) return 0
  const { count } = await prisma.notification.updateMany({ where, data: { readAt: new Date() } })
  if (count > 0) {
    forgetUnread([userId])
    const unread = await unreadCount(userId)
    io()?.to(rooms.user(userId)).emit('notification:unread', { count: unread })
  }
  return count
}

export async function getPreferences(userId: number): Promise<NotificationPreferences> {
  return fromRow(await prisma.notificationPreference.findUnique({ where: { userId } }))
}

const channelSchema = z.object({ web: z.boolean(), email: z.boolean() }).strict()
export const PreferencesSchema = z
  .object({ answered: channelSchema, resolved: channelSchema, mention: channelSchema, reply: channelSchema })
  .strict()

export async function savePreferences(userId: number, input: unknown): Promise<{ status: 'success'; preferences: NotificationPreferences } | { status: 'error'; message: string }> {
  const parsed = PreferencesSchema.safeParse(input)
  if (!parsed.success) return { status: 'error', message: 'Неверные настройки уведомлений.' }
  const row = toRow(parsed.data)
  await prisma.notificationPreference.upsert({ where: { userId }, create: { userId, ...row }, update: row })
  return { status: 'success', preferences: parsed.data }
}

/** Whether the person has an address mail can go to (the settings page says so when not). */
export async function canReceiveMail(userId: number) {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { email: true } })
  return isDeliverable(user?.email)
}

// ---------------------------------------------------------------------------
// The mail drain

const CLAIM = 50
const LEASE_SECONDS = 120
export const MAX_MAIL_ATTEMPTS = 8
const BACKOFF = { baseSeconds: 30, maxSeconds: 6 * 3600 }

interface Claimed {
  id: number
  userId: number
  kind: string
  topicId: number | null
  postId: number | null
  text: string
  url: string
  emailAttempts: number
}

/** Leases due rows: other processes skip them until the lease runs out (a crashed drain's rows come back). */
function claim() {
  // The timestamp columns hold UTC clock time without a zone (Prisma's mapping).
  return prisma.$queryRaw<Claimed[]>`
    UPDATE "Notification" n SET "emailAfter" = (now() AT TIME ZONE 'UTC') + make_interval(secs => ${LEASE_SECONDS})
    WHERE n.id IN (
      SELECT id FROM "Notification"
      WHERE "emailState" = 'pending' AND ("emailAfter" IS NULL OR "emailAfter" <= now() AT TIME ZONE 'UTC')
      ORDER BY id LIMIT ${CLAIM} FOR UPDATE SKIP LOCKED)
    RETURNING n.id, n."userId", n.kind, n."topicId", n."postId", n.text, n.url, n."emailAttempts"`
}

export function publicUrl(path = '') {
  const base = (env().PUBLIC_URL ?? `http://localhost:${env().PORT}`).replace(/\/+$/, '')
  return `${base}${path}`
}

export interface MailResult {
  sent: number
  failed: number
  skipped: number
}

async function mailPass(): Promise<MailResult> {
  const result: MailResult = { sent: 0, failed: 0, skipped: 0 }
  for (let round = 0; round < 100; round++) {
    const rows = await claim()
    if (rows.length === 0) break
    const users = new Map(
      (
        await prisma.user.findMany({
          where: { id: { in: [...new Set(rows.map((r) => r.userId))] } },
          select: { id: true, role: true, email: true, fullName: true, disabled: true },
        })
      ).map((u) => [u.id, u]),
    )
    const topicIds = [...new Set(rows.map((r) => r.topicId).filter((id): id is number => id !== null))]
    const topics = new Map(
      (await prisma.topic.findMany({ where: { id: { in: topicIds } }, select: { id: true, title: true, hidden: true, forum: { select: { kind: true } } } })).map((t) => [t.id, t]),
    )
    for (const row of rows) {
      const user = users.get(row.userId)
      // Only ever to the person themself, at their own address (152-ФЗ).
      if (!user || user.disabled || !isDeliverable(user.email)) {
        await prisma.notification.update({ where: { id: row.id }, data: { emailState: 'none', emailAfter: null, emailError: 'Нет адреса электронной почты' } })
        result.skipped++
        continue
      }
      // Queued while the topic was visible, hidden since: only its moderators
      // may still read it, so the mail (with its title) goes to them alone.
      const topic = row.topicId !== null ? topics.get(row.topicId) : undefined
      if (topic?.hidden && !canModerate(user, topic.forum.kind)) {
        await prisma.notification.update({ where: { id: row.id }, data: { emailState: 'none', emailAfter: null, emailError: 'Тема скрыта модератором' } })
        result.skipped++
        continue
      }
      const mail = forumNotification({
        kind: row.kind as NotificationKind,
        recipientName: user.fullName,
        topicTitle: topic?.title || 'Форум',
        text: row.text,
        url: publicUrl(row.url),
        settingsUrl: publicUrl('/cabinet/notifications'),
      })
      try {
        await deliverMail({
          to: user.email,
          subject: mail.subject,
          text: mail.text,
          headers: {
            // Generated, not a reply (RFC 3834): vacation responders stay quiet.
            'Auto-Submitted': 'auto-generated',
            'X-Auto-Response-Suppress': 'All',
            'List-Unsubscribe': `<${publicUrl('/cabinet/notifications')}>`,
            'X-Oko-Notification': String(row.id),
          },
        })
        await prisma.notification.update({ where: { id: row.id }, data: { emailState: 'sent', emailAfter: null, emailError: null, emailAttempts: row.emailAttempts + 1 } })
        result.sent++
      } catch (error) {
        const attempts = row.emailAttempts + 1
        const gaveUp = attempts >= MAX_MAIL_ATTEMPTS
        logger.warn({ err: error, notification: row.id, attempts, gaveUp }, 'notification mail not sent')
        await prisma.notification.update({
          where: { id: row.id },
          data: {
            emailState: gaveUp ? 'failed' : 'pending',
            emailAttempts: attempts,
            emailError: (error as Error).message.slice(0, 1000),
            emailAfter: new Date(Date.now() + backoffSeconds(attempts, BACKOFF) * 1000),
          },
        })
        result.failed++
      }
    }
  }
  return result
}

const notificationMail = createDrain('notification-mail', mailPass, {
  empty: () => ({ sent: 0, failed: 0, skipped: 0 }),
  add: (a, b) => ({ sent: a.sent + b.sent, failed: a.failed + b.failed, skipped: a.skipped + b.skipped }),
})

/** Sends the notification mail that is due (tests, CLI; the server runs it by itself). */
export const drainNotificationMail = notificationMail.drain
export const stopNotificationMail = notificationMail.stop

export const notificationMailQueue = defineQueue<Record<string, never>>({
  name: 'notifications.mail',
  cron: '* * * * *',
  retryLimit: 3,
  async handler() {
    const r = await notificationMail.drain()
    if (r.sent || r.failed) logger.info(r, 'notification mail drained')
  },
})

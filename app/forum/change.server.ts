// One forum change = one transaction that writes its rows, its events
// (ForumEvent), its search outbox rows and its notifications together, then,
// after the commit, pushes the events, the notifications and a search drain.
// Nothing is announced that did not commit, and nothing committed is left
// unannounced in the log (a reconnecting client replays it).
import type { SessionUser } from '~/accounts/session.server'
import { pushNotifications, queueNotifications, type NotificationRequest } from '~/notifications/notifications.server'
import { enqueueIndex } from '~/search/documents.server'
import { notifySearch } from '~/search/outbox.server'
import { prisma, type Prisma } from '~/utils/db.server'
import type { DocKind } from '../../search/engine.ts'
import { publishEvents, recordEvents } from './events.server'
import type { ForumEventPayloads, ForumEventType, ForumEventView } from './types'

export type Tx = Prisma.TransactionClient

/** The person acting: the SessionUser from requireUser (tests pass the same fields). */
export type ForumActor = Pick<SessionUser, 'id' | 'login' | 'role'>

export type Failure = { status: 'error'; message: string; fieldErrors?: Record<string, string[] | undefined> }

/** A refusal found inside the transaction (the state changed since the check): rolls it back, returns the message. */
export class Refusal extends Error {}

export function notFound(message = 'Вопрос не найден: возможно, его удалили или скрыли.'): Response {
  return new Response(message, { status: 404, statusText: 'Not Found' })
}

export function forbidden(message = 'Это действие вам недоступно.'): Response {
  return new Response(message, { status: 403, statusText: 'Forbidden' })
}

export interface Effects {
  /** Records an event in this transaction (typed by its payload). */
  event<K extends ForumEventType>(rooms: string[], type: K, payload: ForumEventPayloads[K]): Promise<void>
  /** The search document of the topic may have changed. */
  index(kind: Extract<DocKind, 'question' | 'topic'>, topicId: number): Promise<void>
  notify(req: NotificationRequest): Promise<void>
  /** What the transaction wrote (for tests and callers that return events). */
  readonly events: ForumEventView[]
}

/**
 * Runs `fn` in one transaction and publishes what it recorded after the commit.
 * A `Refusal` thrown inside becomes `{status:'error', message}`; other errors
 * (and thrown Responses) roll back and propagate.
 */
export async function forumChange<T>(fn: (tx: Tx, fx: Effects) => Promise<T>): Promise<T | Failure> {
  const events: ForumEventView[] = []
  const notificationIds: number[] = []
  let search = false
  let result: T
  try {
    result = await prisma.$transaction(async (tx) => {
      const fx: Effects = {
        events,
        async event(rooms, type, payload) {
          events.push(...(await recordEvents(tx, rooms, type, payload as unknown as Record<string, unknown>)))
        },
        async index(kind, topicId) {
          search = true
          await enqueueIndex(tx, kind, topicId)
        },
        async notify(req) {
          notificationIds.push(...(await queueNotifications(tx, req)))
        },
      }
      return fn(tx, fx)
    })
  } catch (error) {
    if (error instanceof Refusal) return { status: 'error', message: error.message }
    throw error
  }
  publishEvents(events)
  pushNotifications(notificationIds)
  if (search) notifySearch()
  return result
}

/** Serialises changes of one topic (status, counters, marks) on a real server; PGlite serialises anyway. */
export async function lockTopic(tx: Tx, topicId: number) {
  await tx.$queryRaw`SELECT id FROM "Topic" WHERE id = ${topicId} FOR UPDATE`
}

/** Serialises changes of one post (its vote counters). */
export async function lockPost(tx: Tx, postId: number) {
  await tx.$queryRaw`SELECT id FROM "Post" WHERE id = ${postId} FOR UPDATE`
}

export function topicUrl(topicId: number, postId?: number) {
  return postId ? `/cabinet/topics/${topicId}#post-${postId}` : `/cabinet/topics/${topicId}`
}

/** The search document kind of a topic: experts-forum questions are 'question', support topics 'topic'. */
export function docKindOf(forumKind: 'SUPPORT' | 'EXPERTS'): 'question' | 'topic' {
  return forumKind === 'EXPERTS' ? 'question' : 'topic'
}

/** A title short enough for a notification line. */
export function shortTitle(title: string, max = 80) {
  return title.length <= max ? title : `${title.slice(0, max - 1).trimEnd()}…`
}

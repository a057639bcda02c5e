// Posting limits of the forums (issue 3, point 6): a new account waits a few
// minutes before its first post, and nobody but staff posts more than a cap
// of questions and replies an hour. They slow a spammer or a runaway script,
// not a teacher: the caps are far above what a person writes on a checking
// day, and the refusal says when posting works again.
//
// The check runs before the posting transaction, so two posts sent at the
// same instant may both pass at the cap's edge: acceptable for a soft cap,
// and it keeps the transaction (which PGlite serialises) short.
import type { Role } from '~/generated/prisma/enums'
import { env } from '~/utils/env.server'
import { prisma } from '~/utils/db.server'

export interface PostingLimits {
  /** Minutes from User.createdAt before a first post; 0 = none. */
  newAccountDelayMin: number
  /** Caps per rolling hour; 0 = none. */
  questionsPerHour: number
  repliesPerHour: number
}

/**
 * From the environment: by default a 10-minute delay, 10 questions and 60
 * replies an hour. Under NODE_ENV=test the defaults are "no limits", since
 * every test account is created seconds before it posts and tests post in
 * bursts (limits.test.ts passes its limits explicitly); set variables win.
 * The hourly caps are multiplied by RATE_LIMIT_FACTOR like the other rate
 * limits (e2e runs and benches raise it).
 */
export function postingLimits(): PostingLimits {
  const e = env()
  const test = e.NODE_ENV === 'test'
  const caps = (value: number | undefined, fallback: number) => Math.round((value ?? (test ? 0 : fallback)) * e.RATE_LIMIT_FACTOR)
  return {
    newAccountDelayMin: e.FORUM_NEW_ACCOUNT_DELAY_MIN ?? (test ? 0 : 10),
    questionsPerHour: caps(e.FORUM_QUESTIONS_PER_HOUR, 10),
    repliesPerHour: caps(e.FORUM_REPLIES_PER_HOUR, 60),
  }
}

/** Federal staff answer all day long: no delay, no caps. */
const EXEMPT: Role[] = ['ADMIN', 'FIOKO_SPECIALIST', 'SUPPORT_AGENT']

const HOUR = 3600_000

export type LimitOutcome = { status: 'success' } | { status: 'error'; message: string; retryAt: Date }

/** «в 15:42 по московскому времени (через 12 мин.)». */
export function whenAgain(at: Date, now: Date) {
  const minutes = Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 60_000))
  const clock = at.toLocaleTimeString('ru-RU', { timeZone: 'Europe/Moscow', hour: '2-digit', minute: '2-digit' })
  return `в ${clock} по московскому времени (через ${minutes} мин.)`
}

/** May this person post a question or a reply now? */
export async function checkPostingLimit(
  actor: { id: number; role: Role },
  kind: 'question' | 'reply',
  options: { limits?: PostingLimits; now?: Date } = {},
): Promise<LimitOutcome> {
  if (EXEMPT.includes(actor.role)) return { status: 'success' }
  const limits = options.limits ?? postingLimits()
  const now = options.now ?? new Date()

  if (limits.newAccountDelayMin > 0) {
    const user = await prisma.user.findUnique({ where: { id: actor.id }, select: { createdAt: true } })
    const allowedAt = new Date((user?.createdAt ?? now).getTime() + limits.newAccountDelayMin * 60_000)
    if (allowedAt > now) {
      return {
        status: 'error',
        retryAt: allowedAt,
        message: `Новая учётная запись может писать на форуме через ${limits.newAccountDelayMin} мин. после создания. Попробуйте ${whenAgain(allowedAt, now)}.`,
      }
    }
  }

  const cap = kind === 'question' ? limits.questionsPerHour : limits.repliesPerHour
  if (cap > 0) {
    // The cap-th newest item within the hour: while it exists the cap is
    // reached, and posting works again an hour after it was written.
    const since = new Date(now.getTime() - HOUR)
    const edge =
      kind === 'question'
        ? await prisma.topic.findFirst({ where: { authorId: actor.id, createdAt: { gt: since } }, orderBy: { createdAt: 'desc' }, skip: cap - 1, select: { createdAt: true } })
        : await prisma.post.findFirst({ where: { authorId: actor.id, isFirst: false, createdAt: { gt: since } }, orderBy: { createdAt: 'desc' }, skip: cap - 1, select: { createdAt: true } })
    if (edge) {
      const retryAt = new Date(edge.createdAt.getTime() + HOUR)
      const what = kind === 'question' ? `вопросов — не больше ${cap} в час` : `ответов — не больше ${cap} в час`
      return { status: 'error', retryAt, message: `Слишком много ${what}. Следующий можно будет отправить ${whenAgain(retryAt, now)}.` }
    }
  }
  return { status: 'success' }
}

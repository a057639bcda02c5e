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

// ─── Votes, flags and edits ─────────────────────────────────────────────────
//
// The same idea for the quieter actions: one person toggling a vote, flagging
// post after post or editing a post over and over floods the room's event log,
// the moderators' queue and (through mentions) other people's notifications.
// Edits and flags are counted from their rows (PostRevision.editorId,
// PostFlag.reporterId; a flag is never reopened, so its createdAt is when it
// was raised). Votes cannot be: a withdrawn vote deletes its row and a changed
// one keeps its first createdAt, so votes are counted in a per-process sliding
// window in memory — reset by a restart and not shared between processes,
// which is enough against a runaway client.

export interface ActionLimits {
  /** Caps per rolling hour; 0 = none. */
  votesPerHour: number
  flagsPerHour: number
  editsPerHour: number
}

export type LimitedAction = 'vote' | 'flag' | 'edit'

/**
 * From the environment: by default 120 votes, 20 flags and 30 edits an hour,
 * times RATE_LIMIT_FACTOR; none under NODE_ENV=test unless set (the tests
 * pass their limits explicitly).
 */
export function actionLimits(): ActionLimits {
  const e = env()
  const test = e.NODE_ENV === 'test'
  const caps = (value: number | undefined, fallback: number) => Math.round((value ?? (test ? 0 : fallback)) * e.RATE_LIMIT_FACTOR)
  return {
    votesPerHour: caps(e.FORUM_VOTES_PER_HOUR, 120),
    flagsPerHour: caps(e.FORUM_FLAGS_PER_HOUR, 20),
    editsPerHour: caps(e.FORUM_EDITS_PER_HOUR, 30),
  }
}

/** Times of each person's recent votes, oldest first (see above why in memory). */
const voteTimes = new Map<number, number[]>()

function recentVotes(userId: number, now: Date): number[] {
  const since = now.getTime() - HOUR
  const times = (voteTimes.get(userId) ?? []).filter((t) => t > since)
  if (times.length) voteTimes.set(userId, times)
  else voteTimes.delete(userId)
  return times
}

/** Counts a vote that was cast (call after it committed). */
export function noteVote(userId: number, now = new Date()) {
  const times = recentVotes(userId, now)
  times.push(now.getTime())
  voteTimes.set(userId, times)
  // Keep the map small: a person's list never needs more than the largest cap.
  if (times.length > 100_000) times.splice(0, times.length - 100_000)
}

/** Forgets the in-memory vote counts (tests). */
export function forgetVotes() {
  voteTimes.clear()
}

const ACTION_WORDS: Record<LimitedAction, (cap: number) => string> = {
  vote: (cap) => `голосов — не больше ${cap} в час. Следующий голос можно будет отдать`,
  flag: (cap) => `жалоб — не больше ${cap} в час. Следующую можно будет отправить`,
  edit: (cap) => `правок — не больше ${cap} в час. Следующую можно будет сделать`,
}

/** May this person vote, flag or edit now? Staff are exempt. */
export async function checkActionLimit(
  actor: { id: number; role: Role },
  action: LimitedAction,
  options: { limits?: ActionLimits; now?: Date } = {},
): Promise<LimitOutcome> {
  if (EXEMPT.includes(actor.role)) return { status: 'success' }
  const limits = options.limits ?? actionLimits()
  const now = options.now ?? new Date()
  const cap = action === 'vote' ? limits.votesPerHour : action === 'flag' ? limits.flagsPerHour : limits.editsPerHour
  if (cap <= 0) return { status: 'success' }
  const since = new Date(now.getTime() - HOUR)
  let edge: Date | null = null
  if (action === 'vote') {
    const times = recentVotes(actor.id, now)
    if (times.length >= cap) edge = new Date(times[times.length - cap])
  } else if (action === 'flag') {
    const row = await prisma.postFlag.findFirst({ where: { reporterId: actor.id, createdAt: { gt: since } }, orderBy: { createdAt: 'desc' }, skip: cap - 1, select: { createdAt: true } })
    edge = row?.createdAt ?? null
  } else {
    const row = await prisma.postRevision.findFirst({ where: { editorId: actor.id, createdAt: { gt: since } }, orderBy: { createdAt: 'desc' }, skip: cap - 1, select: { createdAt: true } })
    edge = row?.createdAt ?? null
  }
  if (!edge) return { status: 'success' }
  const retryAt = new Date(edge.getTime() + HOUR)
  return { status: 'error', retryAt, message: `Слишком много ${ACTION_WORDS[action](cap)} ${whenAgain(retryAt, now)}.` }
}

// Answering: replies (with quotes and @mentions), edits with history,
// official and accepted answers, experts' votes, flags.
//
// Statuses (Topic.status) move so:
// - a reply by someone other than the asker: OPEN → ANSWERED (firstAnsweredAt);
// - an official answer (ФИОКО; support staff in support forums): → RESOLVED
//   (resolvedAt), and it releases any claim on the question;
// - unmarking the official answer: back to ANSWERED or OPEN (RESOLVED stays
//   in a support forum whose topic has an accepted answer);
// - accepting an answer: → RESOLVED in a support forum. In the experts forum
//   accepting does not resolve: there "resolved" means "an official answer
//   was given", the answer every school must grade by; the asker's accepted
//   answer is only their own view.
// A CLOSED topic keeps its status whatever is marked.
import type { TopicStatus } from '~/generated/prisma/enums'
import { prisma, type Prisma } from '~/utils/db.server'
import {
  Refusal,
  docKindOf,
  forbidden,
  forumChange,
  lockPost,
  lockTopic,
  notFound,
  shortTitle,
  topicUrl,
  type Effects,
  type Failure,
  type ForumActor,
  type Tx,
} from './change.server'
import { checkEditorState, notifiedMentions } from './content'
import { prepareContent } from './content.server'
import { checkActionLimit, checkPostingLimit, noteVote } from './limits.server'
import { canAccept, canAnswerOfficially, canEditPost, canModerate, canReply, canVote, type ForumKindName } from './permissions'
import { forumRooms } from './rooms'
import { EditInput, FlagInput, ReplyInput, VoteValue } from './schemas'
import type { PersonRef } from './types'
import { PERSON_SELECT, POST_SELECT, TOPIC_LIST_SELECT, personRef, publicPost, topicListItem, topicRooms } from './views.server'
import './search-documents.server'

const TOPIC_STATE_SELECT = {
  id: true,
  title: true,
  forumId: true,
  sectionId: true,
  expertSubjectId: true,
  authorId: true,
  status: true,
  locked: true,
  hidden: true,
  mergedIntoId: true,
  officialPostId: true,
  acceptedPostId: true,
  claimedById: true,
  firstAnsweredAt: true,
  resolvedAt: true,
  forum: { select: { kind: true } },
} as const

function readTopicState(tx: Tx | typeof prisma, topicId: number) {
  return tx.topic.findUnique({ where: { id: topicId }, select: TOPIC_STATE_SELECT })
}

/** Why nobody but a moderator may post in this topic, or null. */
function closedReason(topic: { locked: boolean; status: string; mergedIntoId: number | null }) {
  if (topic.mergedIntoId !== null) return 'Вопрос закрыт для ответов: он объединён с другим вопросом — отвечайте там.'
  if (topic.locked) return 'Вопрос закрыт для ответов: модератор запретил новые сообщения.'
  if (topic.status === 'CLOSED') return 'Вопрос закрыт для ответов.'
  return null
}

/**
 * The status a topic settles in after a mark changes (see the top of this
 * file): CLOSED stays; an official answer resolves; an accepted one resolves
 * in a support forum only; otherwise answered once someone else replied.
 */
export function settledStatus(topic: { status: TopicStatus; kind: ForumKindName; officialPostId: number | null; acceptedPostId: number | null; firstAnsweredAt: Date | null }): TopicStatus {
  if (topic.status === 'CLOSED') return 'CLOSED'
  if (topic.officialPostId !== null) return 'RESOLVED'
  if (topic.kind === 'SUPPORT' && topic.acceptedPostId !== null) return 'RESOLVED'
  return topic.firstAnsweredAt ? 'ANSWERED' : 'OPEN'
}

/**
 * Where a change of this topic is announced: a hidden topic only in its own
 * room (which only moderators may join), so that list rooms never learn the
 * title or the state of a hidden question.
 */
function eventRooms(topic: Parameters<typeof topicRooms>[0] & { hidden: boolean }) {
  return topic.hidden ? [forumRooms.topic(topic.id)] : topicRooms(topic)
}

async function listRow(tx: Tx, topicId: number) {
  return tx.topic.findUniqueOrThrow({ where: { id: topicId }, select: TOPIC_LIST_SELECT })
}

async function subscriberIds(tx: Tx, topicId: number) {
  return (await tx.topicSubscription.findMany({ where: { topicId }, select: { userId: true } })).map((s) => s.userId)
}

/** A post and its topic as an action needs them; 404 when this person may not see it. */
async function actionablePost(actor: ForumActor, postId: number) {
  if (!Number.isInteger(postId) || postId <= 0 || postId > 2_147_483_647) throw notFound('Сообщение не найдено.')
  const post = await prisma.post.findUnique({
    where: { id: postId },
    select: { id: true, topicId: true, authorId: true, isFirst: true, hidden: true, official: true, html: true, topic: { select: TOPIC_STATE_SELECT } },
  })
  if (!post) throw notFound('Сообщение не найдено.')
  const moderator = canModerate(actor, post.topic.forum.kind)
  if (post.topic.hidden && !moderator) throw notFound('Сообщение не найдено.')
  if (post.hidden && !moderator) throw notFound('Сообщение скрыто модератором.')
  return { post, topic: post.topic, kind: post.topic.forum.kind, moderator }
}

// ─── Replies ────────────────────────────────────────────────────────────────

export type ReplyResult = { status: 'success'; topicId: number; postId: number } | Failure

/**
 * A reply, optionally quoting another post of the topic (`replyToId`).
 * Refused in locked, closed and merged topics except for moderators.
 * Notifies: mentioned people ('mention'), the quoted author ('reply'), the
 * asker and subscribers ('answered'); each person once, never the replier.
 */
export async function reply(actor: ForumActor, topicId: number, input: unknown): Promise<ReplyResult> {
  const parsed = ReplyInput.safeParse(input)
  if (!parsed.success) return { status: 'error', message: parsed.error.issues[0]?.message ?? 'Проверьте сообщение.' }
  if (!Number.isInteger(topicId) || topicId <= 0 || topicId > 2_147_483_647) throw notFound()
  const topic = await readTopicState(prisma, topicId)
  if (!topic) throw notFound()
  const kind = topic.forum.kind
  const moderator = canModerate(actor, kind)
  if (topic.hidden && !moderator) throw notFound()
  if (!canReply(actor, kind, topic)) return { status: 'error', message: closedReason(topic) ?? 'Вопрос закрыт для ответов.' }

  const replyToId = parsed.data.replyToId ?? null
  let quotedAuthorId: number | null = null
  if (replyToId !== null) {
    const quoted = await prisma.post.findUnique({ where: { id: replyToId }, select: { topicId: true, authorId: true, hidden: true } })
    if (!quoted || quoted.topicId !== topicId || (quoted.hidden && !moderator)) {
      return { status: 'error', message: 'Цитируемое сообщение не найдено в этом вопросе.' }
    }
    quotedAuthorId = quoted.authorId
  }

  const limit = await checkPostingLimit(actor, 'reply')
  if (limit.status === 'error') return { status: 'error', message: limit.message }
  const body = await prepareContent(parsed.data.content, { ownerId: actor.id })
  if (body.status === 'error') return { status: 'error', message: body.message }
  const prepared = body.value

  return forumChange(async (tx, fx) => {
    await lockTopic(tx, topicId)
    const fresh = (await readTopicState(tx, topicId))!
    // The topic may have been locked or hidden since the check above.
    if (!canReply(actor, kind, fresh)) throw new Refusal(closedReason(fresh) ?? 'Вопрос закрыт для ответов.')
    if (fresh.hidden && !moderator) throw notFound()
    const now = new Date()
    const post = await tx.post.create({
      data: { topicId, authorId: actor.id, replyToId, content: prepared.content, html: prepared.html, text: prepared.text, createdAt: now },
      select: POST_SELECT,
    })
    if (prepared.uploadIds.length) {
      await tx.forumUpload.updateMany({ where: { id: { in: prepared.uploadIds }, ownerId: actor.id, postId: null }, data: { postId: post.id } })
    }
    const byOther = actor.id !== fresh.authorId
    await tx.topic.update({
      where: { id: topicId },
      data: {
        replyCount: { increment: 1 },
        lastPostAt: now,
        ...(byOther && fresh.status === 'OPEN' ? { status: 'ANSWERED' } : {}),
        ...(byOther && !fresh.firstAnsweredAt ? { firstAnsweredAt: now } : {}),
      },
    })
    const row = await listRow(tx, topicId)
    await fx.event([forumRooms.topic(topicId)], 'post.created', { post: publicPost(post, fresh) })
    await fx.event(eventRooms(row), 'topic.updated', { topic: topicListItem(row, now) })

    const author = post.author.fullName
    const title = shortTitle(fresh.title)
    const url = topicUrl(topicId, post.id)
    const told = new Set<number>([actor.id])
    // Only the first MENTIONS_NOTIFIED_MAX distinct mentions notify (content.ts).
    const mentions = notifiedMentions(prepared.mentions)
    if (mentions.length) {
      const mentioned = (await tx.user.findMany({ where: { login: { in: mentions } }, select: { id: true } })).map((u) => u.id).filter((id) => !told.has(id))
      await fx.notify({ kind: 'mention', userIds: mentioned, actorId: actor.id, topicId, postId: post.id, text: `${author} упомянул(а) вас в вопросе «${title}»`, url })
      mentioned.forEach((id) => told.add(id))
    }
    if (quotedAuthorId !== null && !told.has(quotedAuthorId)) {
      await fx.notify({ kind: 'reply', userIds: [quotedAuthorId], actorId: actor.id, topicId, postId: post.id, text: `${author} ответил(а) на ваше сообщение в вопросе «${title}»`, url })
      told.add(quotedAuthorId)
    }
    const followers = [fresh.authorId, ...(await subscriberIds(tx, topicId))].filter((id) => !told.has(id))
    await fx.notify({ kind: 'answered', userIds: followers, actorId: actor.id, topicId, postId: post.id, text: `${author} ответил(а) в вопросе «${title}»`, url })
    return { status: 'success' as const, topicId, postId: post.id }
  })
}

// ─── Edits and history ──────────────────────────────────────────────────────

/**
 * Edits a post: its author (while the topic takes replies) or a moderator.
 * The previous version goes to PostRevision; images the post already showed
 * stay allowed even when they are someone else's (a moderator's edit).
 * Capped per person and hour (checkActionLimit 'edit'); an edit notifies only
 * the people it newly mentions (not in the previous version), within the
 * first MENTIONS_NOTIFIED_MAX mentions of the post.
 */
export async function editPost(actor: ForumActor, postId: number, input: unknown): Promise<{ status: 'success'; postId: number; changed: boolean } | Failure> {
  const parsed = EditInput.safeParse(input)
  if (!parsed.success) return { status: 'error', message: parsed.error.issues[0]?.message ?? 'Проверьте сообщение.' }
  const { post, topic, kind, moderator } = await actionablePost(actor, postId)
  if (!canEditPost(actor, kind, post.authorId)) throw forbidden('Править можно только свои сообщения.')
  if (!moderator && closedReason(topic)) return { status: 'error', message: 'Вопрос закрыт: править сообщения в нём нельзя.' }
  const current = (await prisma.forumUpload.findMany({ where: { postId }, select: { id: true } })).map((u) => u.id)
  const body = await prepareContent(parsed.data.content, { ownerId: actor.id, allowUploadIds: current })
  if (body.status === 'error') return { status: 'error', message: body.message }
  const prepared = body.value
  if (prepared.html === post.html) return { status: 'success', postId, changed: false }
  const limit = await checkActionLimit(actor, 'edit')
  if (limit.status === 'error') return { status: 'error', message: limit.message }

  return forumChange(async (tx, fx) => {
    // The topic's lock first, as every change of the topic room takes it, so
    // that the room's event ids commit in the order they were taken.
    await lockTopic(tx, post.topicId)
    await lockPost(tx, postId)
    const old = await tx.post.findUniqueOrThrow({ where: { id: postId }, select: { content: true, html: true, text: true } })
    const now = new Date()
    await tx.postRevision.create({ data: { postId, editorId: actor.id, content: old.content as Prisma.InputJsonValue, html: old.html, createdAt: now } })
    const updated = await tx.post.update({
      where: { id: postId },
      data: { content: prepared.content, html: prepared.html, text: prepared.text, editCount: { increment: 1 }, editedAt: now },
      select: POST_SELECT,
    })
    const fresh = (await readTopicState(tx, post.topicId))!
    if (prepared.uploadIds.length) {
      await tx.forumUpload.updateMany({ where: { id: { in: prepared.uploadIds }, ownerId: actor.id, postId: null }, data: { postId } })
    }
    await fx.event([forumRooms.topic(post.topicId)], 'post.updated', { post: publicPost(updated, fresh) })
    // The question's text and its official/accepted answer are in the search document.
    if (post.isFirst || fresh.officialPostId === postId || fresh.acceptedPostId === postId) await fx.index(docKindOf(kind), post.topicId)
    const before = mentionsOf(old.content, old.text)
    const added = notifiedMentions(prepared.mentions).filter((login) => !before.has(login))
    if (added.length) {
      const mentioned = await tx.user.findMany({ where: { login: { in: added } }, select: { id: true } })
      await fx.notify({
        kind: 'mention',
        userIds: mentioned.map((u) => u.id),
        actorId: actor.id,
        topicId: post.topicId,
        postId,
        text: `${updated.author.fullName} упомянул(а) вас в вопросе «${shortTitle(topic.title)}»`,
        url: topicUrl(post.topicId, postId),
      })
    }
    return { status: 'success' as const, postId, changed: true }
  })
}

/** Everyone a stored version mentions (from its editor state; from its text if that cannot be read). */
function mentionsOf(content: Prisma.JsonValue, text: string): Set<string> {
  const checked = checkEditorState(content)
  if (checked.status === 'success') return new Set(checked.mentionLogins)
  return new Set([...text.matchAll(/@([A-Za-z0-9][A-Za-z0-9_.-]*)/g)].map((m) => m[1]))
}

/**
 * The stored editor state of a post, for its edit form: only to someone who
 * may edit it (its author, a moderator). The thread page sends rendered HTML
 * only, so a post's Lexical JSON travels when an edit begins, not with every
 * page load; editing from the JSON keeps formatting, links and images.
 */
export async function postSource(actor: ForumActor, postId: number): Promise<{ status: 'success'; postId: number; content: Prisma.JsonValue }> {
  const { post, kind } = await actionablePost(actor, postId)
  if (!canEditPost(actor, kind, post.authorId)) throw forbidden('Править можно только свои сообщения.')
  const row = await prisma.post.findUniqueOrThrow({ where: { id: postId }, select: { content: true } })
  return { status: 'success', postId, content: row.content }
}

export interface PostVersion {
  html: string
  /** Who wrote this version (the author, or the editor who made it). */
  by: PersonRef | null
  /** When this version came into being. */
  at: string
  current: boolean
}

/**
 * The versions of a post, newest first, for anyone who can read it — except
 * that once a moderator has edited someone else's post (typically to remove a
 * pupil's name or other personal data), the versions before that edit are
 * shown to moderators only; `hiddenVersions` says how many were left out.
 * Derived from the revisions themselves: revision k holds the version before
 * edit k, made by revisions[k].editorId, and only moderators may edit another
 * person's post (canEditPost).
 */
export async function postHistory(actor: ForumActor, postId: number): Promise<{ status: 'success'; postId: number; versions: PostVersion[]; hiddenVersions: number }> {
  const { moderator } = await actionablePost(actor, postId)
  const [full, revisions] = await Promise.all([
    prisma.post.findUniqueOrThrow({ where: { id: postId }, select: { html: true, createdAt: true, editedAt: true, authorId: true, author: { select: PERSON_SELECT } } }),
    prisma.postRevision.findMany({ where: { postId }, orderBy: { id: 'asc' }, select: { editorId: true, html: true, createdAt: true } }),
  ])
  const editors = await prisma.user.findMany({ where: { id: { in: [...new Set(revisions.map((r) => r.editorId))] } }, select: PERSON_SELECT })
  const people = new Map(editors.map((u) => [u.id, personRef(u)]))
  // Revision k keeps the version before edit k; edit k was made by its editor at its time.
  const n = revisions.length
  // Versions 0..j (the ones before the last edit j by someone other than the author) are for moderators.
  let firstShown = 0
  if (!moderator) {
    for (let j = n - 1; j >= 0; j--) {
      if (revisions[j].editorId !== full.authorId) {
        firstShown = j + 1
        break
      }
    }
  }
  const versions: PostVersion[] = []
  for (let k = n; k >= firstShown; k--) {
    const html = k === n ? full.html : revisions[k].html
    const by = k === 0 ? personRef(full.author) : (people.get(revisions[k - 1].editorId) ?? null)
    const at = k === 0 ? full.createdAt : revisions[k - 1].createdAt
    versions.push({ html, by, at: at.toISOString(), current: k === n })
  }
  return { status: 'success', postId, versions, hiddenVersions: firstShown }
}

// ─── Official and accepted answers ──────────────────────────────────────────

async function announceMark(
  tx: Tx,
  fx: Effects,
  type: 'post.official' | 'post.accepted',
  topicId: number,
  postId: number,
  on: boolean,
) {
  const row = await listRow(tx, topicId)
  const item = topicListItem(row)
  if (type === 'post.official') await fx.event(eventRooms(row), 'post.official', { postId, topicId, official: on, topic: item })
  else await fx.event(eventRooms(row), 'post.accepted', { postId, topicId, accepted: on, topic: item })
}

/**
 * Marks (or unmarks) a post as the official answer. One per topic: marking
 * another moves the mark. Resolves the question, releases a claim, tells the
 * asker and subscribers ('resolved').
 */
export async function setOfficial(actor: ForumActor, postId: number, on: boolean): Promise<{ status: 'success'; topicId: number; official: boolean } | Failure> {
  const { post, topic, kind } = await actionablePost(actor, postId)
  if (!canAnswerOfficially(actor, kind)) {
    throw forbidden(kind === 'EXPERTS' ? 'Официальный ответ отмечают только специалисты ФИОКО.' : 'Официальный ответ отмечают только сотрудники поддержки.')
  }
  if (post.isFirst) return { status: 'error', message: 'Сам вопрос не может быть официальным ответом.' }
  if (post.hidden && on) return { status: 'error', message: 'Скрытое сообщение не может быть официальным ответом.' }

  return forumChange(async (tx, fx) => {
    await lockTopic(tx, topic.id)
    const fresh = (await readTopicState(tx, topic.id))!
    const already = fresh.officialPostId === postId
    if (on === already) return { status: 'success' as const, topicId: topic.id, official: on }
    const now = new Date()
    const previous = fresh.officialPostId
    if (on && previous !== null) await tx.post.update({ where: { id: previous }, data: { official: false } })
    await tx.post.update({ where: { id: postId }, data: { official: on } })
    const officialPostId = on ? postId : null
    const status = settledStatus({ ...fresh, kind, officialPostId })
    const released = on && fresh.claimedById !== null
    await tx.topic.update({
      where: { id: topic.id },
      data: {
        officialPostId,
        status,
        resolvedAt: status === 'RESOLVED' ? (fresh.resolvedAt ?? now) : null,
        // An official answer ends the specialist's claim: the question is answered.
        ...(released ? { claimedById: null, claimExpiresAt: null } : {}),
      },
    })
    if (previous !== null && on) await announceMark(tx, fx, 'post.official', topic.id, previous, false)
    await announceMark(tx, fx, 'post.official', topic.id, postId, on)
    if (released) await fx.event(eventRooms(fresh), 'topic.released', { topicId: topic.id })
    await fx.index(docKindOf(kind), topic.id)
    if (on) {
      const followers = [fresh.authorId, ...(await subscriberIds(tx, topic.id))]
      await fx.notify({
        kind: 'resolved',
        userIds: followers,
        actorId: actor.id,
        topicId: topic.id,
        postId,
        text: `Дан официальный ответ на вопрос «${shortTitle(fresh.title)}»`,
        url: topicUrl(topic.id, postId),
      })
    }
    return { status: 'success' as const, topicId: topic.id, official: on }
  })
}

/** The asker (or a moderator) accepts an answer; one per topic. Resolves a support topic. */
export async function setAccepted(actor: ForumActor, postId: number, on: boolean): Promise<{ status: 'success'; topicId: number; accepted: boolean } | Failure> {
  const { post, topic, kind } = await actionablePost(actor, postId)
  if (!canAccept(actor, kind, topic.authorId)) throw forbidden('Принять ответ может только автор вопроса.')
  if (post.isFirst) return { status: 'error', message: 'Сам вопрос нельзя принять как ответ.' }
  if (post.hidden && on) return { status: 'error', message: 'Скрытое сообщение нельзя принять как ответ.' }

  return forumChange(async (tx, fx) => {
    await lockTopic(tx, topic.id)
    const fresh = (await readTopicState(tx, topic.id))!
    const already = fresh.acceptedPostId === postId
    if (on === already) return { status: 'success' as const, topicId: topic.id, accepted: on }
    const previous = fresh.acceptedPostId
    const acceptedPostId = on ? postId : null
    const status = settledStatus({ ...fresh, kind, acceptedPostId })
    const now = new Date()
    await tx.topic.update({ where: { id: topic.id }, data: { acceptedPostId, status, resolvedAt: status === 'RESOLVED' ? (fresh.resolvedAt ?? now) : null } })
    if (previous !== null && on) await announceMark(tx, fx, 'post.accepted', topic.id, previous, false)
    await announceMark(tx, fx, 'post.accepted', topic.id, postId, on)
    await fx.index(docKindOf(kind), topic.id)
    if (status === 'RESOLVED' && fresh.status !== 'RESOLVED') {
      await fx.notify({
        kind: 'resolved',
        userIds: [fresh.authorId, ...(await subscriberIds(tx, topic.id))],
        actorId: actor.id,
        topicId: topic.id,
        postId,
        text: `Вопрос «${shortTitle(fresh.title)}» решён: автор принял ответ`,
        url: topicUrl(topic.id, postId),
      })
    }
    return { status: 'success' as const, topicId: topic.id, accepted: on }
  })
}

// ─── Votes ──────────────────────────────────────────────────────────────────

/**
 * An expert agrees (1) or disagrees (−1) with an answer, or withdraws (0).
 * Experts forum only; not on one's own post nor on the question itself.
 * Votes exist for disputed questions (спорные вопросы): any answer may be
 * voted on, and the first disagree vote on an answer marks the question
 * disputed automatically; only a moderator clears the mark (setDisputed).
 *
 * The counters are recounted from PostVote under the post's row lock in the
 * vote's transaction: concurrent votes queue on the lock, and each recount
 * sees every vote committed before it, so none is lost.
 */
export async function vote(actor: ForumActor, postId: number, value: unknown): Promise<{ status: 'success'; postId: number; agreeCount: number; disagreeCount: number; myVote: number } | Failure> {
  const parsedValue = VoteValue.safeParse(value)
  if (!parsedValue.success) return { status: 'error', message: parsedValue.error.issues[0]?.message ?? 'Неверный голос.' }
  const v = parsedValue.data
  const { post, topic, kind, moderator } = await actionablePost(actor, postId)
  if (!canVote(actor, kind)) throw forbidden('Голосовать могут эксперты в форуме экспертов ВПР.')
  if (post.authorId === actor.id) return { status: 'error', message: 'Нельзя голосовать за своё сообщение.' }
  if (post.isFirst) return { status: 'error', message: 'Голосуют за ответы, а не за сам вопрос.' }
  if (post.hidden) return { status: 'error', message: 'За скрытое сообщение голосовать нельзя.' }
  if (!moderator && closedReason(topic)) return { status: 'error', message: 'Вопрос закрыт: голосование в нём завершено.' }
  const limit = await checkActionLimit(actor, 'vote')
  if (limit.status === 'error') return { status: 'error', message: limit.message }

  let cast = false
  const result = await forumChange(async (tx, fx) => {
    // The topic's lock before the post's: every change that records events in
    // the topic room takes it, so the room's event ids commit in order.
    await lockTopic(tx, topic.id)
    await lockPost(tx, postId)
    const mine = await tx.postVote.findUnique({ where: { postId_userId: { postId, userId: actor.id } }, select: { value: true } })
    if ((mine?.value ?? 0) === v) {
      // The same vote again (a double click, a retry): nothing changes, nothing is announced or counted.
      const same = await tx.post.findUniqueOrThrow({ where: { id: postId }, select: { agreeCount: true, disagreeCount: true } })
      return { status: 'success' as const, postId, agreeCount: same.agreeCount, disagreeCount: same.disagreeCount, myVote: v }
    }
    cast = true
    if (v === 0) await tx.postVote.deleteMany({ where: { postId, userId: actor.id } })
    else await tx.postVote.upsert({ where: { postId_userId: { postId, userId: actor.id } }, create: { postId, userId: actor.id, value: v }, update: { value: v } })
    const [counts] = await tx.$queryRaw<{ agreeCount: number; disagreeCount: number }[]>`
      UPDATE "Post" SET
        "agreeCount" = (SELECT count(*) FROM "PostVote" WHERE "postId" = ${postId} AND value = 1),
        "disagreeCount" = (SELECT count(*) FROM "PostVote" WHERE "postId" = ${postId} AND value = -1)
      WHERE id = ${postId}
      RETURNING "agreeCount", "disagreeCount"`
    await fx.event([forumRooms.topic(topic.id)], 'post.votes', { postId, topicId: topic.id, agreeCount: counts.agreeCount, disagreeCount: counts.disagreeCount })
    if (counts.disagreeCount > 0) {
      const { count } = await tx.topic.updateMany({ where: { id: topic.id, disputed: false }, data: { disputed: true } })
      if (count) {
        const row = await listRow(tx, topic.id)
        await fx.event(eventRooms(row), 'topic.updated', { topic: topicListItem(row) })
      }
    }
    return { status: 'success' as const, postId, agreeCount: counts.agreeCount, disagreeCount: counts.disagreeCount, myVote: v }
  })
  if (cast && result.status === 'success') noteVote(actor.id)
  return result
}

// ─── Flags ──────────────────────────────────────────────────────────────────

/**
 * A report (жалоба) on someone else's post for the moderators; once per
 * person and post: a flag a moderator has resolved stays resolved (re-flagging
 * it would let one person put the same post back in the queue forever).
 * Capped per person and hour (checkActionLimit 'flag').
 */
export async function flagPost(actor: ForumActor, postId: number, reason: unknown): Promise<{ status: 'success'; flagId: number } | Failure> {
  const parsed = FlagInput.safeParse({ reason })
  if (!parsed.success) return { status: 'error', message: parsed.error.issues[0]?.message ?? 'Опишите, что не так с сообщением.' }
  const { post } = await actionablePost(actor, postId)
  if (post.authorId === actor.id) return { status: 'error', message: 'Нельзя пожаловаться на своё сообщение: его можно исправить.' }
  const existing = await prisma.postFlag.findUnique({ where: { postId_reporterId: { postId, reporterId: actor.id } }, select: { id: true, resolvedAt: true } })
  if (existing?.resolvedAt) return { status: 'error', message: 'Жалоба уже рассмотрена модератором.' }
  if (existing) return { status: 'error', message: 'Вы уже пожаловались на это сообщение: модераторы его рассмотрят.' }
  const limit = await checkActionLimit(actor, 'flag')
  if (limit.status === 'error') return { status: 'error', message: limit.message }
  try {
    const flag = await prisma.postFlag.create({ data: { postId, reporterId: actor.id, reason: parsed.data.reason } })
    return { status: 'success', flagId: flag.id }
  } catch (error) {
    // The same person's second click raced the first: one flag is enough.
    if ((error as { code?: string }).code === 'P2002') return { status: 'error', message: 'Вы уже пожаловались на это сообщение: модераторы его рассмотрят.' }
    throw error
  }
}


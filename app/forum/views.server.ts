// From database rows to the view types of ./types.ts. Every module that sends
// a topic or a post to a page or a room (topics, posts, claims, moderation,
// sockets) maps it here, so a list row pushed live looks exactly like the one
// the page rendered.
import type { Prisma } from '~/utils/db.server'
import type { Role } from '~/generated/prisma/enums'
import { ROLE_LABELS } from '~/accounts/roles'
import type { Actor, ForumKindName } from './permissions'
import { canAccept, canAnswerOfficially, canEditPost, canModerate, canVote } from './permissions'
import { forumRooms } from './rooms'
import type { PersonRef, PostView, PublicPost, TopicListItem, TopicStatusName } from './types'

// ─── People ─────────────────────────────────────────────────────────────────

export const PERSON_SELECT = { id: true, login: true, fullName: true, role: true } as const satisfies Prisma.UserSelect

export interface PersonRow {
  id: number
  login: string
  fullName: string
  role: Role
}

/** ФИОКО staff (federal roles): their answers carry the badge; "specialist is typing". */
export function isStaff(role: Role) {
  return role === 'ADMIN' || role === 'FIOKO_SPECIALIST' || role === 'SUPPORT_AGENT'
}

export function personRef(user: PersonRow): PersonRef {
  return { id: user.id, login: user.login, name: user.fullName, roleLabel: ROLE_LABELS[user.role], staff: isStaff(user.role) }
}

// ─── Topics ─────────────────────────────────────────────────────────────────

/** What `topicListItem` and `topicRooms` need; pass it as `select` of any topic query. */
export const TOPIC_LIST_SELECT = {
  id: true,
  forumId: true,
  sectionId: true,
  expertSubjectId: true,
  title: true,
  status: true,
  pinned: true,
  locked: true,
  hidden: true,
  disputed: true,
  mergedIntoId: true,
  taskNumber: true,
  variant: true,
  year: true,
  replyCount: true,
  officialPostId: true,
  acceptedPostId: true,
  claimExpiresAt: true,
  createdAt: true,
  lastPostAt: true,
  authorId: true,
  author: { select: PERSON_SELECT },
  claimedBy: { select: PERSON_SELECT },
  expertSubject: { select: { subject: true, grade: true } },
  section: { select: { title: true } },
  forum: { select: { kind: true } },
} as const satisfies Prisma.TopicSelect

export type TopicListRow = Prisma.TopicGetPayload<{ select: typeof TOPIC_LIST_SELECT }>

/**
 * The same fields as plain values, for raw-SQL hot paths (getThread) that
 * cannot hand over a Prisma payload; TopicListRow satisfies it as well.
 */
export interface TopicRowLike {
  id: number
  forumId: number
  sectionId: number | null
  expertSubjectId: number | null
  title: string
  status: TopicStatusName
  pinned: boolean
  locked: boolean
  hidden: boolean
  disputed: boolean
  mergedIntoId: number | null
  taskNumber: string | null
  variant: string | null
  year: number | null
  replyCount: number
  officialPostId: number | null
  acceptedPostId: number | null
  claimExpiresAt: Date | null
  createdAt: Date
  lastPostAt: Date
  authorId: number
  author: PersonRow
  claimedBy: PersonRow | null
  expertSubject: { subject: string; grade: number } | null
  section: { title: string } | null
  forum: { kind: ForumKindName }
}

/** A claim counts only until it expires; an expired one is shown as no claim. */
export function activeClaim(row: { claimedBy: PersonRow | null; claimExpiresAt: Date | null }, now = new Date()) {
  if (!row.claimedBy || !row.claimExpiresAt || row.claimExpiresAt <= now) return null
  return { claimedBy: row.claimedBy, claimExpiresAt: row.claimExpiresAt }
}

export function topicListItem(row: TopicRowLike, now = new Date()): TopicListItem {
  const claim = activeClaim(row, now)
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    pinned: row.pinned,
    locked: row.locked,
    hidden: row.hidden,
    disputed: row.disputed,
    mergedIntoId: row.mergedIntoId,
    taskNumber: row.taskNumber,
    variant: row.variant,
    year: row.year,
    subject: row.expertSubject?.subject ?? null,
    grade: row.expertSubject?.grade ?? null,
    sectionTitle: row.section?.title ?? null,
    author: personRef(row.author),
    replyCount: row.replyCount,
    hasOfficial: row.officialPostId !== null,
    hasAccepted: row.acceptedPostId !== null,
    claimedBy: claim ? personRef(claim.claimedBy) : null,
    claimExpiresAt: claim ? claim.claimExpiresAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    lastPostAt: row.lastPostAt.toISOString(),
  }
}

/**
 * The rooms a topic's events go to: the topic itself, its list (section of a
 * support forum or subject of the experts forum), the forum's front page and,
 * for experts-forum questions, the specialists' queue (which filters what it
 * shows by status and claim on the client).
 */
export function topicRooms(topic: { id: number; forumId: number; sectionId: number | null; expertSubjectId: number | null; forum?: { kind: ForumKindName } }): string[] {
  const rooms = [forumRooms.topic(topic.id)]
  if (topic.sectionId !== null) rooms.push(forumRooms.section(topic.sectionId))
  if (topic.expertSubjectId !== null) rooms.push(forumRooms.subject(topic.expertSubjectId))
  rooms.push(forumRooms.forum(topic.forumId))
  const experts = topic.forum ? topic.forum.kind === 'EXPERTS' : topic.expertSubjectId !== null
  if (experts) rooms.push(forumRooms.queue)
  return rooms
}

// ─── Posts ──────────────────────────────────────────────────────────────────

/** What `publicPost` and `postViewFor` need; pass it as `select` of any post query. */
export const POST_SELECT = {
  id: true,
  topicId: true,
  authorId: true,
  isFirst: true,
  replyToId: true,
  html: true,
  text: true,
  official: true,
  agreeCount: true,
  disagreeCount: true,
  hidden: true,
  hiddenReason: true,
  editCount: true,
  editedAt: true,
  createdAt: true,
  author: { select: PERSON_SELECT },
} as const satisfies Prisma.PostSelect

export interface PostRowLike {
  id: number
  topicId: number
  authorId: number
  isFirst: boolean
  replyToId: number | null
  html: string
  text: string
  official: boolean
  agreeCount: number
  disagreeCount: number
  hidden: boolean
  hiddenReason: string | null
  editCount: number
  editedAt: Date | null
  createdAt: Date
  author: PersonRow
}

export type PostRow = Prisma.PostGetPayload<{ select: typeof POST_SELECT }>

/**
 * A post as everyone in the room may see it (event payloads). A hidden post
 * keeps its place but never carries its content here: moderators refetch it.
 * `accepted` comes from the topic (Topic.acceptedPostId), not from the post row.
 */
export function publicPost(row: PostRowLike, topic: { acceptedPostId: number | null } = { acceptedPostId: null }): PublicPost {
  return {
    id: row.id,
    topicId: row.topicId,
    author: personRef(row.author),
    isFirst: row.isFirst,
    replyToId: row.replyToId,
    html: row.hidden ? '' : row.html,
    text: row.hidden ? '' : row.text,
    official: row.official,
    accepted: topic.acceptedPostId === row.id,
    agreeCount: row.agreeCount,
    disagreeCount: row.disagreeCount,
    hidden: row.hidden,
    hiddenReason: row.hidden ? row.hiddenReason : null,
    editCount: row.editCount,
    editedAt: row.editedAt ? row.editedAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  }
}

/** What postViewFor needs of the topic. */
export interface PostTopicContext {
  authorId: number
  acceptedPostId: number | null
  forum: { kind: ForumKindName }
}

/**
 * A post for one viewer: moderators see a hidden post's content (marked
 * hidden), others an empty body; `can` is what the buttons may offer (the
 * server checks again in each mutation).
 */
export function postViewFor(actor: Actor, post: PostRowLike, topic: PostTopicContext, myVote = 0): PostView {
  const kind = topic.forum.kind
  const moderator = canModerate(actor, kind)
  const view = publicPost(post, topic)
  if (post.hidden && moderator) {
    view.html = post.html
    view.text = post.text
  }
  const own = post.authorId === actor.id
  return {
    ...view,
    myVote,
    can: {
      edit: canEditPost(actor, kind, post.authorId) && (!post.hidden || moderator),
      hide: moderator,
      vote: !post.isFirst && !own && !post.hidden && canVote(actor, kind),
      flag: !own && !post.hidden,
      markOfficial: !post.isFirst && !post.hidden && canAnswerOfficially(actor, kind),
      accept: !post.isFirst && !post.hidden && canAccept(actor, kind, topic.authorId),
    },
  }
}

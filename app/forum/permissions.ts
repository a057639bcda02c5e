// Who may do what in the forums. Pure functions shared by the server (where
// they are enforced, in app/forum/*.server.ts) and the browser (where they
// only decide which buttons to show).
import type { Role } from '~/generated/prisma/enums'

export type ForumKindName = 'SUPPORT' | 'EXPERTS'

export interface Actor {
  id: number
  role: Role
}

/** ФИОКО specialists and administrators moderate everywhere; support agents in the support forums. */
export function canModerate(actor: Actor, kind: ForumKindName) {
  if (actor.role === 'ADMIN' || actor.role === 'FIOKO_SPECIALIST') return true
  return kind === 'SUPPORT' && actor.role === 'SUPPORT_AGENT'
}

/** An official answer (официальный ответ) is given by ФИОКО; in support forums also by support staff. */
export function canAnswerOfficially(actor: Actor, kind: ForumKindName) {
  return canModerate(actor, kind)
}

/** Specialists claim questions of the experts forum so that two do not answer the same one. */
export function canClaim(actor: Actor, kind: ForumKindName) {
  return kind === 'EXPERTS' && (actor.role === 'ADMIN' || actor.role === 'FIOKO_SPECIALIST')
}

/** Experts vote agree/disagree on answers in the experts forum; support staff do not grade works. */
export function canVote(actor: Actor, kind: ForumKindName) {
  return kind === 'EXPERTS' && actor.role !== 'SUPPORT_AGENT'
}

/** Sections, the ВПР catalogue and forum settings. */
export function canAdministerForums(actor: Actor) {
  return actor.role === 'ADMIN'
}

/** Accepting an answer is the asker's; moderators may do it for them. */
export function canAccept(actor: Actor, kind: ForumKindName, topicAuthorId: number) {
  return actor.id === topicAuthorId || canModerate(actor, kind)
}

/** Own posts are editable (with history); moderators edit any. */
export function canEditPost(actor: Actor, kind: ForumKindName, postAuthorId: number) {
  return actor.id === postAuthorId || canModerate(actor, kind)
}

/** Replies: not in a locked or closed question, except by moderators. */
export function canReply(actor: Actor, kind: ForumKindName, topic: { locked: boolean; status: string; mergedIntoId: number | null }) {
  if (canModerate(actor, kind)) return true
  return !topic.locked && topic.status !== 'CLOSED' && topic.mergedIntoId === null
}

// Shapes the forum domain hands to pages and sockets (serialisable: dates are
// ISO strings). The contract between app/forum/*.server.ts and app/routes/.
import type { ForumKindName } from './permissions'

export type TopicStatusName = 'OPEN' | 'ANSWERED' | 'RESOLVED' | 'CLOSED'

export const TOPIC_STATUS_LABELS: Record<TopicStatusName, string> = {
  OPEN: 'Открыт',
  ANSWERED: 'Есть ответ',
  RESOLVED: 'Решён',
  CLOSED: 'Закрыт',
}

export interface ForumSummary {
  id: number
  slug: string
  kind: ForumKindName
  study: string
  title: string
  description: string | null
  topicCount: number
}

export interface SectionSummary {
  id: number
  forumId: number
  title: string
  description: string | null
  position: number
  archived: boolean
  topicCount: number
  lastPostAt: string | null
}

/** A subject of the ВПР catalogue in one grade: a section of the experts forum. */
export interface ExpertSubjectSummary {
  id: number
  subject: string
  grade: number
  taskCount: number | null
  position: number
  archived: boolean
  topicCount: number
  openCount: number
}

export interface PersonRef {
  id: number
  login: string
  name: string
  /** Role label shown next to the name («Специалист ФИОКО»). */
  roleLabel: string
  /** ФИОКО staff: their answers can be official and carry the badge. */
  staff: boolean
}

export interface TopicListItem {
  id: number
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
  subject: string | null
  grade: number | null
  sectionTitle: string | null
  author: PersonRef
  replyCount: number
  hasOfficial: boolean
  hasAccepted: boolean
  claimedBy: PersonRef | null
  claimExpiresAt: string | null
  createdAt: string
  lastPostAt: string
}

export interface PostView {
  id: number
  topicId: number
  author: PersonRef
  isFirst: boolean
  replyToId: number | null
  /** Sanitised HTML (safe to render with dangerouslySetInnerHTML); empty when hidden for this viewer. */
  html: string
  text: string
  official: boolean
  accepted: boolean
  agreeCount: number
  disagreeCount: number
  /** This viewer's vote: 1, -1 or 0. */
  myVote: number
  hidden: boolean
  hiddenReason: string | null
  editCount: number
  editedAt: string | null
  createdAt: string
  /** What this viewer may do with the post. */
  can: { edit: boolean; hide: boolean; vote: boolean; flag: boolean; markOfficial: boolean; accept: boolean }
}

export interface ThreadView {
  topic: TopicListItem & {
    forum: { id: number; slug: string; kind: ForumKindName; title: string; study: string }
    sectionId: number | null
    expertSubjectId: number | null
    officialPostId: number | null
    acceptedPostId: number | null
    viewCount: number
    subscribed: boolean
    mergedInto: { id: number; title: string } | null
    duplicates: { id: number; title: string }[]
  }
  /** The question first, then the official answer, the accepted one, then the rest in order. */
  posts: PostView[]
  /** The newest ForumEvent id of the topic's room when the page was read: reconnecting clients ask for what came after. */
  lastEventId: string
  can: { reply: boolean; moderate: boolean; claim: boolean; answerOfficially: boolean; subscribe: boolean }
}

export interface ForumEventView {
  /** BigInt as a string. */
  id: string
  room: string
  type: ForumEventType
  payload: Record<string, unknown>
  createdAt: string
}

/** What happens in a room; pushed as the Socket.io event `forum:event`. */
export type ForumEventType =
  | 'topic.created'
  | 'topic.updated'
  | 'topic.moved'
  | 'topic.merged'
  | 'post.created'
  | 'post.updated'
  | 'post.hidden'
  | 'post.official'
  | 'post.accepted'
  | 'post.votes'
  | 'topic.claimed'
  | 'topic.released'

export interface NotificationView {
  id: number
  kind: 'answered' | 'resolved' | 'mention' | 'reply'
  text: string
  url: string
  createdAt: string
  read: boolean
}

/** A post as everyone may see it; the viewer's own parts (myVote, can) the browser works out with permissions.ts. */
export type PublicPost = Omit<PostView, 'myVote' | 'can'>

/**
 * The payload of each forum event. Events carry what everyone in the room may
 * see (never the content of a hidden post), so that a thousand watchers apply
 * them without asking the server again; moderator-only detail is refetched.
 */
export interface ForumEventPayloads {
  'topic.created': { topic: TopicListItem }
  'topic.updated': { topic: TopicListItem }
  'topic.moved': { topicId: number; topic: TopicListItem; fromRoom: string }
  'topic.merged': { topicId: number; intoId: number; intoTitle: string }
  'post.created': { post: PublicPost }
  'post.updated': { post: PublicPost }
  'post.hidden': { postId: number; topicId: number; hidden: boolean; reason: string | null }
  'post.official': { postId: number; topicId: number; official: boolean; topic: TopicListItem }
  'post.accepted': { postId: number; topicId: number; accepted: boolean; topic: TopicListItem }
  'post.votes': { postId: number; topicId: number; agreeCount: number; disagreeCount: number }
  'topic.claimed': { topicId: number; claimedBy: PersonRef; claimExpiresAt: string }
  'topic.released': { topicId: number }
}

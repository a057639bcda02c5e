// The thread page's live state: the posts and the topic as the loader read
// them, with the room's events applied on top. Each event payload carries
// what everyone may see; the viewer's own parts (`can`, `myVote`) are worked
// out here with the same permission rules the server enforces
// (app/forum/permissions.ts mirrors app/forum/views.server.ts postViewFor).
import { canAccept, canAnswerOfficially, canEditPost, canModerate, canVote, type Actor, type ForumKindName } from '~/forum/permissions'
import type { ForumEventPayloads, ForumEventView, PersonRef, PostView, PublicPost, ThreadView } from '~/forum/types'

export type ThreadTopic = ThreadView['topic']

/**
 * A post as the thread page holds it: what the page shows and nothing more.
 * The loader sends these (a hundred posts stay small): no plain text (quoting
 * reads the rendered post), no editor JSON (editing asks for it), no ids the
 * page never uses. Events may carry more; `threadPost` keeps only this.
 */
export type ThreadPost = Omit<PostView, 'text' | 'topicId' | 'replyToId' | 'author'> & { author: Pick<PersonRef, 'id' | 'name' | 'roleLabel'> }

export function threadPost(p: ThreadPost): ThreadPost {
  return {
    id: p.id,
    author: { id: p.author.id, name: p.author.name, roleLabel: p.author.roleLabel },
    isFirst: p.isFirst,
    html: p.html,
    official: p.official,
    accepted: p.accepted,
    agreeCount: p.agreeCount,
    disagreeCount: p.disagreeCount,
    myVote: p.myVote,
    hidden: p.hidden,
    hiddenReason: p.hiddenReason,
    editCount: p.editCount,
    editedAt: p.editedAt,
    createdAt: p.createdAt,
    can: p.can,
  }
}

export interface ThreadState {
  topic: ThreadTopic
  posts: ThreadPost[]
  /** Something only a fresh read can show (a move, a merge, a hidden post a moderator may read). */
  needsReload: boolean
}

export function postCan(me: Actor, post: Pick<PublicPost, 'isFirst' | 'hidden'> & { author: { id: number } }, topic: { forum: { kind: ForumKindName }; author: { id: number } }): PostView['can'] {
  const kind = topic.forum.kind
  const moderator = canModerate(me, kind)
  const own = post.author.id === me.id
  return {
    edit: canEditPost(me, kind, post.author.id) && (!post.hidden || moderator),
    hide: moderator,
    vote: !post.isFirst && !own && !post.hidden && canVote(me, kind),
    flag: !own && !post.hidden,
    markOfficial: !post.isFirst && !post.hidden && canAnswerOfficially(me, kind),
    accept: !post.isFirst && !post.hidden && canAccept(me, kind, topic.author.id),
  }
}

/** The question first, then the official answer, the accepted one, then the rest in order. */
export function orderPosts<P extends Pick<PostView, 'id' | 'isFirst' | 'official' | 'accepted'>>(posts: P[]): P[] {
  const rank = (p: P) => (p.isFirst ? 0 : p.official ? 1 : p.accepted ? 2 : 3)
  return [...posts].sort((a, b) => rank(a) - rank(b) || a.id - b.id)
}

function withPost(state: ThreadState, me: Actor, post: PublicPost, create: boolean): ThreadState {
  const at = state.posts.findIndex((p) => p.id === post.id)
  if (at === -1 && !create) return state
  const old = at === -1 ? undefined : state.posts[at]
  const moderator = canModerate(me, state.topic.forum.kind)
  // A moderator reads a hidden post's content: the public payload has none, so keep what the page had.
  const keepBody = post.hidden && moderator && old
  const view = threadPost({
    ...post,
    html: keepBody ? old.html : post.html,
    myVote: old?.myVote ?? 0,
    can: postCan(me, post, state.topic),
  })
  const posts = at === -1 ? [...state.posts, view] : state.posts.map((p, i) => (i === at ? view : p))
  const needsReload = state.needsReload || Boolean(post.hidden && moderator && !old)
  return { ...state, posts: orderPosts(posts), needsReload }
}

export function applyThreadEvent(state: ThreadState, event: ForumEventView, me: Actor): ThreadState {
  const topicFields = (t: ForumEventPayloads['topic.updated']['topic']) => ({ ...state.topic, ...t })
  switch (event.type) {
    case 'post.created': {
      const { post } = event.payload as unknown as ForumEventPayloads['post.created']
      if (post.topicId !== state.topic.id) return state
      const next = withPost(state, me, post, true)
      return { ...next, topic: { ...next.topic, replyCount: Math.max(next.topic.replyCount, next.posts.length - 1), lastPostAt: post.createdAt } }
    }
    case 'post.updated': {
      const { post } = event.payload as unknown as ForumEventPayloads['post.updated']
      return withPost(state, me, post, false)
    }
    case 'post.hidden': {
      const p = event.payload as unknown as ForumEventPayloads['post.hidden']
      const moderator = canModerate(me, state.topic.forum.kind)
      const posts = state.posts.map((post) =>
        post.id === p.postId
          ? {
              ...post,
              hidden: p.hidden,
              hiddenReason: p.reason,
              html: p.hidden && !moderator ? '' : post.html,
            }
          : post,
      )
      // Unhidden: its content was never sent to those who could not read it; read it again.
      const unhiddenWithoutBody = !p.hidden && state.posts.some((post) => post.id === p.postId && post.html === '')
      return { ...state, posts: posts.map((post) => ({ ...post, can: postCan(me, post, state.topic) })), needsReload: state.needsReload || unhiddenWithoutBody }
    }
    case 'post.official': {
      const p = event.payload as unknown as ForumEventPayloads['post.official']
      const posts = state.posts.map((post) => (post.id === p.postId ? { ...post, official: p.official } : p.official && post.official ? { ...post, official: false } : post))
      return { ...state, topic: { ...topicFields(p.topic), officialPostId: p.official ? p.postId : state.topic.officialPostId === p.postId ? null : state.topic.officialPostId }, posts: orderPosts(posts) }
    }
    case 'post.accepted': {
      const p = event.payload as unknown as ForumEventPayloads['post.accepted']
      const posts = state.posts.map((post) => (post.id === p.postId ? { ...post, accepted: p.accepted } : p.accepted && post.accepted ? { ...post, accepted: false } : post))
      return { ...state, topic: { ...topicFields(p.topic), acceptedPostId: p.accepted ? p.postId : state.topic.acceptedPostId === p.postId ? null : state.topic.acceptedPostId }, posts: orderPosts(posts) }
    }
    case 'post.votes': {
      const p = event.payload as unknown as ForumEventPayloads['post.votes']
      return { ...state, posts: state.posts.map((post) => (post.id === p.postId ? { ...post, agreeCount: p.agreeCount, disagreeCount: p.disagreeCount } : post)) }
    }
    case 'topic.updated': {
      const { topic } = event.payload as unknown as ForumEventPayloads['topic.updated']
      if (topic.id !== state.topic.id) return state
      return { ...state, topic: topicFields(topic) }
    }
    case 'topic.claimed': {
      const p = event.payload as unknown as ForumEventPayloads['topic.claimed']
      if (p.topicId !== state.topic.id) return state
      return { ...state, topic: { ...state.topic, claimedBy: p.claimedBy, claimExpiresAt: p.claimExpiresAt } }
    }
    case 'topic.released': {
      const p = event.payload as unknown as ForumEventPayloads['topic.released']
      if (p.topicId !== state.topic.id) return state
      return { ...state, topic: { ...state.topic, claimedBy: null, claimExpiresAt: null } }
    }
    case 'topic.moved':
    case 'topic.merged':
      return { ...state, needsReload: true }
    default:
      return state
  }
}

/** Compares event ids (BigInt strings) without BigInt literals. */
export function eventAfter(id: string, since: string) {
  return id.length !== since.length ? id.length > since.length : id > since
}

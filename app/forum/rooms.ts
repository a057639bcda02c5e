// Socket.io rooms of the forum. A room is joined only after the server checks,
// against the database, that the person may read what it carries
// (app/forum/events.server.ts, canJoinForumRoom).
export const forumRooms = {
  /** One question or topic: its posts, marks, votes, claims; presence and typing. */
  topic: (topicId: number) => `topic:${topicId}`,
  /** The topic list of a support-forum section. */
  section: (sectionId: number) => `section:${sectionId}`,
  /** The question list of a subject-and-grade of the experts forum. */
  subject: (expertSubjectId: number) => `subject:${expertSubjectId}`,
  /** Every new or changed topic of a forum (the forum's front page). */
  forum: (forumId: number) => `forum:${forumId}`,
  /** ФИОКО specialists' queue of unanswered questions. */
  queue: 'queue',
}

export type ForumRoomKind = 'topic' | 'section' | 'subject' | 'forum' | 'queue'

/** Parses a room name; null for anything that is not a forum room. */
export function parseForumRoom(room: string): { kind: ForumRoomKind; id: number } | null {
  if (room === forumRooms.queue) return { kind: 'queue', id: 0 }
  const m = /^(topic|section|subject|forum):([1-9]\d{0,9})$/.exec(room)
  if (!m) return null
  return { kind: m[1] as ForumRoomKind, id: Number(m[2]) }
}

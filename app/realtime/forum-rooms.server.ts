// Room membership after the fact: when a topic becomes hidden, the people who
// joined its room while it was visible must stop receiving its events. Call
// after the commit of a change that narrows who may read a room.
import type { Role } from '~/generated/prisma/enums'
import { canJoinForumRoom } from '~/forum/events.server'
import { logger } from '~/utils/logger.server'
import { io } from './publish.server'

/**
 * Re-checks every member of a forum room (on every node) and removes those
 * who may no longer join it. The check depends on the role only, so it costs
 * one database query per distinct role in the room. Returns how many left.
 */
export async function recheckForumRoom(room: string): Promise<number> {
  const server = io()
  if (!server) return 0
  const sockets = await server.in(room).fetchSockets()
  const verdicts = new Map<string, Promise<boolean>>()
  let removed = 0
  for (const s of sockets) {
    const role = s.data.role as Role
    if (!verdicts.has(role)) verdicts.set(role, canJoinForumRoom({ id: s.data.userId, role }, room))
    if (!(await verdicts.get(role))) {
      s.leave(room)
      removed++
    }
  }
  if (removed) logger.info({ room, removed }, 'forum room: members who may no longer read it were removed')
  return removed
}

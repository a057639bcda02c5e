// A few seconds of memory for session lookups: every page needs the signed-in
// person, and the database round trip dominated a page's cost (README,
// decision 3). Revocation clears entries at once on this node and, through
// the Socket.io adapter, on the others; a change made outside any web process
// (the CLI) is seen within SESSION_CACHE_MS.
import { singleton } from '~/utils/singleton.server'

export const SESSION_CACHE_MS = 5_000
const MAX_ENTRIES = 50_000

interface Entry<T> {
  at: number
  userId: number
  value: T
}

const cache = singleton('session-cache', () => new Map<string, Entry<unknown>>())

export function cachedSession<T>(sessionId: string): T | undefined {
  const entry = cache.get(sessionId)
  if (!entry) return undefined
  if (Date.now() - entry.at > SESSION_CACHE_MS) {
    cache.delete(sessionId)
    return undefined
  }
  return entry.value as T
}

export function rememberSession<T>(sessionId: string, userId: number, value: T) {
  if (cache.size >= MAX_ENTRIES) {
    // Maps iterate in insertion order: drop the oldest tenth.
    let n = MAX_ENTRIES / 10
    for (const key of cache.keys()) {
      cache.delete(key)
      if (--n <= 0) break
    }
  }
  cache.set(sessionId, { at: Date.now(), userId, value })
}

export interface ForgetTarget {
  sessionIds?: string[]
  userId?: number
}

/** Drops cached lookups on this node (see publish.server.ts for all nodes). */
export function forgetSessionsLocally(target: ForgetTarget) {
  for (const id of target.sessionIds ?? []) cache.delete(id)
  if (target.userId !== undefined) {
    for (const [id, entry] of cache) if (entry.userId === target.userId) cache.delete(id)
  }
}

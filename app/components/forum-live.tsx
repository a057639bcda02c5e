// Live forum rooms in the browser: follow a room (a topic, a section, a
// subject, the queue), apply its events once each and in order, and never
// lose one: on every (re)connection the room is joined again with the id of
// the last event applied, and the server answers with what came after it
// (or `reset`: too much was missed, the page's data is reloaded). Also who
// is typing in a topic and how many people are viewing it. Uses the page's
// one socket (app/realtime/live-socket.ts); mutations never go over it.
import { useRevalidator } from '@remix-run/react'
import { useCallback, useEffect, useRef, useState } from 'react'
import type { ForumEventView } from '~/forum/types'
import type { Typist } from '~/realtime/events'
import { liveSocket, type LiveSocket } from '~/realtime/live-socket'

/** Events may be published slightly out of id order (two commits racing): resume from a point this far back in arrival time. */
const SETTLE_MS = 2_000
/** Ids remembered to drop duplicates (a replay overlapping live delivery). */
const SEEN_LIMIT = 2_000
/** The client sends "typing" at most this often while the person types. */
export const TYPING_SEND_MS = 2_000
/** A typist disappears this long after their last "typing". */
export const TYPING_SHOW_MS = 4_000

function maxId(a: string, b: string) {
  try {
    return BigInt(a) >= BigInt(b) ? a : b
  } catch {
    return a
  }
}

function topicIdOf(room: string | null) {
  const m = room ? /^topic:(\d+)$/.exec(room) : null
  return m ? Number(m[1]) : null
}

/**
 * Follows `room` live. `lastEventId` is the id the page's data is current
 * to (from the loader); `onEvents` gets new events, oldest first, each once,
 * only of this room. `onReset` (default: reload the route data) runs when the
 * server says too much was missed to replay.
 */
export function useForumRoom(
  room: string | null,
  lastEventId: string,
  onEvents: (events: ForumEventView[]) => void,
  opts: { onReset?: () => void } = {},
): { connected: boolean; viewers: number } {
  const [connected, setConnected] = useState(false)
  const [viewers, setViewers] = useState(0)
  const revalidator = useRevalidator()
  const latest = useRef({ onEvents, onReset: opts.onReset, revalidate: revalidator.revalidate })
  latest.current = { onEvents, onReset: opts.onReset, revalidate: revalidator.revalidate }

  // Where to resume from: ids the page is current to, and events received recently (by arrival time).
  const cursor = useRef({ settled: lastEventId, recent: [] as { id: string; at: number }[], seen: new Set<string>() })
  const pageId = useRef(lastEventId)
  pageId.current = lastEventId
  useEffect(() => {
    // New page data (a reload) is current to a newer id: resume from there.
    cursor.current.settled = maxId(cursor.current.settled, lastEventId)
  }, [lastEventId])

  useEffect(() => {
    if (!room) return
    let active = true
    let cleanup = () => undefined as void
    // Another room (the page moved on): its data is current to the page's id, nothing else carries over.
    const c = (cursor.current = { settled: pageId.current, recent: [] as { id: string; at: number }[], seen: new Set<string>() })

    const apply = (events: ForumEventView[]) => {
      const fresh = events.filter((e) => e.room === room && !c.seen.has(e.id))
      if (fresh.length === 0) return
      const now = Date.now()
      for (const e of fresh) {
        c.seen.add(e.id)
        c.recent.push({ id: e.id, at: now })
      }
      if (c.seen.size > SEEN_LIMIT) c.seen = new Set([...c.seen].slice(-SEEN_LIMIT / 2))
      // Events older than the settle window can no longer be overtaken: fold them into `settled`.
      while (c.recent.length && now - c.recent[0].at > SETTLE_MS) c.settled = maxId(c.settled, c.recent.shift()!.id)
      fresh.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
      latest.current.onEvents(fresh)
    }

    const resumeFrom = () => {
      const now = Date.now()
      let from = c.settled
      for (const r of c.recent) if (now - r.at > SETTLE_MS) from = maxId(from, r.id)
      return from
    }

    liveSocket().then((socket: LiveSocket) => {
      if (!active) return
      const join = () => {
        setConnected(true)
        socket.emit('forum:join', { room, lastEventId: resumeFrom() }, (ack) => {
          if (!active) return
          if (!ack.ok) {
            // Refused (no access, too many rooms): the page works, just not live.
            setConnected(false)
            return
          }
          if (ack.data.reset) {
            c.recent = []
            ;(latest.current.onReset ?? latest.current.revalidate)()
            return
          }
          apply(ack.data.events)
        })
      }
      const onEvent = (event: ForumEventView) => {
        if (event.room === room) apply([event])
      }
      const onDisconnect = () => setConnected(false)
      const topicId = topicIdOf(room)
      const onViewers = (p: { topicId: number; count: number }) => {
        if (p.topicId === topicId) setViewers(p.count)
      }
      if (socket.connected) join()
      // 'connect' fires again after every reconnection (a dropped network, a server restart, another node).
      socket.on('connect', join)
      socket.on('disconnect', onDisconnect)
      socket.on('forum:event', onEvent)
      socket.on('topic:viewers', onViewers)
      cleanup = () => {
        socket.off('connect', join)
        socket.off('disconnect', onDisconnect)
        socket.off('forum:event', onEvent)
        socket.off('topic:viewers', onViewers)
        if (socket.connected) socket.emit('forum:leave', { room }, () => undefined)
      }
    })
    return () => {
      active = false
      cleanup()
      setViewers(0)
    }
  }, [room])

  return { connected, viewers }
}

/**
 * Who else is writing in a topic, and `notifyTyping` to call on input in the
 * reply editor (sent at most every TYPING_SEND_MS; the server limits too).
 * Requires the topic room to be followed (useForumRoom) by this page.
 */
export function useTyping(topicId: number | null): { typists: Typist[]; notifyTyping: () => void } {
  const [typists, setTypists] = useState<(Typist & { until: number })[]>([])
  const lastSent = useRef(0)
  const socketRef = useRef<LiveSocket | null>(null)

  useEffect(() => {
    if (topicId === null) return
    let active = true
    let cleanup = () => undefined as void
    liveSocket().then((socket) => {
      if (!active) return
      socketRef.current = socket
      const onTyping = (p: { topicId: number; user: Typist }) => {
        if (p.topicId !== topicId) return
        const until = Date.now() + TYPING_SHOW_MS
        setTypists((list) => [...list.filter((t) => t.id !== p.user.id), { ...p.user, until }])
      }
      socket.on('topic:typing', onTyping)
      cleanup = () => socket.off('topic:typing', onTyping)
    })
    const sweep = setInterval(() => {
      const now = Date.now()
      setTypists((list) => (list.some((t) => t.until <= now) ? list.filter((t) => t.until > now) : list))
    }, 500)
    return () => {
      active = false
      cleanup()
      clearInterval(sweep)
      socketRef.current = null
      setTypists([])
    }
  }, [topicId])

  const notifyTyping = useCallback(() => {
    const socket = socketRef.current
    const now = Date.now()
    if (topicId === null || !socket?.connected || now - lastSent.current < TYPING_SEND_MS) return
    lastSent.current = now
    socket.emit('topic:typing', { topicId })
  }, [topicId])

  return { typists: typists.map(({ until: _until, ...t }) => t), notifyTyping }
}

/** «Иванова И. И. печатает…» / «Специалист ФИОКО печатает…» for a line under the thread. */
export function typingLine(typists: Typist[]): string | null {
  if (typists.length === 0) return null
  const names = typists.map((t) => (t.staff ? `${t.name} (специалист)` : t.name))
  if (names.length === 1) return `${names[0]} печатает…`
  if (names.length <= 3) return `${names.join(', ')} печатают…`
  return `${names.slice(0, 2).join(', ')} и ещё ${names.length - 2} печатают…`
}

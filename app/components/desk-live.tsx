// Live updates of the support desk: the queue and the ticket page reload
// their data when a ticket changes (ticket:changed), and the ticket page
// shows who else of the staff has it open (ticket:presence).
import { useRevalidator } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import type { TicketViewer } from '~/realtime/events'
import { liveSocket } from '~/realtime/live-socket'

function useDebouncedRevalidate(delayMs: number) {
  const revalidator = useRevalidator()
  const ref = useRef(revalidator)
  ref.current = revalidator
  const timer = useRef<ReturnType<typeof setTimeout>>()
  useEffect(() => () => clearTimeout(timer.current), [])
  return () => {
    clearTimeout(timer.current)
    // A reload already under way may have read the data before this change:
    // wait for it to finish and reload again, never drop the event.
    const run = () => {
      if (ref.current.state === 'idle') ref.current.revalidate()
      else timer.current = setTimeout(run, delayMs)
    }
    timer.current = setTimeout(run, delayMs)
  }
}

/** The queue: reload when any ticket changes (a burst of changes reloads once). */
export function useDeskLive() {
  const refresh = useDebouncedRevalidate(700)
  const refreshRef = useRef(refresh)
  refreshRef.current = refresh
  useEffect(() => {
    let active = true
    const onChanged = () => refreshRef.current()
    const join = (socket: Awaited<ReturnType<typeof liveSocket>>) => socket.emit('desk:join', {}, () => undefined)
    let cleanup = () => undefined as void
    liveSocket().then((socket) => {
      if (!active) return
      const onConnect = () => join(socket)
      if (socket.connected) join(socket)
      socket.on('connect', onConnect)
      socket.on('ticket:changed', onChanged)
      cleanup = () => {
        socket.off('connect', onConnect)
        socket.off('ticket:changed', onChanged)
      }
    })
    return () => {
      active = false
      cleanup()
    }
  }, [])
}

/**
 * One ticket: reload when it changes; for staff, the others who have it
 * open. `onChanged` is called before the reload (the reply form uses it to
 * warn about a message that arrived while the agent was writing).
 */
export function useTicketLive(ticketId: number, options: { me: number; onChanged?: (reason: string) => void }) {
  const [viewers, setViewers] = useState<TicketViewer[]>([])
  const refresh = useDebouncedRevalidate(150)
  const latest = useRef({ refresh, onChanged: options.onChanged })
  latest.current = { refresh, onChanged: options.onChanged }
  useEffect(() => {
    let active = true
    let cleanup = () => undefined as void
    liveSocket().then((socket) => {
      if (!active) return
      const join = () =>
        socket.emit('ticket:join', { id: ticketId }, (ack) => {
          if (active && ack.ok) setViewers(ack.data.viewers)
        })
      const onChanged = (p: { id: number; reason: string }) => {
        if (p.id !== ticketId) return
        latest.current.onChanged?.(p.reason)
        latest.current.refresh()
      }
      const onPresence = (p: { id: number; viewers: TicketViewer[] }) => {
        if (p.id === ticketId) setViewers(p.viewers)
      }
      if (socket.connected) join()
      socket.on('connect', join)
      socket.on('ticket:changed', onChanged)
      socket.on('ticket:presence', onPresence)
      cleanup = () => {
        socket.off('connect', join)
        socket.off('ticket:changed', onChanged)
        socket.off('ticket:presence', onPresence)
        if (socket.connected) socket.emit('ticket:leave', { id: ticketId }, () => undefined)
      }
    })
    return () => {
      active = false
      cleanup()
      setViewers([])
    }
  }, [ticketId])
  return viewers.filter((v) => v.userId !== options.me)
}

// The header's notification link with the unread count, kept current live:
// +1 on each `notification:new`, the exact count on `notification:unread`
// (read in this or another tab), and the loader's count after each reload.
// The newest one is shown briefly as a notice.
import { Link } from '@remix-run/react'
import { useEffect, useState } from 'react'
import type { NotificationView } from '~/forum/types'
import { liveSocket } from '~/realtime/live-socket'

export function NotificationBell({ unread }: { unread: number }) {
  const [count, setCount] = useState(unread)
  const [latest, setLatest] = useState<NotificationView | null>(null)
  useEffect(() => setCount(unread), [unread])

  useEffect(() => {
    let active = true
    let cleanup = () => undefined as void
    liveSocket().then((socket) => {
      if (!active) return
      const onNew = (n: NotificationView) => {
        setCount((c) => c + 1)
        setLatest(n)
      }
      const onUnread = (p: { count: number }) => setCount(p.count)
      // Back after a dropped connection: pushes made meanwhile went nowhere, ask for the count.
      let wasConnected = socket.connected
      const onConnect = () => {
        if (wasConnected) return
        wasConnected = true
        socket.emit('notification:count', {}, (ack) => {
          if (active && ack.ok) setCount(ack.data.count)
        })
      }
      const onDisconnect = () => (wasConnected = false)
      socket.on('notification:new', onNew)
      socket.on('notification:unread', onUnread)
      socket.on('connect', onConnect)
      socket.on('disconnect', onDisconnect)
      cleanup = () => {
        socket.off('notification:new', onNew)
        socket.off('notification:unread', onUnread)
        socket.off('connect', onConnect)
        socket.off('disconnect', onDisconnect)
      }
    })
    return () => {
      active = false
      cleanup()
    }
  }, [])

  useEffect(() => {
    if (!latest) return
    const timer = setTimeout(() => setLatest(null), 8_000)
    return () => clearTimeout(timer)
  }, [latest])

  const label = count > 0 ? `Уведомления: ${count} непрочитанных` : 'Уведомления: нет непрочитанных'
  return (
    <>
      <Link to="/cabinet/notifications" className="notification-bell" data-testid="notification-bell" data-unread={count} aria-label={label} title={label}>
        <span aria-hidden="true">🔔</span>
        {count > 0 ? (
          <span className="badge warn" data-testid="notification-count">
            {count > 99 ? '99+' : count}
          </span>
        ) : null}
      </Link>
      {latest ? (
        <p className="notice" role="status" data-testid="notification-toast">
          <Link to={latest.url}>{latest.text}</Link>
        </p>
      ) : null}
    </>
  )
}

// The cabinet's live connection: signs the page out when the session is
// revoked elsewhere and shows short notices. Mutations never go over it.
import { useEffect, useState } from 'react'
import { closeLiveSocket, liveSocket, type LiveSocket } from '~/realtime/live-socket'

export function LiveConnection() {
  const [state, setState] = useState<'connecting' | 'online' | 'offline'>('connecting')
  const [notice, setNotice] = useState<string | null>(null)
  useEffect(() => {
    let closed = false
    let socket: LiveSocket | undefined
    // One connection per page, shared with pages that follow things live (the desk).
    liveSocket().then((s) => {
      if (closed) return
      socket = s
      if (socket.connected) setState('online')
      socket.on('connect', () => setState('online'))
      socket.on('disconnect', () => setState('offline'))
      socket.on('connect_error', () => setState('offline'))
      socket.on('notice', (n) => setNotice(n.text))
      socket.on('session:revoked', () => {
        window.location.assign('/login?revoked=1')
      })
    })
    return () => {
      closed = true
      closeLiveSocket()
    }
  }, [])
  return (
    <>
      <span className={`live-dot live-${state}`} data-testid="live-state" data-state={state} title={state === 'online' ? 'Связь с сервером есть: обновления приходят сразу' : 'Нет связи с сервером: обновления придут после переподключения'}>
        <span className="visually-hidden">{state === 'online' ? 'В сети' : 'Нет связи'}</span>
      </span>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
    </>
  )
}

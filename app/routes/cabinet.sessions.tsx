import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { listSessions, requireUser } from '~/accounts/session.server'

export const meta: MetaFunction = () => [{ title: 'Сеансы — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  const sessions = await listSessions(user.id)
  return json({ current: user.sessionId, sessions: sessions.map((s) => ({ ...s, id: s.id.slice(0, 8), isCurrent: s.id === user.sessionId })) })
}

const fmt = (iso: string) => new Date(iso).toLocaleString('ru-RU', { timeZone: 'Europe/Moscow' })

export default function Sessions() {
  const { sessions } = useLoaderData<typeof loader>()
  return (
    <>
      <h1>Сеансы и безопасность</h1>
      <p>
        <Link to="/password">Сменить пароль</Link>
      </p>
      <div className="table-wrap">
        <table className="data" data-testid="sessions-table">
          <thead>
            <tr>
              <th scope="col">Начат</th>
              <th scope="col">Последняя активность</th>
              <th scope="col">Адрес</th>
              <th scope="col">Браузер</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <td>
                  {fmt(s.createdAt)} {s.isCurrent ? <span className="badge ok">этот сеанс</span> : null}
                </td>
                <td>{fmt(s.lastSeenAt)}</td>
                <td>{s.ip ?? '—'}</td>
                <td className="small">{s.userAgent ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Form method="post" action="/logout">
        <input type="hidden" name="everywhere" value="1" />
        <p>
          <button type="submit" className="button danger">
            Выйти на всех устройствах
          </button>
        </p>
      </Form>
    </>
  )
}

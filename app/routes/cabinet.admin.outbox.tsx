// The file outbox of the embedded default: every mail the system "sent",
// as the recipient would receive it.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { requireRole } from '~/accounts/session.server'
import { env } from '~/utils/env.server'
import { outboxMessage, outboxSummaries } from '~/utils/mailer.server'

export const meta: MetaFunction = () => [{ title: 'Исходящая почта — администрирование' }]

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ['ADMIN'])
  const selected = new URL(request.url).searchParams.get('m')
  const message = selected ? await outboxMessage(selected) : null
  if (selected && !message) throw new Response('Письмо не найдено.', { status: 404 })
  return json({ entries: await outboxSummaries(), message, relay: Boolean(env().SMTP_URL) })
}

export default function Outbox() {
  const { entries, message, relay } = useLoaderData<typeof loader>()
  return (
    <>
      <h1>Исходящая почта</h1>
      {relay ? <p className="alert alert-info">Почта отправляется через SMTP-релей (SMTP_URL); здесь показаны только письма, записанные до его настройки.</p> : null}
      {message ? (
        <section className="card" data-testid="outbox-message">
          <h2>{message.subject}</h2>
          <dl className="small">
            {message.headers.map(([k, v]) => (
              <div key={k}>
                <dt style={{ display: 'inline', fontWeight: 600 }}>{k}: </dt>
                <dd style={{ display: 'inline', margin: 0 }}>{v}</dd>
              </div>
            ))}
          </dl>
          <pre style={{ whiteSpace: 'pre-wrap' }}>{message.text}</pre>
        </section>
      ) : null}
      {entries.length === 0 ? (
        <p>Писем пока нет.</p>
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="outbox-table">
            <thead>
              <tr>
                <th scope="col">Время (МСК)</th>
                <th scope="col">Кому</th>
                <th scope="col">Тема</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.name}>
                  <td>{new Date(e.at).toLocaleString('ru-RU', { timeZone: 'Europe/Moscow' })}</td>
                  <td>{e.to}</td>
                  <td>
                    <Link to={`?m=${encodeURIComponent(e.name)}`}>{e.subject}</Link> {e.automatic ? <span className="badge">автоматическое</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}

// Letters the intake quarantined (unparseable, or failed processing five
// times): the reason, the raw letter, and «Повторить обработку» — the replay
// `npm run cli -- intake:replay <id>` does.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { requireRole } from '~/accounts/session.server'
import { Pager } from '~/components/pager'
import { listQuarantined, replayLetter } from '~/helpdesk/quarantine.server'

export const meta: MetaFunction = () => [{ title: 'Карантин входящей почты — администрирование' }]

const ACTIONS: Record<string, string> = {
  created: 'создано обращение',
  appended: 'добавлено в обращение',
  duplicate: 'повтор уже полученного письма',
  bounce: 'уведомление о недоставке',
  ignored: 'обращение не создаётся',
  quarantined: 'снова отложено в карантин',
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, ['ADMIN'])
  const page = Number(new URL(request.url).searchParams.get('page') ?? 1)
  return json(await listQuarantined(user, page))
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, ['ADMIN'])
  const form = await request.formData()
  const id = Number(form.get('id'))
  const result = await replayLetter(user, id)
  if (result.status === 'error') return json({ id, ok: false as const, message: result.message }, { status: 400 })
  const o = result.outcome
  const message = `Письмо #${id}: ${ACTIONS[o.action] ?? o.action}${o.ticket ? `, обращение #${o.ticket}` : ''}${o.action === 'quarantined' && o.notes[0] ? ` — ${o.notes[0]}` : ''}.`
  return json({ id, ok: o.action !== 'quarantined', message, ticket: o.ticket })
}

export default function Quarantine() {
  const { letters, total, page, pageSize } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  return (
    <>
      <h1>Карантин входящей почты</h1>
      <p className="small">
        Письма, которые не удалось разобрать или обработать. Письмо хранится таким, каким пришло; после исправления его можно обработать повторно (то же
        делает <code>npm run cli -- intake:replay &lt;номер&gt;</code>).
      </p>
      {result ? (
        <p className={`alert ${result.ok ? 'alert-success' : 'alert-error'}`} role={result.ok ? 'status' : 'alert'}>
          {result.message}{' '}
          {'ticket' in result && result.ticket ? <Link to={`/cabinet/support/${result.ticket}`}>Открыть обращение</Link> : null}
        </p>
      ) : null}
      {letters.length === 0 ? (
        <p>В карантине писем нет.</p>
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="quarantine-table">
            <thead>
              <tr>
                <th scope="col">№</th>
                <th scope="col">Получено (МСК)</th>
                <th scope="col">Отправитель</th>
                <th scope="col">Причина</th>
                <th scope="col">Действия</th>
              </tr>
            </thead>
            <tbody>
              {letters.map((l) => (
                <tr key={l.id} data-id={l.id}>
                  <td>{l.id}</td>
                  <td>{new Date(l.receivedAt).toLocaleString('ru-RU', { timeZone: 'Europe/Moscow' })}</td>
                  <td>
                    {l.envelopeFrom || '(пустой адрес возврата)'}
                    <div className="small">
                      {l.channel}, {Math.ceil(l.size / 1024)} КБ, попыток: {l.attempts}
                    </div>
                  </td>
                  <td style={{ whiteSpace: 'pre-wrap' }}>{l.error ?? '—'}</td>
                  <td>
                    <a href={`/cabinet/admin/quarantine/${l.id}/raw`} download>
                      Исходное письмо (.eml)
                    </a>
                    <Form method="post">
                      <input type="hidden" name="id" value={l.id} />
                      <button type="submit" className="button" disabled={navigation.state !== 'idle'}>
                        Повторить обработку
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={page} pageSize={pageSize} total={total} />
    </>
  )
}

import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { listAuditEvents } from '~/accounts/audit.server'
import { requireRole } from '~/accounts/session.server'
import { Pager } from '~/components/pager'

export const meta: MetaFunction = () => [{ title: 'Журнал аудита — администрирование' }]

const ACTIONS: Record<string, string> = {
  'auth.login': 'Вход',
  'auth.login_failed': 'Неудачный вход',
  'auth.locked': 'Вход заблокирован',
  'auth.logout': 'Выход',
  'auth.logout_everywhere': 'Выход на всех устройствах',
  'auth.password_changed': 'Смена пароля',
  'credentials.issued': 'Выдан доступ',
  'credentials.reset': 'Сброшен пароль',
  'credentials.archive_issued': 'Сформирован архив доступов',
  'credentials.denied': 'Отказ в выдаче доступа',
  'user.created': 'Создана учётная запись',
  'user.role_changed': 'Изменена роль',
  'user.disabled': 'Учётная запись отключена',
  'user.enabled': 'Учётная запись включена',
  'access.denied': 'Отказ в доступе',
}

const Query = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  action: z.string().max(64).optional().catch(undefined),
  outcome: z.enum(['success', 'failure', 'denied']).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
})

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ['ADMIN'])
  const query = Query.parse(Object.fromEntries(new URL(request.url).searchParams))
  return json({ ...(await listAuditEvents(query)), query })
}

export default function Audit() {
  const { events, total, page, pageSize, query } = useLoaderData<typeof loader>()
  return (
    <>
      <h1>Журнал аудита</h1>
      <Form method="get" className="toolbar" role="search">
        <label className="field">
          <span>Логин или адрес</span>
          <input name="q" type="search" defaultValue={query.q ?? ''} />
        </label>
        <label className="field">
          <span>Событие</span>
          <select name="action" defaultValue={query.action ?? ''}>
            <option value="">Все</option>
            {Object.entries(ACTIONS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Итог</span>
          <select name="outcome" defaultValue={query.outcome ?? ''}>
            <option value="">Любой</option>
            <option value="success">Успех</option>
            <option value="failure">Ошибка</option>
            <option value="denied">Отказано</option>
          </select>
        </label>
        <button type="submit" className="button">
          Показать
        </button>
      </Form>
      <div className="table-wrap">
        <table className="data" data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">Время (МСК)</th>
              <th scope="col">Событие</th>
              <th scope="col">Кто</th>
              <th scope="col">Кого / что</th>
              <th scope="col">Адрес</th>
              <th scope="col">Подробности</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>{new Date(e.at).toLocaleString('ru-RU', { timeZone: 'Europe/Moscow' })}</td>
                <td>
                  {ACTIONS[e.action] ?? e.action}{' '}
                  {e.outcome !== 'success' ? <span className={`badge ${e.outcome === 'denied' ? 'err' : 'warn'}`}>{e.outcome === 'denied' ? 'отказано' : 'ошибка'}</span> : null}
                </td>
                <td>{e.actorLogin ?? '—'}</td>
                <td>{e.targetLogin ?? '—'}</td>
                <td>{e.ip ?? '—'}</td>
                <td className="small">{e.details ? JSON.stringify(e.details) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={page} pageSize={pageSize} total={total} />
    </>
  )
}

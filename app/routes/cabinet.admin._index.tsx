import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Role } from '~/generated/prisma/enums'
import { orgLabel } from '~/accounts/logins'
import { ROLE_LABELS, ROLES_BY_ORG_KIND } from '~/accounts/roles'
import { requireRole } from '~/accounts/session.server'
import { ChangeRoleSchema, UserListQuery, changeRole, listUsers } from '~/accounts/users.server'
import { Pager } from '~/components/pager'
import { badRequest, clientIp } from '~/utils/http.server'

export const meta: MetaFunction = () => [{ title: 'Пользователи — администрирование' }]

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ['ADMIN'])
  const query = UserListQuery.parse(Object.fromEntries(new URL(request.url).searchParams))
  return json({ ...(await listUsers(query)), query })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireRole(request, ['ADMIN'])
  const parsed = ChangeRoleSchema.safeParse(Object.fromEntries(await request.formData()))
  if (!parsed.success) throw badRequest(parsed.error.issues[0]?.message)
  const result = await changeRole(user, parsed.data, { ip: clientIp(context) })
  return json({ userId: parsed.data.userId, ...result }, { status: result.status === 'error' ? 400 : 200 })
}

export default function AdminUsers() {
  const { users, total, page, pageSize, query } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <>
      <h1>Пользователи</h1>
      {result?.status === 'error' ? (
        <p className="alert alert-error" role="alert">
          {result.message}
        </p>
      ) : result?.status === 'success' ? (
        <p className="alert alert-success" role="status">
          {result.changed ? 'Роль изменена; сеансы пользователя завершены.' : 'Роль не изменилась.'}
        </p>
      ) : null}
      <Form method="get" className="toolbar" role="search">
        <label className="field">
          <span>Логин, ФИО или организация</span>
          <input name="q" type="search" defaultValue={query.q ?? ''} />
        </label>
        <label className="field">
          <span>Роль</span>
          <select name="role" defaultValue={query.role ?? ''}>
            <option value="">Все</option>
            {Object.values(Role).map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button">
          Найти
        </button>
      </Form>
      <div className="table-wrap">
        <table className="data" data-testid="users-table">
          <thead>
            <tr>
              <th scope="col">Логин</th>
              <th scope="col">ФИО</th>
              <th scope="col">Организация</th>
              <th scope="col">Роль</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-login={u.login}>
                <td>
                  {u.login} {u.disabled ? <span className="badge err">отключён</span> : null}
                </td>
                <td>{u.fullName}</td>
                <td>
                  <Link to={`/cabinet/orgs/${u.organization.id}`}>{orgLabel(u.organization)}</Link>
                </td>
                <td>
                  <Form method="post" className="toolbar">
                    <input type="hidden" name="userId" value={u.id} />
                    <label>
                      <span className="visually-hidden">Роль для {u.login}</span>
                      <select name="role" defaultValue={u.role}>
                        {ROLES_BY_ORG_KIND[u.organization.kind].map((r) => (
                          <option key={r} value={r}>
                            {ROLE_LABELS[r]}
                          </option>
                        ))}
                      </select>
                    </label>
                    <button type="submit" className="button small">
                      Сохранить
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={page} pageSize={pageSize} total={total} />
    </>
  )
}

import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { orgLabel } from '~/accounts/logins'
import { OrgListQuery, listOrganizations } from '~/accounts/orgs.server'
import { ORG_KIND_LABELS, hasSection } from '~/accounts/roles'
import { credentialTargetsWhere } from '~/accounts/scope.server'
import { requireUser } from '~/accounts/session.server'
import { Pager } from '~/components/pager'

export const meta: MetaFunction = () => [{ title: 'Организации — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  if (!hasSection(user.role, 'organizations')) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  const query = OrgListQuery.parse(Object.fromEntries(new URL(request.url).searchParams))
  const result = await listOrganizations(user, query)
  return json({ ...result, query, canArchive: credentialTargetsWhere(user) !== null })
}

export default function Organizations() {
  const { orgs, total, page, pageSize, query, canArchive } = useLoaderData<typeof loader>()
  return (
    <>
      <h1>Организации</h1>
      {canArchive ? (
        <p>
          <Link to="/cabinet/credentials">Выдача доступов и архив паролей для нижестоящих организаций →</Link>
        </p>
      ) : null}
      <Form method="get" className="toolbar" role="search">
        <label className="field">
          <span>Название или логин</span>
          <input name="q" type="search" defaultValue={query.q ?? ''} placeholder="например, edu290012 или гимназия" />
        </label>
        <label className="field">
          <span>Уровень</span>
          <select name="kind" defaultValue={query.kind ?? ''}>
            <option value="">Все</option>
            {(['REGION', 'MUNICIPALITY', 'SCHOOL', 'COLLEGE'] as const).map((k) => (
              <option key={k} value={k}>
                {ORG_KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button">
          Найти
        </button>
      </Form>
      {orgs.length === 0 ? (
        <p className="alert alert-info">Ничего не найдено. Измените запрос.</p>
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="org-table">
            <thead>
              <tr>
                <th scope="col">Организация</th>
                <th scope="col">Уровень</th>
                <th scope="col">Вышестоящая</th>
              </tr>
            </thead>
            <tbody>
              {orgs.map((o) => (
                <tr key={o.id}>
                  <td>
                    <Link to={`/cabinet/orgs/${o.id}`}>{orgLabel(o)}</Link>
                  </td>
                  <td>{ORG_KIND_LABELS[o.kind]}</td>
                  <td>{o.parent ? orgLabel(o.parent) : '—'}</td>
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

import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { issueOrgCredentials } from '~/accounts/credentials.server'
import { orgLabel } from '~/accounts/logins'
import { getOrganizationPage } from '~/accounts/orgs.server'
import { ORG_KIND_LABELS, ROLE_LABELS } from '~/accounts/roles'
import { requireUser } from '~/accounts/session.server'
import { AccountState } from '~/components/account-state'
import { IssuedPassword } from '~/components/issued-password'
import { badRequest, clientIp } from '~/utils/http.server'

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? orgLabel(data.org) : 'Организация'} — ФИС ОКО` }]

const OrgIdParam = z.coerce.number().int().positive()

function parseOrgId(raw: unknown) {
  const parsed = OrgIdParam.safeParse(raw)
  if (!parsed.success) throw new Response('Организация не найдена: неверный адрес.', { status: 404 })
  return parsed.data
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  const page = await getOrganizationPage(user, parseOrgId(params.orgId), { ip: clientIp(context) })
  return json(page)
}

const IssueForm = z.object({ intent: z.literal('issue'), targetOrgId: z.coerce.number().int().positive() })

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request)
  parseOrgId(params.orgId)
  const parsed = IssueForm.safeParse(Object.fromEntries(await request.formData()))
  if (!parsed.success) throw badRequest()
  const issued = await issueOrgCredentials(user, parsed.data.targetOrgId, { ip: clientIp(context) })
  return json({ issued })
}

function IssueButton({ orgId, issued, label }: { orgId: number; issued: boolean; label?: string }) {
  const busy = useNavigation().state === 'submitting'
  return (
    <Form
      method="post"
      onSubmit={(e) => {
        if (issued && !window.confirm('Сбросить пароль? Прежний пароль перестанет действовать, все сеансы этой учётной записи будут завершены.')) e.preventDefault()
      }}
    >
      <input type="hidden" name="intent" value="issue" />
      <input type="hidden" name="targetOrgId" value={orgId} />
      <button type="submit" className="button small" disabled={busy}>
        {label ?? (issued ? 'Сбросить пароль' : 'Выдать доступ')}
      </button>
    </Form>
  )
}

export default function OrganizationPage() {
  const { org, parent, region, municipality, children, childCount, users, canIssue } = useLoaderData<typeof loader>()
  const data = useActionData<typeof action>()
  const ownAccount = users.find((u) => u.login === org.login)
  return (
    <>
      <p className="small">
        <Link to="/cabinet/orgs">← Организации</Link>
      </p>
      <h1 data-testid="org-title">{orgLabel(org)}</h1>
      {data?.issued ? <IssuedPassword login={data.issued.login} password={data.issued.password} name={data.issued.orgName} /> : null}
      <section className="card">
        <dl className="figures">
          <div>
            <dt>Уровень</dt>
            <dd className="small">{ORG_KIND_LABELS[org.kind]}</dd>
          </div>
          {region && region.id !== org.id ? (
            <div>
              <dt>Регион</dt>
              <dd className="small">
                <Link to={`/cabinet/orgs/${region.id}`}>{orgLabel(region)}</Link>
              </dd>
            </div>
          ) : null}
          {municipality && municipality.id !== org.id ? (
            <div>
              <dt>МОУО</dt>
              <dd className="small">
                <Link to={`/cabinet/orgs/${municipality.id}`}>{orgLabel(municipality)}</Link>
              </dd>
            </div>
          ) : null}
          {parent && parent.id !== region?.id && parent.id !== municipality?.id ? (
            <div>
              <dt>Вышестоящая</dt>
              <dd className="small">{orgLabel(parent)}</dd>
            </div>
          ) : null}
        </dl>
        {canIssue ? (
          <p>
            <IssueButton orgId={org.id} issued={Boolean(ownAccount?.issued)} />
          </p>
        ) : null}
      </section>

      {users.length ? (
        <section aria-labelledby="users-title">
          <h2 id="users-title">Учётные записи</h2>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Логин</th>
                  <th scope="col">ФИО</th>
                  <th scope="col">Роль</th>
                  <th scope="col">Состояние</th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.id}>
                    <td>{u.login}</td>
                    <td>{u.fullName}</td>
                    <td>{ROLE_LABELS[u.role]}</td>
                    <td>
                      <AccountState disabled={u.disabled} issued={u.issued} mustChangePassword={u.mustChangePassword} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      {children.length ? (
        <section aria-labelledby="children-title">
          <h2 id="children-title">Подведомственные организации ({childCount})</h2>
          <div className="table-wrap">
            <table className="data" data-testid="children-table">
              <thead>
                <tr>
                  <th scope="col">Организация</th>
                  <th scope="col">Уровень</th>
                  <th scope="col">Доступ</th>
                  <th scope="col">
                    <span className="visually-hidden">Действия</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {children.map((c) => (
                  <tr key={c.id} data-login={c.login}>
                    <td>
                      <Link to={`/cabinet/orgs/${c.id}`}>{orgLabel(c)}</Link>
                    </td>
                    <td>{ORG_KIND_LABELS[c.kind]}</td>
                    <td>
                      {!c.account?.issued ? (
                        <span className="badge">не выдан</span>
                      ) : c.account.pendingChange ? (
                        <span className="badge warn">выдан, не сменён</span>
                      ) : (
                        <span className="badge ok">действует</span>
                      )}
                    </td>
                    <td>{c.canIssue ? <IssueButton orgId={c.id} issued={Boolean(c.account?.issued)} /> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  )
}

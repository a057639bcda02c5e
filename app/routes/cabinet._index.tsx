import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData, useSearchParams } from '@remix-run/react'
import { orgLabel } from '~/accounts/logins'
import { scopeSummary } from '~/accounts/orgs.server'
import { ORG_KIND_LABELS, ROLE_LABELS, sectionsFor } from '~/accounts/roles'
import { requireUser } from '~/accounts/session.server'

export const meta: MetaFunction = () => [{ title: 'Личный кабинет — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  const summary = await scopeSummary(user)
  return json({
    org: orgLabel(user.organization),
    orgKind: user.organization.kind,
    role: user.role,
    summary,
    sections: sectionsFor(user.role),
  })
}

export default function CabinetHome() {
  const { org, orgKind, role, summary, sections } = useLoaderData<typeof loader>()
  const [params] = useSearchParams()
  return (
    <>
      <h1>Личный кабинет</h1>
      {params.get('password') === 'changed' ? (
        <p className="alert alert-success" role="status">
          Пароль изменён. Другие устройства, на которых был выполнен вход, отключены.
        </p>
      ) : null}
      <section className="card" aria-labelledby="org-title">
        <h2 id="org-title">{org}</h2>
        <p>
          {ORG_KIND_LABELS[orgKind]} · {ROLE_LABELS[role]}
        </p>
        {Object.keys(summary).length > 1 || (summary.SCHOOL ?? 0) > 1 ? (
          <dl className="figures" data-testid="scope-summary">
            {(['REGION', 'MUNICIPALITY', 'SCHOOL', 'COLLEGE'] as const).map((k) =>
              summary[k] ? (
                <div key={k}>
                  <dt>{ORG_KIND_LABELS[k]}</dt>
                  <dd>{summary[k]}</dd>
                </div>
              ) : null,
            )}
          </dl>
        ) : null}
      </section>
      <ul className="tiles">
        {sections.map((s) => (
          <li key={s.key}>
            <Link to={s.path} className="tile">
              <strong>{s.title}</strong>
              {s.planned ? <span>{s.planned}</span> : null}
            </Link>
          </li>
        ))}
      </ul>
    </>
  )
}

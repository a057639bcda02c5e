// «Форумы»: the support forum of each study with its sections and counts.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { hasSection } from '~/accounts/roles'
import { requireUser } from '~/accounts/session.server'
import { ForumErrorBoundary } from '~/components/forum/error-boundary'
import { plural } from '~/components/forum/topic-list'
import { getForum, listForums } from '~/forum/forums.server'
import styles from '~/forum/forum.css'
import { canModerate } from '~/forum/permissions'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction = () => [{ title: 'Форумы — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  if (!hasSection(user.role, 'forums')) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  const forums = (await listForums()).filter((f) => f.kind === 'SUPPORT')
  const withSections = await Promise.all(forums.map(async (f) => ({ ...f, sections: (await getForum(f.slug)).sections.filter((s) => !s.archived) })))
  return json({ forums: withSections, moderator: canModerate(user, 'SUPPORT') || canModerate(user, 'EXPERTS') })
}

export default function Forums() {
  const { forums, moderator } = useLoaderData<typeof loader>()
  return (
    <>
      <div className="forum-head">
        <h1>Форумы поддержки</h1>
        <div className="actions">
          <Link to="/cabinet/experts">Эксперты ВПР →</Link>
          {moderator ? <Link to="/cabinet/forums/moderation">Модерация</Link> : null}
        </div>
      </div>
      <p className="hint">Технические вопросы по каждому исследованию. Вопросы по проверке и оцениванию работ ВПР задавайте на форуме «Эксперты ВПР».</p>
      <div className="catalogue" data-testid="forums">
        {forums.map((f) => (
          <section key={f.id} aria-labelledby={`forum-${f.id}`}>
            <h2 id={`forum-${f.id}`}>
              <Link to={`/cabinet/forums/${f.slug}`}>{f.title}</Link>
            </h2>
            {f.description ? <p className="hint small">{f.description}</p> : null}
            <ul>
              {f.sections.map((s) => (
                <li key={s.id}>
                  <Link to={`/cabinet/forums/${f.slug}/${s.id}`}>{s.title}</Link>
                  <span className="counts">
                    {s.topicCount} {plural(s.topicCount, 'тема', 'темы', 'тем')}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </>
  )
}

export function ErrorBoundary() {
  return <ForumErrorBoundary back={{ to: '/cabinet', label: 'В личный кабинет' }} />
}

import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, NavLink, Outlet, useLoaderData } from '@remix-run/react'
import { orgLabel } from '~/accounts/logins'
import { ROLE_LABELS, sectionsFor } from '~/accounts/roles'
import { requireUser } from '~/accounts/session.server'
import { LiveConnection } from '~/components/live'
import { NotificationBell } from '~/components/notification-bell'
import { unreadCount } from '~/notifications/notifications.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  return json({
    user: { login: user.login, fullName: user.fullName, role: user.role, org: orgLabel(user.organization) },
    sections: sectionsFor(user.role),
    unreadNotifications: await unreadCount(user.id),
  })
}

export default function CabinetLayout() {
  const { user, sections, unreadNotifications } = useLoaderData<typeof loader>()
  return (
    <div className="cabinet">
      <a className="skip-link" href="#content">
        Перейти к содержанию
      </a>
      <header className="topbar">
        <NavLink to="/cabinet" className="brand" end>
          ФИС ОКО · личный кабинет
        </NavLink>
        <div className="who" data-testid="who">
          <span className="who-org">{user.org}</span>
          <span className="who-role">
            {ROLE_LABELS[user.role]} · {user.fullName}
          </span>
        </div>
        <div className="topbar-actions">
          <LiveConnection />
          <NotificationBell unread={unreadNotifications} />
          <NavLink to="/cabinet/sessions">Сеансы</NavLink>
          <Form method="post" action="/logout">
            <button type="submit" className="button small">
              Выйти
            </button>
          </Form>
        </div>
      </header>
      <nav className="sidenav" aria-label="Разделы">
        <ul>
          {sections.map((s) => (
            <li key={s.key}>
              <NavLink to={s.path} data-section={s.key}>
                {s.title}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="content" className="content">
        <Outlet />
      </main>
    </div>
  )
}

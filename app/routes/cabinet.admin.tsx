import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { NavLink, Outlet } from '@remix-run/react'
import { requireRole } from '~/accounts/session.server'

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ['ADMIN'])
  return json({})
}

export default function AdminLayout() {
  return (
    <>
      <nav className="toolbar" aria-label="Администрирование">
        <NavLink to="/cabinet/admin" end>
          Пользователи
        </NavLink>
        <NavLink to="/cabinet/orgs">Организации</NavLink>
        <NavLink to="/cabinet/admin/audit">Журнал аудита</NavLink>
        <NavLink to="/cabinet/admin/outbox">Исходящая почта</NavLink>
        <NavLink to="/cabinet/admin/quarantine">Карантин почты</NavLink>
        <NavLink to="/cabinet/admin/forums">Форумы</NavLink>
      </nav>
      <Outlet />
    </>
  )
}

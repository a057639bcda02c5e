// The error of a forum page, inside the cabinet layout (the menu stays): an
// unknown or hidden question, a page of another role, a server error.
import { Link, isRouteErrorResponse, useRouteError } from '@remix-run/react'

const HEADINGS: Record<number, string> = {
  400: 'Неверный запрос',
  403: 'Нет доступа',
  404: 'Не найдено',
}

export function ForumErrorBoundary({ back = { to: '/cabinet/experts', label: 'К форуму экспертов' } }: { back?: { to: string; label: string } }) {
  const error = useRouteError()
  const status = isRouteErrorResponse(error) ? error.status : 500
  const detail =
    isRouteErrorResponse(error) && typeof error.data === 'string' && error.data
      ? error.data
      : status === 404
        ? 'Такой страницы нет: вопрос мог быть удалён или скрыт модератором.'
        : status === 403
          ? 'Эта страница недоступна для вашей роли.'
          : 'Что-то пошло не так на сервере. Повторите попытку позже.'
  return (
    <div className="card" role="alert" data-testid="forum-error">
      <h1>{HEADINGS[status] ?? 'Ошибка'}</h1>
      <p>{detail}</p>
      <p>
        <Link to={back.to}>{back.label}</Link>
      </p>
    </div>
  )
}

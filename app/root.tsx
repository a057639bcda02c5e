import type { LinksFunction, MetaFunction } from '@remix-run/node'
import { Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useRouteError } from '@remix-run/react'
import styles from '~/styles.css'
import { useNonce } from '~/utils/nonce'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: styles },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
]

export const meta: MetaFunction = () => [{ title: 'ФИС ОКО — поддержка и эксперты ВПР' }]

function Document({ children, title }: { children: React.ReactNode; title?: string }) {
  const nonce = useNonce()
  return (
    <html lang="ru">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {title ? <title>{title}</title> : null}
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  )
}

export default function App() {
  return (
    <Document>
      <Outlet />
    </Document>
  )
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Неверный запрос',
  403: 'Доступ запрещён',
  404: 'Страница не найдена',
  405: 'Метод не поддерживается',
  429: 'Слишком много запросов',
}

export function ErrorBoundary() {
  const error = useRouteError()
  const status = isRouteErrorResponse(error) ? error.status : 500
  const heading = STATUS_TEXT[status] ?? 'Внутренняя ошибка'
  const detail =
    isRouteErrorResponse(error) && typeof error.data === 'string' && error.data
      ? error.data
      : status === 500
        ? 'Что-то пошло не так на сервере. Повторите попытку позже; если ошибка повторяется, сообщите в техподдержку, указав время.'
        : 'Проверьте адрес страницы.'
  return (
    <Document title={`${heading} — ФИС ОКО`}>
      <main className="error-page" role="main">
        <p className="error-code">{status}</p>
        <h1>{heading}</h1>
        <p>{detail}</p>
        <p>
          <a href="/cabinet">Вернуться в личный кабинет</a>
        </p>
      </main>
    </Document>
  )
}

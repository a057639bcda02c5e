import { Link, useSearchParams } from '@remix-run/react'

/** Previous/next links that keep the other query parameters. */
export function Pager({ page, pageSize, total }: { page: number; pageSize: number; total: number }) {
  const [params] = useSearchParams()
  const pages = Math.max(1, Math.ceil(total / pageSize))
  const href = (p: number) => {
    const next = new URLSearchParams(params)
    next.set('page', String(p))
    return `?${next}`
  }
  return (
    <nav className="pager" aria-label="Страницы">
      {page > 1 ? <Link to={href(page - 1)}>← Назад</Link> : <span />}
      <span>
        Страница {page} из {pages} · всего {total}
      </span>
      {page < pages ? <Link to={href(page + 1)}>Вперёд →</Link> : <span />}
    </nav>
  )
}

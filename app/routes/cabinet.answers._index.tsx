// The answer bank (банк ответов): search-as-you-type over ready answers with
// filters and facet counts. Works without JavaScript as a GET form; with it,
// typing fetches /api/search (debounced) and keeps the address in step.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useFetcher, useLoaderData } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import { hasSection } from '~/accounts/roles'
import { requireUser } from '~/accounts/session.server'
import styles from '~/search/answers.css'
import { STUDIES } from '~/search/answer-schema'
import { parseSearchParams, searchParamsFor } from '~/search/search-query'
import { AGENT_ROLES, searchDocuments, type SearchResult } from '~/search/search.server'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]

export const meta: MetaFunction = () => [{ title: 'Банк ответов — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  if (!hasSection(user.role, 'answers')) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  const parsed = parseSearchParams(new URL(request.url).searchParams, { facets: true })
  const result = await searchDocuments(user, {
    q: parsed.q,
    filters: parsed.filters,
    facets: parsed.facets,
    limit: parsed.limit,
    offset: (parsed.page - 1) * parsed.limit,
    prefix: false,
  })
  return json({
    q: parsed.q,
    filters: parsed.filters,
    page: parsed.page,
    limit: parsed.limit,
    result: { ...result, notices: [...parsed.notices, ...result.notices] },
    canEditSynonyms: user.role === 'ADMIN' || user.role === 'FIOKO_SPECIALIST',
    agent: AGENT_ROLES.includes(user.role),
  })
}

type Filters = ReturnType<typeof useLoaderData<typeof loader>>['filters']
type Result = Omit<SearchResult, 'hits'> & { hits: SearchResult['hits']; page: number; limit: number }

const FACET_LABELS = { study: 'Исследование', subject: 'Предмет', grade: 'Класс', task: 'Задание', year: 'Год' } as const
type SelectFacet = keyof typeof FACET_LABELS

function sortValues(field: SelectFacet, values: string[]) {
  if (field === 'study') return values.sort((a, b) => STUDIES.indexOf(a as never) - STUDIES.indexOf(b as never))
  if (field === 'grade' || field === 'year') return values.sort((a, b) => Number(a) - Number(b))
  if (field === 'task') return values.sort((a, b) => parseFloat(a) - parseFloat(b) || a.localeCompare(b, 'ru'))
  return values.sort((a, b) => a.localeCompare(b, 'ru'))
}

function FacetSelect({ field, counts, value, onChange }: { field: SelectFacet; counts: Record<string, number>; value: string; onChange: (v: string) => void }) {
  const values = sortValues(field, [...new Set([...Object.keys(counts), ...(value ? [value] : [])])])
  return (
    <label className="field">
      <span>{FACET_LABELS[field]}</span>
      <select name={field} value={value} onChange={(e) => onChange(e.target.value)} data-facet={field}>
        <option value="">Все</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {v} ({counts[v] ?? 0})
          </option>
        ))}
      </select>
    </label>
  )
}

export default function AnswerBank() {
  const initial = useLoaderData<typeof loader>()
  const fetcher = useFetcher<Result>()
  const [q, setQ] = useState(initial.q)
  const [filters, setFilters] = useState<Filters>(initial.filters)
  const [page, setPage] = useState(initial.page)
  const timer = useRef<ReturnType<typeof setTimeout>>()
  const first = useRef(true)

  // Initial data from the loader (also after a plain GET submit); later ones from /api/search.
  useEffect(() => {
    setQ(initial.q)
    setFilters(initial.filters)
    setPage(initial.page)
  }, [initial])

  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    clearTimeout(timer.current)
    timer.current = setTimeout(() => {
      const params = searchParamsFor({ q, filters, page })
      window.history.replaceState(window.history.state, '', `${window.location.pathname}${params.size ? `?${params}` : ''}`)
      params.set('facets', '1')
      fetcher.load(`/api/search?${params}`)
    }, 200)
    return () => clearTimeout(timer.current)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q, filters, page])

  const result: Result = fetcher.data ?? { ...initial.result, page: initial.page, limit: initial.limit }
  const pages = Math.max(1, Math.ceil(Math.min(result.total, 500) / result.limit))
  const set = (patch: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...patch }))
    setPage(1)
  }

  return (
    <>
      <div className="answers-head">
        <h1>Банк ответов</h1>
        {initial.canEditSynonyms ? <Link to="/cabinet/answers/synonyms">Синонимы поиска</Link> : null}
      </div>
      <p className="hint">
        Готовые ответы на вопросы по проверке и оцениванию работ. Начните вводить вопрос — результаты появятся сразу; опечатки и другие формы слов учитываются.
      </p>
      <Form method="get" className="answers-search" role="search" onSubmit={(e) => e.preventDefault()}>
        <label className="field answers-q">
          <span>Вопрос</span>
          <input
            name="q"
            type="search"
            value={q}
            onChange={(e) => {
              setQ(e.target.value)
              setPage(1)
            }}
            placeholder="например: можно ли не указывать единицы измерения в задании 5"
            autoComplete="off"
            maxLength={5000}
            aria-describedby="answers-status"
            data-testid="answers-q"
          />
        </label>
        <div className="toolbar answers-filters">
          {(Object.keys(FACET_LABELS) as SelectFacet[]).map((field) => (
            <FacetSelect
              key={field}
              field={field}
              counts={result.facets[field] ?? {}}
              value={filters[field] !== undefined ? String(filters[field]) : ''}
              onChange={(v) => set({ [field]: v === '' ? undefined : field === 'grade' || field === 'year' ? Number(v) : v })}
            />
          ))}
          <label className="checkbox">
            <input type="checkbox" name="official" value="1" checked={!!filters.officialOnly} onChange={(e) => set({ officialOnly: e.target.checked || undefined })} />
            Только официальные ({result.facets.official?.true ?? 0})
          </label>
          <noscript>
            <button type="submit" className="button">
              Найти
            </button>
          </noscript>
        </div>
      </Form>

      {result.notices.map((n) => (
        <p key={n} className="alert alert-warn" role="status">
          {n}
        </p>
      ))}
      <p id="answers-status" className="hint" role="status" aria-live="polite" data-testid="answers-total">
        {fetcher.state === 'loading' ? 'Поиск…' : result.total === 0 ? 'Ничего не найдено. Измените вопрос или снимите фильтры.' : `Найдено: ${result.total}`}
      </p>

      <ol className="answers-hits" data-testid="answers-hits">
        {result.hits.map((h) => (
          <li key={h.id} className={`card answers-hit${h.official ? ' official' : ''}`}>
            <h2>
              {/* The engine returns escaped text with <mark> around matches (search/highlight.ts). */}
              <Link to={h.url} dangerouslySetInnerHTML={{ __html: h.title }} />
            </h2>
            <p className="answers-meta">
              {h.official ? <span className="badge ok">Официальный ответ ФИОКО</span> : null}
              {h.kind === 'ticket' ? <span className="badge warn">Обращение (видно сотрудникам)</span> : null}
              {[h.study, h.subject, h.grade ? `${h.grade} класс` : null, h.task ? `задание ${h.task}` : null, h.year].filter(Boolean).join(' · ')}
            </p>
            <p className="answers-snippet" dangerouslySetInnerHTML={{ __html: h.snippet }} />
          </li>
        ))}
      </ol>
      {pages > 1 ? (
        <nav className="pager" aria-label="Страницы">
          {page > 1 ? (
            <Link to={`?${searchParamsFor({ q, filters, page: page - 1 })}`} onClick={(e) => (e.preventDefault(), setPage(page - 1))}>
              ← Назад
            </Link>
          ) : (
            <span />
          )}
          <span>
            Страница {page} из {pages}
          </span>
          {page < pages ? (
            <Link to={`?${searchParamsFor({ q, filters, page: page + 1 })}`} onClick={(e) => (e.preventDefault(), setPage(page + 1))}>
              Вперёд →
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </>
  )
}

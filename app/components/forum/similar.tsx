// «Похожие вопросы и готовые ответы» while a question is being written: the
// title and the body go to /api/search?mode=similar (the same search as the
// answer bank), debounced so that typing does not fire a request per key.
import { useFetcher } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import type { SearchHit } from '~/search/search.server'

interface SimilarResult {
  hits: SearchHit[]
  total: number
  notices: string[]
}

const MIN_CHARS = 8

export function useSimilar(text: string, filters: Record<string, string | number | undefined>, delayMs = 300) {
  const fetcher = useFetcher<SimilarResult>()
  const timer = useRef<ReturnType<typeof setTimeout>>()
  const load = useRef(fetcher.load)
  load.current = fetcher.load
  const key = JSON.stringify(filters)
  const trimmed = text.trim()
  useEffect(() => {
    clearTimeout(timer.current)
    if (trimmed.length < MIN_CHARS) return
    timer.current = setTimeout(() => {
      const params = new URLSearchParams({ q: trimmed.slice(0, 2000), limit: '6' })
      params.set('mode', 'similar')
      for (const [k, v] of Object.entries(JSON.parse(key) as Record<string, string | number | undefined>)) if (v !== undefined && v !== '') params.set(k, String(v))
      load.current(`/api/search?${params}`)
    }, delayMs)
    return () => clearTimeout(timer.current)
  }, [trimmed, key, delayMs])
  // Official answers first: they are the ones that settle a question.
  const hits = trimmed.length < MIN_CHARS ? [] : [...(fetcher.data?.hits ?? [])].sort((a, b) => Number(b.official) - Number(a.official))
  return { hits, loading: fetcher.state === 'loading', searched: trimmed.length >= MIN_CHARS && fetcher.data !== undefined }
}

/** The found questions and answers; links open in a new tab so the draft stays. */
export function SimilarList({ hits, loading, searched, empty }: { hits: SearchHit[]; loading: boolean; searched: boolean; empty?: string }) {
  return (
    <div aria-live="polite" data-testid="similar">
      {loading && hits.length === 0 ? <p className="hint small">Ищем похожие…</p> : null}
      {searched && !loading && hits.length === 0 && empty ? <p className="hint small">{empty}</p> : null}
      {hits.length ? (
        <ul className="similar">
          {hits.map((h) => (
            <li key={h.id} data-testid="similar-hit">
              {/* title and snippet are escaped by the engine, matches wrapped in <mark> (search/highlight.ts). */}
              <a href={h.url} target="_blank" rel="noopener" dangerouslySetInnerHTML={{ __html: h.title }} />
              <div className="meta">
                {h.official ? <span className="badge official">✓ Официальный ответ ФИОКО</span> : null}
                <span>{[h.subject, h.grade ? `${h.grade} класс` : null, h.task ? `задание ${h.task}` : null, h.year].filter(Boolean).join(' · ')}</span>
              </div>
              {h.snippet ? <div className="small snippet" dangerouslySetInnerHTML={{ __html: h.snippet }} /> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

// «Готовые ответы» on the desk's ticket page: the answer bank searched
// through /api/search (the same search as the bank page and the ask form),
// first for answers similar to the ticket, then for what the agent types.
// One click puts an answer (with its link) into the reply box; the agent
// reviews it and sends. Desk staff only: the page renders it for them alone.
import { useFetcher } from '@remix-run/react'
import { useEffect, useRef, useState } from 'react'
import { PANEL_SIZE, appendToReply, insertionText, officialFirst, type PanelHit } from '~/search/desk-bank'

interface Hit extends PanelHit {
  title: string
  snippet: string
  kind: string
  study: string | null
  subject: string | null
  grade: number | null
  task: string | null
  year: number | null
}
interface Result {
  hits: Hit[]
  notices: string[]
}

export function BankPanel({ seed, reply }: { seed: string; reply: React.RefObject<HTMLTextAreaElement> }) {
  const fetcher = useFetcher<Result>()
  const [q, setQ] = useState('')
  const [inserted, setInserted] = useState<string | null>(null)
  const timer = useRef<ReturnType<typeof setTimeout>>()

  // Empty box: answers similar to the ticket; otherwise search as you type.
  useEffect(() => {
    clearTimeout(timer.current)
    const typed = q.trim()
    const params = new URLSearchParams({ text: '1', limit: String(PANEL_SIZE) })
    if (typed) params.set('q', q)
    else {
      if (!seed) return
      params.set('q', seed)
      params.set('mode', 'similar')
    }
    timer.current = setTimeout(() => fetcher.load(`/api/search?${params}`), typed ? 250 : 0)
    return () => clearTimeout(timer.current)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q, seed])

  const hits = officialFirst(fetcher.data?.hits ?? [])
  const insert = (hit: Hit) => {
    const el = reply.current
    if (!el) return
    el.value = appendToReply(el.value, insertionText(hit, window.location.origin))
    el.focus()
    el.scrollIntoView({ block: 'center' })
    setInserted(hit.id)
  }

  return (
    <section className="card bank-panel" aria-labelledby="bank-panel-title" data-testid="bank-panel">
      <h2 id="bank-panel-title">Готовые ответы</h2>
      <label className="field">
        <span>{q.trim() ? 'Поиск в банке ответов' : 'Похожие на обращение; уточните поиском'}</span>
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Например: заменить загруженный файл" data-testid="bank-q" />
      </label>
      {fetcher.data?.notices.map((n) => (
        <p key={n} className="alert alert-warn small" role="status">
          {n}
        </p>
      ))}
      <p className="hint small" role="status" aria-live="polite">
        {fetcher.state === 'loading' ? 'Поиск…' : fetcher.data && hits.length === 0 ? 'Ничего не найдено.' : null}
        {inserted ? 'Ответ вставлен в текст ответа: проверьте его перед отправкой.' : null}
      </p>
      <ol className="bank-hits">
        {hits.map((h) => (
          <li key={h.id} className={`bank-hit${h.official ? ' official' : ''}`} data-testid="bank-hit">
            <h3>
              {/* Escaped by the engine, matches in <mark> (search/highlight.ts). */}
              <a href={h.url} target="_blank" rel="noreferrer" dangerouslySetInnerHTML={{ __html: h.title }} />
            </h3>
            <p className="answers-meta">
              {h.official ? <span className="badge ok">Официальный ответ</span> : null}
              {h.shareable ? null : <span className="badge warn">Только для сотрудников</span>}
              {[h.study, h.subject, h.grade ? `${h.grade} класс` : null, h.task ? `задание ${h.task}` : null, h.year].filter(Boolean).join(' · ')}
            </p>
            <p className="answers-snippet" dangerouslySetInnerHTML={{ __html: h.snippet }} />
            <button type="button" className="button small" disabled={!h.text} onClick={() => insert(h)} data-testid="bank-insert">
              Вставить в ответ
            </button>
          </li>
        ))}
      </ol>
    </section>
  )
}

// The search URL (`/api/search`, `/cabinet/answers`): one zod schema per
// parameter, read leniently. A value that does not parse is not an error
// page: it is left out and reported in Russian, and the search still runs.
import { z } from 'zod'
import { DOC_KINDS, FACET_FIELDS, MAX_LIMIT, MAX_QUERY_CHARS, STUDIES, type FacetField, type SearchFilters } from '../../search/engine.ts'
import { TaskNumber } from './answer-schema'

export const PAGE_SIZE = 10
const MAX_PAGE = 50

const params = {
  study: { label: 'исследование', schema: z.enum(STUDIES) },
  subject: { label: 'предмет', schema: z.string().trim().min(1).max(100) },
  grade: { label: 'класс', schema: z.coerce.number().int().min(1).max(11) },
  task: { label: 'задание', schema: TaskNumber },
  year: { label: 'год', schema: z.coerce.number().int().min(2000).max(2100) },
  kind: { label: 'тип', schema: z.enum(DOC_KINDS) },
} as const

const flag = z.enum(['1', 'true', 'on', 'yes', '0', 'false', 'off', 'no']).transform((v) => ['1', 'true', 'on', 'yes'].includes(v))

export interface ParsedSearch {
  q: string
  filters: SearchFilters
  page: number
  limit: number
  /** Search-as-you-type: the last word is a prefix. */
  prefix: boolean
  /** 'similar': documents like a long text (the ask form, the desk). */
  mode: 'search' | 'similar'
  facets: FacetField[]
  /** `text=1`: each hit also carries its answer's plain text (the desk inserts it into a reply). */
  withText: boolean
  notices: string[]
}

export function parseSearchParams(search: URLSearchParams, defaults: { facets?: boolean } = {}): ParsedSearch {
  const notices: string[] = []
  const raw = search.get('q') ?? ''
  if (raw.length > MAX_QUERY_CHARS) notices.push(`Запрос сокращён до ${MAX_QUERY_CHARS} символов.`)
  const filters: SearchFilters = {}
  for (const [key, { label, schema }] of Object.entries(params)) {
    const value = search.get(key)
    if (value === null || value.trim() === '') continue
    const parsed = schema.safeParse(value)
    if (parsed.success) Object.assign(filters, { [key]: parsed.data })
    else notices.push(`Фильтр «${label}»: значение «${value.slice(0, 40)}» не распознано и не применено.`)
  }
  const official = search.get('official')
  if (official) {
    const parsed = flag.safeParse(official)
    if (parsed.success) filters.officialOnly = parsed.data || undefined
    else notices.push(`Фильтр «только официальные»: значение «${official.slice(0, 40)}» не распознано и не применено.`)
  }
  const number = (name: string, min: number, max: number, fallback: number) => {
    const value = search.get(name)
    if (!value) return fallback
    const parsed = z.coerce.number().int().min(min).max(max).safeParse(value)
    return parsed.success ? parsed.data : fallback
  }
  const facetsParam = search.get('facets')
  const wantFacets = facetsParam === null ? defaults.facets === true : flag.safeParse(facetsParam).data === true
  return {
    q: raw.slice(0, MAX_QUERY_CHARS),
    filters,
    page: number('page', 1, MAX_PAGE, 1),
    limit: number('limit', 1, MAX_LIMIT, PAGE_SIZE),
    prefix: search.get('prefix') !== '0',
    mode: search.get('mode') === 'similar' ? 'similar' : 'search',
    facets: wantFacets ? FACET_FIELDS.filter((f) => f !== 'kind') : [],
    withText: flag.safeParse(search.get('text') ?? '').data === true,
    notices,
  }
}

/** The query string for a search state (links, the page's fetches). */
export function searchParamsFor(state: { q?: string; filters?: SearchFilters; page?: number }, extra: Record<string, string> = {}) {
  const out = new URLSearchParams()
  if (state.q) out.set('q', state.q)
  const f = state.filters ?? {}
  if (f.study) out.set('study', f.study)
  if (f.subject) out.set('subject', f.subject)
  if (f.grade !== undefined) out.set('grade', String(f.grade))
  if (f.task) out.set('task', f.task)
  if (f.year !== undefined) out.set('year', String(f.year))
  if (f.kind) out.set('kind', f.kind)
  if (f.officialOnly) out.set('official', '1')
  if (state.page && state.page > 1) out.set('page', String(state.page))
  for (const [k, v] of Object.entries(extra)) out.set(k, v)
  return out
}

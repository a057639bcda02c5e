// The Meilisearch engine (MEILI_URL), through the official client.
//
// Meilisearch does not stem Russian, so each document also carries its words
// as Snowball stems (`titleStems`, `stems`; the same algorithm as
// PostgreSQL's `russian` configuration) and queries are stemmed the same way:
// "учеников" and "ученик" meet at "ученик" in both engines. Typo tolerance,
// prefix search on the last word and synonyms (as stem phrases) are
// Meilisearch's own. Index settings are applied by code in init(). Writes
// wait for their task, so a search after index() sees the change. A reindex
// fills a new index and swaps it with the live one (swapIndexes).
import { Meilisearch, type Index, type MultiSearchQuery, type SearchResponse, type Settings } from 'meilisearch'
import { analyzeQuery, isStopWord, stem, stemSynonymGroups, tokenize } from './analyze.ts'
import {
  DEFAULT_LIMIT,
  FACET_FIELDS,
  MAX_LIMIT,
  type EngineHealth,
  type FacetCounts,
  type FacetField,
  type ReindexProgress,
  type ReindexResult,
  type SearchDoc,
  type SearchEngine,
  type SearchFilters,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
  type Viewer,
} from './engine.ts'
import { documentSnippet, escapeHtml, highlightText, wordMatcher } from './highlight.ts'

interface MeiliDoc {
  key: string
  id: string
  kind: SearchDoc['kind']
  sourceId: string
  url: string
  title: string
  question: string
  answer: string
  official: boolean
  officialRank: number
  study: string | null
  subject: string | null
  grade: number | null
  task: string | null
  year: number | null
  visibility: string
  orgIds: number[]
  updatedAt: number
  titleStems: string
  stems: string
}

/** Meilisearch ids allow [A-Za-z0-9_-] only. */
export function meiliKey(id: string) {
  const [kind, ...rest] = id.split(':')
  const source = rest.join(':')
  return /^[A-Za-z0-9_-]+$/.test(source) ? `${kind}-${source}` : `${kind}-x${Buffer.from(source).toString('hex')}`
}

function stemsOf(text: string) {
  return tokenize(text)
    .filter((w) => !isStopWord(w))
    .map(stem)
    .join(' ')
}

function toMeili(d: SearchDoc): MeiliDoc {
  const meta = [d.study, d.subject, d.grade !== null ? `${d.grade} класс` : '', d.task ? `задание ${d.task}` : ''].filter(Boolean).join(' ')
  return {
    key: meiliKey(d.id),
    id: d.id,
    kind: d.kind,
    sourceId: d.sourceId,
    url: d.url,
    title: d.title,
    question: d.question,
    answer: d.answer,
    official: d.official,
    officialRank: d.official ? 1 : 0,
    study: d.study,
    subject: d.subject,
    grade: d.grade,
    task: d.task,
    year: d.year,
    visibility: d.visibility,
    orgIds: d.orgIds,
    updatedAt: d.updatedAt.getTime(),
    titleStems: stemsOf(d.title),
    stems: `${stemsOf(d.question)} ${stemsOf(d.answer)} ${stemsOf(meta)}`.trim(),
  }
}

const FILTERABLE: FacetField[] = [...FACET_FIELDS]

export function indexSettings(synonyms: Record<string, string[]>): Settings {
  return {
    searchableAttributes: ['titleStems', 'stems'],
    filterableAttributes: [...FILTERABLE, 'visibility', 'orgIds'],
    sortableAttributes: ['officialRank', 'updatedAt'],
    displayedAttributes: ['*'],
    // Official answers first among comparable matches (same words, typos, proximity, attribute).
    rankingRules: ['words', 'typo', 'proximity', 'attribute', 'officialRank:desc', 'exactness', 'sort'],
    typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 }, disableOnNumbers: true },
    synonyms,
    localizedAttributes: [{ attributePatterns: ['titleStems', 'stems', 'title', 'question', 'answer'], locales: ['rus'] }],
    faceting: { maxValuesPerFacet: 200 },
    pagination: { maxTotalHits: 5000 },
  }
}

/** Synonym groups as Meilisearch wants them: each member (a stem phrase) maps to the others. */
export function meiliSynonyms(groups: string[][]): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const g of stemSynonymGroups(groups)) {
    const members = g.members.map((m) => m.join(' '))
    for (const m of members) out[m] = [...new Set([...(out[m] ?? []), ...members.filter((o) => o !== m)])]
  }
  return out
}

function quote(value: string | number | boolean) {
  return typeof value === 'string' ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : String(value)
}

export class MeiliEngine implements SearchEngine {
  readonly name = 'meilisearch' as const
  private readonly client: Meilisearch
  private readonly uid: string
  private synonyms: Record<string, string[]> = {}
  private synonymGroups: string[][] = []

  constructor(options: { host: string; apiKey?: string; indexUid?: string }) {
    this.client = new Meilisearch({ host: options.host, apiKey: options.apiKey })
    this.uid = options.indexUid ?? 'oko_documents'
  }

  private live(): Index<MeiliDoc> {
    return this.client.index<MeiliDoc>(this.uid)
  }

  private async ensureIndex(uid: string) {
    try {
      await this.client.getIndex(uid)
    } catch {
      await this.client.createIndex(uid, { primaryKey: 'key' }).waitTask()
    }
    await this.client.index(uid).updateSettings(indexSettings(this.synonyms)).waitTask()
  }

  async init() {
    await this.ensureIndex(this.uid)
  }

  async setSynonyms(groups: string[][]) {
    this.synonymGroups = groups
    this.synonyms = meiliSynonyms(groups)
    await this.live().updateSynonyms(this.synonyms).waitTask()
  }

  async index(docs: SearchDoc[]) {
    if (docs.length === 0) return
    const task = await this.live().addDocuments(docs.map(toMeili), { primaryKey: 'key' }).waitTask()
    if (task.status !== 'succeeded') throw new Error(`Meilisearch: indexing failed: ${task.error?.message ?? task.status}`)
  }

  async remove(ids: string[]) {
    if (ids.length === 0) return
    const task = await this.client.index(this.uid).deleteDocuments(ids.map(meiliKey)).waitTask()
    if (task.status !== 'succeeded') throw new Error(`Meilisearch: removal failed: ${task.error?.message ?? task.status}`)
  }

  private filterFor(viewer: Viewer, filters: SearchFilters, skip?: FacetField): string[] {
    const f: string[] = []
    if (!viewer.agents) {
      f.push(`visibility = "public"`)
      f.push(viewer.orgIds.length ? `(orgIds IS EMPTY OR orgIds IN [${viewer.orgIds.join(', ')}])` : 'orgIds IS EMPTY')
    }
    if (filters.kind && skip !== 'kind') f.push(`kind = ${quote(filters.kind)}`)
    if (filters.study && skip !== 'study') f.push(`study = ${quote(filters.study)}`)
    if (filters.subject && skip !== 'subject') f.push(`subject = ${quote(filters.subject)}`)
    if (filters.grade !== undefined && skip !== 'grade') f.push(`grade = ${quote(filters.grade)}`)
    if (filters.task && skip !== 'task') f.push(`task = ${quote(filters.task)}`)
    if (filters.year !== undefined && skip !== 'year') f.push(`year = ${quote(filters.year)}`)
    if (filters.officialOnly && skip !== 'official') f.push('official = true')
    return f
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const started = performance.now()
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT)
    const offset = Math.min(Math.max(query.offset ?? 0, 0), 1000)
    const filters = query.filters ?? {}
    const analyzed = analyzeQuery(query.q ?? '', { prefix: query.prefix !== false })
    const notices = analyzed.shortened ? ['Запрос очень длинный: искали по самым значимым словам.'] : []
    // Stems, as the documents' stem fields hold; the word being typed stays a prefix (Meilisearch's last-word prefix).
    const words = analyzed.words.filter((w) => w.prefix || !isStopWord(w.text))
    const q = words.map((w) => (w.prefix ? (stem(w.text).length >= 2 ? stem(w.text) : w.text) : stem(w.text))).join(' ')
    const empty = q.trim() === ''
    const wanted = (query.facets ?? []).filter((f) => FILTERABLE.includes(f))
    const base: MultiSearchQuery = {
      indexUid: this.uid,
      q,
      limit,
      offset,
      filter: this.filterFor(query.viewer, filters),
      matchingStrategy: query.match === 'any' ? 'frequency' : 'last',
      showRankingScore: true,
      locales: ['rus'],
      ...(empty ? { sort: ['officialRank:desc', 'updatedAt:desc'] } : {}),
    }
    const queries: MultiSearchQuery[] = [{ ...base, facets: wanted.filter((f) => !this.isFiltered(filters, f)) }]
    const separate = wanted.filter((f) => this.isFiltered(filters, f))
    for (const f of separate) queries.push({ ...base, limit: 0, offset: 0, facets: [f], filter: this.filterFor(query.viewer, filters, f) })
    const { results } = await this.client.multiSearch({ queries })
    const main = results[0] as unknown as SearchResponse<MeiliDoc>
    const facets: FacetCounts = {}
    const collect = (r: SearchResponse<MeiliDoc>, fields: FacetField[]) => {
      for (const f of fields) facets[f] = { ...(r.facetDistribution?.[f] ?? {}) }
    }
    collect(main, queries[0].facets as FacetField[])
    separate.forEach((f, i) => collect(results[i + 1] as unknown as SearchResponse<MeiliDoc>, [f]))

    const synonymStems = stemSynonymGroups(this.synonymGroups)
      .filter((g) => g.members.some((m) => m.every((s) => words.some((w) => stem(w.text) === s))))
      .flatMap((g) => g.members.flat())
    const matches = wordMatcher({
      stems: [...words.filter((w) => !w.prefix).map((w) => stem(w.text)), ...synonymStems],
      prefixes: words.filter((w) => w.prefix).map((w) => w.text),
      fuzzy: words.filter((w) => !w.prefix).map((w) => w.text),
    })
    const highlight = query.highlight !== false && !empty
    const hits: SearchHit[] = main.hits.map((h) => ({
      id: h.id,
      kind: h.kind,
      sourceId: h.sourceId,
      url: h.url,
      score: h._rankingScore ?? 0,
      title: highlight ? highlightText(h.title, matches) : escapeHtml(h.title),
      snippet: documentSnippet(h, highlight ? matches : () => false),
      official: h.official,
      study: h.study,
      subject: h.subject,
      grade: h.grade,
      task: h.task,
      year: h.year,
    }))
    return { hits, facets, total: main.estimatedTotalHits ?? main.totalHits ?? hits.length, tookMs: Math.round((performance.now() - started) * 10) / 10, notices }
  }

  private isFiltered(filters: SearchFilters, f: FacetField) {
    if (f === 'official') return !!filters.officialOnly
    return filters[f as keyof SearchFilters] !== undefined && filters[f as keyof SearchFilters] !== ''
  }

  async similar(text: string, options: { filters?: SearchFilters; limit?: number; viewer: Viewer }): Promise<SearchHit[]> {
    const result = await this.search({ q: text, filters: options.filters, limit: options.limit ?? 5, viewer: options.viewer, prefix: false, match: 'any' })
    return result.hits
  }

  async health(): Promise<EngineHealth> {
    try {
      await this.client.health()
      const stats = await this.client.index(this.uid).getStats()
      return { engine: 'meilisearch', status: 'ok', documents: stats.numberOfDocuments }
    } catch (error) {
      return { engine: 'meilisearch', status: 'error', detail: (error as Error).message }
    }
  }

  async reindex(from: AsyncIterable<SearchDoc[]>, onProgress?: (p: ReindexProgress) => void, total?: number): Promise<ReindexResult> {
    const started = performance.now()
    const next = `${this.uid}_next`
    await this.client.deleteIndexIfExists(next)
    await this.ensureIndex(next)
    let done = 0
    let last: Promise<unknown> = Promise.resolve()
    for await (const batch of from) {
      await last
      last = this.client
        .index<MeiliDoc>(next)
        .addDocuments(batch.map(toMeili), { primaryKey: 'key' })
        .waitTask()
        .then((t) => {
          if (t.status !== 'succeeded') throw new Error(`Meilisearch: reindex batch failed: ${t.error?.message ?? t.status}`)
        })
      done += batch.length
      onProgress?.({ done, total })
    }
    await last
    await this.ensureIndex(this.uid)
    const swap = await this.client.swapIndexes([{ indexes: [this.uid, next], rename: false }]).waitTask()
    if (swap.status !== 'succeeded') throw new Error(`Meilisearch: swap failed: ${swap.error?.message ?? swap.status}`)
    await this.client.deleteIndex(next).waitTask()
    return { documents: done, seconds: (performance.now() - started) / 1000 }
  }

  /** Tests: drop the index. */
  async drop() {
    await this.client.deleteIndexIfExists(this.uid)
    await this.client.deleteIndexIfExists(`${this.uid}_next`)
  }

  async close() {}
}

// The search engine interface (issue 4). Two engines implement it: PostgreSQL
// full-text search (search/postgres.ts, the embedded default) and Meilisearch
// (search/meilisearch.ts, when MEILI_URL is set). The app reaches search only
// through app/search/search.server.ts; the contract tests (search/contract.test.ts)
// hold both engines to the same behaviour.

/** What a document is: a bank entry, a forum question with its answer, a support-forum topic, a resolved ticket. */
export const DOC_KINDS = ['answer', 'question', 'topic', 'ticket'] as const
export type DocKind = (typeof DOC_KINDS)[number]

/** 'public': every signed-in person; 'agents': support agents, ФИОКО and administrators only. */
export const VISIBILITIES = ['public', 'agents'] as const
export type Visibility = (typeof VISIBILITIES)[number]

/** Studies (исследования) of ФИС ОКО, the values of the `study` filter. */
export const STUDIES = ['ВПР', 'ВПР СПО', 'НИКО', 'МСИ', 'ИКУ', 'ФГККО', '500+', 'МУМ'] as const
export type Study = (typeof STUDIES)[number]

/**
 * One searchable document. A forum question and its accepted/official answer
 * are one document; so is a bank entry. Text fields are plain text (user
 * content is converted from Lexical JSON before it gets here).
 */
export interface SearchDoc {
  /** `<kind>:<sourceId>`, stable across reindexes. */
  id: string
  kind: DocKind
  sourceId: string
  /** Where the result links to (the thread, the bank entry, the ticket). */
  url: string
  title: string
  /** The question's full text when it is longer than the title ('' otherwise). */
  question: string
  answer: string
  official: boolean
  study: string | null
  subject: string | null
  grade: number | null
  /** Task number as printed: "5", "4К1". */
  task: string | null
  year: number | null
  visibility: Visibility
  /**
   * Organisations whose people may see the document besides the visibility
   * rule; empty means no such limit. (Tickets will carry their organisation.)
   */
  orgIds: number[]
  updatedAt: Date
}

export const docId = (kind: DocKind, sourceId: string | number) => `${kind}:${sourceId}`

/** Who is searching. Applied inside the engine's query, never after it. */
export interface Viewer {
  /** Support agents, ФИОКО and administrators: also 'agents' documents, and every organisation's. */
  agents: boolean
  /** The viewer's organisation and its ancestors (documents limited to organisations). */
  orgIds: number[]
}

export const FACET_FIELDS = ['study', 'subject', 'grade', 'task', 'year', 'official', 'kind'] as const
export type FacetField = (typeof FACET_FIELDS)[number]

export interface SearchFilters {
  study?: string
  subject?: string
  grade?: number
  task?: string
  year?: number
  officialOnly?: boolean
  kind?: DocKind
}

export interface SearchQuery {
  q: string
  filters?: SearchFilters
  /** Facet fields to count over the matching documents (each ignoring its own filter). */
  facets?: FacetField[]
  /** Highlight matches with <mark> in title and snippet (default true). */
  highlight?: boolean
  limit?: number
  offset?: number
  viewer: Viewer
  /**
   * Search-as-you-type: the last word is a prefix unless the query ends with
   * a space (default true).
   */
  prefix?: boolean
  /**
   * 'all' (default): documents with every meaningful word first, then, if
   * too few, those with most of them. 'any': ranked by how many of the
   * words a document has (similar questions, long pasted text).
   */
  match?: 'all' | 'any'
}

export interface SearchHit {
  id: string
  kind: DocKind
  sourceId: string
  url: string
  score: number
  /** Safe HTML: the title escaped, matches wrapped in <mark>. */
  title: string
  /** Safe HTML: the best passage of the answer (or question), escaped, matches in <mark>. */
  snippet: string
  official: boolean
  study: string | null
  subject: string | null
  grade: number | null
  task: string | null
  year: number | null
}

export type FacetCounts = Partial<Record<FacetField, Record<string, number>>>

export interface SearchResult {
  hits: SearchHit[]
  facets: FacetCounts
  total: number
  tookMs: number
  /** Russian notes for the person: a shortened query, an ignored filter. */
  notices: string[]
}

export interface EngineHealth {
  engine: 'postgres' | 'meilisearch'
  status: 'ok' | 'error'
  documents?: number
  detail?: string
}

export interface ReindexProgress {
  done: number
  total?: number
}

export interface ReindexResult {
  documents: number
  seconds: number
}

export interface SearchEngine {
  readonly name: 'postgres' | 'meilisearch'
  /** Applies index settings / checks the schema. Idempotent. */
  init(): Promise<void>
  /** Adds or replaces documents; visible to search when the promise resolves (read-your-write). */
  index(docs: SearchDoc[]): Promise<void>
  /** Removes documents by id; unknown ids are ignored. */
  remove(ids: string[]): Promise<void>
  search(query: SearchQuery): Promise<SearchResult>
  /** Documents similar to a text (the forum's ask form, the desk): 'any' matching, no prefix. */
  similar(text: string, options: { filters?: SearchFilters; limit?: number; viewer: Viewer }): Promise<SearchHit[]>
  health(): Promise<EngineHealth>
  /**
   * Builds a new index from `from` and switches to it at once when complete;
   * searches keep answering from the old index meanwhile.
   */
  reindex(from: AsyncIterable<SearchDoc[]>, onProgress?: (p: ReindexProgress) => void, total?: number): Promise<ReindexResult>
  /** Replaces the synonym groups the engine expands queries with. */
  setSynonyms(groups: string[][]): Promise<void>
  close(): Promise<void>
}

/** Longest query text looked at; the rest of a pasted criterion is dropped. */
export const MAX_QUERY_CHARS = 5000

export const DEFAULT_LIMIT = 10
export const MAX_LIMIT = 50

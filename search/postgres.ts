// The PostgreSQL engine (the embedded default; also on a real server).
//
// Matching: the `russian` text-search configuration (Snowball stems) on a
// tsvector with ё folded, written by search_document_tsv() (migration
// 20261126130000_search).
// A query is turned into "slots", one per meaningful word; a slot is an OR of
// alternatives: the word's lexeme, lexemes of vocabulary words within its
// typo budget (the nearest SearchWord words by trigram distance, then edit distance), a
// prefix (`lexeme:*`) for the word being typed, and synonym groups (which may
// span several words). The tsquery is built from lexemes Postgres produced
// from sanitised words, and always passed as a parameter.
//
// Ranking: first every slot must match (AND); when that yields too few
// documents, documents matching most slots follow (OR over the selective
// slots, ordered by IDF-weighted coverage). Within the same coverage, ts_rank
// (title A > question B > answer C > tags D) with official answers weighted
// up, so an official answer comes first among comparable matches.
//
// Storage: a narrow row per document (filters and the tsvector) so that the
// table stays in PostgreSQL's buffers at 100,000 documents; the texts are in
// SearchDocumentText, read for the page of results only.
//
// Reindex without downtime: documents are loaded into shadow tables
// (SearchDocument_next, SearchDocumentText_next, SearchWord_next) while
// searches keep reading the live ones; one short transaction then drops the
// live tables and renames the shadows (and their indexes) into place. Changes made while the build runs
// are replayed from the outbox by the caller (app/search/outbox.server.ts).
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { analyzeQuery, editDistance, stem, tokenize, typoBudget, isStopWord, matchSynonyms, type StemmedSynonymGroup } from './analyze.ts'
import {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  FACET_FIELDS,
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

/** The little SQL surface the engine needs (a pg Pool fits; tests may pass their own). */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>
  /** Runs `fn` on one connection between BEGIN and COMMIT. */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T>
  end(): Promise<void>
}

export function pgSql(options: { connectionString: string; max?: number }): Sql {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 4 })
  // An idle client's error (the server restarted) must not crash the process.
  pool.on('error', () => undefined)
  const onClient = (client: pg.PoolClient): Sql => ({
    async query<T>(text: string, params?: unknown[]) {
      return (await client.query(text, params as unknown[])).rows as T[]
    },
    transaction: () => {
      throw new Error('nested transactions are not supported')
    },
    end: async () => undefined,
  })
  return {
    async query<T>(text: string, params?: unknown[]) {
      // Without parameters pg uses the simple protocol: one wire message.
      return (params?.length ? await pool.query(text, params) : await pool.query(text)).rows as T[]
    },
    async transaction<T>(fn: (sql: Sql) => Promise<T>) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await fn(onClient(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        client.release()
      }
    },
    end: () => pool.end(),
  }
}

const DOCS = '"SearchDocument"'
const TEXTS = '"SearchDocumentText"'
const WORDS = '"SearchWord"'
/** Index names the migration gives; a reindex builds the same ones on the shadow table. */
const DOC_INDEXES = [
  { name: 'SearchDocument_tsv_idx', def: (t: string) => `CREATE INDEX "%" ON ${t} USING GIN ("tsv")` },
  { name: 'SearchDocument_kind_visibility_idx', def: (t: string) => `CREATE INDEX "%" ON ${t} ("kind", "visibility")` },
]
const WORD_INDEXES = [{ name: 'SearchWord_word_idx', def: (t: string) => `CREATE INDEX "%" ON ${t} USING GIST ("word" gist_trgm_ops)` }]

/** Words shorter than this are not typo-corrected; longer ones are not words. */
const MIN_WORD = 3
const MAX_WORD = 30
/**
 * Typo candidates of a query word: the nearest vocabulary words by trigram
 * distance (an index-ordered scan of the GiST index on SearchWord.word, which
 * reads a few index pages however large the vocabulary is), kept when their
 * similarity reaches pg_trgm's default threshold; edit distance judges them.
 * Not `word % q`: the planner did not use the trigram index for it and compared
 * the query word with every vocabulary word (~4 ms per cold lookup at 100,000
 * documents on PGlite, against under 1 ms).
 */
const NEAR_WORDS = 8
const SIMILARITY = 0.3

/** The typo candidates' statement: vocabulary words nearest to `word` (an SQL expression), with their trigram distance `d`. */
export function nearWords(table: string, word: string) {
  return `SELECT word, lexeme, ndoc, word <-> ${word} AS d FROM ${table} WHERE word !~ '[0-9]' ORDER BY word <-> ${word} LIMIT ${NEAR_WORDS}`
}
const OFFICIAL_BOOST = 1.5
/** A word in more than this share of documents does not widen the last-resort OR query. */
const COMMON_SHARE = 0.2
/**
 * At most this many matching documents are ranked. A query whose words are in
 * more documents than that (one common word) ranks an arbitrary subset of
 * them and reports the total as "at least" this many: ranking every match
 * would cost tens of milliseconds per thousand documents on PGlite.
 */
export const CANDIDATES = 1000
/** Facets are counted over at most this many matches. */
export const FACET_CANDIDATES = 5000
const BATCH = 500
/** Words whose lexemes, vocabulary counts and typo candidates are remembered (see WordCache). */
const WORD_CACHE_SIZE = 5000
const WORD_CACHE_TTL_MS = 60_000

interface Term {
  lexeme: string
  prefix: boolean
}
/** OR of terms. */
type Part = Term[]
/** AND of parts. */
type Alternative = Part[]
interface Slot {
  alternatives: Alternative[]
  /** Documents holding the slot's commonest word (approximate; 0 when unknown). */
  df: number
  /** Known to match nothing (no lexeme, no typo candidate): dropped from OR queries. */
  dead: boolean
}

function quoteLexeme(t: Term) {
  return `'${t.lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'${t.prefix ? ':*' : ''}`
}
function partText(p: Part) {
  const terms = [...new Map(p.map((t) => [quoteLexeme(t), t])).keys()]
  return terms.length === 1 ? terms[0] : `(${terms.join(' | ')})`
}
function alternativeText(a: Alternative) {
  return a.length === 1 ? partText(a[0]) : `(${a.map(partText).join(' & ')})`
}
function slotText(s: Slot) {
  const alts = [...new Set(s.alternatives.map(alternativeText))]
  return alts.length === 1 ? alts[0] : `(${alts.join(' | ')})`
}

/** Lexemes and prefixes a slot matches (for highlighting). */
function slotTerms(slots: Slot[]) {
  const stems = new Set<string>()
  const prefixes = new Set<string>()
  for (const s of slots) for (const a of s.alternatives) for (const p of a) for (const t of p) (t.prefix ? prefixes : stems).add(t.lexeme)
  return { stems, prefixes }
}

/** A ranked row: the document's shown fields plus its score and the match count. */
type DocRow = Pick<
  SearchDoc,
  'id' | 'kind' | 'sourceId' | 'url' | 'title' | 'question' | 'answer' | 'official' | 'study' | 'subject' | 'grade' | 'task' | 'year'
> & { score: number; total: string }

/**
 * A JSON payload as a dollar-quoted SQL literal with a random tag it does not
 * contain. Bulk writes go as one simple-protocol message this way: PGlite's
 * socket server runs each wire message separately, so a large Parse/Bind pair
 * arriving in chunks could interleave with another connection's statements.
 */
function jsonLiteral(value: unknown) {
  const text = JSON.stringify(value)
  let tag: string
  do tag = `$j${randomBytes(6).toString('hex')}$`
  while (text.includes(tag))
  return `${tag}${text}${tag}::jsonb`
}

/** Removes characters that have no business in indexed text (NUL breaks PostgreSQL text). */
function cleanText(text: string) {
  return text.replace(/\u0000/g, '').replace(/[\u0001-\u0008\u000b\u000c\u000e-\u001f]/g, ' ')
}

function docRecord(d: SearchDoc) {
  return {
    id: d.id,
    kind: d.kind,
    sourceId: d.sourceId,
    url: d.url,
    title: cleanText(d.title),
    question: cleanText(d.question),
    answer: cleanText(d.answer),
    official: d.official,
    study: d.study,
    subject: d.subject,
    grade: d.grade,
    task: d.task,
    year: d.year,
    visibility: d.visibility,
    orgIds: d.orgIds,
    updatedAt: d.updatedAt.toISOString(),
  }
}

const RECORD_COLUMNS = `id text, kind text, "sourceId" text, url text, title text, question text, answer text, official boolean,
  study text, subject text, grade int, task text, year int, visibility text, "orgIds" int[], "updatedAt" timestamptz`
const INSERT_COLUMNS = `id, kind, "sourceId", url, official, study, subject, grade, task, year, visibility, "orgIds", "updatedAt"`
const SELECT_RECORD = `x.id, x.kind, x."sourceId", x.url, x.official, x.study, x.subject, x.grade, x.task, x.year,
  x.visibility::"SearchVisibility", coalesce(x."orgIds", '{}'), x."updatedAt" AT TIME ZONE 'UTC'`

/** Distinct words of documents worth keeping for typo correction, with how many documents hold each word's stem. */
function vocabulary(docs: SearchDoc[], into = new Map<string, Set<string>>(), stemCounts = new Map<string, number>()) {
  for (const d of docs) {
    const stems = new Set<string>()
    for (const w of tokenize(`${d.title} ${d.question} ${d.answer} ${d.subject ?? ''}`)) {
      // Numbers and task codes are kept (for their document counts), short words and stop words are not.
      if ((w.length < MIN_WORD && !/\d/.test(w)) || w.length > MAX_WORD || isStopWord(w)) continue
      const s = stem(w)
      stems.add(s)
      let forms = into.get(s)
      if (!forms) into.set(s, (forms = new Set()))
      forms.add(w)
    }
    for (const s of stems) stemCounts.set(s, (stemCounts.get(s) ?? 0) + 1)
  }
  return { forms: into, stemCounts }
}

/** What the vocabulary says about one query word (one row of buildSlots' statement). */
interface WordFacts {
  lex: string[]
  known: { ndoc: number } | null
  prefixKnown: boolean | null
  near: { w: string; l: string; n: number }[] | null
}

/**
 * The vocabulary lookup of query words (lexemes, document counts, typo
 * candidates by trigram similarity), remembered per word: it was a round trip
 * and a scan of SearchWord on every keystroke, and the same words recur.
 * Forgotten when this process adds words to the vocabulary or rebuilds it, and
 * after a minute (another process may have added words; the document counts
 * only order words by rarity, so a minute-old count does no harm).
 */
class WordCache {
  private entries = new Map<string, { facts: WordFacts; at: number }>()

  get(key: string) {
    const e = this.entries.get(key)
    if (!e) return undefined
    if (Date.now() - e.at > WORD_CACHE_TTL_MS) {
      this.entries.delete(key)
      return undefined
    }
    // Least recently used goes first: move to the end.
    this.entries.delete(key)
    this.entries.set(key, e)
    return e.facts
  }

  set(key: string, facts: WordFacts) {
    this.entries.delete(key)
    this.entries.set(key, { facts, at: Date.now() })
    if (this.entries.size > WORD_CACHE_SIZE) this.entries.delete(this.entries.keys().next().value!)
  }

  clear() {
    this.entries.clear()
  }
}

export class PostgresEngine implements SearchEngine {
  readonly name = 'postgres' as const
  private synonyms: { groups: StemmedSynonymGroup[]; loadedAt: number } | null = null
  private docCount: { n: number; at: number } | null = null
  private readonly words = new WordCache()

  constructor(
    private readonly sql: Sql,
    private readonly options: { ownsSql?: boolean; synonymTtlMs?: number } = {},
  ) {}

  async init() {
    await this.sql.query(`SELECT 1 FROM ${DOCS} LIMIT 0`)
    await this.loadSynonyms()
  }

  /**
   * Synonym groups as PostgreSQL lexeme sequences: the given groups, or the
   * SearchSynonym table (which administrators edit; re-read every minute so
   * that other processes see an edit too).
   */
  private async loadSynonyms(groups?: string[][]): Promise<StemmedSynonymGroup[]> {
    const source = groups
      ? `SELECT g.ord AS id, ARRAY(SELECT jsonb_array_elements_text(g.terms)) AS terms FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS g(terms, ord)`
      : `SELECT id, terms FROM "SearchSynonym"`
    const rows = await this.sql.query<{ id: number; members: string[][] | null }>(
      `SELECT s.id, (SELECT json_agg(lx ORDER BY m.ord) FROM unnest(s.terms) WITH ORDINALITY AS m(term, ord),
           LATERAL (SELECT array_agg(u.lexeme ORDER BY u.positions[1]) AS lx FROM unnest(to_tsvector('russian', translate(m.term, 'ёЁ', 'еЕ'))) u) l
           WHERE l.lx IS NOT NULL) AS members
       FROM (${source}) s ORDER BY s.id`,
      groups ? [JSON.stringify(groups)] : [],
    )
    const stemmed = rows.map((r) => ({ members: (r.members ?? []).filter((m) => m.length > 0) })).filter((g) => g.members.length > 1)
    this.synonyms = { groups: stemmed, loadedAt: Date.now() }
    return stemmed
  }

  private async synonymGroups() {
    const ttl = this.options.synonymTtlMs ?? 60_000
    if (!this.synonyms || Date.now() - this.synonyms.loadedAt > ttl) return this.loadSynonyms()
    return this.synonyms.groups
  }

  /** Uses these groups now (the caller has saved them in SearchSynonym, which later refreshes read). */
  async setSynonyms(groups: string[][]) {
    await this.loadSynonyms(groups)
  }

  private async documentCount() {
    if (this.docCount && Date.now() - this.docCount.at < 60_000) return this.docCount.n
    const [row] = await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${DOCS}`)
    this.docCount = { n: row.n, at: Date.now() }
    return row.n
  }

  async index(docs: SearchDoc[]) {
    for (let i = 0; i < docs.length; i += BATCH) {
      const batch = docs.slice(i, i + BATCH)
      await this.insertDocs(batch)
      const { forms, stemCounts } = vocabulary(batch)
      if ((await this.insertWords(WORDS, forms, stemCounts, 'add')) > 0) this.words.clear()
    }
    await this.cleanPendingList('"SearchDocument_tsv_idx"')
    this.docCount = null
  }

  /**
   * Moves the GIN index's pending list (where fastupdate puts new entries,
   * up to gin_pending_list_limit, 4 MB) into the index proper. Every search
   * reads the whole pending list; after loading many documents that was most
   * of a short query's time. Not fatal when refused (a role that does not own
   * the index): the list is still merged when it fills up or at VACUUM.
   */
  private async cleanPendingList(index: string) {
    await this.sql.query(`SELECT gin_clean_pending_list('${index}'::regclass)`).catch(() => undefined)
  }

  /** Upserts documents: their narrow search row (with the tsvector) and their texts. */
  private async insertDocs(docs: SearchDoc[], tables: { docs: string; texts: string } = { docs: DOCS, texts: TEXTS }) {
    await this.sql.query(
      `WITH x AS (SELECT * FROM jsonb_to_recordset(${jsonLiteral(docs.map(docRecord))}) AS x(${RECORD_COLUMNS})),
       t AS (INSERT INTO ${tables.texts} (id, title, question, answer) SELECT x.id, x.title, x.question, x.answer FROM x
             ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, question = EXCLUDED.question, answer = EXCLUDED.answer)
       INSERT INTO ${tables.docs} (${INSERT_COLUMNS}, tsv)
       SELECT ${SELECT_RECORD}, search_document_tsv(x.title, x.question, x.answer, x.study, x.subject, x.grade, x.task) FROM x
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, "sourceId" = EXCLUDED."sourceId", url = EXCLUDED.url, official = EXCLUDED.official,
         study = EXCLUDED.study, subject = EXCLUDED.subject, grade = EXCLUDED.grade, task = EXCLUDED.task, year = EXCLUDED.year,
         visibility = EXCLUDED.visibility, "orgIds" = EXCLUDED."orgIds", "updatedAt" = EXCLUDED."updatedAt", tsv = EXCLUDED.tsv`,
    )
  }

  /** Adds words to the vocabulary; returns how many were new to it. */
  private async insertWords(table: string, forms: Map<string, Set<string>>, stemCounts: Map<string, number>, mode: 'add' | 'set') {
    let added = 0
    const words: string[] = []
    const counts: number[] = []
    for (const [s, set] of forms) for (const w of set) {
      words.push(w)
      counts.push(stemCounts.get(s) ?? 1)
    }
    for (let i = 0; i < words.length; i += 5000) {
      const [row] = await this.sql.query<{ added: number }>(
        `WITH ins AS (INSERT INTO ${table} (word, lexeme, ndoc)
         SELECT t.w, l.lexeme, t.n FROM jsonb_to_recordset(${jsonLiteral(words.slice(i, i + 5000).map((w, k) => ({ w, n: counts[i + k] })))}) AS t(w text, n int),
           LATERAL (SELECT (tsvector_to_array(to_tsvector('russian', t.w)))[1] AS lexeme) l
         WHERE l.lexeme IS NOT NULL
         ON CONFLICT (word) DO ${mode === 'add' ? `UPDATE SET ndoc = ${table}.ndoc + 1` : 'NOTHING'}
         RETURNING (xmax = 0) AS fresh)
         SELECT count(*) FILTER (WHERE fresh)::int AS added FROM ins`,
      )
      added += row?.added ?? 0
    }
    return added
  }

  async remove(ids: string[]) {
    if (ids.length === 0) return
    await this.sql.query(`WITH t AS (DELETE FROM ${TEXTS} WHERE id = ANY($1::text[])) DELETE FROM ${DOCS} WHERE id = ANY($1::text[])`, [ids])
    this.docCount = null
  }

  /** Turns analysed query words into slots, with one round trip for lexemes, vocabulary and typo candidates. */
  private async buildSlots(words: { text: string; prefix: boolean }[]): Promise<{ slots: Slot[]; corrected: string[] }> {
    if (words.length === 0) return { slots: [], corrected: [] }
    const keyOf = (w: { text: string; prefix: boolean }) => `${w.prefix ? '*' : ' '}${w.text}`
    const rows: WordFacts[] = words.map((w) => this.words.get(keyOf(w))!)
    const missing = words.filter((_, i) => !rows[i])
    if (missing.length) {
      const found = await this.lookUpWords(missing)
      let k = 0
      words.forEach((w, i) => {
        if (rows[i]) return
        rows[i] = found[k++]
        this.words.set(keyOf(w), rows[i])
      })
    }
    return this.slotsFrom(words, rows)
  }

  /** One round trip: each word's lexemes, whether the vocabulary has it, and its typo candidates. */
  private async lookUpWords(words: { text: string; prefix: boolean }[]): Promise<WordFacts[]> {
    return this.sql.query<WordFacts & { ord: number }>(
      `SELECT t.ord::int AS ord, t.lex,
         CASE WHEN k.ndoc IS NOT NULL THEN json_build_object('ndoc', k.ndoc) END AS known,
         CASE WHEN t.p THEN EXISTS (SELECT 1 FROM ${WORDS} s WHERE s.word >= t.w AND s.word < t.w || chr(1114111)) END AS "prefixKnown",
         CASE WHEN k.ndoc IS NULL AND length(t.w) >= ${MIN_WORD + 1} AND t.w !~ '[0-9]' THEN
           (SELECT json_agg(json_build_object('w', c.word, 'l', c.lexeme, 'n', c.ndoc))
              FROM (${nearWords(WORDS, 't.w')}) c WHERE c.d <= ${1 - SIMILARITY})
         END AS near
       FROM (SELECT u.*, tsvector_to_array(to_tsvector('russian', u.w)) AS lex
             FROM unnest($1::text[], $2::bool[]) WITH ORDINALITY AS u(w, p, ord)) t
       -- Known: this very form is in the vocabulary, or another form of its lexeme is. A Snowball
       -- stem is a prefix of its words, so that is a range scan of the primary key (C collation).
       -- "This very form" is written as a range too: for an equality the planner may pick the GiST trigram
       -- index (it supports equality, lossily), which took 85 ms on a vocabulary of 55,000 words.
       LEFT JOIN LATERAL (
         SELECT coalesce((SELECT s.ndoc FROM ${WORDS} s WHERE s.word >= t.w AND s.word <= t.w),
                         (SELECT max(s.ndoc) FROM ${WORDS} s WHERE cardinality(t.lex) > 0
                            AND s.word >= t.lex[1] AND s.word < t.lex[1] || chr(1114111) AND s.lexeme = t.lex[1])) AS ndoc
       ) k ON TRUE
       ORDER BY t.ord`,
      [words.map((w) => w.text), words.map((w) => w.prefix)],
    )
  }

  private async slotsFrom(words: { text: string; prefix: boolean }[], rows: WordFacts[]): Promise<{ slots: Slot[]; corrected: string[] }> {
    const slots: (Slot & { key: string | null })[] = []
    const corrected: string[] = []
    rows.forEach((r, i) => {
      const word = words[i]
      const lexeme = r.lex[0] ?? null
      const terms: Term[] = []
      let df = r.known?.ndoc ?? 0
      if (word.prefix && word.text.length >= MIN_WORD) terms.push({ lexeme: lexeme ?? word.text, prefix: true })
      else if (lexeme) terms.push({ lexeme, prefix: false })
      else if (!word.prefix) return // a stop word of PostgreSQL's list
      else terms.push({ lexeme: word.text, prefix: false })
      // Typos: only for words the documents do not have (as typed, or as a prefix being typed).
      const unknown = word.prefix ? r.prefixKnown === false : !r.known
      if (unknown && r.near) {
        const budget = typoBudget(word.text.length)
        for (const c of r.near) {
          // As typed, or as stems: a typo in another form of the word ("арифмитическую" → "арифметическая").
          const d = Math.min(
            editDistance(word.text, c.w, budget),
            word.prefix ? editDistance(word.text, c.w.slice(0, word.text.length), budget) : budget + 1,
            lexeme ? editDistance(lexeme, c.l, budget) : budget + 1,
          )
          if (d <= budget) {
            terms.push({ lexeme: c.l, prefix: false })
            corrected.push(c.w)
            df = Math.max(df, c.n)
          }
        }
      }
      // Words the vocabulary never holds (short ones, numbers, task codes) are not judged.
      // A word being typed that starts no indexed word (often a stop word: "…в 7 классе, если") is dropped too.
      const judged = word.text.length >= MIN_WORD && !/\d/.test(word.text)
      const dead = (judged && !word.prefix && unknown && terms.length === 1) || (word.prefix && r.prefixKnown === false && terms.length === 1)
      slots.push({ alternatives: [[terms]], df, dead, key: lexeme })
    })

    // Synonyms: members are matched on the slots' own lexemes; a match replaces
    // its slots by one slot "(these words) | (other member) | …".
    const groups = await this.synonymGroups()
    if (groups.length === 0) return { slots, corrected }
    const keys = slots.map((s) => s.key ?? '\u0000')
    const matches = matchSynonyms(keys, groups)
    if (matches.length === 0) return { slots, corrected }
    const out: Slot[] = []
    let i = 0
    for (const m of matches) {
      while (i < m.start) out.push(slots[i++])
      const span = slots.slice(m.start, m.start + m.length)
      const own: Alternative = span.map((s) => s.alternatives[0][0])
      const alternatives: Alternative[] = [own, ...m.alternatives.map((lexemes) => lexemes.map((l) => [{ lexeme: l, prefix: false }]))]
      out.push({ alternatives, df: Math.max(...span.map((s) => s.df)), dead: false })
      i = m.start + m.length
    }
    while (i < slots.length) out.push(slots[i++])
    return { slots: out, corrected }
  }

  private where(viewer: Viewer, filters: SearchFilters, params: unknown[], skip?: FacetField) {
    const p = (v: unknown) => {
      params.push(v)
      return `$${params.length}`
    }
    const clauses: string[] = []
    if (!viewer.agents) {
      clauses.push(`d.visibility = 'public'`)
      clauses.push(`(cardinality(d."orgIds") = 0 OR d."orgIds" && ${p(viewer.orgIds)}::int[])`)
    }
    if (filters.kind && skip !== 'kind') clauses.push(`d.kind = ${p(filters.kind)}`)
    if (filters.study && skip !== 'study') clauses.push(`d.study = ${p(filters.study)}`)
    if (filters.subject && skip !== 'subject') clauses.push(`d.subject = ${p(filters.subject)}`)
    if (filters.grade !== undefined && skip !== 'grade') clauses.push(`d.grade = ${p(filters.grade)}`)
    if (filters.task && skip !== 'task') clauses.push(`d.task = ${p(filters.task)}`)
    if (filters.year !== undefined && skip !== 'year') clauses.push(`d.year = ${p(filters.year)}`)
    if (filters.officialOnly && skip !== 'official') clauses.push(`d.official`)
    return clauses.length ? clauses.join(' AND ') : 'TRUE'
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const started = performance.now()
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIMIT, 1), MAX_LIMIT)
    const offset = Math.min(Math.max(query.offset ?? 0, 0), 1000)
    const filters = query.filters ?? {}
    const notices: string[] = []
    const analyzed = analyzeQuery(query.q ?? '', { prefix: query.prefix !== false })
    if (analyzed.shortened) notices.push('Запрос очень длинный: искали по самым значимым словам.')
    const { slots, corrected } = await this.buildSlots(analyzed.words)
    const live = slots.filter((s) => !s.dead)

    let rows: DocRow[] = []
    let matchSql: { text: string; params: unknown[] } | null = null
    if (slots.length === 0) {
      // No words (empty query, only stop words or punctuation): the newest documents, official first.
      const params: unknown[] = []
      const where = this.where(query.viewer, filters, params)
      rows = await this.sql.query<DocRow>(
        `WITH r AS (SELECT d.id, d.kind, d."sourceId", d.url, d.official, d.study, d.subject, d.grade, d.task, d.year, d."updatedAt",
             0::float8 AS score, count(*) OVER () AS total
           FROM ${DOCS} d WHERE ${where}
           ORDER BY d.official DESC, d."updatedAt" DESC, d.id LIMIT ${limit} OFFSET ${offset})
         SELECT r.*, t.title, t.question, t.answer FROM r JOIN ${TEXTS} t ON t.id = r.id
         ORDER BY r.official DESC, r."updatedAt" DESC, r.id`,
        params,
      )
      matchSql = { text: 'TRUE', params: [] }
    } else {
      const all = slots.map(slotText).join(' & ')
      const needed = offset + limit
      let total = 0
      const found = new Map<string, DocRow>()
      if (query.match !== 'any' && !slots.some((s) => s.dead)) {
        // Every word matched: ahead of any relaxed match (whose coverage score is below 2).
        for (const r of await this.rankAll(all, query.viewer, filters, needed, 0)) found.set(r.id, { ...r, score: 2 + Number(r.score) })
        total = found.size ? Number([...found.values()][0].total) : 0
        matchSql = { text: `d.tsv @@ $1::tsquery`, params: [all] }
      }
      if (found.size < needed && live.length > 0 && (live.length > 1 || query.match === 'any' || slots.some((s) => s.dead))) {
        // Too few with every word: relax, dropping the commonest words first (like
        // Meilisearch's "frequency" strategy) — each step is still an AND of
        // selective words, so it stays cheap — and rank by IDF-weighted coverage.
        const n = await this.documentCount()
        const byRarity = [...live].sort((a, b) => a.df - b.df)
        // Short queries go straight to the coverage-ranked OR below (it ranks documents
        // with two of three words first anyway); long ones first try most of their words.
        const sizes = (live.length >= 4 ? [live.length, live.length - 1, Math.ceil(live.length / 2)] : [live.length])
          .filter((k, i, all) => all.indexOf(k) === i && k >= 1 && (k < live.length || query.match === 'any' || slots.some((s) => s.dead)))
        for (const k of sizes) {
          const subset = byRarity.slice(0, k).map(slotText).join(' & ')
          const rows = await this.rankAny(subset, live, n, query.viewer, filters, needed, 0)
          for (const r of rows) if (!found.has(r.id) || Number(found.get(r.id)!.score) < Number(r.score)) found.set(r.id, r)
          if (rows.length) {
            total = Math.max(total, Number(rows[0].total))
            matchSql = { text: `d.tsv @@ $1::tsquery`, params: [subset] }
          }
          if (found.size >= needed) break
        }
        if (found.size < needed && live.length > 1) {
          // Last resort: any of the selective words (the common ones would only add noise and cost).
          const selective = live.filter((s) => n === 0 || s.df <= Math.max(50, n * COMMON_SHARE))
          const any = (selective.length ? selective : live).map(slotText).join(' | ')
          const rows = await this.rankAny(any, live, n, query.viewer, filters, needed, 0)
          for (const r of rows) if (!found.has(r.id)) found.set(r.id, r)
          if (rows.length) {
            total = Math.max(total, Number(rows[0].total))
            matchSql = { text: `d.tsv @@ $1::tsquery`, params: [any] }
          }
        }
      }
      rows = [...found.values()]
        .sort((a, b) => Number(b.score) - Number(a.score) || a.id.localeCompare(b.id))
        .slice(offset, offset + limit)
        .map((r) => ({ ...r, total: String(Math.max(total, found.size)) }))
    }

    const facets = query.facets?.length && matchSql ? await this.facets(matchSql, query.viewer, filters, query.facets) : {}
    const { stems, prefixes } = slotTerms(slots)
    for (const w of analyzed.words) if (!w.prefix) stems.add(stem(w.text))
    for (const c of corrected) stems.add(stem(c))
    const matches = wordMatcher({ stems, prefixes: analyzed.words.filter((w) => w.prefix).map((w) => w.text).concat([...prefixes]) })
    const highlight = query.highlight !== false
    const hits: SearchHit[] = rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      sourceId: r.sourceId,
      url: r.url,
      score: Number(r.score),
      title: highlight && slots.length ? highlightText(r.title, matches) : escapeHtml(r.title),
      snippet: highlight && slots.length ? documentSnippet(r, matches) : documentSnippet(r, () => false),
      official: r.official,
      study: r.study,
      subject: r.subject,
      grade: r.grade,
      task: r.task,
      year: r.year,
    }))
    const total = rows.length ? Number(rows[0].total) : 0
    if (slots.length > 0 && total >= CANDIDATES) notices.push(`Найдено более ${CANDIDATES} ответов: уточните вопрос, чтобы лучшие были первыми.`)
    return { hits, facets, total, tookMs: Math.round((performance.now() - started) * 10) / 10, notices }
  }

  private async rankAll(tsquery: string, viewer: Viewer, filters: SearchFilters, limit: number, offset: number) {
    const params: unknown[] = [tsquery]
    const where = this.where(viewer, filters, params)
    return this.ranked(`ts_rank(c.tsv, $1::tsquery) * CASE WHEN c.official THEN ${OFFICIAL_BOOST} ELSE 1 END`, where, params, limit, offset)
  }

  private async rankAny(tsquery: string, slots: Slot[], n: number, viewer: Viewer, filters: SearchFilters, limit: number, offset: number) {
    const params: unknown[] = [tsquery]
    const idf = slots.map((s) => Math.log(1 + (n + 1) / (s.df + 1)))
    const sum = idf.reduce((a, b) => a + b, 0) || 1
    const coverage = slots
      .map((s, i) => {
        params.push(slotText(s))
        return `CASE WHEN c.tsv @@ $${params.length}::tsquery THEN ${(idf[i] / sum).toFixed(4)} ELSE 0 END`
      })
      .join(' + ')
    const where = this.where(viewer, filters, params)
    // Coverage in steps of a tenth: documents with comparably many of the words
    // are then ordered by rank, official answers weighted up.
    return this.ranked(
      `round((${coverage})::numeric, 1)::float8 + ts_rank(c.tsv, $1::tsquery) * CASE WHEN c.official THEN ${OFFICIAL_BOOST} ELSE 1 END / 10`,
      where,
      params,
      limit,
      offset,
    )
  }

  /**
   * Ranks at most CANDIDATES matches of $1 by `score`, reading only what
   * ranking needs; the texts are read for the page of results alone.
   */
  private ranked(score: string, where: string, params: unknown[], limit: number, offset: number) {
    return this.sql.query<DocRow>(
      `WITH c AS MATERIALIZED (SELECT d.id, d.tsv, d.official, d."updatedAt" FROM ${DOCS} d WHERE d.tsv @@ $1::tsquery AND ${where} LIMIT ${CANDIDATES}),
       r AS (SELECT c.id, ${score} AS score, c."updatedAt", count(*) OVER () AS total FROM c
             ORDER BY score DESC, c."updatedAt" DESC, c.id LIMIT ${limit} OFFSET ${offset})
       SELECT d.id, d.kind, d."sourceId", d.url, t.title, t.question, t.answer, d.official, d.study, d.subject, d.grade, d.task, d.year, r.score, r.total
       FROM r JOIN ${DOCS} d ON d.id = r.id JOIN ${TEXTS} t ON t.id = r.id
       ORDER BY r.score DESC, r."updatedAt" DESC, r.id`,
      params,
    )
  }

  /** Facet counts over the matching documents; each field ignores its own filter (so other values stay choosable). */
  private async facets(match: { text: string; params: unknown[] }, viewer: Viewer, filters: SearchFilters, fields: FacetField[]): Promise<FacetCounts> {
    const params: unknown[] = [...match.params]
    const base = this.where(viewer, {}, params)
    const wanted = fields.filter((f) => (FACET_FIELDS as readonly string[]).includes(f))
    const parts = wanted.map((f) => {
      const where = this.where({ agents: true, orgIds: [] }, filters, params, f).replace(/d\./g, 'm.')
      const column = f === 'official' ? `CASE WHEN m.official THEN 'true' ELSE 'false' END` : `m.${f === 'kind' ? 'kind' : f}::text`
      return `SELECT '${f}' AS f, ${column} AS v, count(*)::int AS n FROM m WHERE ${where} AND ${column} IS NOT NULL GROUP BY 2`
    })
    if (parts.length === 0) return {}
    // Counted over at most FACET_CANDIDATES matches (a common word would otherwise cost a scan of most documents).
    const rows = await this.sql.query<{ f: FacetField; v: string; n: number }>(
      `WITH m AS MATERIALIZED (SELECT d.kind, d.study, d.subject, d.grade, d.task, d.year, d.official FROM ${DOCS} d WHERE ${match.text} AND ${base} LIMIT ${FACET_CANDIDATES})
       ${parts.join(' UNION ALL ')}`,
      params,
    )
    const out: FacetCounts = {}
    for (const f of wanted) out[f] = {}
    for (const r of rows) out[r.f]![r.v] = r.n
    return out
  }

  async similar(text: string, options: { filters?: SearchFilters; limit?: number; viewer: Viewer }): Promise<SearchHit[]> {
    const result = await this.search({ q: text, filters: options.filters, limit: options.limit ?? 5, viewer: options.viewer, prefix: false, match: 'any' })
    return result.hits
  }

  async health(): Promise<EngineHealth> {
    try {
      const [row] = await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${DOCS}`)
      return { engine: 'postgres', status: 'ok', documents: row.n }
    } catch (error) {
      return { engine: 'postgres', status: 'error', detail: (error as Error).message }
    }
  }

  async reindex(from: AsyncIterable<SearchDoc[]>, onProgress?: (p: ReindexProgress) => void, total?: number): Promise<ReindexResult> {
    const started = performance.now()
    const next = { docs: '"SearchDocument_next"', texts: '"SearchDocumentText_next"', words: '"SearchWord_next"' }
    const dropNext = `DROP TABLE IF EXISTS ${next.docs}, ${next.texts}, ${next.words}`
    await this.sql.query(dropNext)
    // Same columns and defaults as the live tables; indexes first, so that each
    // batch is a short statement and searches (which PGlite serialises with
    // it) keep answering while the build runs.
    await this.sql.query(`CREATE TABLE ${next.docs} (LIKE ${DOCS} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`)
    await this.sql.query(`ALTER TABLE ${next.docs} ADD CONSTRAINT "SearchDocument_next_pkey" PRIMARY KEY (id)`)
    for (const ix of DOC_INDEXES) await this.sql.query(ix.def(next.docs).replace('%', `${ix.name}_next`))
    await this.sql.query(`CREATE TABLE ${next.texts} (LIKE ${TEXTS} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`)
    await this.sql.query(`ALTER TABLE ${next.texts} ADD CONSTRAINT "SearchDocumentText_next_pkey" PRIMARY KEY (id)`)
    await this.sql.query(`CREATE TABLE ${next.words} (LIKE ${WORDS} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`)
    await this.sql.query(`ALTER TABLE ${next.words} ADD CONSTRAINT "SearchWord_next_pkey" PRIMARY KEY (word)`)

    let done = 0
    const forms = new Map<string, Set<string>>()
    const stemCounts = new Map<string, number>()
    try {
      for await (const batch of from) {
        for (let i = 0; i < batch.length; i += BATCH) {
          const part = batch.slice(i, i + BATCH)
          await this.insertDocs(part, next)
          vocabulary(part, forms, stemCounts)
          done += part.length
          onProgress?.({ done, total })
        }
      }
      await this.insertWords(next.words, forms, stemCounts, 'set')
      for (const ix of WORD_INDEXES) await this.sql.query(ix.def(next.words).replace('%', `${ix.name}_next`))
      await this.cleanPendingList('"SearchDocument_tsv_idx_next"')
      for (const t of Object.values(next)) await this.sql.query(`ANALYZE ${t}`)
      // The switch: one short transaction; searches wait for it, then read the new tables.
      await this.sql.transaction(async (tx) => {
        await tx.query(`LOCK TABLE ${DOCS}, ${TEXTS}, ${WORDS} IN ACCESS EXCLUSIVE MODE`)
        await tx.query(`DROP TABLE ${DOCS}, ${TEXTS}, ${WORDS}`)
        await tx.query(`ALTER TABLE ${next.docs} RENAME TO "SearchDocument"`)
        await tx.query(`ALTER INDEX "SearchDocument_next_pkey" RENAME TO "SearchDocument_pkey"`)
        for (const ix of DOC_INDEXES) await tx.query(`ALTER INDEX "${ix.name}_next" RENAME TO "${ix.name}"`)
        await tx.query(`ALTER TABLE ${next.texts} RENAME TO "SearchDocumentText"`)
        await tx.query(`ALTER INDEX "SearchDocumentText_next_pkey" RENAME TO "SearchDocumentText_pkey"`)
        await tx.query(`ALTER TABLE ${next.words} RENAME TO "SearchWord"`)
        await tx.query(`ALTER INDEX "SearchWord_next_pkey" RENAME TO "SearchWord_pkey"`)
        for (const ix of WORD_INDEXES) await tx.query(`ALTER INDEX "${ix.name}_next" RENAME TO "${ix.name}"`)
      })
    } catch (error) {
      await this.sql.query(dropNext).catch(() => undefined)
      throw error
    }
    this.docCount = null
    this.words.clear()
    return { documents: done, seconds: (performance.now() - started) / 1000 }
  }

  async close() {
    if (this.options.ownsSql) await this.sql.end()
  }
}

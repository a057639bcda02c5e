// PostgreSQL-specific behaviour beyond the engine contract: the reindex swap
// leaves the same tables and index names the migration made (so later
// migrations and `prisma migrate diff` still agree), and searches running
// during a reindex keep answering; typo candidates come from an index-ordered
// scan of the vocabulary, not a comparison with every word.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { docId, type SearchDoc } from './engine.ts'
import { PostgresEngine, nearWords, pgSql, type Sql } from './postgres.ts'

let sql: Sql
let engine: PostgresEngine

const doc = (n: number): SearchDoc => ({
  id: docId('answer', n),
  kind: 'answer',
  sourceId: String(n),
  url: `/cabinet/answers/${n}`,
  title: `Вопрос номер ${n} про единицы измерения в задании ${n % 16}`,
  question: '',
  answer: `Ответ ${n}: единицы измерения указываются, если этого требует условие.`,
  official: n % 5 === 0,
  study: 'ВПР',
  subject: 'Математика',
  grade: 4 + (n % 5),
  task: String(n % 16),
  year: 2025,
  visibility: 'public',
  orgIds: [],
  updatedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, n)),
})

const indexes = () =>
  sql.query<{ tablename: string; indexname: string; indexdef: string }>(
    `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename IN ('SearchDocument', 'SearchDocumentText', 'SearchWord') ORDER BY indexname`,
  )

beforeAll(async () => {
  sql = pgSql({ connectionString: process.env.DATABASE_URL! })
  engine = new PostgresEngine(sql)
  await engine.init()
  await engine.index(Array.from({ length: 300 }, (_, i) => doc(i + 1)))
})

afterAll(async () => {
  await sql.end()
})

it('switches to the rebuilt tables with the index names of the migration, while searches keep answering', async () => {
  const before = await indexes()
  expect(before.map((i) => i.indexname)).toEqual([
    'SearchDocumentText_pkey',
    'SearchDocument_kind_visibility_idx',
    'SearchDocument_pkey',
    'SearchDocument_tsv_idx',
    'SearchWord_pkey',
    'SearchWord_word_idx',
  ])
  let searching = true
  let searches = 0
  const searcher = (async () => {
    while (searching) {
      const r = await engine.search({ q: 'единицы измерения ', viewer: { agents: false, orgIds: [] } })
      expect(r.total).toBeGreaterThan(0)
      searches++
    }
  })()
  async function* batches() {
    for (let b = 0; b < 4; b++) yield Array.from({ length: 100 }, (_, i) => doc(b * 100 + i + 1))
  }
  const result = await engine.reindex(batches())
  searching = false
  await searcher
  expect(result.documents).toBe(400)
  expect(searches).toBeGreaterThan(0)
  expect(await indexes()).toEqual(before)
  const [{ n }] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "SearchDocumentText"`)
  expect(n).toBe(400)
  const [{ leftovers }] = await sql.query<{ leftovers: number }>(`SELECT count(*)::int AS leftovers FROM pg_tables WHERE tablename LIKE '%\\_next'`)
  expect(leftovers).toBe(0)
})

it('looks up typo candidates through the trigram index, also after a reindex, and still corrects the typo', async () => {
  type PlanNode = { 'Node Type': string; 'Index Name'?: string; 'Order By'?: string; Plans?: PlanNode[] }
  const flatten = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(flatten)]
  // A vocabulary of some size (with a few hundred words a sequential scan is the right plan).
  await sql.query(
    `INSERT INTO "SearchWord" (word, lexeme, ndoc) SELECT w, w, 1 FROM (SELECT 'слово' || translate(g::text, '0123456789', 'абвгдежзик') AS w FROM generate_series(1, 3000) g) x ON CONFLICT DO NOTHING`,
  )
  await sql.query(`ANALYZE "SearchWord"`)
  const [{ 'QUERY PLAN': plan }] = await sql.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${nearWords('"SearchWord"', '$1::text')}`, ['измирения'])
  const nodes = flatten(plan[0].Plan)
  expect(nodes.some((n) => n['Node Type'] === 'Seq Scan')).toBe(false)
  expect(nodes).toContainEqual(expect.objectContaining({ 'Node Type': 'Index Scan', 'Index Name': 'SearchWord_word_idx', 'Order By': expect.stringContaining('<->') }))

  const r = await engine.search({ q: 'единицы измирения ', viewer: { agents: false, orgIds: [] } })
  expect(r.total).toBeGreaterThan(0)
  expect(r.hits[0].title).toContain('<mark>измерения</mark>')
})

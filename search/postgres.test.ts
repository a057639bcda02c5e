// PostgreSQL-specific behaviour beyond the engine contract: the reindex swap
// leaves the same tables and index names the migration made (so later
// migrations and `prisma migrate diff` still agree), and searches running
// during a reindex keep answering.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { docId, type SearchDoc } from './engine.ts'
import { PostgresEngine, pgSql, type Sql } from './postgres.ts'

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

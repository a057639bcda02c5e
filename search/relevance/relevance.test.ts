// The relevance set: realistic teacher questions (typos, other word forms,
// synonyms) over a seeded bank; each must find its answer in the top five.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SearchEngine } from '../engine.ts'
import { MeiliEngine } from '../meilisearch.ts'
import { PostgresEngine, pgSql } from '../postgres.ts'
import { bankDocument, generateBank } from './bank.ts'
import { evaluateRelevance, relevanceQuestions } from './evaluate.ts'

const GOAL = 0.9

it('has a bank of at least 150 entries and at least 30 questions that refer to it', () => {
  const bank = generateBank()
  expect(bank.length).toBeGreaterThanOrEqual(150)
  const ids = new Set(bank.map((b) => b.externalId))
  expect(ids.size).toBe(bank.length)
  const questions = relevanceQuestions()
  expect(questions.length).toBeGreaterThanOrEqual(30)
  for (const q of questions) for (const id of [q.expect, ...(q.alsoAccept ?? [])]) expect(ids.has(id), `${q.q} → ${id}`).toBe(true)
})

async function synonymsFromMigration(engine: PostgresEngine) {
  // The default list the migration seeds is what production starts with.
  const sql = pgSql({ connectionString: process.env.DATABASE_URL!, max: 1 })
  const rows = await sql.query<{ terms: string[] }>('SELECT terms FROM "SearchSynonym" ORDER BY id')
  await sql.end()
  void engine
  return rows.map((r) => r.terms)
}

function relevance(name: string, make: () => Promise<SearchEngine>, assertGoal: boolean) {
  describe(name, () => {
    let engine: SearchEngine
    beforeAll(async () => {
      engine = await make()
      await engine.init()
      await engine.index(generateBank().map((b) => bankDocument(b)))
    })
    afterAll(async () => {
      if (engine instanceof MeiliEngine) await engine.drop()
      await engine?.close()
    })

    it(`finds the expected answer in the top 5 for at least ${GOAL * 100} % of the questions`, async () => {
      const report = await evaluateRelevance(engine)
      console.log(`${name}: recall@5 = ${report.recallAt5.toFixed(3)}, MRR = ${report.mrr.toFixed(3)} over ${relevanceQuestions().length} questions`)
      for (const m of report.misses) console.log(`  miss: «${m.q}» → expected ${m.expect}, got ${m.got.join(', ') || 'nothing'}`)
      if (assertGoal) expect(report.recallAt5).toBeGreaterThanOrEqual(GOAL)
    })
  })
}

relevance('PostgreSQL', async () => new PostgresEngine(pgSql({ connectionString: process.env.DATABASE_URL! }), { ownsSql: true }), true)

const MEILI_URL = process.env.MEILI_URL
if (!MEILI_URL) console.warn('search/relevance/relevance.test.ts: Meilisearch relevance skipped because MEILI_URL is not set.')
describe.skipIf(!MEILI_URL)('Meilisearch (MEILI_URL)', () => {
  relevance(
    'Meilisearch',
    async () => {
      const engine = new MeiliEngine({ host: MEILI_URL!, apiKey: process.env.MEILI_KEY, indexUid: `oko_rel_${process.pid}_${Date.now()}` })
      await engine.init()
      await engine.setSynonyms(await synonymsFromMigration(null as unknown as PostgresEngine))
      return engine
    },
    true,
  )
})

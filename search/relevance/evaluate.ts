// recall@5 and mean reciprocal rank of an engine on the relevance set
// (questions.json over the bank of bank.ts). Used by the test and the bench.
import fs from 'node:fs'
import path from 'node:path'
import type { SearchEngine, Viewer } from '../engine.ts'

export interface RelevanceQuestion {
  q: string
  expect: string
  alsoAccept?: string[]
  why?: string
}

export function relevanceQuestions(): RelevanceQuestion[] {
  return JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'questions.json'), 'utf8'))
}

export interface RelevanceReport {
  recallAt5: number
  mrr: number
  misses: { q: string; expect: string; got: string[] }[]
}

const VIEWER: Viewer = { agents: false, orgIds: [] }

/** Each question as typed (the last word complete: a trailing space, as after pressing Enter). */
export async function evaluateRelevance(engine: SearchEngine, questions = relevanceQuestions(), idOf = (externalId: string) => `answer:${externalId}`): Promise<RelevanceReport> {
  let found = 0
  let rr = 0
  const misses: RelevanceReport['misses'] = []
  for (const question of questions) {
    const result = await engine.search({ q: question.q, viewer: VIEWER, limit: 10, prefix: false })
    const ids = result.hits.map((h) => h.id)
    const accepted = new Set([question.expect, ...(question.alsoAccept ?? [])].map(idOf))
    const rank = ids.findIndex((id) => accepted.has(id))
    if (rank >= 0 && rank < 5) found++
    if (rank >= 0) rr += 1 / (rank + 1)
    if (rank < 0 || rank >= 5) misses.push({ q: question.q, expect: question.expect, got: ids.slice(0, 5) })
  }
  return { recallAt5: found / questions.length, mrr: rr / questions.length, misses }
}

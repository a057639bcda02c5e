// The one module through which the app reaches search (STYLE.md, point 4):
// the engine chosen by configuration (MEILI_URL → Meilisearch, otherwise
// PostgreSQL in the application's database), who sees what, and reindexing.
import type { Role } from '~/generated/prisma/enums'
import { env } from '~/utils/env.server'
import { logger } from '~/utils/logger.server'
import { prisma } from '~/utils/db.server'
import { singleton } from '~/utils/singleton.server'
import type { SearchDoc, SearchEngine, SearchFilters, SearchHit, SearchQuery, SearchResult, Viewer } from '../../search/engine.ts'
import { PostgresEngine, pgSql } from '../../search/postgres.ts'
import { documentSource, documentSources } from './documents.server'

export type { FacetField, SearchFilters, SearchHit, SearchResult, Viewer } from '../../search/engine.ts'

/** Roles that also find 'agents' documents (resolved tickets) and every organisation's documents. */
export const AGENT_ROLES: Role[] = ['ADMIN', 'FIOKO_SPECIALIST', 'SUPPORT_AGENT']

export interface SearchingPerson {
  role: Role
  organization: { id: number; regionId: number | null; municipalityId: number | null; parentId: number | null }
}

export function viewerFor(person: SearchingPerson): Viewer {
  const o = person.organization
  const orgIds = [o.id, o.regionId, o.municipalityId, o.parentId].filter((id): id is number => typeof id === 'number')
  return { agents: AGENT_ROLES.includes(person.role), orgIds: [...new Set(orgIds)] }
}

async function createEngine(): Promise<SearchEngine> {
  const { MEILI_URL, MEILI_KEY } = env()
  let engine: SearchEngine
  if (MEILI_URL) {
    const { MeiliEngine } = await import('../../search/meilisearch.ts')
    engine = new MeiliEngine({ host: MEILI_URL, apiKey: MEILI_KEY })
    await engine.init()
    await engine.setSynonyms(await loadSynonymGroups())
  } else {
    const connectionString = process.env.DATABASE_URL
    if (!connectionString) throw new Error('DATABASE_URL is not set: the server sets it before loading the app.')
    engine = new PostgresEngine(pgSql({ connectionString, max: Math.min(4, env().DATABASE_POOL_SIZE) }), { ownsSql: true })
    await engine.init()
  }
  logger.info({ engine: engine.name }, 'search engine ready')
  return engine
}

/** The process's engine (created on first use). */
export function getSearchEngine(): Promise<SearchEngine> {
  const promise = singleton('search-engine', () => {
    const p = createEngine()
    // A failed start is retried on the next call rather than remembered.
    p.catch(() => (globalThis as unknown as { __okoSingletons: Map<string, unknown> }).__okoSingletons.delete('search-engine'))
    return p
  })
  return promise
}

/** Closes the engine's connections (tests, shutdown). */
export async function closeSearchEngine() {
  const store = globalThis as unknown as { __okoSingletons?: Map<string, unknown> }
  const p = store.__okoSingletons?.get('search-engine') as Promise<SearchEngine> | undefined
  if (!p) return
  store.__okoSingletons!.delete('search-engine')
  const engine = await p.catch(() => null)
  await engine?.close()
}

export async function loadSynonymGroups(): Promise<string[][]> {
  const rows = await prisma.searchSynonym.findMany({ orderBy: { id: 'asc' }, select: { terms: true } })
  return rows.map((r) => r.terms)
}

/** Searches as `person`: the engine applies what they may see inside its query. */
export async function searchDocuments(person: SearchingPerson, query: Omit<SearchQuery, 'viewer'>): Promise<SearchResult> {
  const engine = await getSearchEngine()
  return engine.search({ ...query, viewer: viewerFor(person) })
}

/** Documents similar to a text (the forum's ask form, the desk). */
export async function similarDocuments(person: SearchingPerson, text: string, options: { filters?: SearchFilters; limit?: number } = {}): Promise<SearchHit[]> {
  const engine = await getSearchEngine()
  return engine.similar(text, { ...options, viewer: viewerFor(person) })
}

export async function searchHealth() {
  const engine = await getSearchEngine()
  return engine.health()
}

/** Every document of every source, in batches, for a reindex. */
export async function* allDocuments(batchSize = 1000) {
  for (const [, source] of documentSources()) yield* source.all(batchSize)
}

export async function countAllDocuments() {
  let n = 0
  for (const [, source] of documentSources()) n += await source.count()
  return n
}

/** A hit with the full plain text of its answer, for inserting into a reply (the desk). */
export interface HitWithText extends SearchHit {
  /** The answer as plain text; null when the document is gone or no longer visible to this person. */
  text: string | null
  /** Public to every signed-in person: its link may be sent to a requester. */
  shareable: boolean
}

/** Longest answer text handed out for insertion (the reply box takes 50,000 characters). */
export const MAX_HIT_TEXT = 20_000

/**
 * The current plain text of each hit's answer, read from its source (the
 * index holds it only for ranking). The engine applied `person`'s scope to
 * the hits; the visibility is checked again on the current document, so a
 * document hidden since it was indexed is not handed out.
 */
export async function withAnswerTexts(person: SearchingPerson, hits: SearchHit[]): Promise<HitWithText[]> {
  const viewer = viewerFor(person)
  const byKind = new Map<string, string[]>()
  for (const h of hits) byKind.set(h.kind, [...(byKind.get(h.kind) ?? []), h.sourceId])
  const docs = new Map<string, SearchDoc>()
  for (const [kind, ids] of byKind) {
    const source = documentSource(kind)
    if (!source) continue
    for (const [, doc] of await source.load(ids)) docs.set(doc.id, doc)
  }
  return hits.map((h) => {
    const doc = docs.get(h.id)
    const visible =
      !!doc && (viewer.agents || (doc.visibility === 'public' && (doc.orgIds.length === 0 || doc.orgIds.some((id) => viewer.orgIds.includes(id)))))
    const text = visible ? doc.answer.trim().slice(0, MAX_HIT_TEXT) : ''
    return { ...h, text: text || null, shareable: visible && doc.visibility === 'public' && doc.orgIds.length === 0 }
  })
}

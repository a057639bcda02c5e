// Full rebuild of the search index from the database, without downtime:
// the engine builds a new index and switches to it; then every change
// enqueued since shortly before the build began is replayed into the new
// index, so nothing that changed meanwhile is lost by the switch.
import { prisma } from '~/utils/db.server'
import type { ReindexProgress, ReindexResult } from '../../search/engine.ts'
import { drainSearchOutbox, replayOutboxSince } from './outbox.server'
import { allDocuments, countAllDocuments, getSearchEngine } from './search.server'

export async function reindexSearch(onProgress?: (p: ReindexProgress) => void): Promise<ReindexResult & { replayed: number; engine: string }> {
  const [{ now }] = await prisma.$queryRaw<{ now: Date }[]>`SELECT now() AS now`
  const total = await countAllDocuments()
  const engine = await getSearchEngine()
  const result = await engine.reindex(allDocuments(1000), onProgress, total)
  const replayed = await replayOutboxSince(now)
  await drainSearchOutbox()
  return { ...result, replayed, engine: engine.name }
}

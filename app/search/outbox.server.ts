// Drains the search outbox into the engine: "never stale, never lost".
// Rows are claimed with a lease (so a crashed drain's rows come back), the
// current state of each document is read from its source and indexed or
// removed, and failures are retried with exponential backoff. A drain runs
// right after a change commits (notifySearch) in the process that made it,
// and every minute from the job queue as a safety net.
import pg from 'pg'
import { defineQueue } from '~/utils/jobs.server'
import { logger } from '~/utils/logger.server'
import { prisma } from '~/utils/db.server'
import { backoffSeconds } from '~/utils/drain.server'
import { singleton } from '~/utils/singleton.server'
import type { SearchDoc } from '../../search/engine.ts'
import { documentSource } from './documents.server'
import { getSearchEngine } from './search.server'

const CLAIM = 200
const LEASE_SECONDS = 60
const MAX_BACKOFF_SECONDS = 3600
/** Processed rows are kept this long, so a reindex can replay what changed while it ran. */
const KEEP_PROCESSED_HOURS = 24
/** Arbitrary constant naming the drain among advisory locks (one drain at a time per database). */
const DRAIN_LOCK = 7_265_190_422

function retryAfterSeconds(attempts: number) {
  return backoffSeconds(attempts, { baseSeconds: 5, maxSeconds: MAX_BACKOFF_SECONDS })
}

interface Claimed {
  id: bigint
  kind: string
  sourceId: string
  attempts: number
}

async function claim(): Promise<Claimed[]> {
  return prisma.$queryRaw<Claimed[]>`
    UPDATE "SearchOutbox" SET "availableAt" = now() + make_interval(secs => ${LEASE_SECONDS})
    WHERE id IN (
      SELECT id FROM "SearchOutbox"
      WHERE "processedAt" IS NULL AND "availableAt" <= now()
      ORDER BY id LIMIT ${CLAIM} FOR UPDATE SKIP LOCKED)
    RETURNING id, kind, "sourceId", attempts`
}

export interface DrainResult {
  indexed: number
  removed: number
  failed: number
}

/** One pass over what is due; returns when nothing is due (or after `maxRounds`). */
async function drainOnce(maxRounds: number): Promise<DrainResult> {
  const result: DrainResult = { indexed: 0, removed: 0, failed: 0 }
  const engine = await getSearchEngine()
  for (let round = 0; round < maxRounds; round++) {
    const rows = await claim()
    if (rows.length === 0) break
    const byKind = new Map<string, Claimed[]>()
    for (const r of rows) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r])
    for (const [kind, group] of byKind) {
      const ids = group.map((r) => r.id)
      try {
        const source = documentSource(kind)
        if (!source) throw new Error(`no document source for kind "${kind}"`)
        const sourceIds = [...new Set(group.map((r) => r.sourceId))]
        const docs = await source.load(sourceIds)
        const toIndex: SearchDoc[] = [...docs.values()]
        const toRemove = sourceIds.filter((id) => !docs.has(id)).map((id) => `${kind}:${id}`)
        if (toIndex.length) await engine.index(toIndex)
        if (toRemove.length) await engine.remove(toRemove)
        await prisma.searchOutbox.updateMany({ where: { id: { in: ids } }, data: { processedAt: new Date(), lastError: null } })
        result.indexed += toIndex.length
        result.removed += toRemove.length
      } catch (error) {
        result.failed += group.length
        const message = (error as Error).message.slice(0, 1000)
        logger.warn({ err: error, kind, rows: group.length }, 'search outbox: indexing failed, will retry')
        for (const r of group) {
          await prisma.searchOutbox.update({
            where: { id: r.id },
            data: { attempts: r.attempts + 1, availableAt: new Date(Date.now() + retryAfterSeconds(r.attempts + 1) * 1000), lastError: message },
          })
        }
      }
    }
  }
  return result
}

/**
 * Runs `fn` holding the drain's advisory lock on a connection of its own
 * (session locks belong to a connection, and the Prisma pool may hand out
 * another one for the unlock). Returns null when another process holds it.
 */
async function withDrainLock<T>(fn: () => Promise<T>): Promise<T | null> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
  client.on('error', () => undefined)
  await client.connect()
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [DRAIN_LOCK])
    if (!rows[0].locked) return null
    try {
      return await fn()
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [DRAIN_LOCK]).catch(() => undefined)
    }
  } finally {
    await client.end().catch(() => undefined)
  }
}

const state = singleton('search-drain', () => ({ running: null as Promise<DrainResult> | null, again: false, timer: null as NodeJS.Timeout | null }))

/**
 * Drains what is due. One drain at a time: in this process (a second call
 * waits for the running one and makes it go round once more) and across
 * processes (an advisory lock; on the embedded database there is one process).
 */
export async function drainSearchOutbox(options: { maxRounds?: number } = {}): Promise<DrainResult> {
  if (state.running) {
    state.again = true
    return state.running
  }
  const run = (async () => {
    const total: DrainResult = { indexed: 0, removed: 0, failed: 0 }
    do {
      state.again = false
      const r = await withDrainLock(() => drainOnce(options.maxRounds ?? 50))
      if (!r) break // another process is draining; its loop picks the new rows up
      total.indexed += r.indexed
      total.removed += r.removed
      total.failed += r.failed
    } while (state.again)
    return total
  })()
  state.running = run
  try {
    return await run
  } finally {
    state.running = null
  }
}

/**
 * Call after a transaction that enqueued documents has committed: drains
 * soon in this process (a few changes in a row share one drain).
 */
export function notifySearch() {
  if (state.timer) return
  state.timer = setTimeout(() => {
    state.timer = null
    drainSearchOutbox().catch((error) => logger.warn({ err: error }, 'search outbox: drain failed; the next run retries'))
  }, 20)
  state.timer.unref?.()
}

/** Cancels a pending drain and waits for a running one (shutdown, CLI). */
export async function stopSearchDrain() {
  if (state.timer) clearTimeout(state.timer)
  state.timer = null
  await state.running?.catch(() => undefined)
}

/** Drops processed rows older than the replay window. */
export async function purgeProcessedOutbox() {
  const { count } = await prisma.searchOutbox.deleteMany({
    where: { processedAt: { lt: new Date(Date.now() - KEEP_PROCESSED_HOURS * 3600_000) } },
  })
  return count
}

/**
 * After a reindex built from the database since `since`: every change
 * enqueued from shortly before then is applied again to the new index, so
 * nothing changed during the build is lost by the switch.
 */
export async function replayOutboxSince(since: Date) {
  const { count } = await prisma.searchOutbox.updateMany({
    where: { createdAt: { gte: new Date(since.getTime() - 60_000) }, processedAt: { not: null } },
    data: { processedAt: null, attempts: 0, availableAt: new Date() },
  })
  return count
}

export const searchDrainQueue = defineQueue<Record<string, never>>({
  name: 'search.drain',
  cron: '* * * * *',
  retryLimit: 3,
  async handler() {
    const r = await drainSearchOutbox()
    const purged = await purgeProcessedOutbox()
    if (r.indexed || r.removed || r.failed || purged) logger.info({ ...r, purged }, 'search outbox drained')
  },
})

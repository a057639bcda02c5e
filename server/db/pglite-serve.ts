// Serves a PGlite database over the PostgreSQL wire protocol on a Unix socket,
// so that Prisma (adapter-pg), pg-boss and psql talk to it like to a server.
import fs from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

export interface ServeOptions {
  /** Folder for the cluster; undefined keeps it in memory (tests). */
  dataDir?: string
  /** Full path of the Unix socket to create (…/.s.PGSQL.5432). */
  socketPath: string
  /** A tarball made by dumpDataDir, to start from (tests clone a migrated template). */
  loadDataDir?: Blob
  maxConnections?: number
}

export interface ServedPGlite {
  db: PGlite
  stop(): Promise<void>
}

export async function servePGlite(options: ServeOptions): Promise<ServedPGlite> {
  const db = await PGlite.create({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
    extensions: { pg_trgm },
  })
  const server = new PGLiteSocketServer({
    db,
    path: options.socketPath,
    maxConnections: options.maxConnections ?? 64,
  })
  const profile = process.env.OKO_PGLITE_PROFILE ? statementProfile(process.env.OKO_PGLITE_PROFILE) : undefined
  keepBatchesTogether(server, profile)
  await server.start()
  return {
    db,
    async stop() {
      profile?.flush()
      await server.stop()
      await db.close()
    },
  }
}

interface QueuedMessage {
  handlerId: number
  message: Uint8Array
  resolve(bytes: number): void
  reject(error: unknown): void
  onData(data: Uint8Array): void
}

interface QueryQueue {
  queue: QueuedMessage[]
  processing: boolean
  lastHandlerId: number | null
  db: PGlite
  processQueue(): Promise<void>
  clearQueueForHandler(handlerId: number): void
}

/** Parse, Bind, Describe, Execute, Close, Flush: a batch goes on until Sync (or a simple Query). */
const BATCH_MESSAGES = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48])

/**
 * pglite-socket (0.2.17) runs the messages of all connections one at a time
 * from one queue and keeps a connection's messages together only inside a
 * transaction. Outside one, the extended-query messages of two connections
 * interleave (Parse of A, Parse of B, Bind of A…) and a Bind meets the other
 * connection's unnamed statement: «bind message supplies 4 parameters, but
 * prepared statement "" requires 5». Here a connection that started a batch
 * is served alone until its Sync, as inside a transaction. (Its queue also
 * stopped for good after one failed message; here it goes on.)
 */
interface StatementProfile {
  record(handlerId: number, message: Uint8Array, ms: number): void
  flush(): void
}

/**
 * Diagnostics (OKO_PGLITE_PROFILE=<file>): the database's time per statement,
 * every message of a statement counted against the SQL of its Parse, written
 * as JSON every few seconds. PGlite is single-threaded: its busy time is what
 * limits throughput on the embedded default.
 */
function statementProfile(file: string): StatementProfile {
  const lastSql = new Map<number, string>()
  const statements = new Map<string, string>()
  const stats = new Map<string, { n: number; ms: number; max: number }>()
  const started = performance.now()
  let busy = 0
  const text = (m: Uint8Array, from: number) => {
    let end = from
    while (end < m.length && m[end] !== 0) end++
    return Buffer.from(m.subarray(from, end)).toString('utf8')
  }
  const flush = () => {
    const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms).map(([sql, s]) => ({ ms: Math.round(s.ms), n: s.n, avg: +(s.ms / s.n).toFixed(2), max: +s.max.toFixed(1), sql }))
    fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify({ wallMs: Math.round(performance.now() - started), busyMs: Math.round(busy), rows }, null, 1))
  }
  const timer = setInterval(flush, 2000)
  timer.unref()
  return {
    record(handlerId, m, ms) {
      busy += ms
      let sql: string
      let executed = false
      if (m[0] === 0x50) {
        // Parse: statement name, then the query. Named statements are the session's (one session serves all connections).
        let at = 5
        while (m[at] !== 0) at++
        const name = text(m, 5)
        sql = text(m, at + 1)
        statements.set(name ? name : `${handlerId}:`, sql)
        lastSql.set(handlerId, sql)
      } else if (m[0] === 0x42) {
        // Bind: portal name, then the statement's: one per execution.
        let at = 5
        while (m[at] !== 0) at++
        const name = text(m, at + 1)
        sql = statements.get(name ? name : `${handlerId}:`) ?? '(unknown statement)'
        lastSql.set(handlerId, sql)
        executed = true
      } else if (m[0] === 0x51) {
        sql = text(m, 5)
        executed = true
      } else sql = lastSql.get(handlerId) ?? `(message ${String.fromCharCode(m[0])})`
      const key = sql.replace(/\s+/g, ' ').slice(0, 160)
      const s = stats.get(key) ?? { n: 0, ms: 0, max: 0 }
      if (executed) s.n++
      s.ms += ms
      s.max = Math.max(s.max, ms)
      stats.set(key, s)
    },
    flush,
  }
}

function keepBatchesTogether(server: PGLiteSocketServer, profile?: StatementProfile) {
  const queue = (server as unknown as { queryQueue: QueryQueue }).queryQueue
  let batchHandler: number | null = null
  queue.processQueue = async function processQueue(this: QueryQueue) {
    if (this.processing || this.queue.length === 0) return
    this.processing = true
    try {
      while (this.queue.length > 0) {
        const owner = this.db.isInTransaction() ? this.lastHandlerId : batchHandler
        let item: QueuedMessage | undefined
        if (owner !== null) {
          const at = this.queue.findIndex((q) => q.handlerId === owner)
          // The owner's next message has not arrived yet: wait for it (enqueue restarts the loop).
          if (at === -1) break
          item = this.queue.splice(at, 1)[0]
        } else item = this.queue.shift()
        if (!item) break
        let bytes = 0
        const t0 = profile ? performance.now() : 0
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length
                item.onData(data)
              },
            }),
          )
        } catch (error) {
          batchHandler = null
          item.reject(error)
          continue
        }
        if (profile) profile.record(item.handlerId, item.message, performance.now() - t0)
        this.lastHandlerId = item.handlerId
        batchHandler = BATCH_MESSAGES.has(item.message[0]) ? item.handlerId : null
        item.resolve(bytes)
      }
    } finally {
      this.processing = false
    }
  }
  const clear = queue.clearQueueForHandler.bind(queue)
  queue.clearQueueForHandler = (handlerId: number) => {
    clear(handlerId)
    // A connection that went away mid-batch must not hold up the others.
    if (batchHandler === handlerId) {
      batchHandler = null
      void queue.processQueue()
    }
  }
}

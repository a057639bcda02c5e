// A small pg pool for the forum's hot reads (the thread page). Every Prisma
// query, raw ones included, goes through the client engine's query compiler
// in this process, 1–20 ms each on this machine; the thread page must serve
// ≥ 150 req/s with 100 posts (issue 3), so it reads with two plain statements
// here. Reads only: writes stay in Prisma transactions (PGlite serialises
// connections, and a transaction here waiting for Prisma would deadlock).
import pg from 'pg'
import { singleton } from '~/utils/singleton.server'

const state = singleton('forum-sql', () => ({ pool: null as pg.Pool | null, url: '' }))

function pool(): pg.Pool {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL is not set: the server sets it before the forum is read.')
  if (!state.pool || state.url !== url) {
    // A new database (tests switch per file): the old pool goes.
    void state.pool?.end().catch(() => undefined)
    state.pool = new pg.Pool({ connectionString: url, max: 4, allowExitOnIdle: true })
    // An idle client's error (the server restarted) must not crash the process.
    state.pool.on('error', () => undefined)
    state.url = url
  }
  return state.pool
}

export async function forumQuery<T>(text: string, params: unknown[] = []): Promise<T[]> {
  return (await pool().query(text, params)).rows as T[]
}

export async function closeForumSql() {
  const p = state.pool
  state.pool = null
  await p?.end().catch(() => undefined)
}

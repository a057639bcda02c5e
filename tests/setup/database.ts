// Databases for tests, in the two modes the app itself runs in:
// - embedded (no DATABASE_URL): one migrated in-memory PGlite is dumped to a
//   tarball once; every test file loads it into its own in-memory PGlite;
// - server (DATABASE_URL set): one migrated template database; every test
//   file gets a `CREATE DATABASE … TEMPLATE` copy and drops it afterwards.
// Either way a test file never sees another file's rows.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { servePGlite, type ServedPGlite } from '../../server/db/pglite-serve.ts'

export type TestDatabaseConfig =
  | { mode: 'embedded'; tarball: string }
  | { mode: 'server'; adminUrl: string; template: string }

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: TestDatabaseConfig
  }
}

export interface TestDatabase {
  url: string
  /** Database name (server mode) or socket folder (embedded mode), for messages. */
  name: string
  drop(): Promise<void>
}

/** Test databases are named oko_test_<pid>_<random> so that stale ones can be told apart. */
export const TEST_DB_PREFIX = 'oko_test_'

export function databaseUrl(adminUrl: string, database: string) {
  const url = new URL(adminUrl)
  url.pathname = `/${database}`
  return url.toString()
}

export function quoteIdent(name: string) {
  return `"${name.replace(/"/g, '""')}"`
}

export async function withAdminClient<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** A PGlite in this process, served on a private Unix socket. */
export async function startPGlite(loadDataDir?: Blob): Promise<TestDatabase & { served: ServedPGlite }> {
  // Short path: Unix socket paths are limited to ~107 bytes.
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oko-test-'))
  const served = await servePGlite({ socketPath: path.join(socketDir, '.s.PGSQL.5432'), loadDataDir })
  return {
    served,
    name: socketDir,
    url: `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`,
    async drop() {
      await served.stop()
      fs.rmSync(socketDir, { recursive: true, force: true })
    },
  }
}

/** A new database on the server: a copy of `template`, or empty (from template0). */
export async function createServerDatabase(adminUrl: string, template = 'template0'): Promise<TestDatabase> {
  const name = `${TEST_DB_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`
  await withAdminClient(adminUrl, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`))
  return {
    name,
    url: databaseUrl(adminUrl, name),
    async drop() {
      await withAdminClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`))
    },
  }
}

/** A migrated database with no rows, for one test file. */
export async function createTestDatabase(config: TestDatabaseConfig): Promise<TestDatabase> {
  if (config.mode === 'server') return createServerDatabase(config.adminUrl, config.template)
  const buf = fs.readFileSync(config.tarball)
  return startPGlite(new Blob([buf]))
}

/** A database with no tables at all (migration tests), in the same mode as the suite. */
export async function createEmptyDatabase(config: TestDatabaseConfig): Promise<TestDatabase> {
  if (config.mode === 'server') return createServerDatabase(config.adminUrl)
  return startPGlite()
}

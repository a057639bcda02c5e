// Runs once per `vitest run`, before any worker: prepares the migrated
// database every test file starts from (see database.ts for the two modes).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { migrate } from '../../server/db/migrate.ts'
import { quoteIdent, startPGlite, TEST_DB_PREFIX, withAdminClient, type TestDatabaseConfig } from './database.ts'

function processAlive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Databases left behind by runs that were killed: their pid no longer exists. */
async function dropStaleDatabases(adminUrl: string) {
  await withAdminClient(adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${TEST_DB_PREFIX}%`])
    for (const { datname } of rows) {
      const pid = Number(/(\d+)(?:_[0-9a-f]+)?$/.exec(datname)?.[1])
      if (pid && !processAlive(pid)) await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`)
    }
  })
}

export default async function setup(project: TestProject) {
  const adminUrl = process.env.DATABASE_URL
  if (adminUrl) {
    // One template per run (named after this process) so that two suites run
    // at once against the same server do not drop each other's template.
    const template = `${TEST_DB_PREFIX}template_${process.pid}`
    await dropStaleDatabases(adminUrl)
    await withAdminClient(adminUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(template)} WITH (FORCE)`)
      await c.query(`CREATE DATABASE ${quoteIdent(template)} TEMPLATE template0`)
    })
    const url = new URL(adminUrl)
    url.pathname = `/${template}`
    await migrate(url.toString())
    project.provide('testDatabase', { mode: 'server', adminUrl, template } satisfies TestDatabaseConfig)
    return async () => {
      await withAdminClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(template)} WITH (FORCE)`))
    }
  }

  const db = await startPGlite()
  let tarball: string
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oko-test-template-'))
  try {
    await migrate(db.url)
    const dump = await db.served.db.dumpDataDir('none')
    tarball = path.join(dir, 'migrated.tar')
    fs.writeFileSync(tarball, Buffer.from(await dump.arrayBuffer()))
  } finally {
    await db.drop()
  }
  project.provide('testDatabase', { mode: 'embedded', tarball } satisfies TestDatabaseConfig)
  return () => fs.rmSync(dir, { recursive: true, force: true })
}

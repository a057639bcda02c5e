import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { createEmptyDatabase, type TestDatabase } from '../../tests/setup/database'
import { listMigrations, migrate } from './migrate'

const migrations = listMigrations()
let databases: TestDatabase[] = []
let tempDirs: string[] = []

async function emptyDatabase() {
  const db = await createEmptyDatabase(inject('testDatabase'))
  databases.push(db)
  return db
}

afterEach(async () => {
  for (const db of databases) await db.drop()
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true })
  databases = []
  tempDirs = []
})

async function query<T extends pg.QueryResultRow>(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql)).rows
  } finally {
    await client.end()
  }
}

const recorded = (url: string) =>
  query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
    url,
    'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
  )

function copyOfMigrations() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oko-migrations-'))
  tempDirs.push(dir)
  fs.cpSync(path.resolve(import.meta.dirname, '../../prisma/migrations'), dir, { recursive: true })
  return dir
}

describe('migrate', () => {
  it('applies every migration to an empty database once, recorded the way Prisma does', async () => {
    const db = await emptyDatabase()
    expect(await migrate(db.url)).toEqual({ applied: migrations.map((m) => m.name), alreadyApplied: 0 })
    const rows = await recorded(db.url)
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(migrations.map((m) => [m.name, m.checksum, 1]))
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true)
    // The schema is really there.
    expect(await query(db.url, 'SELECT count(*)::int AS n FROM "User"')).toEqual([{ n: 0 }])

    // The second run applies nothing.
    expect(await migrate(db.url)).toEqual({ applied: [], alreadyApplied: migrations.length })
    expect(await recorded(db.url)).toHaveLength(migrations.length)
  })

  it('records each migration once when three clients race', async () => {
    const db = await emptyDatabase()
    const results = await Promise.allSettled([migrate(db.url), migrate(db.url), migrate(db.url)])
    const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.applied : []))
    expect(applied.sort()).toEqual(migrations.map((m) => m.name))
    expect((await recorded(db.url)).map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name))
    expect(await query(db.url, 'SELECT count(*)::int AS n FROM "Organization"')).toEqual([{ n: 0 }])
  })

  // On PGlite every connection shares one backend, so the advisory lock does
  // not exclude racers; migrate() re-checks inside its (serialised) transaction.
  it('lets every racing client finish without an error', async () => {
    const db = await emptyDatabase()
    // allSettled: a failing client must not leave the others running into the drop.
    const settled = await Promise.allSettled([migrate(db.url), migrate(db.url), migrate(db.url)])
    expect(settled.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok'])
    const results = settled.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof migrate>>>).value)
    expect(results.map((r) => r.applied.length + r.alreadyApplied)).toEqual([migrations.length, migrations.length, migrations.length])
    expect(results.flatMap((r) => r.applied).sort()).toEqual(migrations.map((m) => m.name))
  })

  it('refuses a migration edited after it was applied, naming it', async () => {
    const db = await emptyDatabase()
    const dir = copyOfMigrations()
    await migrate(db.url, dir)
    const edited = migrations[0].name
    fs.appendFileSync(path.join(dir, edited, 'migration.sql'), '\n-- edited later\n')
    await expect(migrate(db.url, dir)).rejects.toThrow(`Миграция ${edited} изменена после применения (checksum mismatch)`)
  })

  it('rolls a failing migration back completely and reports which one failed', async () => {
    const db = await emptyDatabase()
    const dir = copyOfMigrations()
    fs.mkdirSync(path.join(dir, '29991231000000_broken'))
    fs.writeFileSync(path.join(dir, '29991231000000_broken', 'migration.sql'), 'CREATE TABLE "Half" (id int);\nSELECT 1/0;\n')
    await expect(migrate(db.url, dir)).rejects.toThrow(/^Миграция 29991231000000_broken не применена: division by zero/)
    // Earlier migrations stay applied; the broken one left neither its table nor a record.
    expect((await recorded(db.url)).map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name))
    expect(await query(db.url, `SELECT to_regclass('"Half"') IS NULL AS gone`)).toEqual([{ gone: true }])
  })
})

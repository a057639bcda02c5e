// Applies prisma/migrations/*/migration.sql in order, under an advisory lock,
// and records each in _prisma_migrations exactly as `prisma migrate deploy`
// does, so that machines with Prisma's native engine agree on what is applied.
// Prisma 6.19's WebAssembly engine cannot run `migrate deploy` on PostgreSQL
// (README, decision 2), hence this runner.
import { createHash, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../prisma/migrations')
/** Arbitrary constant identifying "oko-support migrations" among advisory locks. */
const LOCK_KEY = 7_265_190_421

export interface MigrationResult {
  applied: string[]
  alreadyApplied: number
}

export function listMigrations(dir = MIGRATIONS_DIR) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8')
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    })
}

export async function migrate(connectionString: string, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    // Session-level lock: a second process waits here until the first is done,
    // then finds everything applied. (PGlite is single-process anyway.)
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY])
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`)
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    )
    const done = new Map(rows.map((r) => [r.migration_name, r]))
    const result: MigrationResult = { applied: [], alreadyApplied: 0 }
    for (const m of listMigrations(dir)) {
      const previous = done.get(m.name)
      if (previous?.finished_at) {
        if (previous.checksum !== m.checksum) {
          throw new Error(`Миграция ${m.name} изменена после применения (checksum mismatch); создайте новую миграцию вместо правки старой.`)
        }
        result.alreadyApplied++
        continue
      }
      if (previous) {
        throw new Error(`Миграция ${m.name} ранее завершилась ошибкой; исправьте базу и отметьте её (prisma migrate resolve).`)
      }
      const id = randomUUID()
      await client.query('BEGIN')
      try {
        // Re-check inside the transaction: on PGlite every connection shares
        // one session, so the advisory lock does not exclude a racing caller,
        // but transactions are serialised, so this read sees its commit.
        const again = await client.query(
          'SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL',
          [m.name],
        )
        if (again.rowCount) {
          await client.query('COMMIT')
          result.alreadyApplied++
          continue
        }
        await client.query(m.sql)
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [id, m.checksum, m.name],
        )
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw new Error(`Миграция ${m.name} не применена: ${(error as Error).message}`)
      }
      result.applied.push(m.name)
    }
    return result
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined)
    await client.end()
  }
}

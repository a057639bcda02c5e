// The server the browser tests run against (playwright.config.ts, webServer):
// `npm start` with a data folder that starts empty and is removed afterwards.
//
// The tests reset passwords and change roles, so with DATABASE_URL they only
// run on an empty database (the server seeds the demo data into it); pointing
// them at a database that already holds organisations stops here.
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'

const dataDir = path.resolve(process.env.DATA_DIR ?? '')
if (!process.env.DATA_DIR || dataDir === path.resolve('.') || dataDir === path.resolve('data')) {
  console.error(`tests/e2e/server.ts: DATA_DIR must name a scratch folder (got ${process.env.DATA_DIR ?? 'nothing'}).`)
  process.exit(78)
}
fs.rmSync(dataDir, { recursive: true, force: true })
fs.mkdirSync(dataDir, { recursive: true })
process.on('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }))

if (process.env.DATABASE_URL) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await client.connect()
  try {
    const { rows } = await client.query<{ table: string | null }>(`SELECT to_regclass('public."Organization"')::text AS table`)
    const count = rows[0]?.table ? Number((await client.query('SELECT count(*) FROM "Organization"')).rows[0].count) : 0
    if (count > 0) {
      console.error(
        `tests/e2e/server.ts: the database in DATABASE_URL already holds ${count} organisations. ` +
          'The browser tests reset passwords and change roles: give them a fresh, empty database.',
      )
      process.exit(78)
    }
  } finally {
    await client.end()
  }
}

await import('../../server/start.ts')

// `npm run db:diff`: prints the SQL for a new migration — the change from the
// schema as it stood when the newest migration was committed to the working
// prisma/schema.prisma. (Diffing from the migrations folder needs Prisma to
// introspect a database, which its WebAssembly engine cannot do on
// PostgreSQL; the CLI still wants a database to connect to, so an in-memory
// PGlite is served for it.)
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { listMigrations } from './migrate.ts'
import { servePGlite } from './pglite-serve.ts'

const root = path.resolve(import.meta.dirname, '../..')
const newest = listMigrations().at(-1)?.name
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()
const commit = newest ? git('log', '-1', '--format=%H', '--', `prisma/migrations/${newest}`) : ''
if (newest && !commit) {
  console.error(`Миграция ${newest} ещё не закоммичена: закоммитьте её вместе со схемой, затем повторите.`)
  process.exit(1)
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oko-diff-'))
const fromSchema = path.join(tmp, 'from.prisma')
fs.writeFileSync(fromSchema, commit ? git('show', `${commit}:prisma/schema.prisma`) : '')
const served = await servePGlite({ socketPath: path.join(tmp, '.s.PGSQL.5432') })
const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(tmp)}`
try {
  const from = commit ? ['--from-schema-datamodel', fromSchema] : ['--from-empty']
  // Asynchronous: the database answers from this very event loop.
  const child = spawn(
    process.execPath,
    [path.join(root, 'server/prisma-env.mjs'), 'migrate', 'diff', ...from, '--to-schema-datamodel', 'prisma/schema.prisma', '--script'],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DATABASE_URL: url } },
  )
  process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)))
} finally {
  await served.stop()
  fs.rmSync(tmp, { recursive: true, force: true })
}

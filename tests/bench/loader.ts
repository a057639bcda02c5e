// In-process cost of GET /cabinet without HTTP: session lookup, scope summary, SQL per request, whole Remix handler.
//
// Options: --iterations N (sequential requests, default 300), --concurrency N
// (in-flight requests for the throughput pass, default 50), --login L.
// Opens the embedded database on a fresh data folder in this process (PGlite
// in its worker thread, as the server does), signs in without HTTP, then times
// the cabinet loaders' pieces and the built Remix request handler, counting
// the SQL statements Prisma sends and the time they take in the driver.
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { arg, cpuSeconds, machineNote, median, numberOption, percentile, printBench, removeDir, ROOT, round, tempDir } from './lib.ts'

const iterations = Math.round(numberOption('iterations', 'BENCH_ITERATIONS', 300))
const concurrency = Math.round(numberOption('concurrency', 'BENCH_CONCURRENCY', 50))
const login = arg('login') ?? 'reg29_m001'
const dataDir = tempDir('oko-bench-loader-')
Object.assign(process.env, { DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production' })

const buildPath = path.join(ROOT, 'build/server/index.js')
if (!fs.existsSync(buildPath)) {
  console.error('build/server/index.js is missing: run `npm run build` (or `npm start` once) first')
  process.exit(1)
}

const { parseEnv } = await import('../../app/utils/env.server.ts')
const { prepareDatabase } = await import('../../server/db/prepare.ts')
const { disconnectPrisma } = await import('../../app/utils/db.server.ts')
const { PrismaClient } = await import('../../app/generated/prisma/client.ts')
const { PrismaPg } = await import('@prisma/adapter-pg')
const { createRequestHandler } = await import('@remix-run/node')

console.log(`loader bench: ${login}, ${iterations} sequential + ${iterations} at concurrency ${concurrency} (${machineNote()})`)
const db = await prepareDatabase(parseEnv())

// Replace the app's Prisma client (a process-wide singleton) by one that reports each statement.
await disconnectPrisma()
const statements: { sql: string; ms: number }[] = []
const client = new PrismaClient({
  adapter: new PrismaPg({ connectionString: db.url, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) }),
  log: [{ emit: 'event', level: 'query' }],
})
client.$on('query', (e) => statements.push({ sql: e.query, ms: e.duration }))
;(globalThis as unknown as { __okoSingletons: Map<string, unknown> }).__okoSingletons.set('prisma', client)

const singletons = (globalThis as unknown as { __okoSingletons: Map<string, unknown> }).__okoSingletons

/** CPU seconds used by one thread of this process (the main thread's id is the pid). */
function readTask(tid: number) {
  const stat = fs.readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12])) / 100
}

/**
 * What-if: the same client, but session look-ups and org counts answered from
 * memory after the first call (as an in-process cache in the app would).
 */
function memoisingClient() {
  const memo = new Map<string, unknown>()
  const cached = (model: string, method: string) => {
    const target = (client as unknown as Record<string, Record<string, (args: unknown) => Promise<unknown>>>)[model]
    return new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop)
        if (prop !== method || typeof value !== 'function') return typeof value === 'function' ? value.bind(t) : value
        return (args: unknown) => {
          const key = `${model}.${method}:${JSON.stringify(args)}`
          if (!memo.has(key)) memo.set(key, value.call(t, args))
          return memo.get(key)
        }
      },
    })
  }
  const session = cached('session', 'findUnique')
  const organization = cached('organization', 'groupBy')
  return new Proxy(client, {
    get(t, prop) {
      if (prop === 'session') return session
      if (prop === 'organization') return organization
      return Reflect.get(t, prop)
    },
  })
}

const session = await import('../../app/accounts/session.server.ts')
const { scopeSummary } = await import('../../app/accounts/orgs.server.ts')

try {
  const user = await client.user.findUniqueOrThrow({ where: { login }, select: { id: true } })
  const created = await session.createSession(user.id, { ip: '127.0.0.1', userAgent: 'bench' })
  const cookie = (await session.commitSessionCookie(created.id)).split(';')[0]

  async function timeIt<T>(label: string, n: number, fn: () => Promise<T>) {
    for (let i = 0; i < Math.min(30, n); i++) await fn() // warm the JIT and the caches
    statements.length = 0
    const times: number[] = []
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      await fn()
      times.push(performance.now() - t0)
    }
    const perCall = statements.length / n
    const dbMs = statements.reduce((a, s) => a + s.ms, 0) / n
    const line = { label, p50: median(times), p99: percentile(times, 99), mean: times.reduce((a, b) => a + b, 0) / n, statements: perCall, dbMs }
    console.log(
      `  ${label.padEnd(26)} p50 ${line.p50.toFixed(2)} ms, p99 ${line.p99.toFixed(2)} ms, mean ${line.mean.toFixed(2)} ms; ${perCall.toFixed(1)} SQL statements/call, ${dbMs.toFixed(2)} ms of them in the driver (Prisma query events)`,
    )
    return line
  }

  const sessionUser = (await session.getUserByCookieHeader(cookie))!
  const lookup = await timeIt('session lookup', iterations, () => session.getUserByCookieHeader(cookie))
  const distinct = [...new Set(statements.map((s) => s.sql))]
  for (const sql of distinct) console.log(`    SQL: ${sql.length > 400 ? sql.slice(0, 400) + '…' : sql}`)
  const summary = await timeIt('scopeSummary', iterations, () => scopeSummary(sessionUser))
  for (const sql of new Set(statements.map((s) => s.sql))) console.log(`    SQL: ${sql.length > 400 ? sql.slice(0, 400) + '…' : sql}`)

  // The built app, as Express hands requests to it (no HTTP, no middleware).
  const build = await import(pathToFileURL(buildPath).href)
  const handle = createRequestHandler(build, 'production')
  const request = async () => {
    const res = await handle(new Request('http://127.0.0.1/cabinet', { headers: { cookie } }), { cspNonce: 'bench', clientIp: '127.0.0.1' })
    const body = await res.text()
    if (res.status !== 200) throw new Error(`/cabinet answered ${res.status}`)
    return body
  }
  const page = await timeIt('Remix handler GET /cabinet', iterations, request)
  const perPage = new Map<string, number>()
  for (const s of statements) perPage.set(s.sql.slice(0, 60), (perPage.get(s.sql.slice(0, 60)) ?? 0) + 1)
  for (const [sql, count] of perPage) console.log(`    ${(count / iterations).toFixed(1)}× ${sql}…`)

  // Throughput with many requests in flight, as under load (still no HTTP).
  async function loaded(label: string) {
    let next = 0
    const run = () =>
      Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next++ < iterations) await request()
        }),
      )
    await run() // warm-up round
    next = 0
    statements.length = 0
    const cpuMain0 = readTask(process.pid)
    const cpuAll0 = cpuSeconds([process.pid])
    const t0 = performance.now()
    await run()
    const seconds = (performance.now() - t0) / 1000
    const mainMs = ((readTask(process.pid) - cpuMain0) * 1000) / iterations
    const otherMs = ((cpuSeconds([process.pid]) - cpuAll0) * 1000) / iterations - mainMs
    const rps = iterations / seconds
    console.log(
      `  ${label.padEnd(44)} ${rps.toFixed(0).padStart(4)} req/s; CPU per request: main thread ${mainMs.toFixed(2)} ms, other threads (PGlite, GC helpers) ${otherMs.toFixed(2)} ms; ${(statements.length / iterations).toFixed(1)} SQL/request`,
    )
    return { rps, mainMs }
  }
  const real = await loaded(`Remix handler, ${concurrency} in flight`)
  singletons.set('prisma', memoisingClient())
  const whatIf = await loaded(`same, session + counts memoised (what-if)`)
  singletons.set('prisma', client)
  const handlerRps = real.rps

  printBench('loader', {
    session_ms: round(lookup.p50),
    session_sql: round(lookup.statements, 1),
    summary_ms: round(summary.p50),
    page_ms: round(page.p50),
    page_sql: round(page.statements, 1),
    page_db_ms: round(page.dbMs),
    handler_req_per_s: round(handlerRps, 1),
    handler_main_cpu_ms: round(real.mainMs),
    memo_req_per_s: round(whatIf.rps, 1),
    memo_main_cpu_ms: round(whatIf.mainMs),
  })
} finally {
  await client.$disconnect()
  await db.stop()
  removeDir(dataDir)
}

// Time until 1,000 signed-in watchers of a thread have a new answer posted over HTTP (goal p99 ≤ 300 ms, one process); again with two processes and Redis; server memory with 5,000 idle clients.
//
// Options (argv or environment):
//   --clients N   watchers of the thread (BENCH_CLIENTS, default 1000)
//   --posts N     answers posted, one after another (BENCH_POSTS, default 10)
//   --idle N      idle clients for the memory figure (BENCH_IDLE, default 5000; 0 skips)
//   --redis URL   Redis for the two-process run (REDIS_URL, default redis://127.0.0.1:6379); --no-redis skips it
//   --pg URL      PostgreSQL server for the two-process run, an admin URL (BENCH_PG_URL,
//                 default postgresql://postgres@127.0.0.1:5432/postgres): a fresh database is created and dropped
//
// Each run: the accounts (one session row per watcher, no argon2 logins) and
// the question are written into a fresh database; the server starts; every
// client connects over WebSocket with its session cookie and joins
// `topic:<id>` (authorised by the server); a ФИОКО specialist posts an answer
// with a real POST to the thread page's action (intent=reply, as the page's
// form does); each client notes when `forum:event` post.created with that
// answer arrives. Latency = arrival − the moment the POST was sent, for every
// client and every answer. The clients all run in this one process, so the
// last ones also wait for this process to handle the others' frames: the
// figures are an upper bound of what browsers would see.
// The single-process run (embedded PGlite) prints its BENCH line last; the
// two-process run uses a PostgreSQL server (two processes cannot share the
// embedded database) and the Redis streams adapter.
import fs from 'node:fs'
import { io as connect, type Socket } from 'socket.io-client'
import { contentFromText } from '../../app/forum/content.ts'
import { createServerDatabase, seedForum } from './_forum-seed.ts'
import { arg, machineNote, numberOption, percentile, printBench, processTree, removeDir, round, sleep, startServer, tempDir, type RunningServer } from './lib.ts'

const P99_GOAL_MS = 300
const clientsWanted = Math.round(numberOption('clients', 'BENCH_CLIENTS', 1000))
const postsWanted = Math.round(numberOption('posts', 'BENCH_POSTS', 10))
const idleWanted = arg('idle') === '0' || process.env.BENCH_IDLE === '0' ? 0 : Math.round(numberOption('idle', 'BENCH_IDLE', 5000))
const redisUrl = arg('no-redis') === 'true' ? undefined : (arg('redis') ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
const pgAdminUrl = arg('pg') ?? process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'
const ROUTE_DATA = encodeURIComponent('routes/cabinet.topics.$id')

interface RunResult {
  clients: number
  nodes: number
  db: string
  samples: number[]
  fanout: number[]
  missed: number
  postMs: number[]
  idleClients: number
  idleRssMb: number | null
  startRssMb: number | null
}

function rssMb(server: RunningServer): number | null {
  const pid = processTree(server.pid)[1] ?? server.pid
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Math.round(Number(m[1]) / 1024) : null
  } catch {
    return null
  }
}

/** Connects clients (a WebSocket each, as many browsers would), optionally joining a room; `concurrency` handshakes at a time. */
async function connectClients(urls: string[], cookies: string[], room: string | null, concurrency = 100): Promise<Socket[]> {
  const sockets: Socket[] = new Array(cookies.length)
  let next = 0
  let failures = 0
  const one = async (i: number) => {
    const socket = connect(urls[i % urls.length], {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: { Cookie: cookies[i] },
      reconnection: false,
      forceNew: true,
      timeout: 60_000,
    })
    sockets[i] = socket
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve())
      socket.once('connect_error', (e) => reject(new Error(`client ${i}: ${e.message}`)))
    })
    if (room) {
      const ack = await socket.timeout(60_000).emitWithAck('forum:join', { room })
      if (!ack.ok) throw new Error(`client ${i}: forum:join refused: ${ack.error}`)
    }
  }
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < cookies.length) {
        const i = next++
        try {
          await one(i)
        } catch (error) {
          if (++failures <= 3) console.log(`  ${(error as Error).message}`)
        }
      }
    }),
  )
  if (failures) throw new Error(`${failures} of ${cookies.length} clients could not connect and join`)
  return sockets
}

function closeAll(sockets: Socket[]) {
  for (const s of sockets) s?.close()
}

/** Posts `posts` answers through the thread page's action and times their arrival at every client. */
async function measure(sockets: Socket[], postBase: string, cookie: string, topicId: number, posts: number, label: string) {
  const samples: number[] = []
  const postMs: number[] = []
  /** Arrival after the first client had it: the fan-out alone, without the answer's own write. */
  const fanout: number[] = []
  let missed = 0
  let current: { marker: string; t0: number; got: Set<number>; resolve: () => void } | null = null
  sockets.forEach((socket, i) =>
    socket.on('forum:event', (event: { type: string; payload: { post?: { text?: string } } }) => {
      const c = current
      if (!c || event.type !== 'post.created' || !event.payload.post?.text?.includes(c.marker) || c.got.has(i)) return
      c.got.add(i)
      samples.push(performance.now() - c.t0)
      if (c.got.size === sockets.length) c.resolve()
    }),
  )
  for (let p = 0; p < posts; p++) {
    const marker = `${label}-${p + 1}-${Math.random().toString(36).slice(2, 8)}`
    const body = new URLSearchParams({
      intent: 'reply',
      content: JSON.stringify(contentFromText(`Официальное разъяснение (${marker}): ответ без единиц измерения оценивается в 0 баллов, если условие требует их указать.`)),
    })
    let resolve!: () => void
    const all = new Promise<void>((r) => (resolve = r))
    const t0 = performance.now()
    current = { marker, t0, got: new Set(), resolve }
    const res = await fetch(`${postBase}/cabinet/topics/${topicId}?_data=${ROUTE_DATA}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'manual',
    })
    const text = await res.text()
    postMs.push(performance.now() - t0)
    if (res.status !== 200 || /"ok"\s*:\s*false/.test(text)) throw new Error(`POST reply answered ${res.status}: ${text.slice(0, 300)}`)
    const timeout = sleep(30_000).then(() => 'timeout' as const)
    const outcome = await Promise.race([all.then(() => 'all' as const), timeout])
    const got = current.got.size
    current = null
    if (outcome === 'timeout') missed += sockets.length - got
    const mine = samples.slice(-got)
    const first = Math.min(...mine)
    for (const v of mine) fanout.push(v - first)
    console.log(`    answer ${p + 1}: POST answered in ${postMs.at(-1)!.toFixed(0)} ms; ${got}/${sockets.length} clients had it: first ${first.toFixed(0)} ms, p50 ${percentile(mine, 50).toFixed(0)} ms, last ${Math.max(...mine).toFixed(0)} ms`)
    await sleep(1_000)
  }
  return { samples, postMs, fanout, missed }
}

async function singleProcessRun(): Promise<RunResult> {
  const dataDir = tempDir('oko-bench-realtime-')
  let server: RunningServer | undefined
  let sockets: Socket[] = []
  try {
    const viewers = Math.max(clientsWanted, idleWanted)
    const t0 = performance.now()
    const seed = await seedForum({ dataDir, viewers, posts: 0 })
    console.log(`\n  one process, embedded PGlite: seeded ${viewers} sessions and topic ${seed.topicId} in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    server = await startServer({ dataDir, env: { RATE_LIMIT_FACTOR: '1000', LOG_LEVEL: 'warn', DEMO_DATA: 'off', INTAKE_SMTP_PORT: 'off' } })
    const startRssMb = rssMb(server)
    console.log(`  server ready in ${server.readySeconds.toFixed(1)} s at ${server.url}, RSS ${startRssMb} MB`)
    const c0 = performance.now()
    sockets = await connectClients([server.url], seed.viewerCookies.slice(0, clientsWanted), `topic:${seed.topicId}`)
    console.log(`  ${sockets.length} clients connected and joined topic:${seed.topicId} in ${((performance.now() - c0) / 1000).toFixed(1)} s; RSS ${rssMb(server)} MB`)
    await sleep(1_500) // let the viewer recount settle
    const m = await measure(sockets, server.url, seed.specialistCookie, seed.topicId, postsWanted, 'one')
    closeAll(sockets)
    sockets = []

    let idleRssMb: number | null = null
    if (idleWanted > 0) {
      await sleep(2_000)
      const i0 = performance.now()
      sockets = await connectClients([server.url], seed.viewerCookies.slice(0, idleWanted), null, 200)
      console.log(`  ${sockets.length} idle clients connected in ${((performance.now() - i0) / 1000).toFixed(1)} s`)
      await sleep(5_000)
      idleRssMb = rssMb(server)
      console.log(`  server RSS with ${sockets.length} idle clients: ${idleRssMb} MB (${startRssMb} MB at start, embedded PostgreSQL included)`)
      closeAll(sockets)
      sockets = []
    }
    return { clients: clientsWanted, nodes: 1, db: 'pglite', ...m, idleClients: idleWanted, idleRssMb, startRssMb }
  } finally {
    closeAll(sockets)
    if (server) await server.stop()
    removeDir(dataDir)
  }
}

async function twoProcessRun(redis: string): Promise<RunResult> {
  const dataDir = tempDir('oko-bench-realtime2-')
  const database = await createServerDatabase(pgAdminUrl, `oko_bench_realtime_${process.pid}`)
  const secret = `bench-${Math.random().toString(36).slice(2)}-${'x'.repeat(32)}`
  const servers: RunningServer[] = []
  let sockets: Socket[] = []
  try {
    const t0 = performance.now()
    const seed = await seedForum({ dataDir, databaseUrl: database.url, sessionSecret: secret, viewers: clientsWanted, posts: 0 })
    console.log(`\n  two processes, PostgreSQL server + Redis streams adapter: seeded ${clientsWanted} sessions and topic ${seed.topicId} in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    const common = { RATE_LIMIT_FACTOR: '1000', LOG_LEVEL: 'warn', DEMO_DATA: 'off', INTAKE_SMTP_PORT: 'off', DATABASE_URL: database.url, SESSION_SECRET: secret, REDIS_URL: redis }
    servers.push(await startServer({ dataDir, env: { ...common, ROLE: 'web,worker' } }))
    servers.push(await startServer({ dataDir, env: { ...common, ROLE: 'web' } }))
    console.log(`  servers ready at ${servers.map((s) => s.url).join(' and ')}`)
    const c0 = performance.now()
    sockets = await connectClients(
      servers.map((s) => s.url),
      seed.viewerCookies,
      `topic:${seed.topicId}`,
    )
    console.log(`  ${sockets.length} clients (half on each process) connected and joined in ${((performance.now() - c0) / 1000).toFixed(1)} s`)
    await sleep(1_500)
    const m = await measure(sockets, servers[0].url, seed.specialistCookie, seed.topicId, postsWanted, 'two')
    return { clients: clientsWanted, nodes: 2, db: 'postgres', ...m, idleClients: 0, idleRssMb: null, startRssMb: null }
  } finally {
    closeAll(sockets)
    for (const s of servers) await s.stop()
    await database.drop().catch((e) => console.log(`  could not drop the bench database: ${e.message}`))
    removeDir(dataDir)
  }
}

function report(r: RunResult) {
  const p50 = percentile(r.samples, 50)
  const p99 = percentile(r.samples, 99)
  console.log(
    `  ${r.nodes} process(es): ${r.samples.length} deliveries (${r.clients} clients × ${postsWanted} answers), ${r.missed} missed; p50 ${p50.toFixed(0)} ms, p90 ${percentile(r.samples, 90).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${Math.max(...r.samples).toFixed(0)} ms; fan-out after the first client p99 ${percentile(r.fanout, 99).toFixed(0)} ms; POST p50 ${percentile(r.postMs, 50).toFixed(0)} ms; goal p99 ≤ ${P99_GOAL_MS} ms: ${p99 <= P99_GOAL_MS ? 'met' : 'MISSED'}`,
  )
}

function bench(r: RunResult) {
  printBench('realtime', {
    clients: r.clients,
    nodes: r.nodes,
    p50_ms: round(percentile(r.samples, 50), 1),
    p99_ms: round(percentile(r.samples, 99), 1),
    idle_clients: r.idleClients,
    idle_rss_mb: r.idleRssMb ?? 'na',
    start_rss_mb: r.startRssMb ?? 'na',
    posts: postsWanted,
    missed: r.missed,
    fanout_p99_ms: round(percentile(r.fanout, 99), 1),
    post_p50_ms: round(percentile(r.postMs, 50), 1),
    db: r.db,
  })
}

console.log(`realtime bench: ${clientsWanted} watchers, ${postsWanted} answers, ${idleWanted} idle clients; ulimit -n ${fdLimit()} (${machineNote()}, ${new Date().toISOString()})`)

function fdLimit() {
  try {
    const m = /Max open files\s+(\d+)/.exec(fs.readFileSync('/proc/self/limits', 'utf8'))
    return m ? m[1] : '?'
  } catch {
    return '?'
  }
}

const results: RunResult[] = []
let failed = false
try {
  results.push(await singleProcessRun())
  report(results[0])
} catch (error) {
  failed = true
  console.error(`realtime bench (one process) failed: ${(error as Error).stack ?? (error as Error).message}`)
}
if (redisUrl) {
  try {
    const r = await twoProcessRun(redisUrl)
    report(r)
    results.unshift(r)
  } catch (error) {
    failed = true
    console.error(`realtime bench (two processes, Redis) failed: ${(error as Error).stack ?? (error as Error).message}`)
  }
} else {
  console.log('  two-process run skipped (--no-redis)')
}
// One line per run; the single-process run last.
for (const r of results) bench(r)
process.exitCode = failed ? 1 : 0

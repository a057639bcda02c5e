// Throughput and latency of a signed-in thread page with 100 posts, GET /cabinet/topics/<id> (goals: ≥ 150 req/s, p99 ≤ 250 ms).
//
// Options (argv or environment):
//   --duration S     measured seconds (BENCH_DURATION, default 15)
//   --connections N  concurrent connections (BENCH_CONNECTIONS, default 32)
//   --warmup S       warm-up seconds, not measured (BENCH_WARMUP, default 2)
//   --posts N        posts in the thread, the question included (default 100)
//   --cpu-prof       profile the server's main thread (node --cpu-prof) and print where CPU time went
// The thread is written through the forum's domain functions (askQuestion,
// reply) into a fresh embedded database before the server starts; the
// viewer is a teacher signed in by a session row (no argon2 login). The
// server runs with RATE_LIMIT_FACTOR=1000 and LOG_LEVEL=warn; autocannon runs
// in this process (same machine, same cores).
import os from 'node:os'
import autocannon from 'autocannon'
import { seedForum } from './_forum-seed.ts'
import { arg, cpuSeconds, keepDir, machineBusySeconds, machineNote, monotonicUs, numberOption, printBench, processTree, removeDir, round, startServer, reportProfiles, tempDir } from './lib.ts'

/** Functions and packages whose inclusive CPU time the profile summary lists. */
const PROFILE_MARKERS = ['loader', 'getThread', 'requireUser', 'getUserByCookieHeader', 'renderToPipeableStream', 'compression', '@prisma/client', '@prisma/adapter-pg', 'node_modules/pg/', 'query_compiler', 'sanitize', 'lexical']

const RPS_GOAL = 150
const P99_GOAL_MS = 250

const duration = numberOption('duration', 'BENCH_DURATION', 15)
const connections = Math.round(numberOption('connections', 'BENCH_CONNECTIONS', 32))
const warmup = numberOption('warmup', 'BENCH_WARMUP', 2)
const posts = Math.round(numberOption('posts', 'BENCH_POSTS', 100))
const cpuProf = arg('cpu-prof') === 'true'

const dataDir = tempDir('oko-bench-thread-')
const profDir = cpuProf ? tempDir('oko-bench-prof-') : undefined
if (profDir) keepDir(profDir)
console.log(`thread bench: a thread of ${posts} posts, ${connections} connections, ${duration} s after ${warmup} s warm-up (${machineNote()}, ${new Date().toISOString()})`)

let server: Awaited<ReturnType<typeof startServer>> | undefined
try {
  const t0 = performance.now()
  const seed = await seedForum({ dataDir, viewers: 41, posts: posts - 1 })
  console.log(`  seeded topic ${seed.topicId} with ${posts} posts in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  server = await startServer({
    dataDir,
    env: { RATE_LIMIT_FACTOR: '1000', LOG_LEVEL: 'warn', DEMO_DATA: 'off' },
    nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
  })
  console.log(`  server ready in ${server.readySeconds.toFixed(1)} s at ${server.url}`)
  const target = `${server.url}/cabinet/topics/${seed.topicId}`
  // A teacher who did not write in the thread (no edit buttons of their own beyond the usual).
  const cookie = seed.viewerCookies[seed.viewerCookies.length - 1]

  const probe = await fetch(target, { headers: { cookie }, redirect: 'manual' })
  const html = await probe.text()
  const shown = (html.match(/data-testid="post"/g) ?? []).length
  if (probe.status !== 200 || shown !== posts) {
    throw new Error(`GET ${target} answered ${probe.status}${probe.headers.get('location') ? ` → ${probe.headers.get('location')}` : ''} with ${shown} posts, not the signed-in thread of ${posts}`)
  }
  console.log(`  probe: 200, ${shown} posts, ${html.length} bytes of HTML`)

  const cannon = (seconds: number) => autocannon({ url: target, connections, duration: seconds, headers: { cookie }, timeout: 10 })
  if (warmup > 0) await cannon(warmup)
  const serverPids = processTree(server.pid)
  const serverCpu0 = cpuSeconds(serverPids)
  const ownCpu0 = process.cpuUsage()
  const machine0 = machineBusySeconds()
  const fromUs = monotonicUs()
  const r = await cannon(duration)
  const toUs = monotonicUs()
  const wall = (toUs - fromUs) / 1e6
  const serverCpuPct = (100 * (cpuSeconds(serverPids) - serverCpu0)) / wall
  const ownCpu = process.cpuUsage(ownCpu0)
  const ownCpuPct = (100 * (ownCpu.user + ownCpu.system)) / 1e6 / wall
  const otherCpuPct = Math.max(0, (100 * (machineBusySeconds() - machine0)) / wall - serverCpuPct - ownCpuPct)

  const total = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx']
  console.log(`  ${total} responses in ${r.duration.toFixed(1)} s, ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`)
  console.log(`  CPU during the run: server ${serverCpuPct.toFixed(0)}% (of ${os.cpus().length * 100}%), load generator ${ownCpuPct.toFixed(0)}%, other processes ${otherCpuPct.toFixed(0)}%; ${((1000 * (serverCpuPct / 100)) / (total / wall)).toFixed(2)} ms of server CPU per request`)
  console.log(`  latency ms: p50 ${r.latency.p50}, p90 ${r.latency.p90}, p99 ${r.latency.p99}, max ${r.latency.max}; req/s mean ${r.requests.average}, min ${r.requests.min}`)
  const failed = r.non2xx > 0 || r.errors > 0 || total === 0
  if (failed) console.log(`  ERRORS: ${r.non2xx} non-2xx responses, ${r.errors} connection errors: these figures are not valid`)
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED')
  console.log(`  goal ≥ ${RPS_GOAL} req/s: ${verdict(r.requests.average >= RPS_GOAL)}; goal p99 ≤ ${P99_GOAL_MS} ms: ${verdict(r.latency.p99 <= P99_GOAL_MS)}`)

  await server.stop()
  server = undefined
  if (profDir) reportProfiles(profDir, fromUs, toUs, PROFILE_MARKERS)

  printBench('thread', {
    req_per_s: round(r.requests.average, 1),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    posts,
    connections,
    duration_s: duration,
    non2xx: r.non2xx,
    errors: r.errors,
    server_cpu_pct: Math.round(serverCpuPct),
    other_cpu_pct: Math.round(otherCpuPct),
  })
  process.exitCode = failed ? 1 : 0
} catch (error) {
  console.error(`thread bench failed: ${(error as Error).stack ?? (error as Error).message}`)
  process.exitCode = 1
} finally {
  if (server) await server.stop()
  removeDir(dataDir)
}

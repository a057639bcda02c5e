// Throughput and latency of the signed-in cabinet home, GET /cabinet (goals: ≥ 250 req/s, p99 ≤ 100 ms).
//
// Options (argv or environment):
//   --duration S     measured seconds (BENCH_DURATION, default 20)
//   --connections N  concurrent connections (BENCH_CONNECTIONS, default 50)
//   --warmup S       warm-up seconds, not measured (BENCH_WARMUP, default 2)
//   --login L        demo login to sign in as (default reg29_m001)
//   --path P         path to load (default /cabinet)
//   --gzip           send Accept-Encoding: gzip, as browsers do
//   --cpu-prof       profile the server's main thread (node --cpu-prof) and print where CPU time went
// Each connection sends its next request when the previous answer arrives (a
// closed loop), so when the server is saturated mean latency ≈ connections ÷
// throughput: use --connections 1 for the latency of one request alone.
// The server runs on a fresh temporary data folder with RATE_LIMIT_FACTOR=1000
// and LOG_LEVEL=warn; autocannon runs in this process (same machine, same cores).
import os from 'node:os'
import autocannon from 'autocannon'
import { arg, cpuSeconds, keepDir, machineBusySeconds, machineNote, monotonicUs, processTree, numberOption, printBench, removeDir, round, signIn, startServer, reportProfiles, tempDir } from './lib.ts'

/** Functions and packages whose inclusive CPU time the profile summary lists. */
const PROFILE_MARKERS = ['loader', 'requireUser', 'getUserByCookieHeader', 'scopeSummary', 'renderToPipeableStream', 'compression', 'helmet', '@prisma/client', '@prisma/adapter-pg', 'node_modules/pg/', 'pg-protocol', 'query_compiler']

const RPS_GOAL = 250
const P99_GOAL_MS = 100

const duration = numberOption('duration', 'BENCH_DURATION', 20)
const connections = Math.round(numberOption('connections', 'BENCH_CONNECTIONS', 50))
const warmup = numberOption('warmup', 'BENCH_WARMUP', 2)
const login = arg('login') ?? 'reg29_m001'
const target = arg('path') ?? '/cabinet'
const gzip = arg('gzip') === 'true'
const cpuProf = arg('cpu-prof') === 'true'

const dataDir = tempDir('oko-bench-http-')
const profDir = cpuProf ? tempDir('oko-bench-prof-') : undefined
if (profDir) keepDir(profDir) // the profiles are for reading afterwards
console.log(`http bench: GET ${target} as ${login}, ${connections} connections, ${duration} s after ${warmup} s warm-up${gzip ? ', gzip' : ''} (${machineNote()})`)

function cannon(url: string, headers: Record<string, string>, seconds: number) {
  return autocannon({ url, connections, duration: seconds, headers, timeout: 10 })
}

let server: Awaited<ReturnType<typeof startServer>> | undefined
try {
  server = await startServer({
    dataDir,
    env: { RATE_LIMIT_FACTOR: '1000', LOG_LEVEL: 'warn' },
    nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
  })
  console.log(`  server ready in ${server.readySeconds.toFixed(1)} s at ${server.url}`)
  const cookie = await signIn(server.url, login)
  const headers: Record<string, string> = { cookie, ...(gzip ? { 'accept-encoding': 'gzip' } : {}) }

  // The page must really be the signed-in cabinet, not a redirect to /login.
  const probe = await fetch(server.url + target, { headers: { cookie }, redirect: 'manual' })
  const html = await probe.text()
  if (probe.status !== 200 || !html.includes('data-testid="who"')) {
    throw new Error(`GET ${target} with the session cookie answered ${probe.status}${probe.headers.get('location') ? ` → ${probe.headers.get('location')}` : ''}, not the signed-in cabinet`)
  }
  console.log(`  probe: 200, ${html.length} bytes of HTML`)

  if (warmup > 0) await cannon(server.url + target, headers, warmup)
  const serverPids = processTree(server.pid)
  const serverCpu0 = cpuSeconds(serverPids)
  const ownCpu0 = process.cpuUsage()
  const machine0 = machineBusySeconds()
  const fromUs = monotonicUs()
  const r = await cannon(server.url + target, headers, duration)
  const toUs = monotonicUs()
  const wall = (toUs - fromUs) / 1e6
  const serverCpuPct = (100 * (cpuSeconds(serverPids) - serverCpu0)) / wall
  const ownCpu = process.cpuUsage(ownCpu0)
  const ownCpuPct = (100 * (ownCpu.user + ownCpu.system)) / 1e6 / wall
  const otherCpuPct = Math.max(0, (100 * (machineBusySeconds() - machine0)) / wall - serverCpuPct - ownCpuPct)

  const total = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx']
  const byStatus = Object.entries(r.statusCodeStats ?? {})
    .map(([code, s]) => `${code}×${s.count ?? 0}`)
    .join(' ')
  console.log(`  ${total} responses in ${r.duration.toFixed(1)} s (${byStatus || 'none'}), ${r.errors} errors, ${r.timeouts} timeouts`)
  console.log(`  CPU during the run: server ${serverCpuPct.toFixed(0)}% (of ${os.cpus().length * 100}%), load generator ${ownCpuPct.toFixed(0)}%, other processes ${otherCpuPct.toFixed(0)}%; ${(1000 * (serverCpuPct / 100) / (total / wall)).toFixed(2)} ms of server CPU per request`)
  console.log(`  latency ms: p50 ${r.latency.p50}, p90 ${r.latency.p90}, p99 ${r.latency.p99}, max ${r.latency.max}; req/s mean ${r.requests.average}, min ${r.requests.min}`)

  const failed = r.non2xx > 0 || r.errors > 0 || total === 0
  if (failed) {
    console.log(`  ERRORS: ${r.non2xx} non-2xx responses, ${r.errors} connection errors (${r.timeouts} timeouts): these figures are not valid`)
  }
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED')
  console.log(`  goal ≥ ${RPS_GOAL} req/s: ${verdict(r.requests.average >= RPS_GOAL)}; goal p99 ≤ ${P99_GOAL_MS} ms: ${verdict(r.latency.p99 <= P99_GOAL_MS)}`)

  const stopped = await server.stop()
  server = undefined
  if (profDir) reportProfiles(profDir, fromUs, toUs, PROFILE_MARKERS)

  printBench('http', {
    req_per_s: round(r.requests.average, 1),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    requests: total,
    connections,
    duration_s: duration,
    server_cpu_pct: Math.round(serverCpuPct),
    other_cpu_pct: Math.round(otherCpuPct),
    ...(stopped.killed ? { forced_kill: 1 } : {}),
  })
  process.exitCode = failed ? 1 : 0
} catch (error) {
  console.error(`http bench failed: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  if (server) await server.stop()
  removeDir(dataDir)
}

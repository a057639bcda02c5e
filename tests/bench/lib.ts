// Shared helpers for the benches: run the server as a child process on a free
// loopback port with its own data folder, wait for /healthz, sign in, stop it,
// and print results as one machine-readable line (`BENCH <name> key=value …`).
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export const ROOT = path.resolve(import.meta.dirname, '../..')
const TSX = path.join(ROOT, 'node_modules/.bin/tsx')

export const DEMO_PASSWORD = 'oko-demo-2026'

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

const temporary = new Set<string>()

/** A fresh, empty temporary folder; `removeDir` removes it, and so does Ctrl+C unless `keepDir` was called. */
export function tempDir(prefix = 'oko-bench-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  temporary.add(dir)
  return dir
}

export function keepDir(dir: string) {
  temporary.delete(dir)
}

export function removeDir(dir: string) {
  temporary.delete(dir)
  fs.rmSync(dir, { recursive: true, force: true })
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface StartOptions {
  dataDir: string
  port?: number
  /** Extra environment for the server (LOG_LEVEL defaults to warn). */
  env?: Record<string, string | undefined>
  /** Extra `node` flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/x'] (tsx passes them to node). */
  nodeArgs?: string[]
  /** How long to wait for /healthz 200 (ms). */
  timeoutMs?: number
}

export interface RunningServer {
  url: string
  port: number
  dataDir: string
  pid: number
  /** Seconds from spawning `tsx server/start.ts` to the first /healthz 200. */
  readySeconds: number
  /** True when `npm start` rebuilt the web bundle (it was missing or older than app/). */
  rebuilt: boolean
  /** The last lines the server printed (stdout and stderr). */
  output(): string
  /** SIGTERM, then SIGKILL to its process group after `graceMs`; resolves with seconds to exit. */
  stop(graceMs?: number): Promise<{ seconds: number; code: number | null; signal: NodeJS.Signals | null; killed: boolean }>
}

const live = new Set<ChildProcess>()

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, signal) // its own process group (spawned detached)
  } catch {
    try {
      child.kill(signal)
    } catch {
      /* already gone */
    }
  }
}

// Whatever way the bench ends, leave no server behind.
// On Ctrl+C (or SIGTERM) also remove the temporary folders not marked `keepDir`;
// a normal exit leaves folders to the bench (its own try/finally and --keep).
process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL')
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    const code = 128 + os.constants.signals[signal]
    const cleanUp = () => {
      for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true })
      process.exit(code)
    }
    for (const child of live) killGroup(child, 'SIGTERM')
    setTimeout(() => {
      for (const child of live) killGroup(child, 'SIGKILL')
      cleanUp()
    }, 5000).unref()
    void Promise.all([...live].map((c) => new Promise((r) => c.once('exit', r)))).then(cleanUp)
  })
}

/** GET a URL with a timeout; resolves with the status (0 when it could not connect). */
export async function getStatus(url: string, timeoutMs = 2000): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' })
    await res.arrayBuffer()
    return res.status
  } catch {
    return 0
  }
}

/**
 * Starts the server the way `npm start` does (`tsx server/start.ts`, which
 * rebuilds the bundle when stale) and waits for /healthz to answer 200.
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const port = options.port ?? (await freePort())
  const url = `http://127.0.0.1:${port}`
  const timeoutMs = options.timeoutMs ?? 120_000
  const lines: string[] = []
  let rebuilt = false
  const remember = (chunk: Buffer) => {
    const text = chunk.toString('utf8')
    if (text.includes('remix build')) rebuilt = true
    lines.push(...text.split('\n').filter(Boolean))
    if (lines.length > 200) lines.splice(0, lines.length - 200)
  }

  const started = performance.now()
  const child = spawn(TSX, [...(options.nodeArgs ?? []), 'server/start.ts'], {
    cwd: ROOT,
    detached: true, // own process group: a SIGKILL fallback reaches tsx's child too
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      ...options.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: options.dataDir,
    },
  })
  live.add(child)
  child.stdout!.on('data', remember)
  child.stderr!.on('data', remember)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child)
      resolve({ code, signal })
    }),
  )
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined
  void exited.then((info) => (exitInfo = info))

  const output = () => lines.join('\n')
  let readySeconds = -1
  while (performance.now() - started < timeoutMs) {
    if (exitInfo) break
    if ((await getStatus(`${url}/healthz`, 1000)) === 200) {
      readySeconds = (performance.now() - started) / 1000
      break
    }
    await sleep(50)
  }
  if (readySeconds < 0) {
    const why = exitInfo
      ? `exited early (code ${exitInfo.code}, signal ${exitInfo.signal})`
      : `did not answer /healthz 200 within ${Math.round(timeoutMs / 1000)} s`
    killGroup(child, 'SIGKILL')
    await exited
    throw new Error(`server ${why}; its last output:\n${output()}`)
  }

  return {
    url,
    port,
    dataDir: options.dataDir,
    pid: child.pid!,
    readySeconds,
    get rebuilt() {
      return rebuilt
    },
    output,
    async stop(graceMs = 25_000) {
      const t0 = performance.now()
      if (exitInfo) return { seconds: 0, ...exitInfo, killed: false }
      // Signal the server process itself (tsx's child): the tsx CLI relays a
      // signal too, but SIGKILLs a busy child that is slow to acknowledge it.
      const [, serverPid] = processTree(child.pid!)
      try {
        if (serverPid) process.kill(serverPid, 'SIGTERM')
        else child.kill('SIGTERM')
      } catch {
        child.kill('SIGTERM')
      }
      let killed = false
      const timer = setTimeout(() => {
        killed = true
        killGroup(child, 'SIGKILL')
      }, graceMs)
      const info = await exited
      clearTimeout(timer)
      return { seconds: (performance.now() - t0) / 1000, ...info, killed }
    },
  }
}

/** Signs in with the sign-in form; returns the `oko_session=…` cookie pair. */
export async function signIn(baseUrl: string, login: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login, password }).toString(),
  })
  const body = await res.text()
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('oko_session=') && c.length > 'oko_session='.length)
  if (res.status !== 302 || !cookie) {
    throw new Error(`sign-in as ${login} failed: HTTP ${res.status}, no session cookie; body starts: ${body.slice(0, 300)}`)
  }
  return cookie
}

/** The p-th percentile (0–100) of the values, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]
}

export const median = (values: number[]) => percentile(values, 50)

/** Rounds to a number of decimals (for printing). */
export function round(value: number, decimals = 2): number {
  const f = 10 ** decimals
  return Math.round(value * f) / f
}

export type BenchValue = string | number | boolean

/** Prints the final, machine-readable line: `BENCH <name> key=value …`. */
export function printBench(name: string, fields: Record<string, BenchValue>) {
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${String(v).replace(/\s+/g, '_')}`)
  process.stdout.write(`BENCH ${name} ${parts.join(' ')}\n`)
}

/** Simple argv reading: `--name value` or `--name=value`; flags without a value give 'true'. */
export function arg(name: string, argv = process.argv.slice(2)): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === `--${name}`) {
      const next = argv[i + 1]
      return next !== undefined && !next.startsWith('--') ? next : 'true'
    }
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3)
  }
  return undefined
}

/** A positive number from argv (`--name`) or the environment, else the default. */
export function numberOption(name: string, envName: string, fallback: number): number {
  const raw = arg(name) ?? process.env[envName]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} / ${envName}: expected a positive number, got "${raw}"`)
    process.exit(2)
  }
  return n
}

/** The load on the machine, to print beside figures (other work skews them). */
export function machineNote(): string {
  const [l1] = os.loadavg()
  return `${os.cpus().length} cpu, load ${l1.toFixed(2)}, node ${process.version}`
}

// --- CPU profiles (node --cpu-prof) -----------------------------------------

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

function shortUrl(url: string) {
  const rel = url.replace(/^file:\/\//, '').replace(ROOT + '/', '')
  const nm = rel.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = rel.slice(nm + 'node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  return rel || '(native)'
}

/** The profiler's clock (CLOCK_MONOTONIC, µs): comparable with `--cpu-prof` timestamps of other processes. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n)

/**
 * Summarises a .cpuprofile: self time by function and by package/file, and
 * inclusive time under the given markers (substrings of function names or
 * URLs), optionally only for samples between `fromUs` and `toUs` (see
 * `monotonicUs`). Times are ms of sampled time; `idleMs` is time the thread
 * had nothing to run.
 */
export function summarizeCpuProfile(file: string, options: { top?: number; markers?: string[]; fromUs?: number; toUs?: number } = {}) {
  const { top = 20, markers = [], fromUs = -Infinity, toUs = Infinity } = options
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<number, number>()
  let t = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0
    if (t < fromUs || t > toUs) continue
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt)
  }
  let totalMs = 0
  let idleMs = 0
  const fnSelf = new Map<string, number>()
  const pkgSelf = new Map<string, number>()
  const markerTotal = new Map<string, number>(markers.map((m) => [m, 0]))
  for (const [id, ms] of self) {
    const n = byId.get(id)!
    totalMs += ms
    if (n.callFrame.functionName === '(idle)') {
      idleMs += ms
      continue
    }
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`
    fnSelf.set(fn, (fnSelf.get(fn) ?? 0) + ms)
    const pkg = n.callFrame.url ? shortUrl(n.callFrame.url) : n.callFrame.functionName
    pkgSelf.set(pkg, (pkgSelf.get(pkg) ?? 0) + ms)
    if (markers.length) {
      const seen = new Set<string>()
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame
        for (const m of markers) if (!seen.has(m) && (f.functionName === m || f.url.includes(m))) seen.add(m)
      }
      for (const m of seen) markerTotal.set(m, markerTotal.get(m)! + ms)
    }
  }
  const sortTop = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
  return { totalMs, idleMs, functions: sortTop(fnSelf), packages: sortTop(pkgSelf), markers: [...markerTotal] }
}

// --- CPU use of processes (Linux /proc; returns NaN elsewhere) --------------

/** The process and its descendants (tsx runs the server as a child process). */
export function processTree(pid: number): number[] {
  const out = [pid]
  try {
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const children = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim()
      for (const c of children ? children.split(/\s+/).map(Number) : []) out.push(...processTree(c))
    }
  } catch {
    /* gone, or not Linux */
  }
  return out
}

/** CPU seconds (user + system, all threads) used so far by the processes, and optionally by their exited children. */
export function cpuSeconds(pids: number[], withExitedChildren = false): number {
  let ticks = 0
  try {
    for (const pid of pids) {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12]) // utime, stime (fields 14 and 15 of stat)
      if (withExitedChildren) ticks += Number(fields[13]) + Number(fields[14]) // cutime, cstime
    }
  } catch {
    return NaN
  }
  return ticks / 100 // USER_HZ is 100 on Linux
}

/** Busy CPU seconds of the whole machine so far (all cores; /proc/stat). */
export function machineBusySeconds(): number {
  try {
    const [, ...v] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/)
    const n = v.map(Number) // user nice system idle iowait irq softirq steal …
    return (n[0] + n[1] + n[2] + n[5] + n[6] + n[7]) / 100
  } catch {
    return NaN
  }
}

/** Prints where a profiled server's threads spent the measured window (`--cpu-prof` of the http and thread benches). */
export function reportProfiles(dir: string, fromUs: number, toUs: number, markers: string[]) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()
  console.log(`\n  CPU profiles of the measured ${((toUs - fromUs) / 1e6).toFixed(1)} s (server process, one file per thread; kept in ${dir}):`)
  for (const f of files) {
    const s = summarizeCpuProfile(path.join(dir, f), { top: 15, markers, fromUs, toUs })
    const busy = s.totalMs - s.idleMs
    const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1)}%`
    console.log(`\n  ${f}: busy ${pct(busy)} of ${Math.round(s.totalMs)} ms sampled`)
    if (busy < 0.05 * s.totalMs) continue
    console.log('   self time by package/file:')
    for (const [k, ms] of s.packages) console.log(`    ${pct(ms).padStart(6)}  ${k}`)
    console.log('   self time by function:')
    for (const [k, ms] of s.functions) console.log(`    ${pct(ms).padStart(6)}  ${k}`)
    const under = s.markers.filter(([, ms]) => ms > 0)
    if (under.length) {
      console.log('   inclusive time under:')
      for (const [k, ms] of under) console.log(`    ${pct(ms).padStart(6)}  ${k}`)
    }
  }
  console.log('')
}

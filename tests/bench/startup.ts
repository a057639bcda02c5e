// Cold start on an empty data folder, then warm restarts, to /healthz 200 (goals: cold ≤ 30 s, warm ≤ 5 s).
//
// Options: --warm N (warm restarts, default 3), --keep (keep the data folder).
// What is measured is what a user sees after `npm start`: `tsx server/start.ts`
// (which rebuilds the web bundle only when it is stale; `rebuilt=1` says it
// did), PGlite start, migrations, the first-run demo seed, until /healthz
// answers 200. The build folder is left as it is.
import os from 'node:os'
import { arg, cpuSeconds, keepDir, machineBusySeconds, processTree, machineNote, median, numberOption, printBench, removeDir, round, startServer, tempDir } from './lib.ts'

const COLD_GOAL_S = 30
const WARM_GOAL_S = 5

const warmRuns = Math.round(numberOption('warm', 'BENCH_WARM_RUNS', 3))
const keep = arg('keep') === 'true'
const dataDir = tempDir('oko-bench-startup-')
console.log(`startup bench: DATA_DIR=${dataDir} (${machineNote()})`)

/** Starts the server and notes how busy the whole machine was meanwhile (other work skews start times). */
async function timedStart(timeoutMs: number) {
  const busy0 = machineBusySeconds()
  const own0 = process.cpuUsage()
  const t0 = performance.now()
  const server = await startServer({ dataDir, timeoutMs })
  const wall = (performance.now() - t0) / 1000
  const serverCpu = cpuSeconds(processTree(server.pid), true)
  const own = process.cpuUsage(own0)
  const otherPct = (100 * (machineBusySeconds() - busy0 - serverCpu - (own.user + own.system) / 1e6)) / wall
  const note = `server used ${serverCpu.toFixed(1)} s CPU; other processes ${Math.max(0, otherPct).toFixed(0)}% of ${os.cpus().length * 100}%`
  return { server, note }
}

const stops: number[] = []
let forcedKills = 0
try {
  const { server: cold, note: coldNote } = await timedStart(180_000)
  const coldStop = await cold.stop()
  stops.push(coldStop.seconds)
  if (coldStop.killed) forcedKills++
  console.log(`  cold: ${cold.readySeconds.toFixed(2)} s to /healthz 200${cold.rebuilt ? ' (included a remix build: the bundle was stale)' : ''}; stopped in ${coldStop.seconds.toFixed(2)} s (exit ${coldStop.code ?? coldStop.signal}); ${coldNote}`)

  const warm: number[] = []
  let warmRebuilds = 0
  for (let i = 1; i <= warmRuns; i++) {
    const { server, note } = await timedStart(60_000)
    if (server.rebuilt) warmRebuilds++
    const stopped = await server.stop()
    warm.push(server.readySeconds)
    stops.push(stopped.seconds)
    if (stopped.killed) forcedKills++
    console.log(`  warm #${i}: ${server.readySeconds.toFixed(2)} s${server.rebuilt ? ' (included a remix build: app/ changed meanwhile)' : ''}; stopped in ${stopped.seconds.toFixed(2)} s (exit ${stopped.code ?? stopped.signal}); ${note}`)
  }

  const coldS = cold.readySeconds
  const warmS = median(warm)
  const verdict = (value: number, goal: number) => (value <= goal ? 'met' : 'MISSED')
  console.log(`  goal cold ≤ ${COLD_GOAL_S} s: ${verdict(coldS, COLD_GOAL_S)}; goal warm ≤ ${WARM_GOAL_S} s: ${verdict(warmS, WARM_GOAL_S)}`)
  if (forcedKills) console.log(`  WARNING: ${forcedKills} stop(s) needed SIGKILL: graceful shutdown on SIGTERM did not finish in time`)
  printBench('startup', {
    cold_s: round(coldS),
    warm_s: round(warmS),
    warm_min_s: round(Math.min(...warm)),
    warm_max_s: round(Math.max(...warm)),
    warm_runs: warmRuns,
    stop_s: round(median(stops)),
    rebuilt: cold.rebuilt ? 1 : 0,
    warm_rebuilds: warmRebuilds,
    forced_kills: forcedKills,
  })
  process.exitCode = forcedKills ? 1 : 0
} catch (error) {
  console.error(`startup bench failed: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  if (keep) {
    keepDir(dataDir)
    console.log(`  data folder kept: ${dataDir}`)
  }
  else removeDir(dataDir)
}

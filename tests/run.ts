// `npm test`: the web bundle, the unit and integration tests (vitest), then
// the browser tests (Playwright), each writing a JSON report; the counts come
// from those reports and end in one line: `N passed, N failed, N skipped`.
//
// Every step runs even when an earlier one failed, so that the summary is
// complete; the exit code is 1 when anything failed. A runner that ends
// without a report (it crashed, or the browser was missing) counts as a
// failure, and so does a vitest run that finds no tests.
//
//   tsx tests/run.ts [--skip-build] [--only=vitest|e2e] [--report-prefix=NAME]
//
// --report-prefix keeps the reports of several runs apart (.ci/run runs the
// suites twice: embedded database, then a PostgreSQL server); the totals are
// also written to tests/tmp/<prefix>summary.json.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'

const ROOT = path.resolve(import.meta.dirname, '..')
const TMP = path.join(ROOT, 'tests/tmp')
const bin = (name: string) => path.join(ROOT, 'node_modules/.bin', name)

const { values: args } = parseArgs({
  options: {
    'skip-build': { type: 'boolean', default: false },
    only: { type: 'string' },
    'report-prefix': { type: 'string', default: '' },
  },
})
if (args.only && !['vitest', 'e2e'].includes(args.only)) {
  console.error(`tests/run.ts: --only must be vitest or e2e, not ${args.only}`)
  process.exit(2)
}
const prefix = args['report-prefix']
const VITEST_REPORT = path.join(TMP, `${prefix}vitest.json`)
const PLAYWRIGHT_REPORT = path.join(TMP, `${prefix}playwright.json`)
const SUMMARY = path.join(TMP, `${prefix}summary.json`)

interface Outcome {
  runner: string
  passed: number
  failed: number
  skipped: number
  seconds: number
  /** Failed tests by name, and failures that are not tests (no report, crashed run). */
  problems: string[]
}

function banner(text: string) {
  process.stdout.write(`\n━━ ${text}\n`)
}

function run(command: string, commandArgs: string[], env: Record<string, string> = {}) {
  const started = performance.now()
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } })
  const seconds = (performance.now() - started) / 1000
  const code = result.status ?? (result.signal ? `signal ${result.signal}` : 'no exit code')
  if (result.error) console.error(`could not run ${command}: ${result.error.message}`)
  return { ok: result.status === 0, code, seconds }
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T
  } catch {
    return null
  }
}

function relative(file: string) {
  return path.relative(ROOT, file)
}

// ── vitest ────────────────────────────────────────────────────────────────

interface VitestReport {
  numTotalTests: number
  numPassedTests: number
  numFailedTests: number
  numPendingTests: number
  numTodoTests: number
  testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string }[] }[]
}

function runVitest(): Outcome {
  banner('Unit and integration tests (vitest)')
  fs.rmSync(VITEST_REPORT, { force: true })
  const { ok, code, seconds } = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${VITEST_REPORT}`])
  const outcome: Outcome = { runner: 'vitest', passed: 0, failed: 0, skipped: 0, seconds, problems: [] }
  const report = readJson<VitestReport>(VITEST_REPORT)
  if (!report) {
    outcome.failed = 1
    outcome.problems.push(`vitest exited (${code}) without a report at ${relative(VITEST_REPORT)}: it crashed before the tests ran`)
    return outcome
  }
  outcome.passed = report.numPassedTests
  outcome.failed = report.numFailedTests
  outcome.skipped = report.numPendingTests + report.numTodoTests
  for (const file of report.testResults) {
    for (const t of file.assertionResults) if (t.status === 'failed') outcome.problems.push(`${relative(file.name)} › ${t.fullName}`)
    // A file that failed to load or whose hooks failed has no failed test of its own.
    if (file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed')) {
      outcome.failed++
      outcome.problems.push(`${relative(file.name)}: ${(file.message ?? 'failed').split('\n')[0]}`)
    }
  }
  if (report.numTotalTests === 0) {
    outcome.failed++
    outcome.problems.push('vitest found no tests')
  }
  if (!ok && outcome.failed === 0) {
    outcome.failed = 1
    outcome.problems.push(`vitest exited with ${code} although its report has no failed test (an unhandled error, see above)`)
  }
  return outcome
}

// ── Playwright ────────────────────────────────────────────────────────────

interface PlaywrightSuite {
  title: string
  specs: { title: string; file: string; tests: { projectName: string; status: string }[] }[]
  suites?: PlaywrightSuite[]
}
interface PlaywrightReport {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number }
  errors: { message?: string }[]
  suites: PlaywrightSuite[]
}

function unexpectedTests(suites: PlaywrightSuite[], trail: string[] = []): string[] {
  return suites.flatMap((suite) => [
    ...suite.specs.flatMap((spec) => spec.tests.filter((t) => t.status === 'unexpected').map(() => [...trail, suite.title, spec.title].filter(Boolean).join(' › '))),
    ...unexpectedTests(suite.suites ?? [], [...trail, suite.title]),
  ])
}

function runPlaywright(): Outcome {
  banner('Browser tests (Playwright)')
  fs.rmSync(PLAYWRIGHT_REPORT, { force: true })
  const outcome: Outcome = { runner: 'playwright', passed: 0, failed: 0, skipped: 0, seconds: 0, problems: [] }
  const browser = run(bin('tsx'), ['tests/e2e/ensure-browser.ts'])
  outcome.seconds += browser.seconds
  if (!browser.ok) {
    outcome.failed = 1
    outcome.problems.push('no Chromium for the browser tests (see the ensure-browser message above); the browser tests did not run')
    return outcome
  }
  const { ok, code, seconds } = run(bin('playwright'), ['test'], { E2E_JSON_REPORT: PLAYWRIGHT_REPORT })
  outcome.seconds += seconds
  const report = readJson<PlaywrightReport>(PLAYWRIGHT_REPORT)
  if (!report) {
    outcome.failed = 1
    outcome.problems.push(`playwright exited (${code}) without a report at ${relative(PLAYWRIGHT_REPORT)}: it crashed before the tests ran`)
    return outcome
  }
  // No retries are configured, so "flaky" cannot happen; were it to, the test did pass.
  outcome.passed = report.stats.expected + report.stats.flaky
  outcome.failed = report.stats.unexpected
  outcome.skipped = report.stats.skipped
  outcome.problems.push(...unexpectedTests(report.suites))
  // Errors outside any test: the web server did not start, a spec did not load.
  for (const error of report.errors) {
    outcome.failed++
    outcome.problems.push(`outside the tests: ${(error.message ?? 'error').split('\n')[0]}`)
  }
  if (!ok && outcome.failed === 0) {
    outcome.failed = 1
    outcome.problems.push(`playwright exited with ${code} although its report has no failure (see above)`)
  }
  return outcome
}

// ── main ──────────────────────────────────────────────────────────────────

fs.mkdirSync(TMP, { recursive: true })
const outcomes: Outcome[] = []

if (!args['skip-build']) {
  banner('Web bundle (remix build)')
  // A stale bundle would test yesterday's pages: build every time (about 2 s).
  const build = run(bin('remix'), ['build'], { NODE_ENV: 'production' })
  if (!build.ok) outcomes.push({ runner: 'remix build', passed: 0, failed: 1, skipped: 0, seconds: build.seconds, problems: [`remix build exited with ${build.code}`] })
}
if (args.only !== 'e2e') outcomes.push(runVitest())
if (args.only !== 'vitest') outcomes.push(runPlaywright())

const total = outcomes.reduce((t, o) => ({ passed: t.passed + o.passed, failed: t.failed + o.failed, skipped: t.skipped + o.skipped }), { passed: 0, failed: 0, skipped: 0 })
fs.writeFileSync(SUMMARY, JSON.stringify({ ...total, runners: outcomes }, null, 2) + '\n')

banner(`Summary${process.env.DATABASE_URL ? ' (DATABASE_URL set: PostgreSQL server)' : ' (embedded database)'}`)
for (const o of outcomes) {
  process.stdout.write(`${o.runner.padEnd(12)} ${o.passed} passed, ${o.failed} failed, ${o.skipped} skipped (${o.seconds.toFixed(1)} s)\n`)
  for (const problem of o.problems) process.stdout.write(`  ✘ ${problem}\n`)
}
process.stdout.write(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`)
process.exit(total.failed > 0 ? 1 : 0)

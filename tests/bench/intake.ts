// Mail intake over SMTP on loopback: mails/s until the ticket is committed (goal ≥ 40), and a crash test: SIGKILL while 1,000 letters arrive (goal lost=0 duplicated=0).
//
// Options (argv or environment):
//   --letters N       letters in the throughput run (BENCH_LETTERS, default 400)
//   --crash-letters N letters in the crash run (BENCH_CRASH_LETTERS, default 1000)
//   --connections N   concurrent SMTP connections of the sender (BENCH_CONNECTIONS, default 8)
//   --kills N         SIGKILLs of the server during the crash run (BENCH_KILLS, default 6)
//   --keep            keep the data folders
//   --cpu-prof        profile the server's main thread during the throughput run and print where CPU time went
// Every letter carries a 150 KB screenshot (a PNG header and random bytes)
// and a unique token in its subject and Message-ID. The server runs as
// `npm start` does (all roles, embedded PGlite) on a fresh data folder with
// its SMTP listener on a free port. The sender behaves like an MTA: a
// connection error or a 4xx reply is retried after a pause; only 250 counts
// as accepted. Throughput counts letters until the intake reports them
// processed (/healthz); the crash run's verdict is read from the database
// itself after a clean stop: every accepted token must be in exactly one
// ticket message.
import crypto from 'node:crypto'
import nodemailer from 'nodemailer'
import pg from 'pg'
import { startEmbeddedPostgres } from '../../server/db/embedded.ts'
import fs from 'node:fs'
import path from 'node:path'
import { arg, freePort, keepDir, machineNote, numberOption, printBench, processTree, removeDir, round, sleep, startServer, summarizeCpuProfile, tempDir, type RunningServer } from './lib.ts'

const LETTERS = Math.round(numberOption('letters', 'BENCH_LETTERS', 400))
const CRASH_LETTERS = Math.round(numberOption('crash-letters', 'BENCH_CRASH_LETTERS', 1000))
const CONNECTIONS = Math.round(numberOption('connections', 'BENCH_CONNECTIONS', 8))
const KILLS = Math.round(numberOption('kills', 'BENCH_KILLS', 6))
const KEEP = arg('keep') === 'true'
const CPU_PROF = arg('cpu-prof') === 'true'
const GOAL = 40
const SCREENSHOT = 150 * 1024

const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452000004000000030008060000004f5b1d7a', 'hex')
const screenshot = () => Buffer.concat([PNG_HEAD, crypto.randomBytes(SCREENSHOT - PNG_HEAD.length)])

const BODY =
  'Здравствуйте!\n\nПри загрузке формы сбора результатов ВПР по математике 5 класс в разделе «Обмен данными» выдаёт ошибку ' +
  '«Файл не соответствует шаблону формы». Форму скачали с публикации сегодня, заполнили лист «Протокол». Снимок экрана прилагаю.\n\n' +
  'Логин: edu290001\nОрганизация: МБОУ «Средняя школа № 1» г. Архангельск\n'

/** One letter as raw bytes, built once so that a retry sends the very same bytes (as an MTA's queue does). */
async function compose(token: string, i: number): Promise<Buffer> {
  const t = nodemailer.createTransport({ streamTransport: true, buffer: true })
  const info = await t.sendMail({
    from: `Школа ${i} <school${i}@bench.example>`,
    to: 'support@oko-support.local',
    subject: `Ошибка при загрузке формы ${token}`,
    messageId: `<${token}@bench.example>`,
    text: BODY,
    attachments: [{ filename: 'screen.png', content: screenshot(), contentType: 'image/png' }],
  })
  return info.message as Buffer
}

interface SendResult {
  accepted: Set<string>
  refused: Set<string>
  attempts: number
  retries: number
  /** 250 «already received»: the letter was stored before a kill cut the first answer off. */
  alreadyStored: number
}

/** Sends every letter with `connections` workers; retries on connection errors and 4xx like an MTA. */
async function sendAll(port: number, letters: { token: string; raw: Buffer }[], stopAt = Infinity): Promise<SendResult> {
  const result: SendResult = { accepted: new Set(), refused: new Set(), attempts: 0, retries: 0, alreadyStored: 0 }
  let next = 0
  const worker = async () => {
    let transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity })
    try {
      while (next < letters.length && Date.now() < stopAt) {
        const letter = letters[next++]
        for (;;) {
          result.attempts++
          try {
            const info = await transport.sendMail({ envelope: { from: 'bench@bench.example', to: 'support@oko-support.local' }, raw: letter.raw })
            if (/^250/.test(info.response)) result.accepted.add(letter.token)
            if (/already received/.test(info.response)) result.alreadyStored++
            break
          } catch (error) {
            const code = (error as { responseCode?: number }).responseCode ?? 0
            if (code >= 500) {
              result.refused.add(letter.token)
              break
            }
            // Connection refused or dropped, timeout, 4xx: the MTA keeps the letter and tries again.
            result.retries++
            transport.close()
            transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity })
            await sleep(200 + Math.random() * 300)
          }
        }
      }
    } finally {
      transport.close()
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, worker))
  return result
}

interface IntakeHealth {
  processed: number
  pending: number | null
  queued: number
  processing: number
  lastRecovery: { processed: number } | null
}

async function intakeHealth(url: string): Promise<IntakeHealth | null> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })
    const body = (await res.json()) as { intake?: IntakeHealth }
    return body.intake ?? null
  } catch {
    return null
  }
}

function serverEnv(smtpPort: number) {
  return { INTAKE_SMTP_PORT: String(smtpPort), RATE_LIMIT_FACTOR: '1000', LOG_LEVEL: 'warn' }
}

function killGroup(server: RunningServer) {
  try {
    process.kill(-server.pid, 'SIGKILL')
  } catch {
    /* gone */
  }
}

/** Waits until none of the processes is alive (a zombie waiting to be reaped counts as gone). */
async function waitGone(pids: number[]) {
  const alive = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))
    } catch {
      return false
    }
  }
  for (let i = 0; i < 400 && pids.some(alive); i++) await sleep(25)
}

/** Counts, straight from the data folder, the ticket messages per token. */
async function verdictFromDatabase(dataDir: string, tokens: string[]) {
  const db = await startEmbeddedPostgres(dataDir)
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    const { rows } = await client.query<{ token: string; messages: string; tickets: string }>(
      `SELECT substring(m.subject from 'BENCH-[0-9a-f]+-[0-9]+') AS token, count(*) AS messages, count(DISTINCT m."ticketId") AS tickets
       FROM "TicketMessage" m WHERE m.kind = 'INBOUND' AND m.subject LIKE '%BENCH-%' GROUP BY 1`,
    )
    const byToken = new Map(rows.map((r) => [r.token, { messages: Number(r.messages), tickets: Number(r.tickets) }]))
    const status = await client.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM "InboundMail" GROUP BY status`)
    const tickets = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "Ticket"`)
    return {
      byToken,
      statuses: Object.fromEntries(status.rows.map((r) => [r.status, Number(r.n)])),
      tickets: Number(tickets.rows[0].n),
      unknown: tokens.length ? [...byToken.keys()].filter((t) => !tokens.includes(t)).length : 0,
    }
  } finally {
    await client.end()
    await db.stop()
  }
}

console.log(`intake bench: ${LETTERS} letters for throughput, ${CRASH_LETTERS} with ${KILLS} SIGKILLs, ${CONNECTIONS} SMTP connections, 150 KB screenshot each (${machineNote()})`)

// --- Throughput ---------------------------------------------------------------
const runId = crypto.randomBytes(3).toString('hex')
const dataDir = tempDir('oko-bench-intake-')
let mailsPerSecond = 0
let throughputTickets = 0
{
  const smtpPort = await freePort()
  const profDir = CPU_PROF ? tempDir('oko-bench-prof-') : undefined
  if (profDir) keepDir(profDir)
  const server = await startServer({ dataDir, env: serverEnv(smtpPort), nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [] })
  console.log(`  server ready in ${server.readySeconds.toFixed(1)} s; SMTP on ${smtpPort}`)
  try {
    const letters = await Promise.all(Array.from({ length: LETTERS }, async (_, i) => ({ token: `T-${runId}-${i}`, raw: await compose(`T-${runId}-${i}`, i) })))
    // Warm-up: a few letters through the whole path, not measured.
    const warm = await Promise.all(Array.from({ length: 10 }, async (_, i) => ({ token: `W-${runId}-${i}`, raw: await compose(`W-${runId}-${i}`, 100_000 + i) })))
    await sendAll(smtpPort, warm)
    for (let h = await intakeHealth(server.url); (h?.processed ?? 0) < warm.length; h = await intakeHealth(server.url)) await sleep(100)
    const base = (await intakeHealth(server.url))!.processed
    const started = performance.now()
    const sent = await sendAll(smtpPort, letters)
    const acceptedAt = performance.now()
    let h = await intakeHealth(server.url)
    while ((h?.processed ?? 0) - base < sent.accepted.size) {
      await sleep(50)
      h = await intakeHealth(server.url)
    }
    const seconds = (performance.now() - started) / 1000
    mailsPerSecond = sent.accepted.size / seconds
    console.log(
      `  ${sent.accepted.size}/${LETTERS} accepted (250) in ${((acceptedAt - started) / 1000).toFixed(1)} s, all processed into tickets after ${seconds.toFixed(1)} s: ` +
        `${mailsPerSecond.toFixed(1)} mails/s (goal ≥ ${GOAL}); ${sent.retries} retries`,
    )
  } finally {
    await server.stop()
  }
  if (profDir) {
    const files = fs.readdirSync(profDir).map((f) => path.join(profDir, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)
    if (files[0]) {
      const p = summarizeCpuProfile(files[0], { top: 15, markers: ['parseMail', 'storeInbound', 'applyMail', 'drainOutbox', 'judge', 'safeHtml'] })
      console.log(`  server main thread: ${p.totalMs.toFixed(0)} ms sampled, ${p.idleMs.toFixed(0)} ms idle (${files[0]})`)
      for (const [name, ms] of p.markers) console.log(`    under ${name}: ${ms.toFixed(0)} ms`)
      for (const [name, ms] of p.packages) console.log(`    ${ms.toFixed(0).padStart(6)} ms  ${name}`)
      for (const [name, ms] of p.functions) console.log(`    ${ms.toFixed(0).padStart(6)} ms  ${name}`)
    }
  }
  const check = await verdictFromDatabase(dataDir, [])
  throughputTickets = check.tickets
  console.log(`  database after the run: ${check.tickets} tickets; raw letters by status ${JSON.stringify(check.statuses)}`)
}

// --- Crash test ---------------------------------------------------------------
const crashDir = tempDir('oko-bench-intake-crash-')
let lost = -1
let duplicated = -1
let accepted = 0
let sentCount = 0
{
  const smtpPort = await freePort()
  const httpPort = await freePort()
  // As a supervisor would: a start that finds the data folder still held by the dying process is tried again.
  const start = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startServer({ dataDir: crashDir, port: httpPort, env: serverEnv(smtpPort), timeoutMs: 180_000 })
      } catch (error) {
        if (attempt >= 10 || !/уже используется/.test((error as Error).message)) throw error
        await sleep(500)
      }
    }
  }
  let server = await start()
  console.log(`  crash run: server ready in ${server.readySeconds.toFixed(1)} s; sending ${CRASH_LETTERS} letters, killing it ${KILLS} times`)
  const letters = await Promise.all(Array.from({ length: CRASH_LETTERS }, async (_, i) => ({ token: `BENCH-${runId}-${i}`, raw: await compose(`BENCH-${runId}-${i}`, i) })))
  let sending = true
  const sender = sendAll(smtpPort, letters).finally(() => (sending = false))
  let kills = 0
  let recovered = 0
  const restarts: number[] = []
  while (sending && kills < KILLS) {
    await sleep(1000 + Math.random() * 3000)
    if (!sending) break
    const tree = processTree(server.pid)
    killGroup(server)
    await waitGone(tree)
    kills++
    const t0 = performance.now()
    server = await start()
    restarts.push((performance.now() - t0) / 1000)
    // Letters stored but left unprocessed by the kill, finished by the start-up recovery.
    for (let h = await intakeHealth(server.url); ; h = await intakeHealth(server.url)) {
      if (h?.lastRecovery) {
        recovered += h.lastRecovery.processed
        break
      }
      await sleep(100)
    }
  }
  const sent = await sender
  accepted = sent.accepted.size
  sentCount = CRASH_LETTERS
  console.log(
    `  ${kills} kills (restart to /healthz ${restarts.map((s) => s.toFixed(1)).join(', ')} s); ${accepted} letters got 250, ${sent.refused.size} refused, ` +
      `${sent.retries} retries; ${recovered} letters stored but unprocessed at a kill were finished by the start-up recovery`,
  )
  // Recovery: letters stored but not processed when the server died are finished at start-up and every minute.
  const deadline = Date.now() + 180_000
  for (;;) {
    const h = await intakeHealth(server.url)
    if (h && h.pending === 0 && h.queued === 0 && h.processing === 0) break
    if (Date.now() > deadline) {
      console.log(`  recovery did not finish within 3 minutes: ${JSON.stringify(h)}`)
      break
    }
    await sleep(500)
  }
  await server.stop()
  const check = await verdictFromDatabase(crashDir, letters.map((l) => l.token))
  const acceptedTokens = [...sent.accepted]
  lost = acceptedTokens.filter((t) => !check.byToken.has(t)).length
  duplicated = [...check.byToken.values()].filter((v) => v.messages > 1 || v.tickets > 1).length
  const extra = [...check.byToken.keys()].filter((t) => !sent.accepted.has(t)).length
  console.log(
    `  after recovery: ${check.byToken.size} letters in tickets (${extra} never acknowledged; ${sent.alreadyStored} stored before a kill cut their 250 off, acknowledged on the retry), ` +
      `lost=${lost}, duplicated=${duplicated}; ` +
      `raw letters by status ${JSON.stringify(check.statuses)}`,
  )
}

if (KEEP) {
  keepDir(dataDir)
  keepDir(crashDir)
  console.log(`  data kept: ${dataDir} ${crashDir}`)
} else {
  removeDir(dataDir)
  removeDir(crashDir)
}
printBench('intake', {
  mails_per_s: round(mailsPerSecond, 1),
  tickets: throughputTickets,
  sent: sentCount,
  accepted,
  lost,
  duplicated,
})

// `npm run cli -- <command>`: operations that need no browser. Uses the same
// database as the server (DATABASE_URL, or the embedded one under DATA_DIR,
// which must not be open by a running server at the same time).
import fs from 'node:fs'
import path from 'node:path'
import { audit } from '../app/accounts/audit.server.ts'
import { normalizeLogin } from '../app/accounts/logins.ts'
import { generateOneTimePassword, hashPassword } from '../app/accounts/password.server.ts'
import { disconnectPrisma, prisma } from '../app/utils/db.server.ts'
import { parseEnv } from '../app/utils/env.server.ts'
import { seedDemo } from '../prisma/seed.ts'
import { prepareDatabase } from './db/prepare.ts'

const HELP = `Команды:
  db:migrate                     применить миграции
  db:seed                        заполнить пустую базу демо-данными
  admin:create <логин> <ФИО>     создать администратора ФИОКО с одноразовым паролем
  credentials:reset <логин>      выдать новый одноразовый пароль любой учётной записи (восстановление доступа)
  answers:import <файл> [--source <имя>]
                                 загрузить банк готовых ответов из JSONL или CSV (повторный импорт не дублирует записи)
  search:reindex                 перестроить поисковый индекс из базы; поиск работает во время перестройки
  intake:pipe [--dry-run]        принять письмо со стандартного ввода (доставка из Postfix и т. п.) и напечатать итог в JSON;
                                 --dry-run только разбирает и проверяет письмо, ничего не сохраняя
  intake:replay <id|--all-quarantined>
                                 обработать заново письмо из карантина (или все письма из карантина)
`

async function main() {
  const [command, ...args] = process.argv.slice(2)
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(HELP)
    return 0
  }
  const known = ['db:migrate', 'db:seed', 'admin:create', 'credentials:reset', 'answers:import', 'search:reindex', 'intake:pipe', 'intake:replay']
  if (!known.includes(command)) {
    process.stderr.write(`Неизвестная команда: ${command}\n\n${HELP}`)
    return 2
  }
  const env = parseEnv({ ...process.env, DEMO_DATA: 'off', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' })
  // The letter is read before the database opens: an MTA waits on our standard input.
  const letter = command === 'intake:pipe' ? await readLetter(env.INTAKE_MAX_BYTES) : null
  if (letter && 'error' in letter) {
    process.stdout.write(`${JSON.stringify(letter.error, null, 2)}\n`)
    process.stderr.write(`${letter.error.message}\n`)
    return EX_DATAERR
  }
  if (letter && args.includes('--dry-run') && env.DATABASE_URL === undefined && dataFolderBusy(env.DATA_DIR)) {
    // The server holds the embedded database: judge without looking logins up.
    return intakeDryRun(letter.raw, false)
  }
  let db: Awaited<ReturnType<typeof prepareDatabase>>
  try {
    db = await prepareDatabase(env)
  } catch (error) {
    // The embedded database belongs to the running server: hand the letter to its SMTP listener.
    if (letter && env.INTAKE_SMTP_PORT !== 'off' && /уже используется/.test((error as Error).message)) return relayToServer(letter.raw, env)
    if (letter) {
      process.stderr.write(`Письмо не принято, повторите позже: ${(error as Error).message}\n`)
      return EX_TEMPFAIL
    }
    throw error
  }
  try {
    switch (command) {
      case 'db:migrate':
        process.stdout.write('Миграции применены.\n')
        return 0
      case 'db:seed': {
        if ((await prisma.organization.count()) > 0) {
          process.stdout.write('База не пуста: демо-данные не добавлены.\n')
          return 0
        }
        const logins = await seedDemo(prisma)
        const { seedHelpdeskDemo } = await import('../prisma/seed-helpdesk.ts')
        await seedHelpdeskDemo(prisma)
        process.stdout.write(`Демо-данные добавлены: ${logins.map((l) => l.login).join(', ')}\n`)
        return 0
      }
      case 'admin:create': {
        const [rawLogin, ...nameParts] = args
        const login = normalizeLogin(rawLogin ?? '')
        if (!/^[a-z][a-z0-9._-]{2,40}$/.test(login) || nameParts.length === 0) {
          process.stderr.write('Использование: admin:create <логин латиницей> <ФИО>\n')
          return 2
        }
        const fioko = await prisma.organization.upsert({
          where: { login: 'fioko' },
          create: { kind: 'FEDERAL', login: 'fioko', name: 'ФГБУ «ФИОКО»' },
          update: {},
        })
        if (await prisma.user.findUnique({ where: { login } })) {
          process.stderr.write(`Учётная запись ${login} уже существует; используйте credentials:reset.\n`)
          return 1
        }
        const password = generateOneTimePassword()
        await prisma.user.create({
          data: { login, fullName: nameParts.join(' '), role: 'ADMIN', organizationId: fioko.id, passwordHash: await hashPassword(password), mustChangePassword: true },
        })
        await audit({ action: 'user.created', targetLogin: login, details: { role: 'ADMIN', via: 'cli' } })
        process.stdout.write(`Администратор ${login} создан. Одноразовый пароль: ${password}\n`)
        return 0
      }
      case 'credentials:reset': {
        const login = normalizeLogin(args[0] ?? '')
        const user = await prisma.user.findUnique({ where: { login } })
        if (!user) {
          process.stderr.write(`Учётная запись ${login || '(пусто)'} не найдена.\n`)
          return 1
        }
        const password = generateOneTimePassword()
        await prisma.$transaction([
          prisma.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(password), mustChangePassword: true, disabled: false } }),
          prisma.session.deleteMany({ where: { userId: user.id } }),
        ])
        await audit({ action: 'credentials.reset', targetLogin: login, details: { via: 'cli' } })
        process.stdout.write(`Новый одноразовый пароль для ${login}: ${password}\n`)
        return 0
      }
      case 'answers:import':
        return await answersImport(args)
      case 'search:reindex':
        return await searchReindex()
      case 'intake:pipe':
        return args.includes('--dry-run') ? await intakeDryRun(letter!.raw, true) : await intakePipe(letter!.raw)
      case 'intake:replay':
        return await intakeReplay(args)
    }
    return 2
  } finally {
    const { stopOutboxDrain } = await import('../app/helpdesk/outbound.server.ts')
    const { intakeIdle } = await import('../app/helpdesk/intake.server.ts')
    await intakeIdle()
    await stopOutboxDrain()
    const { closeIntakeSql } = await import('../app/helpdesk/ticket-rows.server.ts')
    await closeIntakeSql()
    const { stopSearchDrain } = await import('../app/search/outbox.server.ts')
    const { closeSearchEngine } = await import('../app/search/search.server.ts')
    await stopSearchDrain()
    await closeSearchEngine()
    await disconnectPrisma()
    await db.stop()
  }
}

/** `answers:import <file> [--source name]`: bad rows are reported with line numbers; good rows are loaded. */
async function answersImport(args: string[]) {
  const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--source')
  const sourceAt = args.indexOf('--source')
  if (!file || (sourceAt >= 0 && !args[sourceAt + 1])) {
    process.stderr.write('Использование: answers:import <файл.jsonl|файл.csv> [--source <имя коллекции>]\n')
    return 2
  }
  const { readFile } = await import('node:fs/promises')
  const path = await import('node:path')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    process.stderr.write(`Не удалось прочитать файл ${file}: ${(error as Error).message}\n`)
    return 1
  }
  const source = sourceAt >= 0 ? args[sourceAt + 1] : path.basename(file).replace(/\.[^.]+$/, '')
  const { parseImportFile, importReadyAnswers } = await import('../app/search/answers.server.ts')
  const { drainSearchOutbox } = await import('../app/search/outbox.server.ts')
  // The drain takes every due row, forum ones too: their sources must be known here.
  await import('../app/forum/search-documents.server.ts')
  const parsed = parseImportFile(file, text)
  const report = await importReadyAnswers(parsed.rows, source)
  const problems = [...parsed.problems, ...report.problems].sort((a, b) => a.line - b.line)
  for (const p of problems) process.stderr.write(`строка ${p.line}: ${p.message}\n`)
  const indexed = await drainSearchOutbox()
  process.stdout.write(
    `Импорт «${source}»: добавлено ${report.created}, обновлено ${report.updated}, без изменений ${report.unchanged}, ` +
      `строк с ошибками ${report.problems.length}. В поиск отправлено ${indexed.indexed + indexed.removed}.\n`,
  )
  return report.problems.length > 0 || parsed.problems.some((p) => !p.message.startsWith('неизвестные столбцы')) ? 1 : 0
}

/** `search:reindex`: rebuilds the engine's index from the database with a progress bar on stderr. */
async function searchReindex() {
  const { reindexSearch } = await import('../app/search/reindex.server.ts')
  // The forum's document sources (questions, support topics) register on import.
  await import('../app/forum/search-documents.server.ts')
  const started = performance.now()
  const tty = process.stderr.isTTY
  let lastShown = -1
  const result = await reindexSearch(({ done, total }) => {
    const share = total ? Math.min(1, done / total) : 0
    const percent = Math.floor(share * 100)
    if (!tty && percent < lastShown + 10 && done !== total) return
    lastShown = percent
    const width = 30
    const bar = '█'.repeat(Math.round(share * width)).padEnd(width, '░')
    const line = `Индексация ${bar} ${String(percent).padStart(3)} % ${done}/${total ?? '?'} · ${((performance.now() - started) / 1000).toFixed(1)} с`
    process.stderr.write(tty ? `\r${line}` : `${line}\n`)
  })
  if (tty) process.stderr.write('\n')
  process.stdout.write(
    `Поисковый индекс (${result.engine}) перестроен за ${result.seconds.toFixed(1)} с, документов: ${result.documents}; ` +
      `повторно применено изменений, сделанных во время перестройки: ${result.replayed}.\n`,
  )
  return 0
}

// --- mail intake ---------------------------------------------------------------
// Exit codes an MTA understands (sysexits.h): 0 delivered, 65 refused for
// good (the sender gets a bounce), 75 try again later.
const EX_DATAERR = 65
const EX_TEMPFAIL = 75

/** Standard input, up to the size limit; a larger letter is refused without being stored. */
async function readLetter(limit: number): Promise<{ raw: Buffer } | { error: { error: string; message: string; size: number; limit: number } }> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size <= limit) chunks.push(chunk)
  }
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} МБ`
  if (size > limit) {
    return { error: { error: 'too-large', message: `Письмо не принято: ${mb(size)} больше допустимых ${mb(limit)} (INTAKE_MAX_BYTES). Уменьшите вложения или пришлите ссылку на файл.`, size, limit } }
  }
  if (size === 0) return { error: { error: 'empty', message: 'Письмо не принято: на стандартном вводе ничего нет.', size, limit } }
  return { raw: Buffer.concat(chunks, size) }
}

function dataFolderBusy(dataDir: string) {
  try {
    const pid = Number(fs.readFileSync(path.resolve(dataDir, 'pg', 'oko.pid'), 'utf8'))
    if (!pid || pid === process.pid) return false
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** `intake:pipe`: store, process, print the outcome, send the automatic reply. */
async function intakePipe(raw: Buffer) {
  const { storeInbound, processInbound } = await import('../app/helpdesk/intake.server.ts')
  const { drainOutbox } = await import('../app/helpdesk/outbound.server.ts')
  let stored: { id: number; duplicate: boolean }
  try {
    stored = await storeInbound(raw, { channel: 'pipe' })
  } catch (error) {
    process.stderr.write(`Письмо не сохранено, повторите позже: ${(error as Error).message}\n`)
    return EX_TEMPFAIL
  }
  // From here the letter is ours: a processing failure leaves it for recovery, and the MTA must not send it again.
  try {
    const outcome = await processInbound(stored.id)
    process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`)
    await drainOutbox()
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ inboundId: stored.id, action: 'stored', notes: [`Письмо сохранено (№${stored.id}), обработка отложена: ${(error as Error).message}`] }, null, 2)}\n`)
  }
  return 0
}

/** `intake:pipe --dry-run`: parse and judge, store nothing. */
async function intakeDryRun(raw: Buffer, withDatabase: boolean) {
  const { dryRunInbound } = await import('../app/helpdesk/intake.server.ts')
  const { lookupFromList } = await import('../app/helpdesk/rules.ts')
  const outcome = await dryRunInbound(raw, withDatabase ? undefined : lookupFromList([]))
  if (!withDatabase) outcome.notes.push('База данных занята работающим сервером: логины не проверены по базе.')
  process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`)
  return 0
}

/** The embedded database is the running server's: deliver over its local SMTP listener instead. */
async function relayToServer(raw: Buffer, env: ReturnType<typeof parseEnv>) {
  const nodemailer = (await import('nodemailer')).default
  const { ourAddresses } = await import('../app/helpdesk/outbound.server.ts')
  const port = env.INTAKE_SMTP_PORT as number
  const host = env.INTAKE_SMTP_HOST === '0.0.0.0' ? '127.0.0.1' : env.INTAKE_SMTP_HOST
  const transport = nodemailer.createTransport({ host, port, secure: false, ignoreTLS: true })
  try {
    // The sender as the MTA saw it: Return-Path (Postfix's pipe adds it with flag R; <> for bounces), else From.
    const { readHeaderBlock, headerValue } = await import('../emails/inbound/headers.ts')
    const fields = readHeaderBlock(raw.subarray(0, 256 * 1024)).fields
    const returnPath = headerValue(fields, 'return-path')
    const from = returnPath !== null ? (/<([^<>]*)>/.exec(returnPath)?.[1] ?? returnPath.trim()) : (/[^\s<>"]+@[^\s<>"]+/.exec(headerValue(fields, 'from') ?? '')?.[0] ?? '')
    const info = await transport.sendMail({ envelope: { from, to: ourAddresses()[0] }, raw })
    const id = Number(/#(\d+)/.exec(info.response)?.[1]) || null
    process.stdout.write(`${JSON.stringify({ inboundId: id, action: 'relayed', notes: [`Сервер работает со встроенной базой: письмо передано ему по SMTP (${host}:${port}) и будет обработано там.`] }, null, 2)}\n`)
    return 0
  } catch (error) {
    const code = (error as { responseCode?: number }).responseCode ?? 0
    process.stderr.write(`Письмо не передано серверу: ${(error as Error).message}\n`)
    return code >= 500 ? EX_DATAERR : EX_TEMPFAIL
  } finally {
    transport.close()
  }
}

/** `intake:replay <id> | --all-quarantined`. */
async function intakeReplay(args: string[]) {
  const { replayQuarantined } = await import('../app/helpdesk/intake.server.ts')
  const { drainOutbox } = await import('../app/helpdesk/outbound.server.ts')
  const ids = args.includes('--all-quarantined')
    ? (await prisma.inboundMail.findMany({ where: { status: 'quarantined' }, select: { id: true }, orderBy: { id: 'asc' } })).map((r) => r.id)
    : args.filter((a) => /^\d+$/.test(a)).map(Number)
  if (ids.length === 0) {
    process.stderr.write(args.includes('--all-quarantined') ? 'В карантине писем нет.\n' : 'Использование: intake:replay <номер письма> | --all-quarantined\n')
    return args.includes('--all-quarantined') ? 0 : 2
  }
  let failed = 0
  for (const id of ids) {
    try {
      const outcome = await replayQuarantined(id)
      if (!outcome) {
        process.stderr.write(`Письмо №${id} не в карантине: пропущено.\n`)
        failed++
        continue
      }
      process.stdout.write(`Письмо №${id}: ${outcome.action}${outcome.ticket ? `, обращение #${outcome.ticket}` : ''}${outcome.action === 'quarantined' ? ` (${outcome.notes[0] ?? ''})` : ''}\n`)
      if (outcome.action === 'quarantined') failed++
    } catch (error) {
      process.stderr.write(`Письмо №${id}: ${(error as Error).message}\n`)
      failed++
    }
  }
  await drainOutbox()
  return failed ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`Ошибка: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)

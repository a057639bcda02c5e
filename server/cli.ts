// `npm run cli -- <command>`: operations that need no browser. Uses the same
// database as the server (DATABASE_URL, or the embedded one under DATA_DIR,
// which must not be open by a running server at the same time).
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
`

async function main() {
  const [command, ...args] = process.argv.slice(2)
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(HELP)
    return 0
  }
  const known = ['db:migrate', 'db:seed', 'admin:create', 'credentials:reset', 'answers:import', 'search:reindex']
  if (!known.includes(command)) {
    process.stderr.write(`Неизвестная команда: ${command}\n\n${HELP}`)
    return 2
  }
  const env = parseEnv({ ...process.env, DEMO_DATA: 'off', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' })
  const db = await prepareDatabase(env)
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
    }
    return 2
  } finally {
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

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`Ошибка: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)

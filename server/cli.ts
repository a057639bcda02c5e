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
`

async function main() {
  const [command, ...args] = process.argv.slice(2)
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(HELP)
    return 0
  }
  const known = ['db:migrate', 'db:seed', 'admin:create', 'credentials:reset']
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
    }
    return 2
  } finally {
    await disconnectPrisma()
    await db.stop()
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`Ошибка: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)

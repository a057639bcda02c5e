// Shared by the forum benches: opens the bench's database in this process
// (the embedded PGlite under a data folder, or a PostgreSQL server), adds
// signed-in accounts without argon2 logins (sessions written directly, the
// cookie signed with the server's secret), and one experts-forum question
// with answers written through the domain functions, as the site writes them.
// The caller stops the database before starting the server on it.
import crypto from 'node:crypto'

export interface ForumSeed {
  topicId: number
  /** Cookie pairs `oko_session=…` of the teachers watching, one session each. */
  viewerCookies: string[]
  /** A ФИОКО specialist (answers are posted as them; no hourly cap for staff). */
  specialistCookie: string
}

export interface SeedOptions {
  /** DATA_DIR of the embedded database, or DATABASE_URL of a server (then `sessionSecret` is required). */
  dataDir: string
  databaseUrl?: string
  sessionSecret?: string
  /** Teachers with a session each. */
  viewers: number
  /** Answers in the thread besides the question. */
  posts: number
}

/** Seeds, then stops the database connection of this process. */
export async function seedForum(options: SeedOptions): Promise<ForumSeed> {
  // The server started afterwards inherits this environment: put it back as it was.
  const saved = Object.fromEntries(['DATA_DIR', 'LOG_LEVEL', 'NODE_ENV', 'DEMO_DATA', 'FORUM_NEW_ACCOUNT_DELAY_MIN', 'DATABASE_URL', 'SESSION_SECRET'].map((k) => [k, process.env[k]]))
  Object.assign(process.env, {
    DATA_DIR: options.dataDir,
    LOG_LEVEL: process.env.BENCH_SEED_LOG ?? 'error',
    NODE_ENV: 'production',
    DEMO_DATA: 'off',
    FORUM_NEW_ACCOUNT_DELAY_MIN: '0',
  })
  if (options.databaseUrl) process.env.DATABASE_URL = options.databaseUrl
  else delete process.env.DATABASE_URL
  if (options.sessionSecret) process.env.SESSION_SECRET = options.sessionSecret

  const { parseEnv } = await import('../../app/utils/env.server.ts')
  const { prepareDatabase } = await import('../../server/db/prepare.ts')
  const { prisma, disconnectPrisma } = await import('../../app/utils/db.server.ts')
  const { commitSessionCookie } = await import('../../app/accounts/session.server.ts')
  const { askQuestion } = await import('../../app/forum/topics.server.ts')
  const { reply } = await import('../../app/forum/posts.server.ts')
  const { contentFromText } = await import('../../app/forum/content.ts')
  const { drainSearchOutbox, stopSearchDrain } = await import('../../app/search/outbox.server.ts')
  const { stopNotificationMail } = await import('../../app/notifications/notifications.server.ts')

  const db = await prepareDatabase(parseEnv())
  // A second seeding in the same process (another run of the bench) signs with that run's secret.
  ;(globalThis as unknown as { __okoSingletons?: Map<string, unknown> }).__okoSingletons?.delete('session-cookie')
  try {
    const fed = await prisma.organization.create({ data: { kind: 'FEDERAL', login: 'fioko-bench', name: 'ФИОКО (нагрузочный тест)' } })
    const school = await prisma.organization.create({ data: { kind: 'SCHOOL', login: 'edu990001', name: 'Школа нагрузочного теста', regionCode: '99' } })
    const longAgo = new Date(Date.now() - 30 * 24 * 3600_000)
    const teacherLogins = Array.from({ length: Math.max(1, options.viewers) }, (_, i) => `edu990001_t${String(i + 1).padStart(4, '0')}`)
    for (let i = 0; i < teacherLogins.length; i += 1000) {
      await prisma.user.createMany({
        data: teacherLogins.slice(i, i + 1000).map((login, j) => ({
          login,
          fullName: `Учитель ${i + j + 1}`,
          role: 'TEACHER_EXPERT' as const,
          organizationId: school.id,
          mustChangePassword: false,
          createdAt: longAgo,
        })),
      })
    }
    const specialist = await prisma.user.create({
      data: { login: 'fioko_bench', fullName: 'Смирнова Ольга Петровна', role: 'FIOKO_SPECIALIST', organizationId: fed.id, mustChangePassword: false, createdAt: longAgo },
    })
    const teachers = await prisma.user.findMany({ where: { organizationId: school.id }, orderBy: { id: 'asc' }, select: { id: true, login: true, role: true } })

    const expiresAt = new Date(Date.now() + 7 * 24 * 3600_000)
    const sessionIds = teachers.map(() => crypto.randomBytes(32).toString('base64url'))
    for (let i = 0; i < teachers.length; i += 1000) {
      await prisma.session.createMany({
        data: teachers.slice(i, i + 1000).map((t, j) => ({ id: sessionIds[i + j], userId: t.id, expiresAt, ip: '127.0.0.1', userAgent: 'bench' })),
      })
    }
    const specialistSession = crypto.randomBytes(32).toString('base64url')
    await prisma.session.create({ data: { id: specialistSession, userId: specialist.id, expiresAt, ip: '127.0.0.1', userAgent: 'bench' } })
    const cookieOf = async (id: string) => (await commitSessionCookie(id)).split(';')[0]

    const subject = await prisma.expertSubject.findFirstOrThrow({ where: { archived: false }, orderBy: { id: 'asc' } })
    const asked = await askQuestion(teachers[0], {
      forum: 'experts',
      expertSubjectId: String(subject.id),
      taskNumber: '5',
      title: 'Задание 5: засчитывать ли ответ без единиц измерения?',
      content: JSON.stringify(contentFromText('Ученик записал верный ответ 12, но без «см». Критерий требует единицы измерения?\nСтавить 1 балл или 0?')),
    })
    if (asked.status !== 'success') throw new Error(`askQuestion: ${asked.message}`)

    for (let i = 0; i < options.posts; i++) {
      // Teachers' replies rotate over several accounts (each has an hourly cap); every fifth answer is the specialist's.
      const author = i % 5 === 4 ? { id: specialist.id, login: specialist.login, role: specialist.role } : teachers[(i % 40) % teachers.length]
      const text = `Ответ ${i + 1}. По критериям задания 5 ответ без единиц измерения оценивается в 0 баллов, если в условии явно сказано «запишите ответ в сантиметрах».\nЕсли не сказано — 1 балл. Проверьте формулировку в своём варианте и сверьтесь с разъяснениями ФИОКО.`
      const r = await reply(author, asked.topicId, { content: JSON.stringify(contentFromText(text)) })
      if (r.status !== 'success') throw new Error(`reply ${i + 1}: ${r.message}`)
    }
    await drainSearchOutbox().catch(() => undefined)

    return {
      topicId: asked.topicId,
      viewerCookies: await Promise.all(sessionIds.slice(0, options.viewers).map(cookieOf)),
      specialistCookie: await cookieOf(specialistSession),
    }
  } finally {
    await stopSearchDrain().catch(() => undefined)
    await stopNotificationMail().catch(() => undefined)
    await new Promise((r) => setTimeout(r, 200))
    await disconnectPrisma()
    await db.stop()
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/** A fresh database on a PostgreSQL server (for runs with several server processes); `drop` removes it. */
export async function createServerDatabase(adminUrl: string, name: string) {
  const pg = (await import('pg')).default
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await admin.query(`CREATE DATABASE "${name}"`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl })
      await c.connect()
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      } finally {
        await c.end()
      }
    },
  }
}

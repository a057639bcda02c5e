// Brings the database up: the embedded PGlite when no DATABASE_URL is given,
// pending migrations, the session secret and (first run) the demo data.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Env } from '../../app/utils/env.server.ts'
import { logger } from '../../app/utils/logger.server.ts'
import { prisma } from '../../app/utils/db.server.ts'
import { seedDemo, type DemoLogin } from '../../prisma/seed.ts'
import { startEmbeddedPostgres } from './embedded.ts'
import { migrate } from './migrate.ts'

export interface PreparedDatabase {
  url: string
  embedded: boolean
  demoLogins: DemoLogin[] | null
  stop(): Promise<void>
}

/** A persisted random secret for the embedded default, so restarts keep sessions. */
function ensureSessionSecret(env: Env) {
  if (env.SESSION_SECRET) return env.SESSION_SECRET
  if (env.DATABASE_URL && env.NODE_ENV === 'production' && process.env.CI !== 'true') {
    logger.warn('SESSION_SECRET is not set: generating one under DATA_DIR; set it explicitly when running several web nodes')
  }
  const file = path.resolve(env.DATA_DIR, 'session-secret')
  fs.mkdirSync(path.dirname(file), { recursive: true })
  if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(48).toString('base64url'), { mode: 0o600 })
  return fs.readFileSync(file, 'utf8').trim()
}

export async function prepareDatabase(env: Env, options: { migrate?: boolean } = {}): Promise<PreparedDatabase> {
  let url = env.DATABASE_URL
  let stopEmbedded = async () => {}
  if (!url) {
    const started = performance.now()
    const embedded = await startEmbeddedPostgres(env.DATA_DIR)
    url = embedded.url
    stopEmbedded = embedded.stop
    logger.info({ dataDir: path.resolve(env.DATA_DIR), ms: Math.round(performance.now() - started) }, 'embedded PostgreSQL (PGlite) started')
  }
  process.env.DATABASE_URL = url
  process.env.SESSION_SECRET = ensureSessionSecret(env)

  if (options.migrate !== false) {
    const result = await migrate(url)
    if (result.applied.length) logger.info({ applied: result.applied }, 'migrations applied')
  }

  let demoLogins: DemoLogin[] | null = null
  const wantDemo = env.DEMO_DATA === 'on' || (env.DEMO_DATA === 'auto' && !env.DATABASE_URL)
  if (wantDemo && (await prisma.organization.count()) === 0) {
    const started = performance.now()
    demoLogins = await seedDemo(prisma)
    // A desk that is not empty on first start: a few tickets in every state.
    const { seedHelpdeskDemo } = await import('../../prisma/seed-helpdesk.ts')
    await seedHelpdeskDemo(prisma)
    // …forums with questions, replies and official answers to read (indexed by the search drain).
    const { seedForumDemo } = await import('../../prisma/seed-forum.ts')
    await seedForumDemo(prisma)
    // …and an answer bank to search: the generated bank of the relevance set.
    const { generateBank } = await import('../../search/relevance/bank.ts')
    const { importReadyAnswers } = await import('../../app/search/answers.server.ts')
    await importReadyAnswers(generateBank().map((values, i) => ({ line: i + 1, values: { ...values } })), 'demo')
    logger.info({ ms: Math.round(performance.now() - started) }, 'demo data seeded')
  } else if (wantDemo) {
    const { demoLoginsPresent } = await import('../../prisma/seed.ts')
    demoLogins = await demoLoginsPresent(prisma)
  }

  return {
    url,
    embedded: !env.DATABASE_URL,
    demoLogins,
    async stop() {
      await stopEmbedded()
    },
  }
}

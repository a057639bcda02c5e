// Process entry: parse the environment, bring the database up, then start the
// roles this process has (ROLE=web,intake,worker; all by default).
import http from 'node:http'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { ROLE_LABELS } from '../app/accounts/roles.ts'
import '../app/accounts/maintenance.server.ts'
import '../app/search/outbox.server.ts'
// The forum's search document sources, for the drain the job queue runs in this process.
import '../app/forum/search-documents.server.ts'
import '../app/helpdesk/outbound.server.ts'
import '../app/notifications/notifications.server.ts'
import '../app/helpdesk/tickets.server.ts'
import '../app/forum/claims.server.ts'
import '../app/forum/uploads.server.ts'
import '../app/utils/mailer.server.ts'
import { parseEnv, type Env } from '../app/utils/env.server.ts'
import { disconnectPrisma } from '../app/utils/db.server.ts'
import { startJobQueue, stopJobQueue } from '../app/utils/jobs.server.ts'
import { logger } from '../app/utils/logger.server.ts'
import { DEMO_PASSWORD } from '../prisma/seed.ts'
import { prepareDatabase } from './db/prepare.ts'
import { createHttpApp } from './http.ts'
import { startIntake, type RunningIntake } from './intake/index.ts'
import { attachSocketServer } from './socket/index.ts'

const BUILD_PATH = path.resolve(import.meta.dirname, '../build/server/index.js')

async function main() {
  let env: Env
  try {
    env = parseEnv()
  } catch (error) {
    console.error((error as Error).message)
    process.exit(78) // EX_CONFIG
  }
  const startedAt = Date.now()
  const roles = new Set(env.ROLE)
  logger.info({ roles: [...roles] }, 'starting oko-support')

  const db = await prepareDatabase(env)
  await startJobQueue({ connectionString: db.url, work: roles.has('worker') })

  const closers: (() => Promise<void>)[] = []
  let httpServer: http.Server | undefined
  let intake: RunningIntake | undefined
  if (roles.has('web')) {
    const build = (await import(pathToFileURL(BUILD_PATH).href).catch((error) => {
      throw new Error(`Сборка интерфейса не найдена (${BUILD_PATH}): выполните npm run build. ${error.message}`)
    })) as ServerBuild
    const app = createHttpApp({
      env,
      build,
      health: () => ({ roles: [...roles], embedded: db.embedded, uptime_s: Math.round((Date.now() - startedAt) / 1000), ...intake?.health() }),
    })
    httpServer = http.createServer(app)
    httpServer.keepAliveTimeout = 65_000
    const sockets = await attachSocketServer(httpServer, { redisUrl: env.REDIS_URL })
    closers.push(sockets.close)
    await new Promise<void>((resolve, reject) => {
      httpServer!.once('error', reject)
      httpServer!.listen(env.PORT, env.HOST, resolve)
    })
  }
  if (roles.has('intake')) {
    intake = await startIntake(env)
    // Listeners stop first on shutdown: no letter is accepted that cannot be stored.
    closers.unshift(intake.close)
  }

  const address = httpServer?.address()
  const port = typeof address === 'object' && address ? address.port : env.PORT
  const url = env.PUBLIC_URL ?? `http://localhost:${port}`
  logger.info({ url, ms: Date.now() - startedAt }, 'ready')
  if (roles.has('web')) {
    const lines = [``, `  oko-support работает: ${url}`, `  Вход: ${url}/login`]
    if (db.demoLogins?.length) {
      lines.push(`  Демо-учётные записи (пароль ${DEMO_PASSWORD}):`)
      for (const d of db.demoLogins) lines.push(`    ${d.login.padEnd(16)} ${ROLE_LABELS[d.role]}${d.label ? ` — ${d.label}` : ''}`)
    }
    lines.push(`  Остановить: Ctrl+C`, ``)
    process.stdout.write(lines.join('\n') + '\n')
  }

  let stopping = false
  async function shutdown(signal: string) {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting')
      process.exit(1)
    }, 20_000)
    force.unref()
    try {
      if (httpServer?.listening) {
        // Keep-alive clients are told to go, idle ones are cut now, busy ones
        // get a few seconds to finish their request.
        const server = httpServer
        server.on('request', (_req, res) => res.setHeader('Connection', 'close'))
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        const grace = setTimeout(() => server.closeAllConnections(), 5_000)
        for (const close of closers) await close()
        await closed
        clearTimeout(grace)
      } else {
        for (const close of closers) await close()
      }
      await stopJobQueue()
      await disconnectPrisma()
      await db.stop()
      logger.info('stopped')
      process.exit(0)
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown')
      process.exit(1)
    }
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

main().catch((error) => {
  logger.fatal({ err: error }, 'start-up failed')
  console.error(`\nНе удалось запустить oko-support: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})

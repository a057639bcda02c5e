// Express: security headers, compression, static assets, rate limits,
// /healthz, /metrics, then the Remix handler.
import crypto from 'node:crypto'
import path from 'node:path'
import compression from 'compression'
import express from 'express'
import helmet from 'helmet'
import { createRequestHandler } from '@remix-run/express'
import type { ServerBuild } from '@remix-run/node'
import { prisma } from '../app/utils/db.server.ts'
import { logger } from '../app/utils/logger.server.ts'
import { requestScope } from '../app/utils/request-memo.server.ts'
import type { Env } from '../app/utils/env.server.ts'
import { metricsMiddleware, registry } from './metrics.ts'
import { rateLimiter } from './rate-limit.ts'

const ROOT = path.resolve(import.meta.dirname, '..')

export interface HttpOptions {
  env: Env
  build: ServerBuild
  health: () => Record<string, unknown>
}

function isLoopback(ip: string | undefined) {
  return !!ip && (ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1')
}

export function createHttpApp({ env, build, health }: HttpOptions) {
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', env.TRUST_PROXY)
  app.use(metricsMiddleware)

  app.get('/healthz', async (_req, res) => {
    const started = performance.now()
    try {
      await prisma.$queryRaw`SELECT 1`
      res.json({ status: 'ok', database: 'ok', db_ms: +(performance.now() - started).toFixed(1), ...health() })
    } catch (error) {
      logger.error({ err: error }, 'healthcheck failed')
      res.status(503).json({ status: 'error', database: 'unreachable', ...health() })
    }
  })

  app.get('/metrics', async (req, res) => {
    const token = req.get('authorization')?.replace(/^Bearer /, '')
    if (!(isLoopback(req.socket.remoteAddress) || (env.METRICS_TOKEN && token === env.METRICS_TOKEN))) {
      res.status(403).type('text/plain; charset=utf-8').send('Метрики доступны с локального адреса или по METRICS_TOKEN.')
      return
    }
    res.type(registry.contentType).send(await registry.metrics())
  })

  // Level 1: most of gzip's gain for a fraction of its CPU; a proxy in front may do better.
  app.use(compression({ level: 1 }))
  // Fingerprinted bundles can be cached for a year; other public files briefly.
  app.use('/build', express.static(path.join(ROOT, 'public/build'), { immutable: true, maxAge: '1y' }))
  // Only paths that look like files touch the disk; pages go straight to Remix.
  const publicFiles = express.static(path.join(ROOT, 'public'), { maxAge: '1h' })
  app.use((req, res, next) => (/\.[a-z0-9]{2,5}$/i.test(req.path) ? publicFiles(req, res, next) : next()))

  app.use((_req, res, next) => {
    res.locals.cspNonce = crypto.randomBytes(16).toString('base64')
    next()
  })
  app.use(
    helmet({
      crossOriginEmbedderPolicy: false,
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: env.SECURE_COOKIES === true,
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          imgSrc: ["'self'", 'data:', 'blob:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          scriptSrc: ["'self'", (_req, res) => `'nonce-${(res as express.Response).locals.cspNonce}'`],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: null,
        },
      },
    }),
  )
  app.use(rateLimiter(env.RATE_LIMIT_FACTOR))

  app.use((req, res, next) => {
    const start = performance.now()
    res.on('finish', () => {
      if (res.statusCode >= 400 || env.LOG_LEVEL === 'debug') {
        logger.info({ method: req.method, path: req.path, status: res.statusCode, ms: +(performance.now() - start).toFixed(1) }, 'request')
      }
    })
    next()
  })

  // One memo scope per request (app/utils/request-memo.server.ts).
  app.use((_req, _res, next) => requestScope.run(new Map(), next))
  app.all(
    '*',
    createRequestHandler({
      build,
      mode: env.NODE_ENV === 'development' ? 'development' : 'production',
      getLoadContext: (req, res) => ({ cspNonce: res.locals.cspNonce as string, clientIp: req.ip ?? 'unknown' }),
    }),
  )
  return app
}

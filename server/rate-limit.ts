// Tiered, in-memory rate limits per client address (Epic Stack style): reads,
// writes and sign-in attempts each have their own budget per minute. The
// sign-in lockout per login lives in the database (app/accounts/throttle).
import type { NextFunction, Request, Response } from 'express'

interface Tier {
  name: string
  perMinute: number
  applies(req: Request): boolean
}

export function rateLimiter(factor: number) {
  const tiers: Tier[] = [
    { name: 'auth', perMinute: 20 * factor, applies: (r) => r.method === 'POST' && (r.path === '/login' || r.path === '/password') },
    { name: 'write', perMinute: 120 * factor, applies: (r) => r.method !== 'GET' && r.method !== 'HEAD' },
    { name: 'read', perMinute: 1200 * factor, applies: () => true },
  ]
  const windows = new Map<string, { start: number; count: number }>()
  const sweep = setInterval(() => {
    const cutoff = Date.now() - 60_000
    for (const [key, w] of windows) if (w.start < cutoff) windows.delete(key)
  }, 60_000)
  sweep.unref()

  return function limit(req: Request, res: Response, next: NextFunction) {
    const tier = tiers.find((t) => t.applies(req))!
    const key = `${tier.name}:${req.ip}`
    const now = Date.now()
    let w = windows.get(key)
    if (!w || now - w.start >= 60_000) {
      w = { start: now, count: 0 }
      windows.set(key, w)
    }
    w.count++
    if (w.count > tier.perMinute) {
      const retry = Math.ceil((w.start + 60_000 - now) / 1000)
      res.setHeader('Retry-After', String(retry))
      res.status(429).type('text/plain; charset=utf-8').send(`Слишком много запросов с вашего адреса. Повторите через ${retry} с.`)
      return
    }
    next()
  }
}

// Prometheus metrics: requests, latency, sockets, queue depth.
import client from 'prom-client'
import type { NextFunction, Request, Response } from 'express'
import { queueDepths } from '../app/utils/jobs.server.ts'

export const registry = new client.Registry()
client.collectDefaultMetrics({ register: registry })

const requests = new client.Counter({
  name: 'http_requests_total',
  help: 'HTTP requests by method, route group and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
})
const latency = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
})
export const socketsGauge = new client.Gauge({
  name: 'socketio_connected_clients',
  help: 'Socket.io clients connected to this process',
  registers: [registry],
})
new client.Gauge({
  name: 'job_queue_depth',
  help: 'Jobs waiting per queue',
  labelNames: ['queue'] as const,
  registers: [registry],
  async collect() {
    this.reset()
    const depths = await queueDepths().catch(() => ({}))
    for (const [queue, n] of Object.entries(depths)) this.set({ queue }, n)
  },
})

/** Low-cardinality route label: ids and logins become ":id". */
export function routeGroup(path: string) {
  if (path.startsWith('/build/') || path.startsWith('/assets/')) return '/static'
  return (
    path
      .split('/')
      .slice(0, 4)
      .map((seg) => (/^\d+$/.test(seg) || /^(edu|sch|spo|reg)\w+$/.test(seg) ? ':id' : seg))
      .join('/') || '/'
  )
}

export function metricsMiddleware(req: Request, res: Response, next: NextFunction) {
  const end = latency.startTimer()
  res.on('finish', () => {
    const route = routeGroup(req.path)
    requests.inc({ method: req.method, route, status: String(res.statusCode) })
    end({ method: req.method, route })
  })
  next()
}

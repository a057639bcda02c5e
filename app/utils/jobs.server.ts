// The persisted job queue (pg-boss 10, in the same PostgreSQL): mail,
// indexing and reports are sent here and retried with backoff.
import PgBoss from 'pg-boss'
import { logger } from './logger.server'

export type JobHandler<T = unknown> = (data: T, job: { id: string; retryCount: number }) => Promise<void>

interface QueueSpec {
  name: string
  handler: JobHandler<any>
  retryLimit?: number
  retryDelaySeconds?: number
  /** Cron (UTC) for recurring maintenance jobs. */
  cron?: string
}

const registry = new Map<string, QueueSpec>()

/** Declares a queue and its handler; domains call this at module load. */
export function defineQueue<T>(spec: QueueSpec & { handler: JobHandler<T> }) {
  registry.set(spec.name, spec)
  return {
    name: spec.name,
    send: (data: T, options: PgBoss.SendOptions = {}) => sendJob(spec.name, data, options),
  }
}

const state = globalThis as unknown as { __okoBoss?: PgBoss }

export function boss(): PgBoss {
  if (!state.__okoBoss) throw new Error('Job queue is not started (startJobQueue).')
  return state.__okoBoss
}

export async function startJobQueue(options: { connectionString: string; work: boolean }) {
  // Two connections are enough: on the embedded database queries are serialised anyway.
  const instance = new PgBoss({
    connectionString: options.connectionString,
    schema: 'pgboss',
    max: 2,
    supervise: options.work,
    schedule: options.work,
    migrate: true,
  })
  instance.on('error', (error) => logger.error({ err: error }, 'job queue error'))
  await instance.start()
  state.__okoBoss = instance
  for (const spec of registry.values()) {
    await instance.createQueue(spec.name, {
      name: spec.name,
      retryLimit: spec.retryLimit ?? 5,
      retryDelay: spec.retryDelaySeconds ?? 10,
      retryBackoff: true,
    })
    if (options.work) {
      await instance.work(spec.name, { pollingIntervalSeconds: 1, includeMetadata: true }, async (jobs) => {
        for (const job of jobs) await spec.handler(job.data, { id: job.id, retryCount: job.retryCount })
      })
      if (spec.cron) await instance.schedule(spec.name, spec.cron)
    }
  }
  return instance
}

export async function sendJob(name: string, data: unknown, options: PgBoss.SendOptions = {}) {
  return boss().send(name, data as object, options)
}

/** Jobs waiting, per queue, for /metrics. */
export async function queueDepths(): Promise<Record<string, number>> {
  if (!state.__okoBoss) return {}
  const out: Record<string, number> = {}
  for (const name of registry.keys()) out[name] = await state.__okoBoss.getQueueSize(name)
  return out
}

export async function stopJobQueue() {
  const instance = state.__okoBoss
  state.__okoBoss = undefined
  if (instance) await instance.stop({ graceful: true, wait: true, timeout: 10_000 })
}

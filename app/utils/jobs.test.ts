// The persisted job queue on the test database (PGlite or a server): a job
// that fails is retried with backoff until it succeeds.
import { afterAll, expect, it } from 'vitest'
import { defineQueue, queueDepths, startJobQueue, stopJobQueue } from './jobs.server'

const attempts: number[] = []
const flaky = defineQueue<{ n: number }>({
  name: 'test.flaky',
  retryLimit: 3,
  retryDelaySeconds: 1,
  async handler(data, job) {
    attempts.push(job.retryCount)
    if (attempts.length < 2) throw new Error(`planned failure of job ${data.n}`)
  },
})

afterAll(async () => {
  await stopJobQueue()
})

it('retries a failing job and completes it', async () => {
  await startJobQueue({ connectionString: process.env.DATABASE_URL!, work: true })
  const id = await flaky.send({ n: 1 })
  expect(id).toBeTruthy()
  const deadline = Date.now() + 20_000
  while (attempts.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
  expect(attempts).toEqual([0, 1])
  expect(await queueDepths()).toMatchObject({ 'test.flaky': 0 })
}, 30_000)

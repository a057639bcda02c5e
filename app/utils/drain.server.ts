// The shape of our outbox drains (ticket mail and forum notification mail; the
// search drain shares only the backoff, as it coalesces wake-ups into one and takes a
// database-wide lock): rows are leased in the database so that processes never
// handle a row twice, one pass runs at a time per process, a second request
// during a pass makes it go round once more, and a commit wakes the drain
// shortly after (and once more later, for a commit that was slow to land).
// Failures come back after an exponential backoff.
import { logger } from './logger.server'
import { singleton } from './singleton.server'

/** base · 2^(attempts−1) seconds, capped: 30 s, 60 s, 2 min, … */
export function backoffSeconds(attempts: number, { baseSeconds, maxSeconds }: { baseSeconds: number; maxSeconds: number }) {
  return Math.min(maxSeconds, baseSeconds * 2 ** Math.max(0, attempts - 1))
}

export interface Drain<R> {
  /** Runs passes until nothing is due; a call during a pass joins it (and asks for one more round). */
  drain(): Promise<R>
  /** After a commit: drain a moment later, and again a little later. */
  wake(): void
  /** Cancels pending wake-ups and waits for a running pass (shutdown, tests). */
  stop(): Promise<void>
}

export function createDrain<R>(
  name: string,
  pass: () => Promise<R>,
  options: { empty: () => R; add: (total: R, one: R) => R; wakeDelaysMs?: number[] },
): Drain<R> {
  const state = singleton(`drain:${name}`, () => ({ running: null as Promise<R> | null, again: false, timers: new Set<NodeJS.Timeout>() }))
  const wakeDelays = options.wakeDelaysMs ?? [30, 1500]

  async function drain(): Promise<R> {
    if (state.running) {
      state.again = true
      return state.running
    }
    const run = (async () => {
      let total = options.empty()
      do {
        state.again = false
        total = options.add(total, await pass())
      } while (state.again)
      return total
    })()
    state.running = run
    try {
      return await run
    } finally {
      state.running = null
    }
  }

  function wake() {
    for (const delay of wakeDelays) {
      const timer = setTimeout(() => {
        state.timers.delete(timer)
        drain().catch((error) => logger.warn({ err: error, drain: name }, 'drain failed; the next run retries'))
      }, delay)
      timer.unref?.()
      state.timers.add(timer)
    }
  }

  async function stop() {
    for (const t of state.timers) clearTimeout(t)
    state.timers.clear()
    await state.running?.catch(() => undefined)
  }

  return { drain, wake, stop }
}

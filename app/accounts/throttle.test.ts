import { describe, expect, it } from 'vitest'
import { ipKey, lockedUntil, loginKey, recordFailure, THROTTLE, waitText } from './throttle.server'

const T0 = new Date('2026-11-26T09:00:00Z')
const at = (ms: number) => new Date(T0.getTime() + ms)
const MIN = 60_000

describe('lockout with backoff', () => {
  it('locks a login on the fifth failure for one minute, and lifts it after', async () => {
    const key = loginKey('edu290001')
    for (let i = 1; i < THROTTLE.loginFreeFailures; i++) expect(await recordFailure(key, T0)).toBeNull()
    expect(await lockedUntil([key], T0)).toBeNull()
    expect(await recordFailure(key, T0)).toEqual(at(MIN))
    expect(await lockedUntil([key, ipKey('203.0.113.7')], at(30_000))).toEqual(at(MIN))
    expect(await lockedUntil([key], at(MIN))).toBeNull()
  })

  it('doubles the lock with each failure after it expires, up to an hour', async () => {
    const key = loginKey('reg29_m001')
    for (let i = 1; i <= 5; i++) await recordFailure(key, T0)
    let now = at(MIN)
    const locks: number[] = []
    for (let i = 0; i < 8; i++) {
      const until = await recordFailure(key, now)
      locks.push((until!.getTime() - now.getTime()) / MIN)
      now = until!
    }
    expect(locks).toEqual([2, 4, 8, 16, 32, 60, 60, 60])
  })

  it('forgets old failures after a day', async () => {
    const key = loginKey('edu290002')
    for (let i = 1; i <= 4; i++) await recordFailure(key, T0)
    // The counter's updatedAt is the real clock: a day after it, counting restarts.
    expect(await recordFailure(key, new Date(Date.now() + THROTTLE.forgetAfterMs + MIN))).toBeNull()
  })

  it('allows an address thirty failures before locking it', async () => {
    const key = ipKey('198.51.100.20')
    for (let i = 1; i < THROTTLE.ipFreeFailures; i++) expect(await recordFailure(key, T0)).toBeNull()
    expect(await recordFailure(key, T0)).toEqual(at(MIN))
  })

  it('says how long to wait in whole minutes, rounded up', () => {
    expect(waitText(at(MIN + 1), T0)).toBe('2 мин.')
    expect(waitText(at(MIN), T0)).toBe('1 мин.')
    expect(waitText(at(0), T0)).toBe('1 мин.')
    expect(waitText(at(60 * MIN), T0)).toBe('60 мин.')
  })
})

import { describe, expect, it } from 'vitest'
import { initialSla, slaOnStateChange, slaStatus, type SlaFields } from './sla'
import { stateAfterRequesterMessage } from './states'

const t0 = new Date('2026-04-20T09:00:00Z')
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000)

function ticket(over: Partial<SlaFields> = {}): SlaFields {
  return { state: 'NEW', priority: 'NORMAL', createdAt: t0, firstResponseAt: null, resolvedAt: null, ...initialSla('NORMAL', 'NEW', t0), ...over }
}

describe('SLA', () => {
  it('starts paused for a ticket that waits for data', () => {
    expect(initialSla('NORMAL', 'WAITING_INFO', t0).slaPausedAt).toEqual(t0)
    expect(initialSla('NORMAL', 'NEW', t0).slaPausedAt).toBeNull()
  })

  it('shifts both due times by the length of the pause', () => {
    const paused = { ...ticket(), ...slaOnStateChange(ticket(), 'WAITING_INFO', minutes(10)), state: 'WAITING_INFO' as const }
    const resumed = slaOnStateChange(paused, 'NEW', minutes(130))
    expect(resumed.slaPausedAt).toBeNull()
    expect(resumed.firstResponseDueAt).toEqual(new Date(ticket().firstResponseDueAt!.getTime() + 120 * 60_000))
    expect(resumed.resolutionDueAt).toEqual(new Date(ticket().resolutionDueAt!.getTime() + 120 * 60_000))
  })

  it('does not shift a first-response target that was already met', () => {
    const answered = ticket({ firstResponseAt: minutes(5), slaPausedAt: minutes(10) })
    expect(slaOnStateChange(answered, 'OPEN', minutes(70)).firstResponseDueAt).toEqual(answered.firstResponseDueAt)
  })

  it('flags overdue, soon, paused and met', () => {
    expect(slaStatus(ticket(), minutes(8 * 60 + 1)).firstResponse).toBe('overdue')
    expect(slaStatus(ticket(), minutes(8 * 60 - 30)).firstResponse).toBe('soon')
    expect(slaStatus(ticket({ slaPausedAt: minutes(1) }), minutes(9 * 60)).firstResponse).toBe('paused')
    expect(slaStatus(ticket({ firstResponseAt: minutes(30) }), minutes(9 * 60)).firstResponse).toBe('met')
  })
})

describe('state after the requester writes', () => {
  it('moves a waiting-for-data ticket on only when the rules are met', () => {
    expect(stateAfterRequesterMessage('WAITING_INFO', false)).toBe('WAITING_INFO')
    expect(stateAfterRequesterMessage('WAITING_INFO', true)).toBe('NEW')
  })
  it('reopens resolved and waiting tickets', () => {
    expect(stateAfterRequesterMessage('RESOLVED', true)).toBe('OPEN')
    expect(stateAfterRequesterMessage('WAITING_REQUESTER', true)).toBe('OPEN')
    expect(stateAfterRequesterMessage('OPEN', false)).toBe('OPEN')
  })
})

// Desk statistics over a hand-made set of tickets whose numbers are worked
// out below: volume, times (median, p90, within SLA), backlog, rules, days.
import { beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { actorFor, createUser, thrownResponse, type Actor } from '../../tests/setup/fixtures'
import { createTicket, verdictMissing, type TicketSeed } from '../../tests/setup/tickets'
import { deskStats, mskDay, mskDayStart, parsePeriod } from './stats.server'

const MIN = 60_000
/** A Moscow wall-clock time (UTC+3) as an instant. */
const msk = (s: string) => new Date(`${s}:00+03:00`)

let agent: Actor
let school: Actor

async function ticket(seed: TicketSeed & { firstAfterMin?: number; resolvedAfterMin?: number; firstAt?: Date }) {
  const t = await createTicket(seed)
  const createdAt = t.createdAt
  await prisma.ticket.update({
    where: { id: t.id },
    data: {
      firstResponseAt: seed.firstAt ?? (seed.firstAfterMin !== undefined ? new Date(createdAt.getTime() + seed.firstAfterMin * MIN) : null),
      resolvedAt: seed.resolvedAfterMin !== undefined ? new Date(createdAt.getTime() + seed.resolvedAfterMin * MIN) : null,
    },
  })
  return t
}

beforeAll(async () => {
  const fed = await prisma.organization.create({ data: { kind: 'FEDERAL', login: 'fioko', name: 'ФИОКО' } })
  const sch = await prisma.organization.create({ data: { kind: 'SCHOOL', login: 'edu990001', name: 'Школа' } })
  agent = await actorFor((await createUser({ orgId: fed.id, role: 'SUPPORT_AGENT', login: 'agent1' })).login)
  school = await actorFor((await createUser({ orgId: sch.id })).login)

  // T1: ВПР by mail, answered in 60 min, resolved in 120; complete letter.
  const t1 = await ticket({ study: 'ВПР', channel: 'smtp', createdAt: msk('2026-03-01T10:00'), state: 'RESOLVED', firstAfterMin: 60, resolvedAfterMin: 120, verdict: verdictMissing([]) })
  // T2: НИКО from the cabinet at 01:00 Moscow — still 1 March in UTC, 2 March here.
  const t2 = await ticket({ study: 'НИКО', channel: 'web', createdAt: msk('2026-03-02T01:00'), state: 'RESOLVED', firstAfterMin: 120, resolvedAfterMin: 600, verdict: verdictMissing(['description']) })
  // T3: no study, answered in 30 min, still open; missed the login and a screenshot.
  await ticket({ study: null, channel: 'smtp', createdAt: msk('2026-03-02T12:00'), state: 'OPEN', firstAfterMin: 30, verdict: verdictMissing(['login', 'screenshot']) })
  // T4: ВПР by IMAP, late on both counts (first response 10 h > 8 h, resolution 5000 min > 3 days); no verdict.
  await ticket({ study: 'ВПР', channel: 'imap', createdAt: msk('2026-03-03T09:00'), state: 'RESOLVED', firstAfterMin: 600, resolvedAfterMin: 5000 })
  // T5: before the period, answered on 1 March: counts only in the day table; waiting for the requester.
  await ticket({ study: 'ВПР', channel: 'smtp', createdAt: msk('2026-02-27T09:00'), state: 'WAITING_REQUESTER', firstAt: msk('2026-03-01T12:00') })
  // T6: a duplicate of T1, merged: volume yes, times no.
  const t6 = await ticket({ study: 'ВПР', channel: 'smtp', createdAt: msk('2026-03-01T11:00'), state: 'CLOSED', resolvedAfterMin: 5 })
  await prisma.ticket.update({ where: { id: t6.id }, data: { mergedIntoId: t1.id } })
  // T7: new, unanswered, overdue by the chosen "now".
  await ticket({ study: 'НИКО', channel: 'smtp', createdAt: msk('2026-03-03T20:00'), state: 'NEW' })
  // The rules re-checked later do not change the verdict the ticket came with.
  await prisma.ticket.update({ where: { id: t2.id }, data: { verdict: verdictMissing([]) as object } })
})

const NOW = new Date('2026-03-05T00:00:00Z')

describe('deskStats', () => {
  it('counts the volume by study and by channel in the period (Moscow days)', async () => {
    const s = await deskStats(agent, { from: '2026-03-01', to: '2026-03-03' }, NOW)
    expect(s.total).toBe(6)
    expect(s.byStudy).toEqual([
      { study: 'ВПР', count: 3 },
      { study: 'НИКО', count: 2 },
      { study: null, count: 1 },
    ])
    expect(s.byChannel).toEqual([
      { channel: 'smtp', count: 4 },
      { channel: 'imap', count: 1 },
      { channel: 'web', count: 1 },
    ])
    const oneDay = await deskStats(agent, { from: '2026-03-02', to: '2026-03-02' }, NOW)
    expect(oneDay.total).toBe(2) // T2 (01:00 Moscow) and T3
  })

  it('gives the median and p90 of first response and resolution times, and how many met the SLA', async () => {
    const s = await deskStats(agent, { from: '2026-03-01', to: '2026-03-03' }, NOW)
    // First responses: 30, 60, 120, 600 min → median 90, p90 = 120 + 0.7 × 480 = 456; 600 > 8 h.
    expect(s.firstResponse).toEqual({ count: 4, median: 90, p90: 456, withinSla: 3, waiting: 1 })
    // Resolutions: 120, 600, 5000 min → median 600, p90 = 600 + 0.8 × 4400 = 4120; 5000 > 3 days.
    expect(s.resolution).toEqual({ count: 3, median: 600, p90: 4120, withinSla: 2, open: 2 })
  })

  it('shows the backlog by state and age now, and the overdue tickets', async () => {
    const s = await deskStats(agent, { from: '2026-03-01', to: '2026-03-03' }, NOW)
    expect(s.backlog).toEqual([
      { state: 'NEW', total: 1, day: 0, days3: 1, week: 0, older: 0 },
      { state: 'WAITING_INFO', total: 0, day: 0, days3: 0, week: 0, older: 0 },
      { state: 'OPEN', total: 1, day: 0, days3: 1, week: 0, older: 0 },
      { state: 'WAITING_REQUESTER', total: 1, day: 0, days3: 0, week: 1, older: 0 },
    ])
    expect(s.overdue).toBe(1)
  })

  it('counts the letters that missed each rule, from the verdict each ticket was created with', async () => {
    const s = await deskStats(agent, { from: '2026-03-01', to: '2026-03-03' }, NOW)
    expect(s.rules).toEqual({ judged: 3, complete: 1, missing: { login: 1, orgName: 0, description: 1, screenshot: 1 } })
  })

  it('makes a table per day: created, first responses and resolutions', async () => {
    const s = await deskStats(agent, { from: '2026-03-01', to: '2026-03-03' }, NOW)
    expect(s.perDay).toEqual([
      { day: '2026-03-01', created: 2, firstResponses: 2, resolved: 1 },
      { day: '2026-03-02', created: 2, firstResponses: 2, resolved: 1 },
      { day: '2026-03-03', created: 2, firstResponses: 1, resolved: 0 },
    ])
  })

  it('is for desk staff only', async () => {
    expect((await thrownResponse(() => deskStats(school, { from: '2026-03-01', to: '2026-03-03' }))).status).toBe(403)
  })
})

describe('the period', () => {
  it('defaults to the last 30 Moscow days, caps a year and swaps nothing silently', () => {
    const now = new Date('2026-03-04T22:30:00Z') // 5 March, 01:30 in Moscow
    expect(parsePeriod(new URLSearchParams(), now)).toEqual({ from: '2026-02-04', to: '2026-03-05', notice: undefined })
    expect(parsePeriod(new URLSearchParams('from=2020-01-01&to=2026-03-05'), now)).toMatchObject({ from: '2025-03-05', to: '2026-03-05' })
    expect(parsePeriod(new URLSearchParams('from=2026-03-05&to=2026-03-01'), now)).toMatchObject({ from: '2026-03-01', to: '2026-03-01' })
    expect(parsePeriod(new URLSearchParams('from=2026-02-30&to=garbage'), now)).toMatchObject({ from: '2026-02-04', to: '2026-03-05' })
    expect(mskDay(mskDayStart('2026-03-01'))).toBe('2026-03-01')
  })
})

// The desk's demo data: real verdicts, one ticket waiting for data, one
// overdue, the coordinators see theirs, and a second run adds nothing.
import { beforeAll, describe, expect, it } from 'vitest'
import { DeskFilters } from '~/helpdesk/desk-query'
import { listRequesterTickets } from '~/helpdesk/my-tickets.server'
import { listDeskTickets } from '~/helpdesk/tickets.server'
import { prisma } from '~/utils/db.server'
import { seedHelpdeskDemo } from '../../prisma/seed-helpdesk.ts'
import { actorFor, seedDemoData } from '../setup/fixtures.ts'

let made = 0

beforeAll(async () => {
  await seedDemoData()
  made = await seedHelpdeskDemo(prisma)
})

describe('seedHelpdeskDemo', () => {
  it('fills the desk with letters from edu290001 and reg29_m001, one waiting for data and one overdue', async () => {
    expect(made).toBe(6)
    const agent = await actorFor('support01')
    const desk = await listDeskTickets(agent, DeskFilters.parse({}))
    expect(desk.total).toBe(5) // the resolved one is not active
    const orgs = new Set(desk.tickets.map((t) => t.organization?.login ?? null))
    expect(orgs).toEqual(new Set(['edu290001', 'reg29_m001', null]))
    const overdue = await listDeskTickets(agent, DeskFilters.parse({ overdue: '1' }))
    expect(overdue.tickets.map((t) => t.subject)).toEqual(['Отчёт «Статистика по отметкам» не показывает школы округа'])
    const waiting = await listDeskTickets(agent, DeskFilters.parse({ state: 'WAITING_INFO' }))
    expect(waiting.tickets).toHaveLength(2)
    expect(waiting.tickets.every((t) => t.slaPausedAt !== null)).toBe(true)
  })

  it('judges the letters with the real rules', async () => {
    const t = await prisma.ticket.findFirstOrThrow({ where: { subject: 'Не загружается форма сбора результатов ВПР' } })
    expect((t.verdict as { missing: string[] }).missing).toEqual(['screenshot'])
    expect(t.intakeVerdict).toEqual(t.verdict)
  })

  it('shows the school its own tickets and the МОУО its schools\' too', async () => {
    const school = await listRequesterTickets(await actorFor('edu290001'))
    expect(school.total).toBe(3)
    const municipality = await listRequesterTickets(await actorFor('reg29_m001'))
    expect(municipality.total).toBe(5)
    const otherRegion = await listRequesterTickets(await actorFor('edu220001'))
    expect(otherRegion.total).toBe(0)
  })

  it('does nothing the second time', async () => {
    expect(await seedHelpdeskDemo(prisma)).toBe(0)
    expect(await prisma.cannedReply.count()).toBe(3)
  })
})

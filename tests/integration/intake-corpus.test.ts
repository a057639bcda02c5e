// Every letter of the fixture corpus through the real pipeline on the test
// database: storeInbound → processInbound. The right action (a ticket, a
// bounce note, ignored automatic mail, quarantine), the right state and
// verdict, the right automatic reply in the file outbox, and the desk's view
// stays safe (sanitised HTML).
import { readdirSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { DATA_DIR, MAIL_DIR, fixture, readOutbox, seedCorpusOrgs, toAddress } from './intake-helpers.ts'
import { EXPECTATIONS } from '../fixtures/mail/expectations.ts'
import { INTAKE_RULES } from '~/helpdesk/rules'
import { processInbound, storeInbound, type IntakeOutcome } from '~/helpdesk/intake.server'
import { prisma } from '~/utils/db.server'

const FILES = readdirSync(MAIL_DIR).filter((f) => f.endsWith('.eml')).sort()
const outcomes = new Map<string, IntakeOutcome>()

beforeAll(async () => {
  expect(DATA_DIR).toBeTruthy()
  await seedCorpusOrgs()
  for (const file of FILES) {
    const { id, duplicate } = await storeInbound(fixture(file), { channel: 'pipe' })
    expect(duplicate).toBe(false)
    outcomes.set(file, await processInbound(id))
  }
}, 120_000)

describe.each(FILES)('%s', (file) => {
  const expected = EXPECTATIONS[file]

  it('becomes the right ticket, note or quarantine', async () => {
    const outcome = outcomes.get(file)!
    const row = await prisma.inboundMail.findUniqueOrThrow({ where: { id: outcome.inboundId! } })
    if (expected.unparseable) {
      expect(outcome.action).toBe('quarantined')
      expect(row.status).toBe('quarantined')
      expect(row.error).toContain('не удалось разобрать')
      return
    }
    if (expected.automatic) {
      // The corpus's automatic mail concerns tickets of another system (#1042): nothing to attach to.
      expect(outcome).toMatchObject({ action: 'ignored', ticket: null, automatic: true, automaticKind: expected.automatic })
      expect(row.status).toBe('ignored')
      return
    }
    expect(outcome.action).toBe('created')
    expect(row.status).toBe('processed')
    const ticket = await prisma.ticket.findUniqueOrThrow({ where: { id: outcome.ticket! }, include: { messages: { include: { attachments: true } } } })
    expect(ticket.id).toBeGreaterThanOrEqual(10001)
    expect(row.ticketId).toBe(ticket.id)
    const inbound = ticket.messages.find((m) => m.kind === 'INBOUND')!
    expect(inbound.inboundMailId).toBe(row.id)
    expect(inbound.attachments.map((a) => a.filename)).toEqual((expected.attachments ?? inbound.attachments).map((a) => a.filename))
    for (const s of expected.shownContains ?? []) expect(inbound.shownText).toContain(s)
    for (const s of expected.shownExcludes ?? []) expect(inbound.shownText).not.toContain(s)
    expect(outcome.text).toBe(inbound.shownText)
    if (inbound.safeHtml) {
      expect(inbound.safeHtml).not.toMatch(/<script|<style|onerror|onclick|javascript:/i)
      expect(inbound.safeHtml).not.toMatch(/src="https?:/i)
    }
    if (expected.missing) {
      const state = expected.missing.length ? 'WAITING_INFO' : 'NEW'
      expect(outcome.state).toBe(state)
      expect(ticket.state).toBe(state)
      expect(ticket.slaPausedAt !== null).toBe(state === 'WAITING_INFO')
      expect(outcome.verdict.map((v) => v.rule)).toEqual([...INTAKE_RULES])
      for (const v of outcome.verdict) expect(v.met, `${v.rule}: ${v.evidence}`).toBe(!expected.missing.includes(v.rule))
      expect((ticket.verdict as { missing: string[] }).missing).toEqual(INTAKE_RULES.filter((r) => expected.missing!.includes(r)))
    }
    if (expected.from === null) {
      expect(ticket.requesterEmail).toBeNull()
      expect(outcome.reply).toMatchObject({ kind: null })
      expect(ticket.messages.some((m) => m.kind === 'OUTBOUND')).toBe(false)
      expect(ticket.messages.find((m) => m.kind === 'SYSTEM')?.shownText).toContain('нет адреса отправителя')
    } else if (expected.missing) {
      expect(outcome.reply).toMatchObject({ kind: expected.missing.length ? 'missing-information' : 'acknowledgement', to: outcome.from })
    }
  })
})

describe('the replies', () => {
  it('sends one automatic reply per ticket, threaded to the letter and marked as automatic', async () => {
    const mails = await readOutbox()
    const created = [...outcomes.values()].filter((o) => o.action === 'created' && o.reply?.kind)
    expect(mails).toHaveLength(created.length)
    for (const o of created) {
      const ticket = await prisma.ticket.findUniqueOrThrow({ where: { id: o.ticket! }, include: { messages: { orderBy: { id: 'asc' } } } })
      const outbound = ticket.messages.filter((m) => m.kind === 'OUTBOUND')
      expect(outbound).toHaveLength(1)
      expect(outbound[0].sentAt).not.toBeNull()
      const mail = mails.find((m) => m.parsed.messageId === outbound[0].messageId)!
      expect(mail, `reply of ticket ${ticket.id}`).toBeTruthy()
      expect(toAddress(mail.parsed)).toBe(o.from)
      expect(mail.parsed.subject).toContain(`[#${ticket.id}]`)
      expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-replied')
      const inbound = ticket.messages.find((m) => m.kind === 'INBOUND')!
      if (inbound.messageId) expect(mail.parsed.inReplyTo).toBe(inbound.messageId)
      expect(mail.parsed.text).toMatch(new RegExp(`Номер обращения: #${ticket.id} \\(ref: ${ticket.id}-[0-9a-f]{20}\\)`))
      if (o.reply?.kind === 'missing-information') {
        for (const v of o.verdict.filter((r) => !r.met)) expect(mail.parsed.text).toContain(v.evidence)
        expect(mail.parsed.text).toContain('Что сделать:')
      } else {
        expect(mail.parsed.text).toContain('зарегистрировано под номером')
      }
    }
  })
})

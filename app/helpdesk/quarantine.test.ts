// The administrators' quarantine: who may see it, the reason and the raw
// letter as it came, and «Повторить обработку» filing the letter as a ticket.
import { beforeAll, describe, expect, it } from 'vitest'
import { letter, seedCorpusOrgs } from '../../tests/integration/intake-helpers.ts'
import { createUser } from '../../tests/setup/fixtures.ts'
import { processInbound, storeInbound } from '~/helpdesk/intake.server'
import { listQuarantined, quarantinedRaw, replayLetter } from '~/helpdesk/quarantine.server'
import { prisma } from '~/utils/db.server'

let admin: Awaited<ReturnType<typeof createUser>>
let agent: Awaited<ReturnType<typeof createUser>>

beforeAll(async () => {
  await seedCorpusOrgs()
  const fed = await prisma.organization.create({ data: { kind: 'FEDERAL', login: 'fioko', name: 'ФИОКО' } })
  admin = await createUser({ orgId: fed.id, role: 'ADMIN', login: 'admin-q' })
  agent = await createUser({ orgId: fed.id, role: 'SUPPORT_AGENT', login: 'agent-q' })
})

const raw = letter(
  { From: 'Школа <poison@arh.example>', To: 'support@oko.example', Subject: 'Архив критериев', 'Message-ID': '<poison-q@school.example>', Date: new Date().toUTCString() },
  'Здравствуйте! Подскажите, где в разделе «Обмен данными» найти архив с критериями оценивания ВПР по истории для 6 класса: ' +
    'на публикации его пока нет, а проверка начинается завтра утром.\n\nЛогин: edu290001\nОрганизация: МБОУ «Средняя школа № 1» г. Архангельск',
)

describe('the quarantine page', () => {
  it('lists a quarantined letter with its reason, gives its raw bytes, and files it on replay', async () => {
    const { id } = await storeInbound(raw, { channel: 'smtp', envelopeFrom: 'poison@arh.example' })
    // Five interrupted attempts already: processing puts it aside.
    await prisma.inboundMail.update({ where: { id }, data: { attempts: 5 } })
    expect((await processInbound(id)).action).toBe('quarantined')

    await expect(listQuarantined(agent as never)).rejects.toMatchObject({ status: 403 })
    await expect(quarantinedRaw(agent as never, id)).rejects.toMatchObject({ status: 403 })
    await expect(replayLetter(agent as never, id)).rejects.toMatchObject({ status: 403 })

    const list = await listQuarantined(admin as never)
    expect(list.total).toBe(1)
    expect(list.letters[0]).toMatchObject({ id, envelopeFrom: 'poison@arh.example', channel: 'smtp' })
    expect(list.letters[0].error).toContain('прерывалась 5 раз')
    expect(Buffer.compare(await quarantinedRaw(admin as never, id), raw)).toBe(0)

    const replayed = await replayLetter(admin as never, id)
    expect(replayed.status).toBe('success')
    if (replayed.status !== 'success') return
    expect(replayed.outcome.action).toBe('created')
    const ticket = await prisma.ticket.findUniqueOrThrow({ where: { id: replayed.outcome.ticket! } })
    expect(ticket.requesterEmail).toBe('poison@arh.example')

    // Gone from the quarantine: no second replay, no raw download from here.
    expect((await listQuarantined(admin as never)).total).toBe(0)
    expect(await replayLetter(admin as never, id)).toMatchObject({ status: 'error', message: expect.stringContaining('не в карантине') })
    await expect(quarantinedRaw(admin as never, id)).rejects.toMatchObject({ status: 404 })
  })
})

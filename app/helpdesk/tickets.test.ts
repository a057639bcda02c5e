// The desk's operations on a real database: scope, assignment, states with
// their SLA clocks, priority, merge, bulk actions, the collision check on
// replies, round-robin, canned replies, notes and the answer bank.
import { beforeAll, describe, expect, it } from 'vitest'
import { stopSearchDrain } from '~/search/outbox.server'
import { prisma } from '~/utils/db.server'
import { actorFor, auditRows, createRegionTree, createUser, thrownResponse, type Actor } from '../../tests/setup/fixtures'
import { addMessage, createTicket, messagesOf, verdictMissing } from '../../tests/setup/tickets'
import { createCanned, listCanned, placeholderValues, renderCanned } from './canned.server'
import { DeskFilters } from './desk-query'
import { requireAttachmentAccess, requireTicketAccess } from './desk-scope.server'
import { getRequesterTicket, listRequesterTickets } from './my-tickets.server'
import {
  addNote,
  answerDraftFromTicket,
  assignTicket,
  bulkUpdate,
  distributeNewTickets,
  getDeskTicket,
  listDeskTickets,
  mergeTickets,
  replyToTicket,
  saveAnswerFromTicket,
  setRoundRobin,
  setTicketPriority,
  setTicketState,
  takeTicket,
} from './tickets.server'

const HOUR = 60 * 60_000

/** Saving an answer starts a search drain on a connection of its own: let it finish before the next test. */
async function settleSearchDrain() {
  await new Promise((resolve) => setTimeout(resolve, 50))
  await stopSearchDrain()
}

let agent: Actor
let agent2: Actor
let admin: Actor
let fioko: Actor
let teacher: Actor
let schoolA: Actor
let schoolB: Actor
let municipality: Actor
let region: Actor
let otherRegion: Actor
let orgA: number
let orgB: number
let orgOtherMun: number
let orgOtherRegion: number

beforeAll(async () => {
  const tree = await createRegionTree({ municipalities: 2, schoolsPer: 2, colleges: 0 })
  const other = await createRegionTree({ municipalities: 1, schoolsPer: 1, colleges: 0 })
  const fed = await prisma.organization.create({ data: { kind: 'FEDERAL', login: 'fioko', name: 'ФГБУ «ФИОКО»' } })
  const [a, b] = tree.municipalities[0].schools
  orgA = a.id
  orgB = b.id
  orgOtherMun = tree.municipalities[1].schools[0].id
  orgOtherRegion = other.municipalities[0].schools[0].id
  const make = async (orgId: number, role?: Parameters<typeof createUser>[0]['role'], login?: string) => actorFor((await createUser({ orgId, role, login })).login)
  agent = await make(fed.id, 'SUPPORT_AGENT', 'agent1')
  agent2 = await make(fed.id, 'SUPPORT_AGENT', 'agent2')
  admin = await make(fed.id, 'ADMIN', 'admin1')
  fioko = await make(fed.id, 'FIOKO_SPECIALIST', 'fioko1')
  schoolA = await make(a.id)
  schoolB = await make(b.id)
  teacher = await make(a.id, 'TEACHER_EXPERT', `${a.login}_t01`)
  municipality = await make(tree.municipalities[0].municipality.id)
  region = await make(tree.region.id)
  otherRegion = await make(other.region.id)
})

const filters = (f: Record<string, unknown> = {}) => DeskFilters.parse(f)

describe('who sees which ticket', () => {
  it('a school coordinator reads its own tickets but gets 403 for another school, and it is audited', async () => {
    const own = await createTicket({ organizationId: orgA })
    const foreign = await createTicket({ organizationId: orgB })
    await expect(requireTicketAccess(schoolA, own.id)).resolves.toMatchObject({ id: own.id })
    const denied = await thrownResponse(() => requireTicketAccess(schoolA, foreign.id, { ip: '203.0.113.9' }))
    expect(denied.status).toBe(403)
    const audits = await auditRows('access.denied')
    expect(audits.at(-1)).toMatchObject({ actorLogin: schoolA.login, targetOrgId: orgB, ip: '203.0.113.9', details: { what: 'ticket', ticketId: foreign.id } })
    expect((await thrownResponse(() => requireTicketAccess(schoolA, 987654))).status).toBe(404)
  })

  it('a МОУО sees its schools, a region everything in it, another region nothing; agents and ФИОКО everything', async () => {
    const inMun = await createTicket({ organizationId: orgB })
    const otherMun = await createTicket({ organizationId: orgOtherMun })
    const otherReg = await createTicket({ organizationId: orgOtherRegion })
    await expect(requireTicketAccess(municipality, inMun.id)).resolves.toBeTruthy()
    expect((await thrownResponse(() => requireTicketAccess(municipality, otherMun.id))).status).toBe(403)
    await expect(requireTicketAccess(region, otherMun.id)).resolves.toBeTruthy()
    expect((await thrownResponse(() => requireTicketAccess(region, otherReg.id))).status).toBe(403)
    expect((await thrownResponse(() => requireTicketAccess(otherRegion, inMun.id))).status).toBe(403)
    for (const staff of [agent, admin, fioko]) await expect(requireTicketAccess(staff, otherReg.id)).resolves.toBeTruthy()
    expect((await thrownResponse(() => requireTicketAccess(teacher, inMun.id))).status).toBe(403)
  })

  it('a requester sees the tickets they filed even without an organisation, and only letters, not notes or history', async () => {
    const t = await createTicket({ organizationId: null, requesterId: schoolB.id, channel: 'web' })
    await addNote(agent, t.id, 'Внутренняя заметка: проверить загрузку')
    await takeTicket(agent, t.id)
    await addMessage(t.id, 'OUTBOUND', 'Здравствуйте! Загрузите файл ещё раз.', { authorId: agent.id })
    const view = await getRequesterTicket(schoolB, t.id)
    expect(view.messages.map((m) => m.kind)).toEqual(['INBOUND', 'OUTBOUND'])
    expect(view.messages[1].who).toBe('Техподдержка')
    expect(JSON.stringify(view)).not.toContain('Внутренняя заметка')
    const list = await listRequesterTickets(schoolB)
    expect(list.tickets.map((x) => x.id)).toContain(t.id)
    expect((await listRequesterTickets(schoolA)).tickets.map((x) => x.id)).not.toContain(t.id)
  })

  it('a requester cannot download the attachment of an internal note; an agent can', async () => {
    const t = await createTicket({ organizationId: orgA })
    const note = await addMessage(t.id, 'NOTE', 'скриншот из админки', { authorId: agent.id })
    const letter = (await messagesOf(t.id))[0]
    const content = Buffer.from('PNG')
    const noteFile = await prisma.ticketAttachment.create({ data: { messageId: note.id, filename: 'admin.png', contentType: 'image/png', size: 3, sha256: 'x', content } })
    const letterFile = await prisma.ticketAttachment.create({ data: { messageId: letter.id, filename: 'screen.png', contentType: 'image/png', size: 3, sha256: 'y', content } })
    expect((await thrownResponse(() => requireAttachmentAccess(schoolA, noteFile.id))).status).toBe(404)
    await expect(requireAttachmentAccess(schoolA, letterFile.id)).resolves.toMatchObject({ filename: 'screen.png' })
    await expect(requireAttachmentAccess(agent, noteFile.id)).resolves.toMatchObject({ filename: 'admin.png' })
    expect((await thrownResponse(() => requireAttachmentAccess(schoolB, letterFile.id))).status).toBe(403)
  })

  it('the desk is for staff only; ФИОКО reads it and writes notes but does not work tickets', async () => {
    const t = await createTicket({ organizationId: orgA })
    expect((await thrownResponse(() => listDeskTickets(schoolA, filters()))).status).toBe(403)
    expect((await thrownResponse(() => getDeskTicket(schoolA, t.id))).status).toBe(403)
    await expect(getDeskTicket(fioko, t.id)).resolves.toMatchObject({ canWork: false })
    await addNote(fioko, t.id, 'Методически ответ верный.')
    expect((await thrownResponse(() => takeTicket(fioko, t.id))).status).toBe(403)
    expect((await thrownResponse(() => replyToTicket(fioko, t.id, { text: 'x', lastSeenMessageId: 0 }))).status).toBe(403)
  })
})

describe('assignment', () => {
  it('«взять себе» assigns the agent, puts a new ticket to work and writes the history', async () => {
    const t = await createTicket()
    await takeTicket(agent, t.id)
    const after = await prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })
    expect(after).toMatchObject({ assigneeId: agent.id, state: 'OPEN' })
    const system = (await messagesOf(t.id)).filter((m) => m.kind === 'SYSTEM')
    expect(system.at(-1)?.text).toMatch(/agent1.*взял\(а\) обращение в работу/)
  })

  it('assigns to another agent, refuses a non-agent, and unassigns', async () => {
    const t = await createTicket()
    await assignTicket(agent, t.id, agent2.id)
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })).assigneeId).toBe(agent2.id)
    const refused = await thrownResponse(() => assignTicket(agent, t.id, schoolA.id))
    expect(refused.status).toBe(400)
    await assignTicket(agent, t.id, null)
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })).assigneeId).toBeNull()
  })

  it('round-robin gives new tickets of the queue to the support agents in turn', async () => {
    await prisma.ticket.updateMany({ where: { study: 'ИКУ' }, data: { study: null } })
    const tickets = [await createTicket({ study: 'ИКУ' }), await createTicket({ study: 'ИКУ' }), await createTicket({ study: 'ИКУ' })]
    const untouched = await createTicket({ study: 'НИКО' })
    await setRoundRobin(agent, 'ИКУ', true)
    const assignees = (await prisma.ticket.findMany({ where: { id: { in: tickets.map((t) => t.id) } }, orderBy: { id: 'asc' } })).map((t) => t.assigneeId)
    const agents = (await prisma.user.findMany({ where: { role: 'SUPPORT_AGENT' }, orderBy: { id: 'asc' } })).map((u) => u.id)
    expect(assignees).toEqual([agents[0], agents[1 % agents.length], agents[2 % agents.length]])
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: untouched.id } })).assigneeId).toBeNull()
    expect(await distributeNewTickets()).toBe(0)
    await setRoundRobin(agent, 'ИКУ', false)
  })
})

describe('states and the SLA clock', () => {
  it('waiting for the requester pauses the clock; resuming moves the deadlines by the pause', async () => {
    const t = await createTicket({ state: 'OPEN' })
    await setTicketState(agent, t.id, 'WAITING_REQUESTER')
    const paused = await prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })
    expect(paused.slaPausedAt).not.toBeNull()
    // Two hours pass while the requester is silent.
    await prisma.ticket.update({ where: { id: t.id }, data: { slaPausedAt: new Date(Date.now() - 2 * HOUR) } })
    await setTicketState(agent, t.id, 'OPEN')
    const resumed = await prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })
    expect(resumed.slaPausedAt).toBeNull()
    const shift = resumed.resolutionDueAt!.getTime() - paused.resolutionDueAt!.getTime()
    expect(shift).toBeGreaterThan(2 * HOUR - 5_000)
    expect(shift).toBeLessThan(2 * HOUR + 5_000)
  })

  it('resolving and closing record the times; reopening clears them; a transition not in the table is refused', async () => {
    const t = await createTicket({ state: 'OPEN' })
    await setTicketState(agent, t.id, 'RESOLVED')
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })).resolvedAt).not.toBeNull()
    await setTicketState(agent, t.id, 'CLOSED')
    const closed = await prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })
    expect(closed.closedAt).not.toBeNull()
    const refused = await thrownResponse(() => setTicketState(agent, t.id, 'RESOLVED'))
    expect(refused.status).toBe(400)
    expect(await refused.text()).toContain('«Закрыт» в «Решён»')
    await setTicketState(agent, t.id, 'OPEN')
    expect(await prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({ state: 'OPEN', resolvedAt: null, closedAt: null })
  })

  it('a higher priority brings the deadlines forward by the difference of the targets', async () => {
    const t = await createTicket({ priority: 'NORMAL' })
    await setTicketPriority(agent, t.id, 'URGENT')
    const after = await prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })
    // NORMAL: 8 h / 3 days; URGENT: 1 h / 8 h.
    expect(after.firstResponseDueAt!.getTime() - t.firstResponseDueAt!.getTime()).toBe(-7 * HOUR)
    expect(after.resolutionDueAt!.getTime() - t.resolutionDueAt!.getTime()).toBe(-64 * HOUR)
  })

  it('the queue filters overdue tickets and counts them per queue', async () => {
    const late = await createTicket({ study: 'МУМ', createdAt: new Date(Date.now() - 10 * HOUR) })
    await createTicket({ study: 'МУМ' })
    const page = await listDeskTickets(agent, filters({ queue: 'МУМ', overdue: '1' }))
    expect(page.tickets.map((t) => t.id)).toEqual([late.id])
    expect(page.tickets[0].sla.firstResponse).toBe('overdue')
    expect(page.queueOverdue['МУМ']).toBe(1)
    expect(page.queueCounts['МУМ']).toBe(2)
  })
})

describe('the queue', () => {
  it('filters by assignee, tag, organisation and text in messages, and counts states', async () => {
    const tag = 'загрузка-тест'
    const mine = await createTicket({ study: '500+', organizationId: orgA, tags: [tag], assigneeId: agent.id, state: 'OPEN' })
    const nobody = await createTicket({ study: '500+', organizationId: orgB, text: 'Отчёт «Выполнение заданий» пустой, уникальноеслово' })
    const waiting = await createTicket({ study: '500+', state: 'WAITING_INFO' })
    const ids = async (f: Record<string, unknown>) => (await listDeskTickets(agent, filters({ queue: '500+', ...f }))).tickets.map((t) => t.id).sort()
    expect(await ids({ assignee: 'me' })).toEqual([mine.id])
    expect(await ids({ assignee: 'nobody' })).toEqual([nobody.id, waiting.id].sort())
    expect(await ids({ tag })).toEqual([mine.id])
    const orgLogin = (await prisma.organization.findUniqueOrThrow({ where: { id: orgA } })).login
    expect(await ids({ org: orgLogin })).toEqual([mine.id])
    expect(await ids({ q: 'УникальноеСлово' })).toEqual([nobody.id])
    expect(await ids({ q: `#${waiting.id}` })).toEqual([waiting.id])
    expect(await ids({ state: 'WAITING_INFO' })).toEqual([waiting.id])
    const page = await listDeskTickets(agent, filters({ queue: '500+', state: 'WAITING_INFO' }))
    expect(page.stateCounts).toMatchObject({ NEW: 1, OPEN: 1, WAITING_INFO: 1 })
  })
})

describe('merge', () => {
  it('moves the messages, points the duplicate to the main ticket, closes it and audits', async () => {
    const main = await createTicket({ organizationId: orgA, tags: ['отчёты'] })
    const dup = await createTicket({ organizationId: orgA, tags: ['дубль'], requesterEmail: 'zam@school.ru' })
    await addMessage(dup.id, 'INBOUND', 'Повторяю вопрос', { fromAddress: 'zam@school.ru' })
    await mergeTickets(agent, dup.id, main.id, { ip: '198.51.100.1' })
    const [m, d] = await Promise.all([
      prisma.ticket.findUniqueOrThrow({ where: { id: main.id }, include: { participants: true } }),
      prisma.ticket.findUniqueOrThrow({ where: { id: dup.id } }),
    ])
    expect(d).toMatchObject({ mergedIntoId: main.id, state: 'CLOSED' })
    expect(m.tags.sort()).toEqual(['дубль', 'отчёты'])
    expect(m.participants.map((p) => p.email)).toContain('zam@school.ru')
    const moved = await messagesOf(main.id)
    expect(moved.filter((x) => x.kind === 'INBOUND').map((x) => x.shownText)).toContain('Повторяю вопрос')
    expect((await messagesOf(dup.id)).map((x) => x.kind)).toEqual(['SYSTEM'])
    expect((await auditRows('ticket.merged')).at(-1)).toMatchObject({ actorLogin: 'agent1', details: { source: dup.id, target: main.id, movedMessages: 2 } })
  })

  it('refuses merging a ticket into itself, a merged ticket again, or into a merged ticket', async () => {
    const a = await createTicket()
    const b = await createTicket()
    const c = await createTicket()
    expect((await thrownResponse(() => mergeTickets(agent, a.id, a.id))).status).toBe(400)
    await mergeTickets(agent, a.id, b.id)
    expect((await thrownResponse(() => mergeTickets(agent, a.id, c.id))).status).toBe(409)
    expect((await thrownResponse(() => mergeTickets(agent, c.id, a.id))).status).toBe(409)
    expect((await thrownResponse(() => takeTicket(agent, a.id))).status).toBe(409)
  })
})

describe('bulk actions', () => {
  it('assigns, tags and closes the selected tickets, reporting those it cannot change', async () => {
    const [x, y, z] = [await createTicket(), await createTicket(), await createTicket({ state: 'CLOSED' })]
    const assigned = await bulkUpdate(agent, [x.id, y.id], { kind: 'assign', assigneeId: agent2.id })
    expect(assigned.changed.sort()).toEqual([x.id, y.id].sort())
    await bulkUpdate(agent, [x.id, y.id], { kind: 'tag', tag: 'массово' })
    const closed = await bulkUpdate(agent, [x.id, y.id, z.id, 999999], { kind: 'close' })
    expect(closed.changed.sort()).toEqual([x.id, y.id].sort())
    expect(closed.unchanged).toEqual([z.id])
    expect(closed.skipped).toEqual([{ id: 999999, reason: 'Обращение не найдено.' }])
    const rows = await prisma.ticket.findMany({ where: { id: { in: [x.id, y.id] } } })
    expect(rows.every((r) => r.state === 'CLOSED' && r.assigneeId === agent2.id && r.tags.includes('массово'))).toBe(true)
    const state = await bulkUpdate(agent, [x.id], { kind: 'state', state: 'WAITING_INFO' })
    expect(state.skipped[0].reason).toContain('Нельзя перевести')
    expect((await thrownResponse(() => bulkUpdate(schoolA, [x.id], { kind: 'close' }))).status).toBe(403)
  })
})

describe('replying and the collision check', () => {
  it('sends the reply, records the first response, assigns the replier and waits for the requester', async () => {
    const t = await createTicket({ requesterEmail: 'school@example.ru' })
    const seen = (await messagesOf(t.id)).at(-1)!.id
    const result = await replyToTicket(agent, t.id, { text: 'Загрузите форму в формате xlsx.', lastSeenMessageId: seen })
    expect(result.status).toBe('sent')
    const after = await prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })
    expect(after).toMatchObject({ state: 'WAITING_REQUESTER', assigneeId: agent.id })
    expect(after.firstResponseAt).not.toBeNull()
    expect(after.slaPausedAt).not.toBeNull()
    const outbound = (await messagesOf(t.id)).filter((m) => m.kind === 'OUTBOUND')
    expect(outbound).toHaveLength(1)
    expect(outbound[0]).toMatchObject({ authorId: agent.id, toAddress: 'school@example.ru', automatic: false })
    expect(outbound[0].text).toContain('Загрузите форму в формате xlsx.')
  })

  it('refuses a reply written before a new letter arrived, shows the letter, and sends once confirmed', async () => {
    const t = await createTicket()
    const seen = (await messagesOf(t.id)).at(-1)!.id
    const letter = await addMessage(t.id, 'INBOUND', 'Уже не нужно, разобрались сами.', { fromAddress: 'school@example.ru' })
    const refused = await replyToTicket(agent, t.id, { text: 'Попробуйте ещё раз.', lastSeenMessageId: seen })
    expect(refused).toMatchObject({ status: 'collision', lastMessageId: letter.id, messages: [{ id: letter.id, kind: 'INBOUND', shownText: 'Уже не нужно, разобрались сами.' }] })
    expect((await messagesOf(t.id)).some((m) => m.kind === 'OUTBOUND')).toBe(false)
    const confirmed = await replyToTicket(agent, t.id, { text: 'Хорошо, закрываем.', lastSeenMessageId: seen, confirm: true, state: 'RESOLVED' })
    expect(confirmed.status).toBe('sent')
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: t.id } })).state).toBe('RESOLVED')
  })

  it('a colleague\'s reply or note also counts; the agent\'s own note and system events do not', async () => {
    const t = await createTicket()
    const seen = (await messagesOf(t.id)).at(-1)!.id
    await addNote(agent, t.id, 'моя заметка')
    await takeTicket(agent2, t.id)
    expect((await replyToTicket(agent, t.id, { text: 'Ответ', lastSeenMessageId: seen, state: 'OPEN' })).status).toBe('sent')
    const seen2 = (await messagesOf(t.id)).at(-1)!.id
    await addNote(agent2, t.id, 'Я уже ответил по почте')
    const refused = await replyToTicket(agent, t.id, { text: 'Второй ответ', lastSeenMessageId: seen2 })
    expect(refused).toMatchObject({ status: 'collision', messages: [{ kind: 'NOTE', shownText: 'Я уже ответил по почте' }] })
  })
})

describe('canned replies', () => {
  it('fills the placeholders from the ticket, leaves unknown ones visible, and falls back politely', async () => {
    const body = 'Здравствуйте, {{requester}}! По обращению {{ ticket }} ({{login}}, {{org}}): … {{agent}} {{unknown}}'
    const values = placeholderValues(
      { id: 42, requesterName: null, requesterEmail: 'a@b.ru', requester: { fullName: 'Координатор: Школа № 1' }, organization: { login: 'edu290001', name: 'Школа № 1' } },
      { fullName: 'Орлов Дмитрий Сергеевич' },
    )
    expect(renderCanned(body, values)).toBe('Здравствуйте, Координатор: Школа № 1! По обращению №42 (edu290001, Школа № 1): … Орлов Дмитрий Сергеевич {{unknown}}')
    const anonymous = placeholderValues({ id: 7, requesterName: null, requesterEmail: null, organization: null }, { fullName: 'А' })
    expect(renderCanned('Здравствуйте, {{requester}}! Логин: {{login}}', anonymous)).toBe('Здравствуйте, коллеги! Логин: логин вашей организации')
  })

  it('agents manage them; the desk offers the study\'s own first, rendered for the ticket', async () => {
    await createCanned(agent, { title: 'Общий ответ', body: 'Здравствуйте, {{requester}}!' })
    await createCanned(agent, { title: 'Форма ВПР', body: 'Логин {{login}}: загрузите форму ещё раз.', study: 'ВПР' })
    expect((await thrownResponse(() => createCanned(schoolA, { title: 'x', body: 'y' }))).status).toBe(403)
    expect((await listCanned('ВПР')).map((c) => c.title)).toEqual(['Форма ВПР', 'Общий ответ'])
    expect((await listCanned('НИКО')).map((c) => c.title)).toEqual(['Общий ответ'])
    const t = await createTicket({ study: 'ВПР', organizationId: orgA, requesterName: 'Анна' })
    const page = await getDeskTicket(agent, t.id)
    const login = (await prisma.organization.findUniqueOrThrow({ where: { id: orgA } })).login
    expect(page.canned.map((c) => c.text)).toEqual([`Логин ${login}: загрузите форму ещё раз.`, 'Здравствуйте, Анна!'])
  })
})

describe('the answer bank', () => {
  it('turns a resolved ticket into a cleaned draft, saves it with the search outbox, and updates it on a second save', async () => {
    const orgName = (await prisma.organization.findUniqueOrThrow({ where: { id: orgA } })).name
    const t = await createTicket({
      organizationId: orgA,
      text: `Здравствуйте!\nНе открывается отчёт «Статистика по отметкам» для edu290001 (${orgName}), пишет «Нет данных».\nС уважением,\nСидорова Анна Павловна\n+7 912 345-67-89`,
    })
    await addMessage(t.id, 'OUTBOUND', 'Здравствуйте, Анна Павловна!\nОтчёт строится после загрузки формы. Закажите его ещё раз через час.\nС уважением, техподдержка', { authorId: agent.id })
    expect((await thrownResponse(() => answerDraftFromTicket(agent, t.id))).status).toBe(409)
    await setTicketState(agent, t.id, 'RESOLVED')
    const draft = await answerDraftFromTicket(agent, t.id)
    expect(draft.question.text).toBe('Не открывается отчёт «Статистика по отметкам» для [логин скрыт] ([организация скрыта]), пишет «Нет данных».')
    expect(draft.answer.text).toBe('Отчёт строится после загрузки формы. Закажите его ещё раз через час.')
    expect(draft.question.removed).toMatchObject({ login: 1, org: 1, signature: 1 })

    const outboxBefore = await prisma.searchOutbox.count()
    const saved = await saveAnswerFromTicket(agent, t.id, {
      question: `${draft.question.text} Пишите на anna@school.ru`,
      answer: draft.answer.text,
      study: 'ВПР',
      subject: 'Техническая поддержка',
      visibility: 'public',
      status: 'draft',
    })
    expect(saved.status).toBe('saved')
    const row = await prisma.readyAnswer.findUniqueOrThrow({ where: { source_externalId: { source: 'ticket', externalId: String(t.id) } } })
    expect(row).toMatchObject({ status: 'draft', visibility: 'public', study: 'ВПР' })
    expect(row.question).toContain('[e-mail скрыт]')
    expect(row.question).not.toContain('anna@school.ru')
    expect(await prisma.searchOutbox.count()).toBe(outboxBefore + 1)
    expect((await auditRows('ticket.answer_saved')).at(-1)).toMatchObject({ actorLogin: 'agent1', details: { ticket: t.id, answer: row.id, status: 'draft' } })

    await saveAnswerFromTicket(agent, t.id, { question: row.question, answer: row.answer, study: 'ВПР', subject: 'Техническая поддержка', visibility: 'agents', status: 'published' })
    const again = await prisma.readyAnswer.findMany({ where: { source: 'ticket', externalId: String(t.id) } })
    expect(again).toHaveLength(1)
    expect(again[0]).toMatchObject({ id: row.id, status: 'published', visibility: 'agents' })
    expect((await thrownResponse(() => saveAnswerFromTicket(fioko, t.id, { question: 'q', answer: 'a', study: 'ВПР', subject: 'x', visibility: 'public', status: 'draft' }))).status).toBe(403)
    await settleSearchDrain()
  })

  it('reports what the bank\'s schema refuses', async () => {
    const t = await createTicket({ state: 'RESOLVED' })
    const result = await saveAnswerFromTicket(agent, t.id, { question: ' ', answer: 'a', study: 'XYZ', subject: 'x', visibility: 'public', status: 'draft' })
    expect(result.status).toBe('invalid')
  })
})

describe('the requester\'s view of what is missing', () => {
  it('lists the rules a ticket waiting for data still misses, with the hints', async () => {
    const t = await createTicket({ organizationId: orgA, state: 'WAITING_INFO', verdict: verdictMissing(['login', 'screenshot']) })
    const view = await getRequesterTicket(schoolA, t.id)
    expect(view.missing.map((m) => m.title)).toEqual(['Логин организации', 'Снимок экрана'])
  })
})

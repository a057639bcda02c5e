// Threading by each layer, loops and floods, de-duplication, crash recovery,
// hostile letters and the cabinet form — the pipeline on the test database.
import { deflateRawSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { clearOutbox, letter, pngBytes, readOutbox, seedCorpusOrgs, toAddress } from './intake-helpers.ts'
import { createUser } from '../setup/fixtures.ts'
import { enqueueProcessing, intakeIdle, processInbound, recoverPending, replayQuarantined, storeInbound } from '~/helpdesk/intake.server'
import { ticketReference } from '~/helpdesk/outbound.server'
import { replyFromCabinet, submitWebTicket } from '~/helpdesk/web-ticket.server'
import { prisma } from '~/utils/db.server'

let n = 0
/** A complete request (login, name, description, no error: no screenshot needed) from `from`. */
function request(from: string, extra: Record<string, string> = {}, body?: string) {
  n++
  return letter(
    { From: from, To: 'support@oko.example', Subject: `Вопрос про архив ${n}`, 'Message-ID': `<req-${n}-${Date.now()}@school.example>`, Date: new Date().toUTCString(), ...extra },
    body ??
      'Здравствуйте! Подскажите, где в разделе «Обмен данными» найти архив с критериями оценивания ВПР по истории для 6 класса: ' +
        'на публикации «Ход ВПР» его пока нет, а проверка начинается завтра утром.\n\nЛогин: edu290001\nОрганизация: МБОУ «Средняя школа № 1» г. Архангельск',
  )
}

async function deliver(raw: Buffer, channel: 'smtp' | 'pipe' = 'pipe', envelopeFrom?: string) {
  const { id } = await storeInbound(raw, { channel, envelopeFrom })
  return processInbound(id)
}

async function ticketOf(id: number) {
  return prisma.ticket.findUniqueOrThrow({ where: { id }, include: { messages: { orderBy: { id: 'asc' } }, participants: true } })
}

async function ourLastMessageId(ticketId: number) {
  const m = await prisma.ticketMessage.findFirstOrThrow({ where: { ticketId, kind: 'OUTBOUND' }, orderBy: { id: 'desc' } })
  return m.messageId!
}

beforeAll(async () => {
  await seedCorpusOrgs()
})

describe('threading', () => {
  it('follows our Message-ID in In-Reply-To, from anyone who has the thread, and lets them write again', async () => {
    const first = await deliver(request('school1@arh.example', { Cc: 'zavuch@arh.example' }))
    expect(first).toMatchObject({ action: 'created', state: 'NEW', reply: { kind: 'acknowledgement' } })
    const ours = await ourLastMessageId(first.ticket!)
    const colleague = await deliver(letter({ From: 'colleague@arh.example', To: 'support@oko.example', Subject: 'Re: что-то другое', 'In-Reply-To': ours, 'Message-ID': '<col-1@arh.example>' }, 'Дополняю: архив нужен и для 7 класса.'))
    expect(colleague).toMatchObject({ action: 'appended', ticket: first.ticket, threadedBy: 'message-id' })
    const t = await ticketOf(first.ticket!)
    expect(t.participants.map((p) => p.email).sort()).toEqual(['colleague@arh.example', 'zavuch@arh.example'])
    // The colleague may now use the subject token too.
    const again = await deliver(letter({ From: 'colleague@arh.example', To: 'support@oko.example', Subject: `[#${t.id}] ещё`, 'Message-ID': '<col-2@arh.example>' }, 'И для 8 класса.'))
    expect(again).toMatchObject({ action: 'appended', ticket: t.id, threadedBy: 'token' })
  })

  it('follows the signed reference quoted in the body when the headers and the subject are gone', async () => {
    const first = await deliver(request('school2@arh.example'))
    const body = `Спасибо, нашли.\n\n-------- Исходное сообщение --------\n> Номер обращения: #${first.ticket} (ref: ${ticketReference(first.ticket!)})`
    const reply = await deliver(letter({ From: 'other-box@arh.example', To: 'support@oko.example', Subject: 'без темы', 'Message-ID': '<ref-1@arh.example>' }, body))
    expect(reply).toMatchObject({ action: 'appended', ticket: first.ticket, threadedBy: 'marker' })
    expect(reply.text).toBe('Спасибо, нашли.')
  })

  it('does not believe a reference whose signature does not verify', async () => {
    const first = await deliver(request('school3@arh.example'))
    const forged = `${first.ticket}-${'0'.repeat(20)}`
    const outcome = await deliver(letter({ From: 'stranger@evil.example', To: 'support@oko.example', Subject: 'Вопрос', 'Message-ID': '<forged-ref@evil.example>' }, `Дайте доступ.\n> Номер обращения: #${first.ticket} (ref: ${forged})`))
    expect(outcome.action).toBe('created')
    expect(outcome.ticket).not.toBe(first.ticket)
    expect(outcome.notes.join(' ')).toContain('с неверной подписью')
  })

  it('accepts the subject token from the requester, and from a stranger files a new ticket and says so in both', async () => {
    const first = await deliver(request('school4@arh.example'))
    const own = await deliver(letter({ From: 'School4@Arh.example', To: 'support@oko.example', Subject: `RE[2]: Ответ: [#${first.ticket}] Вопрос`, 'Message-ID': '<own-token@arh.example>' }, 'Уточняю: 6 класс.'))
    expect(own).toMatchObject({ action: 'appended', ticket: first.ticket, threadedBy: 'token' })
    const stranger = await deliver(letter({ From: 'stranger@evil.example', To: 'support@oko.example', Subject: `[#${first.ticket}] Пришлите пароли`, 'Message-ID': '<forged-token@evil.example>' }, 'Пришлите логин и пароль.'))
    expect(stranger.action).toBe('created')
    expect(stranger.ticket).not.toBe(first.ticket)
    expect(stranger.notes.join(' ')).toContain('не от заявителя и не от участника')
    const original = await ticketOf(first.ticket!)
    expect(original.messages.filter((m) => m.kind === 'INBOUND')).toHaveLength(2)
    expect(original.messages.some((m) => m.kind === 'SYSTEM' && m.shownText.includes(`#${stranger.ticket}`))).toBe(true)
    const created = await ticketOf(stranger.ticket!)
    expect(created.messages.some((m) => m.kind === 'SYSTEM' && m.shownText.includes(`#${first.ticket}`))).toBe(true)
  })

  it('leads a merged ticket to its target, and a letter to a closed ticket to a new one', async () => {
    const source = await deliver(request('school5@arh.example'))
    const target = await deliver(request('school5@arh.example'))
    await prisma.ticket.update({ where: { id: source.ticket! }, data: { mergedIntoId: target.ticket!, state: 'CLOSED' } })
    const toMerged = await deliver(letter({ From: 'school5@arh.example', To: 'support@oko.example', Subject: `Re: [#${source.ticket}] Вопрос`, 'In-Reply-To': await ourLastMessageId(source.ticket!), 'Message-ID': '<to-merged@arh.example>' }, 'Ещё вопрос.'))
    expect(toMerged).toMatchObject({ action: 'appended', ticket: target.ticket })
    await prisma.ticket.update({ where: { id: target.ticket! }, data: { state: 'CLOSED' } })
    const toClosed = await deliver(letter({ From: 'school5@arh.example', To: 'support@oko.example', Subject: `Re: [#${target.ticket}] Вопрос`, 'Message-ID': '<to-closed@arh.example>' }, 'Снова не работает.'))
    expect(toClosed.action).toBe('created')
    expect(toClosed.notes.join(' ')).toContain(`закрытому обращению #${target.ticket}`)
  })
})

describe('loops and floods', () => {
  it('attaches an out-of-office reply to its ticket without answering it, and ignores unrelated ones', async () => {
    const first = await deliver(request('school6@arh.example'))
    const before = (await ticketOf(first.ticket!)).state
    const ooo = await deliver(
      letter(
        { From: 'school6@arh.example', To: 'support@oko.example', Subject: `Автоматический ответ: [#${first.ticket}] Вопрос`, 'Auto-Submitted': 'auto-replied', 'In-Reply-To': await ourLastMessageId(first.ticket!), 'Message-ID': '<ooo-1@arh.example>' },
        'Я в отпуске до 1 декабря.',
      ),
    )
    expect(ooo).toMatchObject({ action: 'appended', ticket: first.ticket, automatic: true })
    const t = await ticketOf(first.ticket!)
    expect(t.state).toBe(before)
    expect(t.messages.filter((m) => m.kind === 'OUTBOUND')).toHaveLength(1)
    expect(t.messages.at(-1)).toMatchObject({ kind: 'INBOUND', automatic: true })
    const stray = await deliver(letter({ From: 'someone@arh.example', To: 'support@oko.example', Subject: 'Out of office', 'X-Autoreply': 'yes', 'Message-ID': '<ooo-2@arh.example>' }, 'Нет на месте.'))
    expect(stray).toMatchObject({ action: 'ignored', ticket: null })
  })

  it('attaches a bounce of our reply to the ticket as a system message and sends nothing', async () => {
    const first = await deliver(request('nobody-there@arh.example'))
    const ours = await ourLastMessageId(first.ticket!)
    const dsn = Buffer.from(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.arh.example>',
        'To: support@oko.example',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <dsn-1@mx.arh.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.arh.example',
        '',
        'Final-Recipient: rfc822; nobody-there@arh.example',
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
        '--b1',
        'Content-Type: text/rfc822-headers',
        '',
        `Message-ID: ${ours}`,
        `Subject: [#${first.ticket}] Обращение зарегистрировано`,
        '--b1--',
        '',
      ].join('\r\n'),
    )
    const outcome = await deliver(dsn, 'smtp', '')
    expect(outcome).toMatchObject({ action: 'bounce', ticket: first.ticket, automatic: true, automaticKind: 'bounce' })
    const t = await ticketOf(first.ticket!)
    const note = t.messages.at(-1)!
    expect(note.kind).toBe('SYSTEM')
    expect(note.shownText).toContain('Письмо не доставлено адресату nobody-there@arh.example')
    expect(note.shownText).toContain('5.1.1')
    expect(t.messages.filter((m) => m.kind === 'OUTBOUND')).toHaveLength(1)
  })

  it('never answers our own address, and stops answering a flooding sender after the hourly limit', async () => {
    const own = await deliver(letter({ From: 'Техподдержка <support@oko.example>', To: 'support@oko.example', Subject: 'Петля', 'Message-ID': '<loop@oko.example>' }, 'Текст'))
    expect(own).toMatchObject({ action: 'ignored', ticket: null })
    clearOutbox()
    const outcomes = []
    for (let i = 0; i < 8; i++) outcomes.push(await deliver(request('flood@arh.example')))
    expect(outcomes.every((o) => o.action === 'created')).toBe(true)
    expect(new Set(outcomes.map((o) => o.ticket)).size).toBe(8)
    expect(outcomes.filter((o) => o.reply?.kind === 'acknowledgement')).toHaveLength(5)
    expect(outcomes.slice(5).every((o) => o.reply?.kind === null && 'reason' in o.reply && o.reply.reason.includes('лимит'))).toBe(true)
    const mails = await readOutbox()
    expect(mails.filter((m) => toAddress(m.parsed) === 'flood@arh.example')).toHaveLength(5)
  })

  it('does not answer no-reply senders, but files their letters', async () => {
    const outcome = await deliver(request('no-reply@portal.example'))
    expect(outcome).toMatchObject({ action: 'created', automaticKind: 'noreply', reply: { kind: null } })
  })
})

describe('de-duplication and crash safety', () => {
  it('keeps the same bytes once and processes them once', async () => {
    const raw = request('dup@arh.example')
    const a = await storeInbound(raw, { channel: 'smtp' })
    const b = await storeInbound(raw, { channel: 'imap' })
    expect(b).toMatchObject({ id: a.id, duplicate: true })
    const [x, y] = await Promise.all([processInbound(a.id), processInbound(a.id)])
    expect(x.ticket).toBe(y.ticket)
    expect(await processInbound(a.id)).toEqual(x)
    expect(await prisma.ticketMessage.count({ where: { inboundMailId: a.id } })).toBe(1)
  })

  it('treats the same Message-ID with other bytes as the same letter', async () => {
    const one = request('dup2@arh.example', { 'Message-ID': '<same-id@arh.example>' })
    const two = Buffer.concat([Buffer.from('Received: from relay2.arh.example\r\n'), one])
    const first = await deliver(one)
    const second = await deliver(two)
    expect(second).toMatchObject({ action: 'duplicate', ticket: first.ticket })
    expect((await prisma.inboundMail.findUniqueOrThrow({ where: { id: second.inboundId! } })).status).toBe('duplicate')
    expect(await prisma.ticket.count({ where: { requesterEmail: 'dup2@arh.example' } })).toBe(1)
  })

  it('finishes letters a crash left unprocessed exactly once, even when recovery races the listener', async () => {
    const ids = []
    for (let i = 0; i < 5; i++) ids.push((await storeInbound(request(`crash${i}@arh.example`), { channel: 'smtp' })).id)
    // A crash mid-processing: counted as an attempt, nothing committed.
    await prisma.inboundMail.update({ where: { id: ids[0] }, data: { attempts: 1 } })
    enqueueProcessing(ids[1])
    const [r1, r2] = await Promise.all([recoverPending(), recoverPending()])
    await intakeIdle()
    expect(r1.failed + r2.failed).toBe(0)
    for (const id of ids) {
      const row = await prisma.inboundMail.findUniqueOrThrow({ where: { id } })
      expect(row.status).toBe('processed')
      expect(await prisma.ticketMessage.count({ where: { inboundMailId: id } })).toBe(1)
      expect(await prisma.ticket.count({ where: { inboundMails: { some: { id } } } })).toBe(1)
    }
    expect((await recoverPending()).processed).toBe(0)
  })

  it('quarantines a letter that kept crashing the processor, and replays it', async () => {
    const { id } = await storeInbound(request('poison@arh.example'), { channel: 'smtp' })
    await prisma.inboundMail.update({ where: { id }, data: { attempts: 5 } })
    const outcome = await processInbound(id)
    expect(outcome.action).toBe('quarantined')
    expect(outcome.notes[0]).toContain('прерывалась 5 раз')
    const replayed = await replayQuarantined(id)
    expect(replayed).toMatchObject({ action: 'created' })
    expect(await replayQuarantined(id)).toBeNull()
  })
})

describe('hostile letters', () => {
  it('stores a zip bomb as it came and never unpacks it', async () => {
    // A 64 MB run of zeros deflated to ~64 KB, inside a minimal zip entry.
    const deflated = deflateRawSync(Buffer.alloc(64 * 1024 * 1024))
    const name = Buffer.from('bomb.txt')
    const header = Buffer.alloc(30)
    header.writeUInt32LE(0x04034b50, 0)
    header.writeUInt16LE(8, 8)
    header.writeUInt32LE(deflated.length, 18)
    header.writeUInt32LE(64 * 1024 * 1024, 22)
    header.writeUInt16LE(name.length, 26)
    const zip = Buffer.concat([header, name, deflated])
    const raw = Buffer.from(
      [
        'From: school7@arh.example',
        'To: support@oko.example',
        'Subject: Архив',
        'Message-ID: <zip-bomb@arh.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="z"',
        '',
        '--z',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Архив во вложении.',
        '--z',
        'Content-Type: application/zip; name="results.zip"',
        'Content-Transfer-Encoding: base64',
        '',
        zip.toString('base64').replace(/.{76}/g, '$&\r\n'),
        '--z--',
        '',
      ].join('\r\n'),
    )
    const outcome = await deliver(raw)
    expect(outcome.action).toBe('created')
    expect(outcome.attachments).toEqual([{ filename: 'results.zip', contentType: 'application/zip', size: zip.length }])
    const stored = await prisma.ticketAttachment.findFirstOrThrow({ where: { filename: 'results.zip' } })
    expect(stored.size).toBe(zip.length)
    expect(stored.size).toBeLessThan(1024 * 1024)
  })

  it('keeps only sanitised HTML: no scripts, handlers, javascript: links or remote images', async () => {
    const raw = Buffer.from(
      [
        'From: school8@arh.example',
        'To: support@oko.example',
        'Subject: HTML',
        'Message-ID: <html-evil@arh.example>',
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<html><head><style>body{background:url(https://evil.example/t.png)}</style><script>alert(1)</script></head>',
        '<body onload="steal()"><p onclick="x()">Не работает <b>кнопка</b></p><a href="javascript:alert(2)">ссылка</a>',
        '<a href="https://fioco.example/help">помощь</a><img src="https://evil.example/pixel.gif"><img src="cid:img1@x"><iframe src="https://evil.example"></iframe></body></html>',
        '',
      ].join('\r\n'),
    )
    const outcome = await deliver(raw)
    const message = await prisma.ticketMessage.findFirstOrThrow({ where: { inboundMailId: outcome.inboundId! } })
    expect(message.safeHtml).toContain('<b>кнопка</b>')
    expect(message.safeHtml).toContain('<a href="https://fioco.example/help" rel="noopener noreferrer nofollow" target="_blank">')
    expect(message.safeHtml).toContain('src="cid:img1@x"')
    expect(message.safeHtml).not.toMatch(/script|style|onload|onclick|javascript|evil\.example|iframe/i)
    expect(message.shownText).toContain('Не работает кнопка')
  })
})

describe('the cabinet form', () => {
  it('files a ticket through the pipeline, and an answer in the cabinet completes it', async () => {
    const org = await prisma.organization.findUniqueOrThrow({ where: { login: 'edu290003' } })
    const user = await createUser({ orgId: org.id })
    await prisma.user.update({ where: { id: user.id }, data: { email: null } })
    const actor = { id: user.id, login: user.login, role: user.role, organization: org }
    const { ticketId, verdict } = await submitWebTicket(actor, {
      subject: 'Ошибка при загрузке формы',
      study: 'ВПР',
      description: 'При загрузке формы сбора результатов ВПР по математике 4 класс в разделе «Обмен данными» выдаёт ошибку «Неверный формат файла». Форму скачали с публикации сегодня.',
      files: [],
    })
    expect(verdict.missing).toEqual(['screenshot'])
    const t = await ticketOf(ticketId)
    expect(t).toMatchObject({ state: 'WAITING_INFO', channel: 'web', requesterId: user.id, organizationId: org.id, study: 'ВПР', requesterEmail: null })
    expect(t.messages[0]).toMatchObject({ kind: 'INBOUND', authorId: user.id })
    // No e-mail: nothing is mailed; the cabinet shows the verdict.
    expect(t.messages.some((m) => m.kind === 'OUTBOUND')).toBe(false)

    const answer = await replyFromCabinet(actor as never, ticketId, { text: 'Снимок экрана прилагаю.', files: [{ filename: 'screen.png', contentType: 'image/png', content: pngBytes() }] })
    expect(answer).toMatchObject({ action: 'appended', ticket: ticketId, threadedBy: 'cabinet', state: 'NEW', complete: true })
  })

  it('refuses an empty description with the form’s message', async () => {
    const org = await prisma.organization.findUniqueOrThrow({ where: { login: 'edu290005' } })
    const user = await createUser({ orgId: org.id })
    const error = await submitWebTicket({ id: user.id }, { subject: '', description: '   ', files: [] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Response)
    expect(await (error as Response).json()).toEqual({ errors: { description: 'Опишите проблему' } })
  })
})

// The intake over real SMTP on loopback: the SMTP listener on a free port,
// letters sent with Nodemailer's SMTP transport, replies read back from the
// file outbox. The missing-information conversation runs end to end: a
// letter without the login → «Ожидает данных» and one reply saying what is
// missing → the requester answers in the thread with the login and a
// screenshot → «Новый» and «спасибо, данных достаточно».
import net from 'node:net'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clearOutbox, pngBytes, readOutbox, seedCorpusOrgs, toAddress } from './intake-helpers.ts'
import { attachmentBytes } from '~/helpdesk/attachments.server'
import { intakeIdle } from '~/helpdesk/intake.server'
import { prisma } from '~/utils/db.server'
import { startSmtpIntake, type SmtpIntake } from '../../server/intake/smtp.ts'

let smtp: SmtpIntake
const sender = () => nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true })

beforeAll(async () => {
  await seedCorpusOrgs()
  smtp = await startSmtpIntake({ host: '127.0.0.1', port: 0, maxBytes: 2 * 1024 * 1024 })
})

afterAll(async () => {
  await smtp?.close()
})

describe('a conversation that misses the login and the screenshot', () => {
  it('waits for data, asks once, and moves on when the requester supplies it', async () => {
    clearOutbox()
    const first = await sender().sendMail({
      from: 'Петрова Анна Сергеевна <petrova@gym4.example>',
      to: 'support@oko.example',
      subject: 'Не загружается форма ВПР',
      text:
        'Здравствуйте!\n\nПри загрузке формы сбора результатов ВПР по математике 5 класс в разделе «Обмен данными» ' +
        'выдаёт ошибку «Файл не соответствует шаблону формы». Форму скачивали с публикации вчера.\n\n' +
        'Организация: МБОУ «Гимназия № 4» г. Архангельск\n\nС уважением, Петрова А. С.',
    })
    expect(first.response).toMatch(/^250 .*Accepted as #\d+/)
    await intakeIdle()

    const ticket = await prisma.ticket.findFirstOrThrow({ where: { requesterEmail: 'petrova@gym4.example' } })
    expect(ticket.state).toBe('WAITING_INFO')
    expect(ticket.slaPausedAt).not.toBeNull()
    expect(ticket.channel).toBe('smtp')
    expect(ticket.study).toBe('ВПР')
    expect((ticket.verdict as { missing: string[] }).missing).toEqual(['login', 'screenshot'])

    const [ask] = await readOutbox()
    expect(toAddress(ask.parsed)).toBe('petrova@gym4.example')
    expect(ask.parsed.subject).toBe(`[#${ticket.id}] Нужны дополнительные сведения: Не загружается форма ВПР`)
    expect(ask.parsed.inReplyTo).toBe(`<${first.messageId.replace(/^<|>$/g, '')}>`)
    expect(ask.parsed.headers.get('auto-submitted')).toBe('auto-replied')
    expect(ask.parsed.text).toContain('Здравствуйте, Анна Сергеевна!')
    expect(ask.parsed.text).toContain('не хватает сведений')
    expect(ask.parsed.text).toContain('1. Логин организации: логин организации не найден ни в теме, ни в тексте.')
    expect(ask.parsed.text).toContain('2. Снимок экрана:')
    expect(ask.parsed.text).toMatch(/Что сделать: Укажите логин вашей организации/)
    expect(ask.parsed.text).not.toContain('3.')

    // The requester answers in the thread, quoting our letter, with the login and a screenshot.
    const screenshot = pngBytes(4096)
    const quoted = (ask.parsed.text ?? '').split('\n').map((l) => `> ${l}`).join('\n')
    const second = await sender().sendMail({
      from: 'Петрова Анна Сергеевна <petrova@gym4.example>',
      to: 'support@oko.example',
      subject: `Re: ${ask.parsed.subject}`,
      inReplyTo: ask.parsed.messageId,
      references: [first.messageId, ask.parsed.messageId!],
      text: `Логин: edu290004, снимок прилагаю.\n\n${new Date().toLocaleString('ru-RU')}, Техподдержка ФИС ОКО пишет:\n${quoted}`,
      attachments: [{ filename: 'Снимок экрана.png', content: screenshot, contentType: 'image/png' }],
    })
    expect(second.response).toMatch(/^250 /)
    await intakeIdle()

    const after = await prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id }, include: { messages: { orderBy: { id: 'asc' }, include: { attachments: true } } } })
    expect(after.state).toBe('NEW')
    expect(after.slaPausedAt).toBeNull()
    expect((after.verdict as { complete: boolean }).complete).toBe(true)
    expect(after.organizationId).toBe((await prisma.organization.findUniqueOrThrow({ where: { login: 'edu290004' } })).id)
    const inbound = after.messages.filter((m) => m.kind === 'INBOUND')
    expect(inbound).toHaveLength(2)
    expect(inbound[1].shownText).toBe('Логин: edu290004, снимок прилагаю.')
    expect(inbound[1].text).toContain('не хватает сведений')
    expect(inbound[1].attachments.map((a) => a.contentType)).toEqual(['image/png'])
    // The screenshot is stored once, in the raw letter, and read back from it byte for byte.
    const [file] = inbound[1].attachments
    expect(file.content.length).toBe(0)
    expect(file.inboundMailId).toBe(inbound[1].inboundMailId)
    expect(Buffer.compare((await attachmentBytes(file))!, screenshot)).toBe(0)
    expect(after.messages.some((m) => m.kind === 'SYSTEM' && m.shownText.includes('«Ожидает данных» → «Новый»'))).toBe(true)

    const mails = await readOutbox()
    expect(mails).toHaveLength(2)
    const thanks = mails.find((m) => m.parsed.messageId !== ask.parsed.messageId)!
    expect(thanks.parsed.subject).toContain(`[#${ticket.id}] Данных достаточно`)
    expect(thanks.parsed.text).toContain('Спасибо, данных достаточно')
    expect(thanks.parsed.text).toContain('МБОУ «Гимназия № 4» г. Архангельск (edu290004)')
    expect(thanks.parsed.inReplyTo).toBe(inbound[1].messageId)
    expect(thanks.parsed.references).toEqual(expect.arrayContaining([inbound[0].messageId, ask.parsed.messageId, inbound[1].messageId]))
  })
})

describe('the SMTP listener', () => {
  it('answers 250 only once the raw letter is committed, and the same bytes twice are one letter', async () => {
    const raw = Buffer.from('From: a@school.example\r\nTo: support@oko.example\r\nSubject: Проверка\r\nMessage-ID: <same-bytes@school.example>\r\n\r\nТекст\r\n')
    const t = sender()
    const one = await t.sendMail({ envelope: { from: 'a@school.example', to: 'support@oko.example' }, raw })
    const id = Number(/#(\d+)/.exec(one.response)![1])
    const row = await prisma.inboundMail.findUniqueOrThrow({ where: { id } })
    expect(row).toMatchObject({ channel: 'smtp', envelopeFrom: 'a@school.example', envelopeTo: ['support@oko.example'], messageId: '<same-bytes@school.example>', size: raw.length })
    expect(Buffer.from(row.raw).equals(raw)).toBe(true)
    const two = await t.sendMail({ envelope: { from: 'a@school.example', to: 'support@oko.example' }, raw })
    expect(two.response).toContain(`#${id} (already received)`)
    await intakeIdle()
    expect(await prisma.inboundMail.count({ where: { messageId: '<same-bytes@school.example>' } })).toBe(1)
    expect(await prisma.ticketMessage.count({ where: { messageId: '<same-bytes@school.example>' } })).toBe(1)
  })

  it('refuses unknown recipients at RCPT with 550 and accepts sub-addresses of ours', async () => {
    const error = await sender()
      .sendMail({ from: 'a@school.example', to: 'nobody@oko.example', subject: 'x', text: 'x' })
      .then(() => null, (e: { responseCode?: number; response?: string }) => e)
    expect(error?.responseCode).toBe(550)
    expect(error?.response).toContain('no such recipient')
    const ok = await sender().sendMail({ from: 'a@school.example', to: ['support+vpr@oko.example', 'help@oko.example'], subject: 'Вопрос', text: 'Текст' })
    expect(ok.accepted).toHaveLength(2)
    await intakeIdle()
  })

  it('refuses a letter over the size limit with 552 and stores nothing of it', async () => {
    const before = await prisma.inboundMail.count()
    const error = await sender()
      .sendMail({
        from: 'big@school.example',
        to: 'support@oko.example',
        subject: 'Большое письмо',
        text: 'Во вложении архив',
        attachments: [{ filename: 'archive.zip', content: Buffer.alloc(3 * 1024 * 1024, 1) }],
      })
      .then(() => null, (e: { responseCode?: number; response?: string }) => e)
    expect(error?.responseCode).toBe(552)
    expect(error?.response).toMatch(/Message too big.*2 MB/)
    // The same with the size declared up front (MAIL FROM … SIZE=, RFC 1870): refused before DATA.
    const lines = await smtpDialogue(smtp.port, ['EHLO school.example', `MAIL FROM:<big@school.example> SIZE=${5 * 1024 * 1024}`, 'QUIT'])
    expect(lines.find((l) => /SIZE \d+/.test(l))).toContain(`SIZE ${2 * 1024 * 1024}`)
    expect(lines.some((l) => l.startsWith('552 '))).toBe(true)
    expect(await prisma.inboundMail.count()).toBe(before)
  })
})

/** Speaks SMTP line by line: each command after the previous reply; returns every reply line. */
async function smtpDialogue(port: number, commands: string[]): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1')
  const lines: string[] = []
  let buffer = ''
  let waiting: (() => void) | null = null
  socket.on('data', (d) => {
    buffer += d.toString('utf8')
    let nl: number
    while ((nl = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 2)
      lines.push(line)
      if (/^\d{3} /.test(line)) waiting?.()
    }
  })
  const reply = () => new Promise<void>((resolve) => (waiting = resolve))
  await reply() // greeting
  for (const c of commands) {
    socket.write(`${c}\r\n`)
    await reply()
  }
  socket.end()
  return lines
}

import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { effectiveContentType, sanitizeFilename, sniffContentType } from './attachments.ts'
import { detectAutomatic } from './automatic.ts'
import { decodeText, detectCharset } from './charset.ts'
import { HEADER_LIMITS, readHeaderBlock } from './headers.ts'
import { parseMail, textForRules } from './parse.ts'
import { unflow } from './text.ts'
import { buildTnef, extractTnef } from './tnef.ts'

const SENTENCES = [
  'Добрый день! Не можем загрузить форму сбора результатов ВПР по математике, выдаёт ошибку.',
  'Ёжик съел щёку; подъезд, объявление, вьюга — всё «как надо» № 5.',
  'В разделе «Аналитика» отчёт «Статистика по отметкам» показывает 0 участников.',
  'Логин edu290001, МБОУ «Средняя школа № 1» г. Архангельск.',
  'Не работает, помогите.',
]

describe('charset detection on raw bytes', () => {
  it.each(['windows-1251', 'koi8-r', 'cp866', 'utf-8'])('recognises Russian text in %s', (charset) => {
    for (const sentence of SENTENCES) {
      const text = charset === 'koi8-r' || charset === 'cp866' ? sentence.replace(/[«»]/g, '"').replace(/№/g, 'N').replace(/—/g, '-') : sentence
      const bytes = iconv.encode(text, charset)
      expect(decodeText(bytes, null).text, `${charset}: ${text}`).toBe(text)
    }
  })

  it('reports a guess only when it had to guess', () => {
    const bytes = iconv.encode(SENTENCES[0], 'windows-1251')
    expect(decodeText(bytes, null)).toMatchObject({ charset: 'windows-1251', guessed: true, declared: null })
    expect(decodeText(bytes, 'windows-1251')).toMatchObject({ charset: 'windows-1251', guessed: false })
    expect(decodeText(Buffer.from('plain ascii'), null)).toMatchObject({ guessed: false, text: 'plain ascii' })
  })

  it('overrules a declaration the bytes contradict', () => {
    const cp1251 = iconv.encode(SENTENCES[2], 'windows-1251')
    expect(decodeText(cp1251, 'utf-8')).toMatchObject({ text: SENTENCES[2], charset: 'windows-1251', guessed: true })
    expect(decodeText(cp1251, 'us-ascii')).toMatchObject({ text: SENTENCES[2], guessed: true })
    expect(decodeText(cp1251, 'iso-8859-1')).toMatchObject({ text: SENTENCES[2], guessed: true })
    expect(decodeText(cp1251, 'koi8-r')).toMatchObject({ text: SENTENCES[2], guessed: true })
    expect(decodeText(cp1251, 'x-unknown-charset')).toMatchObject({ text: SENTENCES[2], guessed: true })
  })

  it('trusts a declaration that reads well, Western text included', () => {
    const german = 'Grüße aus München, schöne Tage und viele Äpfel'
    expect(decodeText(iconv.encode(german, 'iso-8859-1'), 'iso-8859-1')).toMatchObject({ text: german, guessed: false })
    expect(decodeText(iconv.encode(german, 'windows-1252'), null).text).toBe(german)
    const koi = iconv.encode('Здравствуйте, у нас ошибка при загрузке', 'koi8-r')
    expect(decodeText(koi, 'koi8-r')).toMatchObject({ charset: 'koi8-r', guessed: false })
  })

  it('prefers valid UTF-8, and flags binary data as undecodable', () => {
    expect(detectCharset(Buffer.from('Привет, мир', 'utf8')).charset).toBe('utf-8')
    expect(decodeText(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 1, 2, 3]), 'utf-8').undecodable).toBe(true)
  })

  it('refuses UTF-7, which can smuggle markup', () => {
    expect(decodeText(Buffer.from('+ADw-script+AD4-'), 'utf-7').text).toBe('+ADw-script+AD4-')
  })
})

describe('format=flowed', () => {
  it('joins soft line breaks and keeps quote depth and the signature delimiter', () => {
    expect(unflow('Первая часть \nвторая часть\n> цитата \n> дальше\n-- \nподпись', false)).toBe('Первая часть вторая часть\n> цитата дальше\n-- \nподпись')
    expect(unflow('сло\u0020\nво', true)).toBe('слово')
  })
})

describe('the header block', () => {
  it('truncates an overlong field and says so', () => {
    const raw = Buffer.from(`From: a@b.example\r\nX-Junk: ${'y'.repeat(100_000)}\r\nSubject: ok\r\n\r\nbody`)
    const block = readHeaderBlock(raw)
    expect(block.header.length).toBeLessThan(HEADER_LIMITS.fieldBytes + 200)
    expect(block.fields.map((f) => f.name)).toEqual(['from', 'x-junk', 'subject'])
    expect(block.problems[0]).toMatch(/x-junk слишком длинный \(100 010 байт\)/)
    expect(block.body.toString()).toBe('body')
  })

  it('decodes raw 8-bit header text in the charset it was written in', () => {
    const raw = Buffer.concat([Buffer.from('Subject: '), iconv.encode('Ошибка при загрузке формы', 'windows-1251'), Buffer.from('\r\nFrom: a@b.example\r\n\r\n')])
    const block = readHeaderBlock(raw)
    expect(block.fields[0].value).toBe('Ошибка при загрузке формы')
    expect(block.problems[0]).toContain('windows-1251')
  })

  it('skips an mbox From_ line and tells a non-message apart', () => {
    expect(readHeaderBlock(Buffer.from('From a@b Thu Nov 26 10:00:00 2026\nSubject: x\n\nbody')).fields[0]).toEqual({ name: 'subject', value: 'x' })
    expect(readHeaderBlock(Buffer.from('Просто текст без заголовков\n\nещё текст')).notAMessage).toBe(true)
  })
})

describe('attachments', () => {
  const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])
  it('are typed by their bytes, not by what the sender claimed', () => {
    expect(sniffContentType(PNG)).toBe('image/png')
    expect(effectiveContentType('application/octet-stream', PNG)).toBe('image/png')
    expect(effectiveContentType('image/jpeg', Buffer.from('MZ\x90\x00 not an image'))).toBe('application/x-msdownload')
    expect(effectiveContentType('image/png', Buffer.from('just text'))).toBe('application/octet-stream')
    expect(effectiveContentType('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', Buffer.from([0x50, 0x4b, 3, 4, 0]))).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    )
    expect(effectiveContentType('text/plain', Buffer.from('hello'))).toBe('text/plain')
  })

  it('get names without paths, controls or direction tricks', () => {
    expect(sanitizeFilename('C:\\Users\\me\\..\\отчёт.xlsx', 'application/zip', 0)).toBe('отчёт.xlsx')
    expect(sanitizeFilename('../../etc/passwd', 'text/plain', 0)).toBe('passwd')
    expect(sanitizeFilename('счёт\u202Efdp.exe', 'application/octet-stream', 0)).toBe('счётfdp.exe')
    expect(sanitizeFilename('a\u0000b\u0007c.txt', 'text/plain', 0)).toBe('abc.txt')
    expect(sanitizeFilename('  ..hidden ', 'text/plain', 0)).toBe('hidden')
    expect(sanitizeFilename('', 'image/png', 2)).toBe('attachment-3.png')
    const long = sanitizeFilename(`${'я'.repeat(400)}.xlsx`, 'application/zip', 0)
    expect(long.length).toBeLessThanOrEqual(180)
    expect(long.endsWith('.xlsx')).toBe(true)
  })
})

describe('TNEF', () => {
  it('gives back the files it holds, names decoded from the code page', () => {
    const files = [
      { filename: 'Снимок.png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
      { filename: 'протокол.txt', content: Buffer.from('1;2\n') },
    ]
    const { files: out, error } = extractTnef(buildTnef(files))
    expect(error).toBeNull()
    expect(out).toEqual(files)
  })

  it('survives a stream cut short or not TNEF at all', () => {
    const tnef = buildTnef([{ filename: 'a.txt', content: Buffer.from('x'.repeat(100)) }])
    expect(extractTnef(tnef.subarray(0, tnef.length - 20))).toMatchObject({ files: [], error: 'поток TNEF обрывается' })
    expect(extractTnef(Buffer.from('hello world')).error).toBe('не TNEF')
  })
})

describe('automatic mail', () => {
  const base = { fromAddress: 'school@example.ru', subject: 'Вопрос', contentTypes: ['text/plain'], rootContentType: 'text/plain' }
  const field = (name: string, value: string) => ({ name, value })
  it.each([
    [[field('auto-submitted', 'auto-generated')], 'auto-reply'],
    [[field('precedence', 'bulk')], 'list'],
    [[field('precedence', 'auto_reply')], 'auto-reply'],
    [[field('x-autoreply', 'yes')], 'auto-reply'],
    [[field('x-autorespond', 'Out of office')], 'auto-reply'],
    [[field('x-auto-response-suppress', 'OOF')], 'auto-reply'],
    [[field('list-id', '<x.example>')], 'list'],
    [[field('list-unsubscribe', '<mailto:u@x.example>')], 'list'],
    [[field('return-path', '<>')], 'auto-reply'],
  ] as const)('%j → %s', (fields, kind) => {
    expect(detectAutomatic({ ...base, fields: [...fields] })).toMatchObject({ isAutomatic: true, kind })
  })

  it('recognises no-reply and daemon senders, and reports', () => {
    expect(detectAutomatic({ ...base, fields: [], fromAddress: 'no-reply@service.example' }).kind).toBe('noreply')
    expect(detectAutomatic({ ...base, fields: [], fromAddress: 'MAILER-DAEMON@mx.example'.toLowerCase() }).kind).toBe('bounce')
    expect(detectAutomatic({ ...base, fields: [], rootContentType: 'multipart/report; report-type=disposition-notification' }).kind).toBe('auto-reply')
  })

  it('leaves ordinary mail alone, Auto-Submitted: no and receipt-only suppression included', () => {
    expect(detectAutomatic({ ...base, fields: [field('auto-submitted', 'no'), field('x-auto-response-suppress', 'DR, RN')] })).toEqual({ isAutomatic: false, kind: null, reasons: [] })
  })
})

describe('parseMail on bad input', () => {
  it.each([
    ['an empty buffer', Buffer.alloc(0)],
    ['binary garbage', Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 91 + 7) % 256))],
    ['text without headers', Buffer.from('Здравствуйте, это не письмо')],
  ])('never throws on %s, and flags it unparseable', async (_name, raw) => {
    const mail = await parseMail(raw)
    expect(mail.unparseable).toBe(true)
    expect(mail.problems.length).toBeGreaterThan(0)
  })

  it('keeps a mail with headers only', async () => {
    const mail = await parseMail(Buffer.from('From: a@b.example\r\nSubject: =?utf-8?B?0KLQtdC80LA=?='))
    expect(mail).toMatchObject({ unparseable: false, subject: 'Тема', text: '', shownText: '' })
    expect(mail.problems).toContain('Нет заголовка Message-ID')
  })

  it('reads a multipart without a boundary as text', async () => {
    const mail = await parseMail(Buffer.from('From: a@b.example\r\nMessage-ID: <1@b>\r\nContent-Type: multipart/mixed\r\n\r\nВсё равно текст\r\n'))
    expect(mail.text).toBe('Всё равно текст')
  })

  it('caps the parts it reads and still returns', async () => {
    const parts = Array.from({ length: 600 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('')
    const mail = await parseMail(Buffer.from(`From: a@b.example\r\nMessage-ID: <1@b>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n${parts}--b--\r\n`))
    expect(mail.unparseable).toBe(true)
    expect(mail.messageId).toBe('<1@b>')
    expect(mail.problems.join(' ')).toMatch(/MIME/)
  })

  it('gives the rules the signature too', () => {
    expect(textForRules({ shownText: 'Текст', signature: 'edu290001' })).toBe('Текст\n\nedu290001')
    expect(textForRules({ shownText: 'Текст', signature: null })).toBe('Текст')
  })
})

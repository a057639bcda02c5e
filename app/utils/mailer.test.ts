// Outgoing mail on the embedded default: real .eml files in the outbox,
// threading headers and the RFC 3834 marks on automatic mail.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { simpleParser } from 'mailparser'
import { beforeAll, expect, it } from 'vitest'

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oko-mail-'))
process.env.DATA_DIR = dataDir
delete process.env.SMTP_URL

const { deliverMail, listOutbox, readOutboxFile } = await import('./mailer.server')

beforeAll(() => {
  fs.rmSync(path.join(dataDir, 'outbox'), { recursive: true, force: true })
})

it('writes a parseable message with threading headers into the outbox', async () => {
  const sent = await deliverMail({
    to: 'school@example.ru',
    subject: 'Заявка [#12345] принята',
    text: 'Здравствуйте! Ваше обращение зарегистрировано.',
    inReplyTo: '<orig@mail.example.ru>',
    references: ['<orig@mail.example.ru>'],
    automatic: true,
  })
  const [entry] = listOutbox()
  expect(entry.name).toMatch(/\.eml$/)
  const parsed = await simpleParser(readOutboxFile(entry.name)!)
  expect(parsed.messageId).toBe(sent.messageId)
  expect(parsed.subject).toBe('Заявка [#12345] принята')
  expect(parsed.inReplyTo).toBe('<orig@mail.example.ru>')
  expect(parsed.headers.get('auto-submitted')).toBe('auto-replied')
  expect(parsed.text?.trim()).toBe('Здравствуйте! Ваше обращение зарегистрировано.')
})

it('refuses outbox names that could leave the folder', () => {
  expect(readOutboxFile('../session-secret')).toBeNull()
  expect(readOutboxFile('x/../../y.eml')).toBeNull()
})

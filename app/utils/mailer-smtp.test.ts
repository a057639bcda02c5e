// Outgoing mail through a real SMTP relay on loopback (smtp-server).
import type { AddressInfo } from 'node:net'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, expect, it } from 'vitest'

const received: Buffer[] = []
const relay = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, _session, callback) {
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('end', () => {
      received.push(Buffer.concat(chunks))
      callback()
    })
  },
})

beforeAll(async () => {
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
  process.env.SMTP_URL = `smtp://127.0.0.1:${(relay.server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => relay.close(() => resolve()))
})

it('delivers through SMTP_URL with our Message-ID', async () => {
  const { deliverMail } = await import('./mailer.server')
  const sent = await deliverMail({ to: 'moUo@example.ru', subject: 'Ответ техподдержки', text: 'Текст ответа' })
  expect(received).toHaveLength(1)
  const parsed = await simpleParser(received[0])
  expect(parsed.messageId).toBe(sent.messageId)
  expect(parsed.to && 'text' in parsed.to ? parsed.to.text : '').toContain('moUo@example.ru')
  expect(parsed.headers.get('auto-submitted')).toBeUndefined()
})

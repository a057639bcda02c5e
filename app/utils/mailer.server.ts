// Outgoing mail through Nodemailer: an SMTP relay (SMTP_URL) or, on the
// embedded default, a file outbox of real .eml files under DATA_DIR/outbox
// that administrators browse in the cabinet. Domains send through the
// `mail.send` job so that a relay outage delays mail instead of losing it.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { simpleParser, type AddressObject } from 'mailparser'
import nodemailer from 'nodemailer'
import type Mail from 'nodemailer/lib/mailer'
import { env } from './env.server'
import { defineQueue } from './jobs.server'
import { logger } from './logger.server'
import { singleton } from './singleton.server'

export interface OutgoingMail {
  to: string | string[]
  subject: string
  text: string
  html?: string
  /** Our own Message-ID; generated when absent (threading needs it known before sending). */
  messageId?: string
  inReplyTo?: string
  references?: string[]
  /** Automatic mail is marked so that other robots do not answer it (RFC 3834). */
  automatic?: boolean
  headers?: Record<string, string>
  attachments?: { filename: string; content: Buffer; contentType?: string; cid?: string }[]
}

export function outboxDir() {
  return path.resolve(env().DATA_DIR, 'outbox')
}

export function newMessageId(domainHint?: string) {
  const domain = domainHint ?? /@([^>\s]+)/.exec(env().MAIL_FROM)?.[1] ?? 'oko-support.local'
  return `<${Date.now().toString(36)}.${crypto.randomBytes(9).toString('base64url')}@${domain}>`
}

const transport = () =>
  singleton('mail-transport', () => {
    const url = env().SMTP_URL
    if (url) return nodemailer.createTransport(url)
    // Builds the full RFC 5322 message without sending; we write it to the outbox.
    return nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  })

function toNodemailer(mail: OutgoingMail): Mail.Options {
  return {
    from: env().MAIL_FROM,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId ?? newMessageId(),
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    attachments: mail.attachments?.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType, cid: a.cid })),
    headers: {
      ...(mail.automatic ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } : {}),
      ...mail.headers,
    },
  }
}

/** Sends now. Returns the Message-ID used. Throws on relay errors (the job retries). */
export async function deliverMail(mail: OutgoingMail): Promise<{ messageId: string; file?: string }> {
  const options = toNodemailer(mail)
  const info = await transport().sendMail(options)
  if (env().SMTP_URL) return { messageId: options.messageId as string }
  const dir = outboxDir()
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(4).toString('hex')}.eml`)
  // Write then rename: a reader never sees half a message.
  fs.writeFileSync(`${file}.tmp`, info.message as Buffer)
  fs.renameSync(`${file}.tmp`, file)
  return { messageId: options.messageId as string, file }
}

export const mailQueue = defineQueue<OutgoingMail>({
  name: 'mail.send',
  retryLimit: 8,
  retryDelaySeconds: 30,
  async handler(mail) {
    const { messageId } = await deliverMail(mail)
    logger.info({ messageId, subject: mail.subject }, 'mail sent')
  },
})

/** Queues a mail (persisted; retried with backoff). Returns its Message-ID. */
export async function sendMail(mail: OutgoingMail) {
  const messageId = mail.messageId ?? newMessageId()
  await mailQueue.send({ ...mail, messageId })
  return messageId
}

export interface OutboxEntry {
  name: string
  size: number
  at: Date
}

/** Newest first; only names the outbox itself wrote. */
export function listOutbox(limit = 200): OutboxEntry[] {
  const dir = outboxDir()
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir)
    .filter((n) => /^[\w-]+\.eml$/.test(n))
    .map((name) => {
      const stat = fs.statSync(path.join(dir, name))
      return { name, size: stat.size, at: stat.mtime }
    })
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, limit)
}

export function readOutboxFile(name: string): Buffer | null {
  if (!/^[\w-]+\.eml$/.test(name)) return null
  const file = path.join(outboxDir(), name)
  return fs.existsSync(file) ? fs.readFileSync(file) : null
}

/** The outbox as the administrator's page shows it. */
export async function outboxSummaries(limit = 100) {
  return Promise.all(
    listOutbox(limit).map(async (e) => {
      const parsed = await simpleParser(readOutboxFile(e.name)!, { skipHtmlToText: true, skipImageLinks: true })
      return { name: e.name, at: e.at.toISOString(), subject: parsed.subject ?? '(без темы)', to: addressText(parsed.to), automatic: Boolean(parsed.headers.get('auto-submitted')) }
    }),
  )
}

const SHOWN_HEADERS = ['from', 'to', 'subject', 'date', 'message-id', 'in-reply-to', 'references', 'auto-submitted']

export async function outboxMessage(name: string) {
  const raw = readOutboxFile(name)
  if (!raw) return null
  const parsed = await simpleParser(raw)
  return {
    subject: parsed.subject ?? '(без темы)',
    to: addressText(parsed.to),
    headers: parsed.headerLines.filter((h) => SHOWN_HEADERS.includes(h.key)).map((h) => [h.key, h.line.slice(h.key.length + 1).trim()] as [string, string]),
    text: parsed.text ?? '',
  }
}

function addressText(value: AddressObject | AddressObject[] | undefined) {
  return Array.isArray(value) ? value.map((a) => a.text).join(', ') : (value?.text ?? '')
}

// Outgoing ticket mail: an outbox in the ticket's own messages. A reply is a
// TicketMessage (kind OUTBOUND, sentAt null) written in the caller's
// transaction, so a reply exists exactly when the change that caused it
// committed; a drain hands unsent rows to the mailer (SMTP_URL relay or the
// .eml file outbox) right after the commit, every minute from the job queue,
// and again with backoff after a failure. Delivery is at least once: a crash
// between the mailer's acceptance and the sentAt update sends the mail again.
//
// Every mail carries our Message-ID (stored before sending, so replies thread
// by In-Reply-To/References), the ticket token «[#10001]» in the subject, and
// a signed reference «ref: 10001-<hmac>» in the body: a reply that lost its
// headers and its subject still threads by the quoted reference, and nobody
// can make one up for a ticket that is not theirs (threading.server.ts).
import crypto from 'node:crypto'
import { env } from '~/utils/env.server'
import { defineQueue } from '~/utils/jobs.server'
import { logger } from '~/utils/logger.server'
import { deliverMail, newMessageId } from '~/utils/mailer.server'
import { prisma, type Prisma } from '~/utils/db.server'
import { backoffSeconds, createDrain } from '~/utils/drain.server'
import { extractTicketToken } from '../../emails/inbound/subject.ts'
import { agentReply } from '../../emails/templates/agent-reply.ts'
import { referenceLine } from '../../emails/templates/layout.ts'
import { db, insertMessage, isSql, sqlOf, utc, type MessageRow, type Sql } from './ticket-rows.server'

// ---------------------------------------------------------------------------
// The signed ticket reference

/** Hex characters of the HMAC kept in the reference: 80 bits, not guessable by trying. */
const REF_MAC_LENGTH = 20
/** `ref: 10001-0a1b…` as it appears in our bodies (and in quotes of them, possibly with "> " or line breaks around). */
const REF_PATTERN = /ref:\s*(\d{1,9})-([0-9a-f]{20})(?![0-9a-f])/gi

function refSecrets(): string[] {
  const configured = env().INTAKE_REF_SECRET ?? process.env.SESSION_SECRET
  if (!configured) throw new Error('SESSION_SECRET is not set: the server sets it before the intake runs (prepareDatabase).')
  // SESSION_SECRET may list several secrets for rotation: sign with the first, accept all.
  return configured.split(',').map((s) => s.trim()).filter(Boolean)
}

function mac(secret: string, ticketId: number) {
  // A key of its own, so a reference never doubles as a session signature.
  return crypto.createHmac('sha256', `oko-ticket-reference:${secret}`).update(String(ticketId)).digest('hex').slice(0, REF_MAC_LENGTH)
}

/** «10001-<hmac>»: the reference templates put into the body. */
export function ticketReference(ticketId: number): string {
  return `${ticketId}-${mac(refSecrets()[0], ticketId)}`
}

/** The ticket number of a reference whose signature verifies, else null. */
export function verifyReference(reference: string): number | null {
  const m = /^(\d{1,9})-([0-9a-f]{20})$/i.exec(reference.trim())
  if (!m) return null
  const id = Number(m[1])
  const given = Buffer.from(m[2].toLowerCase())
  return refSecrets().some((s) => crypto.timingSafeEqual(Buffer.from(mac(s, id)), given)) ? id : null
}

/** Tickets named by verified references in a text (quoted replies included), in order of appearance. */
export function findReferences(text: string): { verified: number[]; forged: number[] } {
  const verified: number[] = []
  const forged: number[] = []
  for (const m of text.matchAll(REF_PATTERN)) {
    const id = verifyReference(`${m[1]}-${m[2]}`)
    if (id !== null) {
      if (!verified.includes(id)) verified.push(id)
    } else if (!forged.includes(Number(m[1]))) forged.push(Number(m[1]))
  }
  return { verified, forged }
}

// ---------------------------------------------------------------------------
// Our addresses

/** The addresses mail to us arrives at; mail from them is our own and never answered. */
export function ourAddresses(): string[] {
  const configured = env().INTAKE_ADDRESSES
  if (configured?.length) return configured
  const fromMailFrom = /<([^<>\s]+@[^<>\s]+)>/.exec(env().MAIL_FROM)?.[1] ?? /([^\s<>]+@[^\s<>]+)/.exec(env().MAIL_FROM)?.[1]
  return [(fromMailFrom ?? 'support@oko-support.local').toLowerCase()]
}

export function isOurAddress(address: string | null | undefined): boolean {
  if (!address) return false
  const a = address.toLowerCase()
  const mailFrom = /<([^<>\s]+@[^<>\s]+)>/.exec(env().MAIL_FROM)?.[1]?.toLowerCase()
  // support+anything@ is ours too (sub-addressing).
  const bare = a.replace(/\+[^@]*@/, '@')
  return ourAddresses().includes(a) || ourAddresses().includes(bare) || a === mailFrom || bare === mailFrom
}

/** Addresses we must never send to: none at all, the reserved .invalid domain (cabinet accounts without e-mail), ours. */
export function isDeliverable(address: string | null | undefined): address is string {
  if (!address || !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(address)) return false
  if (/\.invalid$/i.test(address)) return false
  return !isOurAddress(address)
}

// ---------------------------------------------------------------------------
// Queueing

export interface OutboundAttachment {
  filename: string
  contentType: string
  content: Buffer
}

export interface OutboundInput {
  ticketId: number
  kind: 'OUTBOUND'
  /** The recipient; empty when there is nobody to mail (the reply is then only seen in the cabinet). */
  to: string
  /** Absent: an agent's reply, «Re: [#10001] <ticket subject>» with the agent-reply template around `text`. */
  subject?: string
  text: string
  html?: string
  authorId?: number | null
  automatic: boolean
  attachments?: OutboundAttachment[]
}

type Tx = Prisma.TransactionClient

/**
 * Writes an outgoing message into the outbox, inside the caller's
 * transaction (a Prisma transaction, or the intake's own); it is sent after
 * the commit. Returns the TicketMessage row.
 */
export async function queueOutbound(tx: Tx | Sql, input: OutboundInput, known: { ticketSubject?: string } = {}) {
  const sql = isSql(tx) ? tx : sqlOf(tx)
  let ticketSubject = known.ticketSubject
  if (ticketSubject === undefined) {
    const [row] = await sql.query<{ subject: string }>(`SELECT subject FROM "Ticket" WHERE id = $1`, [input.ticketId])
    if (!row) throw new Error(`queueOutbound: no ticket ${input.ticketId}`)
    ticketSubject = row.subject
  }
  let rendered: { subject: string; text: string } | undefined
  if (input.subject === undefined) {
    const [author] = input.authorId ? await sql.query<{ fullName: string }>(`SELECT "fullName" FROM "User" WHERE id = $1`, [input.authorId]) : []
    rendered = agentReply({ ticketId: input.ticketId, reference: ticketReference(input.ticketId), subject: ticketSubject, text: input.text, agentName: author?.fullName })
  }
  const row = outboundMessage(input, rendered)
  const message = await insertMessage(sql, row)
  // The caller's transaction has not committed yet: the drain tries shortly
  // after, and once more later for a slow commit; the minute job is the net.
  if (row.sentAt === null) notifyOutbox()
  return message
}

/**
 * The outbox row of an outgoing message (no database): the token in the
 * subject, the signed reference in the body, sent at once when there is
 * nobody to mail. `rendered` is the agent-reply template around the text,
 * for input without its own subject. The intake writes it in its own
 * statement (ticket-rows.server.ts, insertLetterTicket).
 */
export function outboundMessage(input: OutboundInput, rendered?: { subject: string; text: string }): MessageRow {
  const ticketId = input.ticketId
  const reference = ticketReference(ticketId)
  let subject = rendered?.subject ?? input.subject ?? `[#${ticketId}]`
  let text = rendered?.text ?? input.text
  if (extractTicketToken(subject) !== ticketId) subject = `[#${ticketId}] ${subject}`
  const line = referenceLine(ticketId, reference)
  if (!text.includes(`ref: ${reference}`)) text = `${text.trimEnd()}\n\n${line}`
  let html = input.html ?? null
  if (html && !html.includes(`ref: ${reference}`)) html = `${html}\n<p style="color:#666666">${escapeHtml(line)}</p>`
  const to = input.to.trim().toLowerCase()
  const deliverable = isDeliverable(to)
  return {
    ticketId,
    kind: 'OUTBOUND',
    messageId: newMessageId(),
    fromAddress: ourAddresses()[0],
    toAddress: to || null,
    authorId: input.authorId ?? null,
    subject,
    text,
    shownText: input.text,
    safeHtml: html,
    automatic: input.automatic,
    // Nothing to send (no address, or a cabinet account without e-mail): the reply lives in the cabinet only.
    sentAt: deliverable ? null : new Date(),
    sendError: deliverable ? null : to ? `Адрес ${to} не принимает почту: ответ виден только в кабинете` : null,
    attachments: input.attachments?.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      size: a.content.length,
      sha256: crypto.createHash('sha256').update(a.content).digest('hex'),
      content: a.content,
    })),
  }
}

function escapeHtml(s: string) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

// ---------------------------------------------------------------------------
// Delivering

const CLAIM = 20
const LEASE_SECONDS = 120
export const MAX_SEND_ATTEMPTS = 10
const MAX_BACKOFF_SECONDS = 6 * 3600
/** References kept in an outgoing mail: the first message and the most recent ones. */
const MAX_REFERENCES = 20

export function sendBackoffSeconds(attempts: number) {
  return backoffSeconds(attempts, { baseSeconds: 30, maxSeconds: MAX_BACKOFF_SECONDS })
}

/** Leases what is due and returns it whole: one statement for the batch (ticket-rows.server.ts says why it matters). */
async function claim(): Promise<OutgoingRow[]> {
  // now() is a timestamptz; the column holds UTC clock time without a zone.
  return db.query<OutgoingRow>(
    `UPDATE "TicketMessage" m SET "sendAfter" = (now() AT TIME ZONE 'UTC') + make_interval(secs => $1)
     WHERE m.id IN (
       SELECT id FROM "TicketMessage"
       WHERE kind = 'OUTBOUND' AND "sentAt" IS NULL AND "toAddress" IS NOT NULL
         AND "sendAttempts" < $2 AND ("sendAfter" IS NULL OR "sendAfter" <= now() AT TIME ZONE 'UTC')
       ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING m.id, m."ticketId", m."messageId", m."toAddress", m.subject, m.text, m."safeHtml", m.automatic, m."sendAttempts",
       EXISTS (SELECT 1 FROM "TicketAttachment" a WHERE a."messageId" = m.id) AS "hasAttachments",
       ${EARLIER_IDS}`,
    [LEASE_SECONDS, MAX_SEND_ATTEMPTS, CLAIM],
    'outbox-claim',
  )
}

/** The thread before message m, for its headers: read with the claim, not in a statement of its own. */
const EARLIER_IDS = `(SELECT "messageId" FROM "TicketMessage" e
     WHERE e."ticketId" = m."ticketId" AND e.id < m.id AND e.kind = 'INBOUND' AND e."messageId" IS NOT NULL ORDER BY e.id DESC LIMIT 1) AS "lastInbound",
   ARRAY(SELECT "messageId" FROM "TicketMessage" e
     WHERE e."ticketId" = m."ticketId" AND e.id < m.id AND e.kind IN ('INBOUND', 'OUTBOUND') AND e."messageId" IS NOT NULL ORDER BY e.id) AS "earlierIds"`

/** In-Reply-To: the last letter from the requester before this message; References: the thread so far. */
function headersFrom(lastInbound: string | null, ids: string[]) {
  const inReplyTo = lastInbound ?? ids.at(-1) ?? undefined
  const references = ids.length > MAX_REFERENCES ? [ids[0], ...ids.slice(-(MAX_REFERENCES - 1))] : ids
  return { inReplyTo, references }
}

export async function threadingHeaders(ticketId: number, beforeMessageId: number) {
  const [row] = await db.query<{ lastInbound: string | null; earlierIds: string[] }>(
    `SELECT ${EARLIER_IDS} FROM (SELECT $1::int AS "ticketId", $2::int AS id) m`,
    [ticketId, beforeMessageId],
  )
  return headersFrom(row.lastInbound, row.earlierIds)
}

interface OutgoingRow {
  id: number
  ticketId: number
  messageId: string | null
  toAddress: string | null
  subject: string | null
  text: string
  safeHtml: string | null
  automatic: boolean
  sendAttempts: number
  hasAttachments: boolean
  lastInbound: string | null
  earlierIds: string[]
}

async function deliverOne(m: OutgoingRow): Promise<'sent' | 'failed' | 'gone'> {
  if (!m.toAddress) return 'gone'
  try {
    const attachments = m.hasAttachments
      ? await db.query<{ filename: string; contentType: string; content: Buffer; contentId: string | null }>(
          `SELECT filename, "contentType", content, "contentId" FROM "TicketAttachment" WHERE "messageId" = $1 AND "redactedAt" IS NULL ORDER BY id`,
          [m.id],
        )
      : []
    const { inReplyTo, references } = headersFrom(m.lastInbound, m.earlierIds)
    await deliverMail({
      to: m.toAddress,
      subject: m.subject ?? `[#${m.ticketId}]`,
      text: m.text,
      html: m.safeHtml ?? undefined,
      messageId: m.messageId ?? undefined,
      inReplyTo,
      references,
      automatic: m.automatic,
      headers: { 'X-Oko-Ticket': String(m.ticketId) },
      attachments: attachments.map((a) => ({ filename: a.filename, content: Buffer.from(a.content), contentType: a.contentType, cid: a.contentId ?? undefined })),
    })
    await db.query(
      `UPDATE "TicketMessage" SET "sentAt" = $1, "sendError" = NULL, "sendAfter" = NULL, "sendAttempts" = $2 WHERE id = $3`,
      [utc(new Date()), m.sendAttempts + 1, m.id],
      'outbox-sent',
    )
    logger.info({ ticket: m.ticketId, message: m.id, automatic: m.automatic }, 'ticket mail sent')
    return 'sent'
  } catch (error) {
    const attempts = m.sendAttempts + 1
    logger.warn({ err: error, ticket: m.ticketId, message: m.id, attempts }, 'ticket mail not sent; will retry')
    await db.query(`UPDATE "TicketMessage" SET "sendAttempts" = $1, "sendError" = $2, "sendAfter" = $3 WHERE id = $4`, [
      attempts,
      (error as Error).message.slice(0, 1000),
      utc(new Date(Date.now() + sendBackoffSeconds(attempts) * 1000)),
      m.id,
    ])
    return 'failed'
  }
}

export interface DeliveryResult {
  sent: number
  failed: number
}

/** One pass: up to 100 rounds of leased rows. */
async function deliverDue(): Promise<DeliveryResult> {
  const total: DeliveryResult = { sent: 0, failed: 0 }
  for (let round = 0; round < 100; round++) {
    const rows = await claim()
    if (rows.length === 0) break
    for (const row of rows) {
      const r = await deliverOne(row)
      if (r === 'sent') total.sent++
      if (r === 'failed') total.failed++
    }
  }
  return total
}

const outbox = createDrain('helpdesk-outbox', deliverDue, {
  empty: () => ({ sent: 0, failed: 0 }),
  add: (a, b) => ({ sent: a.sent + b.sent, failed: a.failed + b.failed }),
})

/** Sends what is due. One drain at a time per process; rows are leased, so processes do not send a row twice. */
export const drainOutbox = outbox.drain

/** Call after a transaction that queued mail commits (queueOutbound also calls it). */
export const notifyOutbox = outbox.wake

/** Cancels pending drains and waits for a running one (shutdown, CLI, tests). */
export const stopOutboxDrain = outbox.stop

export const deliverQueue = defineQueue<Record<string, never>>({
  name: 'helpdesk.deliver',
  cron: '* * * * *',
  retryLimit: 3,
  async handler() {
    const r = await drainOutbox()
    if (r.sent || r.failed) logger.info(r, 'ticket outbox drained')
  },
})

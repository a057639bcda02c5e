// The mail intake pipeline, one for every way in (SMTP, IMAP, the MTA pipe,
// the cabinet form): store the raw bytes → parse → de-duplicate → thread →
// apply the rules → create or update the ticket → reply.
//
// Nothing is lost: `storeInbound` returns only after the raw letter is
// committed (the SMTP 250 and the IMAP \Seen wait for it), and the same bytes
// stored twice are one row (contentHash). Processing is exactly once: the
// ticket change, the message, the reply in the outbox and the row's status
// commit in one transaction guarded by `status = 'received'`, and the message
// is unique per raw letter and per Message-ID. A crash leaves the row
// `received`; `recoverPending` (start-up and every minute) finishes it. A
// letter that crashes or fails processing repeatedly, or cannot be parsed at
// all, is quarantined: kept, visible, replayable (`replayQuarantined`).
import crypto from 'node:crypto'
import libmime from 'libmime'
import { headerValue, messageIds, readHeaderBlock } from '../../emails/inbound/headers.ts'
import { parseMail, textForRules, type MailAttachment, type NormalizedMail } from '../../emails/inbound/parse.ts'
import { stripQuotes } from '../../emails/inbound/quotes.ts'
import { extractTicketToken, normalizeSubject } from '../../emails/inbound/subject.ts'
import { isRasterImage } from '../../emails/inbound/attachments.ts'
import { acknowledgement } from '../../emails/templates/acknowledgement.ts'
import { missingInformation } from '../../emails/templates/missing-information.ts'
import type { IntakeChannel, InboundStatus, TicketState } from '~/generated/prisma/enums'
import { io } from '~/realtime/publish.server'
import { rooms } from '~/realtime/events'
import { Prisma } from '~/generated/prisma/client'
import { prisma } from '~/utils/db.server'
import { env } from '~/utils/env.server'
import { logger } from '~/utils/logger.server'
import { singleton } from '~/utils/singleton.server'
import { dbLookup, type DbIntakeOrg } from './lookup.server'
import { findReferences, isDeliverable, isOurAddress, notifyOutbox, outboundMessage, queueOutbound, ticketReference } from './outbound.server'
import { INTAKE_RULES, RULE_TITLES, judge, type IntakeInput, type IntakeLookup, type IntakeRule, type IntakeVerdict } from './rules'
import { safeHtml } from './safe-html'
import { initialSla, slaOnStateChange } from './sla'
import { STATE_LABELS, stateAfterRequesterMessage } from './states'
import { findThread, isTicketCorrespondent, type ThreadLayer } from './threading.server'
import { db, insertLetterTicket, insertMessage, insertNote, nextTicketId, sqlOf, transaction, utc, type LetterTicket, type MessageRow, type Sql } from './ticket-rows.server'

export type IntakeAction = 'created' | 'appended' | 'duplicate' | 'bounce' | 'ignored' | 'quarantined'

export type ReplyKind = 'acknowledgement' | 'missing-information' | 'data-complete'

/** What the intake made of a letter: what `intake:pipe` prints, stored on the raw mail for the desk. */
export interface IntakeOutcome {
  /** The stored raw mail (null for a dry run). */
  inboundId: number | null
  action: IntakeAction
  ticket: number | null
  state: TicketState | null
  subject: string
  from: string | null
  /** Shown text: quotes and signature stripped. */
  text: string
  attachments: { filename: string; contentType: string; size: number }[]
  /** An auto-reply, bounce, mailing list or no-reply sender. */
  automatic: boolean
  automaticKind: string | null
  verdict: { rule: IntakeRule; met: boolean; evidence: string }[]
  complete: boolean | null
  threadedBy: ThreadLayer | null
  /** The automatic reply queued, or why none was. */
  reply: { kind: ReplyKind; to: string } | { kind: null; reason: string } | null
  /** For the desk (Russian): threading decisions, duplicates, quarantine reasons. */
  notes: string[]
  /** What was odd about the letter itself (parse.ts). */
  problems: string[]
}

const MAX_ATTEMPTS = 5
const STORED_TEXT = 100_000
const AUTOREPLY_WINDOW_MS = 3600_000

// ---------------------------------------------------------------------------
// Storing

export interface StoreMeta {
  channel: IntakeChannel
  /** SMTP MAIL FROM; '' is the null sender (bounces). */
  envelopeFrom?: string | null
  envelopeTo?: string[]
  /**
   * The caller processes the letter right away with the bytes it holds
   * (`enqueueProcessing(id, raw, claimed)`): a new row is stored with its
   * first attempt already counted, which saves processing the statement that
   * would count it.
   */
  claim?: boolean
}

/** A row stored with its first attempt counted (StoreMeta.claim): what processing needs to know of it. */
export interface ClaimedRow {
  channel: IntakeChannel
  envelopeFrom: string | null
}

/**
 * Stores the raw letter and returns after the row is committed. The same
 * bytes again (a retried SMTP delivery, an IMAP message fetched twice) are
 * the same row: `duplicate: true`.
 */
export async function storeInbound(raw: Buffer, meta: StoreMeta): Promise<{ id: number; duplicate: boolean; claimed: ClaimedRow | null }> {
  if (raw.length > env().INTAKE_MAX_BYTES) throw new Error(`storeInbound: ${raw.length} bytes exceed INTAKE_MAX_BYTES; refuse the letter before storing it`)
  const contentHash = crypto.createHash('sha256').update(raw).digest('hex')
  const messageId = quickMessageId(raw)
  const inserted = await db.query<{ id: number }>(
    `INSERT INTO "InboundMail" (channel, "envelopeFrom", "envelopeTo", "contentHash", "messageId", size, raw, attempts)
     VALUES ($1::"IntakeChannel", $2, $3::text[], $4, $5, $6, $7, $8)
     ON CONFLICT ("contentHash") DO NOTHING
     RETURNING id`,
    [meta.channel, meta.envelopeFrom ?? null, meta.envelopeTo ?? [], contentHash, messageId, raw.length, raw, meta.claim ? 1 : 0],
    'intake-store',
  )
  if (inserted.length) {
    const claimed = meta.claim ? { channel: meta.channel, envelopeFrom: meta.envelopeFrom ?? null } : null
    return { id: inserted[0].id, duplicate: false, claimed }
  }
  const [existing] = await db.query<{ id: number }>(`SELECT id FROM "InboundMail" WHERE "contentHash" = $1`, [contentHash])
  return { id: existing.id, duplicate: true, claimed: null }
}

/** The Message-ID from the header block alone (no MIME parse): stored with the raw row. */
function quickMessageId(raw: Buffer): string | null {
  try {
    const id = messageIds(headerValue(readHeaderBlock(raw.subarray(0, 512 * 1024)).fields, 'message-id'))[0] ?? null
    return id && id.length <= 500 ? id : null
  } catch {
    return null
  }
}

// ---------------------------------------------------------------------------
// Processing

interface InboundRow {
  id: number
  channel: IntakeChannel
  envelopeFrom: string | null
  status: InboundStatus
  outcome: Prisma.JsonValue
  ticketId: number | null
}

const ROW_SELECT = { id: true, channel: true, envelopeFrom: true, status: true, outcome: true, ticketId: true } as const

/** Thrown inside a transaction when another worker already processed the row. */
class AlreadyProcessed extends Error {}

function isUniqueViolation(error: unknown) {
  const e = error as { code?: string; meta?: unknown; message?: string }
  return e?.code === 'P2002' || /unique constraint|duplicate key/i.test(e?.message ?? '')
}

/**
 * Processes a stored letter. Idempotent: a row already processed returns the
 * outcome it was processed with.
 */
export async function processInbound(id: number, options: { raw?: Buffer; claimed?: ClaimedRow | null } = {}): Promise<IntakeOutcome> {
  // Counted before the work: a letter that kills the process every time it is
  // read must not keep a restarting server busy forever. One statement claims
  // the attempt and reads the row (and the raw bytes, unless the caller has them);
  // a letter just stored with its attempt counted (StoreMeta.claim) needs none.
  const claimed =
    options.raw && options.claimed
      ? [{ id, ...options.claimed, attempts: 1, raw: null }]
      : await db.query<Omit<InboundRow, 'outcome' | 'ticketId' | 'status'> & { attempts: number; raw: Buffer | null }>(
          `UPDATE "InboundMail" SET attempts = attempts + 1 WHERE id = $1 AND status = 'received'
           RETURNING id, channel::text AS channel, "envelopeFrom", attempts, CASE WHEN $2 THEN raw END AS raw`,
          [id, !options.raw],
          'intake-claim',
        )
  if (!claimed.length) {
    const done = await prisma.inboundMail.findUnique({ where: { id }, select: ROW_SELECT })
    if (!done) throw new Error(`processInbound: no InboundMail ${id}`)
    return storedOutcome(done)
  }
  const { attempts, raw: stored, ...fields } = claimed[0]
  const row: InboundRow = { ...fields, status: 'received', outcome: null, ticketId: null }
  if (attempts > MAX_ATTEMPTS) {
    return quarantine(row, null, [`Обработка письма прерывалась ${attempts - 1} раз подряд: письмо отложено, его можно обработать повторно.`])
  }

  const raw = options.raw ?? stored!
  const mail = await parseMail(raw)
  if (mail.unparseable) return quarantine(row, mail, ['Письмо не удалось разобрать: оно сохранено без изменений и может быть обработано повторно.', ...mail.problems])

  try {
    const outcome = await applyMail(row, mail)
    announce(outcome)
    return outcome
  } catch (error) {
    if (error instanceof AlreadyProcessed) return storedOutcome((await prisma.inboundMail.findUniqueOrThrow({ where: { id }, select: ROW_SELECT }))!)
    const fresh = await prisma.inboundMail.findUniqueOrThrow({ where: { id }, select: ROW_SELECT })
    if (fresh.status !== 'received') return storedOutcome(fresh)
    if (isUniqueViolation(error) && mail.messageId) {
      // Another copy of the same letter (same Message-ID, other bytes) won a race.
      const first = await prisma.ticketMessage.findUnique({ where: { messageId: mail.messageId }, select: { ticketId: true } })
      if (first) return markDuplicate(row, mail, first.ticketId, 'Message-ID')
    }
    const message = error instanceof Error ? error.message : String(error)
    logger.error({ err: error, inbound: id, attempts }, 'intake: processing failed')
    if (attempts >= MAX_ATTEMPTS) return quarantine(row, mail, [`Письмо не удалось обработать (${attempts} попыток): ${message.slice(0, 500)}`])
    await prisma.inboundMail.update({ where: { id }, data: { error: message.slice(0, 2000) } })
    throw error
  }
}

function baseOutcome(id: number | null, mail: NormalizedMail): IntakeOutcome {
  return {
    inboundId: id,
    action: 'ignored',
    ticket: null,
    state: null,
    subject: mail.subject,
    from: mail.from?.address ?? null,
    text: mail.shownText.length > STORED_TEXT ? `${mail.shownText.slice(0, STORED_TEXT)}…` : mail.shownText,
    attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
    automatic: mail.automatic.isAutomatic,
    automaticKind: mail.automatic.kind,
    verdict: [],
    complete: null,
    threadedBy: null,
    reply: null,
    notes: [],
    problems: mail.problems,
  }
}

function storedOutcome(row: InboundRow): IntakeOutcome {
  const stored = row.outcome as unknown as IntakeOutcome | null
  if (stored && typeof stored === 'object' && 'action' in stored) return stored
  // A row finished by hand or before outcomes were kept.
  return {
    inboundId: row.id,
    action: row.status === 'duplicate' ? 'duplicate' : row.status === 'quarantined' ? 'quarantined' : row.status === 'ignored' ? 'ignored' : 'appended',
    ticket: row.ticketId,
    state: null,
    subject: '',
    from: null,
    text: '',
    attachments: [],
    automatic: false,
    automaticKind: null,
    verdict: [],
    complete: null,
    threadedBy: null,
    reply: null,
    notes: [],
    problems: [],
  }
}

async function finish(row: InboundRow, status: InboundStatus, outcome: IntakeOutcome, error: string | null = null) {
  const { count } = await prisma.inboundMail.updateMany({
    where: { id: row.id, status: 'received' },
    data: { status, outcome: outcome as unknown as Prisma.InputJsonValue, processedAt: new Date(), ticketId: outcome.ticket, error },
  })
  if (!count) return storedOutcome(await prisma.inboundMail.findUniqueOrThrow({ where: { id: row.id }, select: ROW_SELECT }))
  return outcome
}

async function quarantine(row: InboundRow, mail: NormalizedMail | null, reasons: string[]): Promise<IntakeOutcome> {
  const outcome: IntakeOutcome = mail ? baseOutcome(row.id, mail) : { ...storedOutcome({ ...row, outcome: null }), action: 'quarantined' }
  outcome.action = 'quarantined'
  outcome.notes = reasons
  logger.warn({ inbound: row.id, reasons }, 'intake: letter quarantined')
  const result = await finish(row, 'quarantined', outcome, reasons.join('\n').slice(0, 2000))
  announce(result)
  return result
}

async function markDuplicate(row: InboundRow, mail: NormalizedMail, ticketId: number | null, by: string): Promise<IntakeOutcome> {
  const outcome = baseOutcome(row.id, mail)
  outcome.action = 'duplicate'
  outcome.ticket = ticketId
  outcome.notes = [`Это письмо уже получено (совпадает ${by}${ticketId ? `, обращение #${ticketId}` : ''}): повторно не обработано.`]
  return finish(row, 'duplicate', outcome)
}

function announce(outcome: IntakeOutcome) {
  const server = io()
  if (!server || !outcome.ticket) return
  server.to([rooms.desk, rooms.ticket(outcome.ticket)]).emit('ticket:changed', { id: outcome.ticket, reason: `intake:${outcome.action}` })
}

// --- the letter's facts ------------------------------------------------------

/** Studies named in a subject or text; the first one found names the queue. */
const STUDY_PATTERNS: [string, RegExp][] = [
  ['ВПР СПО', /(?<![\p{L}])ВПР[\s-]+СПО(?![\p{L}])/iu],
  ['НИКО', /(?<![\p{L}])НИКО(?![\p{L}])/u],
  ['МСИ', /(?<![\p{L}])(МСИ|PISA|TIMSS|PIRLS)(?![\p{L}])/u],
  ['ИКУ', /(?<![\p{L}])ИКУ(?![\p{L}])/u],
  ['ФГККО', /(?<![\p{L}])ФГККО(?![\p{L}])/u],
  ['500+', /(?<![\p{L}\d])500\s*\+/u],
  ['МУМ', /(?<![\p{L}])МУМ(?![\p{L}])/u],
  ['ВПР', /(?<![\p{L}])ВПР(?![\p{L}])/iu],
]

export function detectStudy(...texts: string[]): string | null {
  const text = texts.join('\n')
  return STUDY_PATTERNS.find(([, re]) => re.test(text))?.[0] ?? null
}

/** Headers our cabinet form writes (web-ticket.server.ts); trusted on channel web only. */
export interface CabinetHeaders {
  accountId: number | null
  ticketId: number | null
  login: string | null
  orgName: string | null
  study: string | null
}

function decodeWords(value: string | null): string | null {
  if (!value) return null
  try {
    return libmime.decodeWords(value).trim() || null
  } catch {
    return value.trim() || null
  }
}

function cabinetHeaders(mail: NormalizedMail): CabinetHeaders {
  const num = (name: string) => {
    const n = Number(headerValue(mail.headers, name))
    return Number.isSafeInteger(n) && n > 0 ? n : null
  }
  return {
    accountId: num('x-oko-account'),
    ticketId: num('x-oko-ticket'),
    login: decodeWords(headerValue(mail.headers, 'x-oko-login')),
    orgName: decodeWords(headerValue(mail.headers, 'x-oko-org-name')),
    study: decodeWords(headerValue(mail.headers, 'x-oko-study')),
  }
}

const verdictSummary = (v: IntakeVerdict) => v.rules.map((r) => ({ rule: r.rule, met: r.met, evidence: r.evidence }))

/** Where an automatic reply would go, or why it must not be sent. */
function replyAddress(mail: NormalizedMail, row: InboundRow): { to: string } | { reason: string } {
  const to = (mail.replyTo?.address ?? mail.from?.address ?? '').toLowerCase()
  if (!mail.from) return { reason: 'нет отправителя: ответить некому' }
  if (mail.automatic.isAutomatic) return { reason: `автоматическое письмо (${mail.automatic.reasons.join('; ')}): на него не отвечаем` }
  if (row.envelopeFrom === '') return { reason: 'пустой адрес возврата (MAIL FROM:<>): на такие письма не отвечаем' }
  if (isOurAddress(to) || isOurAddress(mail.from.address)) return { reason: 'письмо с нашего адреса' }
  if (/^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_]daemon|postmaster)([-_.+].*)?@/i.test(to)) return { reason: `адрес ${to} не принимает ответы` }
  if (!isDeliverable(to)) return { reason: row.channel === 'web' ? 'обращение из кабинета без адреса почты: ответ виден в кабинете' : `адрес ${to || '(пусто)'} не годится для ответа` }
  return { to }
}

type Tx = Prisma.TransactionClient

/** Automatic replies to the address within the window; over the limit, none is sent (no reply storm). */
async function autoReplyAllowed(sql: Sql, to: string, now: Date): Promise<boolean> {
  const [{ sent }] = await sql.query<{ sent: number }>(
    `SELECT count(*)::int AS sent FROM "TicketMessage"
     WHERE kind = 'OUTBOUND' AND automatic AND "toAddress" = $1 AND "createdAt" >= $2`,
    [to, utc(new Date(now.getTime() - AUTOREPLY_WINDOW_MS))],
  )
  return sent < env().INTAKE_AUTOREPLY_LIMIT
}

function ruleLines(verdict: IntakeVerdict) {
  const lines = verdict.rules.map((r) => ({ title: RULE_TITLES[r.rule], evidence: r.evidence, hint: r.hint, met: r.met }))
  return { missing: lines.filter((l) => !l.met), found: lines.filter((l) => l.met) }
}

function orgLabel(org: IntakeVerdict['org']) {
  return org ? `${org.name} (${org.login})` : null
}

/** A letter's files refer to its stored raw bytes (read back by attachments.server.ts): its bytes are written once. */
function attachmentRows(inboundId: number, attachments: MailAttachment[]) {
  return attachments.map((a, i) => ({
    filename: a.filename,
    contentType: a.contentType,
    size: a.size,
    sha256: a.sha256,
    inline: a.inline,
    contentId: a.contentId,
    inboundMailId: inboundId,
    inboundPart: i,
  }))
}


function messageData(row: InboundRow, mail: NormalizedMail, ticketId: number, authorId: number | null, automatic: boolean): MessageRow {
  return {
    ticketId,
    kind: 'INBOUND',
    inboundMailId: row.id,
    messageId: mail.messageId,
    fromAddress: mail.from?.address ?? null,
    fromName: mail.from?.name || null,
    toAddress: mail.to[0]?.address ?? null,
    authorId,
    subject: mail.subject || null,
    text: mail.text,
    shownText: mail.shownText,
    safeHtml: safeHtml(mail.html),
    automatic,
    attachments: attachmentRows(row.id, mail.attachments),
  }
}

/** The whole conversation as the rules read it: every letter from the requester's side, and all their files. */
async function conversationInput(ticketId: number, mail: NormalizedMail, subject: string): Promise<IntakeInput> {
  const earlier = await prisma.ticketMessage.findMany({
    where: { ticketId, kind: 'INBOUND', automatic: false },
    select: { text: true, attachments: { select: { filename: true, contentType: true, inline: true } } },
    orderBy: { id: 'asc' },
  })
  const texts = earlier.map((m) => {
    const { shown, signature } = stripQuotes(m.text)
    return textForRules({ shownText: shown, signature })
  })
  texts.push(textForRules(mail))
  const attachments = [
    ...earlier.flatMap((m) => m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, inline: a.inline, isImage: isRasterImage(a.contentType) }))),
    ...mail.attachments,
  ]
  return { subject, text: texts.join('\n\n').slice(0, 500_000), attachments: attachments.slice(0, 500), fromAddress: mail.from?.address }
}

function ruleInput(mail: NormalizedMail, cabinet: CabinetHeaders | null): IntakeInput {
  return {
    subject: mail.subject,
    text: textForRules(mail).slice(0, 500_000),
    attachments: mail.attachments.slice(0, 500),
    fromAddress: mail.from?.address,
    fields: cabinet && (cabinet.login || cabinet.orgName) ? { login: cabinet.login ?? undefined, orgName: cabinet.orgName ?? undefined } : undefined,
  }
}

/** Judges with the database; the organisation the verdict found, with its id. */
async function judgeWithDb(input: IntakeInput, lookup: IntakeLookup = dbLookup()) {
  const verdict = await judge(input, lookup)
  return { verdict, org: verdict.org as DbIntakeOrg | null }
}

async function applyMail(row: InboundRow, mail: NormalizedMail): Promise<IntakeOutcome> {
  const outcome = baseOutcome(row.id, mail)
  const sender = mail.from?.address ?? null

  // One statement for what the letter needs to know first (ticket-rows.server.ts says why round trips matter):
  // de-duplicate (the same letter with other bytes: another route, a re-sent copy), the sender's account,
  // and the new ticket's number when nothing in the letter points at an existing ticket.
  const cabinetAccount = row.channel === 'web' ? cabinetHeaders(mail).accountId : null
  const [probe] = await db.query<{ seen: boolean; seenTicket: number | null; users: number[]; nextTicket: number | null }>(
    `WITH seen AS (
       SELECT "ticketId" FROM "TicketMessage" WHERE $1::text IS NOT NULL AND "messageId" = $1 AND "inboundMailId" IS DISTINCT FROM $2
       UNION ALL
       SELECT "ticketId" FROM "InboundMail" WHERE $1::text IS NOT NULL AND "messageId" = $1 AND id <> $2 AND status IN ('processed', 'ignored')
       LIMIT 1)
     SELECT EXISTS (SELECT 1 FROM seen) AS seen, (SELECT "ticketId" FROM seen) AS "seenTicket",
       ARRAY(SELECT id FROM "User" WHERE $3::text IS NOT NULL AND lower(email) = lower($3) AND NOT disabled LIMIT 2) AS users,
       CASE WHEN $4 THEN nextval(pg_get_serial_sequence('"Ticket"', 'id'))::int END AS "nextTicket"`,
    [mail.messageId, row.id, sender && cabinetAccount === null ? sender : null, likelyNewTicket(mail, row)],
    'intake-probe',
  )
  if (probe.seen) return markDuplicate(row, mail, probe.seenTicket, 'Message-ID')

  if (sender && isOurAddress(sender) && row.channel !== 'web') {
    outcome.notes.push('Письмо отправлено с нашего же адреса: не обрабатывается (защита от петли).')
    return finish(row, 'ignored', outcome)
  }

  const cabinet = row.channel === 'web' ? cabinetHeaders(mail) : null
  const thread = await findThread(prisma, { mail, sender, channel: row.channel, cabinetTicketId: cabinet?.ticketId })
  outcome.threadedBy = thread.layer
  outcome.notes.push(...thread.notes)
  const kind = mail.automatic.kind ?? (row.envelopeFrom === '' ? 'bounce' : null)

  // A bounce may name the ticket only by the token in the subject it quotes: a note is harmless.
  if (kind === 'bounce') return bounceNote(row, mail, outcome, thread.ticketId ?? thread.relatedTicketId)
  if ((kind === 'auto-reply' || kind === 'list') && !thread.ticketId) {
    outcome.notes.push(kind === 'list' ? 'Письмо рассылки: обращение не создаётся.' : 'Автоматический ответ, не относящийся ни к одному обращению: обращение не создаётся.')
    return finish(row, 'ignored', outcome)
  }
  if (kind === 'list') {
    outcome.notes.push('Письмо рассылки: в обращение не добавлено.')
    return finish(row, 'ignored', outcome)
  }

  const study = cabinet?.study ?? detectStudy(mail.subject, mail.shownText)
  const reply = replyAddress(mail, row)
  const requesterId = cabinet?.accountId ?? (probe.users.length === 1 ? probe.users[0] : null)

  if (thread.ticketId) {
    const ticket = await prisma.ticket.findUniqueOrThrow({ where: { id: thread.ticketId }, select: { subject: true } })
    const automatic = kind === 'auto-reply'
    const { verdict, org } = automatic ? { verdict: null, org: null } : await judgeWithDb(await conversationInput(thread.ticketId, mail, ticket.subject))
    return appendToTicket(row, mail, outcome, { ticketId: thread.ticketId, layer: thread.layer!, verdict, org, study, reply, automatic, authorId: cabinet?.accountId ?? null })
  }

  const { verdict, org } = await judgeWithDb(ruleInput(mail, cabinet))
  return createTicket(row, mail, outcome, {
    ticketId: probe.nextTicket,
    verdict,
    org,
    study,
    reply,
    requesterId,
    relatedTicketId: thread.relatedTicketId,
    authorId: cabinet?.accountId ?? null,
    notes: thread.notes,
  })
}

/**
 * Nothing in the letter can thread it into a ticket (threading.server.ts):
 * it most likely starts one, so its number is taken with the first
 * statement. A guess only: a number taken for a letter filed otherwise is a gap.
 */
function likelyNewTicket(mail: NormalizedMail, row: InboundRow): boolean {
  if (row.channel === 'web' || mail.automatic.isAutomatic || row.envelopeFrom === '') return false
  if (mail.inReplyTo || mail.references.length || mail.bounce || extractTicketToken(mail.subject) !== null) return false
  const refs = findReferences(mail.text)
  return refs.verified.length === 0 && refs.forged.length === 0
}

async function markProcessed(sql: Sql, row: InboundRow, status: InboundStatus, outcome: IntakeOutcome) {
  const done = await sql.query(
    `UPDATE "InboundMail" SET status = $1::"InboundStatus", outcome = $2::jsonb, "processedAt" = $3, "ticketId" = $4, error = NULL
     WHERE id = $5 AND status = 'received' RETURNING id`,
    [status, JSON.stringify(outcome), utc(new Date()), outcome.ticket, row.id],
  )
  if (!done.length) throw new AlreadyProcessed()
}

/** Short transactions: PGlite serialises connections (ENVIRONMENT.md). */
const TX = { maxWait: 30_000, timeout: 30_000 }

async function bounceNote(row: InboundRow, mail: NormalizedMail, outcome: IntakeOutcome, ticketId: number | null): Promise<IntakeOutcome> {
  if (!ticketId) {
    outcome.notes.push('Уведомление о недоставке, не относящееся ни к одному обращению: сохранено, обращение не создаётся.')
    return finish(row, 'ignored', outcome)
  }
  const b = mail.bounce
  const text = [
    `Письмо не доставлено${b?.recipient ? ` адресату ${b.recipient}` : ''}.`,
    b?.status ? `Код: ${b.status}${b.action ? ` (${b.action})` : ''}.` : null,
    b?.diagnostic ? `Причина: ${b.diagnostic}` : null,
    'Ответ на уведомление не отправляется.',
  ]
    .filter(Boolean)
    .join('\n')
  outcome.action = 'bounce'
  outcome.ticket = ticketId
  await transaction(async (sql) => {
    const [t] = await sql.query<{ state: TicketState }>(`SELECT state::text AS state FROM "Ticket" WHERE id = $1`, [ticketId])
    outcome.state = t.state
    await insertMessage(sql, { ...messageData(row, mail, ticketId, null, true), kind: 'SYSTEM', text: `${text}\n\n${mail.text}`.trim(), shownText: text })
    await markProcessed(sql, row, 'processed', outcome)
  })
  return outcome
}

interface CreateArgs {
  /** Taken ahead by applyMail's first statement, or null: taken here. */
  ticketId: number | null
  verdict: IntakeVerdict
  org: DbIntakeOrg | null
  study: string | null
  reply: { to: string } | { reason: string }
  requesterId: number | null
  relatedTicketId: number | null
  authorId: number | null
  notes: string[]
}

/** A new ticket from the letter: everything in one statement (insertLetterTicket). */
async function createTicket(row: InboundRow, mail: NormalizedMail, outcome: IntakeOutcome, args: CreateArgs): Promise<IntakeOutcome> {
  const { verdict, org } = args
  const now = new Date()
  const state: TicketState = verdict.complete ? 'NEW' : 'WAITING_INFO'
  const subject = normalizeSubject(mail.subject) || '(без темы)'
  const automatic = mail.automatic.isAutomatic
  outcome.action = 'created'
  outcome.state = state
  outcome.verdict = verdictSummary(verdict)
  outcome.complete = verdict.complete
  const sender = mail.from?.address ?? null
  const participants = [...new Set([...mail.cc, ...(mail.replyTo ? [mail.replyTo] : [])].map((a) => a.address.toLowerCase()))].filter(
    (a) => a !== sender && !isOurAddress(a),
  )
  const ticketId = args.ticketId ?? (await nextTicketId(db))
  outcome.ticket = ticketId
  const notes = [...args.notes]
  if (!sender) notes.push('В письме нет адреса отправителя: ответить по почте нельзя.')

  // The automatic reply, rendered for the ticket's number; the statement sends it only while the sender is under the limit.
  const kind: ReplyKind = verdict.complete ? 'acknowledgement' : 'missing-information'
  let reply: LetterTicket['reply'] = null
  let replied: IntakeOutcome['reply'] = 'reason' in args.reply ? { kind: null, reason: args.reply.reason } : null
  let limited: IntakeOutcome['reply'] = replied
  if ('to' in args.reply) {
    const { to } = args.reply
    const rendered = renderReply({ ticketId, subject, mail, kind, verdict, again: false })
    const reason = autoReplyLimitReason(to)
    replied = { kind, to }
    limited = { kind: null, reason }
    reply = {
      message: outboundMessage({ ticketId, kind: 'OUTBOUND', to, subject: rendered.subject, text: rendered.text, html: rendered.html, automatic: true }),
      limit: env().INTAKE_AUTOREPLY_LIMIT,
      since: new Date(now.getTime() - AUTOREPLY_WINDOW_MS),
      limitedNote: `Автоматический ответ не отправлен: ${reason}.`,
    }
  }

  const result = await insertLetterTicket(db, {
    inboundId: row.id,
    ticket: {
      id: ticketId,
      subject: subject.slice(0, 500),
      study: args.study,
      state,
      priority: 'NORMAL',
      channel: row.channel,
      requesterEmail: sender && !/\.invalid$/i.test(sender) ? sender : null,
      requesterName: mail.from?.name || null,
      requesterId: args.requesterId,
      organizationId: org?.id ?? null,
      verdict,
      now,
      ...initialSla('NORMAL', state, now),
    },
    participants,
    message: messageData(row, mail, ticketId, args.authorId, automatic),
    notes: notes.length ? [notes.join('\n')] : [],
    related: args.relatedTicketId
      ? { ticketId: args.relatedTicketId, text: `Новое письмо ссылалось на это обращение и зарегистрировано как обращение #${ticketId}.` }
      : null,
    reply,
    outcome: { replied: { ...outcome, reply: replied }, limited: { ...outcome, reply: limited } },
    now,
  })
  if (!result.done) throw new AlreadyProcessed()
  outcome.reply = result.replied ? replied : limited
  if (result.replied) notifyOutbox()
  return outcome
}

interface AppendArgs {
  ticketId: number
  layer: ThreadLayer
  verdict: IntakeVerdict | null
  org: DbIntakeOrg | null
  study: string | null
  reply: { to: string } | { reason: string }
  automatic: boolean
  authorId: number | null
}

async function appendToTicket(row: InboundRow, mail: NormalizedMail, outcome: IntakeOutcome, args: AppendArgs): Promise<IntakeOutcome> {
  const { verdict, org } = args
  const now = new Date()
  const sender = mail.from?.address?.toLowerCase() ?? null
  outcome.action = 'appended'
  outcome.ticket = args.ticketId
  if (verdict) {
    outcome.verdict = verdictSummary(verdict)
    outcome.complete = verdict.complete
  }

  await prisma.$transaction(async (tx) => {
    // Serialises letters to one ticket (and the desk's changes to it).
    await tx.$queryRaw`SELECT id FROM "Ticket" WHERE id = ${args.ticketId} FOR UPDATE`
    const t = await tx.ticket.findUniqueOrThrow({
      where: { id: args.ticketId },
      select: {
        id: true,
        subject: true,
        state: true,
        priority: true,
        createdAt: true,
        firstResponseAt: true,
        resolvedAt: true,
        firstResponseDueAt: true,
        resolutionDueAt: true,
        slaPausedAt: true,
        organizationId: true,
        study: true,
        requesterEmail: true,
        verdict: true,
      },
    })
    const sql = sqlOf(tx)
    await insertMessage(sql, messageData(row, mail, t.id, args.authorId, args.automatic))
    if (args.automatic || !verdict) {
      outcome.state = t.state
      outcome.reply = { kind: null, reason: 'автоматический ответ: добавлен в обращение без ответа' }
      await markProcessed(sql, row, 'processed', outcome)
      return
    }
    const next = stateAfterRequesterMessage(t.state, verdict.complete)
    const data: Prisma.TicketUpdateInput = {
      lastMessageAt: now,
      verdict: verdict as unknown as Prisma.InputJsonValue,
      ...(t.organizationId === null && org ? { organization: { connect: { id: org.id } } } : {}),
      ...(t.study === null && args.study ? { study: args.study } : {}),
    }
    if (next !== t.state) {
      Object.assign(data, { state: next, ...slaOnStateChange(t, next, now) })
      if (t.state === 'RESOLVED') data.resolvedAt = null
      const note = `Заявитель ответил: «${STATE_LABELS[t.state]}» → «${STATE_LABELS[next]}»${t.state === 'WAITING_INFO' ? ' (данных достаточно)' : ''}.`
      await insertNote(sql, t.id, note)
    }
    await tx.ticket.update({ where: { id: t.id }, data })
    outcome.state = next
    // Someone who answered our thread (by our Message-ID or reference) may write into it again.
    if (sender && (args.layer === 'message-id' || args.layer === 'marker') && !isOurAddress(sender) && !(await isTicketCorrespondent(tx, t, sender))) {
      await tx.ticketParticipant.createMany({ data: [{ ticketId: t.id, email: sender }], skipDuplicates: true })
    }
    if (t.state === 'WAITING_INFO') {
      const before = ((t.verdict as unknown as IntakeVerdict | null)?.missing ?? []) as IntakeRule[]
      const changed = before.length !== verdict.missing.length || before.some((r) => !verdict.missing.includes(r))
      if (verdict.complete) {
        outcome.reply = await autoReply(sql, { ticketId: t.id, subject: t.subject, mail, reply: args.reply, now, kind: 'data-complete', verdict, again: true })
      } else if (changed) {
        outcome.reply = await autoReply(sql, { ticketId: t.id, subject: t.subject, mail, reply: args.reply, now, kind: 'missing-information', verdict, again: true })
      } else {
        outcome.reply = { kind: null, reason: 'недостающие сведения не изменились: повторный запрос не отправляется' }
      }
    } else {
      outcome.reply = { kind: null, reason: 'обращение уже у специалистов: автоматический ответ не нужен' }
    }
    await markProcessed(sql, row, 'processed', outcome)
  }, TX)
  if (outcome.reply?.kind) notifyOutbox()
  return outcome
}

async function autoReply(
  sql: Sql,
  args: { ticketId: number; subject: string; mail: NormalizedMail; reply: { to: string } | { reason: string }; now: Date; kind: ReplyKind; verdict: IntakeVerdict; again: boolean },
): Promise<IntakeOutcome['reply']> {
  if ('reason' in args.reply) return { kind: null, reason: args.reply.reason }
  const { to } = args.reply
  if (!(await autoReplyAllowed(sql, to, args.now))) {
    const reason = autoReplyLimitReason(to)
    await insertNote(sql, args.ticketId, `Автоматический ответ не отправлен: ${reason}.`)
    return { kind: null, reason }
  }
  const rendered = renderReply(args)
  await queueOutbound(sql, { ticketId: args.ticketId, kind: 'OUTBOUND', to, subject: rendered.subject, text: rendered.text, html: rendered.html, automatic: true }, { ticketSubject: args.subject })
  return { kind: args.kind, to }
}

const autoReplyLimitReason = (to: string) => `лимит автоматических ответов на адрес ${to} (${env().INTAKE_AUTOREPLY_LIMIT} в час) исчерпан`

function renderReply(args: { ticketId: number; subject: string; mail: NormalizedMail; kind: ReplyKind; verdict: IntakeVerdict; again: boolean }) {
  const props = { ticketId: args.ticketId, reference: ticketReference(args.ticketId), subject: args.subject, requesterName: args.mail.from?.name }
  return args.kind === 'missing-information'
    ? missingInformation({ ...props, ...ruleLines(args.verdict), again: args.again })
    : acknowledgement({ ...props, variant: args.kind === 'acknowledgement' ? 'new' : 'complete', organization: orgLabel(args.verdict.org) })
}

// ---------------------------------------------------------------------------
// Dry run, recovery, replay

/** Parses and judges a letter without storing anything (`intake:pipe --dry-run`). */
export async function dryRunInbound(raw: Buffer, lookup: IntakeLookup = dbLookup()): Promise<IntakeOutcome> {
  const mail = await parseMail(raw)
  const outcome = baseOutcome(null, mail)
  if (mail.unparseable) {
    outcome.action = 'quarantined'
    outcome.notes = ['Письмо не удалось разобрать: оно было бы отложено (карантин).', ...mail.problems]
    return outcome
  }
  const { verdict } = await judgeWithDb(ruleInput(mail, null), lookup)
  outcome.verdict = verdictSummary(verdict)
  outcome.complete = verdict.complete
  outcome.action = mail.automatic.kind === 'bounce' ? 'bounce' : mail.automatic.kind === 'auto-reply' || mail.automatic.kind === 'list' ? 'ignored' : 'created'
  outcome.state = outcome.action === 'created' ? (verdict.complete ? 'NEW' : 'WAITING_INFO') : null
  const reply = replyAddress(mail, { id: 0, channel: 'pipe', envelopeFrom: null, status: 'received', outcome: null, ticketId: null })
  outcome.reply = outcome.action !== 'created' ? null : 'to' in reply ? { kind: verdict.complete ? 'acknowledgement' : 'missing-information', to: reply.to } : { kind: null, reason: reply.reason }
  outcome.notes.push('Пробный разбор (--dry-run): ничего не сохранено; продолжение существующего обращения не проверялось.')
  return outcome
}

/** Processes every letter still `received` (after a crash, or a failed attempt). Returns how many were processed. */
export async function recoverPending(options: { limit?: number } = {}): Promise<{ processed: number; failed: number }> {
  const result = { processed: 0, failed: 0 }
  let after = 0
  for (;;) {
    const rows = await prisma.inboundMail.findMany({
      where: { status: 'received', id: { gt: after } },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: Math.min(options.limit ?? 200, 200),
    })
    if (rows.length === 0) break
    for (const { id } of rows) {
      after = id
      if (pipeline.inFlight.has(id)) continue
      pipeline.inFlight.add(id)
      try {
        await processInbound(id)
        result.processed++
      } catch (error) {
        logger.warn({ err: error, inbound: id }, 'intake: recovery could not process a letter; it stays for the next round')
        result.failed++
      } finally {
        pipeline.inFlight.delete(id)
      }
    }
    if (options.limit && result.processed + result.failed >= options.limit) break
  }
  return result
}

/** Sends a quarantined letter through the pipeline again (after a fix, or to retry). */
export async function replayQuarantined(id: number): Promise<IntakeOutcome | null> {
  const { count } = await prisma.inboundMail.updateMany({
    where: { id, status: 'quarantined' },
    data: { status: 'received', attempts: 0, error: null, outcome: Prisma.DbNull, processedAt: null, ticketId: null },
  })
  if (!count) return null
  return processInbound(id)
}


// ---------------------------------------------------------------------------
// Processing in the background of a listener

/** Raw letters kept in memory for processing (the listener has them already): up to this many bytes. */
const RAW_BUDGET = 64 * 1024 * 1024

const pipeline = singleton('intake-pipeline', () => ({
  queue: [] as number[],
  raws: new Map<number, { raw: Buffer; claimed: ClaimedRow | null }>(),
  rawBytes: 0,
  inFlight: new Set<number>(),
  running: 0,
  processed: 0,
  failed: 0,
  idle: [] as (() => void)[],
}))

/**
 * Processes a stored letter soon, in this process, a few at a time
 * (INTAKE_CONCURRENCY). The listener has already answered the sender.
 */
export function enqueueProcessing(id: number, raw?: Buffer, claimed: ClaimedRow | null = null) {
  if (pipeline.inFlight.has(id) || pipeline.queue.includes(id)) return
  // Over the budget the bytes are read back from the database (and the attempt counted again there).
  if (raw && pipeline.rawBytes + raw.length <= RAW_BUDGET) {
    pipeline.raws.set(id, { raw, claimed })
    pipeline.rawBytes += raw.length
  }
  pipeline.queue.push(id)
  pump()
}

function pump() {
  while (pipeline.running < env().INTAKE_CONCURRENCY && pipeline.queue.length) {
    const id = pipeline.queue.shift()!
    if (pipeline.inFlight.has(id)) continue
    pipeline.inFlight.add(id)
    pipeline.running++
    const held = pipeline.raws.get(id)
    if (held) {
      pipeline.raws.delete(id)
      pipeline.rawBytes -= held.raw.length
    }
    processInbound(id, { raw: held?.raw, claimed: held?.claimed })
      .then(() => pipeline.processed++)
      .catch((error) => {
        pipeline.failed++
        logger.warn({ err: error, inbound: id }, 'intake: processing failed; recovery retries it')
      })
      .finally(() => {
        pipeline.inFlight.delete(id)
        pipeline.running--
        pump()
        if (pipeline.running === 0 && pipeline.queue.length === 0) for (const resolve of pipeline.idle.splice(0)) resolve()
      })
  }
}

/** Resolves when nothing is queued or being processed in this process. */
export function intakeIdle(): Promise<void> {
  if (pipeline.running === 0 && pipeline.queue.length === 0) return Promise.resolve()
  return new Promise((resolve) => pipeline.idle.push(resolve))
}

export function pipelineStats() {
  return { queued: pipeline.queue.length, processing: pipeline.running, processed: pipeline.processed, failed: pipeline.failed }
}

/** Letters stored but not processed yet, in the database (all processes). */
export function pendingCount() {
  return prisma.inboundMail.count({ where: { status: 'received' } })
}

export { INTAKE_RULES }

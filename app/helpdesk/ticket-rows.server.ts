// The rows the intake writes for every letter, in plain SQL on a small pg
// pool of its own. Every Prisma query, raw ones included, goes through the
// client engine's query compiler in this process: a few milliseconds each,
// more than the embedded database's own work for most of them; on the
// intake's path that capped throughput far below the goal (issue 5: ≥ 40
// letters/s). Columns and defaults follow prisma/schema.prisma; the desk
// reads these rows through Prisma as usual, and callers inside a Prisma
// transaction (the desk's replies) use the same functions through `sqlOf(tx)`.
//
// PGlite serialises connections: a transaction on this pool must never wait
// for a Prisma query (another connection) — that would deadlock there.
import pg from 'pg'
import type { IntakeChannel, TicketMessageKind, TicketPriority, TicketState } from '~/generated/prisma/enums'
import type { Prisma } from '~/utils/db.server'
import { singleton } from '~/utils/singleton.server'

/** Something that runs a parameterised statement: the intake's pool, a client in a transaction, or a Prisma transaction. */
export interface Sql {
  /**
   * `name` prepares the statement once per connection and reuses its plan:
   * for the intake's hot statements planning costs as much as running them.
   * A name always goes with the same text. Prisma transactions ignore it.
   */
  query<T>(text: string, params?: unknown[], name?: string): Promise<T[]>
}

type PrismaLike = Pick<Prisma.TransactionClient, '$queryRawUnsafe'>

export function isSql(value: unknown): value is Sql {
  return typeof (value as Sql)?.query === 'function'
}

/** A Prisma client or transaction as an Sql. */
export function sqlOf(client: Sql | PrismaLike): Sql {
  if (isSql(client)) return client
  return { query: <T>(text: string, params: unknown[] = []) => client.$queryRawUnsafe<T[]>(text, ...params) }
}

const state = singleton('intake-sql', () => ({ pool: null as pg.Pool | null, url: '', clients: 0 }))

/**
 * A named (prepared) statement's name on one connection. The embedded
 * database serves every connection from one PostgreSQL session
 * (pglite-socket), where a name prepared by one connection exists for all:
 * each connection prepares its own copy under a name of its own.
 */
type Named = pg.PoolClient & { statementSuffix?: string }

function run(client: pg.PoolClient, text: string, params: unknown[], name?: string) {
  const suffix = (client as Named).statementSuffix
  return client.query(name && suffix ? { name: `${name}.${suffix}`, text, values: params } : { text, values: params })
}

function pool(): pg.Pool {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL is not set: the server sets it before the intake runs.')
  if (!state.pool || state.url !== url) {
    // A new database (tests switch per file): the old pool goes.
    void state.pool?.end().catch(() => undefined)
    // Idle connections stay open: each keeps its prepared statements (below).
    state.pool = new pg.Pool({ connectionString: url, max: 3, idleTimeoutMillis: 0, allowExitOnIdle: true })
    state.pool.on('error', () => undefined)
    state.pool.on('connect', (client) => {
      ;(client as Named).statementSuffix = `${process.pid}.${++state.clients}`
    })
    state.url = url
  }
  return state.pool
}

/** The intake's pool as an Sql (statements outside a transaction). */
export const db: Sql = {
  async query<T>(text: string, params: unknown[] = [], name?: string) {
    if (!name) return (await pool().query(text, params)).rows as T[]
    const client = await pool().connect()
    try {
      return (await run(client, text, params, name)).rows as T[]
    } finally {
      client.release()
    }
  },
}

/** Runs `fn` in a transaction on one connection of the intake's pool. */
export async function transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await pool().connect()
  const sql: Sql = {
    query: async <R>(text: string, params: unknown[] = [], name?: string) => (await run(client, text, params, name)).rows as R[],
  }
  try {
    await client.query('BEGIN')
    const result = await fn(sql)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

export async function closeIntakeSql() {
  const p = state.pool
  state.pool = null
  await p?.end().catch(() => undefined)
}

export interface AttachmentRow {
  filename: string
  contentType: string
  size: number
  sha256: string
  inline?: boolean
  contentId?: string | null
  /** The bytes; leave out for a part of a stored letter (`inboundMailId`), read from the raw letter instead. */
  content?: Buffer | Uint8Array
  inboundMailId?: number | null
  /** Index of the part in parseMail(raw).attachments. */
  inboundPart?: number | null
}

export interface MessageRow {
  ticketId: number
  kind: TicketMessageKind
  inboundMailId?: number | null
  messageId?: string | null
  fromAddress?: string | null
  fromName?: string | null
  toAddress?: string | null
  authorId?: number | null
  subject?: string | null
  text: string
  shownText: string
  safeHtml?: string | null
  automatic?: boolean
  sentAt?: Date | null
  sendError?: string | null
  attachments?: AttachmentRow[]
}

export interface InsertedMessage {
  id: number
  ticketId: number
  kind: TicketMessageKind
  messageId: string | null
  toAddress: string | null
  authorId: number | null
  subject: string | null
  text: string
  shownText: string
  automatic: boolean
  sentAt: Date | null
  createdAt: Date
}

/**
 * Prisma's DateTime columns are timestamp without time zone, in UTC. pg
 * would write and read a Date in the process's local time: dates go in as
 * ISO strings (the zone is ignored, the UTC clock time kept) and come out
 * through AT TIME ZONE 'UTC'.
 */
export const utc = (d: Date | null | undefined) => (d ? d.toISOString() : null)

const asBuffer = (b: Buffer | Uint8Array | undefined) => (!b ? Buffer.alloc(0) : Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength))

export async function insertMessage(sql: Sql, m: MessageRow): Promise<InsertedMessage> {
  const [row] = await sql.query<InsertedMessage>(
    `INSERT INTO "TicketMessage" ("ticketId", kind, "inboundMailId", "messageId", "fromAddress", "fromName", "toAddress", "authorId",
       subject, text, "shownText", "safeHtml", automatic, "sentAt", "sendError")
     VALUES ($1, $2::"TicketMessageKind", $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     RETURNING id, "ticketId", kind, "messageId", "toAddress", "authorId", subject, text, "shownText", automatic,
       "sentAt" AT TIME ZONE 'UTC' AS "sentAt", "createdAt" AT TIME ZONE 'UTC' AS "createdAt"`,
    [
      m.ticketId,
      m.kind,
      m.inboundMailId ?? null,
      m.messageId ?? null,
      m.fromAddress ?? null,
      m.fromName ?? null,
      m.toAddress ?? null,
      m.authorId ?? null,
      m.subject ?? null,
      m.text,
      m.shownText,
      m.safeHtml ?? null,
      m.automatic ?? false,
      utc(m.sentAt),
      m.sendError ?? null,
    ],
  )
  for (const a of m.attachments ?? []) {
    await sql.query(
      `INSERT INTO "TicketAttachment" ("messageId", filename, "contentType", size, sha256, inline, "contentId", content, "inboundMailId", "inboundPart")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [row.id, a.filename, a.contentType, a.size, a.sha256, a.inline ?? false, a.contentId ?? null, asBuffer(a.content), a.inboundMailId ?? null, a.inboundPart ?? null],
    )
  }
  return row
}

export function insertNote(sql: Sql, ticketId: number, text: string) {
  return insertMessage(sql, { ticketId, kind: 'SYSTEM', text, shownText: text })
}

export interface TicketRow {
  subject: string
  study: string | null
  state: TicketState
  priority: TicketPriority
  channel: IntakeChannel
  requesterEmail: string | null
  requesterName: string | null
  requesterId: number | null
  organizationId: number | null
  verdict: unknown
  now: Date
  firstResponseDueAt: Date | null
  resolutionDueAt: Date | null
  slaPausedAt: Date | null
}

export async function insertTicket(sql: Sql, t: TicketRow): Promise<number> {
  const [row] = await sql.query<{ id: number }>(
    `INSERT INTO "Ticket" (subject, study, state, priority, channel, "requesterEmail", "requesterName", "requesterId", "organizationId",
       verdict, "createdAt", "updatedAt", "lastMessageAt", "firstResponseDueAt", "resolutionDueAt", "slaPausedAt")
     VALUES ($1, $2, $3::"TicketState", $4::"TicketPriority", $5::"IntakeChannel", $6, $7, $8, $9, $10::jsonb, $11, $11, $11, $12, $13, $14)
     RETURNING id`,
    [
      t.subject,
      t.study,
      t.state,
      t.priority,
      t.channel,
      t.requesterEmail,
      t.requesterName,
      t.requesterId,
      t.organizationId,
      JSON.stringify(t.verdict),
      utc(t.now),
      utc(t.firstResponseDueAt),
      utc(t.resolutionDueAt),
      utc(t.slaPausedAt),
    ],
  )
  return row.id
}

export async function insertParticipants(sql: Sql, ticketId: number, emails: string[]) {
  for (const email of emails) {
    await sql.query(`INSERT INTO "TicketParticipant" ("ticketId", email) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [ticketId, email])
  }
}

export interface LetterTicket {
  /** The raw letter; the statement does nothing unless it is still `received`. */
  inboundId: number
  /** From `nextTicketId`: the reply's text names the ticket before it exists. */
  ticket: TicketRow & { id: number }
  participants: string[]
  message: MessageRow
  /** System notes on the new ticket (after the letter). */
  notes: string[]
  /** A note on another ticket the letter pointed at. */
  related: { ticketId: number; text: string } | null
  /** The automatic reply, sent only while the sender is under the limit; otherwise `limitedNote` is written. */
  reply: { message: MessageRow; limit: number; since: Date; limitedNote: string } | null
  /** The outcome stored on the raw letter, with and without the reply. */
  outcome: { replied: unknown; limited: unknown }
  now: Date
}

/** A ticket number taken ahead, for `insertLetterTicket` (a letter that ends up filed otherwise leaves a gap). */
export async function nextTicketId(sql: Sql): Promise<number> {
  const [row] = await sql.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('"Ticket"', 'id'))::int AS id`, [], 'intake-next-ticket')
  return row.id
}

const MESSAGE_COLUMNS = `"ticketId", kind, "inboundMailId", "messageId", "fromAddress", "fromName", "toAddress", "authorId",
  subject, text, "shownText", "safeHtml", automatic, "sentAt", "sendError"`

/**
 * A new ticket from a letter in one statement: the ticket, its participants,
 * the letter's message and attachments, notes, the automatic reply (or the
 * note that the sender's limit is reached) and the raw letter marked
 * processed. One statement is atomic by itself, so no transaction stays open
 * between round trips — on the embedded database every other connection waits
 * while one is (README, decision 1); this is the intake's hottest path.
 * Everything hangs on the guard `g`: when the letter is no longer `received`
 * (another process finished it) nothing is written and `done` is false.
 * CTEs that read another's rows run after it: the reply's id follows the
 * letter's (threading headers take the letters before a reply by id).
 */
export async function insertLetterTicket(sql: Sql, l: LetterTicket): Promise<{ done: boolean; replied: boolean }> {
  const params: unknown[] = []
  const p = (value: unknown, cast = '') => {
    params.push(value)
    return `$${params.length}${cast}`
  }
  const messageValues = (m: MessageRow, ticketId: string) =>
    [
      ticketId,
      p(m.kind, '::"TicketMessageKind"'),
      p(m.inboundMailId ?? null, '::int'),
      p(m.messageId ?? null, '::text'),
      p(m.fromAddress ?? null, '::text'),
      p(m.fromName ?? null, '::text'),
      p(m.toAddress ?? null, '::text'),
      p(m.authorId ?? null, '::int'),
      p(m.subject ?? null, '::text'),
      p(m.text, '::text'),
      p(m.shownText, '::text'),
      p(m.safeHtml ?? null, '::text'),
      p(m.automatic ?? false, '::boolean'),
      p(utc(m.sentAt), '::timestamp'),
      p(m.sendError ?? null, '::text'),
    ].join(', ')
  const t = l.ticket
  const files = l.message.attachments ?? []
  const reply = l.reply
  const now = p(utc(l.now), '::timestamp')
  const text = `
    WITH allowed AS (
      ${
        reply
          ? `SELECT count(*) < ${p(reply.limit, '::int')} AS ok FROM "TicketMessage"
             WHERE kind = 'OUTBOUND' AND automatic AND "toAddress" = ${p(reply.message.toAddress ?? '', '::text')} AND "createdAt" >= ${p(utc(reply.since), '::timestamp')}`
          : 'SELECT false AS ok'
      }
    ),
    g AS (
      UPDATE "InboundMail" SET status = 'processed', "processedAt" = ${now}, "ticketId" = ${p(t.id, '::int')}, error = NULL,
        outcome = CASE WHEN (SELECT ok FROM allowed) THEN ${p(JSON.stringify(l.outcome.replied), '::jsonb')} ELSE ${p(JSON.stringify(l.outcome.limited), '::jsonb')} END
      WHERE id = ${p(l.inboundId, '::int')} AND status = 'received' RETURNING id
    ),
    t AS (
      INSERT INTO "Ticket" (id, subject, study, state, priority, channel, "requesterEmail", "requesterName", "requesterId", "organizationId",
        verdict, "createdAt", "updatedAt", "lastMessageAt", "firstResponseDueAt", "resolutionDueAt", "slaPausedAt")
      SELECT ${p(t.id, '::int')}, ${p(t.subject, '::text')}, ${p(t.study, '::text')}, ${p(t.state, '::"TicketState"')}, ${p(t.priority, '::"TicketPriority"')},
        ${p(t.channel, '::"IntakeChannel"')}, ${p(t.requesterEmail, '::text')}, ${p(t.requesterName, '::text')}, ${p(t.requesterId, '::int')},
        ${p(t.organizationId, '::int')}, ${p(JSON.stringify(t.verdict), '::jsonb')}, ${now}, ${now}, ${now},
        ${p(utc(t.firstResponseDueAt), '::timestamp')}, ${p(utc(t.resolutionDueAt), '::timestamp')}, ${p(utc(t.slaPausedAt), '::timestamp')}
      FROM g RETURNING id
    ),
    pa AS (
      INSERT INTO "TicketParticipant" ("ticketId", email) SELECT t.id, e FROM t, unnest(${p(l.participants, '::text[]')}) AS e ON CONFLICT DO NOTHING
    ),
    m AS (
      INSERT INTO "TicketMessage" (${MESSAGE_COLUMNS}) SELECT ${messageValues(l.message, 't.id')} FROM t RETURNING id, "ticketId"
    ),
    a AS (
      INSERT INTO "TicketAttachment" ("messageId", filename, "contentType", size, sha256, inline, "contentId", content, "inboundMailId", "inboundPart")
      SELECT m.id, f.filename, f.ct, f.size, f.sha256, f.inline, f.cid, coalesce(f.content, decode('', 'hex')), f.mail, f.part
      FROM m, unnest(${p(files.map((f) => f.filename), '::text[]')}, ${p(files.map((f) => f.contentType), '::text[]')}, ${p(files.map((f) => f.size), '::int[]')},
        ${p(files.map((f) => f.sha256), '::text[]')}, ${p(files.map((f) => f.inline ?? false), '::boolean[]')}, ${p(files.map((f) => f.contentId ?? null), '::text[]')},
        ${p(files.map((f) => (f.content && f.content.length ? asBuffer(f.content) : null)), '::bytea[]')},
        ${p(files.map((f) => f.inboundMailId ?? null), '::int[]')}, ${p(files.map((f) => f.inboundPart ?? null), '::int[]')})
        AS f(filename, ct, size, sha256, inline, cid, content, mail, part)
    ),
    n AS (
      INSERT INTO "TicketMessage" ("ticketId", kind, text, "shownText")
      SELECT m."ticketId", 'SYSTEM'::"TicketMessageKind", x.note, x.note FROM m, unnest(${p(l.notes, '::text[]')}) WITH ORDINALITY AS x(note, ord) ORDER BY x.ord RETURNING id
    ),
    r AS (
      INSERT INTO "TicketMessage" ("ticketId", kind, text, "shownText")
      SELECT ${p(l.related?.ticketId ?? null, '::int')}, 'SYSTEM'::"TicketMessageKind", x.note, x.note FROM g, (SELECT ${p(l.related?.text ?? null, '::text')} AS note) x
      WHERE x.note IS NOT NULL
    ),
    ${
      reply
        ? `o AS (
      INSERT INTO "TicketMessage" (${MESSAGE_COLUMNS})
      SELECT ${messageValues(reply.message, 'm."ticketId"')} FROM m, allowed WHERE allowed.ok AND (SELECT count(*) FROM n) >= 0
    ),
    lim AS (
      INSERT INTO "TicketMessage" ("ticketId", kind, text, "shownText")
      SELECT m."ticketId", 'SYSTEM'::"TicketMessageKind", x.note, x.note FROM m, allowed, (SELECT ${p(reply.limitedNote, '::text')} AS note) x
      WHERE NOT allowed.ok AND (SELECT count(*) FROM n) >= 0
    ),`
        : ''
    }
    done AS (SELECT 1)
    SELECT (SELECT count(*) FROM g)::int = 1 AS done, (SELECT ok FROM allowed) AS replied`
  // Prepared per shape: the text depends only on whether there is a reply.
  const [row] = await sql.query<{ done: boolean; replied: boolean }>(text, params, reply ? 'intake-letter-reply' : 'intake-letter')
  return { done: row.done, replied: !!reply && row.replied }
}

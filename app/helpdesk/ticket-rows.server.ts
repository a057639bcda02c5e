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
  query<T>(text: string, params?: unknown[]): Promise<T[]>
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

const state = singleton('intake-sql', () => ({ pool: null as pg.Pool | null, url: '' }))

function pool(): pg.Pool {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL is not set: the server sets it before the intake runs.')
  if (!state.pool || state.url !== url) {
    // A new database (tests switch per file): the old pool goes.
    void state.pool?.end().catch(() => undefined)
    state.pool = new pg.Pool({ connectionString: url, max: 3, allowExitOnIdle: true })
    state.pool.on('error', () => undefined)
    state.url = url
  }
  return state.pool
}

/** The intake's pool as an Sql (statements outside a transaction). */
export const db: Sql = {
  async query<T>(text: string, params: unknown[] = []) {
    return (await pool().query(text, params)).rows as T[]
  },
}

/** Runs `fn` in a transaction on one connection of the intake's pool. */
export async function transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await pool().connect()
  const sql: Sql = { query: async <R>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as R[] }
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
  content: Buffer | Uint8Array
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

const asBuffer = (b: Buffer | Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength))

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
      `INSERT INTO "TicketAttachment" ("messageId", filename, "contentType", size, sha256, inline, "contentId", content)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [row.id, a.filename, a.contentType, a.size, a.sha256, a.inline ?? false, a.contentId ?? null, asBuffer(a.content)],
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

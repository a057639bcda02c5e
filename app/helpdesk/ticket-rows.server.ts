// The rows the intake writes for every letter, in plain SQL. Each Prisma
// model query costs a few milliseconds of query planning in this process
// (the client engine), several times the database's own work on the
// embedded PGlite; on the intake's path, a letter a few dozen of them, that
// capped throughput far below the goal (issue 5: ≥ 40 letters/s). Columns
// and defaults follow prisma/schema.prisma; the desk reads these rows
// through Prisma as usual.
import type { IntakeChannel, TicketMessageKind, TicketPriority, TicketState } from '~/generated/prisma/enums'
import type { Prisma } from '~/utils/db.server'

type Sql = Pick<Prisma.TransactionClient, '$queryRaw' | '$executeRaw'>

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

export async function insertMessage(sql: Sql, m: MessageRow): Promise<InsertedMessage> {
  const [row] = await sql.$queryRaw<InsertedMessage[]>`
    INSERT INTO "TicketMessage" ("ticketId", kind, "inboundMailId", "messageId", "fromAddress", "fromName", "toAddress", "authorId",
      subject, text, "shownText", "safeHtml", automatic, "sentAt", "sendError")
    VALUES (${m.ticketId}, ${m.kind}::"TicketMessageKind", ${m.inboundMailId ?? null}, ${m.messageId ?? null}, ${m.fromAddress ?? null},
      ${m.fromName ?? null}, ${m.toAddress ?? null}, ${m.authorId ?? null}, ${m.subject ?? null}, ${m.text}, ${m.shownText},
      ${m.safeHtml ?? null}, ${m.automatic ?? false}, ${m.sentAt ?? null}, ${m.sendError ?? null})
    RETURNING id, "ticketId", kind, "messageId", "toAddress", "authorId", subject, text, "shownText", automatic, "sentAt", "createdAt"`
  for (const a of m.attachments ?? []) {
    await sql.$executeRaw`
      INSERT INTO "TicketAttachment" ("messageId", filename, "contentType", size, sha256, inline, "contentId", content)
      VALUES (${row.id}, ${a.filename}, ${a.contentType}, ${a.size}, ${a.sha256}, ${a.inline ?? false}, ${a.contentId ?? null}, ${Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength)})`
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
  const [row] = await sql.$queryRaw<{ id: number }[]>`
    INSERT INTO "Ticket" (subject, study, state, priority, channel, "requesterEmail", "requesterName", "requesterId", "organizationId",
      verdict, "createdAt", "updatedAt", "lastMessageAt", "firstResponseDueAt", "resolutionDueAt", "slaPausedAt")
    VALUES (${t.subject}, ${t.study}, ${t.state}::"TicketState", ${t.priority}::"TicketPriority", ${t.channel}::"IntakeChannel",
      ${t.requesterEmail}, ${t.requesterName}, ${t.requesterId}, ${t.organizationId}, ${JSON.stringify(t.verdict)}::jsonb,
      ${t.now}, ${t.now}, ${t.now}, ${t.firstResponseDueAt}, ${t.resolutionDueAt}, ${t.slaPausedAt})
    RETURNING id`
  return row.id
}

export async function insertParticipants(sql: Sql, ticketId: number, emails: string[]) {
  for (const email of emails) {
    await sql.$executeRaw`INSERT INTO "TicketParticipant" ("ticketId", email) VALUES (${ticketId}, ${email}) ON CONFLICT DO NOTHING`
  }
}

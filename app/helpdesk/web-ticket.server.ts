// The cabinet's way in: a ticket filed with the form, and a requester's
// answer in the cabinet, go through the same pipeline as mail. The form is
// composed into a real MIME letter (Nodemailer's MailComposer) from the
// account's address — or, for an account without e-mail, a synthetic
// address in the reserved .invalid domain that is never mailed — with
// headers naming the account, the form's fields and, for answers, the
// ticket. The letter is stored as channel 'web' and processed at once; those
// headers are believed on channel 'web' only (intake.server.ts), which only
// this module writes.
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import { z } from 'zod'
import { STUDIES } from '../../search/engine.ts'
import { prisma } from '~/utils/db.server'
import { env } from '~/utils/env.server'
import { newMessageId } from '~/utils/mailer.server'
import { requireTicketAccess, type Actor } from './desk-scope.server'
import { processInbound, storeInbound, type IntakeOutcome } from './intake.server'
import { ourAddresses } from './outbound.server'
import { webTicketSchema, type IntakeVerdict } from './rules'

/** A file from the form: a browser File, or one already read (uploads.server.ts). */
export type FormFile = File | { filename: string; contentType: string; content: Buffer }

export interface WebTicketInput {
  subject: string
  study?: string | null
  description: string
  /** Default: the login of the account's organisation. */
  login?: string | null
  /** Default: the name of the account's organisation. */
  orgName?: string | null
  files: FormFile[]
}

const MAX_FILES = 10

function badRequest(errors: Record<string, string>) {
  return new Response(JSON.stringify({ errors }), { status: 400, headers: { 'Content-Type': 'application/json; charset=utf-8' } })
}

async function readFiles(files: FormFile[]) {
  const out: { filename: string; contentType: string; content: Buffer }[] = []
  for (const f of files) {
    if ('content' in f) out.push(f)
    else if (f.size > 0) out.push({ filename: f.name || 'file', contentType: f.type || 'application/octet-stream', content: Buffer.from(await f.arrayBuffer()) })
  }
  return out
}

async function account(user: Pick<Actor, 'id'>) {
  return prisma.user.findUniqueOrThrow({
    where: { id: user.id },
    select: { id: true, login: true, fullName: true, email: true, organization: { select: { login: true, name: true } } },
  })
}

/** The account's mailbox, or `<login>@cabinet.invalid` (RFC 2606: never delivered). */
function fromAddress(a: { login: string; fullName: string; email: string | null }) {
  const address = a.email && /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(a.email) ? a.email : `${a.login.replace(/[^a-z0-9._-]/gi, '_')}@cabinet.invalid`
  return { name: a.fullName, address }
}

async function compose(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new Promise((resolve, reject) => new MailComposer(options).compile().build((error, message) => (error ? reject(error) : resolve(message))))
}

async function submit(raw: Buffer): Promise<IntakeOutcome> {
  if (raw.length > env().INTAKE_MAX_BYTES) throw badRequest({ files: `Файлы вместе больше ${Math.floor(env().INTAKE_MAX_BYTES / 1024 / 1024)} МБ.` })
  const { id } = await storeInbound(raw, { channel: 'web' })
  return processInbound(id)
}

/**
 * Files a ticket from the cabinet form. Invalid input throws a 400 Response
 * with `{ errors: { field: message } }`; a stored letter always becomes a
 * ticket, complete or waiting for data, with the verdict to show the person.
 */
export async function submitWebTicket(user: Pick<Actor, 'id'>, input: WebTicketInput): Promise<{ ticketId: number; verdict: IntakeVerdict }> {
  const a = await account(user)
  const files = await readFiles(input.files ?? [])
  if (files.length > MAX_FILES) throw badRequest({ files: `Не больше ${MAX_FILES} файлов.` })
  const parsed = webTicketSchema.safeParse({
    login: input.login?.trim() || a.organization.login,
    orgName: input.orgName?.trim() || a.organization.name,
    subject: input.subject ?? '',
    description: input.description ?? '',
    attachments: files.map((f) => ({ filename: f.filename, contentType: f.contentType, isImage: f.contentType.startsWith('image/') })),
  })
  if (!parsed.success) throw badRequest(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? 'form'), i.message])))
  const study = z.enum(STUDIES).safeParse(input.study ?? undefined)
  const form = parsed.data
  const subject = form.subject || form.description.split('\n')[0].slice(0, 80)
  // The fields are in the text too, as a letter would give them: the rules
  // read the whole conversation again when the person answers.
  const text = [form.description, '', `Логин: ${form.login}`, `Организация: ${form.orgName}`].join('\n')
  const raw = await compose({
    from: fromAddress(a),
    to: ourAddresses()[0],
    subject,
    text,
    messageId: newMessageId(),
    date: new Date(),
    headers: {
      'X-Oko-Account': String(a.id),
      'X-Oko-Login': form.login,
      'X-Oko-Org-Name': form.orgName,
      ...(study.success ? { 'X-Oko-Study': study.data } : {}),
    },
    attachments: files.map((f) => ({ filename: f.filename, content: f.content, contentType: f.contentType })),
  })
  const outcome = await submit(raw)
  if (!outcome.ticket) throw new Error(`web ticket was not filed: ${outcome.action} ${outcome.notes.join(' ')}`)
  const ticket = await prisma.ticket.findUniqueOrThrow({ where: { id: outcome.ticket }, select: { verdict: true } })
  return { ticketId: outcome.ticket, verdict: ticket.verdict as unknown as IntakeVerdict }
}

/**
 * A requester's answer in the cabinet: a letter into the ticket's thread
 * (In-Reply-To our last message), through the pipeline, so the rules are
 * checked again on the whole conversation and the ticket moves on.
 */
export async function replyFromCabinet(user: Actor, ticketId: number, input: { text: string; files?: FormFile[] }): Promise<IntakeOutcome> {
  const ticket = await requireTicketAccess(user, ticketId)
  const a = await account(user)
  const files = await readFiles(input.files ?? [])
  if (files.length > MAX_FILES) throw badRequest({ files: `Не больше ${MAX_FILES} файлов.` })
  const text = (input.text ?? '').trim()
  if (!text && files.length === 0) throw badRequest({ text: 'Напишите сообщение или приложите файл.' })
  const head = await prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id }, select: { id: true, subject: true } })
  const thread = await prisma.ticketMessage.findMany({
    where: { ticketId: head.id, kind: { in: ['INBOUND', 'OUTBOUND'] }, messageId: { not: null } },
    select: { messageId: true },
    orderBy: { id: 'asc' },
  })
  const ids = thread.map((m) => m.messageId!)
  const raw = await compose({
    from: fromAddress(a),
    to: ourAddresses()[0],
    subject: `Re: [#${head.id}] ${head.subject}`,
    text: text || '(файлы во вложении)',
    messageId: newMessageId(),
    date: new Date(),
    inReplyTo: ids.at(-1),
    references: ids.length > 20 ? [ids[0], ...ids.slice(-19)] : ids,
    headers: { 'X-Oko-Account': String(a.id), 'X-Oko-Ticket': String(head.id) },
    attachments: files.map((f) => ({ filename: f.filename, content: f.content, contentType: f.contentType })),
  })
  return submit(raw)
}

// Which ticket a letter continues, in layers (issue 5, "Threading"):
//   1. our Message-IDs (and the requester's earlier ones) in In-Reply-To and
//      References, and for a bounce the Message-ID of the mail that bounced;
//   2. the signed reference «ref: 10001-<hmac>» our mail carries in its body,
//      found in the quoted reply (a forged or altered one does not verify);
//   3. the subject token «[#10001]», accepted only from the requester or a
//      participant of that ticket: anyone can type a number into a subject.
// A merged ticket leads to the one it was merged into; a closed ticket is
// not reopened by mail (states.ts): the letter starts a new ticket.
import type { NormalizedMail } from '../../emails/inbound/parse.ts'
import { extractTicketToken } from '../../emails/inbound/subject.ts'
import type { IntakeChannel, TicketState } from '~/generated/prisma/enums'
import type { Prisma } from '~/utils/db.server'
import { findReferences } from './outbound.server'

export type ThreadLayer = 'cabinet' | 'message-id' | 'marker' | 'token'

export interface ThreadMatch {
  ticketId: number | null
  layer: ThreadLayer | null
  /** Notes for the desk (Russian): a token refused, a closed ticket, a forged reference. */
  notes: string[]
  /** The ticket the letter pointed at when it was not threaded into it (closed, or a stranger's token). */
  relatedTicketId: number | null
}

type Client = Pick<Prisma.TransactionClient, 'ticket' | 'ticketMessage' | 'ticketParticipant'>

interface TicketHead {
  id: number
  state: TicketState
  mergedIntoId: number | null
  requesterEmail: string | null
}

async function resolveMerges(client: Client, id: number): Promise<TicketHead | null> {
  let current = await client.ticket.findUnique({ where: { id }, select: { id: true, state: true, mergedIntoId: true, requesterEmail: true } })
  for (let hop = 0; current?.mergedIntoId && hop < 10; hop++) {
    current = await client.ticket.findUnique({ where: { id: current.mergedIntoId }, select: { id: true, state: true, mergedIntoId: true, requesterEmail: true } })
  }
  return current
}

/** The requester or a participant of the ticket (addresses compared case-insensitively). */
export async function isTicketCorrespondent(client: Client, ticket: Pick<TicketHead, 'id' | 'requesterEmail'>, address: string | null): Promise<boolean> {
  if (!address) return false
  const a = address.toLowerCase()
  if (ticket.requesterEmail?.toLowerCase() === a) return true
  return (await client.ticketParticipant.count({ where: { ticketId: ticket.id, email: a } })) > 0
}

export interface ThreadInput {
  mail: Pick<NormalizedMail, 'messageId' | 'inReplyTo' | 'references' | 'subject' | 'text' | 'bounce'>
  sender: string | null
  channel: IntakeChannel
  /** For channel web only: the ticket the cabinet said the reply is for (checked there). */
  cabinetTicketId?: number | null
}

export async function findThread(client: Client, input: ThreadInput): Promise<ThreadMatch> {
  const notes: string[] = []
  const settle = (ticket: TicketHead, layer: ThreadLayer): ThreadMatch => {
    if (ticket.state === 'CLOSED') {
      notes.push(`Письмо относится к закрытому обращению #${ticket.id}: зарегистрировано новое обращение.`)
      return { ticketId: null, layer: null, notes, relatedTicketId: ticket.id }
    }
    return { ticketId: ticket.id, layer, notes, relatedTicketId: null }
  }

  // 0. The cabinet (our own composed letter, channel web only).
  if (input.channel === 'web' && input.cabinetTicketId) {
    const t = await resolveMerges(client, input.cabinetTicketId)
    if (t) return settle(t, 'cabinet')
  }

  // 1. Message-IDs: In-Reply-To first, then References from the newest.
  const { mail } = input
  const ids = [...new Set([mail.inReplyTo, ...[...mail.references].reverse(), mail.bounce?.originalMessageId].filter((v): v is string => !!v))]
  if (ids.length) {
    const known = await client.ticketMessage.findMany({ where: { messageId: { in: ids } }, select: { messageId: true, ticketId: true } })
    const byId = new Map(known.map((k) => [k.messageId!, k.ticketId]))
    for (const id of ids) {
      const ticketId = byId.get(id)
      if (ticketId === undefined) continue
      const t = await resolveMerges(client, ticketId)
      if (t) return settle(t, 'message-id')
    }
  }

  // 2. The signed reference in the body (usually in the quote of our mail).
  const refs = findReferences(mail.text)
  for (const id of refs.verified) {
    const t = await resolveMerges(client, id)
    if (t) return settle(t, 'marker')
  }
  if (refs.forged.length) notes.push(`В тексте есть ссылка на обращение ${refs.forged.map((n) => `#${n}`).join(', ')} с неверной подписью: она не учтена.`)

  // 3. The subject token, from the requester or a participant only.
  const token = extractTicketToken(mail.subject)
  if (token !== null) {
    const t = await resolveMerges(client, token)
    if (!t) {
      notes.push(`В теме указан номер обращения #${token}, но такого обращения нет: зарегистрировано новое.`)
    } else if (await isTicketCorrespondent(client, t, input.sender)) {
      return settle(t, 'token')
    } else {
      notes.push(
        `В теме указан номер обращения #${t.id}, но письмо пришло не от заявителя и не от участника этого обращения (${input.sender ?? 'отправитель неизвестен'}): зарегистрировано новое обращение.`,
      )
      return { ticketId: null, layer: null, notes, relatedTicketId: t.id }
    }
  }
  return { ticketId: null, layer: null, notes, relatedTicketId: null }
}

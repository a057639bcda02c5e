// Quarantined letters for administrators (issue 5: "a mail that cannot be
// parsed at all is quarantined and can be replayed"): the list with the
// reason, the raw letter as it came, and «Повторить обработку» — the same
// replay as `npm run cli -- intake:replay <id>` (replayQuarantined).
import type { Role } from '~/generated/prisma/enums'
import { prisma } from '~/utils/db.server'
import { logger } from '~/utils/logger.server'
import { replayQuarantined, type IntakeOutcome } from './intake.server'

interface Actor {
  id: number
  login: string
  role: Role
}

export const QUARANTINE_PAGE = 50

function requireAdmin(actor: Actor) {
  if (actor.role !== 'ADMIN') throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
}

export interface QuarantinedLetter {
  id: number
  channel: string
  receivedAt: Date
  envelopeFrom: string | null
  messageId: string | null
  size: number
  attempts: number
  error: string | null
}

export async function listQuarantined(actor: Actor, page = 1): Promise<{ letters: QuarantinedLetter[]; total: number; page: number; pageSize: number }> {
  requireAdmin(actor)
  const p = Number.isSafeInteger(page) && page > 0 ? page : 1
  const where = { status: 'quarantined' as const }
  const [letters, total] = await Promise.all([
    prisma.inboundMail.findMany({
      where,
      select: { id: true, channel: true, receivedAt: true, envelopeFrom: true, messageId: true, size: true, attempts: true, error: true },
      orderBy: { id: 'desc' },
      skip: (p - 1) * QUARANTINE_PAGE,
      take: QUARANTINE_PAGE,
    }),
    prisma.inboundMail.count({ where }),
  ])
  return { letters, total, page: p, pageSize: QUARANTINE_PAGE }
}

/** The raw bytes of a quarantined letter, to open in a mail client. */
export async function quarantinedRaw(actor: Actor, id: number): Promise<Buffer> {
  requireAdmin(actor)
  const row = Number.isSafeInteger(id) && id > 0 ? await prisma.inboundMail.findFirst({ where: { id, status: 'quarantined' }, select: { raw: true } }) : null
  if (!row) throw new Response('Письмо не найдено в карантине.', { status: 404 })
  return Buffer.from(row.raw)
}

export type ReplayResult = { status: 'success'; outcome: IntakeOutcome } | { status: 'error'; message: string }

/** Sends the letter through the pipeline again; the outcome says what became of it (possibly quarantined again). */
export async function replayLetter(actor: Actor, id: number): Promise<ReplayResult> {
  requireAdmin(actor)
  if (!Number.isSafeInteger(id) || id <= 0) return { status: 'error', message: 'Неверный номер письма.' }
  try {
    const outcome = await replayQuarantined(id)
    if (!outcome) return { status: 'error', message: `Письмо #${id} не в карантине: его уже обработали.` }
    logger.info({ inbound: id, actor: actor.login, action: outcome.action, ticket: outcome.ticket }, 'intake: quarantined letter replayed by an administrator')
    return { status: 'success', outcome }
  } catch (error) {
    logger.warn({ err: error, inbound: id }, 'intake: replay failed; the letter is retried by recovery')
    return { status: 'error', message: `Письмо #${id} не удалось обработать сейчас: оно будет обработано повторно автоматически.` }
  }
}

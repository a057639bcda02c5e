// The audit log: every credential issuance, reset, sign-in failure and role
// change, browsable by administrators.
import { prisma, type Prisma } from '~/utils/db.server'

export type AuditAction =
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.locked'
  | 'auth.logout'
  | 'auth.logout_everywhere'
  | 'auth.password_changed'
  | 'credentials.issued'
  | 'credentials.reset'
  | 'credentials.archive_issued'
  | 'credentials.denied'
  | 'user.created'
  | 'user.role_changed'
  | 'user.disabled'
  | 'user.enabled'
  | 'access.denied'
  | 'ticket.merged'
  | 'ticket.answer_saved'

export interface AuditEntry {
  action: AuditAction
  outcome?: 'success' | 'failure' | 'denied'
  actor?: { id: number; login: string } | null
  targetLogin?: string | null
  targetOrgId?: number | null
  ip?: string | null
  details?: Prisma.InputJsonValue
}

type Tx = Pick<typeof prisma, 'auditEvent'>

export async function audit(entry: AuditEntry, tx: Tx = prisma) {
  await tx.auditEvent.create({
    data: {
      action: entry.action,
      outcome: entry.outcome ?? 'success',
      actorId: entry.actor?.id ?? null,
      actorLogin: entry.actor?.login ?? null,
      targetLogin: entry.targetLogin ?? null,
      targetOrgId: entry.targetOrgId ?? null,
      ip: entry.ip ?? null,
      details: entry.details,
    },
  })
}

export interface AuditQuery {
  q?: string
  action?: string
  outcome?: string
  page?: number
  pageSize?: number
}

export async function listAuditEvents({ q, action, outcome, page = 1, pageSize = 50 }: AuditQuery) {
  const where: Prisma.AuditEventWhereInput = {
    ...(action ? { action: { startsWith: action } } : {}),
    ...(outcome ? { outcome } : {}),
    ...(q
      ? {
          OR: [
            { actorLogin: { contains: q, mode: 'insensitive' } },
            { targetLogin: { contains: q, mode: 'insensitive' } },
            { ip: { contains: q } },
          ],
        }
      : {}),
  }
  const [total, events] = await Promise.all([
    prisma.auditEvent.count({ where }),
    prisma.auditEvent.findMany({ where, orderBy: { id: 'desc' }, skip: (page - 1) * pageSize, take: pageSize }),
  ])
  return { total, events, page, pageSize }
}

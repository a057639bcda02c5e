// Reading organisations and people, always through the scope rules.
import { z } from 'zod'
import type { OrgKind } from '~/generated/prisma/enums'
import { prisma, type Prisma } from '~/utils/db.server'
import { singleton } from '~/utils/singleton.server'
import { canIssueFor, credentialTargetsWhere, orgVisibilityWhere, requireOrgInScope } from './scope.server'
import type { SessionUser } from './session.server'

type Actor = Pick<SessionUser, 'id' | 'login' | 'role' | 'organization'>

export const OrgListQuery = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  kind: z.enum(['REGION', 'MUNICIPALITY', 'SCHOOL', 'COLLEGE', 'FEDERAL']).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
})

export const PAGE_SIZE = 50

export async function listOrganizations(actor: Actor, query: z.infer<typeof OrgListQuery>) {
  const where: Prisma.OrganizationWhereInput = {
    AND: [
      orgVisibilityWhere(actor),
      query.kind ? { kind: query.kind as OrgKind } : {},
      query.q
        ? { OR: [{ name: { contains: query.q, mode: 'insensitive' } }, { login: { contains: query.q.toLowerCase() } }] }
        : {},
    ],
  }
  const [total, orgs] = await Promise.all([
    prisma.organization.count({ where }),
    prisma.organization.findMany({
      where,
      orderBy: [{ regionCode: 'asc' }, { kind: 'asc' }, { login: 'asc' }],
      skip: (query.page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      select: {
        id: true,
        kind: true,
        login: true,
        name: true,
        parent: { select: { id: true, name: true, login: true } },
      },
    }),
  ])
  return { total, orgs, page: query.page, pageSize: PAGE_SIZE }
}

/** An organisation's page: its place in the hierarchy, children and accounts, within scope. */
export async function getOrganizationPage(actor: Actor, orgId: number, meta: { ip?: string } = {}) {
  const org = await requireOrgInScope(actor, orgId, meta)
  const [parent, region, municipality, children, users, childCount] = await Promise.all([
    org.parentId ? prisma.organization.findUnique({ where: { id: org.parentId }, select: { id: true, name: true, login: true } }) : null,
    org.regionId ? prisma.organization.findUnique({ where: { id: org.regionId }, select: { id: true, name: true, login: true } }) : null,
    org.municipalityId ? prisma.organization.findUnique({ where: { id: org.municipalityId }, select: { id: true, name: true, login: true } }) : null,
    prisma.organization.findMany({
      where: { parentId: org.id },
      orderBy: { login: 'asc' },
      take: 500,
      select: { id: true, kind: true, login: true, name: true, users: { where: { login: { not: '' } }, select: { login: true, passwordHash: true, lastLoginAt: true, mustChangePassword: true } } },
    }),
    prisma.user.findMany({
      where: { organizationId: org.id },
      orderBy: { login: 'asc' },
      select: { id: true, login: true, fullName: true, role: true, disabled: true, lastLoginAt: true, mustChangePassword: true, passwordHash: true },
    }),
    prisma.organization.count({ where: { parentId: org.id } }),
  ])
  const targets = credentialTargetsWhere(actor)
  return {
    org,
    parent,
    region,
    municipality,
    children: children.map((c) => {
      const account = c.users.find((u) => u.login === c.login)
      return {
        id: c.id,
        kind: c.kind,
        login: c.login,
        name: c.name,
        account: account
          ? { issued: Boolean(account.passwordHash), pendingChange: account.mustChangePassword, lastLoginAt: account.lastLoginAt }
          : null,
        canIssue: Boolean(targets) && canIssueFor(actor, { ...c, parentId: org.id, regionId: org.kind === 'REGION' ? org.id : org.regionId, municipalityId: org.kind === 'MUNICIPALITY' ? org.id : org.municipalityId }),
      }
    }),
    childCount,
    // Hashes never leave this module: only whether credentials were issued.
    users: users.map(({ passwordHash, ...u }) => ({ ...u, issued: Boolean(passwordHash) })),
    canIssue: canIssueFor(actor, org),
  }
}

type Summary = Partial<Record<OrgKind, number>>
const SUMMARY_TTL_MS = 60_000
const summaries = singleton('scope-summaries', () => new Map<string, { at: number; value: Promise<Summary> }>())

/**
 * The home page figures: what lies in the person's scope. The hierarchy
 * changes by imports, not by the minute, so counts are kept for a minute.
 */
export async function scopeSummary(actor: Actor): Promise<Summary> {
  const key = `${actor.role}:${actor.organization.id}`
  const cached = summaries.get(key)
  if (cached && Date.now() - cached.at < SUMMARY_TTL_MS) return cached.value
  const value = prisma.organization
    .groupBy({ by: ['kind'], where: orgVisibilityWhere(actor), _count: { _all: true } })
    .then((grouped) => Object.fromEntries(grouped.map((g) => [g.kind, g._count._all])) as Summary)
  summaries.set(key, { at: Date.now(), value })
  value.catch(() => summaries.delete(key))
  return value
}

// Scope rules, in one place: who sees which organisations and whose
// credentials they may issue. Pages and socket handlers call these; they
// never decide scope themselves (DESIGN.md, "Every read is scoped").
import type { OrgKind } from '~/generated/prisma/enums'
import { prisma, type Prisma } from '~/utils/db.server'
import { audit } from './audit.server'
import type { SessionUser } from './session.server'

type Actor = Pick<SessionUser, 'id' | 'login' | 'role' | 'organization'>
type OrgRef = { id: number; kind: OrgKind; parentId: number | null; regionId: number | null; municipalityId: number | null }

/** Roles that work across the whole federation. */
const FEDERAL_ROLES = new Set(['ADMIN', 'FIOKO_SPECIALIST', 'SUPPORT_AGENT'])

/** Organisations a person may see: a school itself, a МОУО its schools, a region everything in it. */
export function orgVisibilityWhere(actor: Actor): Prisma.OrganizationWhereInput {
  const own = actor.organization.id
  if (FEDERAL_ROLES.has(actor.role)) return {}
  switch (actor.role) {
    case 'REGION_COORDINATOR':
      return { OR: [{ id: own }, { regionId: own }] }
    case 'MUNICIPAL_COORDINATOR':
      return { OR: [{ id: own }, { municipalityId: own }] }
    default:
      return { id: own }
  }
}

export function canSeeOrg(actor: Actor, org: OrgRef) {
  if (FEDERAL_ROLES.has(actor.role)) return true
  const own = actor.organization.id
  if (org.id === own) return true
  if (actor.role === 'REGION_COORDINATOR') return org.regionId === own
  if (actor.role === 'MUNICIPAL_COORDINATOR') return org.municipalityId === own
  return false
}

/**
 * Organisations whose coordinator account this person issues credentials for:
 * the level directly below (DOMAIN.md): region → its МОУО and the schools not
 * under any МОУО; МОУО → its schools; administrators → regions.
 */
export function credentialTargetsWhere(actor: Actor): Prisma.OrganizationWhereInput | null {
  const own = actor.organization.id
  switch (actor.role) {
    case 'ADMIN':
      return { kind: 'REGION' }
    case 'REGION_COORDINATOR':
      return {
        OR: [
          { kind: 'MUNICIPALITY', regionId: own },
          { kind: { in: ['SCHOOL', 'COLLEGE'] }, parentId: own },
        ],
      }
    case 'MUNICIPAL_COORDINATOR':
      return { kind: { in: ['SCHOOL', 'COLLEGE'] }, municipalityId: own }
    default:
      return null
  }
}

export function canIssueFor(actor: Actor, org: OrgRef) {
  const own = actor.organization.id
  switch (actor.role) {
    case 'ADMIN':
      return org.kind === 'REGION'
    case 'REGION_COORDINATOR':
      return (org.kind === 'MUNICIPALITY' && org.regionId === own) || ((org.kind === 'SCHOOL' || org.kind === 'COLLEGE') && org.parentId === own)
    case 'MUNICIPAL_COORDINATOR':
      return (org.kind === 'SCHOOL' || org.kind === 'COLLEGE') && org.municipalityId === own
    default:
      return false
  }
}

/** A school coordinator manages the teacher-expert accounts of its own school. */
export function canManageTeacher(actor: Actor, teacher: { role: string; organizationId: number }) {
  return actor.role === 'SCHOOL_COORDINATOR' && teacher.role === 'TEACHER_EXPERT' && teacher.organizationId === actor.organization.id
}

/**
 * Loads an organisation the person may see. Unknown id → 404; outside the
 * person's scope → 403 (and an audit entry: someone typed another school's URL).
 */
export async function requireOrgInScope(actor: Actor, orgId: number, meta: { ip?: string } = {}) {
  const org = Number.isSafeInteger(orgId) && orgId > 0 ? await prisma.organization.findUnique({ where: { id: orgId } }) : null
  if (!org) throw new Response('Организация не найдена.', { status: 404, statusText: 'Not Found' })
  if (!canSeeOrg(actor, org)) {
    await audit({ action: 'access.denied', outcome: 'denied', actor, targetOrgId: org.id, targetLogin: org.login, ip: meta.ip, details: { what: 'organization' } })
    throw new Response('Эта организация вне вашей зоны ответственности.', { status: 403, statusText: 'Forbidden' })
  }
  return org
}

// Canned replies (шаблоны ответов): ready texts agents insert into a reply,
// with placeholders filled from the ticket. Agents and administrators manage
// them; the desk offers the ones of the ticket's study and the general ones.
import { prisma } from '~/utils/db.server'
import { CannedReplyInput, type PlaceholderValues } from './canned'
import { requireAgent, type Actor } from './desk-scope.server'

export { CannedReplyInput, PLACEHOLDERS, renderCanned, type Placeholder, type PlaceholderValues } from './canned'

/** The values for one ticket, with polite fallbacks when something is unknown. */
export function placeholderValues(ticket: {
  id: number
  requesterName: string | null
  requesterEmail: string | null
  requester?: { fullName: string } | null
  organization: { login: string; name: string } | null
}, agent: { fullName: string }): PlaceholderValues {
  return {
    requester: ticket.requester?.fullName ?? ticket.requesterName ?? 'коллеги',
    ticket: `№${ticket.id}`,
    login: ticket.organization?.login ?? 'логин вашей организации',
    org: ticket.organization?.name ?? 'ваша организация',
    agent: agent.fullName,
  }
}

/** The templates of a study first, then the general ones (no study). */
export async function listCanned(study?: string | null) {
  const rows = await prisma.cannedReply.findMany({
    where: study === undefined ? {} : { OR: [{ study: null }, ...(study ? [{ study }] : [])] },
    orderBy: [{ title: 'asc' }, { id: 'asc' }],
  })
  return study ? [...rows.filter((r) => r.study === study), ...rows.filter((r) => r.study !== study)] : rows
}

export async function createCanned(actor: Actor, input: CannedReplyInput) {
  requireAgent(actor)
  return prisma.cannedReply.create({ data: { title: input.title, body: input.body, study: input.study ?? null } })
}

export async function updateCanned(actor: Actor, id: number, input: CannedReplyInput) {
  requireAgent(actor)
  const found = await prisma.cannedReply.findUnique({ where: { id }, select: { id: true } })
  if (!found) throw new Response('Шаблон не найден.', { status: 404 })
  return prisma.cannedReply.update({ where: { id }, data: { title: input.title, body: input.body, study: input.study ?? null } })
}

export async function deleteCanned(actor: Actor, id: number) {
  requireAgent(actor)
  await prisma.cannedReply.deleteMany({ where: { id } })
}

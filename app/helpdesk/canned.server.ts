// Canned replies (шаблоны ответов): ready texts agents insert into a reply,
// with placeholders filled from the ticket. Agents and administrators manage
// them; the desk offers the ones of the ticket's study and the general ones.
import { z } from 'zod'
import { STUDIES } from '../../search/engine.ts'
import { prisma } from '~/utils/db.server'
import { requireAgent, type Actor } from './desk-scope.server'

export const PLACEHOLDERS = {
  requester: 'имя заявителя (или «коллеги»)',
  ticket: 'номер обращения',
  login: 'логин организации',
  org: 'название организации',
  agent: 'ваше имя',
} as const
export type Placeholder = keyof typeof PLACEHOLDERS

export type PlaceholderValues = Record<Placeholder, string>

/**
 * Fills {{requester}}, {{ticket}}, {{login}}, {{org}}, {{agent}} (spaces
 * inside the braces allowed). Unknown placeholders stay as typed, so the agent
 * sees them before sending.
 */
export function renderCanned(body: string, values: PlaceholderValues): string {
  return body.replace(/\{\{\s*([a-z]+)\s*\}\}/gi, (whole, name: string) => {
    const key = name.toLowerCase() as Placeholder
    return key in values ? values[key] : whole
  })
}

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

export const CannedReplyInput = z.object({
  title: z.string().trim().min(1, 'Укажите название шаблона').max(200, 'Название не длиннее 200 символов'),
  body: z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().min(1, 'Введите текст шаблона').max(20_000, 'Текст не длиннее 20 000 символов')),
  study: z.preprocess((v) => (v === '' || v === null ? undefined : v), z.enum(STUDIES, { errorMap: () => ({ message: 'Выберите исследование из списка' }) }).optional()),
})
export type CannedReplyInput = z.infer<typeof CannedReplyInput>

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

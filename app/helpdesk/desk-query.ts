// The desk's queue filters, as the address keeps them (?queue=ВПР&state=NEW…),
// and the forms' schemas. Shared by the route modules and tickets.server.ts.
import { z } from 'zod'
import { STUDIES } from '../../search/engine.ts'
import { TicketPriority, TicketState } from '~/generated/prisma/enums'

export { STUDIES }

/** Queues: one per study, and one for tickets whose study could not be told. */
export const NO_STUDY = 'none'
export const QUEUES = [...STUDIES, NO_STUDY] as const
export const QUEUE_LABELS: Record<string, string> = { ...Object.fromEntries(STUDIES.map((s) => [s, s])), [NO_STUDY]: 'Без исследования' }

export const TICKET_STATES = Object.values(TicketState) as TicketState[]
export const TICKET_PRIORITIES = Object.values(TicketPriority) as TicketPriority[]

export const CHANNEL_LABELS: Record<string, string> = { smtp: 'почта', imap: 'почта (IMAP)', pipe: 'почта (MTA)', web: 'кабинет' }

const blank = (v: unknown) => (v === '' || v === null ? undefined : v)

export const DeskFilters = z.object({
  queue: z.preprocess(blank, z.enum(QUEUES).optional()).catch(undefined),
  /** A state, 'active' (the backlog: not resolved or closed) or 'all'. */
  state: z.preprocess(blank, z.enum(['active', 'all', ...TICKET_STATES]).default('active')).catch('active'),
  /** 'me', 'nobody' or an agent's id. */
  assignee: z.preprocess(blank, z.union([z.enum(['me', 'nobody']), z.coerce.number().int().positive().max(2_147_483_647)]).optional()).catch(undefined),
  overdue: z.preprocess((v) => v === '1' || v === 'on' || v === true, z.boolean()).catch(false),
  tag: z.preprocess(blank, z.string().trim().toLowerCase().max(40).optional()).catch(undefined),
  /** An organisation's login or part of its name, or the requester's address. */
  org: z.preprocess(blank, z.string().trim().max(200).optional()).catch(undefined),
  /** Words in the subject or in any message; a number finds the ticket itself. */
  q: z.preprocess(blank, z.string().trim().max(200).optional()).catch(undefined),
  sort: z.enum(['due', 'new', 'updated']).default('due').catch('due'),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
})
export type DeskFilters = z.infer<typeof DeskFilters>

export function parseDeskFilters(params: URLSearchParams): DeskFilters {
  return DeskFilters.parse(Object.fromEntries([...params.keys()].map((k) => [k, params.get(k)])))
}

export const SORT_LABELS = { due: 'по сроку SLA', new: 'сначала новые', updated: 'по последнему сообщению' } as const

/** Tags are short lowercase labels: «загрузка», «пароль», «отчёты». */
export const Tag = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'Пустая метка')
  .max(40, 'Метка не длиннее 40 символов')
  .regex(/^[\p{L}\d][\p{L}\d .+_-]*$/u, 'Метка: буквы, цифры, пробел, точка, дефис')

/** «загрузка, пароль» → ['загрузка', 'пароль']. */
export const TagList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/[,;\n]/).map((s) => s.trim()).filter(Boolean) : v),
  z.array(Tag).max(20, 'Не больше 20 меток').transform((tags) => [...new Set(tags)]),
)

/** One http(s) address per line: links to forum threads about the same problem. */
export const ForumLinks = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(/\s+/).map((s) => s.trim()).filter(Boolean) : v),
  z
    .array(
      z
        .string()
        .max(500, 'Ссылка не длиннее 500 символов')
        .url('Ссылка должна быть адресом вида https://…')
        .refine((u) => /^https?:\/\//i.test(u), 'Только ссылки http:// или https://')
        .refine((u) => !/^https?:\/\/[^/]*@/i.test(u), 'Ссылка не должна содержать имя пользователя или пароль'),
    )
    .max(20, 'Не больше 20 ссылок')
    .transform((links) => [...new Set(links)]),
)

export const ReplyText = z
  .string({ required_error: 'Введите текст ответа' })
  .transform((s) => s.replace(/\r\n?/g, '\n').trim())
  .pipe(z.string().min(1, 'Введите текст ответа').max(50_000, 'Ответ не длиннее 50 000 символов'))

export const NoteText = z
  .string({ required_error: 'Введите текст заметки' })
  .transform((s) => s.replace(/\r\n?/g, '\n').trim())
  .pipe(z.string().min(1, 'Введите текст заметки').max(20_000, 'Заметка не длиннее 20 000 символов'))

/** States an agent may leave a ticket in with a reply. */
export const STATES_AFTER_REPLY: TicketState[] = ['WAITING_REQUESTER', 'OPEN', 'RESOLVED']

// Canned replies' placeholders and form schema, shared by the server and the
// page that edits them (canned.server.ts holds the database side).
import { z } from 'zod'
import { STUDIES } from '../../search/engine.ts'

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

export const CannedReplyInput = z.object({
  title: z.string().trim().min(1, 'Укажите название шаблона').max(200, 'Название не длиннее 200 символов'),
  body: z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().min(1, 'Введите текст шаблона').max(20_000, 'Текст не длиннее 20 000 символов')),
  study: z.preprocess((v) => (v === '' || v === null ? undefined : v), z.enum(STUDIES, { errorMap: () => ({ message: 'Выберите исследование из списка' }) }).optional()),
})
export type CannedReplyInput = z.infer<typeof CannedReplyInput>

// The one zod schema of a bank entry (ready answer), shared by the import, the
// forms and the search documents. Messages are Russian: the import reports
// them with line numbers.
import { z } from 'zod'
import { STUDIES } from '../../search/engine.ts'

export { STUDIES }

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v)

const text = (label: string, max: number) =>
  z
    .string({ required_error: `поле «${label}» обязательно`, invalid_type_error: `поле «${label}» должно быть текстом` })
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().min(1, `поле «${label}» не заполнено`).max(max, `поле «${label}» длиннее ${max} символов`))

const optionalInt = (label: string, min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ invalid_type_error: `поле «${label}» должно быть числом` })
      .int(`поле «${label}» должно быть целым числом`)
      .min(min, `поле «${label}»: допустимо от ${min} до ${max}`)
      .max(max, `поле «${label}»: допустимо от ${min} до ${max}`)
      .optional(),
  )

const boolish = (label: string) =>
  z.preprocess(
    (v) => {
      if (typeof v === 'boolean' || v === undefined) return v
      const s = String(v).trim().toLowerCase()
      if (s === '') return undefined
      if (['1', 'true', 'да', 'yes', 'y', 'д', '+'].includes(s)) return true
      if (['0', 'false', 'нет', 'no', 'n', 'н', '-'].includes(s)) return false
      return v
    },
    z.boolean({ invalid_type_error: `поле «${label}»: ожидается «да» или «нет»` }).optional(),
  )

/** Task number as printed: digits, optionally a criterion ("4К1"); Latin K is read as Cyrillic К. */
export const TaskNumber = z
  .string()
  .transform((s) => s.trim().toUpperCase().replace(/K/g, 'К'))
  .pipe(z.string().regex(/^\d{1,2}(\.\d{1,2})?(К\d{1,2})?$/, 'номер задания: число, например 5, 12.1 или 4К1'))

const studyMessage = `поле «исследование»: одно из ${STUDIES.join(', ')}`

export const ReadyAnswerInput = z.object({
  externalId: z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : v),
    z
      .string({ required_error: 'поле «externalId» обязательно (уникальный номер записи в файле)' })
      .trim()
      .min(1, 'поле «externalId» не заполнено')
      .max(200, 'поле «externalId» длиннее 200 символов'),
  ),
  source: z.preprocess(blankToUndefined, z.string().trim().min(1).max(100, 'поле «source» длиннее 100 символов').optional()),
  study: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toUpperCase().replace(/\s+/g, ' ') : v),
    z.enum(STUDIES, { errorMap: () => ({ message: studyMessage }) }),
  ),
  subject: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().replace(/\s+/g, ' ').replace(/^./, (c) => c.toUpperCase()) : v),
    z.string({ required_error: 'поле «предмет» обязательно' }).min(1, 'поле «предмет» не заполнено').max(100, 'поле «предмет» длиннее 100 символов'),
  ),
  grade: optionalInt('класс', 1, 11),
  task: z.preprocess((v) => (typeof v === 'number' ? String(v) : blankToUndefined(v)), TaskNumber.optional()),
  variant: z.preprocess((v) => (typeof v === 'number' ? String(v) : blankToUndefined(v)), z.string().trim().max(20, 'поле «вариант» длиннее 20 символов').optional()),
  year: optionalInt('год', 2000, 2100),
  question: text('вопрос', 5000),
  answer: text('ответ', 20000),
  official: boolish('официальный'),
  visibility: z.preprocess(blankToUndefined, z.enum(['public', 'agents'], { errorMap: () => ({ message: 'поле «видимость»: public или agents' }) }).optional()),
})

export type ReadyAnswerInput = z.infer<typeof ReadyAnswerInput>

/** Column names the import also accepts (Russian headers of existing FAQ tables). */
export const IMPORT_COLUMN_ALIASES: Record<string, keyof ReadyAnswerInput> = {
  id: 'externalId',
  external_id: 'externalId',
  externalid: 'externalId',
  номер: 'externalId',
  источник: 'source',
  исследование: 'study',
  предмет: 'subject',
  класс: 'grade',
  задание: 'task',
  tasknumber: 'task',
  task_number: 'task',
  вариант: 'variant',
  год: 'year',
  вопрос: 'question',
  ответ: 'answer',
  официальный: 'official',
  видимость: 'visibility',
}

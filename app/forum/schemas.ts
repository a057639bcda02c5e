// The forum's inputs, one zod schema each, shared by the forms (browser) and
// the domain (server), with Russian messages. Post bodies arrive as the Lexical
// editor state (a JSON string from the form's hidden input); here only their
// size is checked: app/forum/content.server.ts validates and renders them.
import { z } from 'zod'
import { TaskNumber } from '~/search/answer-schema'

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v)

const id = (label: string) =>
  z.coerce.number({ invalid_type_error: `Выберите ${label}.` }).int(`Выберите ${label}.`).positive(`Выберите ${label}.`)

const optionalId = (label: string) => z.preprocess(blankToUndefined, id(label).optional())

/** Largest editor state accepted (images are uploads, so text alone never comes near it). */
export const CONTENT_MAX_CHARS = 200_000

/** A post body: the editor's JSON (string from a form, or an object from code). */
export const PostContent = z.union(
  [
    z
      .string({ required_error: 'Напишите текст сообщения.' })
      .min(2, 'Напишите текст сообщения.')
      .max(CONTENT_MAX_CHARS, 'Сообщение слишком длинное: сократите его или разделите на несколько.'),
    z.record(z.unknown()),
  ],
  { errorMap: () => ({ message: 'Напишите текст сообщения.' }) },
)

export const TITLE_MIN = 8
export const TITLE_MAX = 200

export const YEAR_MIN = 2015
export const YEAR_MAX = 2100

/**
 * A new question (experts forum) or topic (support forum). The forum decides
 * which of the two placements is required: a section in a support forum; a
 * subject-and-grade and a task number in the experts forum.
 */
export const AskInput = z
  .object({
    forum: z.string({ required_error: 'Не указан форум.' }).trim().min(1, 'Не указан форум.').max(40),
    sectionId: optionalId('раздел'),
    expertSubjectId: optionalId('предмет и класс'),
    taskNumber: z.preprocess(
      (v) => (typeof v === 'number' ? String(v) : blankToUndefined(typeof v === 'string' ? v.trim() : v)),
      z
        .string()
        .max(10, 'Номер задания: не длиннее 10 символов.')
        .pipe(TaskNumber)
        .optional(),
    ),
    variant: z.preprocess(
      (v) => (typeof v === 'number' ? String(v) : blankToUndefined(typeof v === 'string' ? v.trim() : v)),
      z.string().max(20, 'Вариант: не длиннее 20 символов.').optional(),
    ),
    year: z.preprocess(
      blankToUndefined,
      z.coerce
        .number({ invalid_type_error: 'Год: укажите число, например 2025.' })
        .int('Год: укажите число, например 2025.')
        .min(YEAR_MIN, `Год: от ${YEAR_MIN} до ${YEAR_MAX}.`)
        .max(YEAR_MAX, `Год: от ${YEAR_MIN} до ${YEAR_MAX}.`)
        .optional(),
    ),
    title: z
      .string({ required_error: 'Напишите заголовок вопроса.' })
      .transform((s) => s.replace(/\s+/g, ' ').trim())
      .pipe(
        z
          .string()
          .min(TITLE_MIN, `Заголовок слишком короткий: не меньше ${TITLE_MIN} символов, чтобы вопрос можно было найти.`)
          .max(TITLE_MAX, `Заголовок слишком длинный: не больше ${TITLE_MAX} символов.`),
      ),
    content: PostContent,
  })
  .strip()

export type AskInput = z.input<typeof AskInput>
export type AskData = z.output<typeof AskInput>

export const ReplyInput = z.object({
  content: PostContent,
  replyToId: optionalId('сообщение для цитаты'),
})
export type ReplyInput = z.input<typeof ReplyInput>

export const EditInput = z.object({ content: PostContent })
export type EditInput = z.input<typeof EditInput>

export const VoteValue = z.coerce
  .number({ invalid_type_error: 'Голос: согласен, не согласен или отозвать.' })
  .int()
  .refine((v): v is 1 | -1 | 0 => v === 1 || v === -1 || v === 0, 'Голос: согласен, не согласен или отозвать.')

export const FlagInput = z.object({
  reason: z
    .string({ required_error: 'Опишите, что не так с сообщением.' })
    .transform((s) => s.replace(/\s+/g, ' ').trim())
    .pipe(z.string().min(3, 'Опишите, что не так с сообщением.').max(500, 'Причина жалобы: не больше 500 символов.')),
})

export const TOPIC_STATUSES = ['OPEN', 'ANSWERED', 'RESOLVED', 'CLOSED'] as const

/** A topic list's filters from the URL; bad values are dropped rather than refused. */
export const TopicListQuery = z.object({
  sectionId: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()).catch(undefined),
  expertSubjectId: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()).catch(undefined),
  taskNumber: z.preprocess(blankToUndefined, TaskNumber.optional()).catch(undefined),
  status: z.preprocess(blankToUndefined, z.enum(TOPIC_STATUSES).optional()).catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
})
export type TopicListQuery = z.infer<typeof TopicListQuery>

export const SectionInput = z.object({
  id: optionalId('раздел'),
  forumId: id('форум'),
  title: z
    .string({ required_error: 'Название раздела обязательно.' })
    .transform((s) => s.replace(/\s+/g, ' ').trim())
    .pipe(z.string().min(2, 'Название раздела: не короче 2 символов.').max(100, 'Название раздела: не длиннее 100 символов.')),
  description: z.preprocess(
    (v) => blankToUndefined(typeof v === 'string' ? v.trim() : v),
    z.string().max(500, 'Описание: не длиннее 500 символов.').optional(),
  ),
  position: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(1000).optional()),
})
export type SectionInput = z.input<typeof SectionInput>

export const ExpertSubjectInput = z.object({
  id: optionalId('предмет'),
  subject: z
    .string({ required_error: 'Название предмета обязательно.' })
    .transform((s) => s.replace(/\s+/g, ' ').trim())
    .pipe(z.string().min(2, 'Предмет: не короче 2 символов.').max(100, 'Предмет: не длиннее 100 символов.')),
  grade: z.coerce
    .number({ invalid_type_error: 'Класс: число от 1 до 11.' })
    .int('Класс: число от 1 до 11.')
    .min(1, 'Класс: число от 1 до 11.')
    .max(11, 'Класс: число от 1 до 11.'),
  taskCount: z.preprocess(
    blankToUndefined,
    z.coerce.number().int('Число заданий: целое от 1 до 50.').min(1, 'Число заданий: от 1 до 50.').max(50, 'Число заданий: от 1 до 50.').optional(),
  ),
  position: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(1000).optional()),
})
export type ExpertSubjectInput = z.input<typeof ExpertSubjectInput>

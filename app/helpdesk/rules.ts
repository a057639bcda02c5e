// The tech support rules (DOMAIN.md, "Tech support rules"), as one module
// shared by the mail intake and the web form: a request must give the login
// of the ОО/МОУО, the organisation's name, a detailed description of the
// problem, and screenshots where needed. `judge` checks each rule on the whole
// conversation so far and says what it found, so that the sender (and an
// administrator) can see why a ticket waits for data, and the reply can say
// exactly what to add. Pure: the database is reached only through `lookup`.
import { z } from 'zod'
import { findLogins, type LoginMention } from './logins-in-text.ts'
import { findOrgNameCandidates, matchOrgName, type OrgNameCandidate } from './org-names.ts'

export const INTAKE_RULES = ['login', 'orgName', 'description', 'screenshot'] as const
export type IntakeRule = (typeof INTAKE_RULES)[number]

/** An organisation as the lookup returns it. */
export interface IntakeOrg {
  login: string
  name: string
  /** OrgKind: SCHOOL, COLLEGE, MUNICIPALITY, REGION, FEDERAL. */
  kind: string
}

export interface IntakeLookup {
  findOrgByLogin(login: string): Promise<IntakeOrg | null> | IntakeOrg | null
}

export const intakeAttachmentSchema = z.object({
  contentType: z.string().max(255),
  filename: z.string().max(500).nullish(),
  isImage: z.boolean(),
  inline: z.boolean().default(false),
})

export const intakeInputSchema = z.object({
  subject: z.string().max(5_000).default(''),
  /** Shown text of the whole conversation so far (quotes stripped, signatures kept). */
  text: z.string().max(500_000),
  attachments: z.array(intakeAttachmentSchema).max(500).default([]),
  fromAddress: z.string().max(320).nullish(),
  /** Structured fields of the web form; they take precedence over what the text says. */
  fields: z
    .object({
      login: z.string().max(100).optional(),
      orgName: z.string().max(500).optional(),
    })
    .optional(),
})
export type IntakeInput = z.input<typeof intakeInputSchema>

/**
 * The web form's ticket: the same four things the rules ask of a letter, as
 * fields. Presence and size are checked here; whether the values are right
 * (the login exists, the name fits it, the description is detailed) is for
 * `judge`, exactly as for mail.
 */
export const webTicketSchema = z.object({
  login: z
    .string({ required_error: 'Укажите логин организации' })
    .trim()
    .min(1, 'Укажите логин организации, например edu293379')
    .max(40, 'Логин не длиннее 40 символов'),
  orgName: z
    .string({ required_error: 'Укажите название организации' })
    .trim()
    .min(3, 'Укажите название организации полностью')
    .max(300, 'Название не длиннее 300 символов'),
  subject: z.string().trim().max(200, 'Тема не длиннее 200 символов').default(''),
  description: z
    .string({ required_error: 'Опишите проблему' })
    .trim()
    .min(1, 'Опишите проблему')
    .max(20_000, 'Описание не длиннее 20 000 символов'),
  attachments: z.array(intakeAttachmentSchema).max(10, 'Не больше 10 файлов').default([]),
})
export type WebTicket = z.infer<typeof webTicketSchema>

export function webTicketToIntake(ticket: WebTicket): IntakeInput {
  return {
    subject: ticket.subject,
    text: ticket.description,
    attachments: ticket.attachments,
    fields: { login: ticket.login, orgName: ticket.orgName },
  }
}

// ---------------------------------------------------------------------------
// The verdict

interface RuleResultBase<R extends IntakeRule, F> {
  rule: R
  met: boolean
  /** What was found (Russian), for the sender, the agent and the administrator. */
  evidence: string
  /** What to do to meet the rule (Russian); null when it is met. */
  hint: string | null
  facts: F
}

export interface LoginFacts {
  /** The login the ticket is about (the first one that exists), canonical. */
  login: string | null
  status: 'found' | 'absent' | 'unknown' | 'legacy'
  org: IntakeOrg | null
  /** Everything that looked like a login, as written. */
  mentions: Pick<LoginMention, 'login' | 'written' | 'source' | 'corrected'>[]
}

export interface OrgNameFacts {
  /** The name as written that matched, or the best candidate that did not. */
  written: string | null
  matched: boolean | null
  /** The organisation's name in the system, when the login was found. */
  expected: string | null
  candidates: string[]
}

export interface DescriptionFacts {
  words: number
  topics: string[]
  errorText: string | null
}

export interface ScreenshotFacts {
  needed: boolean
  triggers: string[]
  images: string[]
}

export type RuleResult =
  | RuleResultBase<'login', LoginFacts>
  | RuleResultBase<'orgName', OrgNameFacts>
  | RuleResultBase<'description', DescriptionFacts>
  | RuleResultBase<'screenshot', ScreenshotFacts>

export interface IntakeVerdict {
  rules: RuleResult[]
  /** All rules met: the ticket can go to work. */
  complete: boolean
  missing: IntakeRule[]
  /** The organisation the request is about, when its login was found. */
  org: IntakeOrg | null
}

export const RULE_TITLES: Record<IntakeRule, string> = {
  login: 'Логин организации',
  orgName: 'Название организации',
  description: 'Подробное описание проблемы',
  screenshot: 'Снимок экрана',
}

export const HINTS = {
  login:
    'Укажите логин вашей организации в ФИС ОКО в формате edu293379 (школа), spo290001 (колледж), reg29_m019 (МОУО) или reg290000 (регион). Логин выдаёт муниципальный или региональный координатор.',
  loginUnknown:
    'Проверьте логин: такого нет в системе. Скопируйте его из письма координатора с учётными данными или уточните у муниципального координатора; логин школы выглядит как edu293379.',
  loginLegacy:
    'Логины вида sch… действовали до 2022 года. Укажите действующий логин вида edu293379; если вы его не знаете, обратитесь к муниципальному координатору.',
  orgName: 'Укажите полное название организации, как в системе, например: МБОУ «Средняя школа № 1» г. Архангельск.',
  orgNameMismatch: (org: IntakeOrg) =>
    `Проверьте логин и название: логин ${org.login} принадлежит организации «${org.name}». Укажите логин и название одной и той же организации.`,
  description:
    'Опишите проблему подробно: в каком разделе кабинета и с какой публикацией или отчётом вы работали (исследование, предмет, класс), что делали, что ожидали и что произошло. Текст ошибки приведите дословно.',
  screenshot:
    'Приложите снимок экрана с ошибкой: весь экран, чтобы были видны адресная строка, раздел кабинета и текст сообщения. Закройте на снимке фамилии учеников и коды участников (152-ФЗ).',
} as const

// ---------------------------------------------------------------------------
// Rule: login

async function judgeLogin(input: z.output<typeof intakeInputSchema>, lookup: IntakeLookup): Promise<RuleResultBase<'login', LoginFacts>> {
  const fieldMentions = input.fields?.login ? findLogins(input.fields.login, '') : []
  const mentions = [...fieldMentions, ...findLogins(input.subject, input.text).filter((m) => !fieldMentions.some((f) => f.login === m.login))]
  const facts: LoginFacts = {
    login: null,
    status: 'absent',
    org: null,
    mentions: mentions.map(({ login, written, source, corrected }) => ({ login, written, source, corrected })),
  }
  if (mentions.length === 0) {
    const typed = input.fields?.login?.trim()
    return {
      rule: 'login',
      met: false,
      evidence: typed ? `«${typed}» не похоже на логин организации` : 'логин организации не найден ни в теме, ни в тексте',
      hint: HINTS.login,
      facts,
    }
  }
  const current = mentions.filter((m) => m.kind !== 'legacy-school')
  const found: { mention: LoginMention; org: IntakeOrg }[] = []
  const unknown: LoginMention[] = []
  for (const mention of current) {
    const org = await lookup.findOrgByLogin(mention.login)
    if (org) found.push({ mention, org })
    else unknown.push(mention)
  }
  if (found.length) {
    const [{ mention, org }] = found
    facts.login = org.login
    facts.status = 'found'
    facts.org = org
    const notes = [
      mention.corrected ? `написан как «${mention.written}»` : null,
      found.length > 1 ? `упомянуты и другие: ${found.slice(1).map((f) => f.org.login).join(', ')}` : null,
      unknown.length ? `не найдены: ${unknown.map((u) => u.login).join(', ')}` : null,
    ].filter(Boolean)
    return {
      rule: 'login',
      met: true,
      evidence: `логин ${org.login} — ${org.name}${notes.length ? ` (${notes.join('; ')})` : ''}`,
      hint: null,
      facts,
    }
  }
  if (unknown.length) {
    facts.status = 'unknown'
    facts.login = unknown[0].login
    return {
      rule: 'login',
      met: false,
      evidence: `логин ${unknown.map((u) => u.login).join(', ')} не найден в системе`,
      hint: HINTS.loginUnknown,
      facts,
    }
  }
  facts.status = 'legacy'
  facts.login = mentions[0].login
  return {
    rule: 'login',
    met: false,
    evidence: `указан устаревший логин ${mentions.map((m) => m.login).join(', ')} (формат до 2022 года)`,
    hint: HINTS.loginLegacy,
    facts,
  }
}

// ---------------------------------------------------------------------------
// Rule: organisation name

function judgeOrgName(input: z.output<typeof intakeInputSchema>, org: IntakeOrg | null): RuleResultBase<'orgName', OrgNameFacts> {
  const typed = input.fields?.orgName?.trim()
  const candidates: OrgNameCandidate[] = typed
    ? [{ text: typed, how: 'label', index: -1 }]
    : [...findOrgNameCandidates(input.subject), ...findOrgNameCandidates(input.text)]
  const facts: OrgNameFacts = { written: null, matched: null, expected: org?.name ?? null, candidates: candidates.map((c) => c.text) }

  if (candidates.length === 0) {
    return {
      rule: 'orgName',
      met: false,
      evidence: 'название организации не найдено',
      hint: org ? `${HINTS.orgName.replace(/, например:.*$/, '')}: ${org.name}.` : HINTS.orgName,
      facts,
    }
  }
  if (!org) {
    facts.written = candidates[0].text
    return {
      rule: 'orgName',
      met: true,
      evidence: `указано «${candidates[0].text}»; сверить с логином нельзя, пока логин не найден`,
      hint: null,
      facts,
    }
  }
  const judged = candidates.map((c) => ({ candidate: c, result: matchOrgName(c.text, org.name) }))
  const hit = judged.find((j) => j.result.match)
  if (hit) {
    facts.written = hit.candidate.text
    facts.matched = true
    return { rule: 'orgName', met: true, evidence: `«${hit.candidate.text}» соответствует организации логина ${org.login}`, hint: null, facts }
  }
  const best = judged.reduce((a, b) => (b.result.score > a.result.score ? b : a))
  facts.written = best.candidate.text
  facts.matched = false
  return {
    rule: 'orgName',
    met: false,
    evidence: `название не совпадает с организацией логина ${org.login} («${org.name}»): указано «${best.candidate.text}» — ${best.result.reason}`,
    hint: HINTS.orgNameMismatch(org),
    facts,
  }
}

// ---------------------------------------------------------------------------
// Rule: description

const GREETING = /^\s*(здравствуйте|добрый\s+(день|вечер)|доброе\s+утро|доброго\s+(времени\s+суток|дня)|привет\S*|уважаем\S+.*|hello|hi|dear\s.*)[\s!,.]*$/iu
const SIGN_OFF = /^\s*(с уважением|с наилучшими пожеланиями|всего (вам )?доброго|спасибо|заранее спасибо|спасибо заранее|благодарю|best regards|regards|thanks?)(?![\p{L}]).*$/iu
const FIELD_LINE = /^\s*(логин|login|оо|оу|моуо|организация|наименование|название|учреждение|школа|телефон|тел|e-?mail|почта|контактное лицо|контакт|фио|ответственный|координатор|должность|адрес)\s*[:\-—–]/iu

/** Words that carry no information about the problem. */
const STOP = new Set(
  (
    'и в во на не ни с со по а но или что чтобы как у к ко о об от из за для до при про это этот эта эти то так же ли бы уже еще ещё ' +
    'мы я вы нам нас нами вам вас нужно надо можно есть был была было были будет очень все всё всем вот там тут где когда ' +
    'помогите помочь пожалуйста просим прошу подскажите помощь срочно работает работают получается получилось проблема проблемы ' +
    'здравствуйте добрый день спасибо уважением ваш ваша наш наша наши'
  ).split(/\s+/),
)

/**
 * Stems of what people report about: the parts of the cabinet (DOMAIN.md) and
 * what goes wrong in them. A description names at least one.
 */
const TOPICS: [string, RegExp][] = [
  ['загрузка', /^(за|вы|пере)?груз|^загруж|^выгруж|^скач|^закач/],
  ['форма', /^форм[аыуеой]?$|^форма|^шаблон/],
  ['отчёт', /^отч[её]т/],
  ['публикация', /^публикац|^опубликов/],
  ['материалы', /^материал/],
  ['архив', /^архив|^zip$|^rar$/],
  ['протокол', /^протокол/],
  ['аналитика', /^аналитик/],
  ['вход и пароль', /^вход$|^входе?$|^войти|^авториз|^парол|^учетн|^учётн/],
  ['ВПР и другие исследования', /^впр$|^нико$|^мси$|^ику$|^фгкко$|^исследован|^pisa$/],
  ['кабинет', /^кабинет|^раздел|^вкладк|^страниц|^кнопк|^меню|^сайт/],
  ['файл', /^файл|^xlsx?$|^excel|^эксел|^pdf$|^docx?$/],
  ['результаты', /^результат|^балл|^отметк|^оценк|^вариант|^критери|^код(ы|ов)?$|^участник/],
  ['ошибка', /^ошибк|^error$|^сбой|^зависа|^завис|^отображ|^открыва|^открыт/],
  ['обмен данными', /^обмен|^ход$/],
  ['эксперты и проверка', /^эксперт|^проверк|^перепровер/],
]

/** An error message quoted after the words that introduce one («выдаёт ошибку «…»», «пишет "…"»), or an error code. */
const ERROR_TEXT =
  /(?:ошибк[аиуеой]?|сообщени[ееяю]|надпись|пишет|выда[её]т|выдает|появляется|высвечивается|error)[^«"“\n]{0,30}[«"“]([^»"”\n]{4,200})[»"”]|(?<![\p{L}])(?:ошибка|error|код ошибки)\s*:?\s*(\d{3}|0x[0-9a-f]+|[A-Z_]{4,})/iu

function meaningfulText(text: string): string {
  return text
    .split('\n')
    .filter((line) => !GREETING.test(line) && !SIGN_OFF.test(line) && !FIELD_LINE.test(line))
    .join('\n')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/[\w.+-]+@[\w.-]+\.\w+/g, ' ')
    .replace(/(?<![\p{L}\d])(?:edu|еdu|sch|spo|reg)[\s_-]?\d{2}(?:_m)?\d{3,4}/giu, ' ')
    .replace(/\+?\d[\d\s()-]{8,}\d/g, ' ')
}

function judgeDescription(input: z.output<typeof intakeInputSchema>, orgCandidates: string[]): RuleResultBase<'description', DescriptionFacts> {
  let text = meaningfulText(`${input.subject}\n${input.text}`)
  for (const name of orgCandidates) text = text.split(name).join(' ')
  const words = (text.toLowerCase().replace(/ё/g, 'е').match(/[\p{L}][\p{L}-]*/gu) ?? []).filter((w) => w.length > 1 && !STOP.has(w))
  const topics = TOPICS.filter(([, re]) => words.some((w) => re.test(w))).map(([name]) => name)
  const errorMatch = ERROR_TEXT.exec(input.text)
  const errorText = errorMatch ? (errorMatch[1] ?? errorMatch[2] ?? null) : null
  const facts: DescriptionFacts = { words: words.length, topics, errorText }
  const met = (words.length >= 12 && topics.length >= 1) || (words.length >= 8 && topics.length >= 1 && errorText !== null) || words.length >= 40
  const found = [
    `${words.length} ${plural(words.length, 'значимое слово', 'значимых слова', 'значимых слов')}`,
    topics.length ? `упомянуто: ${topics.join(', ')}` : 'не сказано, в каком разделе или с чем проблема',
    errorText ? `текст ошибки: «${errorText}»` : null,
  ]
    .filter(Boolean)
    .join('; ')
  return { rule: 'description', met, evidence: met ? found : `описание слишком краткое: ${found}`, hint: met ? null : HINTS.description, facts }
}

function plural(n: number, one: string, few: string, many: string) {
  const d = n % 10
  const dd = n % 100
  if (d === 1 && dd !== 11) return one
  if (d >= 2 && d <= 4 && (dd < 12 || dd > 14)) return few
  return many
}

// ---------------------------------------------------------------------------
// Rule: screenshot

/** What makes a screenshot necessary: something the interface showed or failed to show. */
const SCREENSHOT_TRIGGERS: [string, RegExp][] = [
  ['ошибка', /(?<![\p{L}])(ошибк[аиуеой]|ошибочн|error|exception)/iu],
  ['не загружается', /не\s+(за|вы|пере)?(гружа|грузи|грузил|грузят|гружен|загруз|скачива|скача|сохраня|сохрани|отправля|принима|прикрепля)/iu],
  ['не открывается', /не\s+(открыва|открыл|открое|отобража|показыва|видн|появля|нажима|активн|работа[ею]т\s+кнопк)/iu],
  ['выдаёт сообщение', /(выда[её]т|выдало|выдал[аи]?|появляется|появилось|высвечивается|вылетает|выскакивает)(?![\p{L}])|пишет\s*[:«"]/iu],
  ['белый экран', /(бел(ый|ая)\s+(экран|страниц)|пуст(ая|ой)\s+(страниц|экран|окно)|страница не найдена|зависа|завис)/iu],
  ['код ошибки', /(?<![\d])(40[0-9]|50[0-4])(?![\d])\s*(ошибк|error|bad|not found|forbidden|internal)|(ошибк\S*|error|код)\s*:?\s*(40[0-9]|50[0-4])(?!\d)/iu],
  ['неверные данные в отчёте', /(неверн|неправильн|некорректн)\S*\s+(данн|результат|отч[её]т|отображ|балл)/iu],
]

function judgeScreenshot(input: z.output<typeof intakeInputSchema>): RuleResultBase<'screenshot', ScreenshotFacts> {
  const text = `${input.subject}\n${input.text}`
  const triggers = SCREENSHOT_TRIGGERS.filter(([, re]) => re.test(text)).map(([name]) => name)
  const images = input.attachments.filter((a) => a.isImage).map((a) => a.filename || (a.inline ? 'изображение в тексте письма' : 'изображение'))
  const needed = triggers.length > 0
  const facts: ScreenshotFacts = { needed, triggers, images }
  if (!needed) {
    return {
      rule: 'screenshot',
      met: true,
      evidence: images.length ? `не требуется; приложено изображений: ${images.length}` : 'не требуется: ошибка интерфейса не описана',
      hint: null,
      facts,
    }
  }
  if (images.length) {
    return { rule: 'screenshot', met: true, evidence: `приложено изображений: ${images.length} (${images.slice(0, 3).join(', ')})`, hint: null, facts }
  }
  return {
    rule: 'screenshot',
    met: false,
    evidence: `нужен снимок экрана (в письме: ${triggers.join(', ')}), но изображений не приложено`,
    hint: HINTS.screenshot,
    facts,
  }
}

// ---------------------------------------------------------------------------

export async function judge(rawInput: IntakeInput, lookup: IntakeLookup): Promise<IntakeVerdict> {
  const input = intakeInputSchema.parse(rawInput)
  const login = await judgeLogin(input, lookup)
  const orgName = judgeOrgName(input, login.facts.org)
  const description = judgeDescription(input, orgName.facts.candidates)
  const screenshot = judgeScreenshot(input)
  const rules: RuleResult[] = [login, orgName, description, screenshot]
  const missing = rules.filter((r) => !r.met).map((r) => r.rule)
  return { rules, complete: missing.length === 0, missing, org: login.facts.org }
}

/** A lookup over a fixed list, for tests and the dry-run CLI. */
export function lookupFromList(orgs: IntakeOrg[]): IntakeLookup {
  const byLogin = new Map(orgs.map((o) => [o.login.toLowerCase(), o]))
  return { findOrgByLogin: (login) => byLogin.get(login.toLowerCase()) ?? null }
}

// Personal data out of a ticket before it becomes a ready answer for the bank
// (DOMAIN.md, "Personal data (152-ФЗ)": coordinators' names, e-mails and
// phones are personal data; so are pupils' names and participant codes).
// Pure: the desk shows the cleaned text for review before anything is saved,
// and saving cleans once more (cleaning clean text changes nothing).

export type ScrubKind = 'email' | 'phone' | 'login' | 'code' | 'name' | 'org' | 'field' | 'signature' | 'token'

export const SCRUB_LABELS: Record<ScrubKind, string> = {
  email: 'адреса e-mail',
  phone: 'телефоны',
  login: 'логины',
  code: 'коды участников',
  name: 'фамилии и имена',
  org: 'названия организаций',
  field: 'служебные строки (логин, организация, контакты)',
  signature: 'подписи',
  token: 'номера обращений',
}

const MARK: Record<'email' | 'phone' | 'login' | 'code' | 'name' | 'org', string> = {
  email: '[e-mail скрыт]',
  phone: '[телефон скрыт]',
  login: '[логин скрыт]',
  code: '[код участника скрыт]',
  name: '[ФИО скрыто]',
  org: '[организация скрыта]',
}

export interface ScrubResult {
  text: string
  removed: Partial<Record<ScrubKind, number>>
}

const L = '\\p{L}'
const NOT_WORD_BEFORE = `(?<![${L}\\d_])`
const NOT_WORD_AFTER = `(?![${L}\\d_])`

const EMAIL = /[\p{L}\d._%+-]+@[\p{L}\d-]+(?:\.[\p{L}\d-]+)*\.[\p{L}]{2,}/gu
/** +7 / 8 and ten digits in any grouping: +7 (912) 345-67-89, 8-818-52-2-11-33, 89123456789. */
const PHONE_FULL = /(?<![\d])(?:\+\s?7|8|7)(?:[\s\-()]{0,3}\d){10}(?!\d)/gu
/** A short city number after a phone label: «тел. 2-11-33». */
const PHONE_LABELLED = /((?:^|[\s(,;])(?:тел(?:ефон)?|моб(?:ильный)?|сот(?:овый)?|факс|т)\.?\s*:?\s*)(\+?[\d][\d\s\-()]{3,}\d)/giu
/** Organisation and teacher logins (DOMAIN.md), also with a Cyrillic «е»/«с» typed by mistake. */
const LOGIN = new RegExp(`${NOT_WORD_BEFORE}(?:(?:[eе]du|s[cс]h|spo)\\s?\\d{6}(?:_t\\d{2,3})?|reg\\s?\\d{2}_m\\d{3}|reg\\s?\\d{6})${NOT_WORD_AFTER}`, 'giu')
/** Participant codes: five digits on their own (DOMAIN.md: the first digit is the grade). */
const CODE = new RegExp(`${NOT_WORD_BEFORE}(?<!\\d\\.)\\d{5}${NOT_WORD_AFTER}(?!\\.\\d)`, 'gu')

const CAP = '[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?'
const PATRONYMIC = '[А-ЯЁ][а-яё]+(?:ович|евич|ьич|овна|евна|ична|инична)'
const INITIALS = '[А-ЯЁ]\\.\\s?[А-ЯЁ]\\.?'
/** Фамилия Имя Отчество, Имя Отчество (Фамилия), Фамилия И. О., И. О. Фамилия. */
const FULL_NAME = new RegExp(
  [`${CAP}\\s+${CAP}\\s+${PATRONYMIC}`, `${CAP}\\s+${PATRONYMIC}(?:\\s+${CAP})?`, `${CAP}\\s+${INITIALS}`, `${INITIALS}\\s?${CAP}`]
    .map((p) => `${NOT_WORD_BEFORE}(?:${p})${NOT_WORD_AFTER}`)
    .join('|'),
  'gu',
)
/** Either case of the first letter: the label may start a sentence. */
const anyCase = (word: string) => `[${word[0].toUpperCase()}${word[0].toLowerCase()}]${word.slice(1)}`
const PERSON_LABELS = [
  'ФИО',
  'Ф\\.\\s?И\\.\\s?О\\.?',
  anyCase('фамилия(?:,? имя)?'),
  anyCase('учени(?:к|ца|ка|цы)'),
  anyCase('учащ(?:ийся|аяся|егося|ейся)'),
  anyCase('участни(?:к|ца|ка)'),
  anyCase('ребён(?:ок|ка)'),
  anyCase('ребен(?:ок|ка)'),
  anyCase('учител(?:ь|я|ю)'),
  anyCase('координатор(?:а|у)?'),
  anyCase('директор(?:а|у)?'),
  anyCase('исполнитель'),
]
/** A name right after «ФИО» or a person's role: «ФИО ученика: Петров Пётр», «учитель Сидорова». */
const NAME_AFTER_LABEL = new RegExp(
  `(${NOT_WORD_BEFORE}(?:${PERSON_LABELS.join('|')})` +
    `(?:\\s+(?:ученика|ученицы|участника|учащегося|ребёнка|ребенка|учителя|координатора|эксперта))?\\s*[:\\-—–]?\\s*)` +
    `(${CAP}(?:\\s+(?:${CAP}|${INITIALS})){0,2})`,
  'gu',
)
/**
 * An organisation's name with its legal form: «МБОУ «Средняя школа № 1» г. Архангельск»,
 * «МБОУ СШ № 12», «ГАПОУ АО «Архангельский политехнический техникум»». It says who wrote.
 */
const ORG_NAME = new RegExp(
  `${NOT_WORD_BEFORE}(?:МБОУ|МАОУ|МКОУ|МОУ|ГБОУ|ГАОУ|ГКОУ|ГОУ|ГАПОУ|ГБПОУ|КГБПОУ|ГПОУ|ЧОУ|АНОО|АНО)(?:\\s+[А-ЯЁ]{2,3})?\\s*` +
    `(?:«[^»\\n]{2,120}»|"[^"\\n]{2,120}"|(?:СОШ|СШ|ООШ|ОШ|НШ|гимназия|лицей)\\s*№\\s*\\d+)` +
    `(?:\\s*(?:г\\.|с\\.|п\\.|пос\\.|д\\.)\\s*[А-ЯЁ][а-яё-]+)?`,
  'gu',
)
/** The greeting a letter or a reply opens with. */
const GREETING = /^\s*(?:здравствуйте|добрый\s+(?:день|вечер)|доброе\s+утро|доброго\s+(?:времени\s+суток|дня)|уважаем\S*\s+коллеги)[^\n.!?]{0,60}[!.,]?\s*/iu
/** «Логин [логин скрыт], [организация скрыта].» — a sentence left with nothing but removed data. */
const EMPTY_SENTENCE = /(^|\n|[.!?]\s+)(?:логин|организация|оо|школа)?[:\s]*(?:\[(?:логин скрыт|организация скрыта)\][,;\s]*)+(?:[.!?]+\s*|(?=\n)|$)/giu

/** Lines that only carry who wrote (fields of a letter), not the problem. */
const FIELD_LINE =
  /^\s*(?:логин|login|оо|оу|моуо|организация|наименование(?:\s+\S+)?|название(?:\s+\S+)?|учреждение|школа|телефон|тел\.?|моб\.?|e-?mail|эл\.?\s?почта|почта|контактное лицо|контакт|ответственный|координатор|фио|должность|адрес)\s*[:\-—–].*$/iu
/** Where a signature starts: a sign-off line or the «-- » delimiter; everything after it goes. */
const SIGN_OFF = /^\s*(?:--\s*|(?:с уважением|с наилучшими пожеланиями|best regards|kind regards|regards)(?![\p{L}]).*)$/iu
const TICKET_TOKEN = /\[#\d+\]/g

function count(removed: ScrubResult['removed'], kind: ScrubKind, n = 1) {
  if (n > 0) removed[kind] = (removed[kind] ?? 0) + n
}

export interface ScrubOptions {
  /** Names known to identify the requester (the ticket's organisation), removed wherever they appear. */
  orgNames?: (string | null | undefined)[]
  /** Drop the greeting the text opens with («Здравствуйте, …!»): a bank entry does not greet. */
  dropGreeting?: boolean
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export function scrubPersonalData(input: string, options: ScrubOptions = {}): ScrubResult {
  const removed: ScrubResult['removed'] = {}
  let text = input.replace(/\r\n?/g, '\n')
  if (options.dropGreeting) text = text.replace(GREETING, '')

  // Signatures: drop from the sign-off line to the end.
  const lines = text.split('\n')
  const signAt = lines.findIndex((line, i) => i > 0 && SIGN_OFF.test(line))
  if (signAt > 0) {
    count(removed, 'signature')
    lines.length = signAt
  }
  // Field lines (Логин: …, ОО: …, Телефон: …).
  const kept = lines.filter((line) => {
    if (!FIELD_LINE.test(line)) return true
    count(removed, 'field')
    return false
  })
  text = kept.join('\n')

  text = text.replace(TICKET_TOKEN, () => {
    count(removed, 'token')
    return ''
  })
  text = text.replace(EMAIL, () => {
    count(removed, 'email')
    return MARK.email
  })
  text = text.replace(PHONE_LABELLED, (_m, label: string) => {
    count(removed, 'phone')
    return `${label}${MARK.phone}`
  })
  text = text.replace(PHONE_FULL, () => {
    count(removed, 'phone')
    return MARK.phone
  })
  text = text.replace(LOGIN, () => {
    count(removed, 'login')
    return MARK.login
  })
  text = text.replace(CODE, () => {
    count(removed, 'code')
    return MARK.code
  })
  for (const name of new Set((options.orgNames ?? []).filter((n): n is string => !!n && n.trim().length >= 4))) {
    text = text.replace(new RegExp(escapeRe(name.trim()).replace(/\\s+|\s+/g, '\\s+'), 'giu'), () => {
      count(removed, 'org')
      return MARK.org
    })
  }
  text = text.replace(ORG_NAME, () => {
    count(removed, 'org')
    return MARK.org
  })
  text = text.replace(EMPTY_SENTENCE, (_m, before: string) => before)
  text = text.replace(NAME_AFTER_LABEL, (_m, label: string) => {
    count(removed, 'name')
    return `${label}${MARK.name}`
  })
  text = text.replace(FULL_NAME, () => {
    count(removed, 'name')
    return MARK.name
  })

  text = text
    .split('\n')
    .map((l) => l.replace(/[ \t]{2,}/g, ' ').replace(/^[ \t]+|[ \t]+$/g, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
  return { text, removed }
}

/** «Удалено: адреса e-mail — 1, телефоны — 2» for the review page. */
export function describeRemoved(removed: ScrubResult['removed']): string[] {
  return (Object.keys(SCRUB_LABELS) as ScrubKind[]).filter((k) => removed[k]).map((k) => `${SCRUB_LABELS[k]} — ${removed[k]}`)
}

// Organisation names as people write them: «МБОУ СШ № 1 г. Вельска» for the
// organisation registered as «МБОУ «Средняя школа № 1» Вельского округа»,
// «школа №5», «Управление образования администрации г. Архангельска».
// Matching is fuzzy where people differ harmlessly (quotes, №/N/No, case,
// ё/е, МБОУ/МАОУ, СШ/СОШ/средняя школа, word endings) and strict where a
// difference means another organisation (the number, the kind of school, the
// town). Pure: no database.

export type SchoolType =
  | 'secondary' // средняя школа, СШ, СОШ
  | 'basic' // основная школа, ООШ
  | 'primary' // начальная школа, НОШ
  | 'school' // «школа» without more
  | 'boarding' // школа-интернат
  | 'gymnasium'
  | 'lyceum'
  | 'college'
  | 'technicum'
  | 'kindergarten'
  | 'authority' // управление/отдел/комитет/министерство образования (МОУО, region)

export interface OrgNameParts {
  type: SchoolType | null
  number: string | null
  /** Other distinctive words (towns, districts, names), normalised, in order. */
  words: string[]
  /**
   * The capitalised ones among them (proper names: towns, districts). Only
   * these can prove that a name means another place: lower-case words are as
   * likely to be the rest of the sentence the name was found in.
   */
  proper: string[]
}

export interface OrgNameMatch {
  match: boolean
  /** 0..1, for ordering candidates. */
  score: number
  /** Why not (Russian), when match is false. */
  reason: string | null
}

const TYPE_PATTERNS: [SchoolType, RegExp][] = [
  ['boarding', /школ[а-я]*[- ]интернат[а-я]*|(?<![а-я])интернат[а-я]*/g],
  ['secondary', /средн[а-я]*\s+(?:обще)?(?:образовательн[а-я]*\s+)?школ[а-я]*|(?<![а-я])(?:м?сош|м?сш)(?![а-я])/g],
  ['basic', /основн[а-я]*\s+(?:обще)?(?:образовательн[а-я]*\s+)?школ[а-я]*|(?<![а-я])оош(?![а-я])/g],
  ['primary', /начальн[а-я]*\s+(?:обще)?(?:образовательн[а-я]*\s+)?школ[а-я]*|(?<![а-я])нош(?![а-я])/g],
  ['gymnasium', /(?<![а-я])гимнази[а-я]*/g],
  ['lyceum', /(?<![а-я])лице[йяюе][а-я]*/g],
  ['college', /(?<![а-я])колледж[а-я]*/g],
  ['technicum', /(?<![а-я])техникум[а-я]*/g],
  ['kindergarten', /детск[а-я]*\s+сад[а-я]*|(?<![а-я])(?:м[бак]?доу|доу)(?![а-я])/g],
  ['authority', /(?:управлени|отдел|комитет|департамент|министерств)[а-я]*\s+(?:по\s+)?(?:вопросам\s+)?(?:общего\s+)?образовани[а-я]*|(?<![а-я])(?:моуо|ооа|уо|гороно|роно)(?![а-я])/g],
  ['school', /(?<![а-я])школ[а-я]*/g],
]

/** Legal forms, generic words and place markers that say nothing about which organisation it is. */
const STOP_WORDS = new Set(
  (
    'мбоу маоу мкоу моу гбоу гаоу гкоу огбоу огаоу чоу ноу ано оу гбпоу гапоу кгбпоу гпоу огбпоу гбу мбу мку фгбу гау мау мбоо ' +
    'муниципальное муниципального муниципальный муниципальная бюджетное бюджетного автономное автономного казенное казенного ' +
    'государственное государственного общеобразовательное общеобразовательного образовательное образовательного образовательная ' +
    'профессиональное профессионального учреждение учреждения организация организации общеобразовательная общеобразовательной ' +
    'город города гор пос поселок поселка посёлок село села деревня деревни район района районе округ округа округе ' +
    'муниципальный городской городского областной областного область области край края республика республики ' +
    'администрации администрация им имени ао рф россии российской федерации все вся для при по на в и с без '
  )
    .split(/\s+/)
    .filter(Boolean),
)

/** Lower case, ё→е, no quotes, every way of writing «номер» as «№ », punctuation as spaces. */
export function normalizeOrgName(name: string): string {
  return name
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[«»"“”„‟'`’‘]/g, ' ')
    .replace(/(?<![\p{L}])(?:№|n[oо°º]?\.?|#|номер)\s*(?=\d)/giu, '№ ')
    .replace(/(\p{L})(\d)/gu, '$1 $2')
    .replace(/[()[\]{}:;,.!?/\\|_]+/g, ' ')
    .replace(/\s[-–—]+\s|\s[-–—]+|[-–—]+\s/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
}

export function analyzeOrgName(name: string): OrgNameParts {
  let text = normalizeOrgName(name)
  let type: SchoolType | null = null
  for (const [kind, re] of TYPE_PATTERNS) {
    re.lastIndex = 0
    if (re.test(text)) {
      type ??= kind
      re.lastIndex = 0
      text = text.replace(re, ' ')
    }
  }
  // Person names after «им.»/«имени» are not places; they do not help either way.
  text = text.replace(/(?<![\p{L}])(?:им|имени)\s+.*$/u, ' ')
  const number = /№\s*(\d{1,4})/.exec(text)?.[1] ?? (type && type !== 'authority' ? (/(?<![\d.])(\d{1,4})(?![\d.])/.exec(text)?.[1] ?? null) : null)
  const words = text
    .replace(/№\s*\d+/g, ' ')
    .split(/\s+/)
    .filter((w) => /^\p{L}[\p{L}-]*$/u.test(w) && w.length >= 3 && !STOP_WORDS.has(w))
  const proper = [...name.replace(/(?<![\p{L}])(?:им|имени)[.\s].*$/su, '').matchAll(/(?<![\p{L}])\p{Lu}[\p{Ll}-]{2,}/gu)]
    .map((m) => m[0].toLowerCase().replace(/ё/g, 'е'))
    .filter((w) => !STOP_WORDS.has(w) && !GENERIC_CAPITALISED.test(w))
  return { type, number: number ? String(Number(number)) : null, words, proper }
}

/** Capitalised words that are kinds of organisation, not names. */
const GENERIC_CAPITALISED = /^(школ|средн|основн|начальн|гимнази|лице|колледж|техникум|управлени|образовани|отдел|комитет|министерств|департамент|детск|сад|интернат|муниципальн|государствен|бюджетн|автономн|казенн|общеобразовательн|профессиональн)/

/** Same word up to its ending: a common prefix of at least 4 letters covering all but the last 3. */
export function sameStem(a: string, b: string) {
  const shorter = Math.min(a.length, b.length)
  let common = 0
  while (common < shorter && a[common] === b[common]) common++
  return common >= Math.max(4, shorter - 3) || (a === b && a.length >= 3)
}

const SCHOOLS: SchoolType[] = ['secondary', 'basic', 'primary', 'school', 'boarding']

function compatibleTypes(a: SchoolType | null, b: SchoolType | null) {
  if (!a || !b || a === b) return true
  return (a === 'school' && SCHOOLS.includes(b)) || (b === 'school' && SCHOOLS.includes(a))
}

const TYPE_LABEL: Record<SchoolType, string> = {
  secondary: 'средняя школа',
  basic: 'основная школа',
  primary: 'начальная школа',
  school: 'школа',
  boarding: 'школа-интернат',
  gymnasium: 'гимназия',
  lyceum: 'лицей',
  college: 'колледж',
  technicum: 'техникум',
  kindergarten: 'детский сад',
  authority: 'орган управления образованием',
}

/** Does `candidate` (what the sender wrote) name the organisation registered as `orgName`? */
export function matchOrgName(candidate: string, orgName: string): OrgNameMatch {
  const a = analyzeOrgName(candidate)
  const b = analyzeOrgName(orgName)
  const overlap = a.words.filter((w) => b.words.some((v) => sameStem(w, v))).length
  const properOverlap = a.proper.filter((w) => b.words.some((v) => sameStem(w, v))).length

  if (a.number && b.number && a.number !== b.number) {
    return { match: false, score: 0, reason: `другой номер: № ${a.number}, а в системе № ${b.number}` }
  }
  if (!compatibleTypes(a.type, b.type)) {
    return { match: false, score: 0, reason: `другой тип организации: ${TYPE_LABEL[a.type!]}, а в системе ${TYPE_LABEL[b.type!]}` }
  }
  if (a.number && b.number) {
    if (a.proper.length && b.words.length && properOverlap === 0) {
      return { match: false, score: 0.2, reason: `тот же номер, но другой населённый пункт или название: «${a.proper.join(' ')}»` }
    }
    if (a.type || overlap > 0) return { match: true, score: 0.7 + 0.3 * Math.min(1, overlap / Math.max(1, b.words.length)), reason: null }
    return { match: false, score: 0.3, reason: 'указан только номер, без типа организации и населённого пункта' }
  }
  if (a.number !== b.number) {
    return { match: false, score: 0.2, reason: a.number ? `№ ${a.number}, а в названии организации номера нет` : 'не указан номер организации' }
  }
  // No numbers on either side: colleges, authorities, named schools.
  const words = Math.min(a.words.length, b.words.length)
  const typed = a.type && b.type ? 1 : 0
  const score = words === 0 ? (typed ? 0.5 : 0) : overlap / words
  if (words > 0 && overlap > 0 && score >= 0.6) return { match: true, score, reason: null }
  if (words === 0 && a.type && a.type === b.type && a.type !== 'school') return { match: true, score: 0.5, reason: null }
  return { match: false, score, reason: 'название не похоже на название организации в системе' }
}

export interface OrgNameCandidate {
  /** As written, trimmed. */
  text: string
  /** How it was found: a labelled line («ОО: …»), a legal form («МБОУ …»), a kind and number («школа № 5»)… */
  how: 'label' | 'legal-form' | 'numbered' | 'login-label' | 'authority' | 'college'
  index: number
}

// A dot ends a sentence, except after the abbreviations of place names and «имени».
const ABBR_DOT = String.raw`(?<=(?<![\p{L}])(?:г|гор|п|пос|с|д|дер|пгт|ст|им|р-на|р-н|обл|ул|мо))\.`
const PHRASE_TAIL = String.raw`(?:[^\n.;!?]|${ABBR_DOT})`
/** After a number: an optional closing quote and a place («г. Вельска», «Вельского округа», «Архангельск»). */
const PLACE_TAIL = String.raw`[»"”]?(?:[ \t,]+(?:(?:г|гор|п|пос|с|д|пгт|ст|им)\.[ \t]*|город[ \t]+|имени[ \t]+)?\p{Lu}[\p{L}-]+(?:[ \t]+(?:\p{Lu}[\p{L}-]+|округа|района|муниципального[ \t]+(?:округа|района)))?)?`

const LABELLED = /^[ \t]*(?:полное\s+|краткое\s+)?(?:наименование|название)?\s*(?:оо|оу|моуо|оо\/моуо|организаци[яи]|образовательн[а-я]*\s+организаци[яи]|учреждени[ея]|образовательное учреждение|школа)[ \t]*[:\-—–][ \t]*(.{3,200})$/gimu
const LEGAL_FORM = new RegExp(String.raw`(?<![\p{L}])(?:мбоу|маоу|мкоу|моу|гбоу|гаоу|гкоу|огбоу|огаоу|чоу|ноу|ано|гбпоу|гапоу|кгбпоу|гпоу|огбпоу|мбу|мку|мбдоу|мадоу|мкдоу)[ \t]+${PHRASE_TAIL}{3,150}`, 'giu')
const NUMBERED = new RegExp(
  String.raw`(?<![\p{L}])(?:(?:средн|основн|начальн)[а-яё]*\s+(?:обще)?(?:образовательн[а-яё]*\s+)?школ[а-яё]*|школ[а-яё]*(?:-интернат[а-яё]*)?|гимнази[а-яё]*|лице[йяюе][а-яё]*|м?сош|м?сш|оош|нош)[ \t]*(?:№|n[oо]?\.?|#)?[ \t]*\d{1,4}(?!\d)(?![.,]\d)(?![ \t]*(?:-?[а-я]{1,3}[ \t]+)?(?:класс|кл(?![а-я])|клас|час|мин|учени|учащ|челов|раз(?:а|ом)?(?![а-я])|дн|лет|год|балл|вариант|задан|%|шт))`,
  'giu',
)
// Case matters in the tail (a place starts with a capital), so it is matched
// without the i flag, right where the number ends.
const PLACE_AFTER_NUMBER = new RegExp(PLACE_TAIL, 'yu')
const LOGIN_LABEL = /([^\n()]{5,150})\(\s*(?:edu|spo|reg|sch)[a-z0-9_]+\s*\)/giu
const AUTHORITY = new RegExp(
  String.raw`(?<![\p{L}])(?:управлени|отдел|комитет|департамент|министерств)[а-яё]*\s+(?:по\s+)?(?:вопросам\s+)?(?:общего\s+)?образовани[а-яё]*${PHRASE_TAIL}{0,100}`,
  'giu',
)
const COLLEGE = /(?<![\p{L}])(?:[\p{L}-]+[ \t]+){1,3}(?:колледж|техникум)[а-яё]*(?:[ \t]+[\p{L}-]+){0,3}/giu

/** Where a candidate should stop: a login, an e-mail, a phone, a second label on the same line. */
function trimCandidate(raw: string): string {
  return raw
    .replace(/\(?\s*(?:логин|login)(?![\p{L}]).*$/iu, '')
    .replace(/\(?\s*(?:edu|spo|reg|sch)[ \-_]?\d{2}.*$/iu, '')
    .replace(/[\w.+-]+@[\w.-]+.*$/u, '')
    .replace(/(?:тел\.?|телефон|\+7|8[ (]\d{3}).*$/iu, '')
    .replace(/[\s,.:;—–-]+$/u, '')
    .trim()
}

export function findOrgNameCandidates(text: string): OrgNameCandidate[] {
  const out: OrgNameCandidate[] = []
  const add = (raw: string, how: OrgNameCandidate['how'], index: number) => {
    const t = trimCandidate(raw)
    // A phrase inside a candidate already found («СШ № 1 …» in «МБОУ СШ № 1 …») adds nothing.
    if (t.length < 3 || out.some((c) => c.text.includes(t))) return
    out.push({ text: t, how, index })
  }
  for (const m of text.matchAll(LABELLED)) add(m[1], 'label', m.index ?? 0)
  for (const m of text.matchAll(LOGIN_LABEL)) add(m[1].replace(/^.*[:—–]\s*/u, ''), 'login-label', m.index ?? 0)
  for (const m of text.matchAll(LEGAL_FORM)) add(m[0], 'legal-form', m.index ?? 0)
  for (const m of text.matchAll(AUTHORITY)) add(m[0], 'authority', m.index ?? 0)
  for (const m of text.matchAll(NUMBERED)) {
    PLACE_AFTER_NUMBER.lastIndex = (m.index ?? 0) + m[0].length
    add(m[0] + (PLACE_AFTER_NUMBER.exec(text)?.[0] ?? ''), 'numbered', m.index ?? 0)
  }
  for (const m of text.matchAll(COLLEGE)) add(m[0], 'college', m.index ?? 0)
  return out
}

import { describe, expect, it } from 'vitest'
import { DEMO_ORGS } from '../../tests/fixtures/mail/orgs.ts'
import { findLogins, foldLookalikes } from './logins-in-text.ts'
import { findOrgNameCandidates, matchOrgName } from './org-names.ts'
import { judge, lookupFromList, webTicketSchema, webTicketToIntake, type IntakeInput, type IntakeVerdict, type RuleResult } from './rules.ts'

const lookup = lookupFromList([...DEMO_ORGS, { login: 'edu290200', name: 'СШ №1', kind: 'SCHOOL' }])
const SCREENSHOT = { contentType: 'image/png', filename: 'screen.png', isImage: true, inline: false }
const DETAILED =
  'При загрузке формы сбора результатов ВПР по математике 4 класс на публикации в разделе «Обмен данными» выдаёт ошибку «Файл не соответствует шаблону».'

function rule<R extends RuleResult['rule']>(verdict: IntakeVerdict, name: R) {
  return verdict.rules.find((r) => r.rule === name) as Extract<RuleResult, { rule: R }>
}

const judged = (input: Partial<IntakeInput> & { text: string }) => judge({ subject: '', attachments: [], ...input }, lookup)

describe('logins in text', () => {
  it.each([
    ['Логин: edu290001', 'edu290001'],
    ['ЛОГИН EDU290001', 'edu290001'],
    ['логин еdu290001 (Cyrillic е)', 'edu290001'],
    ['логин ЕDU290001 (Cyrillic Е)', 'edu290001'],
    ['логин edu 290001', 'edu290001'],
    ['логин edu-290001', 'edu290001'],
    ['МОУО reg29_m003', 'reg29_m003'],
    ['МОУО rеg29_м003 (Cyrillic е and м)', 'reg29_m003'],
    ['регион reg290000', 'reg290000'],
    ['колледж spo290002', 'spo290002'],
    ['учитель edu290001_t01', 'edu290001'],
  ])('finds %s', (text, login) => {
    expect(findLogins('', text).map((m) => m.login)).toEqual([login])
  })

  it.each(['edu2900011', 'edu29001', 'почта edu290001@mail.ru', 'reg291234', 'myedu290001'])('does not take «%s» for a login', (text) => {
    expect(findLogins('', text)).toEqual([])
  })

  it('marks corrected spellings and lists the subject first', () => {
    const found = findLogins('Вопрос от edu290002', 'Логин еdu290001')
    expect(found.map((m) => [m.login, m.source, m.corrected])).toEqual([
      ['edu290002', 'subject', false],
      ['edu290001', 'text', true],
    ])
  })

  it('folds look-alikes without moving characters', () => {
    const text = 'Ёж еdu'
    expect(foldLookalikes(text)).toHaveLength(text.length)
    expect(foldLookalikes(text)).toBe('eж edu')
  })
})

describe('organisation names', () => {
  it.each([
    ['МБОУ СШ № 1 г. Вельска', 'СШ №1'],
    ['МБОУ СШ № 1 г. Вельска', 'МБОУ «Средняя школа № 1» Вельского округа'],
    ['СОШ N1 г.Архангельска', 'МБОУ «Средняя школа № 1» г. Архангельск'],
    ['средняя общеобразовательная школа No 1', 'МБОУ «Средняя школа № 1» г. Архангельск'],
    ['Школа №1', 'МБОУ «Средняя школа № 1» г. Архангельск'],
    ['МАОУ "Гимназия №4"', 'МБОУ «Гимназия № 4» г. Архангельск'],
    ['гимназия 4 Архангельск', 'МБОУ «Гимназия № 4» г. Архангельск'],
    ['МБОУ «СОШ № 1 им. М. В. Ломоносова»', 'МБОУ «Средняя школа № 1» г. Архангельск'],
    ['Архангельский педагогический колледж', 'ГБПОУ АО «Архангельский педагогический колледж»'],
    ['Управление образования администрации г. Архангельска', 'Управление образования: г. Архангельск'],
    ['Отдел образования Вельского района', 'Управление образования: Вельский муниципальный район'],
    ['Министерство образования Архангельской области', 'Архангельская область'],
  ])('«%s» is «%s»', (written, registered) => {
    expect(matchOrgName(written, registered)).toMatchObject({ match: true })
  })

  it.each([
    ['МБОУ СШ № 2 г. Вельска', 'МБОУ «Средняя школа № 1» Вельского округа', 'другой номер'],
    ['Гимназия № 4', 'МБОУ «Средняя школа № 4» г. Архангельск', 'другой тип'],
    ['Лицей № 6', 'МБОУ «Гимназия № 6» г. Архангельск', 'другой тип'],
    ['СШ № 1 г. Котлас', 'МБОУ «Средняя школа № 1» г. Архангельск', 'населённый пункт'],
    ['№ 1', 'МБОУ «Средняя школа № 1» г. Архангельск', 'только номер'],
    ['Гимназия г. Архангельска', 'МБОУ «Гимназия № 4» г. Архангельск', 'номер'],
    ['Северодвинский педагогический колледж', 'ГБПОУ АО «Архангельский педагогический колледж»', 'не похоже'],
    ['Архангельский техникум', 'ГБПОУ АО «Архангельский педагогический колледж»', 'другой тип'],
  ])('«%s» is not «%s» (%s)', (written, registered, reason) => {
    const result = matchOrgName(written, registered)
    expect(result.match).toBe(false)
    expect(result.reason).toContain(reason)
  })

  it('are found in labelled lines, legal forms, «школа № N» phrases and Name(login) labels', () => {
    const text = `ОО: МБОУ СШ № 1 г. Вельска
Пишет МБОУ «Гимназия № 4» г. Архангельск.
Ученики 5 класса школы тоже не могут.
В школе № 7 г. Котласа то же самое.
МБОУ «Лицей № 6» г. Архангельск(edu290006)`
    expect(findOrgNameCandidates(text).map((c) => c.text)).toEqual([
      'МБОУ СШ № 1 г. Вельска',
      'МБОУ «Лицей № 6» г. Архангельск',
      'МБОУ «Гимназия № 4» г. Архангельск',
      'школе № 7 г. Котласа',
    ])
  })

  it('ignore numbers that count classes and pupils', () => {
    expect(findOrgNameCandidates('в школе 5 классов, гимназии 30 учеников, школа 2 раза пробовала')).toEqual([])
  })
})

describe('judge', () => {
  it('passes a complete request and names the organisation', async () => {
    const verdict = await judged({ text: `Логин edu290001, МБОУ «Средняя школа № 1» г. Архангельск.\n${DETAILED}`, attachments: [SCREENSHOT] })
    expect(verdict).toMatchObject({ complete: true, missing: [], org: { login: 'edu290001' } })
    expect(verdict.rules.map((r) => r.hint)).toEqual([null, null, null, null])
  })

  it('accepts the issue’s example: «МБОУ СШ № 1 г. Вельска» for an organisation registered as «СШ №1»', async () => {
    const verdict = await judged({ text: `Логин еdu290200\nОО: МБОУ СШ № 1 г. Вельска\n${DETAILED}`, attachments: [SCREENSHOT] })
    expect(rule(verdict, 'login')).toMatchObject({ met: true, facts: { login: 'edu290200', status: 'found' } })
    expect(rule(verdict, 'login').evidence).toContain('написан как «еdu290200»')
    expect(rule(verdict, 'orgName')).toMatchObject({ met: true, facts: { matched: true, written: 'МБОУ СШ № 1 г. Вельска' } })
  })

  describe('login', () => {
    it('missing: says so and how to find it', async () => {
      const r = rule(await judged({ text: DETAILED }), 'login')
      expect(r).toMatchObject({ met: false, facts: { status: 'absent' } })
      expect(r.evidence).toBe('логин организации не найден ни в теме, ни в тексте')
      expect(r.hint).toContain('edu293379')
    })

    it('unknown: names the login that does not exist', async () => {
      const r = rule(await judged({ text: `логин edu299999. ${DETAILED}` }), 'login')
      expect(r).toMatchObject({ met: false, facts: { status: 'unknown', login: 'edu299999' } })
      expect(r.evidence).toBe('логин edu299999 не найден в системе')
    })

    it('legacy sch…: found but outdated', async () => {
      const r = rule(await judged({ text: `логин sch290123. ${DETAILED}` }), 'login')
      expect(r).toMatchObject({ met: false, facts: { status: 'legacy', login: 'sch290123' } })
      expect(r.hint).toContain('до 2022 года')
    })

    it('in the subject counts', async () => {
      expect(rule(await judged({ subject: 'edu290002: ошибка', text: DETAILED }), 'login').met).toBe(true)
    })

    it('takes the first login that exists when several are given', async () => {
      const r = rule(await judged({ text: `edu299999, потом edu290004 и edu290005. ${DETAILED}` }), 'login')
      expect(r.facts.login).toBe('edu290004')
      expect(r.evidence).toContain('упомянуты и другие: edu290005')
      expect(r.evidence).toContain('не найдены: edu299999')
    })
  })

  describe('organisation name', () => {
    it('absent: asks for it, quoting the name the login has', async () => {
      const r = rule(await judged({ text: `логин edu290001. ${DETAILED}` }), 'orgName')
      expect(r).toMatchObject({ met: false, evidence: 'название организации не найдено' })
      expect(r.hint).toContain('МБОУ «Средняя школа № 1» г. Архангельск')
    })

    it('another organisation’s name: says whose login it is', async () => {
      const r = rule(await judged({ text: `логин edu290001, МБОУ «Гимназия № 4» г. Архангельск. ${DETAILED}` }), 'orgName')
      expect(r.met).toBe(false)
      expect(r.evidence).toContain('название не совпадает с организацией логина edu290001')
      expect(r.hint).toContain('логин edu290001 принадлежит организации «МБОУ «Средняя школа № 1» г. Архангельск»')
    })

    it('given without a known login: met, but not verified', async () => {
      const r = rule(await judged({ text: `МБОУ «Гимназия № 4» г. Архангельск. ${DETAILED}` }), 'orgName')
      expect(r).toMatchObject({ met: true, facts: { matched: null } })
      expect(r.evidence).toContain('сверить с логином нельзя')
    })
  })

  describe('description', () => {
    it.each(['Не работает, помогите!', 'Здравствуйте! Срочно помогите, ничего не получается. Спасибо!', 'Логин edu290001, МБОУ СШ №1. Проблема с ВПР.'])(
      'too short: %j',
      async (text) => {
        const r = rule(await judged({ text }), 'description')
        expect(r.met).toBe(false)
        expect(r.evidence).toMatch(/^описание слишком краткое: \d+ значим/)
      },
    )

    it('detailed: counts the words and names the topics and the error text', async () => {
      const r = rule(await judged({ text: DETAILED }), 'description')
      expect(r.met).toBe(true)
      expect(r.facts.topics).toEqual(expect.arrayContaining(['загрузка', 'форма', 'ошибка']))
      expect(r.facts.errorText).toBe('Файл не соответствует шаблону')
      expect(r.facts.words).toBeGreaterThanOrEqual(12)
    })

    it('does not count greetings, sign-offs, logins and names as description', async () => {
      const text = 'Здравствуйте!\nЛогин: edu290001\nОО: МБОУ «Средняя школа № 1» г. Архангельск\nТелефон: 8 (8182) 00-00-00\nНе работает отчёт.\nС уважением, Иванова'
      const r = rule(await judged({ text }), 'description')
      expect(r.met).toBe(false)
      expect(r.facts.words).toBeLessThan(5)
    })

    it('long text without a named topic still counts as detailed', async () => {
      const text = Array.from({ length: 45 }, (_, i) => `слово${String.fromCharCode(1072 + (i % 30))}`).join(' ')
      expect(rule(await judged({ text }), 'description').met).toBe(true)
    })
  })

  describe('screenshot', () => {
    it.each(['выдаёт ошибку при загрузке', 'форма не загружается', 'отчёт не открывается', 'после входа белый экран', 'появляется ошибка 500', 'кнопка не отображается'])(
      'is needed when the letter says «%s»',
      async (phrase) => {
        const r = rule(await judged({ text: phrase }), 'screenshot')
        expect(r).toMatchObject({ met: false, facts: { needed: true } })
        expect(r.hint).toContain('152-ФЗ')
      },
    )

    it('is met by an attached or an inline image', async () => {
      expect(rule(await judged({ text: 'не загружается форма', attachments: [SCREENSHOT] }), 'screenshot').met).toBe(true)
      const inline = { contentType: 'image/jpeg', filename: null, isImage: true, inline: true }
      expect(rule(await judged({ text: 'не загружается форма', attachments: [inline] }), 'screenshot').evidence).toContain('изображение в тексте письма')
    })

    it('is not met by a file that is not an image', async () => {
      const xlsx = { contentType: 'application/zip', filename: 'form.xlsx', isImage: false, inline: false }
      expect(rule(await judged({ text: 'не загружается форма', attachments: [xlsx] }), 'screenshot').met).toBe(false)
    })

    it('is not needed for a question without an interface error', async () => {
      const r = rule(await judged({ text: 'Когда будут опубликованы критерии оценивания ВПР по истории?' }), 'screenshot')
      expect(r).toMatchObject({ met: true, evidence: 'не требуется: ошибка интерфейса не описана', facts: { needed: false } })
    })
  })

  it('re-judges the whole conversation: the answer that adds the login completes the ticket', async () => {
    const first = await judged({ text: `МБОУ «Средняя школа № 1» г. Архангельск. ${DETAILED}`, attachments: [SCREENSHOT] })
    expect(first.missing).toEqual(['login'])
    const second = await judged({ text: `МБОУ «Средняя школа № 1» г. Архангельск. ${DETAILED}\n\nЛогин edu290001`, attachments: [SCREENSHOT] })
    expect(second.complete).toBe(true)
  })
})

describe('the web form', () => {
  it('validates the fields in Russian', () => {
    const result = webTicketSchema.safeParse({ login: ' ', orgName: 'a', description: '' })
    expect(result.success).toBe(false)
    const messages = result.error?.issues.map((i) => i.message) ?? []
    expect(messages).toEqual(expect.arrayContaining(['Укажите логин организации, например edu293379', 'Укажите название организации полностью', 'Опишите проблему']))
  })

  it('goes through the same rules, its fields taking precedence over the text', async () => {
    const ticket = webTicketSchema.parse({ login: 'EDU290001', orgName: 'Средняя школа № 1 г. Архангельск', description: DETAILED, attachments: [SCREENSHOT] })
    const verdict = await judge(webTicketToIntake(ticket), lookup)
    expect(verdict.complete).toBe(true)
    const wrong = await judge(webTicketToIntake({ ...ticket, orgName: 'Лицей № 6' }), lookup)
    expect(wrong.missing).toEqual(['orgName'])
    const typo = await judge(webTicketToIntake({ ...ticket, login: 'школа 1' }), lookup)
    expect(rule(typo, 'login').evidence).toBe('«школа 1» не похоже на логин организации')
  })
})

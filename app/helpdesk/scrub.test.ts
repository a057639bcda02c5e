// Personal data removed before a ticket becomes a ready answer (152-ФЗ).
import { describe, expect, it } from 'vitest'
import { describeRemoved, scrubPersonalData } from './scrub'

describe('scrubPersonalData', () => {
  it('removes logins, e-mails, phones, participant codes and names, and says what it removed', () => {
    const { text, removed } = scrubPersonalData(
      [
        'Не загружается форма результатов ВПР по математике для edu290001.',
        'Коды участников 40101, 40102,40103 не принимаются.',
        'ФИО координатора: Сидорова Анна Павловна, пишите на school1@mail.ru или звоните +7 (818) 222-33-44, тел. 2-11-33.',
      ].join('\n'),
    )
    expect(text).toBe(
      [
        'Не загружается форма результатов ВПР по математике для [логин скрыт].',
        'Коды участников [код участника скрыт], [код участника скрыт],[код участника скрыт] не принимаются.',
        'ФИО координатора: [ФИО скрыто], пишите на [e-mail скрыт] или звоните [телефон скрыт], тел. [телефон скрыт].',
      ].join('\n'),
    )
    expect(removed).toEqual({ login: 1, code: 3, name: 1, email: 1, phone: 2 })
    expect(describeRemoved(removed)).toContain('коды участников — 3')
  })

  it('drops the signature from the sign-off down, and the field lines of a letter', () => {
    const { text, removed } = scrubPersonalData(
      ['Логин: reg29_m001', 'ОО: МБОУ «Средняя школа № 1» г. Архангельск', 'Отчёт «Статистика по отметкам» показывает пустую таблицу.', '', 'С уважением,', 'Петрова А. С.', 'методист', '8 912 345 67 89'].join('\n'),
    )
    expect(text).toBe('Отчёт «Статистика по отметкам» показывает пустую таблицу.')
    expect(removed).toEqual({ field: 2, signature: 1 })
  })

  it('finds names in the usual Russian forms: full, with initials, name and patronymic, after a role', () => {
    const cases: [string, string][] = [
      ['Здравствуйте, Мария Ивановна!', 'Здравствуйте, [ФИО скрыто]!'],
      ['Работу проверяла Кузнецова Мария Ивановна.', 'Работу проверяла [ФИО скрыто].'],
      ['Передайте Иванову И.И., пожалуйста.', 'Передайте [ФИО скрыто], пожалуйста.'],
      ['Согласовано: И. И. Иванов', 'Согласовано: [ФИО скрыто]'],
      ['Ученик Петров Пётр отсутствовал.', 'Ученик [ФИО скрыто] отсутствовал.'],
    ]
    for (const [input, expected] of cases) expect(scrubPersonalData(input).text, input).toBe(expected)
  })

  it('keeps what is not personal: years, scores, task numbers, six-digit postcodes, decimals, ticket text', () => {
    const input = 'В 2026 году задание 4К1 оценивается в 3 балла; индекс 163000; коэффициент 0.12345; срок — 15.05.2026.'
    expect(scrubPersonalData(input)).toEqual({ text: input, removed: {} })
  })

  it('removes ticket tokens and the logins of teachers, colleges, regions and old schools', () => {
    const { text, removed } = scrubPersonalData('Re: [#123] Доступ для edu290001_t01, spo290002, reg290000, sch290123 и еdu290005')
    expect(text).toBe('Re: Доступ для [логин скрыт], [логин скрыт], [логин скрыт], [логин скрыт] и [логин скрыт]')
    expect(removed).toEqual({ token: 1, login: 5 })
  })

  it('removes organisation names — the ticket\'s own and any with a legal form — and a greeting on request', () => {
    const own = scrubPersonalData('Здравствуйте! Логин edu290001, МБОУ «Средняя школа № 1» г. Архангельск. Загрузили форму по русскому языку.', {
      dropGreeting: true,
      orgNames: ['МБОУ «Средняя школа № 1» г. Архангельск'],
    })
    expect(own).toEqual({ text: 'Загрузили форму по русскому языку.', removed: { login: 1, org: 1 } })
    const mun = scrubPersonalData('Логин reg29_m001, Управление образования: г. Архангельск. Колледжи просят доступы.', { orgNames: ['Управление образования: г. Архангельск'] })
    expect(mun.text).toBe('Колледжи просят доступы.')
    const any = scrubPersonalData('В МБОУ СШ № 12 г. Вельска и в ГАПОУ АО «Архангельский политехнический техникум» отчёт не открывается. Обратитесь в ФГБУ «ФИОКО».')
    expect(any.text).toBe('В [организация скрыта] и в [организация скрыта] отчёт не открывается. Обратитесь в ФГБУ «ФИОКО».')
  })

  it('changes nothing the second time (saving re-checks reviewed text)', () => {
    const once = scrubPersonalData('Пишите на a.b@school.ru, ФИО: Сидорова Анна, код 50123.\nС уважением, Анна').text
    expect(scrubPersonalData(once)).toEqual({ text: once, removed: {} })
  })
})

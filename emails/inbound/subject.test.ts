import { describe, expect, it } from 'vitest'
import { extractTicketToken, normalizeSubject, sameSubject, subjectWithToken } from './subject.ts'

describe('normalizeSubject', () => {
  it.each([
    ['Re: Не загружается форма', 'Не загружается форма'],
    ['RE: RE: Fwd: Не загружается форма', 'Не загружается форма'],
    ['RE[2]: Не загружается форма', 'Не загружается форма'],
    ['Re^3: Не загружается форма', 'Не загружается форма'],
    ['Re(2): Не загружается форма', 'Не загружается форма'],
    ['FW: Не загружается форма', 'Не загружается форма'],
    ['Fw: Не загружается форма', 'Не загружается форма'],
    ['Ответ: Не загружается форма', 'Не загружается форма'],
    ['Отв: Отв: Не загружается форма', 'Не загружается форма'],
    ['Пересл: Не загружается форма', 'Не загружается форма'],
    ['AW: WG: Не загружается форма', 'Не загружается форма'],
    ['SV: VS: Не загружается форма', 'Не загружается форма'],
    ['RE : Не загружается форма', 'Не загружается форма'],
    ['[SPAM] Re: Не загружается форма', 'Не загружается форма'],
    ['Re: [#1042] Не загружается форма', 'Не загружается форма'],
    ['[#1042] Re: Не загружается форма', 'Не загружается форма'],
    ['Re: Не загружается   форма [#1042]', 'Не загружается форма'],
    ['', ''],
  ])('%j → %j', (input, output) => {
    expect(normalizeSubject(input)).toBe(output)
  })

  it('keeps words that only start like a prefix', () => {
    expect(normalizeSubject('Результаты ВПР')).toBe('Результаты ВПР')
    expect(normalizeSubject('Reg29_m001: вопрос')).toBe('Reg29_m001: вопрос')
    expect(normalizeSubject('Отчёт: нет данных')).toBe('Отчёт: нет данных')
  })
})

describe('extractTicketToken', () => {
  it.each([
    ['[#12345] Тема', 12345],
    ['Re: [#12345] Тема', 12345],
    ['RE: Тема [# 42]', 42],
    ['Re: [Ticket#77] Тема', 77],
    ['Re: [Ticket #77] Тема', 77],
    ['Re: [Заявка № 9] Тема', 9],
    ['Re: [#1] first [#2] second', 1],
  ])('%j → %d', (subject, n) => {
    expect(extractTicketToken(subject)).toBe(n)
  })

  it.each(['Школа #5', 'Тема 12345', '[#] пусто', '[#0] ноль', '[#12345678901] слишком длинный', '', null])('%j has no token', (subject) => {
    expect(extractTicketToken(subject)).toBeNull()
  })
})

describe('our subjects', () => {
  it('carry the token once, whatever the reply chain', () => {
    expect(subjectWithToken(1042, 'Re: [#1042] Не загружается форма')).toBe('[#1042] Не загружается форма')
  })

  it('compare equal across prefixes, tokens, case and ё', () => {
    expect(sameSubject('RE: Отчёт не формируется', 'отчет НЕ формируется')).toBe(true)
    expect(sameSubject('Re:', 'Fwd:')).toBe(false)
    expect(sameSubject('Отчёт', 'Форма')).toBe(false)
  })
})

import { describe, expect, it } from 'vitest'
import { classifyLogin, municipalityLogin, normalizeLogin, orgLabel, regionLogin, schoolLogin, teacherLogin } from './logins'

describe('classifyLogin', () => {
  it.each([
    ['edu293379', 'school'],
    ['sch290123', 'legacy-school'],
    ['spo290001', 'college'],
    ['reg290000', 'region'],
    ['reg29_m019', 'municipality'],
    ['edu290001_t01', 'teacher'],
    ['spo290001_t105', 'teacher'],
    ['admin', 'other'],
    ['fioko01', 'other'],
  ] as const)('%s is a %s login', (login, kind) => {
    expect(classifyLogin(login)).toBe(kind)
  })

  it('accepts logins typed in capitals with spaces around', () => {
    expect(classifyLogin('  EDU293379 ')).toBe('school')
    expect(classifyLogin('Reg29_M019')).toBe('municipality')
  })

  it.each([
    'edu29337', // five digits
    'edu2933790', // seven digits
    'reg291234', // a region login ends in 0000
    'reg29_m19', // municipality numbers have three digits
    'edu290001_t1', // teacher numbers have at least two digits
    'edu290001x',
  ])('does not take the malformed %s for an organisation login', (login) => {
    expect(classifyLogin(login)).toBe('other')
  })
})

describe('login builders', () => {
  it('produce the formats of ФИС ОКО exports', () => {
    expect(regionLogin('29')).toBe('reg290000')
    expect(municipalityLogin('29', 19)).toBe('reg29_m019')
    expect(schoolLogin('29', 3379)).toBe('edu293379')
    expect(teacherLogin('edu290001', 2)).toBe('edu290001_t02')
    expect(classifyLogin(teacherLogin('edu290001', 120))).toBe('teacher')
  })

  it('normalises case and whitespace only', () => {
    expect(normalizeLogin(' Edu290001\t')).toBe('edu290001')
    expect(normalizeLogin('reg29_m001')).toBe('reg29_m001')
  })

  it('labels organisations as Name(login)', () => {
    expect(orgLabel({ name: 'МБОУ СШ № 1', login: 'edu290001' })).toBe('МБОУ СШ № 1(edu290001)')
  })
})

// Login formats of organisation accounts, as seen in real ФИС ОКО exports
// (DOMAIN.md). Shared by the sign-in form, the mail intake and the seed.

/** School (ОО): edu + two-digit region code + four digits, e.g. edu293379. */
export const SCHOOL_LOGIN = /^edu(\d{2})(\d{4})$/
/** Before 2022 schools had sch + digits, e.g. sch290123 (still found in old letters). */
export const LEGACY_SCHOOL_LOGIN = /^sch(\d{2})(\d{4})$/
/** College (СПО): spo + region code + four digits (inferred: the same shape as schools). */
export const COLLEGE_LOGIN = /^spo(\d{2})(\d{4})$/
/** Region: reg + code + 0000, e.g. reg290000. */
export const REGION_LOGIN = /^reg(\d{2})0000$/
/** Municipality (МОУО): reg + code + _m + three digits, e.g. reg29_m019. */
export const MUNICIPALITY_LOGIN = /^reg(\d{2})_m(\d{3})$/
/** Teacher-expert accounts issued by a school: <school login>_t + two digits. */
export const TEACHER_LOGIN = /^((?:edu|spo)\d{6})_t(\d{2,3})$/

/** Anything that can be typed into the sign-in form: org logins, teacher and staff logins. */
export const ANY_LOGIN = /^[a-z0-9][a-z0-9._-]{1,62}$/

export type LoginKind = 'school' | 'legacy-school' | 'college' | 'region' | 'municipality' | 'teacher' | 'other'

export function classifyLogin(raw: string): LoginKind {
  const login = normalizeLogin(raw)
  if (SCHOOL_LOGIN.test(login)) return 'school'
  if (LEGACY_SCHOOL_LOGIN.test(login)) return 'legacy-school'
  if (COLLEGE_LOGIN.test(login)) return 'college'
  if (REGION_LOGIN.test(login)) return 'region'
  if (MUNICIPALITY_LOGIN.test(login)) return 'municipality'
  if (TEACHER_LOGIN.test(login)) return 'teacher'
  return 'other'
}

/** Logins are case-insensitive and people paste them with spaces around. */
export function normalizeLogin(raw: string) {
  return raw.trim().toLowerCase()
}

export function regionLogin(code: string) {
  return `reg${code}0000`
}
export function municipalityLogin(code: string, n: number) {
  return `reg${code}_m${String(n).padStart(3, '0')}`
}
export function schoolLogin(code: string, n: number) {
  return `edu${code}${String(n).padStart(4, '0')}`
}
export function collegeLogin(code: string, n: number) {
  return `spo${code}${String(n).padStart(4, '0')}`
}
export function teacherLogin(orgLogin: string, n: number) {
  return `${orgLogin}_t${String(n).padStart(2, '0')}`
}

/** How organisations are shown everywhere: Название(edu293379). */
export function orgLabel(org: { name: string; login: string }) {
  return `${org.name}(${org.login})`
}

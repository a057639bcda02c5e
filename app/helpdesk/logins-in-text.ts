// Finding organisation logins in what people type: «Логин: EDU293379»,
// «еdu293379» with a Cyrillic е (the keyboard layout switched mid-word),
// «edu 293379», «reg29_m019». The formats themselves live in
// app/accounts/logins.ts; here we only undo the typing accidents before
// checking a candidate against them. Pure: no database.
import { classifyLogin, normalizeLogin, type LoginKind } from '../accounts/logins.ts'

/**
 * Cyrillic (and a few Greek) letters that look like the Latin letters of our
 * login prefixes. Mapped one character to one character so that positions in
 * the mapped text are positions in the original.
 */
const LOOKALIKES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', і: 'i', ј: 'j', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w',
  А: 'a', В: 'b', Е: 'e', Ё: 'e', К: 'k', М: 'm', Н: 'h', О: 'o', Р: 'p', С: 'c', Т: 't', У: 'y', Х: 'x', Ѕ: 's', І: 'i', Ј: 'j', Һ: 'h',
  ο: 'o', ε: 'e', ρ: 'p', υ: 'u', ν: 'v', Ο: 'o', Ε: 'e', Ρ: 'p',
}

/** Lower-cases and replaces look-alike letters, keeping every character's position. */
export function foldLookalikes(text: string): string {
  let out = ''
  for (const ch of text) {
    const mapped = LOOKALIKES[ch]
    if (mapped) out += mapped
    else {
      const lower = ch.toLowerCase()
      out += lower.length === ch.length ? lower : ch
    }
  }
  return out
}

export type OrgLoginKind = Exclude<LoginKind, 'teacher' | 'other'>

export interface LoginMention {
  /** Canonical form: lower case, Latin, no spaces: edu293379, reg29_m019. */
  login: string
  kind: OrgLoginKind
  /** As written in the text. */
  written: string
  /** Where it was found: the subject or the text. */
  source: 'subject' | 'text'
  /** The writing differed from the canonical form only by look-alike letters, case or spacing. */
  corrected: boolean
}

// Prefix, then an optional space, hyphen or underscore, then the digits. The
// look-behind/ahead keep us out of longer tokens (edu2933790 has seven
// digits) and out of e-mail addresses: edu293379@mail.ru is an address that
// anyone may use, not a statement of the login.
const CANDIDATE = /(?<![a-z0-9_.@-])(edu|sch|spo)[ \-_]?(\d{2})[ \-]?(\d{4})(?![0-9@])|(?<![a-z0-9_.@-])reg[ \-_]?(\d{2})(?:[ \-]?(0000)(?![0-9_@])|[ \-_]?m[ \-_]?(\d{3})(?![0-9@]))/g

/** All organisation logins mentioned, in order of appearance, subject first, without duplicates. */
export function findLogins(subject: string, text: string): LoginMention[] {
  const out: LoginMention[] = []
  const seen = new Set<string>()
  for (const [source, original] of [
    ['subject', subject],
    ['text', text],
  ] as const) {
    const folded = foldLookalikes(original)
    for (const m of folded.matchAll(CANDIDATE)) {
      const login = m[1] ? `${m[1]}${m[2]}${m[3]}` : m[5] ? `reg${m[4]}0000` : `reg${m[4]}_m${m[6]}`
      const kind = classifyLogin(login)
      if (kind === 'teacher' || kind === 'other') continue
      if (seen.has(login)) continue
      seen.add(login)
      const written = original.slice(m.index, (m.index ?? 0) + m[0].length)
      out.push({ login, kind, written, source, corrected: written !== login && normalizeLogin(written) !== login })
    }
  }
  return out
}

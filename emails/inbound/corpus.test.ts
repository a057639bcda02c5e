// The whole pure part of the intake over the .eml corpus: parse every letter,
// judge it with the rules, and compare with tests/fixtures/mail/expectations.ts.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { INTAKE_RULES, judge, lookupFromList } from '../../app/helpdesk/rules.ts'
import { DEMO_ORGS, EXPECTATIONS } from '../../tests/fixtures/mail/expectations.ts'
import { parseMail, textForRules } from './parse.ts'

const DIR = path.resolve(import.meta.dirname, '../../tests/fixtures/mail')
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.eml'))
  .sort()
const lookup = lookupFromList(DEMO_ORGS)

describe('the fixture corpus', () => {
  it('has an expectation for every letter and a letter for every expectation', () => {
    expect(FILES).toEqual(Object.keys(EXPECTATIONS).sort())
    expect(FILES.length).toBeGreaterThanOrEqual(24)
  })
})

describe.each(FILES)('%s', (file) => {
  const expected = EXPECTATIONS[file]

  it(`parses as expected: ${expected?.about ?? ''}`, async () => {
    const mail = await parseMail(readFileSync(path.join(DIR, file)))
    expect(mail.unparseable).toBe(expected.unparseable ?? false)
    if (expected.subject !== undefined) expect(mail.subject).toBe(expected.subject)
    if (expected.from !== undefined) {
      if (expected.from === null) expect(mail.from).toBeNull()
      else expect(mail.from).toMatchObject(expected.from)
    }
    if (expected.messageId !== undefined) expect(mail.messageId).toBe(expected.messageId)
    if (expected.inReplyTo !== undefined) expect(mail.inReplyTo).toBe(expected.inReplyTo)
    if (expected.references !== undefined) expect(mail.references).toHaveLength(expected.references)
    for (const s of expected.shownContains ?? []) expect(mail.shownText).toContain(s)
    for (const s of expected.shownExcludes ?? []) expect(mail.shownText).not.toContain(s)
    for (const s of expected.textExcludes ?? []) expect(mail.text).not.toContain(s)
    for (const s of expected.quotedContains ?? []) expect(mail.quotedText ?? '').toContain(s)
    for (const s of expected.signatureContains ?? []) expect(mail.signature ?? '').toContain(s)
    for (const s of expected.html?.contains ?? []) expect(mail.html ?? '').toContain(s)

    if (expected.attachments) {
      expect(mail.attachments.map((a) => a.filename)).toEqual(expected.attachments.map((a) => a.filename))
      expected.attachments.forEach((want, i) => {
        const got = mail.attachments[i]
        expect(got).toMatchObject(want)
        expect(got.size).toBe(got.content.length)
        expect(got.sha256).toMatch(/^[0-9a-f]{64}$/)
      })
    }

    expect(mail.automatic.isAutomatic).toBe(expected.automatic !== undefined)
    expect(mail.automatic.kind).toBe(expected.automatic ?? null)
    if (expected.automatic) expect(mail.automatic.reasons.length).toBeGreaterThan(0)
    if (expected.bounce) expect(mail.bounce).toMatchObject(expected.bounce)
    else expect(mail.bounce).toBeNull()

    if (expected.problems) {
      for (const p of expected.problems) expect(mail.problems.some((q) => q.includes(p)), `problem «${p}» in ${JSON.stringify(mail.problems)}`).toBe(true)
    } else {
      expect(mail.problems).toEqual([])
    }
    // Never mojibake: no replacement characters anywhere in what we show.
    expect(mail.text).not.toContain('\ufffd')
    expect(mail.subject).not.toContain('\ufffd')
    if (!mail.unparseable && mail.text.trim()) expect(mail.shownText.trim()).not.toBe('')
  })

  if (expected?.missing) {
    const missing = expected.missing
    it(`is judged: ${missing.length ? `missing ${missing.join(', ')}` : 'complete'}`, async () => {
      const mail = await parseMail(readFileSync(path.join(DIR, file)))
      const verdict = await judge(
        { subject: mail.subject, text: textForRules(mail), attachments: mail.attachments, fromAddress: mail.from?.address },
        lookup,
      )
      const byRule = Object.fromEntries(verdict.rules.map((r) => [r.rule, r]))
      for (const rule of INTAKE_RULES) {
        const result = byRule[rule]
        expect(result.met, `${rule}: ${result.evidence}`).toBe(!missing.includes(rule))
        expect(result.evidence).not.toBe('')
        if (result.met) expect(result.hint).toBeNull()
        else expect(result.hint).toMatch(/[А-Яа-я]/)
      }
      expect(verdict.missing).toEqual(INTAKE_RULES.filter((r) => missing.includes(r)))
      expect(verdict.complete).toBe(missing.length === 0)
    })
  }
})

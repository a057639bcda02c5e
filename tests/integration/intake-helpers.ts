// Shared by the intake's integration tests: a temporary DATA_DIR (so the
// file outbox is the test's own), the demo organisations the corpus names,
// and small readers of what the intake wrote. Import it first: it sets the
// environment before the app reads it.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { simpleParser, type ParsedMail } from 'mailparser'
import { afterAll } from 'vitest'
import { DEMO_ORGS } from '../fixtures/mail/orgs.ts'

export const DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'oko-intake-test-'))
process.env.DATA_DIR = DATA_DIR
delete process.env.SMTP_URL
process.env.MAIL_FROM = 'Техподдержка ФИС ОКО <support@oko.example>'
process.env.INTAKE_ADDRESSES = 'support@oko.example,help@oko.example'

const { prisma } = await import('~/utils/db.server')
const { stopOutboxDrain, drainOutbox } = await import('~/helpdesk/outbound.server')
const { intakeIdle } = await import('~/helpdesk/intake.server')
const { closeIntakeSql } = await import('~/helpdesk/ticket-rows.server')

afterAll(async () => {
  await intakeIdle()
  await stopOutboxDrain()
  await closeIntakeSql()
  fs.rmSync(DATA_DIR, { recursive: true, force: true })
})

export const MAIL_DIR = path.resolve(import.meta.dirname, '../fixtures/mail')

export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(MAIL_DIR, name))
}

/** The organisations of tests/fixtures/mail/orgs.ts, with the kinds and region codes the seed gives them. */
export async function seedCorpusOrgs() {
  for (const org of DEMO_ORGS) {
    await prisma.organization.create({
      data: { kind: org.kind as 'SCHOOL', login: org.login, name: org.name, regionCode: org.login.match(/\d\d/)?.[0] ?? null },
    })
  }
}

export interface OutboxMail {
  file: string
  raw: Buffer
  parsed: ParsedMail
}

/** Every .eml in the file outbox, oldest first, parsed. */
export async function readOutbox(): Promise<OutboxMail[]> {
  await drainOutbox()
  const dir = path.join(DATA_DIR, 'outbox')
  if (!fs.existsSync(dir)) return []
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort()
  return Promise.all(
    files.map(async (file) => {
      const raw = fs.readFileSync(path.join(dir, file))
      return { file, raw, parsed: await simpleParser(raw) }
    }),
  )
}

export function clearOutbox() {
  fs.rmSync(path.join(DATA_DIR, 'outbox'), { recursive: true, force: true })
}

export const toAddress = (m: ParsedMail) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address ?? null

/** A plain letter in RFC 5322, CRLF line ends. */
export function letter(headers: Record<string, string>, body: string): Buffer {
  const head = Object.entries({ 'MIME-Version': '1.0', 'Content-Type': 'text/plain; charset=utf-8', 'Content-Transfer-Encoding': '8bit', ...headers })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')
  return Buffer.from(`${head}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}\r\n`, 'utf8')
}

/** The smallest valid PNG header and IHDR, padded to `size` bytes: what sniffing calls image/png. */
export function pngBytes(size = 2048): Buffer {
  const head = Buffer.from('89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff61', 'hex')
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), 7)])
}

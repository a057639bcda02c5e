// `npm run cli -- intake:pipe` as an MTA runs it: a separate process reading
// the letter on standard input, on the same database as this test (the
// embedded one is served on a socket, so the CLI connects like to a server),
// printing the outcome as JSON with an exit code the MTA understands.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { DATA_DIR, fixture, seedCorpusOrgs } from './intake-helpers.ts'
import { prisma } from '~/utils/db.server'

const ROOT = path.resolve(import.meta.dirname, '../..')

function pipe(args: string[], input: Buffer, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['server/cli.ts', ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        LOG_STDERR: '1',
        DATA_DIR,
        DATABASE_URL: process.env.DATABASE_URL,
        DEMO_DATA: 'off',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
    child.stdin.on('error', () => undefined)
    child.stdin.end(input)
  })
}

beforeAll(async () => {
  await seedCorpusOrgs()
})

describe('intake:pipe', () => {
  it('stores and processes the letter and prints the outcome as JSON', async () => {
    const { code, stdout } = await pipe(['intake:pipe'], fixture('good-ticket.eml'))
    expect(code).toBe(0)
    const outcome = JSON.parse(stdout)
    expect(outcome).toMatchObject({
      action: 'created',
      state: 'NEW',
      subject: 'Ошибка при загрузке формы ВПР',
      from: 'kuznetsova@school1-arh.example',
      automatic: false,
      attachments: [{ filename: 'Снимок экрана 2026-11-26 в 16.55.png', contentType: 'image/png' }],
      reply: { kind: 'acknowledgement', to: 'kuznetsova@school1-arh.example' },
    })
    expect(outcome.text).toContain('Логин: edu290001')
    expect(outcome.verdict.map((v: { rule: string; met: boolean }) => [v.rule, v.met])).toEqual([
      ['login', true],
      ['orgName', true],
      ['description', true],
      ['screenshot', true],
    ])
    const row = await prisma.inboundMail.findUniqueOrThrow({ where: { id: outcome.inboundId } })
    expect(row).toMatchObject({ channel: 'pipe', status: 'processed', ticketId: outcome.ticket })
    // The automatic reply went out before the command ended.
    const reply = await prisma.ticketMessage.findFirstOrThrow({ where: { ticketId: outcome.ticket, kind: 'OUTBOUND' } })
    expect(reply.sentAt).not.toBeNull()
  }, 60_000)

  it('--dry-run parses and judges without writing anything', async () => {
    const before = { mails: await prisma.inboundMail.count(), tickets: await prisma.ticket.count() }
    const { code, stdout } = await pipe(['intake:pipe', '--dry-run'], fixture('outlook-ru-header-block.eml'))
    expect(code).toBe(0)
    const outcome = JSON.parse(stdout)
    expect(outcome).toMatchObject({ inboundId: null, ticket: null, action: 'created', state: 'WAITING_INFO', reply: { kind: 'missing-information' } })
    expect(outcome.verdict.find((v: { rule: string }) => v.rule === 'screenshot')).toMatchObject({ met: false })
    expect(outcome.verdict.find((v: { rule: string }) => v.rule === 'login')).toMatchObject({ met: true, evidence: expect.stringContaining('edu290002') })
    expect({ mails: await prisma.inboundMail.count(), tickets: await prisma.ticket.count() }).toEqual(before)
  }, 60_000)

  it('refuses a letter over the size limit with a clear JSON error and exit code 65, storing nothing', async () => {
    const before = await prisma.inboundMail.count()
    const big = Buffer.concat([Buffer.from('From: a@school.example\r\nSubject: big\r\n\r\n'), Buffer.alloc(3 * 1024 * 1024, 0x61)])
    const { code, stdout, stderr } = await pipe(['intake:pipe'], big, { INTAKE_MAX_BYTES: String(2 * 1024 * 1024) })
    expect(code).toBe(65)
    expect(JSON.parse(stdout)).toMatchObject({ error: 'too-large', limit: 2 * 1024 * 1024 })
    expect(stderr).toContain('Письмо не принято: 3.0 МБ больше допустимых 2.0 МБ')
    expect(await prisma.inboundMail.count()).toBe(before)
  }, 60_000)

  it('quarantines what cannot be parsed, and intake:replay sends it through again', async () => {
    const { code, stdout } = await pipe(['intake:pipe'], fixture('garbage.eml'))
    expect(code).toBe(0)
    const outcome = JSON.parse(stdout)
    expect(outcome.action).toBe('quarantined')
    const replay = await pipe(['intake:replay', String(outcome.inboundId)], Buffer.alloc(0))
    expect(replay.code).toBe(1)
    expect(replay.stdout).toContain(`Письмо №${outcome.inboundId}: quarantined`)
    expect((await prisma.inboundMail.findUniqueOrThrow({ where: { id: outcome.inboundId } })).status).toBe('quarantined')
  }, 60_000)
})

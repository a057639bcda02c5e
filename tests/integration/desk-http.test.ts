// The support section over HTTP with the real Remix build: who gets which
// page, what a requester never sees, letters' HTML without script, and
// attachments served as downloads with their sniffed type — inline only for
// raster images whose bytes say so.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import nodemailer from 'nodemailer'
import { processInbound, storeInbound } from '~/helpdesk/intake.server'
import { prisma } from '~/utils/db.server'
import { parseEnv } from '~/utils/env.server'
import { demoScreenshot } from '../../prisma/seed-helpdesk.ts'
import { createHttpApp } from '../../server/http.ts'
import { createRegionTree, createSignedInSession, createUser } from '../setup/fixtures.ts'
import { addMessage, createTicket } from '../setup/tickets.ts'

const root = path.resolve(import.meta.dirname, '../..')
const buildFile = path.join(root, 'build/server/index.js')

let base: string
let server: http.Server
const cookies: Record<string, string> = {}
let ticketId: number
const files: Record<string, number> = {}

async function get(who: string, url: string) {
  return fetch(base + url, { headers: { Cookie: cookies[who] }, redirect: 'manual' })
}

beforeAll(async () => {
  if (!fs.existsSync(buildFile)) {
    const result = spawnSync(process.execPath, [path.join(root, 'node_modules/@remix-run/dev/dist/cli.js'), 'build'], { cwd: root, encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`remix build failed:\n${result.stderr}`)
  }
  const build = (await import(pathToFileURL(buildFile).href)) as ServerBuild
  const env = parseEnv({ DATABASE_URL: process.env.DATABASE_URL, RATE_LIMIT_FACTOR: '100', LOG_LEVEL: 'silent' })
  server = http.createServer(createHttpApp({ env, build, health: () => ({ roles: ['web'] }) }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const tree = await createRegionTree({ municipalities: 1, schoolsPer: 2, colleges: 0 })
  const fed = await prisma.organization.create({ data: { kind: 'FEDERAL', login: 'fioko', name: 'ФИОКО' } })
  const [a, b] = tree.municipalities[0].schools
  const people = {
    agent: await createUser({ orgId: fed.id, role: 'SUPPORT_AGENT', login: 'support-http' }),
    school: await createUser({ orgId: a.id }),
    other: await createUser({ orgId: b.id }),
    teacher: await createUser({ orgId: a.id, role: 'TEACHER_EXPERT', login: `${a.login}_t01` }),
  }
  for (const [who, user] of Object.entries(people)) cookies[who] = (await createSignedInSession(user)).cookie

  const t = await createTicket({ organizationId: a.id, subject: 'Форма не загружается', text: 'Текст письма заявителя' })
  ticketId = t.id
  const letter = await prisma.ticketMessage.findFirstOrThrow({ where: { ticketId, kind: 'INBOUND' } })
  await prisma.ticketMessage.update({
    where: { id: letter.id },
    // As if written past the intake's sanitiser: the page must clean it again.
    data: { safeHtml: '<p>Оформленный текст</p><script>window.pwned=1</script><img src="x" onerror="alert(1)">' },
  })
  const note = await addMessage(ticketId, 'NOTE', 'Секретная внутренняя заметка', { authorId: people.agent.id })
  const attach = async (messageId: number, filename: string, contentType: string, content: Buffer) =>
    (await prisma.ticketAttachment.create({ data: { messageId, filename, contentType, size: content.length, sha256: 'x', content: new Uint8Array(content) } })).id
  files.png = await attach(letter.id, 'снимок экрана.png', 'image/png', demoScreenshot(40, 20))
  files.fakePng = await attach(letter.id, 'fake.png', 'image/png', Buffer.from('<html><script>alert(1)</script></html>'))
  files.svg = await attach(letter.id, 'logo.svg', 'image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))
  files.note = await attach(note.id, 'admin.png', 'image/png', demoScreenshot(10, 10))
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('pages of the support section', () => {
  it('gives agents the desk, coordinators their tickets, and teachers nothing', async () => {
    expect(await (await get('agent', '/cabinet/support')).text()).toContain('Обращения в техподдержку')
    expect(await (await get('school', '/cabinet/support')).text()).toContain('Мои обращения')
    expect((await get('teacher', '/cabinet/support')).status).toBe(403)
    expect((await get('school', '/cabinet/support/stats')).status).toBe(403)
    expect((await get('school', '/cabinet/support/canned')).status).toBe(403)
  })

  it('shows the requester the letter but not the note; another school gets 403', async () => {
    const page = await (await get('school', `/cabinet/support/${ticketId}`)).text()
    expect(page).toContain('Текст письма заявителя')
    expect(page).not.toContain('Секретная внутренняя заметка')
    expect((await get('other', `/cabinet/support/${ticketId}`)).status).toBe(403)
    expect((await get('school', '/cabinet/support/999999')).status).toBe(404)
  })

  it('shows the letter\'s HTML to staff only after cleaning it again', async () => {
    const page = await (await get('agent', `/cabinet/support/${ticketId}`)).text()
    expect(page).toContain('Оформленный текст')
    expect(page).toContain('Секретная внутренняя заметка')
    expect(page).not.toContain('window.pwned')
    expect(page).not.toContain('onerror')
  })
})

describe('attachments', () => {
  it('downloads with the sniffed type, nosniff and a UTF-8 file name', async () => {
    const r = await get('school', `/cabinet/support/attachments/${files.png}`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('image/png')
    expect(r.headers.get('x-content-type-options')).toBe('nosniff')
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="______ ______.png"; filename*=UTF-8''${encodeURIComponent('снимок экрана.png')}`)
    expect(Buffer.from(await r.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG')
  })

  it('shows raster images inline on request, but never a file whose bytes are not an image, nor SVG', async () => {
    expect((await get('school', `/cabinet/support/attachments/${files.png}?inline=1`)).headers.get('content-disposition')).toMatch(/^inline;/)
    const fake = await get('school', `/cabinet/support/attachments/${files.fakePng}?inline=1`)
    expect(fake.headers.get('content-disposition')).toMatch(/^attachment;/)
    const svg = await get('school', `/cabinet/support/attachments/${files.svg}?inline=1`)
    expect(svg.headers.get('content-disposition')).toMatch(/^attachment;/)
    expect(svg.headers.get('content-security-policy')).toContain('sandbox')
  })

  it('serves a letter\'s screenshot from the raw letter, where the intake keeps it once', async () => {
    const screenshot = demoScreenshot(64, 48)
    const composed = await nodemailer.createTransport({ streamTransport: true, buffer: true }).sendMail({
      from: 'Школа <school-raw@arh.example>',
      to: 'support@oko.example',
      subject: 'Ошибка при загрузке формы',
      text: 'При загрузке формы ВПР выдаёт ошибку «Файл не соответствует шаблону». Снимок экрана прилагаю.',
      attachments: [{ filename: 'снимок.png', content: screenshot, contentType: 'image/png' }],
    })
    const { id } = await storeInbound(composed.message as Buffer, { channel: 'smtp' })
    const outcome = await processInbound(id)
    const file = await prisma.ticketAttachment.findFirstOrThrow({ where: { message: { ticketId: outcome.ticket! } } })
    expect(file.content.length).toBe(0)
    const r = await get('agent', `/cabinet/support/attachments/${file.id}`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('image/png')
    expect(Buffer.compare(Buffer.from(await r.arrayBuffer()), screenshot)).toBe(0)
  })

  it('refuses another school (403), a note\'s file to the requester (404), and strangers (sign-in)', async () => {
    expect((await get('other', `/cabinet/support/attachments/${files.png}`)).status).toBe(403)
    expect((await get('school', `/cabinet/support/attachments/${files.note}`)).status).toBe(404)
    expect((await get('agent', `/cabinet/support/attachments/${files.note}`)).status).toBe(200)
    const anonymous = await fetch(`${base}/cabinet/support/attachments/${files.png}`, { redirect: 'manual' })
    expect(anonymous.status).toBe(302)
    expect(anonymous.headers.get('location')).toMatch(/^\/login/)
  })
})

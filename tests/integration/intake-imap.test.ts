// The IMAP poller against a real IMAP4rev1 server on loopback (hoodiecrow-imap,
// an in-memory server by the author of imapflow): LOGIN, SELECT under the
// mailbox lock, SEARCH UNSEEN, FETCH, STORE \Seen after the commit, IDLE for
// new mail, and reconnecting with backoff when the server goes away.
import net, { type AddressInfo } from 'node:net'
import hoodiecrow from 'hoodiecrow-imap'
import { ImapFlow } from 'imapflow'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { letter, seedCorpusOrgs } from './intake-helpers.ts'
import { intakeIdle, storeInbound } from '~/helpdesk/intake.server'
import { prisma } from '~/utils/db.server'
import { startImapIntake, type ImapIntake } from '../../server/intake/imap.ts'

const raw = (n: number, from = `imap${n}@school.example`) =>
  letter(
    { From: from, To: 'support@oko.example', Subject: `Письмо по IMAP ${n}`, 'Message-ID': `<imap-${n}@school.example>`, Date: new Date().toUTCString() },
    'Здравствуйте! Не можем найти в разделе «Обмен данными» публикацию с архивом заданий ВПР по биологии 7 класс.\nЛогин: edu290002\nОрганизация: МБОУ СШ № 2 г. Архангельск',
  ).toString('utf8')

async function imapServer(port = 0, messages: { raw: string; flags?: string[] }[] = []) {
  const server = hoodiecrow({ plugins: ['IDLE', 'UIDPLUS', 'ENABLE', 'ID'], storage: { INBOX: { messages } } })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return { server, port: (server.server.address() as AddressInfo).port }
}

async function flagsOf(port: number) {
  const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: 'testuser', pass: 'testpass' }, logger: false })
  await c.connect()
  const lock = await c.getMailboxLock('INBOX')
  const out: Record<string, string[]> = {}
  try {
    for await (const m of c.fetch('1:*', { envelope: true, flags: true })) out[m.envelope?.messageId ?? String(m.uid)] = [...(m.flags ?? [])]
  } finally {
    lock.release()
    await c.logout()
  }
  return out
}

async function until(what: () => Promise<boolean> | boolean, ms = 15_000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await what()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('condition not met in time')
}

let poller: ImapIntake | undefined
const servers: { close(cb?: () => void): void }[] = []

beforeAll(async () => {
  await seedCorpusOrgs()
})

afterEach(async () => {
  await poller?.close()
  poller = undefined
  await intakeIdle()
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()))
})

describe('the IMAP poller', () => {
  it('stores unseen mail, flags it \\Seen after the commit, leaves seen mail alone, and picks up new mail by IDLE', async () => {
    const { server, port } = await imapServer(0, [{ raw: raw(1) }, { raw: raw(2) }, { raw: raw(3), flags: ['\\Seen'] }])
    servers.push(server)
    poller = startImapIntake({ url: `imap://testuser:testpass@127.0.0.1:${port}/INBOX`, maxBytes: 1024 * 1024, pollMs: 60_000 })
    await until(() => poller!.health().stored === 2)
    await intakeIdle()
    expect(await prisma.inboundMail.count({ where: { channel: 'imap' } })).toBe(2)
    expect(await prisma.ticket.count({ where: { channel: 'imap' } })).toBe(2)
    const flags = await flagsOf(port)
    expect(flags['<imap-1@school.example>']).toContain('\\Seen')
    expect(flags['<imap-2@school.example>']).toContain('\\Seen')
    const health = poller.health()
    expect(health.state).toBe('waiting')
    expect(health.lastSuccessfulFetchAt).not.toBeNull()
    expect(health.lastError).toBeNull()

    // New mail while the poller idles: EXISTS wakes it long before the 60 s poll.
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: 'testuser', pass: 'testpass' }, logger: false })
    await c.connect()
    await c.append('INBOX', raw(4))
    await c.logout()
    await until(() => poller!.health().stored === 3, 10_000)
    await intakeIdle()
    expect(await prisma.ticket.count({ where: { channel: 'imap' } })).toBe(3)
  })

  it('does not flag a letter it could not store, and fetches it again next time', async () => {
    const { server, port } = await imapServer(0, [{ raw: raw(10) }])
    servers.push(server)
    let failures = 1
    poller = startImapIntake({
      url: `imap://testuser:testpass@127.0.0.1:${port}/INBOX`,
      maxBytes: 1024 * 1024,
      pollMs: 300,
      store: async (bytes) => {
        if (failures-- > 0) throw new Error('база недоступна')
        return storeInbound(bytes, { channel: 'imap' })
      },
    })
    await until(() => poller!.health().lastError === 'база недоступна')
    expect((await flagsOf(port))['<imap-10@school.example>']).not.toContain('\\Seen')
    await until(() => poller!.health().stored === 1)
    expect((await flagsOf(port))['<imap-10@school.example>']).toContain('\\Seen')
    expect(poller.health().reconnects).toBeGreaterThanOrEqual(1)
  })

  it('reconnects with backoff after the server goes away, and reports the error meanwhile', async () => {
    const { server, port } = await imapServer(0, [])
    servers.push(server)
    // A relay in front of the server that can drop every connection, as a restarting provider does.
    const relay = await tcpRelay(port)
    poller = startImapIntake({ url: `imap://testuser:testpass@127.0.0.1:${relay.port}/INBOX`, maxBytes: 1024 * 1024, pollMs: 500 })
    await until(() => poller!.health().state === 'waiting')
    await relay.stop()
    await until(() => poller!.health().reconnects > 0 && poller!.health().lastError !== null)
    expect(poller.health().lastErrorAt).not.toBeNull()
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: 'testuser', pass: 'testpass' }, logger: false })
    await c.connect()
    await c.append('INBOX', raw(20))
    await c.logout()
    const back = await tcpRelay(port, relay.port)
    await until(() => poller!.health().stored === 1, 20_000)
    expect(poller.health().lastSuccessfulFetchAt).not.toBeNull()
    await poller.close()
    poller = undefined
    await back.stop()
  }, 40_000)

  it('reads the mailbox and credentials from IMAP_URL', async () => {
    const { parseImapUrl } = await import('../../server/intake/imap.ts')
    const { options, mailbox } = parseImapUrl('imaps://support%40oko.example:p%40ss%3Aword@imap.example/%D0%9F%D0%BE%D0%B4%D0%B4%D0%B5%D1%80%D0%B6%D0%BA%D0%B0')
    expect(options).toMatchObject({ host: 'imap.example', port: 993, secure: true, auth: { user: 'support@oko.example', pass: 'p@ss:word' } })
    expect(mailbox).toBe('Поддержка')
  })
})

/** A TCP relay to the IMAP server; stop() drops every connection and the listener. */
async function tcpRelay(targetPort: number, port = 0) {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((inbound) => {
    const outbound = net.connect(targetPort, '127.0.0.1')
    for (const s of [inbound, outbound]) {
      sockets.add(s)
      s.on('error', () => undefined)
      s.on('close', () => sockets.delete(s))
    }
    inbound.pipe(outbound).pipe(inbound)
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

// The IMAP poller (imapflow): a mailbox at a provider that the intake reads.
// - one connection holding the mailbox lock (getMailboxLock) while it works;
// - unseen messages are fetched one at a time, stored, and flagged \Seen only
//   after storeInbound committed: a crash in between fetches the letter again
//   next time, and the same bytes are the same row (no duplicate);
// - new mail is noticed by IDLE where the server offers it (imapflow idles
//   between commands and reports EXISTS), else by polling;
// - a watchdog reconnects a connection that stopped answering, and every
//   failure reconnects with exponential backoff (1 s doubling to 5 min);
// - health(): state, last successful fetch and the last error, for /healthz.
import { ImapFlow, type ImapFlowOptions } from 'imapflow'
import { enqueueProcessing, storeInbound } from '../../app/helpdesk/intake.server.ts'
import { logger } from '../../app/utils/logger.server.ts'

export interface ImapIntakeOptions {
  url: string
  maxBytes: number
  /** How often to look for new mail when IDLE brings nothing (ms). */
  pollMs?: number
  /** No successful fetch for this long while connected: the connection is dropped and made again (ms). */
  watchdogMs?: number
  /** Process stored letters in this process (default true). */
  process?: boolean
  /** Tests: replace how a letter is stored. */
  store?: (raw: Buffer) => Promise<{ id: number; duplicate: boolean }>
}

export type ImapState = 'connecting' | 'waiting' | 'fetching' | 'backoff' | 'stopped'

export interface ImapHealth {
  state: ImapState
  mailbox: string
  lastSuccessfulFetchAt: string | null
  lastError: string | null
  lastErrorAt: string | null
  stored: number
  reconnects: number
  /** Letters over INTAKE_MAX_BYTES left in the mailbox, flagged \Flagged. */
  oversize: number
}

export interface ImapIntake {
  health(): ImapHealth
  /** Looks for new mail now (tests; the poller does it by itself). */
  poke(): void
  close(): Promise<void>
}

export function parseImapUrl(url: string): { options: ImapFlowOptions; mailbox: string } {
  const u = new URL(url)
  const secure = u.protocol === 'imaps:'
  const mailbox = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'INBOX'
  return {
    mailbox,
    options: {
      host: u.hostname,
      port: Number(u.port) || (secure ? 993 : 143),
      secure,
      auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
      logger: false,
      // A mailbox that never answers must not hang the poller.
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
      socketTimeout: 5 * 60_000,
      // IDLE soon after each fetch (imapflow waits 15 s by default): new mail is seen in seconds.
      autoIdleDelay: 2000,
    },
  }
}

const sleep = (ms: number, signal: { stopped: boolean; wake?: () => void }) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal.wake = () => {
      clearTimeout(t)
      resolve()
    }
  })

export function startImapIntake(options: ImapIntakeOptions): ImapIntake {
  const { options: clientOptions, mailbox } = parseImapUrl(options.url)
  const pollMs = options.pollMs ?? 60_000
  const watchdogMs = options.watchdogMs ?? Math.max(5 * 60_000, 3 * pollMs)
  const store = options.store ?? ((raw: Buffer) => storeInbound(raw, { channel: 'imap' }))
  const health: ImapHealth = { state: 'connecting', mailbox, lastSuccessfulFetchAt: null, lastError: null, lastErrorAt: null, stored: 0, reconnects: 0, oversize: 0 }
  const control = { stopped: false, wake: undefined as (() => void) | undefined }
  let client: ImapFlow | null = null
  let lastProgress = Date.now()

  async function fetchUnseen(c: ImapFlow) {
    health.state = 'fetching'
    const uids = (await c.search({ seen: false }, { uid: true })) || []
    for (const uid of uids) {
      if (control.stopped) return
      const meta = await c.fetchOne(String(uid), { size: true }, { uid: true })
      if (!meta) continue
      if ((meta.size ?? 0) > options.maxBytes) {
        // Not ours to refuse any more: leave it in the mailbox, flagged for a person.
        await c.messageFlagsAdd(String(uid), ['\\Seen', '\\Flagged'], { uid: true })
        health.oversize++
        logger.warn({ uid, size: meta.size }, 'intake imap: letter over INTAKE_MAX_BYTES left in the mailbox, flagged')
        continue
      }
      const message = await c.fetchOne(String(uid), { source: true }, { uid: true })
      if (!message || !message.source) continue
      const { id } = await store(message.source)
      // Only now: the raw letter is committed.
      await c.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true })
      health.stored++
      lastProgress = Date.now()
      if (options.process !== false) enqueueProcessing(id, message.source)
    }
    health.lastSuccessfulFetchAt = new Date().toISOString()
    lastProgress = Date.now()
    health.state = 'waiting'
  }

  async function session() {
    health.state = 'connecting'
    const c = new ImapFlow(clientOptions)
    client = c
    c.on('error', (error: Error) => {
      health.lastError = error.message
      health.lastErrorAt = new Date().toISOString()
    })
    await c.connect()
    let pending = true
    c.on('exists', () => {
      pending = true
      control.wake?.()
    })
    c.once('close', () => control.wake?.())
    while (!control.stopped && c.usable) {
      if (pending) {
        pending = false
        // The lock is held while we work only: imapflow IDLEs on a free connection.
        const lock = await c.getMailboxLock(mailbox)
        try {
          await fetchUnseen(c)
        } finally {
          lock.release()
        }
      }
      // IDLE runs meanwhile (where offered), and EXISTS wakes us; else this is the poll interval.
      await sleep(pollMs, control)
      pending = true
    }
    if (!control.stopped) throw new Error(c.usable ? 'соединение с почтовым ящиком прервано' : 'почтовый сервер закрыл соединение')
  }

  const watchdog = setInterval(() => {
    if (client && health.state !== 'backoff' && Date.now() - lastProgress > watchdogMs) {
      logger.warn({ mailbox }, 'intake imap: no successful fetch for too long; reconnecting')
      health.lastError = `нет успешной проверки ящика дольше ${Math.round(watchdogMs / 1000)} с: переподключение`
      health.lastErrorAt = new Date().toISOString()
      client.close()
    }
  }, Math.min(watchdogMs, 30_000))
  watchdog.unref()

  const loop = (async () => {
    let backoff = 1000
    while (!control.stopped) {
      try {
        await session()
        backoff = 1000
      } catch (error) {
        health.lastError = (error as Error).message
        health.lastErrorAt = new Date().toISOString()
        logger.warn({ err: error, mailbox }, 'intake imap: session failed; reconnecting with backoff')
      } finally {
        const c = client as ImapFlow | null
        client = null
        if (c?.usable) await c.logout().catch(() => c.close())
        else c?.close()
      }
      if (control.stopped) break
      health.state = 'backoff'
      health.reconnects++
      await sleep(backoff, control)
      backoff = Math.min(backoff * 2, 5 * 60_000)
      lastProgress = Date.now()
    }
    health.state = 'stopped'
  })()

  return {
    health: () => ({ ...health }),
    poke: () => control.wake?.(),
    async close() {
      control.stopped = true
      clearInterval(watchdog)
      control.wake?.()
      client?.close()
      await loop
    },
  }
}

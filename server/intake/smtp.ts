// The intake's SMTP listener (smtp-server): the MTA in front of us, or a
// school's mail server directly on a small installation, delivers here.
// - SIZE is advertised and enforced: a larger letter is refused with 552
//   during DATA (nothing of it is stored);
// - RCPT TO accepts only our addresses (INTAKE_ADDRESSES): 550 otherwise;
// - no AUTH on this port: it accepts mail *to* us only, it relays nothing;
// - 250 is answered only after storeInbound committed the raw bytes; the
//   letter is processed afterwards, without holding the session. When the
//   database cannot take the letter, 451 asks the sender to retry later.
// Replies are ASCII first (RFC 5321), then the same in Russian for the person
// reading the bounce.
import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server'
import { enqueueProcessing, storeInbound } from '../../app/helpdesk/intake.server.ts'
import { isOurAddress } from '../../app/helpdesk/outbound.server.ts'
import { logger } from '../../app/utils/logger.server.ts'

export interface SmtpIntakeOptions {
  host: string
  port: number
  maxBytes: number
  /** Process stored letters in this process (default true); tests may process them by hand. */
  process?: boolean
}

export interface SmtpIntake {
  port: number
  close(): Promise<void>
  stats(): { accepted: number; refused: number; failed: number; connections: number }
}

function smtpError(message: string, responseCode: number) {
  return Object.assign(new Error(message), { responseCode })
}

const mb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`

export async function startSmtpIntake(options: SmtpIntakeOptions): Promise<SmtpIntake> {
  const counters = { accepted: 0, refused: 0, failed: 0, connections: 0 }
  const tooBig = () =>
    smtpError(
      `5.3.4 Message too big: the limit is ${mb(options.maxBytes)} (Письмо больше ${mb(options.maxBytes).replace('MB', 'МБ')}: уменьшите вложения или пришлите ссылку на файл)`,
      552,
    )

  const server = new SMTPServer({
    name: 'oko-support-intake',
    banner: 'oko-support intake',
    size: options.maxBytes,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    disableReverseLookup: true,
    maxClients: 200,
    socketTimeout: 120_000,
    logger: false,
    onConnect(_session, callback) {
      counters.connections++
      callback()
    },
    onClose() {
      counters.connections = Math.max(0, counters.connections - 1)
    },
    onMailFrom(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const args = address.args as Record<string, string> | false | undefined
      const declared = Number((args && args.SIZE) || 0)
      if (declared > options.maxBytes) {
        counters.refused++
        return callback(tooBig())
      }
      callback()
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
      if (isOurAddress(address.address)) return callback()
      counters.refused++
      callback(smtpError(`5.1.1 <${address.address}>: no such recipient here (Такого адреса здесь нет: письма в техподдержку принимаются на другой адрес)`, 550))
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      const chunks: Buffer[] = []
      let size = 0
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length
        // Past the limit the bytes are read and dropped: the answer is 552 anyway.
        if (size <= options.maxBytes) chunks.push(chunk)
      })
      stream.on('error', (error) => {
        counters.failed++
        callback(smtpError(`4.3.0 Read error, try again later (${error.message})`, 451))
      })
      stream.on('end', () => {
        if (stream.sizeExceeded || size > options.maxBytes) {
          counters.refused++
          return callback(tooBig())
        }
        const raw = Buffer.concat(chunks, size)
        const envelope = session.envelope
        storeInbound(raw, {
          channel: 'smtp',
          envelopeFrom: envelope.mailFrom ? envelope.mailFrom.address : '',
          envelopeTo: envelope.rcptTo.map((r) => r.address.toLowerCase()),
          claim: options.process !== false,
        }).then(
          ({ id, duplicate, claimed }) => {
            counters.accepted++
            callback(null, `2.0.0 Accepted as #${id}${duplicate ? ' (already received)' : ''}`)
            if (options.process !== false) enqueueProcessing(id, raw, claimed)
          },
          (error) => {
            counters.failed++
            logger.error({ err: error }, 'intake smtp: the letter could not be stored; asked the sender to retry')
            callback(smtpError('4.3.0 Temporary failure, try again later (Временный сбой: письмо будет доставлено повторно)', 451))
          },
        )
      })
    },
  })
  server.on('error', (error) => logger.warn({ err: error }, 'intake smtp: connection error'))

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject)
      resolve()
    })
  })
  const port = (server.server.address() as AddressInfo).port
  logger.info({ host: options.host, port, maxBytes: options.maxBytes }, 'intake smtp listening')
  return {
    port,
    stats: () => ({ ...counters }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

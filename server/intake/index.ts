// The intake role: the SMTP listener and the IMAP poller feed the pipeline
// (app/helpdesk/intake.server.ts); letters left unprocessed by a crash are
// finished at start-up and every minute; /healthz reports on all of it.
import type { Env } from '../../app/utils/env.server.ts'
import { intakeIdle, pendingCount, pipelineStats, recoverPending } from '../../app/helpdesk/intake.server.ts'
import { stopOutboxDrain } from '../../app/helpdesk/outbound.server.ts'
import { closeIntakeSql } from '../../app/helpdesk/ticket-rows.server.ts'
import { logger } from '../../app/utils/logger.server.ts'
import { startImapIntake, type ImapIntake } from './imap.ts'
import { startSmtpIntake, type SmtpIntake } from './smtp.ts'

export interface RunningIntake {
  health(): Record<string, unknown>
  close(): Promise<void>
}

const RECOVERY_MS = 60_000

export async function startIntake(env: Env): Promise<RunningIntake> {
  let smtp: SmtpIntake | undefined
  let imap: ImapIntake | undefined
  let pending: number | null = null
  let lastRecovery: { at: string; processed: number; failed: number } | null = null
  let stopping = false

  const recover = async () => {
    try {
      const r = await recoverPending()
      lastRecovery = { at: new Date().toISOString(), ...r }
      if (r.processed || r.failed) logger.info(r, 'intake: recovered letters left unprocessed')
      pending = await pendingCount()
    } catch (error) {
      if (!stopping) logger.warn({ err: error }, 'intake: recovery failed; retrying in a minute')
    }
  }
  // Finish what a crash left before taking new mail, so the order stays natural.
  await recover()
  const timer = setInterval(() => void recover(), RECOVERY_MS)
  timer.unref()
  const countTimer = setInterval(() => {
    pendingCount().then((n) => (pending = n), () => undefined)
  }, 5000)
  countTimer.unref()

  if (env.INTAKE_SMTP_PORT !== 'off') {
    smtp = await startSmtpIntake({ host: env.INTAKE_SMTP_HOST, port: env.INTAKE_SMTP_PORT, maxBytes: env.INTAKE_MAX_BYTES })
  }
  if (env.IMAP_URL) imap = startImapIntake({ url: env.IMAP_URL, maxBytes: env.INTAKE_MAX_BYTES })
  if (!smtp && !imap) logger.warn('intake role: neither the SMTP listener (INTAKE_SMTP_PORT=off) nor IMAP_URL is configured; only intake:pipe and the cabinet form bring mail')

  return {
    health: () => ({
      intake: {
        smtp: smtp ? { port: smtp.port, ...smtp.stats() } : null,
        imap: imap ? imap.health() : null,
        pending,
        ...pipelineStats(),
        lastRecovery,
      },
    }),
    async close() {
      stopping = true
      clearInterval(timer)
      clearInterval(countTimer)
      await smtp?.close()
      await imap?.close()
      // Letters being processed finish (their transaction is short); the rest are recovered at the next start.
      await Promise.race([intakeIdle(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())])
      await stopOutboxDrain()
      await closeIntakeSql()
    },
  }
}

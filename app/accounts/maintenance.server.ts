// Recurring housekeeping of the accounts domain, run by the job queue.
import { defineQueue } from '~/utils/jobs.server'
import { logger } from '~/utils/logger.server'
import { prisma } from '~/utils/db.server'
import { purgeExpiredSessions } from './session.server'
import { THROTTLE } from './throttle.server'

export const purgeQueue = defineQueue<Record<string, never>>({
  name: 'accounts.purge',
  cron: '17 * * * *',
  retryLimit: 3,
  async handler() {
    const sessions = await purgeExpiredSessions()
    const throttles = await prisma.loginThrottle.deleteMany({
      where: { updatedAt: { lt: new Date(Date.now() - THROTTLE.forgetAfterMs) }, OR: [{ lockedUntil: null }, { lockedUntil: { lt: new Date() } }] },
    })
    logger.info({ sessions, throttles: throttles.count }, 'accounts purge done')
  },
})

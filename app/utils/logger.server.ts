// Structured JSON logs (pino); one logger per process.
import pino from 'pino'
import { singleton } from './singleton.server'

export const logger = singleton('logger', () =>
  pino(
    {
      level: process.env.LOG_LEVEL ?? 'info',
      base: { pid: process.pid, role: process.env.ROLE ?? 'all' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['password', '*.password', 'req.headers.cookie', 'headers.cookie'], censor: '[скрыто]' },
    },
    // The CLI prints its results on stdout (JSON for intake:pipe): its logs go to stderr.
    process.env.LOG_STDERR === '1' ? pino.destination(2) : undefined,
  ),
)

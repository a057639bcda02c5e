// Environment, parsed once with zod at start-up. A bad value stops the
// process with a message naming the variable (STYLE.md, point 7).
import { z } from 'zod'

const roles = ['web', 'intake', 'worker'] as const
export type ProcessRole = (typeof roles)[number]

const boolish = z
  .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'])
  .transform((v) => ['1', 'true', 'on', 'yes'].includes(v))

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Public base URL used in links and printed at start-up. */
  PUBLIC_URL: z.string().url().optional(),
  /** PostgreSQL server; absent means the embedded PGlite under DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'должен начинаться с postgresql://')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Comma-separated list of web, intake, worker; "all" by default. */
  ROLE: z
    .string()
    .default('all')
    .transform((v, ctx) => {
      if (v.trim() === 'all') return [...roles]
      const list = v.split(',').map((s) => s.trim()).filter(Boolean)
      const bad = list.filter((r) => !(roles as readonly string[]).includes(r))
      if (bad.length || list.length === 0) {
        ctx.addIssue({ code: 'custom', message: `неизвестная роль: ${bad.join(', ') || '(пусто)'}; допустимы web, intake, worker или all` })
        return z.NEVER
      }
      return [...new Set(list)] as ProcessRole[]
    }),
  /** Secret for signing session cookies; generated into DATA_DIR when absent (embedded default only). */
  SESSION_SECRET: z.string().min(32, 'нужно не менее 32 символов').optional(),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  /** Seed demo organisations and logins: auto = only on the embedded default with an empty database. */
  DEMO_DATA: z.enum(['auto', 'on', 'off']).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Bearer token for /metrics from non-loopback addresses; without it /metrics answers loopback only. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Trust X-Forwarded-For from this many proxies (behind a load balancer). */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'должен начинаться с redis://').optional(),
  SECURE_COOKIES: boolish.optional(),
  /** Outgoing mail relay (smtp:// or smtps://); absent means the file outbox under DATA_DIR/outbox. */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'должен начинаться с smtp:// или smtps://').optional(),
  /** Sender of outgoing mail. */
  MAIL_FROM: z.string().min(3).default('Техподдержка ФИС ОКО <support@oko-support.local>'),
  /** Meilisearch server for search; absent means PostgreSQL full-text search in the same database. */
  MEILI_URL: z.string().regex(/^https?:\/\//, 'должен начинаться с http:// или https://').optional(),
  /** Meilisearch API key (the master key or a key with index and settings rights). */
  MEILI_KEY: z.string().min(1).optional(),
  /** Port of the intake's SMTP listener (intake role); `off` disables it. */
  INTAKE_SMTP_PORT: z
    .union([z.literal('off'), z.coerce.number().int().min(0).max(65535)])
    .default(2525),
  /** Address the intake's SMTP listener binds to (loopback by default: the MTA in front relays to it). */
  INTAKE_SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** Largest letter accepted, in bytes (advertised as SMTP SIZE; larger ones are refused with 552). */
  INTAKE_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(25 * 1024 * 1024),
  /** Our addresses, comma-separated: RCPT TO accepts only these; mail from them is never answered. Default: MAIL_FROM's address. */
  INTAKE_ADDRESSES: z
    .string()
    .transform((v) => v.split(',').map((a) => a.trim().toLowerCase()).filter(Boolean))
    .refine((list) => list.length > 0 && list.every((a) => /^[^\s@<>]+@[^\s@<>]+$/.test(a)), 'ожидается список адресов через запятую')
    .optional(),
  /** IMAP mailbox to poll (imaps://user:pass@host:993/INBOX); absent: no poller. */
  IMAP_URL: z.string().regex(/^imaps?:\/\//, 'должен начинаться с imap:// или imaps://').optional(),
  /** Automatic replies (acknowledgements, requests for data) to one address per hour at most. */
  INTAKE_AUTOREPLY_LIMIT: z.coerce.number().int().min(0).max(10_000).default(5),
  /** Letters processed at once in one intake process. */
  INTAKE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Secret for the signed ticket reference in our outgoing mail; default: derived from SESSION_SECRET. */
  INTAKE_REF_SECRET: z.string().min(32, 'нужно не менее 32 символов').optional(),
  /** Multiplies the per-address rate limits (benchmarks and tests from one address raise it). */
  RATE_LIMIT_FACTOR: z.coerce.number().positive().max(100_000).default(1),
  /** How long a specialist's claim on an experts-forum question lasts, in minutes (renewable by its holder). */
  FORUM_CLAIM_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /** Minutes a new account waits before its first forum post (staff excepted); default 10, 0 under NODE_ENV=test. */
  FORUM_NEW_ACCOUNT_DELAY_MIN: z.coerce.number().int().min(0).max(7 * 24 * 60).optional(),
  /** Questions (new topics) one person may post per hour (staff excepted); 0 = no cap. Default 10, none under NODE_ENV=test. */
  FORUM_QUESTIONS_PER_HOUR: z.coerce.number().int().min(0).max(10_000).optional(),
  /** Replies one person may post per hour (staff excepted); 0 = no cap. Default 60, none under NODE_ENV=test. */
  FORUM_REPLIES_PER_HOUR: z.coerce.number().int().min(0).max(10_000).optional(),
  /** Votes (agree, disagree, withdraw) one person may cast per hour (staff excepted); 0 = no cap. Default 120, none under NODE_ENV=test. */
  FORUM_VOTES_PER_HOUR: z.coerce.number().int().min(0).max(100_000).optional(),
  /** Flags (жалобы) one person may raise per hour (staff excepted); 0 = no cap. Default 20, none under NODE_ENV=test. */
  FORUM_FLAGS_PER_HOUR: z.coerce.number().int().min(0).max(100_000).optional(),
  /** Post edits one person may make per hour (staff excepted); 0 = no cap. Default 30, none under NODE_ENV=test. */
  FORUM_EDITS_PER_HOUR: z.coerce.number().int().min(0).max(100_000).optional(),
  /** Largest forum image upload in bytes (refused with 413 while streaming). */
  FORUM_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(5 * 1024 * 1024),
  /** Forum image uploads one person may make per hour; 0 = no cap. */
  FORUM_UPLOADS_PER_HOUR: z.coerce.number().int().min(0).max(100_000).default(60),
})

export type Env = z.infer<typeof EnvSchema>

/** Parses the environment; throws an Error whose message names every bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  // Empty strings mean "not set": shells and .env files produce them often.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const result = EnvSchema.safeParse(cleaned)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`Неверная конфигурация окружения (invalid environment):\n${lines.join('\n')}`)
  }
  return result.data
}

let cached: Env | undefined
export function env(): Env {
  cached ??= parseEnv()
  return cached
}

// Desk statistics (/cabinet/support/stats): volume by study and channel,
// first response and resolution times, the backlog by state and age, the
// share of letters that missed each intake rule, and a table per day. All
// from SQL over the tickets; the period is in Moscow days (UTC+3, no DST).
import { Prisma } from '~/generated/prisma/client'
import { prisma } from '~/utils/db.server'
import { INTAKE_RULES, type IntakeRule } from './rules'
import { requireDeskStaff, type Actor } from './desk-scope.server'

export const MSK_OFFSET_MS = 3 * 60 * 60_000
const DAY_MS = 24 * 60 * 60_000
export const MAX_PERIOD_DAYS = 366

export interface StatsPeriod {
  /** First day, YYYY-MM-DD (Moscow). */
  from: string
  /** Last day, inclusive, YYYY-MM-DD (Moscow). */
  to: string
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** Start of a Moscow day as an instant. */
export function mskDayStart(day: string): Date {
  const m = DAY.exec(day)
  if (!m) throw new Error(`not a day: ${day}`)
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - MSK_OFFSET_MS)
}

export function mskDay(at: Date): string {
  return new Date(at.getTime() + MSK_OFFSET_MS).toISOString().slice(0, 10)
}

/** The period from the address (?from=…&to=…), the last 30 days by default, at most a year. */
export function parsePeriod(params: URLSearchParams, now = new Date()): StatsPeriod & { notice?: string } {
  const valid = (v: string | null) => (v && DAY.test(v) && !Number.isNaN(mskDayStart(v).getTime()) && mskDay(mskDayStart(v)) === v ? v : null)
  const to = valid(params.get('to')) ?? mskDay(now)
  let from = valid(params.get('from')) ?? mskDay(new Date(mskDayStart(to).getTime() - 29 * DAY_MS))
  let notice: string | undefined
  if (from > to) {
    from = to
    notice = 'Начало периода было позже конца: показан один день.'
  }
  const days = Math.round((mskDayStart(to).getTime() - mskDayStart(from).getTime()) / DAY_MS) + 1
  if (days > MAX_PERIOD_DAYS) {
    from = mskDay(new Date(mskDayStart(to).getTime() - (MAX_PERIOD_DAYS - 1) * DAY_MS))
    notice = `Период ограничен ${MAX_PERIOD_DAYS} днями.`
  }
  return { from, to, notice }
}

export interface Durations {
  /** Tickets with the event. */
  count: number
  /** Minutes. */
  median: number | null
  p90: number | null
  /** Of `count`, how many met the SLA deadline. */
  withinSla: number
}

export interface DeskStats {
  period: StatsPeriod
  total: number
  byStudy: { study: string | null; count: number }[]
  byChannel: { channel: string; count: number }[]
  firstResponse: Durations & { waiting: number }
  resolution: Durations & { open: number }
  backlog: { state: string; total: number; day: number; days3: number; week: number; older: number }[]
  overdue: number
  rules: { judged: number; complete: number; missing: Record<IntakeRule, number> }
  perDay: { day: string; created: number; firstResponses: number; resolved: number }[]
}

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))
const minutes = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10)

export async function deskStats(actor: Actor, period: StatsPeriod, now = new Date()): Promise<DeskStats> {
  requireDeskStaff(actor)
  const from = mskDayStart(period.from)
  const to = new Date(mskDayStart(period.to).getTime() + DAY_MS)
  const inPeriod = Prisma.sql`t."createdAt" >= ${from} AND t."createdAt" < ${to}`

  const [byStudy, byChannel, first, resolution, backlog, overdue, rules, perDay] = await Promise.all([
    prisma.$queryRaw<{ study: string | null; count: bigint }[]>`
      SELECT t."study", count(*) AS count FROM "Ticket" t WHERE ${inPeriod} GROUP BY t."study" ORDER BY count DESC, t."study"`,
    prisma.$queryRaw<{ channel: string; count: bigint }[]>`
      SELECT t."channel"::text AS channel, count(*) AS count FROM "Ticket" t WHERE ${inPeriod} GROUP BY t."channel" ORDER BY count DESC, channel`,
    // Merged tickets are duplicates: their times are the target's.
    prisma.$queryRaw<{ count: bigint; median: number | null; p90: number | null; within: bigint; waiting: bigint }[]>`
      SELECT count(t."firstResponseAt") AS count,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t."firstResponseAt" - t."createdAt") / 60) AS median,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t."firstResponseAt" - t."createdAt") / 60) AS p90,
             count(*) FILTER (WHERE t."firstResponseAt" <= t."firstResponseDueAt") AS within,
             count(*) FILTER (WHERE t."firstResponseAt" IS NULL AND t."state" NOT IN ('RESOLVED', 'CLOSED')) AS waiting
        FROM "Ticket" t WHERE ${inPeriod} AND t."mergedIntoId" IS NULL`,
    prisma.$queryRaw<{ count: bigint; median: number | null; p90: number | null; within: bigint; open: bigint }[]>`
      SELECT count(t."resolvedAt") AS count,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t."resolvedAt" - t."createdAt") / 60) AS median,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t."resolvedAt" - t."createdAt") / 60) AS p90,
             count(*) FILTER (WHERE t."resolvedAt" <= t."resolutionDueAt") AS within,
             count(*) FILTER (WHERE t."resolvedAt" IS NULL) AS open
        FROM "Ticket" t WHERE ${inPeriod} AND t."mergedIntoId" IS NULL`,
    // The backlog is now, not in the period.
    prisma.$queryRaw<{ state: string; total: bigint; day: bigint; days3: bigint; week: bigint; older: bigint }[]>`
      SELECT t."state"::text AS state, count(*) AS total,
             count(*) FILTER (WHERE t."createdAt" > ${new Date(now.getTime() - DAY_MS)}) AS day,
             count(*) FILTER (WHERE t."createdAt" <= ${new Date(now.getTime() - DAY_MS)} AND t."createdAt" > ${new Date(now.getTime() - 3 * DAY_MS)}) AS days3,
             count(*) FILTER (WHERE t."createdAt" <= ${new Date(now.getTime() - 3 * DAY_MS)} AND t."createdAt" > ${new Date(now.getTime() - 7 * DAY_MS)}) AS week,
             count(*) FILTER (WHERE t."createdAt" <= ${new Date(now.getTime() - 7 * DAY_MS)}) AS older
        FROM "Ticket" t WHERE t."state" IN ('NEW', 'WAITING_INFO', 'OPEN', 'WAITING_REQUESTER')
       GROUP BY t."state"`,
    prisma.$queryRaw<{ count: bigint }[]>`
      SELECT count(*) AS count FROM "Ticket" t
       WHERE t."state" IN ('NEW', 'OPEN') AND t."slaPausedAt" IS NULL
         AND ((t."firstResponseAt" IS NULL AND t."firstResponseDueAt" < ${now}) OR (t."resolvedAt" IS NULL AND t."resolutionDueAt" < ${now}))`,
    // The verdict the ticket was created with (Ticket.intakeVerdict, kept by a trigger).
    prisma.$queryRaw<Record<string, bigint>[]>`
      SELECT count(*) AS judged,
             count(*) FILTER (WHERE jsonb_array_length(coalesce(t."intakeVerdict"->'missing', '[]'::jsonb)) = 0) AS complete,
             ${Prisma.join(
               INTAKE_RULES.map((rule) => Prisma.sql`count(*) FILTER (WHERE t."intakeVerdict"->'missing' @> ${JSON.stringify([rule])}::jsonb) AS ${Prisma.raw(`"${rule}"`)}`),
               ', ',
             )}
        FROM "Ticket" t WHERE ${inPeriod} AND t."intakeVerdict" IS NOT NULL`,
    prisma.$queryRaw<{ day: string; created: bigint; first: bigint; resolved: bigint }[]>`
      WITH days AS (
        SELECT generate_series(${period.from}::date, ${period.to}::date, interval '1 day')::date AS day
      ), local AS (
        SELECT (t."createdAt" + interval '3 hours')::date AS created,
               (t."firstResponseAt" + interval '3 hours')::date AS first,
               CASE WHEN t."mergedIntoId" IS NULL THEN (t."resolvedAt" + interval '3 hours')::date END AS resolved
          FROM "Ticket" t
         WHERE t."createdAt" < ${to}
           AND (t."createdAt" >= ${from} OR t."firstResponseAt" >= ${from} OR t."resolvedAt" >= ${from})
      )
      SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
             (SELECT count(*) FROM local WHERE local.created = d.day) AS created,
             (SELECT count(*) FROM local WHERE local.first = d.day) AS first,
             (SELECT count(*) FROM local WHERE local.resolved = d.day) AS resolved
        FROM days d ORDER BY d.day`,
  ])

  const f = first[0]
  const r = resolution[0]
  const ru = rules[0] ?? {}
  return {
    period: { from: period.from, to: period.to },
    total: byStudy.reduce((sum, row) => sum + n(row.count), 0),
    byStudy: byStudy.map((row) => ({ study: row.study, count: n(row.count) })),
    byChannel: byChannel.map((row) => ({ channel: row.channel, count: n(row.count) })),
    firstResponse: { count: n(f?.count), median: minutes(f?.median), p90: minutes(f?.p90), withinSla: n(f?.within), waiting: n(f?.waiting) },
    resolution: { count: n(r?.count), median: minutes(r?.median), p90: minutes(r?.p90), withinSla: n(r?.within), open: n(r?.open) },
    backlog: ['NEW', 'WAITING_INFO', 'OPEN', 'WAITING_REQUESTER'].map((state) => {
      const row = backlog.find((b) => b.state === state)
      return { state, total: n(row?.total), day: n(row?.day), days3: n(row?.days3), week: n(row?.week), older: n(row?.older) }
    }),
    overdue: n(overdue[0]?.count),
    rules: {
      judged: n(ru.judged),
      complete: n(ru.complete),
      missing: Object.fromEntries(INTAKE_RULES.map((rule) => [rule, n(ru[rule])])) as Record<IntakeRule, number>,
    },
    perDay: perDay.map((row) => ({ day: row.day, created: n(row.created), firstResponses: n(row.first), resolved: n(row.resolved) })),
  }
}

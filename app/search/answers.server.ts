// The answer bank (банк ответов): ready question/answer pairs. Every change
// writes a search outbox row in the same transaction (documents.server.ts).
import type { ReadyAnswer } from '~/generated/prisma/client'
import { prisma } from '~/utils/db.server'
import { IMPORT_COLUMN_ALIASES, ReadyAnswerInput } from './answer-schema'
import { enqueueIndex, enqueueIndexMany } from './documents.server'
import { notifySearch } from './outbox.server'
import { viewerFor, type SearchingPerson } from './search.server'

export const MANUAL_SOURCE = 'manual'

function dataOf(input: ReadyAnswerInput) {
  return {
    study: input.study,
    subject: input.subject,
    grade: input.grade ?? null,
    taskNumber: input.task ?? null,
    variant: input.variant ?? null,
    year: input.year ?? null,
    question: input.question,
    answer: input.answer,
    official: input.official ?? false,
    visibility: input.visibility ?? 'public',
  }
}

/** Creates or replaces the entry (source, externalId). */
export async function saveReadyAnswer(input: ReadyAnswerInput, source = input.source ?? MANUAL_SOURCE) {
  const data = dataOf(input)
  const saved = await prisma.$transaction(async (tx) => {
    const row = await tx.readyAnswer.upsert({
      where: { source_externalId: { source, externalId: input.externalId } },
      create: { source, externalId: input.externalId, ...data },
      update: data,
    })
    await enqueueIndex(tx, 'answer', row.id)
    return row
  })
  notifySearch()
  return saved
}

/** Marks an answer official (or not): an official answer is ranked first among comparable matches. */
export async function setOfficial(id: number, official: boolean) {
  const row = await prisma.$transaction(async (tx) => {
    const updated = await tx.readyAnswer.update({ where: { id }, data: { official } })
    await enqueueIndex(tx, 'answer', id)
    return updated
  })
  notifySearch()
  return row
}

export async function setStatus(id: number, status: 'draft' | 'published' | 'archived') {
  const row = await prisma.$transaction(async (tx) => {
    const updated = await tx.readyAnswer.update({ where: { id }, data: { status } })
    await enqueueIndex(tx, 'answer', id)
    return updated
  })
  notifySearch()
  return row
}

export async function deleteReadyAnswer(id: number) {
  await prisma.$transaction(async (tx) => {
    await tx.readyAnswer.delete({ where: { id } })
    await enqueueIndex(tx, 'answer', id)
  })
  notifySearch()
}

/** A published entry the person may see, or null (hidden entries look like missing ones). */
export async function getReadyAnswerFor(person: SearchingPerson, id: number): Promise<ReadyAnswer | null> {
  const viewer = viewerFor(person)
  return prisma.readyAnswer.findFirst({
    where: { id, status: 'published', ...(viewer.agents ? {} : { visibility: 'public' }) },
  })
}

// --- Import ------------------------------------------------------------------

export interface ImportRow {
  /** Line in the file (1-based; the CSV header is line 1). */
  line: number
  values: Record<string, unknown>
}

export interface ImportProblem {
  line: number
  message: string
}

/** RFC 4180 CSV (quotes, doubled quotes, new lines in quoted fields); the delimiter is guessed from the header: , ; or tab. */
export function parseCsv(text: string): { rows: ImportRow[]; problems: ImportProblem[] } {
  const src = text.replace(/^\uFEFF/, '')
  const firstLine = src.slice(0, src.search(/\r?\n|$/))
  const delimiter = [';', '\t', ','].map((d) => ({ d, n: firstLine.split(d).length })).sort((a, b) => b.n - a.n)[0].d
  const records: { line: number; fields: string[] }[] = []
  let fields: string[] = []
  let field = ''
  let quoted = false
  let line = 1
  let recordLine = 1
  for (let i = 0; i < src.length; i++) {
    const c = src[i]
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else {
        if (c === '\n') line++
        field += c
      }
    } else if (c === '"' && field === '') quoted = true
    else if (c === delimiter) {
      fields.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++
      fields.push(field)
      records.push({ line: recordLine, fields })
      fields = []
      field = ''
      line++
      recordLine = line
    } else field += c
  }
  if (field !== '' || fields.length) {
    fields.push(field)
    records.push({ line: recordLine, fields })
  }
  const problems: ImportProblem[] = []
  const nonEmpty = records.filter((r) => r.fields.some((f) => f.trim() !== ''))
  if (nonEmpty.length === 0) return { rows: [], problems: [{ line: 1, message: 'файл пуст: нужна строка заголовков и строки данных' }] }
  const [header, ...data] = nonEmpty
  const columns = header.fields.map((h) => columnName(h))
  const unknown = header.fields.filter((h, i) => columns[i] === null && h.trim() !== '')
  if (unknown.length) problems.push({ line: header.line, message: `неизвестные столбцы пропущены: ${unknown.join(', ')}` })
  const rows = data.map((r) => {
    const values: Record<string, unknown> = {}
    columns.forEach((c, i) => {
      if (c) values[c] = r.fields[i] ?? ''
    })
    if (r.fields.length > header.fields.length) problems.push({ line: r.line, message: `в строке ${r.fields.length} полей, в заголовке ${header.fields.length}` })
    return { line: r.line, values }
  })
  return { rows, problems }
}

function columnName(raw: string): string | null {
  const key = raw.trim().replace(/^\uFEFF/, '')
  const known = Object.keys(ReadyAnswerInput.shape)
  if (known.includes(key)) return key
  return IMPORT_COLUMN_ALIASES[key.toLowerCase()] ?? (known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? null)
}

/** JSON Lines: one object per line; blank lines are skipped. */
export function parseJsonl(text: string): { rows: ImportRow[]; problems: ImportProblem[] } {
  const rows: ImportRow[] = []
  const problems: ImportProblem[] = []
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = i + 1
      if (raw.trim() === '') return
      let value: unknown
      try {
        value = JSON.parse(raw)
      } catch {
        problems.push({ line, message: 'строка не является JSON-объектом' })
        return
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        problems.push({ line, message: 'ожидается JSON-объект с полями записи' })
        return
      }
      const values: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) {
        const c = columnName(k)
        if (c) values[c] = v
      }
      rows.push({ line, values })
    })
  return { rows, problems }
}

export interface ImportReport {
  created: number
  updated: number
  unchanged: number
  problems: ImportProblem[]
}

const IMPORT_BATCH = 200

/**
 * Validates each row with the shared schema and upserts the good ones by
 * (source, externalId); bad rows are reported with their line numbers and
 * do not stop the others. Re-importing the same file changes nothing.
 */
export async function importReadyAnswers(rows: ImportRow[], defaultSource: string): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, unchanged: 0, problems: [] }
  const valid: { line: number; source: string; input: ReadyAnswerInput }[] = []
  const seen = new Map<string, number>()
  for (const row of rows) {
    const parsed = ReadyAnswerInput.safeParse(row.values)
    if (!parsed.success) {
      report.problems.push({ line: row.line, message: [...new Set(parsed.error.issues.map((i) => i.message))].join('; ') })
      continue
    }
    const source = parsed.data.source ?? defaultSource
    const key = `${source}\u0000${parsed.data.externalId}`
    const earlier = seen.get(key)
    if (earlier !== undefined) {
      report.problems.push({ line: row.line, message: `externalId «${parsed.data.externalId}» уже встречался в строке ${earlier}; строка пропущена` })
      continue
    }
    seen.set(key, row.line)
    valid.push({ line: row.line, source, input: parsed.data })
  }

  for (let i = 0; i < valid.length; i += IMPORT_BATCH) {
    const batch = valid.slice(i, i + IMPORT_BATCH)
    const existing = await prisma.readyAnswer.findMany({
      where: { OR: batch.map((b) => ({ source: b.source, externalId: b.input.externalId })) },
    })
    const byKey = new Map(existing.map((e) => [`${e.source}\u0000${e.externalId}`, e]))
    const changedIds: number[] = []
    await prisma.$transaction(async (tx) => {
      for (const b of batch) {
        const data = dataOf(b.input)
        const before = byKey.get(`${b.source}\u0000${b.input.externalId}`)
        if (!before) {
          const created = await tx.readyAnswer.create({ data: { source: b.source, externalId: b.input.externalId, ...data } })
          changedIds.push(created.id)
          report.created++
        } else if ((Object.keys(data) as (keyof typeof data)[]).some((k) => before[k] !== data[k])) {
          await tx.readyAnswer.update({ where: { id: before.id }, data })
          changedIds.push(before.id)
          report.updated++
        } else report.unchanged++
      }
      await enqueueIndexMany(tx, 'answer', changedIds)
    })
  }
  if (report.created || report.updated) notifySearch()
  report.problems.sort((a, b) => a.line - b.line)
  return report
}

export function parseImportFile(fileName: string, text: string) {
  const jsonl = /\.(jsonl|ndjson|json)$/i.test(fileName) || /^\s*\{/.test(text.replace(/^\uFEFF/, ''))
  return jsonl ? parseJsonl(text) : parseCsv(text)
}

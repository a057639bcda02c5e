// Search documents and where they come from. Every change that affects a
// document calls `enqueueIndex(tx, kind, sourceId)` inside the transaction
// that makes it (the transactional outbox), then `notifySearch()` after the
// commit; the drain (outbox.server.ts) reads the current state through the
// kind's source and indexes or removes the document. Other domains (forum
// questions, topics, resolved tickets) register their sources here.
import { docId, type DocKind, type SearchDoc, type Visibility } from '../../search/engine.ts'
import type { Prisma } from '~/utils/db.server'
import { prisma } from '~/utils/db.server'

type Tx = Pick<Prisma.TransactionClient, 'searchOutbox'>

/** Records, in the caller's transaction, that the document (kind, sourceId) may have changed. */
export async function enqueueIndex(tx: Tx, kind: DocKind, sourceId: string | number) {
  await tx.searchOutbox.create({ data: { kind, sourceId: String(sourceId) } })
}

/** Same for many documents at once. */
export async function enqueueIndexMany(tx: Tx, kind: DocKind, sourceIds: (string | number)[]) {
  if (sourceIds.length === 0) return
  await tx.searchOutbox.createMany({ data: sourceIds.map((id) => ({ kind, sourceId: String(id) })) })
}

export interface DocumentSource {
  /** The current documents for these ids; a missing id means "remove it from the index". */
  load(sourceIds: string[]): Promise<Map<string, SearchDoc>>
  /** Every document, in batches (reindex). */
  all(batchSize: number): AsyncIterable<SearchDoc[]>
  count(): Promise<number>
}

const sources = new Map<DocKind, DocumentSource>()

export function registerDocumentSource(kind: DocKind, source: DocumentSource) {
  sources.set(kind, source)
}

export function documentSource(kind: string): DocumentSource | undefined {
  return sources.get(kind as DocKind)
}

export function documentSources() {
  return [...sources.entries()]
}

// --- The answer bank -------------------------------------------------------

/** Longest title shown in results; a longer question keeps its full text in `question`. */
const TITLE_MAX = 300

export interface ReadyAnswerRow {
  id: number
  study: string
  subject: string
  grade: number | null
  taskNumber: string | null
  year: number | null
  question: string
  answer: string
  official: boolean
  status: string
  visibility: Visibility
  updatedAt: Date
}

function shorten(text: string, max: number) {
  if (text.length <= max) return text
  const cut = text.slice(0, max)
  const space = cut.lastIndexOf(' ')
  return `${cut.slice(0, space > max * 0.6 ? space : max).trimEnd()}…`
}

export function readyAnswerDocument(a: ReadyAnswerRow): SearchDoc {
  const title = shorten(a.question.replace(/\s+/g, ' ').trim(), TITLE_MAX)
  return {
    id: docId('answer', a.id),
    kind: 'answer',
    sourceId: String(a.id),
    url: `/cabinet/answers/${a.id}`,
    title,
    question: title === a.question ? '' : a.question,
    answer: a.answer,
    official: a.official,
    study: a.study,
    subject: a.subject,
    grade: a.grade,
    task: a.taskNumber,
    year: a.year,
    visibility: a.visibility,
    orgIds: [],
    updatedAt: a.updatedAt,
  }
}

const answerSelect = {
  id: true,
  study: true,
  subject: true,
  grade: true,
  taskNumber: true,
  year: true,
  question: true,
  answer: true,
  official: true,
  status: true,
  visibility: true,
  updatedAt: true,
} as const

registerDocumentSource('answer', {
  async load(sourceIds) {
    const ids = sourceIds.map(Number).filter((n) => Number.isInteger(n) && n > 0)
    const rows = await prisma.readyAnswer.findMany({ where: { id: { in: ids }, status: 'published' }, select: answerSelect })
    return new Map(rows.map((r) => [String(r.id), readyAnswerDocument(r)]))
  },
  // Official answers first, then the newest: a reindex writes the table in this
  // order, and a query matching more documents than the engine ranks
  // (search/postgres.ts, CANDIDATES) ranks the ones stored first.
  async *all(batchSize) {
    for (const official of [true, false]) {
      let cursor: number | undefined
      for (;;) {
        const rows = await prisma.readyAnswer.findMany({
          where: { status: 'published', official },
          orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
          ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
          take: batchSize,
          select: answerSelect,
        })
        if (rows.length === 0) break
        cursor = rows[rows.length - 1].id
        yield rows.map(readyAnswerDocument)
      }
    }
  },
  count: () => prisma.readyAnswer.count({ where: { status: 'published' } }),
})

// The forum's search documents (issue 4, point 2): an experts-forum question
// with its answer is one document of kind 'question'; a support-forum topic is
// one of kind 'topic'. The answer field is the official answer's text, else
// the accepted one's; `official` says an official answer exists. Hidden and
// merged topics are not documents (the drain removes them). Registered here
// with the search module; every module that changes a topic imports this file
// (topics/posts/moderation), and so do the processes that drain or reindex
// (server/index.ts, server/cli.ts), so the sources exist wherever the outbox
// is drained.
import { registerDocumentSource, type DocumentSource } from '~/search/documents.server'
import { prisma, type Prisma } from '~/utils/db.server'
import { docId, type SearchDoc } from '../../search/engine.ts'

/** Longest question text kept in a document (a pasted criterion is searchable, a novel is not). */
const QUESTION_MAX = 5_000
const ANSWER_MAX = 20_000

const DOC_SELECT = {
  id: true,
  title: true,
  taskNumber: true,
  year: true,
  updatedAt: true,
  lastPostAt: true,
  forum: { select: { kind: true, study: true } },
  expertSubject: { select: { subject: true, grade: true } },
  posts: { where: { isFirst: true }, select: { text: true, hidden: true }, take: 1 },
  officialPost: { select: { text: true, hidden: true } },
  acceptedPost: { select: { text: true, hidden: true } },
} as const satisfies Prisma.TopicSelect

type DocRow = Prisma.TopicGetPayload<{ select: typeof DOC_SELECT }>

function clip(text: string, max: number) {
  return text.length <= max ? text : text.slice(0, max)
}

export function topicDocument(row: DocRow): SearchDoc {
  const kind = row.forum.kind === 'EXPERTS' ? 'question' : 'topic'
  const first = row.posts[0]
  const official = row.officialPost && !row.officialPost.hidden ? row.officialPost : null
  const accepted = row.acceptedPost && !row.acceptedPost.hidden ? row.acceptedPost : null
  const answer = official ?? accepted
  return {
    id: docId(kind, row.id),
    kind,
    sourceId: String(row.id),
    url: `/cabinet/topics/${row.id}`,
    title: row.title,
    question: first && !first.hidden ? clip(first.text, QUESTION_MAX) : '',
    answer: answer ? clip(answer.text, ANSWER_MAX) : '',
    official: official !== null,
    study: row.forum.study,
    subject: row.expertSubject?.subject ?? null,
    grade: row.expertSubject?.grade ?? null,
    task: row.taskNumber,
    year: row.year,
    visibility: 'public',
    orgIds: [],
    updatedAt: row.updatedAt > row.lastPostAt ? row.updatedAt : row.lastPostAt,
  }
}

function source(forumKind: 'EXPERTS' | 'SUPPORT'): DocumentSource {
  const where: Prisma.TopicWhereInput = { hidden: false, mergedIntoId: null, forum: { kind: forumKind } }
  return {
    async load(sourceIds) {
      const ids = sourceIds.map(Number).filter((n) => Number.isInteger(n) && n > 0 && n <= 2_147_483_647)
      if (ids.length === 0) return new Map()
      const rows = await prisma.topic.findMany({ where: { ...where, id: { in: ids } }, select: DOC_SELECT })
      return new Map(rows.map((r) => [String(r.id), topicDocument(r)]))
    },
    async *all(batchSize) {
      let cursor: number | undefined
      for (;;) {
        const rows = await prisma.topic.findMany({
          where,
          orderBy: { id: 'asc' },
          ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
          take: batchSize,
          select: DOC_SELECT,
        })
        if (rows.length === 0) break
        cursor = rows[rows.length - 1].id
        yield rows.map(topicDocument)
      }
    },
    count: () => prisma.topic.count({ where }),
  }
}

registerDocumentSource('question', source('EXPERTS'))
registerDocumentSource('topic', source('SUPPORT'))

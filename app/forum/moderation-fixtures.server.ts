// Test helpers of claims.test.ts and moderation.test.ts: the people of the
// forum (ФИОКО, support, a school's teachers) and topics written straight into
// the database with content rendered by the content module, so that those
// tests control status, dates and placement exactly.
import { prisma } from '~/utils/db.server'
import { actorFor, createRegionTree, createUser } from '../../tests/setup/fixtures.ts'
import { checkEditorState, contentFromText, uploadUrl, type LexicalEditorState } from './content'
import { plainTextOf, renderContent } from './content.server'
import type { TopicStatusName } from './types'

export async function forumPeople() {
  const fioko = await prisma.organization.create({ data: { kind: 'FEDERAL', login: 'fioko-test', name: 'ФГБУ «ФИОКО»' } })
  const tree = await createRegionTree({ municipalities: 1, schoolsPer: 1, colleges: 0 })
  const school = tree.municipalities[0].schools[0]
  const make = async (login: string, orgId: number, role: 'ADMIN' | 'FIOKO_SPECIALIST' | 'SUPPORT_AGENT' | 'TEACHER_EXPERT' | 'SCHOOL_COORDINATOR') => {
    await createUser({ orgId, role, login })
    return actorFor(login)
  }
  return {
    admin: await make('admin-t', fioko.id, 'ADMIN'),
    spec1: await make('spec1', fioko.id, 'FIOKO_SPECIALIST'),
    spec2: await make('spec2', fioko.id, 'FIOKO_SPECIALIST'),
    agent: await make('agent1', fioko.id, 'SUPPORT_AGENT'),
    teacher: await make('teacher1', school.id, 'TEACHER_EXPERT'),
    teacher2: await make('teacher2', school.id, 'TEACHER_EXPERT'),
    coordinator: await make('coord1', school.id, 'SCHOOL_COORDINATOR'),
  }
}

export async function forumBySlug(slug: string) {
  return prisma.forum.findUniqueOrThrow({ where: { slug }, include: { sections: { orderBy: { position: 'asc' } } } })
}

export async function subject(name: string, grade: number) {
  return prisma.expertSubject.findUniqueOrThrow({ where: { subject_grade: { subject: name, grade } } })
}

/** Editor state, HTML and text of a body, optionally with one of our uploads shown in it. */
export function body(text: string, imageUploadId?: string) {
  const state: LexicalEditorState = contentFromText(text)
  if (imageUploadId) {
    const para = state.root.children[0] as { children: unknown[] }
    para.children.push({ type: 'image', src: uploadUrl(imageUploadId), altText: 'скриншот', width: 10, height: 10, version: 1 })
  }
  const checked = checkEditorState(state)
  if (checked.status !== 'success') throw new Error(checked.message)
  return { content: checked.state as object, html: renderContent(checked.state), text: plainTextOf(checked.state) }
}

let counter = 0

export interface TopicSpec {
  authorId: number
  /** Forum slug: "experts" (default) or a support forum such as "vpr". */
  forum?: string
  title?: string
  text?: string
  expertSubjectId?: number
  sectionId?: number
  taskNumber?: string
  status?: TopicStatusName
  createdAt?: Date
  hidden?: boolean
  /** Replies after the question, in order. */
  replies?: { authorId: number; text: string; official?: boolean }[]
}

/** A topic with its first post (and replies), the asker subscribed, as askQuestion and reply leave it. */
export async function makeTopic(spec: TopicSpec) {
  const n = ++counter
  const forum = await forumBySlug(spec.forum ?? 'experts')
  const experts = forum.kind === 'EXPERTS'
  const expertSubjectId = experts ? (spec.expertSubjectId ?? (await subject('Математика', 5)).id) : null
  const sectionId = experts ? null : (spec.sectionId ?? forum.sections[0].id)
  const createdAt = spec.createdAt ?? new Date()
  const topic = await prisma.topic.create({
    data: {
      forumId: forum.id,
      sectionId,
      expertSubjectId,
      taskNumber: experts ? (spec.taskNumber ?? '5') : null,
      title: spec.title ?? `Как оценить задание, вопрос ${n}`,
      authorId: spec.authorId,
      status: spec.status ?? 'OPEN',
      hidden: spec.hidden ?? false,
      createdAt,
      lastPostAt: createdAt,
    },
  })
  const first = await prisma.post.create({ data: { topicId: topic.id, authorId: spec.authorId, isFirst: true, createdAt, ...body(spec.text ?? `Текст вопроса ${n}`) } })
  await prisma.topicSubscription.create({ data: { topicId: topic.id, userId: spec.authorId } })
  const replies = []
  for (const r of spec.replies ?? []) {
    const post = await prisma.post.create({ data: { topicId: topic.id, authorId: r.authorId, official: r.official ?? false, ...body(r.text) } })
    replies.push(post)
    await prisma.topic.update({
      where: { id: topic.id },
      data: { replyCount: { increment: 1 }, lastPostAt: post.createdAt, ...(r.official ? { officialPostId: post.id, status: 'RESOLVED' } : {}) },
    })
  }
  return { ...(await prisma.topic.findUniqueOrThrow({ where: { id: topic.id } })), first, replies }
}

/** Events recorded for a topic's rooms since the test began, oldest first. */
export function eventsOfType(type: string) {
  return prisma.forumEvent.findMany({ where: { type }, orderBy: { id: 'asc' } })
}

// The people and places of the forum tests: a school with teachers, ФИОКО with
// a specialist, a support agent and an administrator, the experts forum and a
// support forum as the migration created them, and short ways to ask and
// reply with plain-text bodies.
import { contentFromText } from '~/forum/content'
import { askQuestion } from '~/forum/topics.server'
import { reply } from '~/forum/posts.server'
import type { Role } from '~/generated/prisma/enums'
import { prisma } from '~/utils/db.server'
import { actorFor, createRegionTree, createUser } from './fixtures'

export type ForumPerson = Awaited<ReturnType<typeof person>>

async function person(orgId: number, role: Role, login: string) {
  const user = await createUser({ orgId, role, login, password: null })
  const actor = await actorFor(user.login)
  return { ...actor, fullName: user.fullName }
}

let federalCounter = 1

/** Three teachers of two schools, a ФИОКО specialist, a support agent, an administrator. */
export async function forumPeople() {
  const tree = await createRegionTree({ municipalities: 1, schoolsPer: 2, colleges: 0 })
  const [s1, s2] = tree.municipalities[0].schools
  const n = federalCounter++
  const fioko = await prisma.organization.create({ data: { kind: 'FEDERAL', login: `fioko-test-${n}`, name: 'ФГБУ «ФИОКО»' } })
  return {
    teacher: await person(s1.id, 'TEACHER_EXPERT', `t${n}a.${s1.login}`),
    teacher2: await person(s1.id, 'TEACHER_EXPERT', `t${n}b.${s1.login}`),
    teacher3: await person(s2.id, 'TEACHER_EXPERT', `t${n}c.${s2.login}`),
    specialist: await person(fioko.id, 'FIOKO_SPECIALIST', `spec${n}`),
    agent: await person(fioko.id, 'SUPPORT_AGENT', `agent${n}`),
    admin: await person(fioko.id, 'ADMIN', `admin${n}`),
  }
}

export async function forumPlaces() {
  const experts = await prisma.forum.findUniqueOrThrow({ where: { slug: 'experts' } })
  const vpr = await prisma.forum.findUniqueOrThrow({ where: { slug: 'vpr' } })
  const math5 = await prisma.expertSubject.findUniqueOrThrow({ where: { subject_grade: { subject: 'Математика', grade: 5 } } })
  const russian4 = await prisma.expertSubject.findUniqueOrThrow({ where: { subject_grade: { subject: 'Русский язык', grade: 4 } } })
  const vprSection = await prisma.forumSection.findFirstOrThrow({ where: { forumId: vpr.id }, orderBy: { position: 'asc' } })
  const nikoSection = await prisma.forumSection.findFirstOrThrow({ where: { forum: { slug: 'niko' } }, orderBy: { position: 'asc' } })
  return { experts, vpr, math5, russian4, vprSection, nikoSection }
}

/** The editor state of a plain text, as the form's hidden input sends it. */
export function body(text: string) {
  return JSON.stringify(contentFromText(text))
}

let questionCounter = 1

/** Asks an experts-forum question (Математика, 5 класс, задание 5 unless told) and returns its id. */
export async function askExperts(
  actor: { id: number; login: string; role: Role },
  overrides: { title?: string; text?: string; expertSubjectId?: number; taskNumber?: string; year?: number } = {},
) {
  const places = await forumPlaces()
  const result = await askQuestion(actor, {
    forum: 'experts',
    expertSubjectId: overrides.expertSubjectId ?? places.math5.id,
    taskNumber: overrides.taskNumber ?? '5',
    year: overrides.year,
    title: overrides.title ?? `Как оценить задание 5, случай ${questionCounter++}`,
    content: body(overrides.text ?? 'Ученик записал ответ без единиц измерения. Ставить ли балл?'),
  })
  if (result.status !== 'success') throw new Error(`askExperts failed: ${result.message}`)
  return result.topicId
}

/** Asks in the ВПР support forum's first section. */
export async function askSupport(actor: { id: number; login: string; role: Role }, overrides: { title?: string; text?: string } = {}) {
  const places = await forumPlaces()
  const result = await askQuestion(actor, {
    forum: 'vpr',
    sectionId: places.vprSection.id,
    title: overrides.title ?? `Не загружается форма сбора результатов ${questionCounter++}`,
    content: body(overrides.text ?? 'При загрузке формы появляется ошибка «Неверный формат файла».'),
  })
  if (result.status !== 'success') throw new Error(`askSupport failed: ${result.message}`)
  return result.topicId
}

export async function replyText(actor: { id: number; login: string; role: Role }, topicId: number, text: string, replyToId?: number) {
  const result = await reply(actor, topicId, { content: body(text), replyToId })
  if (result.status !== 'success') throw new Error(`reply failed: ${result.message}`)
  return result.postId
}

/** Counts of the rows a refused request must not leave behind. */
export async function forumRowCounts() {
  const [topics, posts, events, outbox, notifications, revisions, subscriptions] = await Promise.all([
    prisma.topic.count(),
    prisma.post.count(),
    prisma.forumEvent.count(),
    prisma.searchOutbox.count(),
    prisma.notification.count(),
    prisma.postRevision.count(),
    prisma.topicSubscription.count(),
  ])
  return { topics, posts, events, outbox, notifications, revisions, subscriptions }
}

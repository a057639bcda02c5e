// Forums, their sections (support forums) and the ВПР catalogue (the experts
// forum's subjects by grade), and the topic lists. Every signed-in person reads
// the forums; hidden topics are listed to moderators only; merged duplicates
// are left out of lists (their canonical question stands for them).
import { canAdministerForums, canModerate } from './permissions'
import { forbidden, notFound, type Failure, type ForumActor } from './change.server'
import { latestEventId } from './events.server'
import { forumRooms } from './rooms'
import { ExpertSubjectInput, SectionInput, TopicListQuery } from './schemas'
import type { ExpertSubjectSummary, ForumSummary, SectionSummary, TopicListItem } from './types'
import { TOPIC_LIST_SELECT, topicListItem } from './views.server'
import { prisma, type Prisma } from '~/utils/db.server'

export const TOPIC_PAGE_SIZE = 30

/** Topics counted in lists: not hidden, not merged into another. */
const LISTED: Prisma.TopicWhereInput = { hidden: false, mergedIntoId: null }

const FORUM_SELECT = { id: true, slug: true, kind: true, study: true, title: true, description: true } as const

export async function listForums(): Promise<ForumSummary[]> {
  const [forums, counts] = await Promise.all([
    prisma.forum.findMany({ orderBy: [{ position: 'asc' }, { id: 'asc' }], select: FORUM_SELECT }),
    prisma.topic.groupBy({ by: ['forumId'], where: LISTED, _count: { _all: true } }),
  ])
  const byForum = new Map(counts.map((c) => [c.forumId, c._count._all]))
  return forums.map((f) => ({ ...f, topicCount: byForum.get(f.id) ?? 0 }))
}

/** A forum with its sections (support) or its catalogue of subjects (experts); 404 if unknown. */
export async function getForum(slug: string): Promise<{ forum: ForumSummary; sections: SectionSummary[]; subjects: ExpertSubjectSummary[] }> {
  const forum = await prisma.forum.findUnique({ where: { slug }, select: FORUM_SELECT })
  if (!forum) throw notFound('Форум не найден.')
  if (forum.kind === 'SUPPORT') {
    const [sections, stats] = await Promise.all([
      prisma.forumSection.findMany({ where: { forumId: forum.id }, orderBy: [{ position: 'asc' }, { id: 'asc' }] }),
      prisma.topic.groupBy({ by: ['sectionId'], where: { ...LISTED, forumId: forum.id }, _count: { _all: true }, _max: { lastPostAt: true } }),
    ])
    const bySection = new Map(stats.map((s) => [s.sectionId, s]))
    const total = stats.reduce((n, s) => n + s._count._all, 0)
    return {
      forum: { ...forum, topicCount: total },
      sections: sections.map((s) => ({
        id: s.id,
        forumId: s.forumId,
        title: s.title,
        description: s.description,
        position: s.position,
        archived: s.archived,
        topicCount: bySection.get(s.id)?._count._all ?? 0,
        lastPostAt: bySection.get(s.id)?._max.lastPostAt?.toISOString() ?? null,
      })),
      subjects: [],
    }
  }
  const [subjects, all, open] = await Promise.all([
    prisma.expertSubject.findMany({ orderBy: [{ grade: 'asc' }, { position: 'asc' }, { id: 'asc' }] }),
    prisma.topic.groupBy({ by: ['expertSubjectId'], where: { ...LISTED, forumId: forum.id }, _count: { _all: true } }),
    prisma.topic.groupBy({ by: ['expertSubjectId'], where: { ...LISTED, forumId: forum.id, status: 'OPEN' }, _count: { _all: true } }),
  ])
  const allBy = new Map(all.map((s) => [s.expertSubjectId, s._count._all]))
  const openBy = new Map(open.map((s) => [s.expertSubjectId, s._count._all]))
  return {
    forum: { ...forum, topicCount: all.reduce((n, s) => n + s._count._all, 0) },
    sections: [],
    subjects: subjects.map((s) => ({
      id: s.id,
      subject: s.subject,
      grade: s.grade,
      taskCount: s.taskCount,
      position: s.position,
      archived: s.archived,
      topicCount: allBy.get(s.id) ?? 0,
      openCount: openBy.get(s.id) ?? 0,
    })),
  }
}

export interface TopicListOptions {
  forumId: number
  sectionId?: number
  expertSubjectId?: number
  taskNumber?: string
  status?: TopicListQuery['status']
  page?: number
}

/**
 * One page of a forum's topics, pinned first, then by last activity, with the
 * room the page should join for live updates and the newest event id of it.
 */
export async function listTopics(
  actor: ForumActor,
  options: TopicListOptions,
): Promise<{ topics: TopicListItem[]; total: number; pageSize: number; lastEventId: string; room: string }> {
  const forum = await prisma.forum.findUnique({ where: { id: options.forumId }, select: { id: true, kind: true } })
  if (!forum) throw notFound('Форум не найден.')
  const filters = TopicListQuery.parse({ ...options, page: options.page ?? 1 })
  const where: Prisma.TopicWhereInput = {
    forumId: forum.id,
    mergedIntoId: null,
    ...(canModerate(actor, forum.kind) ? {} : { hidden: false }),
    ...(filters.sectionId ? { sectionId: filters.sectionId } : {}),
    ...(filters.expertSubjectId ? { expertSubjectId: filters.expertSubjectId } : {}),
    ...(filters.taskNumber ? { taskNumber: filters.taskNumber } : {}),
    ...(filters.status ? { status: filters.status } : {}),
  }
  const room = filters.expertSubjectId
    ? forumRooms.subject(filters.expertSubjectId)
    : filters.sectionId
      ? forumRooms.section(filters.sectionId)
      : forumRooms.forum(forum.id)
  // The event id is read first: an event written while the list is read is
  // then replayed to the page rather than lost.
  const lastEventId = await latestEventId(room)
  const [rows, total] = await Promise.all([
    prisma.topic.findMany({
      where,
      orderBy: [{ pinned: 'desc' }, { lastPostAt: 'desc' }, { id: 'desc' }],
      skip: (filters.page - 1) * TOPIC_PAGE_SIZE,
      take: TOPIC_PAGE_SIZE,
      select: TOPIC_LIST_SELECT,
    }),
    prisma.topic.count({ where }),
  ])
  const now = new Date()
  return { topics: rows.map((r) => topicListItem(r, now)), total, pageSize: TOPIC_PAGE_SIZE, lastEventId, room }
}

// ─── Administration: sections and the ВПР catalogue ───────────────────────────

function requireAdmin(actor: ForumActor) {
  if (!canAdministerForums(actor)) throw forbidden('Разделы форумов и каталог предметов меняют только администраторы.')
}

function invalid(error: import('zod').ZodError): Failure {
  return { status: 'error', message: error.issues[0]?.message ?? 'Проверьте введённые данные.', fieldErrors: error.flatten().fieldErrors as Record<string, string[]> }
}

/** Creates (no id) or renames/moves (id) a section of a support forum. */
export async function saveSection(actor: ForumActor, input: unknown): Promise<{ status: 'success'; sectionId: number } | Failure> {
  requireAdmin(actor)
  const parsed = SectionInput.safeParse(input)
  if (!parsed.success) return invalid(parsed.error)
  const { id, forumId, title, description, position } = parsed.data
  const forum = await prisma.forum.findUnique({ where: { id: forumId }, select: { kind: true } })
  if (!forum) return { status: 'error', message: 'Форум не найден.' }
  if (forum.kind !== 'SUPPORT') return { status: 'error', message: 'У форума экспертов нет разделов: он устроен по предметам и классам.' }
  if (id) {
    const existing = await prisma.forumSection.findUnique({ where: { id }, select: { forumId: true } })
    if (!existing || existing.forumId !== forumId) return { status: 'error', message: 'Раздел не найден.' }
    await prisma.forumSection.update({ where: { id }, data: { title, description: description ?? null, ...(position !== undefined ? { position } : {}) } })
    return { status: 'success', sectionId: id }
  }
  const last = await prisma.forumSection.aggregate({ where: { forumId }, _max: { position: true } })
  const created = await prisma.forumSection.create({
    data: { forumId, title, description: description ?? null, position: position ?? (last._max.position ?? -1) + 1 },
  })
  return { status: 'success', sectionId: created.id }
}

/** Archived sections keep their topics (readable) but take no new ones. */
export async function archiveSection(actor: ForumActor, sectionId: number, archived = true): Promise<{ status: 'success' } | Failure> {
  requireAdmin(actor)
  const { count } = await prisma.forumSection.updateMany({ where: { id: sectionId }, data: { archived } })
  return count ? { status: 'success' } : { status: 'error', message: 'Раздел не найден.' }
}

export async function saveExpertSubject(actor: ForumActor, input: unknown): Promise<{ status: 'success'; expertSubjectId: number } | Failure> {
  requireAdmin(actor)
  const parsed = ExpertSubjectInput.safeParse(input)
  if (!parsed.success) return invalid(parsed.error)
  const { id, subject, grade, taskCount, position } = parsed.data
  const clash = await prisma.expertSubject.findUnique({ where: { subject_grade: { subject, grade } }, select: { id: true } })
  if (clash && clash.id !== id) return { status: 'error', message: `Предмет «${subject}» в ${grade} классе уже есть в каталоге.` }
  if (id) {
    const existing = await prisma.expertSubject.findUnique({ where: { id }, select: { id: true } })
    if (!existing) return { status: 'error', message: 'Предмет не найден.' }
    await prisma.expertSubject.update({ where: { id }, data: { subject, grade, taskCount: taskCount ?? null, ...(position !== undefined ? { position } : {}) } })
    return { status: 'success', expertSubjectId: id }
  }
  const last = await prisma.expertSubject.aggregate({ where: { grade }, _max: { position: true } })
  const created = await prisma.expertSubject.create({
    data: { subject, grade, taskCount: taskCount ?? null, position: position ?? (last._max.position ?? -1) + 1 },
  })
  return { status: 'success', expertSubjectId: created.id }
}

/** Archived subjects keep their questions (readable, searchable) but take no new ones. */
export async function archiveExpertSubject(actor: ForumActor, expertSubjectId: number, archived = true): Promise<{ status: 'success' } | Failure> {
  requireAdmin(actor)
  const { count } = await prisma.expertSubject.updateMany({ where: { id: expertSubjectId }, data: { archived } })
  return count ? { status: 'success' } : { status: 'error', message: 'Предмет не найден.' }
}

/**
 * What the experts front page must know to keep its counts live from events
 * that carry a topic's new state only: the listed questions without an
 * answer, as [id, expertSubjectId], and the hidden ones (both few; every
 * other question of the forum is listed and answered).
 */
export async function catalogueTopics(forumId: number): Promise<{ openTopics: [number, number][]; hiddenTopics: number[] }> {
  const [open, hidden] = await Promise.all([
    prisma.topic.findMany({ where: { ...LISTED, forumId, status: 'OPEN', expertSubjectId: { not: null } }, select: { id: true, expertSubjectId: true } }),
    prisma.topic.findMany({ where: { forumId, hidden: true, mergedIntoId: null }, select: { id: true } }),
  ])
  return { openTopics: open.map((t) => [t.id, t.expertSubjectId!]), hiddenTopics: hidden.map((t) => t.id) }
}

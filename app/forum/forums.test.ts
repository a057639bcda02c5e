// Forums, sections and the ВПР catalogue: what the migration created, counts
// that leave hidden and merged topics out, and administration (admins only,
// Russian messages, archived places take no new questions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { stopSearchDrain } from '~/search/outbox.server'
import { thrownResponse } from '../../tests/setup/fixtures'
import { askExperts, askSupport, body, forumPeople, forumPlaces, type ForumPerson } from '../../tests/setup/forum'
import { archiveExpertSubject, archiveSection, getForum, listForums, saveExpertSubject, saveSection } from './forums.server'
import { askQuestion } from './topics.server'
import { closeForumSql } from './sql.server'

let teacher: ForumPerson
let specialist: ForumPerson
let admin: ForumPerson

beforeAll(async () => {
  ;({ teacher, specialist, admin } = await forumPeople())
})

afterAll(async () => {
  await stopSearchDrain()
  await closeForumSql()
})

describe('forums', () => {
  it('lists the nine forums with topic counts that leave hidden and merged topics out', async () => {
    const a = await askSupport(teacher)
    const b = await askSupport(teacher)
    await askSupport(teacher)
    await prisma.topic.update({ where: { id: a }, data: { hidden: true } })
    await prisma.topic.update({ where: { id: b }, data: { mergedIntoId: a } })
    const forums = await listForums()
    expect(forums.map((f) => f.slug)).toEqual(['experts', 'vpr', 'vpr-spo', 'niko', 'msi', 'iku', 'fgkko', '500plus', 'mum'])
    expect(forums.find((f) => f.slug === 'vpr')).toMatchObject({ kind: 'SUPPORT', study: 'ВПР', topicCount: 1 })

    const vpr = await getForum('vpr')
    expect(vpr.sections.map((s) => s.title)).toEqual(['Общие вопросы', 'Обмен данными', 'Аналитика', 'Доступ к личному кабинету'])
    expect(vpr.sections[0]).toMatchObject({ topicCount: 1, archived: false })
    expect(vpr.sections[0].lastPostAt).toEqual(expect.any(String))
    expect(vpr.subjects).toEqual([])
    expect((await thrownResponse(() => getForum('nope'))).status).toBe(404)
  })

  it('gives the experts forum its catalogue by grade with open counts', async () => {
    await askExperts(teacher)
    const experts = await getForum('experts')
    expect(experts.sections).toEqual([])
    expect(experts.subjects.length).toBeGreaterThan(40)
    expect(experts.subjects[0].grade).toBe(4)
    expect(experts.subjects.find((s) => s.subject === 'Математика' && s.grade === 5)).toMatchObject({ topicCount: 1, openCount: 1 })
  })
})

describe('administration', () => {
  it('lets only administrators manage sections; an archived section takes no new topics', async () => {
    const { vpr } = await forumPlaces()
    expect((await thrownResponse(() => saveSection(specialist, { forumId: vpr.id, title: 'Новый раздел' }))).status).toBe(403)
    expect(await saveSection(admin, { forumId: vpr.id, title: 'Н' })).toMatchObject({ status: 'error', fieldErrors: { title: expect.any(Array) } })
    const experts = await prisma.forum.findUniqueOrThrow({ where: { slug: 'experts' } })
    expect(await saveSection(admin, { forumId: experts.id, title: 'Раздел экспертов' })).toMatchObject({ status: 'error', message: expect.stringMatching(/по предметам/) })

    const created = await saveSection(admin, { forumId: String(vpr.id), title: '  Сроки   проведения ', description: 'Графики ВПР' })
    expect(created.status).toBe('success')
    if (created.status !== 'success') return
    expect(await prisma.forumSection.findUniqueOrThrow({ where: { id: created.sectionId } })).toMatchObject({ title: 'Сроки проведения', position: 4 })
    expect(await saveSection(admin, { id: created.sectionId, forumId: vpr.id, title: 'Сроки', position: 0 })).toMatchObject({ status: 'success' })
    expect((await thrownResponse(() => archiveSection(teacher, created.sectionId))).status).toBe(403)
    expect(await archiveSection(admin, created.sectionId)).toEqual({ status: 'success' })
    const asked = await askQuestion(teacher, { forum: 'vpr', sectionId: created.sectionId, title: 'Вопрос в архивный раздел', content: body('Текст') })
    expect(asked).toMatchObject({ status: 'error', message: expect.stringMatching(/архиве/) })
    expect((await getForum('vpr')).sections.find((s) => s.id === created.sectionId)).toMatchObject({ title: 'Сроки', archived: true, position: 0 })
  })

  it('edits the ВПР catalogue: unique subject per grade, task count checked when asking, archive', async () => {
    expect((await thrownResponse(() => saveExpertSubject(teacher, { subject: 'Химия', grade: 9 }))).status).toBe(403)
    expect(await saveExpertSubject(admin, { subject: 'Математика', grade: 5 })).toMatchObject({ status: 'error', message: expect.stringMatching(/уже есть/) })
    expect(await saveExpertSubject(admin, { subject: 'Химия', grade: 12 })).toMatchObject({ status: 'error', fieldErrors: { grade: expect.any(Array) } })
    const saved = await saveExpertSubject(admin, { subject: 'Химия', grade: '9', taskCount: '12' })
    expect(saved.status).toBe('success')
    if (saved.status !== 'success') return
    const base = { forum: 'experts', expertSubjectId: saved.expertSubjectId, title: 'Вопрос по химии в девятом классе', content: body('Текст') }
    expect(await askQuestion(teacher, { ...base, taskNumber: '13' })).toMatchObject({ status: 'error', message: 'В этой работе задания с 1 по 12.' })
    expect(await askQuestion(teacher, { ...base, taskNumber: '12.2' })).toMatchObject({ status: 'success' })
    expect(await archiveExpertSubject(admin, saved.expertSubjectId)).toEqual({ status: 'success' })
    expect(await askQuestion(teacher, { ...base, taskNumber: '1' })).toMatchObject({ status: 'error', message: expect.stringMatching(/убран из каталога/) })
    expect(await archiveExpertSubject(admin, 999_999)).toMatchObject({ status: 'error' })
  })
})

// The forum's search documents through the real outbox and the PostgreSQL
// engine: a question is findable once the outbox is drained, carries its
// official (else accepted) answer, and leaves the index when hidden or merged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { drainSearchOutbox, stopSearchDrain } from '~/search/outbox.server'
import { closeSearchEngine, searchDocuments } from '~/search/search.server'
import { enqueueIndex } from '~/search/documents.server'
import { askExperts, askSupport, forumPeople, replyText, type ForumPerson } from '../../tests/setup/forum'
import { setAccepted, setOfficial } from './posts.server'
import { closeForumSql } from './sql.server'

let teacher: ForumPerson
let teacher2: ForumPerson
let specialist: ForumPerson
let agent: ForumPerson

beforeAll(async () => {
  ;({ teacher, teacher2, specialist, agent } = await forumPeople())
})

afterAll(async () => {
  await stopSearchDrain()
  await closeSearchEngine()
  await closeForumSql()
})

const find = (q: string, filters = {}) => searchDocuments(teacher, { q, filters })

describe('question documents', () => {
  it('makes an asked question findable after the drain, with its tags', async () => {
    const id = await askExperts(teacher, {
      title: 'Засчитывать ли ответ без единиц измерения в задании 7',
      text: 'Ученик вычислил площадь участка верно, но не написал квадратные метры.',
      taskNumber: '7',
      year: 2025,
    })
    expect((await find('квадратные метры ')).total).toBe(0)
    await drainSearchOutbox()
    const result = await find('площадь участка квадратных метров ')
    expect(result.hits.map((h) => h.id)).toEqual([`question:${id}`])
    expect(result.hits[0]).toMatchObject({ kind: 'question', url: `/cabinet/topics/${id}`, official: false, study: 'ВПР', subject: 'Математика', grade: 5, task: '7', year: 2025 })
    expect((await find('единиц измерения', { subject: 'Математика', grade: 5, task: '7' })).hits.map((h) => h.sourceId)).toContain(String(id))
  })

  it('carries the official answer (over the accepted one) and the official flag; unmarking takes them back', async () => {
    const id = await askExperts(teacher, { title: 'Как оценивать вычислительную ошибку в задании 9', text: 'Ход решения верный, одна арифметическая ошибка.' })
    const accepted = await replyText(teacher2, id, 'Я бы снимал балл за арифметику — так делают в нашей гимназии.')
    const official = await replyText(specialist, id, 'Согласно критериям, при одной вычислительной ошибке выставляется 1 балл из 2.')
    await setAccepted(teacher, accepted, true)
    await drainSearchOutbox()
    expect((await find('гимназии ')).hits.map((h) => h.sourceId)).toEqual([String(id)])

    await setOfficial(specialist, official, true)
    await drainSearchOutbox()
    const hit = (await find('вычислительной ошибке выставляется ', { officialOnly: true })).hits
    expect(hit.map((h) => h.sourceId)).toEqual([String(id)])
    expect(hit[0].official).toBe(true)
    expect((await find('гимназии ')).total).toBe(0)

    await setOfficial(specialist, official, false)
    await drainSearchOutbox()
    expect((await find('вычислительной ошибке выставляется ', { officialOnly: true })).total).toBe(0)
  })

  it('removes hidden and merged questions and indexes support topics as topics', async () => {
    const hidden = await askExperts(teacher, { title: 'Вопрос про орфограммы в диктанте', text: 'Сколько ошибок допустимо в диктанте на отметку четыре?' })
    const support = await askSupport(teacher, { title: 'Не открывается личный кабинет ОО', text: 'После смены пароля личный кабинет школы выдаёт ошибку входа.' })
    await drainSearchOutbox()
    expect((await find('диктанте ')).hits.map((h) => h.sourceId)).toEqual([String(hidden)])
    const topicHit = (await find('смены пароля ')).hits
    expect(topicHit.map((h) => h.id)).toEqual([`topic:${support}`])
    expect(topicHit[0]).toMatchObject({ kind: 'topic', study: 'ВПР', subject: null })

    // Moderation (another module) hides it and enqueues the document in its transaction.
    await prisma.$transaction(async (tx) => {
      await tx.topic.update({ where: { id: hidden }, data: { hidden: true } })
      await enqueueIndex(tx, 'question', hidden)
    })
    const merged = await askExperts(teacher, { title: 'Ещё один вопрос про диктант', text: 'Как считать ошибки в диктанте?' })
    await drainSearchOutbox()
    expect((await find('диктанте ')).hits.map((h) => h.sourceId)).toEqual([String(merged)])
    await prisma.$transaction(async (tx) => {
      await tx.topic.update({ where: { id: merged }, data: { mergedIntoId: support } })
      await enqueueIndex(tx, 'question', merged)
    })
    await drainSearchOutbox()
    expect((await find('диктанте ')).total).toBe(0)
    expect((await searchDocuments(agent, { q: 'диктанте ' })).total).toBe(0)
  })
})

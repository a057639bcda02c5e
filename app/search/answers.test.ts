// The answer bank end to end on the test database: import (good rows in, bad
// rows reported with line numbers, idempotent), the outbox drained into the
// engine, freshness after a change, visibility, and the /api/search and page
// loaders with hostile input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { actorFor, createRegionTree, createUser, signedInRequest, thrownResponse, type Actor } from '../../tests/setup/fixtures'
import { loader as apiLoader } from '~/routes/api.search'
import { loader as answerLoader } from '~/routes/cabinet.answers.$id'
import { loader as bankLoader } from '~/routes/cabinet.answers._index'
import { deleteReadyAnswer, importReadyAnswers, parseCsv, parseImportFile, parseJsonl, setOfficial } from './answers.server'
import { drainSearchOutbox, replayOutboxSince, stopSearchDrain } from './outbox.server'
import { closeSearchEngine, searchDocuments } from './search.server'
import { reindexSearch } from './reindex.server'

const CSV = [
  'externalId;study;subject;grade;task;year;question;answer;official;visibility',
  '1;ВПР;математика;4;5;2025;Обязательно ли указывать единицы измерения в задании 5?;"Нет, если это не требуется условием; ""см"" можно не писать.";да;',
  '2;ВПР;Русский язык;4;4k1;2025;Как оценивать задание 4К1 по русскому языку?;По критериям: 1 балл за верную основу.;нет;',
  '3;XYZ;Математика;15;5;2025;Вопрос;Ответ;да;',
  '4;ВПР;Математика;4;5;2025;;Ответ без вопроса;;',
  '5;ВПР;Математика;4;abc;2025;Вопрос с плохим номером задания;Ответ;;',
  '6;ВПР;Математика;4;7;2025;"Вопрос, в котором',
  'перенос строки внутри кавычек";Ответ про перенос;нет;agents',
  '1;ВПР;Математика;4;5;2025;Повтор первой записи;Ответ;;',
].join('\n')

type Person = Actor
const CONTEXT = { cspNonce: 'test', clientIp: '203.0.113.7' }
let teacher: Person
let agent: Person

beforeAll(async () => {
  const tree = await createRegionTree({ municipalities: 1, schoolsPer: 1, colleges: 0 })
  teacher = await actorFor((await createUser({ orgId: tree.municipalities[0].schools[0].id, role: 'TEACHER_EXPERT' })).login)
  const fioko = await prisma.organization.create({ data: { kind: 'FEDERAL', login: 'fioko', name: 'ФГБУ «ФИОКО»' } })
  agent = await actorFor((await createUser({ orgId: fioko.id, role: 'SUPPORT_AGENT' })).login)
})

afterAll(async () => {
  await stopSearchDrain()
  await closeSearchEngine()
})

describe('import', () => {
  it('parses CSV with quotes, doubled quotes, new lines in quotes and a BOM', () => {
    const { rows } = parseCsv('\uFEFF' + CSV)
    expect(rows).toHaveLength(7)
    expect(rows[0].values.answer).toBe('Нет, если это не требуется условием; "см" можно не писать.')
    expect(rows[5]).toMatchObject({ line: 7, values: { question: 'Вопрос, в котором\nперенос строки внутри кавычек', visibility: 'agents' } })
    expect(rows[6].line).toBe(9)
  })

  it('loads the good rows, reports the bad ones in Russian with line numbers, and is idempotent', async () => {
    const first = await importReadyAnswers(parseImportFile('faq.csv', CSV).rows, 'region-29')
    expect(first).toMatchObject({ created: 3, updated: 0, unchanged: 0 })
    expect(first.problems.map((p) => p.line)).toEqual([4, 5, 6, 9])
    expect(first.problems[0].message).toMatch(/исследование.*ВПР/)
    expect(first.problems[0].message).toMatch(/класс.*от 1 до 11/)
    expect(first.problems[1].message).toMatch(/«вопрос» не заполнено/)
    expect(first.problems[2].message).toMatch(/номер задания/)
    expect(first.problems[3].message).toMatch(/уже встречался в строке 2/)

    const stored = await prisma.readyAnswer.findMany({ orderBy: { externalId: 'asc' } })
    expect(stored.map((s) => [s.source, s.externalId, s.subject, s.taskNumber, s.official, s.visibility])).toEqual([
      ['region-29', '1', 'Математика', '5', true, 'public'],
      ['region-29', '2', 'Русский язык', '4К1', false, 'public'],
      ['region-29', '6', 'Математика', '7', false, 'agents'],
    ])

    const again = await importReadyAnswers(parseImportFile('faq.csv', CSV).rows, 'region-29')
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3 })
    expect(await prisma.readyAnswer.count()).toBe(3)
  })

  it('reads JSON Lines and reports lines that are not objects', async () => {
    const text = [
      JSON.stringify({ id: 'j1', study: 'НИКО', subject: 'История', grade: 6, question: 'Кто отбирает школы для НИКО?', answer: 'ФИОКО формирует выборку.', official: true }),
      '',
      'не json',
      '[1, 2]',
      JSON.stringify({ id: 'j2', study: 'ВПР', subject: 'История', question: 'Вопрос', answer: '' }),
    ].join('\n')
    const parsed = parseJsonl(text)
    expect(parsed.problems).toEqual([
      { line: 3, message: 'строка не является JSON-объектом' },
      { line: 4, message: 'ожидается JSON-объект с полями записи' },
    ])
    const report = await importReadyAnswers(parsed.rows, 'jsonl')
    expect(report.created).toBe(1)
    expect(report.problems).toEqual([{ line: 5, message: 'поле «ответ» не заполнено' }])
  })
})

describe('outbox and search', () => {
  it('makes imported answers searchable once the outbox is drained', async () => {
    await drainSearchOutbox()
    expect(await prisma.searchOutbox.count({ where: { processedAt: null } })).toBe(0)
    const r = await searchDocuments(teacher, { q: 'еденицы измерения ' })
    expect(r.hits[0]).toMatchObject({ kind: 'answer', official: true, subject: 'Математика', task: '5' })
    expect(r.hits[0].title).toContain('<mark>единицы</mark>')
  })

  it('shows an answer marked official through the outbox within the drain', async () => {
    const row = await prisma.readyAnswer.findFirstOrThrow({ where: { externalId: '2' } })
    const started = Date.now()
    await setOfficial(row.id, true) // commits the change and its outbox row; the drain follows by itself
    let found = false
    while (!found && Date.now() - started < 5000) {
      const r = await searchDocuments(teacher, { q: '4К1', filters: { officialOnly: true } })
      found = r.hits.some((h) => h.sourceId === String(row.id))
      if (!found) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(found).toBe(true)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('keeps agents-only answers from teachers in search and on the answer page', async () => {
    const hidden = await prisma.readyAnswer.findFirstOrThrow({ where: { externalId: '6' } })
    expect((await searchDocuments(teacher, { q: 'перенос строки ' })).hits).toEqual([])
    expect((await searchDocuments(agent, { q: 'перенос строки ' })).hits.map((h) => h.sourceId)).toEqual([String(hidden.id)])
    const denied = await thrownResponse(async () => answerLoader({ request: await signedInRequest(teacher, `http://localhost/cabinet/answers/${hidden.id}`), params: { id: String(hidden.id) }, context: CONTEXT }))
    expect(denied.status).toBe(404)
    const shown = await answerLoader({ request: await signedInRequest(agent, `http://localhost/cabinet/answers/${hidden.id}`), params: { id: String(hidden.id) }, context: CONTEXT })
    expect(shown.status).toBe(200)
    for (const bad of ['abc', '-1', '99999999999', '1e3']) {
      const r = await thrownResponse(async () => answerLoader({ request: await signedInRequest(teacher, `http://localhost/cabinet/answers/${bad}`), params: { id: bad }, context: CONTEXT }))
      expect(r.status).toBe(404)
    }
  })

  it('removes a deleted answer from search', async () => {
    const row = await prisma.readyAnswer.create({
      data: { source: 'manual', externalId: 'del', study: 'ВПР', subject: 'Физика', question: 'Удаляемый вопрос про маятник', answer: 'Ответ про маятник' },
    })
    await prisma.searchOutbox.create({ data: { kind: 'answer', sourceId: String(row.id) } })
    await drainSearchOutbox()
    expect((await searchDocuments(teacher, { q: 'маятник ' })).total).toBe(1)
    await deleteReadyAnswer(row.id)
    await drainSearchOutbox()
    expect((await searchDocuments(teacher, { q: 'маятник ' })).total).toBe(0)
  })

  it('retries a failing document with backoff and keeps the others going', async () => {
    await prisma.searchOutbox.create({ data: { kind: 'no-such-kind', sourceId: '1' } })
    const result = await drainSearchOutbox()
    expect(result.failed).toBe(1)
    const row = await prisma.searchOutbox.findFirstOrThrow({ where: { kind: 'no-such-kind' } })
    expect(row).toMatchObject({ attempts: 1, processedAt: null })
    expect(row.lastError).toMatch(/no document source/)
    expect(row.availableAt.getTime()).toBeGreaterThan(Date.now() + 3000)
    await prisma.searchOutbox.delete({ where: { id: row.id } })
  })

  it('reindexes from the database and replays changes made meanwhile', async () => {
    const result = await reindexSearch()
    expect(result.documents).toBe(4)
    expect((await searchDocuments(agent, { q: '' })).total).toBe(4)
    expect(await replayOutboxSince(new Date(Date.now() + 120_000))).toBe(0)
  })
})

describe('/api/search and the bank page', () => {
  const api = async (person: Person, query: string) => {
    const res = await apiLoader({ request: await signedInRequest(person, `http://localhost/api/search?${query}`), params: {}, context: CONTEXT })
    return { status: res.status, body: (await res.json()) as { hits: { subject: string | null }[]; facets: Record<string, Record<string, number>>; notices: string[] } }
  }

  it('sends people who are not signed in to the sign-in page', async () => {
    const res = await thrownResponse(() => apiLoader({ request: new Request('http://localhost/api/search?q=балл'), params: {}, context: CONTEXT }))
    expect(res.status).toBe(302)
  })

  it('answers hostile and odd input with results or a Russian notice, never an error', async () => {
    const long = encodeURIComponent('единицы измерения '.repeat(600))
    const cases = [
      'q=',
      `q=${long}`,
      `q=${encodeURIComponent(`"'; DROP TABLE "ReadyAnswer"; -- <script>`)}`,
      'q=балл&grade=abc&year=1700&study=НЕТ&task=%3Cx%3E&official=maybe&kind=forum&page=-5&limit=100000',
      'q=%00%01%02',
    ]
    for (const c of cases) {
      const { status, body } = await api(teacher, c)
      expect(status, c).toBe(200)
      expect(Array.isArray(body.hits), c).toBe(true)
    }
    const { body } = await api(teacher, 'q=балл&grade=abc&study=НЕТ&official=maybe')
    expect(body.notices).toEqual([
      'Фильтр «исследование»: значение «НЕТ» не распознано и не применено.',
      'Фильтр «класс»: значение «abc» не распознано и не применено.',
      'Фильтр «только официальные»: значение «maybe» не распознано и не применено.',
    ])
    expect(await prisma.readyAnswer.count()).toBeGreaterThan(0)
  })

  it('filters with facet counts and finds similar questions for the ask form', async () => {
    const { body } = await api(teacher, 'q=&facets=1&subject=Математика')
    expect(body.facets.subject).toMatchObject({ Математика: 1, 'Русский язык': 1 })
    const similar = await api(teacher, `mode=similar&q=${encodeURIComponent('Ученик не указал единицы измерения в задании 5 — снижать ли балл?')}`)
    expect(similar.body.hits[0]).toMatchObject({ subject: 'Математика', official: true })
  })

  it('renders the bank page with results for a query in the address', async () => {
    const res = await bankLoader({ request: await signedInRequest(teacher, 'http://localhost/cabinet/answers?q=4К1&grade=zz'), params: {}, context: CONTEXT })
    const data = await res.json()
    expect(data.result.hits[0].task).toBe('4К1')
    expect(data.result.notices).toContain('Фильтр «класс»: значение «zz» не распознано и не применено.')
    expect(Object.keys(data.result.facets)).toEqual(expect.arrayContaining(['study', 'subject', 'grade', 'task', 'year', 'official']))
  })
})

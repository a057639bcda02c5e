// The desk's «Готовые ответы» panel: /api/search with text=1 hands each hit's
// answer text (and whether its link may go to a requester), for agents also
// the agents-only answers; a teacher never gets those, not even a document
// hidden after it was indexed. And what one click puts into the reply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { actorFor, createRegionTree, createUser, signedInRequest, type Actor } from '../../tests/setup/fixtures'
import { loader as apiLoader } from '~/routes/api.search'
import { importReadyAnswers } from './answers.server'
import { appendToReply, insertionText, officialFirst, seedQuery } from './desk-bank'
import { drainSearchOutbox, stopSearchDrain } from './outbox.server'
import { closeSearchEngine } from './search.server'

const CONTEXT = { cspNonce: 'test', clientIp: '203.0.113.7' }
const REPLACE = 'Откройте публикацию в разделе «Обмен данными», нажмите «Заменить файл» и выберите исправленную форму.'
const INTERNAL = 'Внутреннее: при замене файла после закрытия окна загрузки откройте окно вручную в админке.'
let teacher: Actor
let agent: Actor

interface Hit {
  id: string
  sourceId: string
  url: string
  official: boolean
  text: string | null
  shareable: boolean
}

async function api(person: Actor, query: string) {
  const res = await apiLoader({ request: await signedInRequest(person, `http://localhost/api/search?${query}`), params: {}, context: CONTEXT })
  expect(res.status).toBe(200)
  return ((await res.json()) as unknown as { hits: Hit[] }).hits
}

beforeAll(async () => {
  const tree = await createRegionTree({ municipalities: 1, schoolsPer: 1, colleges: 0 })
  teacher = await actorFor((await createUser({ orgId: tree.municipalities[0].schools[0].id, role: 'SCHOOL_COORDINATOR' })).login)
  const fioko = await prisma.organization.create({ data: { kind: 'FEDERAL', login: 'fioko', name: 'ФГБУ «ФИОКО»' } })
  agent = await actorFor((await createUser({ orgId: fioko.id, role: 'SUPPORT_AGENT' })).login)
  const row = (externalId: string, question: string, answer: string, official: string, visibility: string) => ({
    line: Number(externalId),
    values: { externalId, study: 'ВПР', subject: 'Русский язык', grade: '6', year: '2026', question, answer, official, visibility },
  })
  const report = await importReadyAnswers(
    [
      row('1', 'Как заменить загруженный файл с результатами?', REPLACE, 'да', 'public'),
      row('2', 'Замена загруженного файла после закрытия окна загрузки', INTERNAL, 'нет', 'agents'),
      row('3', 'Как заменить файл протокола проверки?', 'Загрузите протокол заново: прежний заменится.', 'нет', 'public'),
    ],
    'desk-test',
  )
  expect(report.problems).toEqual([])
  await drainSearchOutbox()
})

afterAll(async () => {
  await stopSearchDrain()
  await closeSearchEngine()
})

describe('/api/search?text=1', () => {
  it('gives an agent the answers similar to a ticket with their full text, agents-only ones unlinked', async () => {
    const seed = seedQuery('Как заменить загруженный файл', 'Здравствуйте! Загрузили форму, нашли ошибку в баллах. Как заменить загруженный файл?')
    const hits = await api(agent, `mode=similar&text=1&limit=5&q=${encodeURIComponent(seed)}`)
    const byText = new Map(hits.map((h) => [h.text, h]))
    expect(byText.get(REPLACE)).toMatchObject({ official: true, shareable: true, url: expect.stringMatching(/^\/cabinet\/answers\/\d+$/) })
    expect(byText.get(INTERNAL)).toMatchObject({ official: false, shareable: false })
    expect(officialFirst(hits)[0].text).toBe(REPLACE)
  })

  it('gives a school neither the agents-only answer nor its text', async () => {
    const hits = await api(teacher, `text=1&q=${encodeURIComponent('заменить загруженный файл')}`)
    expect(hits.map((h) => h.text)).toContain(REPLACE)
    expect(hits.map((h) => h.text)).not.toContain(INTERNAL)
  })

  it('does not hand out the text of an answer hidden since it was indexed', async () => {
    const row = await prisma.readyAnswer.findFirstOrThrow({ where: { source: 'desk-test', externalId: '3' } })
    // Changed without an outbox row: the index still has it as public.
    await prisma.readyAnswer.update({ where: { id: row.id }, data: { visibility: 'agents' } })
    const hits = await api(teacher, `text=1&q=${encodeURIComponent('файл протокола')}`)
    const stale = hits.find((h) => h.sourceId === String(row.id))
    expect(stale).toMatchObject({ text: null, shareable: false })
    expect((await api(agent, `text=1&q=${encodeURIComponent('файл протокола')}`)).find((h) => h.sourceId === String(row.id))?.text).toMatch(/^Загрузите протокол/)
  })

  it('leaves the texts out without text=1', async () => {
    const hits = await api(agent, `q=${encodeURIComponent('заменить файл')}`)
    expect(hits.length).toBeGreaterThan(0)
    expect(hits[0]).not.toHaveProperty('text')
  })
})

describe('the insertion', () => {
  const hit = { id: 'answer:7', url: '/cabinet/answers/7', official: true, text: 'Ответ банка.', shareable: true }

  it('adds the answer and a link the requester can open, after what the agent wrote', () => {
    expect(insertionText(hit, 'https://oko.example/')).toBe('Ответ банка.\n\nПодробнее: https://oko.example/cabinet/answers/7')
    expect(insertionText({ ...hit, shareable: false }, 'https://oko.example')).toBe('Ответ банка.')
    expect(appendToReply('', 'Ответ банка.')).toBe('Ответ банка.')
    expect(appendToReply('Здравствуйте!  \n', 'Ответ банка.')).toBe('Здравствуйте!\n\nОтвет банка.')
    expect(appendToReply('Здравствуйте!', insertionText({ ...hit, text: null }, 'https://oko.example'))).toBe('Здравствуйте!')
  })

  it('shows official answers first among the top five, otherwise in the engine order', () => {
    const hits = [1, 2, 3, 4, 5, 6].map((n) => ({ n, official: n === 4 || n === 6 }))
    expect(officialFirst(hits).map((h) => h.n)).toEqual([4, 1, 2, 3, 5])
  })

  it('searches at first for the subject and the start of the letter', () => {
    expect(seedQuery('Тема', '  Текст\n письма ')).toBe('Тема. Текст письма')
    expect(seedQuery(null, 'слово '.repeat(300)).length).toBeLessThanOrEqual(600)
  })
})

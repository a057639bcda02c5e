// The engine contract: the same behaviour from PostgreSQL (always) and from
// Meilisearch (when MEILI_URL points at a server; otherwise skipped, and the
// run says so).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { docId, type SearchDoc, type SearchEngine, type Viewer } from './engine.ts'
import { MeiliEngine } from './meilisearch.ts'
import { PostgresEngine, pgSql } from './postgres.ts'

const TEACHER: Viewer = { agents: false, orgIds: [101, 10, 1] }
const AGENT: Viewer = { agents: true, orgIds: [1] }

function doc(n: number, fields: Partial<SearchDoc> & { title: string; answer: string }): SearchDoc {
  return {
    id: docId('answer', n),
    kind: 'answer',
    sourceId: String(n),
    url: `/cabinet/answers/${n}`,
    question: '',
    official: false,
    study: 'ВПР',
    subject: 'Математика',
    grade: 4,
    task: null,
    year: 2025,
    visibility: 'public',
    orgIds: [],
    updatedAt: new Date(Date.UTC(2025, 3, n)),
    ...fields,
  }
}

const DOCS: SearchDoc[] = [
  doc(1, {
    title: 'Обязательно ли указывать единицы измерения в ответе к заданию 5?',
    answer: 'Если в условии не требуется записать единицы измерения, ответ без них засчитывается. Балл не снижается.',
    task: '5',
    official: true,
  }),
  doc(2, {
    title: 'Как оценивать работы учеников, которые выполнили задание другим способом?',
    answer: 'Любое верное решение, в том числе отличное от образца, оценивается полным баллом.',
    task: '8',
  }),
  doc(3, {
    title: 'Критерии оценивания задания 4К1 по русскому языку',
    answer: 'По критерию 4К1 ставится 1 балл, если ученик верно выделил основу предложения.',
    subject: 'Русский язык',
    task: '4К1',
    grade: 5,
  }),
  doc(4, {
    title: 'Снижается ли балл за арифметическую ошибку в задании 12?',
    answer: 'Одна арифметическая ошибка при верном ходе решения стоит 1 балл из 2.',
    task: '12',
    grade: 6,
  }),
  doc(5, {
    title: 'Засчитывается ли ответ, если учтён порядок действий, но ещё не вычислен результат?',
    answer: 'Нет: ответ считается верным только с вычисленным результатом.',
    task: '3',
    subject: 'Математика',
  }),
  doc(6, {
    title: 'Служебная заметка техподдержки: ошибка загрузки протокола',
    answer: 'Внутренняя информация: у школы edu290001 повреждён файл протокола.',
    kind: 'ticket',
    id: docId('ticket', 6),
    visibility: 'agents',
    study: 'ВПР',
    subject: null,
    grade: null,
  }),
  doc(7, {
    title: '<script>alert("x")</script> Можно ли писать единицы измерения сокращённо?',
    answer: 'Да, сокращения <b>см</b> и "м" допустимы & засчитываются.',
    task: '5',
  }),
  doc(8, {
    title: 'Обязательно ли указывать единицы измерения в ответе к заданию 5?',
    answer: 'Если в условии не требуется записать единицы измерения, ответ без них засчитывается. Балл не снижается.',
    task: '5',
    official: false,
    year: 2024,
  }),
  doc(9, {
    title: 'Как выставить отметку за работу по окружающему миру',
    answer: 'Отметка выставляется по шкале перевода первичных баллов.',
    subject: 'Окружающий мир',
    task: null,
  }),
  doc(10, {
    title: 'Оценка работы по истории в 7 классе',
    answer: 'Используйте критерии, опубликованные для этого варианта.',
    subject: 'История',
    grade: 7,
    study: 'НИКО',
    task: '2',
  }),
]

const DEFAULT_SYNONYMS = [
  ['критерии оценивания', 'критерии проверки', 'система оценивания', 'критерии'],
  ['единицы измерения', 'единица измерения', 'размерность', 'наименование величины'],
  ['ученик', 'обучающийся', 'учащийся', 'участник'],
  ['отметка', 'оценка'],
]

const ids = (r: { hits: { id: string }[] }) => r.hits.map((h) => h.id)

function contract(name: string, make: () => Promise<SearchEngine>, cleanup: (e: SearchEngine) => Promise<void>) {
  describe(name, () => {
    let engine: SearchEngine
    beforeAll(async () => {
      engine = await make()
      await engine.init()
      await engine.setSynonyms(DEFAULT_SYNONYMS)
      await engine.index(DOCS)
    })
    afterAll(async () => {
      if (engine) await cleanup(engine)
    })

    it('finds other word forms (учеников / ученик)', async () => {
      expect(ids(await engine.search({ q: 'ученик ', viewer: TEACHER }))).toContain('answer:2')
      expect(ids(await engine.search({ q: 'учеников ', viewer: TEACHER }))).toContain('answer:3')
    })

    it('forgives one typo', async () => {
      const r = await engine.search({ q: 'еденицы измерения ', viewer: TEACHER })
      expect(ids(r)).toContain('answer:1')
      expect(ids(await engine.search({ q: 'арифмитическую ошибку ', viewer: TEACHER }))).toContain('answer:4')
    })

    it('matches the word being typed as a prefix (search-as-you-type)', async () => {
      expect(ids(await engine.search({ q: 'арифмет', viewer: TEACHER }))).toContain('answer:4')
      expect(ids(await engine.search({ q: 'единицы изм', viewer: TEACHER }))).toContain('answer:1')
    })

    it('expands domain synonyms', async () => {
      const r = await engine.search({ q: 'система оценивания 4К1 ', viewer: TEACHER })
      expect(ids(r)[0]).toBe('answer:3')
      expect(ids(await engine.search({ q: 'размерность в ответе ', viewer: TEACHER }))).toContain('answer:1')
      expect(ids(await engine.search({ q: 'оценка за работу по окружающему миру ', viewer: TEACHER }))).toContain('answer:9')
    })

    it('folds ё into е both ways', async () => {
      expect(ids(await engine.search({ q: 'учтен порядок ', viewer: TEACHER }))).toContain('answer:5')
      expect(ids(await engine.search({ q: 'сокращённо ', viewer: TEACHER }))).toContain('answer:7')
      expect(ids(await engine.search({ q: 'сокращенно ', viewer: TEACHER }))).toContain('answer:7')
    })

    it('filters and counts facets, each facet ignoring its own filter', async () => {
      const r = await engine.search({ q: '', filters: { subject: 'Математика' }, facets: ['subject', 'grade', 'study', 'official'], viewer: TEACHER, limit: 50 })
      expect(r.hits.every((h) => h.subject === 'Математика')).toBe(true)
      expect(r.total).toBe(6)
      expect(r.facets.subject).toMatchObject({ Математика: 6, 'Русский язык': 1, 'Окружающий мир': 1, История: 1 })
      expect(r.facets.grade).toEqual({ '4': 5, '6': 1 })
      expect(r.facets.official).toEqual({ true: 1, false: 5 })
      const graded = await engine.search({ q: 'балл ', filters: { grade: 6 }, viewer: TEACHER })
      expect(ids(graded)).toEqual(['answer:4'])
      const official = await engine.search({ q: 'единицы измерения ', filters: { officialOnly: true }, viewer: TEACHER })
      expect(ids(official)).toEqual(['answer:1'])
    })

    it('ignores a filter value nothing has, without an error', async () => {
      const r = await engine.search({ q: 'балл ', filters: { study: 'НЕТ ТАКОГО' }, facets: ['study'], viewer: TEACHER })
      expect(r.hits).toEqual([])
      expect(r.total).toBe(0)
    })

    it('puts the official answer first among comparable matches', async () => {
      const r = await engine.search({ q: 'обязательно ли указывать единицы измерения в задании 5', viewer: TEACHER })
      expect(ids(r).slice(0, 2)).toEqual(['answer:1', 'answer:8'])
    })

    it('returns escaped HTML with <mark> only around matches', async () => {
      const r = await engine.search({ q: 'сокращенно единицы ', viewer: TEACHER })
      const hit = r.hits.find((h) => h.id === 'answer:7')!
      expect(hit.title).not.toContain('<script>')
      expect(hit.title).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
      expect(hit.title).toContain('<mark>единицы</mark>')
      expect(hit.title).toContain('<mark>сокращённо</mark>')
      expect(hit.snippet).toContain('&lt;b&gt;см&lt;/b&gt;')
      expect(hit.snippet).toContain('&amp;')
      expect(hit.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/<[a-z/]/i)
    })

    it('never shows an agents-only document to a teacher, in hits, totals or facets', async () => {
      const teacher = await engine.search({ q: 'протокол ', facets: ['kind', 'study'], viewer: TEACHER })
      expect(ids(teacher)).not.toContain('ticket:6')
      expect(teacher.facets.kind?.ticket).toBeUndefined()
      const all = await engine.search({ q: '', facets: ['kind'], viewer: TEACHER, limit: 50 })
      expect(ids(all)).not.toContain('ticket:6')
      expect(all.facets.kind).toEqual({ answer: 9 })
      const agent = await engine.search({ q: 'протокол ', viewer: AGENT })
      expect(ids(agent)).toContain('ticket:6')
      expect((await engine.similar('ошибка загрузки протокола школы', { viewer: TEACHER })).map((h) => h.id)).not.toContain('ticket:6')
    })

    it('answers an empty or punctuation-only query with recent documents, official first', async () => {
      for (const q of ['', '   ', '?!…', '"" \'\'']) {
        const r = await engine.search({ q, viewer: TEACHER })
        expect(r.hits.length).toBeGreaterThan(0)
        expect(r.hits[0].official).toBe(true)
      }
    })

    it('shortens a 5,000-character query and still finds the answer', async () => {
      const criterion =
        'Критерии оценивания: ответ засчитывается, если обучающийся записал верный ответ и указал единицы измерения величины. ' +
        'При отсутствии единиц измерения в задании 5 ответ не засчитывается, если это требуется условием. '
      const q = criterion.repeat(Math.ceil(5000 / criterion.length)).slice(0, 5000)
      const r = await engine.search({ q, viewer: TEACHER })
      expect(ids(r).slice(0, 5)).toContain('answer:1')
      expect(r.notices.join(' ')).toMatch(/длинный/)
      const huge = await engine.search({ q: 'единицы '.repeat(2000), viewer: TEACHER })
      expect(ids(huge)).toContain('answer:1')
    })

    it('treats operators, quotes and SQL as plain words', async () => {
      const hostile = [
        `"единицы" & | ! <-> :* ( ) ' OR 1=1; DROP TABLE "SearchDocument"; --`,
        `единицы:* & !измерения`,
        `'; SELECT pg_sleep(5); --`,
        `\\ \\\\ ' '' " \u0000 \u202e измерения`,
        `title:единицы AND answer:"балл" NOT (x OR y)`,
      ]
      for (const q of hostile) {
        const r = await engine.search({ q, viewer: TEACHER, facets: ['study'] })
        expect(Array.isArray(r.hits)).toBe(true)
      }
      expect(ids(await engine.search({ q: 'единицы измерения ', viewer: TEACHER }))).toContain('answer:1')
    })

    it('finds a document as soon as index() returns, and not after remove()', async () => {
      const fresh = doc(50, { title: 'Новый вопрос про курсивный шрифт в бланке', answer: 'Курсив допускается.' })
      await engine.index([fresh])
      expect(ids(await engine.search({ q: 'курсивный ', viewer: TEACHER }))).toEqual(['answer:50'])
      await engine.index([{ ...fresh, title: 'Новый вопрос про полужирный шрифт в бланке' }])
      expect(ids(await engine.search({ q: 'курсивный ', viewer: TEACHER }))).toEqual([])
      expect(ids(await engine.search({ q: 'полужирный ', viewer: TEACHER }))).toEqual(['answer:50'])
      await engine.remove(['answer:50', 'answer:999'])
      expect(ids(await engine.search({ q: 'полужирный ', viewer: TEACHER }))).toEqual([])
    })

    it('finds similar questions to a long text', async () => {
      const hits = await engine.similar('Ученик не указал единицы измерения в ответе на задание 5, ставить ли балл?', { viewer: TEACHER })
      expect(hits.map((h) => h.id).slice(0, 3)).toContain('answer:1')
    })

    it('reindexes and switches to the new index', async () => {
      const replacement = DOCS.filter((d) => d.id !== 'answer:9')
      async function* batches() {
        yield replacement.slice(0, 4)
        yield replacement.slice(4)
      }
      const progress: number[] = []
      const result = await engine.reindex(batches(), (p) => progress.push(p.done), replacement.length)
      expect(result.documents).toBe(replacement.length)
      expect(progress.at(-1)).toBe(replacement.length)
      expect(ids(await engine.search({ q: 'окружающему миру ', viewer: TEACHER }))).not.toContain('answer:9')
      expect(ids(await engine.search({ q: 'еденицы измерения ', viewer: TEACHER }))).toContain('answer:1')
      expect((await engine.health()).status).toBe('ok')
      expect((await engine.health()).documents).toBe(replacement.length)
    })
  })
}

contract(
  'PostgreSQL engine',
  async () => new PostgresEngine(pgSql({ connectionString: process.env.DATABASE_URL! }), { ownsSql: true }),
  (e) => e.close(),
)

const MEILI_URL = process.env.MEILI_URL
if (!MEILI_URL) {
  console.warn('search/contract.test.ts: Meilisearch contract tests skipped because MEILI_URL is not set.')
}
describe.skipIf(!MEILI_URL)('Meilisearch (MEILI_URL)', () => {
  contract(
    'Meilisearch engine',
    async () => new MeiliEngine({ host: MEILI_URL!, apiKey: process.env.MEILI_KEY, indexUid: `oko_test_${process.pid}_${Date.now()}` }),
    async (e) => (e as MeiliEngine).drop(),
  )
})

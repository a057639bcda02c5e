// Search on the embedded default: 100,000 Russian Q/A documents, query latency (typo'd short and 8-word queries), outbox freshness, full reindex, relevance.
//
// Options: --docs N (default 100000), --queries N (short queries, default 300;
// long ones: half as many), --freshness N (trials, default 10), --slowest
// (list the slowest short queries), --keep (keep the data folder).
// With DATABASE_URL the same runs on that server (give it an empty database).
// Opens the embedded database on a fresh data folder in this process (PGlite
// in its worker thread, as the server does), loads generated bank entries
// into ReadyAnswer with SQL, then measures through the app's own modules:
// - index: the engine's index() of every document in batches of 1,000;
// - latency: sequential searches as a teacher (no facets; then with the
//   bank page's facets), 1–3 words with one typo, and 8 words;
// - freshness: an answer marked official (setOfficial: transaction + outbox
//   row + drain after commit) until a search with "official only" finds it;
// - reindex: `search:reindex` (shadow tables, swap) while searches keep
//   running, counting their errors and the slowest one;
// - relevance: the relevance set's bank added to the corpus, recall@5 and MRR.
import { arg, machineNote, median, numberOption, percentile, printBench, removeDir, round, tempDir } from './lib.ts'

const DOCS = Math.round(numberOption('docs', 'BENCH_DOCS', 100_000))
const QUERIES = Math.round(numberOption('queries', 'BENCH_QUERIES', 300))
const FRESHNESS_TRIALS = Math.round(numberOption('freshness', 'BENCH_FRESHNESS', 10))
const GOALS = { p95_ms: 25, freshness_ms: 2000, reindex_s: 60, recall: 0.9 }
const keep = arg('keep') === 'true'

const dataDir = tempDir('oko-bench-search-')
Object.assign(process.env, { DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production', DEMO_DATA: 'off' })
delete process.env.MEILI_URL

const { parseEnv } = await import('../../app/utils/env.server.ts')
const { prepareDatabase } = await import('../../server/db/prepare.ts')
const { disconnectPrisma, prisma } = await import('../../app/utils/db.server.ts')
const { getSearchEngine, closeSearchEngine, allDocuments, countAllDocuments } = await import('../../app/search/search.server.ts')
const { setOfficial } = await import('../../app/search/answers.server.ts')
const { stopSearchDrain } = await import('../../app/search/outbox.server.ts')
const { reindexSearch } = await import('../../app/search/reindex.server.ts')
const { generateBank } = await import('../../search/relevance/bank.ts')
const { evaluateRelevance } = await import('../../search/relevance/evaluate.ts')
const { tokenize } = await import('../../search/analyze.ts')

// --- A deterministic corpus -----------------------------------------------------------

let seed = 20261126
const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31)
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]

const SUBJECTS: Record<string, string[]> = {
  Математика: ['дробь', 'уравнение', 'периметр', 'площадь', 'скорость', 'процент', 'диаграмма', 'таблица', 'вычисление', 'координатная прямая', 'геометрическая фигура', 'текстовая задача', 'единицы измерения', 'округление', 'степень', 'неравенство'],
  'Русский язык': ['диктант', 'орфограмма', 'пунктуация', 'грамматическая основа', 'морфемный разбор', 'фонетический разбор', 'части речи', 'списывание', 'обособление', 'сложное предложение', 'причастный оборот', 'ударение', 'лексическое значение'],
  'Окружающий мир': ['карта', 'природная зона', 'опыт', 'измерение температуры', 'созвездие', 'тело человека', 'растения', 'животные', 'безопасное поведение', 'родной край'],
  История: ['дата', 'исторический источник', 'контурная карта', 'культура', 'событие', 'личность', 'иллюстрация', 'причина и следствие', 'термин', 'хронология'],
  Биология: ['клетка', 'микроскоп', 'строение цветка', 'классификация', 'систематика', 'экосистема', 'опыт', 'рисунок', 'орган', 'ткань'],
  География: ['контурная карта', 'климатограмма', 'масштаб', 'часовой пояс', 'природные зоны', 'рельеф', 'население', 'координаты', 'погода'],
  Обществознание: ['право', 'семья', 'экономика', 'гражданин', 'диаграмма опроса', 'обществоведческий термин', 'ситуация', 'Конституция'],
  Физика: ['сила', 'плотность', 'давление', 'график', 'измерение', 'цена деления', 'механическая работа', 'мощность', 'опыт', 'единицы измерения'],
  Химия: ['уравнение реакции', 'вещество', 'валентность', 'массовая доля', 'лабораторный опыт', 'молярная масса', 'оксид', 'кислота'],
  'Английский язык': ['аудирование', 'чтение вслух', 'описание фотографии', 'грамматика', 'лексика', 'письмо', 'устная часть'],
}
const STUDY_WEIGHTS = ['ВПР', 'ВПР', 'ВПР', 'ВПР', 'ВПР', 'ВПР СПО', 'НИКО', 'МСИ', 'ИКУ', 'ФГККО', '500+', 'МУМ'] as const
const CASES = [
  'если ученик записал ответ без пояснения',
  'если в решении допущена одна вычислительная ошибка',
  'если ответ записан в другой форме',
  'если ученик исправил ответ',
  'если часть ответа неверна',
  'если ответ верный, но нет решения',
  'если использован другой способ',
  'если в ответе орфографическая ошибка',
  'если рисунок выполнен неаккуратно',
  'если указаны лишние элементы',
  'если пропущены единицы измерения',
  'если ответ дан не в том месте бланка',
]
const QUESTION_STARTS = ['Как оценивать', 'Засчитывать ли', 'Сколько баллов ставить за', 'Снижать ли балл за', 'Можно ли засчитать', 'Как проверять', 'Правильно ли оценено']
const RULES = [
  'Оценивание проводится строго по критериям.',
  'Если ответ совпадает с эталоном по смыслу, он засчитывается.',
  'Ошибка, не влияющая на ход решения, снижает балл на один.',
  'Исправления ученика допускаются, если понятно, какой ответ окончательный.',
  'Другой верный способ решения оценивается полным баллом.',
  'Отсутствие обоснования означает 0 баллов по этому критерию.',
  'Орфографические ошибки в ответе по этому предмету не учитываются.',
  'Лишние элементы ответа не снижают балл, если нет противоречия.',
  'Запишите в протокол балл и отметьте вопрос для согласования с экспертом.',
  'Единицы измерения обязательны, только если это требует условие.',
  'Частично верный ответ оценивается в соответствии с таблицей критериев.',
  'При сомнениях обратитесь к региональному координатору или на форум экспертов.',
]

interface Row {
  externalId: string
  study: string
  subject: string
  grade: number | null
  task: string | null
  year: number
  question: string
  answer: string
  official: boolean
  /** Spread over six years, bank and generated entries alike (reindex order prefers the newest). */
  updatedAt?: string
}

const randomDate = () => new Date(Date.UTC(2019, 0, 1) + Math.floor(rand() * 6 * 365 * 86_400_000)).toISOString()

function generate(n: number): Row {
  const subject = pick(Object.keys(SUBJECTS))
  const topic = pick(SUBJECTS[subject])
  const grade = 4 + Math.floor(rand() * 5)
  const task = String(1 + Math.floor(rand() * 16)) + (subject === 'Русский язык' && rand() < 0.4 ? `К${1 + Math.floor(rand() * 3)}` : '')
  const study = pick(STUDY_WEIGHTS)
  const c = pick(CASES)
  const question = `${pick(QUESTION_STARTS)} задание ${task} (${topic}) по предмету «${subject}» в ${grade} классе, ${c}?`
  const answer = [
    `По критериям задания ${task} (${topic}) ${grade} класса:`,
    pick(RULES),
    pick(RULES),
    rand() < 0.5 ? `Пример: ${pick(SUBJECTS[subject])} и ${pick(SUBJECTS[subject])} оцениваются отдельно.` : pick(RULES),
    `Тема: ${topic}.`,
  ].join(' ')
  return { externalId: `g-${n}`, study, subject, grade, task, year: 2019 + Math.floor(rand() * 7), question, answer, official: rand() < 0.15, updatedAt: randomDate() }
}

async function insertRows(rows: Row[], source: string) {
  for (let i = 0; i < rows.length; i += 2000) {
    await prisma.$executeRawUnsafe(
      `INSERT INTO "ReadyAnswer" (source, "externalId", study, subject, grade, "taskNumber", year, question, answer, official, "updatedAt")
       SELECT $1, x."externalId", x.study, x.subject, x.grade, x.task, x.year, x.question, x.answer, x.official, x."updatedAt"
       FROM jsonb_to_recordset($2::jsonb) AS x("externalId" text, study text, subject text, grade int, task text, year int, question text, answer text, official boolean, "updatedAt" timestamp)`,
      source,
      JSON.stringify(rows.slice(i, i + 2000)),
    )
  }
}

/** One typo in a word of five letters or more: a letter replaced, dropped, or swapped with its neighbour. */
function typo(word: string) {
  const i = 1 + Math.floor(rand() * (word.length - 2))
  const kind = Math.floor(rand() * 3)
  if (kind === 0) return word.slice(0, i) + pick('аоеиуыяк'.split('').filter((c) => c !== word[i])) + word.slice(i + 1)
  if (kind === 1) return word.slice(0, i) + word.slice(i + 1)
  return word.slice(0, i - 1) + word[i] + word[i - 1] + word.slice(i + 1)
}

const fmt = (values: number[]) => `p50 ${median(values).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`

console.log(`search bench: ${DOCS} documents, ${QUERIES} short + ${Math.round(QUERIES / 2)} long queries on ${process.env.DATABASE_URL ? 'the PostgreSQL server of DATABASE_URL' : 'the embedded PGlite'} (${machineNote()})`)
const db = await prepareDatabase(parseEnv())
const TEACHER = { role: 'TEACHER_EXPERT' as const, organization: { id: 1, regionId: null, municipalityId: null, parentId: null } }
try {
  const engine = await getSearchEngine()
  const viewer = { agents: false, orgIds: [1] }

  // --- Load ----------------------------------------------------------------------------
  let t0 = performance.now()
  const rows = Array.from({ length: DOCS }, (_, i) => generate(i + 1))
  const bank = generateBank()
  await insertRows(rows, 'bench')
  await insertRows(bank.map((b) => ({ ...b, updatedAt: randomDate() })), 'bank')
  console.log(`  generated and inserted ${rows.length + bank.length} ReadyAnswer rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  t0 = performance.now()
  let indexed = 0
  for await (const batch of allDocuments(1000)) {
    await engine.index(batch)
    indexed += batch.length
    if (indexed % 20_000 < 1000) process.stderr.write(`\r  indexing: ${indexed}`)
  }
  const indexS = (performance.now() - t0) / 1000
  process.stderr.write('\n')
  console.log(`  index(): ${indexed} documents in ${indexS.toFixed(1)} s (${Math.round(indexed / indexS)} docs/s)`)

  // --- Latency -------------------------------------------------------------------------
  const vocabulary = [...new Set(rows.slice(0, 5000).flatMap((r) => tokenize(`${r.question} ${r.answer}`)).filter((w) => w.length >= 5 && !/\d/.test(w)))]
  const shortQueries = Array.from({ length: QUERIES }, () => {
    const n = 1 + Math.floor(rand() * 3)
    const words = Array.from({ length: n }, () => pick(vocabulary))
    const at = Math.floor(rand() * n)
    words[at] = typo(words[at])
    return words.join(' ') + ' '
  })
  const longQueries = Array.from({ length: Math.round(QUERIES / 2) }, () => {
    const r = pick(rows)
    const words = tokenize(r.question).filter((w) => w.length > 2)
    const start = Math.floor(rand() * Math.max(1, words.length - 8))
    return words.slice(start, start + 8).join(' ') + ' '
  })
  const slowest: { q: string; ms: number; total: number }[] = []
  const run = async (queries: string[], facets: boolean) => {
    const times: number[] = []
    let empty = 0
    for (const q of queries) {
      const t = performance.now()
      const r = await engine.search({ q, viewer, limit: 10, facets: facets ? ['study', 'subject', 'grade', 'task', 'year', 'official'] : undefined })
      const ms = performance.now() - t
      times.push(ms)
      if (!facets) slowest.push({ q, ms, total: r.total })
      if (r.hits.length === 0) empty++
    }
    return { times, empty }
  }
  await run(shortQueries.slice(0, 30), false) // warm up JIT, caches and PostgreSQL's buffers
  const short = await run(shortQueries, false)
  const long = await run(longQueries, false)
  const shortFacets = await run(shortQueries.slice(0, Math.round(QUERIES / 3)), true)
  console.log(`  1–3 words, one typo: ${fmt(short.times)}; no results for ${short.empty}/${shortQueries.length}`)
  console.log(`  8 words:             ${fmt(long.times)}; no results for ${long.empty}/${longQueries.length}`)
  console.log(`  1–3 words + facets:  ${fmt(shortFacets.times)}`)
  if (arg('slowest')) for (const x of slowest.sort((a, b) => b.ms - a.ms).slice(0, 15)) console.log(`    ${x.ms.toFixed(1)} ms «${x.q.trim()}» (${x.total})`)
  console.log(`  examples: ${shortQueries.slice(0, 4).map((q) => `«${q.trim()}»`).join(', ')}`)

  // --- Freshness through the outbox ---------------------------------------------------
  const freshness: number[] = []
  const candidates = await prisma.readyAnswer.findMany({ where: { official: false, source: 'bench' }, take: FRESHNESS_TRIALS, orderBy: { id: 'asc' }, select: { id: true, question: true } })
  for (const c of candidates) {
    const q = c.question.split(' ').slice(0, 12).join(' ')
    const start = performance.now()
    await setOfficial(c.id, true)
    for (;;) {
      const r = await engine.search({ q, viewer, limit: 50, filters: { officialOnly: true }, match: 'any' })
      if (r.hits.some((h) => h.sourceId === String(c.id))) break
      if (performance.now() - start > 30_000) {
        const outbox = await prisma.searchOutbox.findMany({ where: { sourceId: String(c.id) } })
        const plain = await engine.search({ q, viewer, limit: 50, match: 'any' })
        console.error({ q, outbox, foundWithoutFilter: plain.hits.findIndex((h) => h.sourceId === String(c.id)), total: plain.total })
        throw new Error(`answer ${c.id} not found 30 s after it was marked official`)
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    freshness.push(performance.now() - start)
  }
  console.log(`  freshness (marked official → found): median ${median(freshness).toFixed(0)} ms, max ${Math.max(...freshness).toFixed(0)} ms over ${freshness.length} answers`)

  // --- Full reindex while searching -------------------------------------------------------
  let searching = true
  let duringErrors = 0
  const during: number[] = []
  const searcher = (async () => {
    let i = 0
    while (searching) {
      const t = performance.now()
      try {
        await engine.search({ q: shortQueries[i++ % shortQueries.length], viewer, limit: 10 })
      } catch {
        duringErrors++
      }
      during.push(performance.now() - t)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })()
  const total = await countAllDocuments()
  let lastPercent = -1
  const reindex = await reindexSearch(({ done }) => {
    const p = Math.floor((done / total) * 10) * 10
    if (p !== lastPercent) process.stderr.write(`\r  reindex: ${p} %`)
    lastPercent = p
  })
  searching = false
  await searcher
  process.stderr.write('\n')
  console.log(`  reindex: ${reindex.documents} documents in ${reindex.seconds.toFixed(1)} s; ${during.length} searches meanwhile, ${duringErrors} errors, ${fmt(during)}`)

  // --- Relevance on the big corpus --------------------------------------------------------
  const ids = new Map((await prisma.readyAnswer.findMany({ where: { source: 'bank' }, select: { id: true, externalId: true } })).map((r) => [r.externalId, r.id]))
  const relevance = await evaluateRelevance(engine, undefined, (externalId) => `answer:${ids.get(externalId)}`)
  console.log(`  relevance with ${DOCS} other documents: recall@5 ${relevance.recallAt5.toFixed(3)}, MRR ${relevance.mrr.toFixed(3)}`)
  for (const m of relevance.misses) console.log(`    miss: «${m.q}» (expected ${m.expect})`)

  const p95 = percentile(short.times, 95)
  const p95Long = percentile(long.times, 95)
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED')
  console.log(
    `  goals: p95 ≤ ${GOALS.p95_ms} ms ${verdict(p95 <= GOALS.p95_ms)} (long: ${verdict(p95Long <= GOALS.p95_ms)}); freshness ≤ ${GOALS.freshness_ms} ms ${verdict(Math.max(...freshness) <= GOALS.freshness_ms)}; ` +
      `reindex ≤ ${GOALS.reindex_s} s ${verdict(reindex.seconds <= GOALS.reindex_s)}; recall@5 ≥ ${GOALS.recall} ${verdict(relevance.recallAt5 >= GOALS.recall)}`,
  )
  printBench('search', {
    engine: engine.name,
    database: db.embedded ? 'pglite' : 'server',
    docs: indexed,
    index_s: round(indexS, 1),
    p50_ms: round(median(short.times), 1),
    p95_ms: round(p95, 1),
    p50_long_ms: round(median(long.times), 1),
    p95_long_ms: round(p95Long, 1),
    p95_facets_ms: round(percentile(shortFacets.times, 95), 1),
    freshness_ms: Math.round(median(freshness)),
    freshness_max_ms: Math.round(Math.max(...freshness)),
    reindex_s: round(reindex.seconds, 1),
    reindex_search_errors: duringErrors,
    recall_at_5: round(relevance.recallAt5, 3),
    mrr: round(relevance.mrr, 3),
  })
} finally {
  await stopSearchDrain()
  await closeSearchEngine()
  await disconnectPrisma()
  await db.stop()
  if (keep) console.log(`  data folder kept: ${dataDir}`)
  else removeDir(dataDir)
}

// Text analysis shared by both engines and the highlighter: normalisation
// (lower case, ё→е), tokens, Russian stop words, a Snowball stemmer in Node
// (the same algorithm as PostgreSQL's `russian` configuration), edit distance
// for typos, shortening of huge queries, and synonym matching.
import snowball from 'snowball-stemmers'
import { MAX_QUERY_CHARS } from './engine.ts'

export { MAX_QUERY_CHARS }

/** At most this many words go into the engine's query. */
export const MAX_QUERY_WORDS = 10

/** PostgreSQL's russian.stop (Snowball's list), so both engines drop the same words. */
export const RUSSIAN_STOP_WORDS = new Set(
  (
    'и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня еще нет о из ему теперь когда ' +
    'даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы ' +
    'тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой ' +
    'тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после над больше тот через эти нас про всего них какая ' +
    'много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между'
  ).split(' '),
)

/** Lower case, ё→е, Latin look-alikes in task codes (4K1 → 4к1). */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/(\d)k(\d)/g, '$1к$2')
}

const TOKEN = /[\p{L}\p{N}]+/gu

/** Words of a text after normalisation, in order. */
export function tokenize(text: string): string[] {
  return normalize(text).match(TOKEN) ?? []
}

const stemmer = snowball.newStemmer('russian')
const stemCache = new Map<string, string>()

/** Snowball Russian stem of a normalised word (digits and Latin words pass through). */
export function stem(word: string): string {
  let s = stemCache.get(word)
  if (s === undefined) {
    s = /[а-я]/.test(word) ? stemmer.stem(word) : word
    if (stemCache.size > 50_000) stemCache.clear()
    stemCache.set(word, s)
  }
  return s
}

export const isStopWord = (word: string) => RUSSIAN_STOP_WORDS.has(word)

/** Typos allowed in a word of this length (as Meilisearch: 1 from 5 letters, 2 from 9). */
export function typoBudget(length: number): number {
  return length >= 9 ? 2 : length >= 5 ? 1 : 0
}

/** Optimal string alignment distance (Levenshtein with adjacent transpositions), capped at `max + 1`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  const rows = a.length + 1
  const cols = b.length + 1
  let prev2 = new Array<number>(cols).fill(0)
  let prev = Array.from({ length: cols }, (_, j) => j)
  for (let i = 1; i < rows; i++) {
    const cur = new Array<number>(cols)
    cur[0] = i
    let best = cur[0]
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1)
      cur[j] = v
      if (v < best) best = v
    }
    if (best > max) return max + 1
    prev2 = prev
    prev = cur
  }
  return Math.min(prev[cols - 1], max + 1)
}

export interface QueryWord {
  /** Normalised surface form as typed. */
  text: string
  /** The word is being typed: match it as a prefix. */
  prefix: boolean
}

export interface AnalyzedQuery {
  words: QueryWord[]
  /** The query was longer than the engine takes: only its most informative words are used. */
  shortened: boolean
}

/**
 * Splits a query into the words an engine searches for. Stop words go (but a
 * word being typed is kept: "мо" may become "модель"); repeated words go; a
 * long query (a pasted criterion) keeps its MAX_QUERY_WORDS most informative
 * words — task codes and numbers, then the longest words — in their order.
 */
export function analyzeQuery(raw: string, options: { prefix?: boolean; maxWords?: number } = {}): AnalyzedQuery {
  const maxWords = options.maxWords ?? MAX_QUERY_WORDS
  const text = raw.length > MAX_QUERY_CHARS ? raw.slice(0, MAX_QUERY_CHARS) : raw
  const tokens = tokenize(text)
  const typing = options.prefix !== false && tokens.length > 0 && /[\p{L}\p{N}]$/u.test(text)
  const seen = new Set<string>()
  const words: QueryWord[] = []
  tokens.forEach((token, i) => {
    const last = i === tokens.length - 1
    const prefix = typing && last && token.length >= 2 && !/^\d+$/.test(token)
    if (token.length > 40) return // not a word: a hash, a pasted URL
    if (isStopWord(token) && !prefix) return
    const key = prefix ? `${token}*` : stem(token)
    if (seen.has(key)) return
    seen.add(key)
    words.push({ text: token, prefix })
  })
  if (words.length <= maxWords) return { words, shortened: raw.length > MAX_QUERY_CHARS }
  const informative = (w: QueryWord) => (/\d/.test(w.text) ? 100 : 0) + w.text.length
  const keep = new Set(
    words
      .map((w, i) => ({ w, i }))
      .sort((a, b) => informative(b.w) - informative(a.w) || a.i - b.i)
      .slice(0, maxWords)
      .map((x) => x.i),
  )
  return { words: words.filter((_, i) => keep.has(i)).map((w) => ({ ...w, prefix: false })), shortened: true }
}

/** A synonym group with each member as a sequence of stems (stop words dropped). */
export interface StemmedSynonymGroup {
  members: string[][]
}

export function stemPhrase(phrase: string, stemmer: (w: string) => string = stem): string[] {
  return tokenize(phrase)
    .filter((w) => !isStopWord(w))
    .map(stemmer)
    .filter(Boolean)
}

export function stemSynonymGroups(groups: string[][], stemmer: (w: string) => string = stem): StemmedSynonymGroup[] {
  return groups
    .map((g) => ({ members: g.map((m) => stemPhrase(m, stemmer)).filter((m) => m.length > 0) }))
    .filter((g) => g.members.length > 1)
}

export interface SynonymMatch {
  /** Positions (in the query's stem list) the matched member covers. */
  start: number
  length: number
  /** The other members of the group, as stem sequences. */
  alternatives: string[][]
}

/**
 * Finds synonym group members in a query (as stem sequences; the longest
 * member wins at a position) and returns what each can be replaced with.
 */
export function matchSynonyms(queryStems: string[], groups: StemmedSynonymGroup[]): SynonymMatch[] {
  const matches: SynonymMatch[] = []
  let i = 0
  while (i < queryStems.length) {
    let best: SynonymMatch | null = null
    for (const g of groups) {
      for (const m of g.members) {
        if (m.length === 0 || i + m.length > queryStems.length) continue
        if (best && m.length <= best.length) continue
        if (m.every((s, k) => queryStems[i + k] === s)) {
          best = { start: i, length: m.length, alternatives: g.members.filter((o) => o !== m && o.join(' ') !== m.join(' ')) }
        }
      }
    }
    if (best) {
      // Merge alternatives of several groups matching at the same span.
      matches.push(best)
      i += best.length
    } else i++
  }
  return matches
}

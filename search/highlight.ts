// Highlighted titles and snippets as safe HTML: every character of the
// document is escaped first, then matched words are wrapped in <mark>. Both
// engines use this, so a document holding "<script>" comes back as text.
import { editDistance, isStopWord, normalize, stem, typoBudget } from './analyze.ts'

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c])
}

/** What counts as a match in a document's text. */
export interface MatchTerms {
  /** Stems (Snowball, normalised) of the query words, their typo corrections and synonyms. */
  stems: Iterable<string>
  /** Word being typed: document words (or their stems) starting with it match. */
  prefixes?: Iterable<string>
  /** Query words as typed: document words within the typo budget of one of them match. */
  fuzzy?: Iterable<string>
}

export type WordMatcher = (normalizedWord: string) => boolean

export function wordMatcher(terms: MatchTerms): WordMatcher {
  const stems = new Set(terms.stems)
  const prefixes = [...(terms.prefixes ?? [])].filter((p) => p.length >= 2)
  const fuzzy = [...(terms.fuzzy ?? [])].filter((w) => typoBudget(w.length) > 0)
  const cache = new Map<string, boolean>()
  return (word) => {
    let hit = cache.get(word)
    if (hit !== undefined) return hit
    hit = false
    if (!isStopWord(word)) {
      const s = stem(word)
      if (stems.has(s) || stems.has(word)) hit = true
      else if (prefixes.some((p) => word.startsWith(p) || (p.length >= 3 && s.startsWith(stem(p))))) hit = true
      else if (fuzzy.some((f) => Math.abs(f.length - word.length) <= 2 && editDistance(f, word, typoBudget(f.length)) <= typoBudget(f.length))) hit = true
    }
    cache.set(word, hit)
    return hit
  }
}

interface Token {
  start: number
  end: number
  match: boolean
}

const WORD = /[\p{L}\p{N}]+/gu

function tokens(text: string, matches: WordMatcher): Token[] {
  const out: Token[] = []
  for (const m of text.matchAll(WORD)) {
    out.push({ start: m.index!, end: m.index! + m[0].length, match: matches(normalize(m[0])) })
  }
  return out
}

function render(text: string, toks: Token[], from: number, to: number): string {
  let html = ''
  let pos = from
  for (const t of toks) {
    if (t.end <= from || t.start >= to) continue
    html += escapeHtml(text.slice(pos, t.start))
    const word = escapeHtml(text.slice(t.start, t.end))
    html += t.match ? `<mark>${word}</mark>` : word
    pos = t.end
  }
  html += escapeHtml(text.slice(pos, to))
  return html
}

/** The whole text, escaped, with matches marked. */
export function highlightText(text: string, matches: WordMatcher): string {
  return render(text, tokens(text, matches), 0, text.length)
}

/**
 * The passage of about `words` words with the most matches (the opening when
 * nothing matches), escaped, with matches marked and "…" where cut.
 */
export function snippet(text: string, matches: WordMatcher, words = 32): { html: string; matches: number } {
  const clean = text.replace(/\s+/g, ' ').trim()
  const toks = tokens(clean, matches)
  const total = toks.filter((t) => t.match).length
  if (toks.length <= words) return { html: render(clean, toks, 0, clean.length), matches: total }
  let best = 0
  let bestCount = -1
  let count = 0
  for (let i = 0; i < toks.length; i++) {
    if (toks[i].match) count++
    if (i >= words && toks[i - words].match) count--
    const start = Math.max(0, i - words + 1)
    // Prefer a window that starts a little before the first match, for context.
    if (i >= words - 1 && count > bestCount) {
      bestCount = count
      best = start
    }
  }
  if (bestCount > 0) {
    const firstMatch = toks.findIndex((t, k) => k >= best && t.match)
    best = Math.max(0, Math.min(best, firstMatch - 3))
  }
  const end = Math.min(toks.length, best + words)
  const from = best === 0 ? 0 : toks[best].start
  const to = end >= toks.length ? clean.length : toks[end - 1].end
  const html = (from > 0 ? '… ' : '') + render(clean, toks, from, to) + (to < clean.length ? ' …' : '')
  return { html, matches: total }
}

/** The best snippet of a document: its answer, else its question text. */
export function documentSnippet(doc: { answer: string; question: string }, matches: WordMatcher, words = 32): string {
  const answer = snippet(doc.answer, matches, words)
  if (answer.matches > 0 || !doc.question) return answer.html
  const question = snippet(doc.question, matches, words)
  return question.matches > 0 ? question.html : answer.html
}

// The desk's «Готовые ответы» panel, the parts that are not React: what the
// panel searches for when a ticket opens, the order it shows results in, and
// the text one click puts into the reply. Shared by the browser and tests.

/** Longest text sent as the similar-to-text query (the start of a letter says what it is about). */
export const SEED_CHARS = 600
/** Results the panel shows. */
export const PANEL_SIZE = 5

export interface PanelHit {
  id: string
  url: string
  official: boolean
  text: string | null
  shareable: boolean
}

/** The ticket's subject and the start of the requester's first letter: what the panel looks for at first. */
export function seedQuery(subject: string | null | undefined, firstLetter: string | null | undefined) {
  const text = [subject ?? '', firstLetter ?? ''].map((s) => s.replace(/\s+/g, ' ').trim()).filter(Boolean).join('. ')
  if (text.length <= SEED_CHARS) return text
  const cut = text.slice(0, SEED_CHARS)
  const space = cut.lastIndexOf(' ')
  return space > SEED_CHARS * 0.6 ? cut.slice(0, space) : cut
}

/** The top results, official answers first (each group keeps the engine's order). */
export function officialFirst<T extends { official: boolean }>(hits: T[], size = PANEL_SIZE): T[] {
  const top = hits.slice(0, size)
  return [...top.filter((h) => h.official), ...top.filter((h) => !h.official)]
}

/**
 * What «Вставить в ответ» adds: the answer, and a link to it when the
 * requester may open it (public documents; an agents-only one is not linked).
 */
export function insertionText(hit: PanelHit, origin: string) {
  if (!hit.text) return ''
  return hit.shareable ? `${hit.text}\n\nПодробнее: ${origin.replace(/\/+$/, '')}${hit.url}` : hit.text
}

/** The reply with the insertion appended after what the agent already wrote. */
export function appendToReply(current: string, insertion: string) {
  if (!insertion) return current
  return current.trim() ? `${current.trimEnd()}\n\n${insertion}` : insertion
}

// The synonym list search expands queries with (SearchSynonym), edited by
// administrators and ФИОКО specialists as text: one group per line, terms
// separated by commas.
import { z } from 'zod'
import type { Role } from '~/generated/prisma/enums'
import { prisma } from '~/utils/db.server'
import { logger } from '~/utils/logger.server'
import { getSearchEngine, loadSynonymGroups } from './search.server'

export const SYNONYM_EDITORS: Role[] = ['ADMIN', 'FIOKO_SPECIALIST']

export function synonymsToText(groups: string[][]) {
  return groups.map((g) => g.join(', ')).join('\n')
}

export const SynonymText = z
  .string()
  .max(50_000, 'Список слишком длинный (не более 50 000 символов).')
  .transform((text, ctx) => {
    const groups: string[][] = []
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '' || line.trim().startsWith('#')) return
      const terms = [...new Set(line.split(',').map((t) => t.trim().replace(/\s+/g, ' ')).filter(Boolean))]
      if (terms.length < 2) ctx.addIssue({ code: 'custom', message: `Строка ${i + 1}: нужно не менее двух терминов через запятую.` })
      else if (terms.some((t) => t.length > 100)) ctx.addIssue({ code: 'custom', message: `Строка ${i + 1}: термин длиннее 100 символов.` })
      else groups.push(terms)
    })
    return groups
  })

export async function listSynonyms() {
  return loadSynonymGroups()
}

/** Replaces the whole list and tells the engine at once. */
export async function replaceSynonyms(actor: { id: number; login: string }, groups: string[][]) {
  await prisma.$transaction([prisma.searchSynonym.deleteMany({}), prisma.searchSynonym.createMany({ data: groups.map((terms) => ({ terms })) })])
  logger.info({ actor: actor.login, groups: groups.length }, 'search synonyms replaced')
  const engine = await getSearchEngine()
  await engine.setSynonyms(groups)
}

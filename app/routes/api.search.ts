// GET /api/search: the JSON search used by the answer bank page, the forum's
// ask form (mode=similar) and the desk (text=1: each hit with its answer's
// plain text, to insert into a reply). Signed-in people only; what each may
// see is applied by the engine. Rate-limited per address by the Express
// limiter like every request.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { requireUser } from '~/accounts/session.server'
import { parseSearchParams } from '~/search/search-query'
import { searchDocuments, similarDocuments, withAnswerTexts } from '~/search/search.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  const parsed = parseSearchParams(new URL(request.url).searchParams)
  const headers = { 'Cache-Control': 'private, no-store' }
  if (parsed.mode === 'similar') {
    const started = performance.now()
    const found = await similarDocuments(user, parsed.q, { filters: parsed.filters, limit: Math.min(parsed.limit, 10) })
    const hits = parsed.withText ? await withAnswerTexts(user, found) : found
    return json({ hits, facets: {}, total: hits.length, tookMs: Math.round(performance.now() - started), notices: parsed.notices, page: 1, limit: parsed.limit }, { headers })
  }
  const result = await searchDocuments(user, {
    q: parsed.q,
    filters: parsed.filters,
    facets: parsed.facets,
    limit: parsed.limit,
    offset: (parsed.page - 1) * parsed.limit,
    prefix: parsed.prefix,
  })
  const hits = parsed.withText ? await withAnswerTexts(user, result.hits) : result.hits
  return json({ ...result, hits, notices: [...parsed.notices, ...result.notices], page: parsed.page, limit: parsed.limit }, { headers })
}

// GET /forum/uploads/<id>: an image of a forum post, for signed-in people
// (the forums are for accounts only). Served with the type read from its
// bytes at upload, `nosniff` and a sandboxing CSP, so that even a file that
// fooled the sniffer could not run in our origin. Browsers keep a copy but
// must ask again before each use (`private, no-cache` with an ETag, answered
// 304 while the bytes are the same): a moderator who redacts an image that
// shows personal data takes it out of viewers' caches too, where a year-long
// immutable copy would have kept it. A redacted image is replaced by a
// placeholder (the post's HTML stops referring to it at the same time).
import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireUser } from '~/accounts/session.server'
import { UPLOAD_ID_PATTERN } from '~/forum/content'
import { FORUM_IMAGE_TYPES, readUpload } from '~/forum/uploads.server'
import { prisma } from '~/utils/db.server'

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'Cross-Origin-Resource-Policy': 'same-origin',
}

// A grey box with the notice, drawn by us (never user content), as the body of a 410.
const REDACTED_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="60" viewBox="0 0 320 60"><rect width="320" height="60" fill="#eceff1"/><text x="160" y="35" font-family="sans-serif" font-size="14" text-anchor="middle" fill="#455a64">Изображение скрыто модератором</text></svg>`

const CACHE_CONTROL = 'private, no-cache'

/** Does an If-None-Match header name this ETag (or `*`)? Weak and strong forms compare equal for GET. */
function ifNoneMatch(header: string | null, etag: string) {
  if (!header) return false
  return header.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t.replace(/^W\//, '') === etag
  })
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request)
  const id = params.id ?? ''
  const notFound = () => new Response('Изображение не найдено.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS } })
  if (!UPLOAD_ID_PATTERN.test(id)) return notFound()
  // The validator first, without the bytes: a browser revalidating its copy gets a 304 cheaply.
  const head = await prisma.forumUpload.findUnique({ where: { id }, select: { sha256: true, redactedAt: true } })
  if (!head) return notFound()
  // The ETag is the bytes' SHA-256, stored at upload (quoted: a strong validator).
  const etag = `"${head.sha256}"`
  if (!head.redactedAt && ifNoneMatch(request.headers.get('If-None-Match'), etag)) {
    return new Response(null, { status: 304, headers: { ETag: etag, 'Cache-Control': CACHE_CONTROL, ...SECURITY_HEADERS } })
  }
  const upload = await readUpload(id)
  if (!upload) return notFound()
  if (upload.redacted) {
    return new Response(REDACTED_SVG, {
      status: 410,
      headers: { 'Content-Type': 'image/svg+xml; charset=utf-8', 'Cache-Control': 'private, no-store', 'Content-Disposition': 'inline', ...SECURITY_HEADERS },
    })
  }
  // Stored types come from the sniffer; anything else would be a bug or a tampered row.
  const type = (FORUM_IMAGE_TYPES as readonly string[]).includes(upload.contentType) ? upload.contentType : 'application/octet-stream'
  return new Response(new Uint8Array(upload.content), {
    headers: {
      'Content-Type': type,
      'Content-Length': String(upload.content.length),
      'Content-Disposition': 'inline',
      'Cache-Control': CACHE_CONTROL,
      ETag: etag,
      ...SECURITY_HEADERS,
    },
  })
}

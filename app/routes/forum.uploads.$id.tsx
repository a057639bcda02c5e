// GET /forum/uploads/<id>: an image of a forum post, for signed-in people
// (the forums are for accounts only). Served with the type read from its
// bytes at upload, `nosniff` and a sandboxing CSP, so that even a file that
// fooled the sniffer could not run in our origin. The id is random and the
// bytes never change, so browsers may keep it; a redacted image is replaced
// by a placeholder (the post's HTML stops referring to it at the same time).
import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireUser } from '~/accounts/session.server'
import { UPLOAD_ID_PATTERN } from '~/forum/content'
import { FORUM_IMAGE_TYPES, readUpload } from '~/forum/uploads.server'

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'Cross-Origin-Resource-Policy': 'same-origin',
}

// A grey box with the notice, drawn by us (never user content), as the body of a 410.
const REDACTED_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="60" viewBox="0 0 320 60"><rect width="320" height="60" fill="#eceff1"/><text x="160" y="35" font-family="sans-serif" font-size="14" text-anchor="middle" fill="#455a64">Изображение скрыто модератором</text></svg>`

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request)
  const id = params.id ?? ''
  const notFound = () => new Response('Изображение не найдено.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS } })
  if (!UPLOAD_ID_PATTERN.test(id)) return notFound()
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
      'Cache-Control': 'private, max-age=31536000, immutable',
      ...SECURITY_HEADERS,
    },
  })
}

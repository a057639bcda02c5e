// Downloads an attachment of a ticket, for people allowed to see it (staff;
// requesters only files of letters, never of internal notes). Always as a
// download with the type sniffed at intake and `nosniff` (set for every
// response by helmet, server/http.ts); inline (?inline=1)
// only for raster images whose bytes say so — never HTML, SVG or PDF, which
// could run in our origin.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireUser } from '~/accounts/session.server'
import { hasSection } from '~/accounts/roles'
import { attachmentBytes } from '~/helpdesk/attachments.server'
import { requireAttachmentAccess } from '~/helpdesk/desk-scope.server'
import { clientIp } from '~/utils/http.server'
import { sniffContentType } from '../../emails/inbound/attachments.ts'

const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp'])

/** RFC 6266: an ASCII fallback and the UTF-8 name (RFC 8187). */
function contentDisposition(kind: 'attachment' | 'inline', filename: string) {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_') || 'file'
  const utf8 = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${utf8}`
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  if (!hasSection(user.role, 'support')) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  const file = await requireAttachmentAccess(user, params.id, { ip: clientIp(context) })
  if (file.redactedAt) throw new Response('Файл удалён модератором: он содержал персональные данные.', { status: 410 })
  const content = await attachmentBytes(file)
  if (!content) throw new Response('Файл не найден в сохранённом письме.', { status: 404 })
  const wantsInline = new URL(request.url).searchParams.get('inline') === '1'
  const sniffed = sniffContentType(content)
  const inline = wantsInline && sniffed !== null && INLINE.has(sniffed) && sniffed === file.contentType
  return new Response(new Uint8Array(content), {
    headers: {
      'Content-Type': inline ? sniffed : file.contentType || 'application/octet-stream',
      'Content-Length': String(content.length),
      'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', file.filename),
      // Nothing in the file may run or load anything, even if a browser renders it.
      'Content-Security-Policy': "default-src 'none'; img-src 'self'; sandbox",
      'Cache-Control': 'private, no-store',
      'Cross-Origin-Resource-Policy': 'same-origin',
    },
  })
}

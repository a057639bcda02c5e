// The raw bytes of a quarantined letter as an .eml download (administrators).
// Never shown inline: the letter may carry anything.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireRole } from '~/accounts/session.server'
import { quarantinedRaw } from '~/helpdesk/quarantine.server'

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireRole(request, ['ADMIN'])
  const raw = await quarantinedRaw(user, Number(params.id))
  return new Response(new Uint8Array(raw), {
    headers: {
      'Content-Type': 'message/rfc822',
      'Content-Length': String(raw.length),
      'Content-Disposition': `attachment; filename="letter-${Number(params.id)}.eml"`,
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, no-store',
    },
  })
}

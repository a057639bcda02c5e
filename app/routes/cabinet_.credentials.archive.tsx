// Resource route: generates the yearly credentials archive and returns the
// .xlsx file itself (a document POST from /cabinet/credentials).
import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { issueCredentialArchive } from '~/accounts/credentials.server'
import { requireUser } from '~/accounts/session.server'
import { clientIp } from '~/utils/http.server'

export async function loader() {
  throw redirect('/cabinet/credentials')
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request)
  const form = await request.formData()
  if (form.get('confirm') !== 'yes') {
    throw new Response('Подтвердите формирование архива: отметьте, что понимаете, что прежние пароли перестанут действовать.', { status: 400 })
  }
  const { xlsx, rows } = await issueCredentialArchive(user, { ip: clientIp(context) })
  const date = new Date().toISOString().slice(0, 10)
  return new Response(xlsx, {
    headers: {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="dostupy-${user.organization.login}-${date}.xlsx"; filename*=UTF-8''${encodeURIComponent(`Доступы ${user.organization.login} ${date}.xlsx`)}`,
      'Cache-Control': 'no-store',
      'X-Credentials-Count': String(rows.length),
    },
  })
}


import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { audit } from '~/accounts/audit.server'
import { destroySessionCookie, getSessionUser, revokeAllSessions, revokeSession } from '~/accounts/session.server'
import { clientIp } from '~/utils/http.server'

export async function loader() {
  throw redirect('/cabinet')
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await getSessionUser(request)
  if (user) {
    const form = await request.formData()
    if (form.get('everywhere') === '1') {
      await revokeAllSessions(user.id)
      await audit({ action: 'auth.logout_everywhere', actor: user, targetLogin: user.login, ip: clientIp(context) })
    } else {
      await revokeSession(user.sessionId)
      await audit({ action: 'auth.logout', actor: user, targetLogin: user.login, ip: clientIp(context) })
    }
  }
  return redirect('/login', { headers: { 'Set-Cookie': await destroySessionCookie() } })
}

import type { LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { getSessionUser } from '~/accounts/session.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getSessionUser(request)
  throw redirect(user ? '/cabinet' : '/login')
}

// /answers: the bank lives inside the cabinet; keep the short address working.
import type { LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url)
  return redirect(`/cabinet/answers${url.search}`)
}

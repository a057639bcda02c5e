// Sections that later issues build. Until then they say so (not a 404), and
// only to the roles that will have them.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { SECTIONS, hasSection, type SectionKey } from '~/accounts/roles'
import { requireUser } from '~/accounts/session.server'

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? 'Раздел'} — ФИС ОКО` }]

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  const section = SECTIONS[params.section as SectionKey]
  if (!section?.planned) throw new Response('Такого раздела нет.', { status: 404 })
  if (!hasSection(user.role, section.key)) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  return json({ title: section.title, planned: section.planned })
}

export default function PlannedSection() {
  const { title, planned } = useLoaderData<typeof loader>()
  return (
    <>
      <h1>{title}</h1>
      <p className="alert alert-info" data-testid="planned">
        Раздел готовится и появится в ближайших версиях. {planned}
      </p>
    </>
  )
}

// «Новая тема» in a support forum; `?section=<id>` preselects the section.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { hasSection } from '~/accounts/roles'
import { requireUser } from '~/accounts/session.server'
import { editorLinks } from '~/components/editor/post-editor'
import { AskForm } from '~/components/forum/ask-form'
import { Crumbs } from '~/components/forum/crumbs'
import { ForumErrorBoundary } from '~/components/forum/error-boundary'
import { askAction } from '~/forum/ask-action.server'
import { getForum } from '~/forum/forums.server'
import styles from '~/forum/forum.css'
import { idOf } from '~/forum/page-actions.server'

export const links: LinksFunction = () => [...editorLinks(), { rel: 'stylesheet', href: styles }]
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Новая тема — ${data?.forum.title ?? 'форум'}` }]

async function supportForum(request: Request, slug: string | undefined) {
  const user = await requireUser(request)
  if (!hasSection(user.role, 'forums')) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  const found = await getForum(slug ?? '')
  if (found.forum.kind !== 'SUPPORT') throw new Response('Такого форума нет.', { status: 404 })
  return { user, ...found }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { forum, sections } = await supportForum(request, params.slug)
  const wanted = idOf(new URL(request.url).searchParams.get('section'))
  const active = sections.filter((s) => !s.archived)
  return json({
    forum: { slug: forum.slug, kind: forum.kind, study: forum.study, title: forum.title },
    sections: active.map((s) => ({ id: s.id, title: s.title })),
    sectionId: active.some((s) => s.id === wanted) ? (wanted ?? undefined) : undefined,
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, forum } = await supportForum(request, params.slug)
  return askAction(user, request, forum.slug)
}

export default function NewSupportTopic() {
  const { forum, sections, sectionId } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const section = sections.find((s) => s.id === sectionId)
  return (
    <>
      <Crumbs
        items={[
          { to: '/cabinet/forums', label: 'Форумы' },
          { to: `/cabinet/forums/${forum.slug}`, label: forum.title },
          ...(section ? [{ to: `/cabinet/forums/${forum.slug}/${section.id}`, label: section.title }] : []),
          { label: 'Новая тема' },
        ]}
      />
      <h1>Новая тема: {forum.title}</h1>
      <p className="hint">Укажите логин и название ОО или МОУО, опишите подробно, что делали и что произошло. Консультаций по телефону нет.</p>
      <AskForm forum={forum} sections={sections} defaults={{ sectionId }} result={result} />
    </>
  )
}

export function ErrorBoundary() {
  return <ForumErrorBoundary back={{ to: '/cabinet/forums', label: 'К форумам' }} />
}

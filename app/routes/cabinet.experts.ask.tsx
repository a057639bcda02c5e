// «Задать вопрос» in the ВПР experts forum; `?subject=<id>` preselects the
// subject and grade (the link from a subject's list).
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { hasSection } from '~/accounts/roles'
import { requireUser } from '~/accounts/session.server'
import { editorLinks } from '~/components/editor/post-editor'
import { AskForm } from '~/components/forum/ask-form'
import { Crumbs } from '~/components/forum/crumbs'
import { ForumErrorBoundary } from '~/components/forum/error-boundary'
import { getForum } from '~/forum/forums.server'
import styles from '~/forum/forum.css'
import { idOf } from '~/forum/page-actions.server'
import { askAction } from '~/forum/ask-action.server'

export const links: LinksFunction = () => [...editorLinks(), { rel: 'stylesheet', href: styles }]
export const meta: MetaFunction = () => [{ title: 'Задать вопрос — Эксперты ВПР' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  if (!hasSection(user.role, 'experts')) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  const { forum, subjects } = await getForum('experts')
  const wanted = idOf(new URL(request.url).searchParams.get('subject'))
  const active = subjects.filter((s) => !s.archived)
  return json({
    forum: { slug: forum.slug, kind: forum.kind, study: forum.study },
    subjects: active.map((s) => ({ id: s.id, subject: s.subject, grade: s.grade, taskCount: s.taskCount })),
    expertSubjectId: active.some((s) => s.id === wanted) ? (wanted ?? undefined) : undefined,
  })
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request)
  if (!hasSection(user.role, 'experts')) throw new Response('Этот раздел недоступен для вашей роли.', { status: 403 })
  return askAction(user, request, 'experts')
}

export default function AskExperts() {
  const { forum, subjects, expertSubjectId } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  return (
    <>
      <Crumbs items={[{ to: '/cabinet/experts', label: 'Эксперты ВПР' }, { label: 'Новый вопрос' }]} />
      <h1>Задать вопрос специалистам ФИОКО</h1>
      <p className="hint">Один вопрос — одна ситуация при проверке. Укажите предмет, класс и номер задания: так вопрос быстрее найдёт специалист, а ответ — другие эксперты.</p>
      <AskForm forum={forum} subjects={subjects} defaults={{ expertSubjectId }} result={result} />
    </>
  )
}

export function ErrorBoundary() {
  return <ForumErrorBoundary />
}

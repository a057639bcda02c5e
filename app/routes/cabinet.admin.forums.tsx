// Administration of the forums: the sections of each support forum (add,
// rename, reorder, archive) and the ВПР catalogue of the experts forum
// (subject and grade, number of tasks, order, archive).
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useFetcher, useLoaderData } from '@remix-run/react'
import { requireRole } from '~/accounts/session.server'
import { ForumErrorBoundary } from '~/components/forum/error-boundary'
import { archiveExpertSubject, archiveSection, getForum, listForums, saveExpertSubject, saveSection } from '~/forum/forums.server'
import styles from '~/forum/forum.css'
import { idOf, outcome, refuse, type ActionData } from '~/forum/page-actions.server'
import type { ExpertSubjectSummary, SectionSummary } from '~/forum/types'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction = () => [{ title: 'Форумы — администрирование' }]

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ['ADMIN'])
  const forums = await listForums()
  const full = await Promise.all(forums.map((f) => getForum(f.slug)))
  return json({
    support: full.filter((f) => f.forum.kind === 'SUPPORT').map((f) => ({ forum: f.forum, sections: f.sections })),
    subjects: full.find((f) => f.forum.kind === 'EXPERTS')?.subjects ?? [],
  })
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, ['ADMIN'])
  const form = Object.fromEntries(await request.formData())
  const intent = String(form.intent ?? '')
  const id = idOf(form.id as string)
  switch (intent) {
    case 'saveSection':
      return outcome(intent, () => saveSection(user, form), { target: id ?? undefined, notice: id ? 'Раздел сохранён.' : 'Раздел добавлен.' })
    case 'archiveSection':
      if (id === null) return refuse(intent, 'Раздел не найден.')
      return outcome(intent, () => archiveSection(user, id, form.archived === '1'), { target: id })
    case 'saveSubject':
      return outcome(intent, () => saveExpertSubject(user, form), { target: id ?? undefined, notice: id ? 'Предмет сохранён.' : 'Предмет добавлен в каталог.' })
    case 'archiveSubject':
      if (id === null) return refuse(intent, 'Предмет не найден.')
      return outcome(intent, () => archiveExpertSubject(user, id, form.archived === '1'), { target: id })
    default:
      return refuse(intent, 'Неизвестное действие.')
  }
}

/** Sends an entry of the catalogue or a section to the archive, or brings it back. */
function ArchiveToggle({ intent, id, archived, restoreLabel }: { intent: 'archiveSubject' | 'archiveSection'; id: number; archived: boolean; restoreLabel: string }) {
  const archive = useFetcher<ActionData>()
  return (
    <archive.Form method="post">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="archived" value={archived ? '0' : '1'} />
      <button type="submit" className="button small" disabled={archive.state !== 'idle'}>
        {archived ? restoreLabel : 'В архив'}
      </button>
      <Message data={archive.data} />
    </archive.Form>
  )
}

function Message({ data }: { data?: ActionData }) {
  if (!data) return null
  return data.ok ? (
    data.notice ? (
      <span className="hint small" role="status">
        {data.notice}
      </span>
    ) : null
  ) : (
    <span className="field-error" role="alert">
      {data.error}
    </span>
  )
}

export default function AdminForums() {
  const { support, subjects } = useLoaderData<typeof loader>()
  return (
    <>
      <h1>Форумы</h1>
      <section aria-labelledby="catalogue-h">
        <h2 id="catalogue-h">Каталог ВПР для форума экспертов</h2>
        <p className="hint">Предмет в классе — раздел форума «Эксперты ВПР». Число заданий задаёт выбор номера задания в форме вопроса. Архивный предмет остаётся читаемым, новых вопросов в нём не задают.</p>
        <div className="table-wrap">
          <table className="data" data-testid="catalogue-admin">
            <thead>
              <tr>
                <th scope="col">Предмет, класс, заданий, порядок</th>
                <th scope="col">Вопросов</th>
                <th scope="col">Архив</th>
              </tr>
            </thead>
            <tbody>
              {subjects.map((s) => (
                <SubjectRow key={s.id} subject={s} />
              ))}
            </tbody>
          </table>
        </div>
        <NewSubject />
      </section>
      <section aria-labelledby="sections-h" style={{ marginTop: '2rem' }}>
        <h2 id="sections-h">Разделы форумов поддержки</h2>
        <div className="admin-grid">
          {support.map(({ forum, sections }) => (
            <div key={forum.id} className="card">
              <h3 style={{ marginTop: 0 }}>{forum.title}</h3>
              <table className="data">
                <tbody>
                  {sections.map((s) => (
                    <SectionRow key={s.id} forumId={forum.id} section={s} />
                  ))}
                </tbody>
              </table>
              <NewSection forumId={forum.id} forumTitle={forum.title} />
            </div>
          ))}
        </div>
      </section>
    </>
  )
}

function SubjectRow({ subject: s }: { subject: ExpertSubjectSummary }) {
  const fetcher = useFetcher<ActionData>()
  return (
    <tr className={s.archived ? 'archived' : undefined}>
      <td>
        <fetcher.Form method="post" className="inline-form">
          <input type="hidden" name="intent" value="saveSubject" />
          <input type="hidden" name="id" value={s.id} />
          <label>
            <span className="visually-hidden">Предмет</span>
            <input name="subject" defaultValue={s.subject} maxLength={100} required size={18} />
          </label>
          <label>
            <span className="visually-hidden">Класс</span>
            <input name="grade" type="number" min={1} max={11} defaultValue={s.grade} required />
          </label>
          <label>
            <span className="visually-hidden">Число заданий</span>
            <input name="taskCount" type="number" min={1} max={50} defaultValue={s.taskCount ?? ''} placeholder="заданий" />
          </label>
          <label>
            <span className="visually-hidden">Порядок</span>
            <input name="position" type="number" min={0} max={1000} defaultValue={s.position} />
          </label>
          <button type="submit" className="button small" disabled={fetcher.state !== 'idle'}>
            Сохранить
          </button>
          <Message data={fetcher.data} />
        </fetcher.Form>
      </td>
      <td>
        {s.topicCount} ({s.openCount} без ответа)
      </td>
      <td>
        <ArchiveToggle intent="archiveSubject" id={s.id} archived={s.archived} restoreLabel="Вернуть из архива" />
      </td>
    </tr>
  )
}

function NewSubject() {
  const fetcher = useFetcher<ActionData>()
  return (
    <fetcher.Form method="post" className="toolbar" style={{ marginTop: '1rem' }} aria-label="Добавить предмет">
      <input type="hidden" name="intent" value="saveSubject" />
      <label className="field">
        <span>Предмет</span>
        <input name="subject" maxLength={100} required />
      </label>
      <label className="field">
        <span>Класс</span>
        <input name="grade" type="number" min={1} max={11} required />
      </label>
      <label className="field">
        <span>Заданий</span>
        <input name="taskCount" type="number" min={1} max={50} />
      </label>
      <button type="submit" className="button primary" disabled={fetcher.state !== 'idle'}>
        Добавить в каталог
      </button>
      <Message data={fetcher.data} />
    </fetcher.Form>
  )
}

function SectionRow({ forumId, section: s }: { forumId: number; section: SectionSummary }) {
  const fetcher = useFetcher<ActionData>()
  return (
    <tr className={s.archived ? 'archived' : undefined}>
      <td>
        <fetcher.Form method="post" className="inline-form">
          <input type="hidden" name="intent" value="saveSection" />
          <input type="hidden" name="id" value={s.id} />
          <input type="hidden" name="forumId" value={forumId} />
          <label>
            <span className="visually-hidden">Название раздела</span>
            <input name="title" defaultValue={s.title} maxLength={100} required size={20} />
          </label>
          <label>
            <span className="visually-hidden">Порядок</span>
            <input name="position" type="number" min={0} max={1000} defaultValue={s.position} />
          </label>
          <input type="hidden" name="description" value={s.description ?? ''} />
          <button type="submit" className="button small" disabled={fetcher.state !== 'idle'}>
            Сохранить
          </button>
          <Message data={fetcher.data} />
        </fetcher.Form>
        <span className="hint small">тем: {s.topicCount}</span>
      </td>
      <td>
        <ArchiveToggle intent="archiveSection" id={s.id} archived={s.archived} restoreLabel="Вернуть" />
      </td>
    </tr>
  )
}

function NewSection({ forumId, forumTitle }: { forumId: number; forumTitle: string }) {
  const fetcher = useFetcher<ActionData>()
  return (
    <fetcher.Form method="post" className="inline-form" style={{ marginTop: '.5rem' }} aria-label={`Новый раздел форума ${forumTitle}`}>
      <input type="hidden" name="intent" value="saveSection" />
      <input type="hidden" name="forumId" value={forumId} />
      <label>
        <span className="visually-hidden">Название нового раздела</span>
        <input name="title" maxLength={100} required placeholder="Новый раздел" />
      </label>
      <button type="submit" className="button small" disabled={fetcher.state !== 'idle'}>
        Добавить
      </button>
      <Message data={fetcher.data} />
    </fetcher.Form>
  )
}

export function ErrorBoundary() {
  return <ForumErrorBoundary back={{ to: '/cabinet/admin', label: 'К администрированию' }} />
}

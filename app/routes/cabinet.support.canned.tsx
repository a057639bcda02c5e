// Canned replies (шаблоны ответов), managed by support agents and
// administrators: title, optional study, text with placeholders.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { requireRole } from '~/accounts/session.server'
import { CannedReplyInput, PLACEHOLDERS } from '~/helpdesk/canned'
import { createCanned, deleteCanned, listCanned, updateCanned } from '~/helpdesk/canned.server'
import styles from '~/helpdesk/desk.css'
import { STUDIES } from '~/helpdesk/desk-query'
import { AGENT_ROLES, parseTicketId } from '~/helpdesk/desk-scope.server'
import { fieldErrors } from '~/utils/http.server'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction = () => [{ title: 'Шаблоны ответов — Техподдержка' }]

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, [...AGENT_ROLES])
  const canned = await listCanned()
  return json({ canned: canned.map((c) => ({ id: c.id, title: c.title, body: c.body, study: c.study })) })
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, [...AGENT_ROLES])
  const form = await request.formData()
  const intent = form.get('intent')
  const id = parseTicketId(form.get('id'))
  if (intent === 'delete') {
    if (!id) return json({ ok: false as const, id: null, errors: { form: 'Шаблон не найден.' } }, { status: 400 })
    await deleteCanned(user, id)
    return json({ ok: true as const, id, notice: 'Шаблон удалён.' })
  }
  const parsed = CannedReplyInput.safeParse({ title: form.get('title'), body: form.get('body'), study: form.get('study') })
  if (!parsed.success) return json({ ok: false as const, id, errors: fieldErrors(parsed.error) }, { status: 400 })
  if (intent === 'update' && id) await updateCanned(user, id, parsed.data)
  else await createCanned(user, parsed.data)
  return json({ ok: true as const, id, notice: 'Шаблон сохранён.' })
}

function CannedFields({ values, errors }: { values?: { title: string; body: string; study: string | null }; errors?: Record<string, string> }) {
  return (
    <>
      <label className="field">
        <span>Название</span>
        <input name="title" defaultValue={values?.title} required maxLength={200} aria-invalid={errors?.title ? true : undefined} />
        {errors?.title ? <span className="field-error">{errors.title}</span> : null}
      </label>
      <label className="field">
        <span>Исследование</span>
        <select name="study" defaultValue={values?.study ?? ''}>
          <option value="">Для всех обращений</option>
          {STUDIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Текст</span>
        <textarea name="body" defaultValue={values?.body} required rows={6} maxLength={20_000} aria-invalid={errors?.body ? true : undefined} />
        {errors?.body ? <span className="field-error">{errors.body}</span> : null}
      </label>
    </>
  )
}

export default function CannedReplies() {
  const { canned } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  const createRef = useRef<HTMLFormElement>(null)
  useEffect(() => {
    if (result?.ok && result.id === null) createRef.current?.reset()
  }, [result])
  return (
    <>
      <p>
        <Link to="/cabinet/support">← Очередь</Link>
      </p>
      <h1>Шаблоны ответов</h1>
      <p className="hint">
        В тексте можно использовать подстановки:{' '}
        {(Object.keys(PLACEHOLDERS) as (keyof typeof PLACEHOLDERS)[]).map((k, i) => (
          <span key={k}>
            {i ? ', ' : ''}
            <code>{`{{${k}}}`}</code> — {PLACEHOLDERS[k]}
          </span>
        ))}
        .
      </p>
      {result?.ok ? (
        <p className="alert alert-success" role="status">
          {result.notice}
        </p>
      ) : null}
      <section className="card" aria-labelledby="new-canned">
        <h2 id="new-canned">Новый шаблон</h2>
        <Form method="post" ref={createRef}>
          <input type="hidden" name="intent" value="create" />
          <CannedFields errors={result && !result.ok && result.id === null ? result.errors : undefined} />
          <button type="submit" className="button primary" disabled={busy}>
            Добавить шаблон
          </button>
        </Form>
      </section>
      {canned.length ? <h2>Шаблоны ({canned.length})</h2> : null}
      {canned.map((c) => (
        <details key={c.id} className="card" data-testid="canned-item">
          <summary>
            <strong>{c.title}</strong> {c.study ? <span className="badge">{c.study}</span> : <span className="badge">все</span>}
          </summary>
          <Form method="post">
            <input type="hidden" name="intent" value="update" />
            <input type="hidden" name="id" value={c.id} />
            <CannedFields values={c} errors={result && !result.ok && result.id === c.id ? result.errors : undefined} />
            <button type="submit" className="button" disabled={busy}>
              Сохранить
            </button>
          </Form>
          <Form method="post" onSubmit={(e) => (!window.confirm(`Удалить шаблон «${c.title}»?`) ? e.preventDefault() : undefined)}>
            <input type="hidden" name="intent" value="delete" />
            <input type="hidden" name="id" value={c.id} />
            <button type="submit" className="button small danger" disabled={busy}>
              Удалить
            </button>
          </Form>
        </details>
      ))}
    </>
  )
}

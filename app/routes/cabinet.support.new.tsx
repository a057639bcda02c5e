// «Новое обращение»: the web form of the support rules (login, organisation,
// a detailed description, screenshots), prefilled from the coordinator's
// account. It goes through the same pipeline and rules as a letter.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { requireRole } from '~/accounts/session.server'
import styles from '~/helpdesk/desk.css'
import { STUDIES } from '~/helpdesk/desk-query'
import { REQUESTER_ROLES } from '~/helpdesk/desk-scope.server'
import { readFormWithFiles } from '~/helpdesk/uploads.server'
import { submitWebTicket } from '~/helpdesk/web-ticket.server'
import { fieldErrors } from '~/utils/http.server'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction = () => [{ title: 'Новое обращение — Техподдержка' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, [...REQUESTER_ROLES])
  return json({ login: user.organization.login, orgName: user.organization.name })
}

const NewTicketForm = z.object({
  subject: z.string().trim().min(3, 'Коротко назовите проблему в теме').max(200, 'Тема не длиннее 200 символов'),
  study: z.preprocess((v) => (v === '' ? undefined : v), z.enum(STUDIES).optional()),
  description: z.string().trim().min(1, 'Опишите проблему').max(20_000, 'Описание не длиннее 20 000 символов'),
  login: z.string().trim().max(40).optional(),
  orgName: z.string().trim().max(300).optional(),
})

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, [...REQUESTER_ROLES])
  const parsed = await readFormWithFiles(request)
  if (parsed.status === 'error') return json({ errors: { files: parsed.message } as Record<string, string> }, { status: 400 })
  const fields = NewTicketForm.safeParse(Object.fromEntries([...parsed.form.entries()].filter(([, v]) => typeof v === 'string')))
  if (!fields.success) return json({ errors: fieldErrors(fields.error) }, { status: 400 })
  try {
    const { ticketId } = await submitWebTicket(user, { ...fields.data, files: parsed.files })
    return redirect(`/cabinet/support/${ticketId}`)
  } catch (error) {
    // The rules' schema refuses a field: { errors: { field: message } }.
    if (error instanceof Response && error.status === 400) return json(await error.json() as { errors: Record<string, string> }, { status: 400 })
    throw error
  }
}

export default function NewTicket() {
  const { login, orgName } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const errors = result?.errors ?? {}
  const busy = useNavigation().state === 'submitting'
  return (
    <>
      <p>
        <Link to="/cabinet/support">← Мои обращения</Link>
      </p>
      <h1>Новое обращение в техподдержку</h1>
      <p className="hint">
        Чтобы мы могли помочь быстро, укажите логин и название организации, подробно опишите, в каком разделе кабинета и с какой публикацией или отчётом вы работали, что делали и что
        произошло (текст ошибки — дословно), и приложите снимок экрана, если что-то пошло не так в интерфейсе.
      </p>
      <Form method="post" encType="multipart/form-data" className="card">
        <label className="field">
          <span>Тема</span>
          <input name="subject" required minLength={3} maxLength={200} aria-invalid={errors.subject ? true : undefined} data-testid="new-subject" />
          {errors.subject ? <span className="field-error">{errors.subject}</span> : null}
        </label>
        <label className="field">
          <span>Исследование</span>
          <select name="study" defaultValue="">
            <option value="">Не относится к исследованию / не знаю</option>
            {STUDIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <div className="toolbar">
          <label className="field">
            <span>Логин организации</span>
            <input name="login" defaultValue={login} maxLength={40} aria-invalid={errors.login ? true : undefined} />
            {errors.login ? <span className="field-error">{errors.login}</span> : null}
          </label>
          <label className="field" style={{ flex: 1 }}>
            <span>Название организации</span>
            <input name="orgName" defaultValue={orgName} maxLength={300} aria-invalid={errors.orgName ? true : undefined} />
            {errors.orgName ? <span className="field-error">{errors.orgName}</span> : null}
          </label>
        </div>
        <label className="field">
          <span>Описание проблемы</span>
          <textarea name="description" required rows={8} maxLength={20_000} aria-invalid={errors.description ? true : undefined} data-testid="new-description" />
          {errors.description ? <span className="field-error">{errors.description}</span> : null}
        </label>
        <label className="field">
          <span>Снимки экрана и файлы (до 10 файлов, до 10 МБ каждый)</span>
          <input type="file" name="files" multiple accept="image/*,.pdf,.xlsx,.xls,.docx,.doc,.zip" />
          {errors.files ? <span className="field-error">{errors.files}</span> : null}
        </label>
        <p className="alert alert-warn small">
          Персональные данные (152-ФЗ): не прикладывайте списки с фамилиями учеников, коды участников, фотографии работ с именами. Если они видны на снимке экрана, закройте их
          перед отправкой.
        </p>
        <button type="submit" className="button primary" disabled={busy}>
          Отправить обращение
        </button>
      </Form>
    </>
  )
}

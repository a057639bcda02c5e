// A school coordinator gives its teachers expert access for the checking window.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { NewTeacherSchema, createTeacher, resetTeacherPassword, setTeacherDisabled } from '~/accounts/credentials.server'
import { requireRole } from '~/accounts/session.server'
import { AccountState } from '~/components/account-state'
import { IssuedPassword } from '~/components/issued-password'
import { prisma } from '~/utils/db.server'
import { badRequest, clientIp, fieldErrors } from '~/utils/http.server'

export const meta: MetaFunction = () => [{ title: 'Эксперты школы — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, ['SCHOOL_COORDINATOR'])
  const teachers = await prisma.user.findMany({
    where: { organizationId: user.organization.id, role: 'TEACHER_EXPERT' },
    orderBy: { login: 'asc' },
    select: { id: true, login: true, fullName: true, email: true, disabled: true, lastLoginAt: true, mustChangePassword: true },
  })
  return json({ teachers })
}

const TargetForm = z.object({ userId: z.coerce.number().int().positive() })

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireRole(request, ['SCHOOL_COORDINATOR'])
  const form = Object.fromEntries(await request.formData())
  const meta = { ip: clientIp(context) }
  switch (form.intent) {
    case 'create': {
      const parsed = NewTeacherSchema.safeParse(form)
      if (!parsed.success) return json({ errors: fieldErrors(parsed.error), issued: null }, { status: 400 })
      return json({ errors: null, issued: await createTeacher(user, parsed.data, meta) })
    }
    case 'reset':
    case 'disable':
    case 'enable': {
      const target = TargetForm.safeParse(form)
      if (!target.success) throw badRequest()
      if (form.intent === 'reset') return json({ errors: null, issued: await resetTeacherPassword(user, target.data.userId, meta) })
      await setTeacherDisabled(user, target.data.userId, form.intent === 'disable', meta)
      return json({ errors: null, issued: null })
    }
    default:
      throw badRequest()
  }
}

export default function Team() {
  const { teachers } = useLoaderData<typeof loader>()
  const data = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  const errors: Record<string, string> = data?.errors ?? {}
  return (
    <>
      <h1>Эксперты школы</h1>
      <p className="hint">Учителя, проверяющие работы, получают собственные учётные записи с доступом к форуму экспертов ВПР. Пароль выдаётся одноразовый.</p>
      {data?.issued ? <IssuedPassword login={data.issued.login} password={data.issued.password} name={data.issued.fullName} /> : null}
      <section className="card" aria-labelledby="new-teacher">
        <h2 id="new-teacher">Добавить эксперта</h2>
        <Form method="post" className="toolbar" noValidate>
          <input type="hidden" name="intent" value="create" />
          <label className="field">
            <span>ФИО</span>
            <input name="fullName" required aria-invalid={Boolean(errors.fullName)} />
            {errors.fullName ? <span className="field-error">{errors.fullName}</span> : null}
          </label>
          <label className="field">
            <span>Эл. почта (необязательно)</span>
            <input name="email" type="email" aria-invalid={Boolean(errors.email)} />
            {errors.email ? <span className="field-error">{errors.email}</span> : null}
          </label>
          <button type="submit" className="button primary" disabled={busy}>
            Создать и выдать пароль
          </button>
        </Form>
      </section>
      {teachers.length === 0 ? (
        <p>Экспертов пока нет.</p>
      ) : (
        <div className="table-wrap">
          <table className="data" data-testid="teachers-table">
            <thead>
              <tr>
                <th scope="col">Логин</th>
                <th scope="col">ФИО</th>
                <th scope="col">Состояние</th>
                <th scope="col">
                  <span className="visually-hidden">Действия</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {teachers.map((t) => (
                <tr key={t.id}>
                  <td>{t.login}</td>
                  <td>{t.fullName}</td>
                  <td>
                    <AccountState disabled={t.disabled} mustChangePassword={t.mustChangePassword} />
                  </td>
                  <td className="toolbar">
                    <Form method="post">
                      <input type="hidden" name="userId" value={t.id} />
                      <button name="intent" value="reset" className="button small">
                        Сбросить пароль
                      </button>
                    </Form>
                    <Form method="post">
                      <input type="hidden" name="userId" value={t.id} />
                      <button name="intent" value={t.disabled ? 'enable' : 'disable'} className="button small">
                        {t.disabled ? 'Включить' : 'Отключить'}
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}

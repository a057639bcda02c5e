import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { ChangePasswordSchema, changePassword } from '~/accounts/auth.server'
import { PASSWORD_RULES } from '~/accounts/password.server'
import { requireUser } from '~/accounts/session.server'
import { clientIp, fieldErrors } from '~/utils/http.server'

export const meta: MetaFunction = () => [{ title: 'Смена пароля — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { allowPendingPasswordChange: true })
  return json({ forced: user.mustChangePassword, login: user.login, minLength: PASSWORD_RULES.minLength })
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, { allowPendingPasswordChange: true })
  const parsed = ChangePasswordSchema.safeParse(Object.fromEntries(await request.formData()))
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 })
  const result = await changePassword(user.id, user.sessionId, parsed.data, { ip: clientIp(context) })
  if (result.status === 'error') return json({ errors: { [result.field]: result.message } as Record<string, string> }, { status: 400 })
  return redirect('/cabinet?password=changed')
}

export default function PasswordPage() {
  const { forced, login, minLength } = useLoaderData<typeof loader>()
  const data = useActionData<typeof action>()
  const busy = useNavigation().state !== 'idle'
  const errors: Record<string, string> = data?.errors ?? {}
  const field = (name: string, label: string, autoComplete: string) => (
    <label className="field">
      <span>{label}</span>
      <input name={name} type="password" autoComplete={autoComplete} required aria-invalid={Boolean(errors[name])} aria-describedby={errors[name] ? `${name}-error` : undefined} />
      {errors[name] ? <span className="field-error" id={`${name}-error`}>{errors[name]}</span> : null}
    </label>
  )
  return (
    <main className="auth-page">
      <section className="auth-card" aria-labelledby="pw-title">
        <p className="brand">ФИС ОКО · {login}</p>
        <h1 id="pw-title">{forced ? 'Задайте свой пароль' : 'Смена пароля'}</h1>
        {forced ? (
          <p className="alert alert-info">Вы вошли с одноразовым паролем. Прежде чем продолжить, придумайте собственный пароль: не короче {minLength} символов, без логина внутри.</p>
        ) : null}
        <Form method="post" noValidate>
          {field('currentPassword', forced ? 'Выданный пароль' : 'Текущий пароль', 'current-password')}
          {field('newPassword', 'Новый пароль', 'new-password')}
          {field('confirmPassword', 'Повторите новый пароль', 'new-password')}
          <button type="submit" className="button primary" disabled={busy}>
            Сохранить пароль
          </button>
        </Form>
        <Form method="post" action="/logout">
          <button type="submit" className="button link">Выйти</button>
        </Form>
      </section>
    </main>
  )
}

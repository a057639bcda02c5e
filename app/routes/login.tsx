import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json, redirect } from '@remix-run/node'
import { Form, useActionData, useNavigation, useSearchParams } from '@remix-run/react'
import { SignInSchema, signIn } from '~/accounts/auth.server'
import { commitSessionCookie, getSessionUser } from '~/accounts/session.server'
import { clientIp, fieldErrors, safeRedirect } from '~/utils/http.server'

export const meta: MetaFunction = () => [{ title: 'Вход — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getSessionUser(request)
  if (user) throw redirect(user.mustChangePassword ? '/password' : '/cabinet')
  return json({})
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData()
  // Honeypot: people do not fill a field they cannot see.
  if (form.get('website')) return json({ errors: { form: 'Форма отправлена автоматически.' } as Record<string, string> }, { status: 400 })
  const parsed = SignInSchema.safeParse(Object.fromEntries(form))
  if (!parsed.success) return json({ errors: fieldErrors(parsed.error) }, { status: 400 })
  const result = await signIn(parsed.data, { ip: clientIp(context), userAgent: request.headers.get('user-agent') })
  if (result.status === 'error') {
    return json({ errors: { form: result.message } as Record<string, string> }, { status: result.httpStatus })
  }
  const to = result.mustChangePassword ? '/password' : safeRedirect(parsed.data.redirectTo)
  return redirect(to, { headers: { 'Set-Cookie': await commitSessionCookie(result.sessionId) } })
}

export default function Login() {
  const data = useActionData<typeof action>()
  const [params] = useSearchParams()
  const busy = useNavigation().state !== 'idle'
  const errors: Record<string, string> = data?.errors ?? {}
  return (
    <main className="auth-page">
      <section className="auth-card" aria-labelledby="login-title">
        <p className="brand">ФИС ОКО · поддержка</p>
        <h1 id="login-title">Вход в личный кабинет</h1>
        <p className="hint">Используйте логин и пароль, выданные координатором (например, edu293379 для ОО, reg29_m019 для МОУО).</p>
        {params.get('revoked') && !errors.form ? (
          <p className="alert alert-info" role="status">
            Сеанс завершён: выполнен выход на всех устройствах, сменён пароль или роль. Войдите снова.
          </p>
        ) : null}
        {errors.form ? (
          <p className="alert alert-error" role="alert">
            {errors.form}
          </p>
        ) : null}
        <Form method="post" noValidate>
          <input type="hidden" name="redirectTo" value={params.get('redirectTo') ?? ''} />
          <div className="honeypot" aria-hidden="true">
            <label>
              Сайт <input name="website" tabIndex={-1} autoComplete="off" />
            </label>
          </div>
          <label className="field">
            <span>Логин</span>
            <input name="login" autoComplete="username" autoCapitalize="none" spellCheck={false} required aria-invalid={Boolean(errors.login)} aria-describedby={errors.login ? 'login-error' : undefined} />
            {errors.login ? <span className="field-error" id="login-error">{errors.login}</span> : null}
          </label>
          <label className="field">
            <span>Пароль</span>
            <input name="password" type="password" autoComplete="current-password" required aria-invalid={Boolean(errors.password)} aria-describedby={errors.password ? 'password-error' : undefined} />
            {errors.password ? <span className="field-error" id="password-error">{errors.password}</span> : null}
          </label>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Вход…' : 'Войти'}
          </button>
        </Form>
        <p className="hint small">
          Забыли пароль или сменился координатор? Школа обращается к муниципальному координатору, МОУО — к региональному. Техподдержка пароли не выдаёт.
        </p>
      </section>
    </main>
  )
}

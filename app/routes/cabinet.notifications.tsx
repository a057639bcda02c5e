// «Уведомления»: the person's forum notifications, newest first, with read
// marks, and which kinds come on the site and by mail.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { requireUser } from '~/accounts/session.server'
import { Pager } from '~/components/pager'
import { NOTIFICATION_KIND_LABELS, NOTIFICATION_KINDS, type NotificationPreferences } from '~/notifications/kinds'
import { canReceiveMail, getPreferences, listNotifications, markRead, savePreferences } from '~/notifications/notifications.server'

export const meta: MetaFunction = () => [{ title: 'Уведомления — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  const page = Number(new URL(request.url).searchParams.get('page') ?? '1') || 1
  const [list, preferences, mailable] = await Promise.all([listNotifications(user.id, { page }), getPreferences(user.id), canReceiveMail(user.id)])
  return json({ ...list, preferences, mailable })
}

const ActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('read'), id: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal('read-all') }),
  z.object({ intent: z.literal('preferences') }),
])

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request)
  const form = await request.formData()
  const parsed = ActionSchema.safeParse(Object.fromEntries([...form].filter(([k]) => k === 'intent' || k === 'id')))
  if (!parsed.success) return json({ ok: false as const, message: 'Неизвестное действие.' }, { status: 400 })
  switch (parsed.data.intent) {
    case 'read':
      await markRead(user.id, [parsed.data.id])
      return json({ ok: true as const, message: null })
    case 'read-all': {
      const count = await markRead(user.id, 'all')
      return json({ ok: true as const, message: count ? `Отмечено прочитанными: ${count}.` : 'Непрочитанных уведомлений нет.' })
    }
    case 'preferences': {
      // Unchecked boxes are absent from the form: absent means off.
      const input = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, { web: form.get(`${k}.web`) === 'on', email: form.get(`${k}.email`) === 'on' }]))
      const saved = await savePreferences(user.id, input)
      if (saved.status === 'error') return json({ ok: false as const, message: saved.message }, { status: 400 })
      return json({ ok: true as const, message: 'Настройки уведомлений сохранены.' })
    }
  }
}

const fmt = (iso: string) => new Date(iso).toLocaleString('ru-RU', { timeZone: 'Europe/Moscow', dateStyle: 'short', timeStyle: 'short' })

export default function Notifications() {
  const { items, total, unread, page, pageSize, preferences, mailable } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state !== 'idle'
  return (
    <>
      <h1>Уведомления</h1>
      {result?.message ? (
        <p className={`alert ${result.ok ? 'alert-success' : 'alert-error'}`} role="status">
          {result.message}
        </p>
      ) : null}
      <section aria-labelledby="list-title" className="card">
        <div className="toolbar">
          <h2 id="list-title" style={{ margin: 0, flex: 1 }}>
            {unread > 0 ? `Непрочитанных: ${unread}` : 'Все прочитаны'}
          </h2>
          {unread > 0 ? (
            <Form method="post">
              <input type="hidden" name="intent" value="read-all" />
              <button type="submit" className="button small" disabled={busy}>
                Отметить все прочитанными
              </button>
            </Form>
          ) : null}
        </div>
        {items.length === 0 ? (
          <p className="hint">Уведомлений пока нет. Они появятся, когда на ваш вопрос ответят, его решат или вас упомянут на форуме.</p>
        ) : (
          <ul className="notification-list" data-testid="notification-list" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {items.map((n) => (
              <li key={n.id} data-testid="notification" data-read={n.read} style={{ padding: '.5rem 0', borderBottom: '1px solid var(--line)', fontWeight: n.read ? 'normal' : 600 }}>
                <Link to={n.url}>{n.text}</Link> <span className="hint small">{fmt(n.createdAt)}</span>{' '}
                {n.read ? null : (
                  <Form method="post" style={{ display: 'inline' }}>
                    <input type="hidden" name="intent" value="read" />
                    <input type="hidden" name="id" value={n.id} />
                    <button type="submit" className="button small" disabled={busy}>
                      Прочитано
                    </button>
                  </Form>
                )}
              </li>
            ))}
          </ul>
        )}
        {total > pageSize ? <Pager page={page} pageSize={pageSize} total={total} /> : null}
      </section>
      <PreferencesForm preferences={preferences} mailable={mailable} busy={busy} />
    </>
  )
}

function PreferencesForm({ preferences, mailable, busy }: { preferences: NotificationPreferences; mailable: boolean; busy: boolean }) {
  return (
    <section aria-labelledby="prefs-title" className="card">
      <h2 id="prefs-title">Что присылать</h2>
      {mailable ? null : (
        <p className="alert alert-warn">В учётной записи нет адреса электронной почты: письма не отправляются, уведомления видны только здесь.</p>
      )}
      <Form method="post">
        <input type="hidden" name="intent" value="preferences" />
        <table className="data" data-testid="notification-preferences">
          <thead>
            <tr>
              <th scope="col">Событие</th>
              <th scope="col">На сайте</th>
              <th scope="col">По почте</th>
            </tr>
          </thead>
          <tbody>
            {NOTIFICATION_KINDS.map((kind) => (
              <tr key={kind}>
                <th scope="row" style={{ fontWeight: 'normal', textAlign: 'left' }}>
                  {NOTIFICATION_KIND_LABELS[kind]}
                </th>
                <td>
                  <input type="checkbox" name={`${kind}.web`} defaultChecked={preferences[kind].web} aria-label={`${NOTIFICATION_KIND_LABELS[kind]}: на сайте`} />
                </td>
                <td>
                  <input type="checkbox" name={`${kind}.email`} defaultChecked={preferences[kind].email} aria-label={`${NOTIFICATION_KIND_LABELS[kind]}: по почте`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          <button type="submit" className="button" disabled={busy}>
            Сохранить
          </button>
        </p>
      </Form>
    </section>
  )
}

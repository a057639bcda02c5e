// A resolved ticket becomes a ready answer for the bank: the question (the
// requester's letter) and the answer (the agent's reply) with personal data
// removed, shown for review and editing before anything is saved.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { requireRole } from '~/accounts/session.server'
import styles from '~/helpdesk/desk.css'
import { STUDIES } from '~/helpdesk/desk-query'
import { AGENT_ROLES, parseTicketId } from '~/helpdesk/desk-scope.server'
import { describeRemoved, scrubPersonalData } from '~/helpdesk/scrub'
import { answerDraftFromTicket, saveAnswerFromTicket } from '~/helpdesk/tickets.server'
import { clientIp } from '~/utils/http.server'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction = () => [{ title: 'Ответ для банка — Техподдержка' }]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireRole(request, [...AGENT_ROLES])
  const draft = await answerDraftFromTicket(user, params.id, { ip: clientIp(context) })
  return json({ ticketId: parseTicketId(params.id)!, draft })
}

const SaveForm = z.object({
  question: z.string().max(5000, 'Вопрос не длиннее 5000 символов'),
  answer: z.string().max(20_000, 'Ответ не длиннее 20 000 символов'),
  study: z.string(),
  subject: z.string().max(100),
  visibility: z.enum(['public', 'agents']),
  status: z.enum(['draft', 'published']),
})

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireRole(request, [...AGENT_ROLES])
  const form = Object.fromEntries(await request.formData())
  const parsed = SaveForm.safeParse(form)
  if (!parsed.success) return json({ status: 'invalid' as const, errors: parsed.error.issues.map((i) => i.message) }, { status: 400 })
  if (form.intent === 'check') {
    // Clean again what the agent edited, without saving: the review shows what would be stored.
    const q = scrubPersonalData(parsed.data.question)
    const a = scrubPersonalData(parsed.data.answer)
    return json({ status: 'checked' as const, question: q.text, answer: a.text, removed: [...describeRemoved(q.removed), ...describeRemoved(a.removed)] })
  }
  const result = await saveAnswerFromTicket(user, params.id, parsed.data, { ip: clientIp(context) })
  if (result.status === 'invalid') return json(result, { status: 400 })
  return json({ status: 'saved' as const, id: result.answer.id, published: result.answer.status === 'published' })
}

export default function TicketToAnswer() {
  const { ticketId, draft } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  const checked = result?.status === 'checked' ? result : null
  const removed = checked ? checked.removed : [...describeRemoved(draft.question.removed), ...describeRemoved(draft.answer.removed)]
  return (
    <div className="review">
      <p>
        <Link to={`/cabinet/support/${ticketId}`}>← Обращение №{ticketId}</Link>
      </p>
      <h1>Ответ для банка из обращения №{ticketId}</h1>
      <p className="hint">
        Вопрос взят из первого письма заявителя, ответ — из последнего ответа сотрудника. Логины, адреса, телефоны, коды участников, фамилии и подписи уже убраны; проверьте
        текст и поправьте его так, чтобы он был понятен без переписки. При сохранении текст будет проверен ещё раз.
      </p>
      {removed.length ? (
        <p className="alert alert-info" data-testid="removed">
          Убрано: {removed.join('; ')}.
        </p>
      ) : null}
      {result?.status === 'saved' ? (
        <p className="alert alert-success" role="status" data-testid="saved">
          Ответ сохранён{result.published ? ' и опубликован' : ' как черновик'}.{' '}
          {result.published ? <Link to={`/cabinet/answers/${result.id}`}>Открыть в банке ответов</Link> : null}
        </p>
      ) : null}
      {result?.status === 'invalid' ? (
        <div className="alert alert-error" role="alert">
          {result.errors.map((e) => (
            <p key={e}>{e}</p>
          ))}
        </div>
      ) : null}
      <Form method="post" key={checked ? `checked-${checked.question.length}-${checked.answer.length}` : 'draft'}>
        <label className="field">
          <span>Вопрос</span>
          <textarea name="question" defaultValue={checked?.question ?? draft.question.text} required data-testid="answer-question" />
        </label>
        <label className="field">
          <span>Ответ</span>
          <textarea name="answer" defaultValue={checked?.answer ?? draft.answer.text} required data-testid="answer-answer" />
        </label>
        <div className="toolbar">
          <label className="field">
            <span>Исследование</span>
            <select name="study" defaultValue={draft.study ?? ''} required>
              <option value="" disabled>
                Выберите…
              </option>
              {STUDIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Раздел (предмет)</span>
            <input name="subject" defaultValue={draft.subject} required maxLength={100} />
          </label>
          <label className="field">
            <span>Кому виден</span>
            <select name="visibility" defaultValue={draft.existing?.visibility ?? 'public'}>
              <option value="public">Всем пользователям</option>
              <option value="agents">Только сотрудникам (техподдержка, ФИОКО)</option>
            </select>
          </label>
          <label className="field">
            <span>Сохранить как</span>
            <select name="status" defaultValue={draft.existing?.status === 'published' ? 'published' : 'draft'}>
              <option value="draft">Черновик</option>
              <option value="published">Опубликовать</option>
            </select>
          </label>
        </div>
        <button type="submit" name="intent" value="check" className="button" disabled={busy}>
          Проверить ещё раз
        </button>{' '}
        <button type="submit" name="intent" value="save" className="button primary" disabled={busy}>
          Сохранить в банк ответов
        </button>
      </Form>
    </div>
  )
}

// How the forum's route actions answer: the domain (app/forum/*.server.ts)
// checks permissions and returns `{status:'error', message}` or throws a
// Response for 403/404; pages get one shape back, `{ok, intent, error?}`,
// with a Russian message, so a form shows what went wrong beside itself.
import { json } from '@remix-run/node'
import type { ZodError } from 'zod'

export interface ActionData {
  ok: boolean
  intent: string
  /** The post or topic the intent was about: the page shows the message beside it. */
  target?: number
  error?: string
  notice?: string
  fieldErrors?: Record<string, string[] | undefined>
  /** Extra data some intents return (the history of a post). */
  data?: unknown
}

const STATUS_MESSAGES: Record<number, string> = {
  403: 'Это действие вам недоступно.',
  404: 'Сообщение или вопрос не найдены: возможно, их скрыли.',
  429: 'Слишком часто. Подождите немного и повторите.',
}

export function refuse(intent: string, error: string, status = 400, target?: number) {
  return json<ActionData>({ ok: false, intent, error, target }, { status })
}

export function invalid(intent: string, error: ZodError, target?: number) {
  const flat = error.flatten()
  return json<ActionData>({ ok: false, intent, target, error: error.issues[0]?.message ?? 'Проверьте введённые данные.', fieldErrors: flat.fieldErrors as Record<string, string[]> }, { status: 400 })
}

/** Runs a domain call and turns its outcome into the page's ActionData. */
export async function outcome(intent: string, call: () => Promise<unknown>, opts: { notice?: string; target?: number; data?: (value: unknown) => unknown } = {}) {
  try {
    const value = await call()
    if (value && typeof value === 'object' && 'status' in value && value.status === 'error') {
      const v = value as { message?: string; fieldErrors?: Record<string, string[]> }
      return json<ActionData>({ ok: false, intent, target: opts.target, error: v.message ?? 'Не получилось.', fieldErrors: v.fieldErrors }, { status: 400 })
    }
    return json<ActionData>({ ok: true, intent, target: opts.target, notice: opts.notice, data: opts.data ? opts.data(value) : undefined })
  } catch (error) {
    if (error instanceof Response) {
      if (error.status >= 300 && error.status < 400) throw error
      const text = (await error.text().catch(() => '')).trim()
      return json<ActionData>({ ok: false, intent, target: opts.target, error: text && text.length < 300 && !text.startsWith('<') ? text : (STATUS_MESSAGES[error.status] ?? 'Не получилось.') }, { status: error.status })
    }
    throw error
  }
}

/** A positive integer id from a form or URL field, else null. */
export function idOf(value: FormDataEntryValue | string | null | undefined): number | null {
  if (typeof value !== 'string' || !/^[1-9]\d{0,9}$/.test(value)) return null
  const n = Number(value)
  return n <= 2_147_483_647 ? n : null
}

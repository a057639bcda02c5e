// Small helpers for route modules.
import type { AppLoadContext } from '@remix-run/node'
import type { ZodError } from 'zod'

export function clientIp(context: AppLoadContext | undefined) {
  return context?.clientIp ?? 'unknown'
}

/** First message per field, for showing next to form inputs. */
export function fieldErrors(error: ZodError): Record<string, string> {
  const out: Record<string, string> = {}
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form')
    out[key] ??= issue.message
  }
  return out
}

/** Only same-site relative paths: never an open redirect. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/cabinet') {
  if (!to || typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return fallback
  return to
}

export function badRequest(message = 'Неверный запрос: форма заполнена неверно или повреждена.') {
  return new Response(message, { status: 400, statusText: 'Bad Request' })
}

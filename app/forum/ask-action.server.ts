// The action of both ask forms (experts forum, support forums): ask, then go
// to the new thread; on a refusal, the Russian message and the field errors
// go back to the form, which keeps what was typed.
import { json, redirect } from '@remix-run/node'
import type { SessionUser } from '~/accounts/session.server'
import type { AskFormErrors } from '~/components/forum/ask-form'
import type { AskInput } from './schemas'
import { askQuestion } from './topics.server'

export async function askAction(user: SessionUser, request: Request, forum: string) {
  const form = Object.fromEntries(await request.formData())
  const input = { ...form, forum } as AskInput
  try {
    const result = await askQuestion(user, input)
    if (result.status === 'success') return redirect(`/cabinet/topics/${result.topicId}`)
    return json<AskFormErrors>({ error: result.message, fieldErrors: 'fieldErrors' in result ? result.fieldErrors : undefined }, { status: 400 })
  } catch (error) {
    if (error instanceof Response && error.status >= 400) return json<AskFormErrors>({ error: (await error.text()) || 'Не получилось опубликовать вопрос.' }, { status: error.status })
    throw error
  }
}

// Synonyms of search (administrators and ФИОКО specialists): one group of
// interchangeable terms per line, terms separated by commas.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { requireRole } from '~/accounts/session.server'
import styles from '~/search/answers.css'
import { SYNONYM_EDITORS, SynonymText, listSynonyms, replaceSynonyms, synonymsToText } from '~/search/synonyms.server'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction = () => [{ title: 'Синонимы поиска — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, SYNONYM_EDITORS)
  return json({ text: synonymsToText(await listSynonyms()) })
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireRole(request, SYNONYM_EDITORS)
  const form = await request.formData()
  const parsed = SynonymText.safeParse(String(form.get('synonyms') ?? ''))
  if (!parsed.success) return json({ ok: false as const, errors: parsed.error.issues.map((i) => i.message) }, { status: 400 })
  await replaceSynonyms(user, parsed.data)
  return json({ ok: true as const, groups: parsed.data.length })
}

export default function Synonyms() {
  const { text } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  return (
    <div className="synonyms">
      <p>
        <Link to="/cabinet/answers">← Банк ответов</Link>
      </p>
      <h1>Синонимы поиска</h1>
      <p className="hint">
        Одна группа взаимозаменяемых терминов в строке, термины через запятую: <code>ОО, школа, образовательная организация</code>. Поиск по любому из них находит и остальные; формы
        слов учитываются автоматически.
      </p>
      {result?.ok ? (
        <p className="alert alert-success" role="status">
          Сохранено групп: {result.groups}. Поиск уже использует новый список.
        </p>
      ) : null}
      {result && !result.ok ? (
        <div className="alert alert-error" role="alert">
          {result.errors.map((e) => (
            <p key={e}>{e}</p>
          ))}
        </div>
      ) : null}
      <Form method="post">
        <label className="field">
          <span>Группы синонимов</span>
          <textarea name="synonyms" defaultValue={text} spellCheck={false} />
        </label>
        <button type="submit" className="button primary" disabled={busy}>
          Сохранить
        </button>
      </Form>
    </div>
  )
}

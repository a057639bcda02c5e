// One entry of the answer bank with similar answers. Entries a person may not
// see answer 404, exactly like missing ones.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { requireUser } from '~/accounts/session.server'
import styles from '~/search/answers.css'
import { getReadyAnswerFor } from '~/search/answers.server'
import { similarDocuments } from '~/search/search.server'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? data.answer.question.slice(0, 60) : 'Ответ'} — Банк ответов` }]

const IdParam = z.coerce.number().int().positive().max(2_147_483_647)

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  const id = IdParam.safeParse(params.id)
  const answer = id.success ? await getReadyAnswerFor(user, id.data) : null
  if (!answer) throw new Response('Ответ не найден: он удалён, снят с публикации или адрес неверен.', { status: 404 })
  const similar = (await similarDocuments(user, answer.question, { limit: 6 })).filter((h) => h.id !== `answer:${answer.id}`).slice(0, 5)
  return json({
    answer: {
      id: answer.id,
      question: answer.question,
      answer: answer.answer,
      official: answer.official,
      study: answer.study,
      subject: answer.subject,
      grade: answer.grade,
      task: answer.taskNumber,
      variant: answer.variant,
      year: answer.year,
      visibility: answer.visibility,
      source: answer.source,
      updatedAt: answer.updatedAt,
    },
    similar,
  })
}

export default function AnswerPage() {
  const { answer, similar } = useLoaderData<typeof loader>()
  const tags = [answer.study, answer.subject, answer.grade ? `${answer.grade} класс` : null, answer.task ? `задание ${answer.task}` : null, answer.variant ? `вариант ${answer.variant}` : null, answer.year]
  return (
    <>
      <p>
        <Link to="/cabinet/answers">← Банк ответов</Link>
      </p>
      <article className="card">
        <h1>{answer.question}</h1>
        <p className="answers-meta">
          {answer.official ? <span className="badge ok">Официальный ответ ФИОКО</span> : <span className="badge">Ответ из банка</span>}
          {answer.visibility === 'agents' ? <span className="badge warn">Видно только сотрудникам</span> : null}
          {tags.filter(Boolean).join(' · ')}
        </p>
        <div className="answer-body" data-testid="answer-body">
          {answer.answer}
        </div>
        <p className="hint small">
          Источник: {answer.source} · обновлено {new Date(answer.updatedAt).toLocaleDateString('ru-RU')}
        </p>
      </article>
      {similar.length ? (
        <section aria-labelledby="similar-title">
          <h2 id="similar-title">Похожие ответы</h2>
          <ul className="answer-similar">
            {similar.map((h) => (
              <li key={h.id}>
                <Link to={h.url} dangerouslySetInnerHTML={{ __html: h.title }} /> {h.official ? <span className="badge ok">официальный</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  )
}

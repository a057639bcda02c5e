// The form that asks a question (experts forum: subject and grade, task,
// variant, year) or opens a topic (support forum: section). While the title
// and the body are written it shows similar questions and ready answers, so
// that a teacher finds the official answer before asking again.
import { Form, useNavigation } from '@remix-run/react'
import { useMemo, useState } from 'react'
import { PostEditor } from '~/components/editor/post-editor'
import { SimilarList, useSimilar } from '~/components/forum/similar'
import { TITLE_MAX, TITLE_MIN, YEAR_MAX, YEAR_MIN } from '~/forum/schemas'

export interface AskFormErrors {
  error?: string
  fieldErrors?: Record<string, string[] | undefined>
}

interface Subject {
  id: number
  subject: string
  grade: number
  taskCount: number | null
}

interface Props {
  forum: { slug: string; kind: 'EXPERTS' | 'SUPPORT'; study: string }
  subjects?: Subject[]
  sections?: { id: number; title: string }[]
  defaults: { expertSubjectId?: number; sectionId?: number }
  result?: AskFormErrors
}

function FieldError({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null
  return (
    <span className="field-error" id={id} role="alert">
      {errors[0]}
    </span>
  )
}

export function AskForm({ forum, subjects = [], sections = [], defaults, result }: Props) {
  const experts = forum.kind === 'EXPERTS'
  const busy = useNavigation().state === 'submitting'
  const [subjectId, setSubjectId] = useState<number | undefined>(defaults.expertSubjectId)
  const [title, setTitle] = useState('')
  const [body, setBody] = useState('')
  const subject = subjects.find((s) => s.id === subjectId)
  const fe = result?.fieldErrors ?? {}
  const byGrade = useMemo(() => {
    const m = new Map<number, Subject[]>()
    for (const s of subjects) m.set(s.grade, [...(m.get(s.grade) ?? []), s])
    return [...m.entries()].sort((a, b) => a[0] - b[0])
  }, [subjects])
  const filters = useMemo(() => ({ study: forum.study, subject: subject?.subject }), [forum.study, subject?.subject])
  const similar = useSimilar(`${title}\n${body}`, filters)
  const invalid = (name: string) => (fe[name]?.length ? { 'aria-invalid': true as const, 'aria-describedby': `${name}-error` } : {})
  const thisYear = new Date().getFullYear()

  return (
    <div className="ask-layout">
      <Form method="post" className="card" noValidate aria-label={experts ? 'Новый вопрос' : 'Новая тема'}>
        {result?.error && !Object.values(fe).some((v) => v?.length) ? (
          <p className="alert alert-error" role="alert" data-testid="ask-error">
            {result.error}
          </p>
        ) : null}
        {experts ? (
          <>
            <div className="row">
              <label className="field">
                <span>Предмет и класс</span>
                <select name="expertSubjectId" value={subjectId ?? ''} onChange={(e) => setSubjectId(e.target.value ? Number(e.target.value) : undefined)} required {...invalid('expertSubjectId')} data-testid="ask-subject">
                  <option value="">— выберите —</option>
                  {byGrade.map(([grade, list]) => (
                    <optgroup key={grade} label={`${grade} класс`}>
                      {list.map((s) => (
                        <option key={s.id} value={s.id}>
                          {s.subject}, {s.grade} класс
                        </option>
                      ))}
                    </optgroup>
                  ))}
                </select>
                <FieldError id="expertSubjectId-error" errors={fe.expertSubjectId} />
              </label>
              <label className="field">
                <span>Номер задания</span>
                {subject?.taskCount ? (
                  <select name="taskNumber" required defaultValue="" {...invalid('taskNumber')} data-testid="ask-task" key={subject.id}>
                    <option value="">—</option>
                    {Array.from({ length: subject.taskCount }, (_, i) => (
                      <option key={i + 1} value={i + 1}>
                        {i + 1}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input name="taskNumber" required maxLength={10} placeholder="например, 5 или 4К1" {...invalid('taskNumber')} data-testid="ask-task" />
                )}
                <FieldError id="taskNumber-error" errors={fe.taskNumber} />
              </label>
            </div>
            <div className="row">
              <label className="field">
                <span>
                  Вариант <span className="hint">(необязательно)</span>
                </span>
                <input name="variant" maxLength={20} {...invalid('variant')} />
                <FieldError id="variant-error" errors={fe.variant} />
              </label>
              <label className="field">
                <span>
                  Год <span className="hint">(необязательно)</span>
                </span>
                <input name="year" type="number" inputMode="numeric" min={YEAR_MIN} max={YEAR_MAX} placeholder={String(thisYear)} {...invalid('year')} />
                <FieldError id="year-error" errors={fe.year} />
              </label>
            </div>
          </>
        ) : (
          <label className="field">
            <span>Раздел</span>
            <select name="sectionId" defaultValue={defaults.sectionId ?? ''} required {...invalid('sectionId')} data-testid="ask-section">
              <option value="">— выберите —</option>
              {sections.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.title}
                </option>
              ))}
            </select>
            <FieldError id="sectionId-error" errors={fe.sectionId} />
          </label>
        )}
        <label className="field">
          <span>{experts ? 'Вопрос коротко' : 'Тема'}</span>
          <input
            name="title"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            required
            minLength={TITLE_MIN}
            maxLength={TITLE_MAX}
            autoComplete="off"
            placeholder={experts ? 'например: Снимать ли балл за отсутствие единиц измерения?' : 'например: Не загружается форма сбора результатов'}
            {...invalid('title')}
            data-testid="ask-title"
          />
          <FieldError id="title-error" errors={fe.title} />
        </label>
        <div className={`field editor-field${fe.content?.length ? ' invalid' : ''}`} role="group" aria-labelledby="ask-body-label">
          <span id="ask-body-label">{experts ? 'Подробно: ответ участника, критерий, ваше сомнение' : 'Подробно: что делали и что произошло'}</span>
          <PostEditor
            name="content"
            label={experts ? 'Текст вопроса' : 'Текст темы'}
            placeholder="Опишите ситуацию. Не указывайте ФИО и коды участников."
            onPlainTextChange={setBody}
            invalid={Boolean(fe.content?.length)}
            errorId={fe.content?.length ? 'content-error' : undefined}
          />
          <FieldError id="content-error" errors={fe.content} />
        </div>
        <p className="alert alert-warn pd-note" data-testid="pd-warning">
          Не публикуйте персональные данные: фамилии и имена участников, их коды, фотографии работ с подписями. Перед публикацией снимка экрана закройте такие
          места.
        </p>
        <button type="submit" className="button primary" disabled={busy} data-testid="ask-submit">
          {busy ? 'Публикуем…' : experts ? 'Задать вопрос' : 'Создать тему'}
        </button>
      </Form>
      <aside className="card similar-box" aria-labelledby="similar-h">
        <h2 id="similar-h">Похожие вопросы и готовые ответы</h2>
        {similar.searched || similar.loading ? (
          <SimilarList hits={similar.hits} loading={similar.loading} searched={similar.searched} empty="Похожих вопросов не нашлось." />
        ) : (
          <p className="hint small">Начните писать вопрос — здесь появятся похожие вопросы и официальные ответы. Ссылки открываются в новой вкладке, черновик не пропадёт.</p>
        )}
      </aside>
    </div>
  )
}

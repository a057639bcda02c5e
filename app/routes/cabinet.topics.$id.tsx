// One question of the experts forum or topic of a support forum. The loader
// is getThread alone (the page must stay fast with a hundred posts); the room
// `topic:<id>` then brings every change: new answers, edits, official and
// accepted marks, votes, claims, hidden posts. One action takes every button
// of the page by its `intent`; the domain checks who may do it.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Link, useFetcher, useLoaderData, useRevalidator, type ShouldRevalidateFunction } from '@remix-run/react'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { z } from 'zod'
import { requireUser } from '~/accounts/session.server'
import { PostEditor, editorLinks } from '~/components/editor/post-editor'
import { Crumbs } from '~/components/forum/crumbs'
import { ForumErrorBoundary } from '~/components/forum/error-boundary'
import { applyThreadEvent, eventAfter, orderPosts, threadPost, type ThreadPost, type ThreadState, type ThreadTopic } from '~/components/forum/thread-state'
import { StatusBadge, TopicBadges, claimText, topicTags } from '~/components/forum/topic-list'
import { typingLine, useForumRoom, useTyping } from '~/components/forum-live'
import { PostBody } from '~/components/post-body'
import { formatDateTime } from '~/helpdesk/format'
import { claimTopic, releaseClaim } from '~/forum/claims.server'
import { UPLOAD_ID_PATTERN, quoteState, uploadIdFromSrc } from '~/forum/content'
import styles from '~/forum/forum.css'
import { hidePost, mergeTopic, moveTopic, redactImage, setDisputed, setLocked, setPinned, setTopicHidden, setTopicStatus } from '~/forum/moderation.server'
import { idOf, outcome, refuse, invalid, type ActionData } from '~/forum/page-actions.server'
import { canClaim, canModerate, canReply, type Actor } from '~/forum/permissions'
import { editPost, flagPost, postHistory, postSource, reply, setAccepted, setOfficial, vote } from '~/forum/posts.server'
import { forumRooms } from '~/forum/rooms'
import { EditInput, FlagInput, ReplyInput, VoteValue } from '~/forum/schemas'
import { getThread, setSubscribed } from '~/forum/topics.server'
import { getForum } from '~/forum/forums.server'
import type { ForumEventView } from '~/forum/types'
import type { LexicalEditorState as LexicalEditorStateLike } from '~/forum/content'

export const links: LinksFunction = () => [...editorLinks(), { rel: 'stylesheet', href: styles }]
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.thread.topic.title} — форум ФИС ОКО` : 'Вопрос — форум ФИС ОКО' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  const id = idOf(params.id)
  if (id === null) throw new Response('Такого вопроса нет.', { status: 404 })
  const thread = await getThread(user, id)
  // Where a moderator may move the question (moderators only: everyone else's page stays getThread alone).
  const moveTargets = thread.can.moderate ? await moveTargetsOf(thread.topic.forum.slug) : null
  // Each post as the page shows it (rendered HTML, no plain text): half the size of the full view.
  return json({ thread: { ...thread, posts: thread.posts.map(threadPost) }, moveTargets, me: { id: user.id, role: user.role, name: user.fullName } })
}

async function moveTargetsOf(slug: string) {
  const { sections, subjects } = await getForum(slug)
  return {
    sections: sections.filter((s) => !s.archived).map((s) => ({ id: s.id, title: s.title })),
    subjects: subjects.filter((s) => !s.archived).map((s) => ({ id: s.id, title: `${s.subject}, ${s.grade} класс` })),
  }
}

const Bool = z.enum(['1', '0']).transform((v) => v === '1')
const PostId = z.string().transform((v, ctx) => idOf(v) ?? (ctx.addIssue({ code: 'custom', message: 'Сообщение не найдено.' }), z.NEVER))

const Intent = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('reply') }).merge(ReplyInput),
  z.object({ intent: z.literal('edit'), postId: PostId }).merge(EditInput),
  z.object({ intent: z.literal('history'), postId: PostId }),
  z.object({ intent: z.literal('source'), postId: PostId }),
  z.object({ intent: z.literal('official'), postId: PostId, on: Bool }),
  z.object({ intent: z.literal('accept'), postId: PostId, on: Bool }),
  z.object({ intent: z.literal('vote'), postId: PostId, value: VoteValue }),
  z.object({ intent: z.literal('flag'), postId: PostId }).merge(FlagInput),
  z.object({ intent: z.literal('subscribe'), on: Bool }),
  z.object({ intent: z.literal('claim') }),
  z.object({ intent: z.literal('release') }),
  z.object({ intent: z.literal('hidePost'), postId: PostId, hidden: Bool, reason: z.string().trim().max(300, 'Причина: не больше 300 символов.').optional() }),
  z.object({ intent: z.literal('redact'), uploadId: z.string().regex(UPLOAD_ID_PATTERN, 'Изображение не найдено.') }),
  z.object({ intent: z.literal('lock'), on: Bool }),
  z.object({ intent: z.literal('pin'), on: Bool }),
  z.object({ intent: z.literal('disputed'), on: Bool }),
  z.object({ intent: z.literal('hideTopic'), on: Bool }),
  z.object({ intent: z.literal('status'), status: z.enum(['OPEN', 'CLOSED']) }),
  z.object({
    intent: z.literal('move'),
    sectionId: z.string().optional().transform((v) => idOf(v ?? '') ?? undefined),
    expertSubjectId: z.string().optional().transform((v) => idOf(v ?? '') ?? undefined),
    taskNumber: z.string().trim().max(16, 'Номер задания: не длиннее 16 символов.').optional(),
  }),
  z.object({ intent: z.literal('merge'), canonicalId: z.string().transform((v, ctx) => idOf(v.replace(/^#/, '').trim()) ?? (ctx.addIssue({ code: 'custom', message: 'Укажите номер вопроса, например 125.' }), z.NEVER)) }),
])

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request)
  const topicId = idOf(params.id)
  if (topicId === null) throw new Response('Такого вопроса нет.', { status: 404 })
  const form = Object.fromEntries(await request.formData())
  const intent = typeof form.intent === 'string' ? form.intent : ''
  const parsed = Intent.safeParse(form)
  if (!parsed.success) {
    if (!parsed.error.issues.some((i) => i.path[0] !== 'intent')) return refuse(intent, 'Неизвестное действие.')
    return invalid(intent, parsed.error, idOf(form.postId as string) ?? undefined)
  }
  const p = parsed.data
  switch (p.intent) {
    case 'reply':
      return outcome(p.intent, () => reply(user, topicId, { content: p.content, replyToId: p.replyToId }), { notice: 'Ответ опубликован.' })
    case 'edit':
      return outcome(p.intent, () => editPost(user, p.postId, { content: p.content }), { target: p.postId, notice: 'Сообщение изменено.' })
    case 'history':
      return outcome(p.intent, () => postHistory(user, p.postId), { target: p.postId, data: (v) => v })
    case 'source':
      return outcome(p.intent, () => postSource(user, p.postId), { target: p.postId, data: (v) => (v as Awaited<ReturnType<typeof postSource>>).content })
    case 'official':
      return outcome(p.intent, () => setOfficial(user, p.postId, p.on), { target: p.postId })
    case 'accept':
      return outcome(p.intent, () => setAccepted(user, p.postId, p.on), { target: p.postId })
    case 'vote':
      return outcome(p.intent, () => vote(user, p.postId, p.value), { target: p.postId })
    case 'flag':
      return outcome(p.intent, () => flagPost(user, p.postId, p.reason), { target: p.postId, notice: 'Жалоба отправлена модераторам. Спасибо!' })
    case 'subscribe':
      return outcome(p.intent, () => setSubscribed(user, topicId, p.on), { notice: p.on ? 'Вы подписаны на ответы.' : 'Подписка отменена.' })
    case 'claim':
      return outcome(p.intent, () => claimTopic(user, topicId))
    case 'release':
      return outcome(p.intent, () => releaseClaim(user, topicId))
    case 'hidePost':
      return outcome(p.intent, () => hidePost(user, p.postId, p.hidden, p.reason ?? null), { target: p.postId })
    case 'redact':
      return outcome(p.intent, () => redactImage(user, p.uploadId), { notice: 'Изображение скрыто: вместо него показывается заглушка.' })
    case 'lock':
      return outcome(p.intent, () => setLocked(user, topicId, p.on))
    case 'pin':
      return outcome(p.intent, () => setPinned(user, topicId, p.on))
    case 'disputed':
      return outcome(p.intent, () => setDisputed(user, topicId, p.on))
    case 'hideTopic':
      return outcome(p.intent, () => setTopicHidden(user, topicId, p.on), { notice: p.on ? 'Вопрос скрыт.' : 'Вопрос снова виден всем.' })
    case 'status':
      return outcome(p.intent, () => setTopicStatus(user, topicId, p.status))
    case 'move':
      return outcome(p.intent, () => moveTopic(user, topicId, { sectionId: p.sectionId, expertSubjectId: p.expertSubjectId, taskNumber: p.taskNumber }), { notice: 'Вопрос перенесён.' })
    case 'merge':
      return outcome(p.intent, () => mergeTopic(user, topicId, p.canonicalId), { notice: 'Вопрос объединён.' })
  }
}

// Live changes come over the socket; reading the thread again after a history
// or source lookup or a failed action would only cost the server.
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, actionResult, defaultShouldRevalidate }) => {
  const intent = formData?.get('intent')
  if (intent === 'history' || intent === 'source') return false
  if (actionResult && typeof actionResult === 'object' && 'ok' in actionResult && actionResult.ok === false) return false
  return defaultShouldRevalidate
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>

export default function ThreadPage() {
  const { thread, me, moveTargets } = useLoaderData<typeof loader>()
  const actor: Actor = useMemo(() => ({ id: me.id, role: me.role }), [me.id, me.role])
  const revalidator = useRevalidator()
  const [state, setState] = useState<ThreadState>(() => ({ topic: thread.topic as ThreadTopic, posts: orderPosts(thread.posts as ThreadPost[]), needsReload: false }))
  const [fresh, setFresh] = useState<Set<number>>(new Set())
  // Events applied since the page was read: a re-read (after an action, after a
  // reset) may be older than some of them, so they are applied on top again.
  const applied = useRef<ForumEventView[]>([])

  useEffect(() => {
    let next: ThreadState = { topic: thread.topic as ThreadTopic, posts: orderPosts(thread.posts as ThreadPost[]), needsReload: false }
    for (const e of applied.current) if (eventAfter(e.id, thread.lastEventId)) next = applyThreadEvent(next, e, actor)
    applied.current = applied.current.filter((e) => eventAfter(e.id, thread.lastEventId))
    setState({ ...next, needsReload: false })
  }, [thread, actor])

  const onEvents = useCallback(
    (events: ForumEventView[]) => {
      applied.current = [...applied.current, ...events].slice(-200)
      setState((s) => events.reduce((acc, e) => applyThreadEvent(acc, e, actor), s))
      const created = events.filter((e) => e.type === 'post.created').map((e) => (e.payload as { post: { id: number; author: { id: number } } }).post)
      if (created.some((p) => p.author.id !== actor.id)) setFresh((f) => new Set([...f, ...created.filter((p) => p.author.id !== actor.id).map((p) => p.id)]))
    },
    [actor],
  )
  const room = forumRooms.topic(thread.topic.id)
  const { connected, viewers } = useForumRoom(room, thread.lastEventId, onEvents)
  const { typists, notifyTyping } = useTyping(thread.topic.id)

  useEffect(() => {
    if (state.needsReload && revalidator.state === 'idle') revalidator.revalidate()
  }, [state.needsReload, revalidator])

  const { topic, posts } = state
  const kind = topic.forum.kind
  const moderator = canModerate(actor, kind)
  const mayReply = canReply(actor, kind, topic)
  const experts = kind === 'EXPERTS'
  const [replyInit, setReplyInit] = useState<{ key: number; state?: LexicalEditorStateLike; replyToId?: number }>({ key: 0 })
  const replyRef = useRef<HTMLFormElement>(null)
  const quote = (post: ThreadPost, text: string) => {
    setReplyInit((r) => ({ key: r.key + 1, state: quoteState(post.author.name, text), replyToId: post.id }))
    replyRef.current?.scrollIntoView({ behavior: 'smooth', block: 'center' })
  }
  const tags = topicTags(topic)
  const crumbs = experts
    ? [
        { to: '/cabinet/experts', label: 'Эксперты ВПР' },
        ...(topic.expertSubjectId ? [{ to: `/cabinet/experts/s/${topic.expertSubjectId}`, label: `${topic.subject ?? 'Предмет'}, ${topic.grade ?? ''} класс` }] : []),
        { label: topic.title },
      ]
    : [
        { to: '/cabinet/forums', label: 'Форумы' },
        { to: `/cabinet/forums/${topic.forum.slug}`, label: topic.forum.title },
        ...(topic.sectionId ? [{ to: `/cabinet/forums/${topic.forum.slug}/${topic.sectionId}`, label: topic.sectionTitle ?? 'Раздел' }] : []),
        { label: topic.title },
      ]

  return (
    <>
      <Crumbs items={crumbs} />
      <div className="forum-head">
        <h1 data-testid="topic-title">{topic.title}</h1>
      </div>
      <div className="thread-tags">
        <TopicBadges topic={topic} showClaim={false} />
        {tags.map((t) => (
          <span key={t} className="badge">
            {t}
          </span>
        ))}
        <span className="hint small">№{topic.id}</span>
      </div>
      {topic.mergedInto ? (
        <p className="alert alert-info" data-testid="merged">
          Вопрос объединён с <Link to={`/cabinet/topics/${topic.mergedInto.id}`}>«{topic.mergedInto.title}»</Link>: ответы — там.
        </p>
      ) : null}
      {topic.hidden ? <p className="alert alert-warn">Вопрос скрыт модератором: его видят только модераторы.</p> : null}

      <div className="thread-layout">
        <div>
          <ol className="posts" data-testid="posts" aria-label="Сообщения">
            {posts.map((post) => (
              <PostItem key={post.id} post={post} topic={topic} fresh={fresh.has(post.id)} onQuote={mayReply ? (text) => quote(post, text) : undefined} moderator={moderator} />
            ))}
          </ol>
          <p className="typing" aria-live="polite" data-testid="typing">
            {typingLine(typists.filter((t) => t.id !== me.id)) ?? ''}
          </p>
          <ReplyForm
            formRef={replyRef}
            init={replyInit}
            onSent={() => setReplyInit((r) => ({ key: r.key + 1 }))}
            disabledReason={mayReply ? null : lockedReason(topic)}
            onTyping={notifyTyping}
            experts={experts}
          />
        </div>
        <aside className="thread-side" aria-label="О вопросе">
          <div className="card">
            <p className="live-note" data-testid="live-thread" data-connected={connected ? '1' : '0'}>
              <span className={`live-dot live-${connected ? 'online' : 'offline'}`} aria-hidden="true" />
              {connected ? 'Ответы появляются сразу' : 'Нет связи: догоним после переподключения'}
            </p>
            <p className="small" data-testid="viewers">
              Сейчас смотрят: {Math.max(1, viewers)}
            </p>
            <p className="small">
              Статус: <StatusBadge status={topic.status} />
            </p>
            <p className="small hint">
              Автор: {topic.author.name} · {formatDateTime(topic.createdAt)}
            </p>
            {thread.can.subscribe ? <SubscribeButton subscribed={topic.subscribed} /> : null}
          </div>
          {experts ? <ClaimCard topic={topic} me={actor} canClaimIt={canClaim(actor, kind)} /> : null}
          {moderator ? <ModeratorCard topic={topic} targets={moveTargets} /> : null}
          {topic.duplicates.length ? (
            <div className="card">
              <h2>Объединённые вопросы</h2>
              <ul className="small">
                {topic.duplicates.map((d) => (
                  <li key={d.id}>
                    <Link to={`/cabinet/topics/${d.id}`}>{d.title}</Link>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </aside>
      </div>
    </>
  )
}

function lockedReason(topic: ThreadTopic) {
  if (topic.mergedIntoId) return 'Вопрос объединён с другим: отвечайте там.'
  if (topic.locked) return 'Вопрос закрыт для ответов: модератор запретил новые сообщения.'
  if (topic.status === 'CLOSED') return 'Вопрос закрыт: новые ответы не принимаются.'
  return 'Отвечать в этом вопросе нельзя.'
}

function ActionMessage({ data }: { data: ActionData | undefined }) {
  if (!data) return null
  if (!data.ok)
    return (
      <p className="field-error" role="alert" data-testid="action-error">
        {data.error}
      </p>
    )
  return data.notice ? (
    <p className="hint small" role="status" data-testid="action-notice">
      {data.notice}
    </p>
  ) : null
}

function ReplyForm({
  formRef,
  init,
  onSent,
  disabledReason,
  onTyping,
  experts,
}: {
  formRef: React.RefObject<HTMLFormElement>
  init: { key: number; state?: LexicalEditorStateLike; replyToId?: number }
  onSent: () => void
  disabledReason: string | null
  onTyping: () => void
  experts: boolean
}) {
  const fetcher = useFetcher<ActionData>()
  const busy = fetcher.state !== 'idle'
  const sent = useRef(onSent)
  sent.current = onSent
  // A sent reply empties the editor (a new one, mounted under a new key).
  useEffect(() => {
    if (fetcher.state === 'idle' && fetcher.data?.ok && fetcher.data.intent === 'reply') sent.current()
  }, [fetcher.state, fetcher.data])
  return (
    <fetcher.Form method="post" className="card reply-form" ref={formRef} aria-labelledby="reply-h" data-testid="reply-form">
      <h2 id="reply-h">{experts ? 'Ваш ответ' : 'Ответить'}</h2>
      {disabledReason ? (
        <p className="alert alert-warn" data-testid="reply-disabled">
          {disabledReason}
        </p>
      ) : null}
      <input type="hidden" name="intent" value="reply" />
      {init.replyToId ? <input type="hidden" name="replyToId" value={init.replyToId} /> : null}
      <fieldset disabled={Boolean(disabledReason) || busy} style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="visually-hidden">Текст ответа</legend>
        <PostEditor
          key={init.key}
          name="content"
          label="Текст ответа"
          initialState={init.state}
          placeholder="Напишите ответ. Не указывайте ФИО и коды участников."
          onPlainTextChange={(text) => {
            if (text.trim()) onTyping()
          }}
          autoFocus={init.state !== undefined}
        />
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Отправляем…' : 'Отправить ответ'}
          </button>
          <span className="hint small pd-note">Не публикуйте персональные данные: ФИО, коды и фотографии работ участников с именами.</span>
        </div>
      </fieldset>
      {fetcher.data?.intent === 'reply' || disabledReason === null ? <ActionMessage data={fetcher.data} /> : null}
    </fetcher.Form>
  )
}

function PostItem({ post, topic, fresh, onQuote, moderator }: { post: ThreadPost; topic: ThreadTopic; fresh: boolean; onQuote?: (text: string) => void; moderator: boolean }) {
  // Quoting takes the text as the post shows it: the page carries no plain text of its own.
  const bodyRef = useRef<HTMLDivElement>(null)
  const fetcher = useFetcher<ActionData>()
  const history = useFetcher<ActionData>()
  // The stored editor state, asked for when «Изменить» is pressed: the page
  // carries rendered HTML only, and editing from it would lose formatting and images.
  const source = useFetcher<ActionData>()
  const [editing, setEditing] = useState(false)
  const busy = fetcher.state !== 'idle'
  const startEditing = () => {
    source.submit({ intent: 'source', postId: String(post.id) }, { method: 'post' })
    setEditing(true)
  }
  useEffect(() => {
    if (fetcher.state === 'idle' && fetcher.data?.ok && fetcher.data.intent === 'edit') setEditing(false)
  }, [fetcher.state, fetcher.data])
  const images = useMemo(() => imagesOf(post.html), [post.html])
  const classes = ['post', post.isFirst ? 'first' : '', post.official ? 'official' : '', post.accepted ? 'accepted' : '', post.hidden ? 'hidden-post' : '', fresh ? 'is-new' : ''].filter(Boolean).join(' ')
  const showVotes = topic.disputed && !post.isFirst
  const act = (fields: Record<string, string>) => fetcher.submit({ ...fields, postId: String(post.id) }, { method: 'post' })
  return (
    <li className={classes} id={`post-${post.id}`} data-testid="post" data-post={post.id} data-official={post.official ? '1' : '0'} data-accepted={post.accepted ? '1' : '0'}>
      {post.official ? (
        <p className="badges" style={{ margin: '0 0 .4rem' }}>
          <span className="badge official" data-testid="official-badge">
            ✓ Официальный ответ ФИОКО
          </span>
        </p>
      ) : null}
      {post.accepted ? (
        <p className="badges" style={{ margin: '0 0 .4rem' }}>
          <span className="badge ok" data-testid="accepted-badge">
            Ответ принят автором вопроса
          </span>
        </p>
      ) : null}
      <div className="post-head">
        <strong>{post.author.name}</strong>
        <span>{post.author.roleLabel}</span>
        <span>·</span>
        <a href={`#post-${post.id}`}>
          <time dateTime={post.createdAt}>{formatDateTime(post.createdAt)}</time>
        </a>
        {post.isFirst ? <span className="badge info">Вопрос</span> : null}
        {post.editedAt ? (
          <button
            type="button"
            className="button link small"
            style={{ padding: 0 }}
            onClick={() => history.submit({ intent: 'history', postId: String(post.id) }, { method: 'post' })}
            aria-label={`изменено ${formatDateTime(post.editedAt)}: показать историю правок`}
            data-testid="edited"
          >
            изменено
          </button>
        ) : null}
      </div>
      {post.hidden ? (
        <p className="alert alert-warn small" data-testid="post-hidden">
          Сообщение скрыто модератором{post.hiddenReason ? `: ${post.hiddenReason}` : '.'}
        </p>
      ) : null}
      {editing && (source.state !== 'idle' || !source.data) ? (
        <p className="hint small" role="status" data-testid="source-loading">
          Загружаем сообщение для правки…
        </p>
      ) : editing && !source.data?.ok ? (
        <div>
          <ActionMessage data={source.data} />
          <button type="button" className="button small" onClick={() => setEditing(false)}>
            Закрыть
          </button>
        </div>
      ) : editing ? (
        <fetcher.Form method="post" aria-label="Изменить сообщение">
          <input type="hidden" name="intent" value="edit" />
          <input type="hidden" name="postId" value={post.id} />
          <PostEditor name="content" label="Новый текст сообщения" initialState={sourceState(source.data?.data)} autoFocus />
          <div className="post-actions">
            <button type="submit" className="button primary small" disabled={busy}>
              Сохранить
            </button>
            <button type="button" className="button small" onClick={() => setEditing(false)}>
              Отмена
            </button>
          </div>
        </fetcher.Form>
      ) : post.html ? (
        <div data-testid="post-body" ref={bodyRef}>
          <PostBody html={post.html} />
        </div>
      ) : null}
      <HistoryView data={history.data} loading={history.state !== 'idle'} />
      {showVotes ? (
        <p className="small" data-testid="votes">
          Согласны: <strong>{post.agreeCount}</strong> · Не согласны: <strong>{post.disagreeCount}</strong>
        </p>
      ) : null}
      {!editing ? (
        <div className="post-actions">
          {showVotes && post.can.vote ? (
            <>
              <button type="button" className="button small" aria-pressed={post.myVote === 1} disabled={busy} onClick={() => act({ intent: 'vote', value: post.myVote === 1 ? '0' : '1' })}>
                👍 Согласен
              </button>
              <button type="button" className="button small" aria-pressed={post.myVote === -1} disabled={busy} onClick={() => act({ intent: 'vote', value: post.myVote === -1 ? '0' : '-1' })}>
                👎 Не согласен
              </button>
            </>
          ) : null}
          {post.can.accept ? (
            <button type="button" className="button small" disabled={busy} onClick={() => act({ intent: 'accept', on: post.accepted ? '0' : '1' })}>
              {post.accepted ? 'Отменить принятие' : 'Принять ответ'}
            </button>
          ) : null}
          {post.can.markOfficial ? (
            <button type="button" className="button small" disabled={busy} onClick={() => act({ intent: 'official', on: post.official ? '0' : '1' })}>
              {post.official ? 'Снять отметку «официальный»' : 'Отметить как официальный'}
            </button>
          ) : null}
          {onQuote && !post.hidden ? (
            <button type="button" className="button small" onClick={() => onQuote(shownText(bodyRef.current))}>
              Цитировать
            </button>
          ) : null}
          {post.can.edit ? (
            <button type="button" className="button small" onClick={startEditing}>
              Изменить
            </button>
          ) : null}
          {post.can.flag ? <FlagForm postId={post.id} /> : null}
          {moderator && post.can.hide ? (
            <details className="mod">
              <summary>Модерация</summary>
              <div className="mod-menu">
                <fetcher.Form method="post" className="inline-form">
                  <input type="hidden" name="postId" value={post.id} />
                  <input type="hidden" name="intent" value="hidePost" />
                  <input type="hidden" name="hidden" value={post.hidden ? '0' : '1'} />
                  {!post.hidden ? (
                    <label>
                      <span className="visually-hidden">Причина</span>
                      <input name="reason" placeholder="Причина" maxLength={300} />
                    </label>
                  ) : null}
                  <button type="submit" className="button small">
                    {post.hidden ? 'Показать сообщение' : 'Скрыть сообщение'}
                  </button>
                </fetcher.Form>
                {images.map((id) => (
                  <fetcher.Form method="post" className="inline-form" key={id}>
                    <input type="hidden" name="intent" value="redact" />
                    <input type="hidden" name="uploadId" value={id} />
                    <span className="small">Изображение {id.slice(0, 8)}…</span>
                    <button type="submit" className="button small danger">
                      Скрыть изображение (персональные данные)
                    </button>
                  </fetcher.Form>
                ))}
              </div>
            </details>
          ) : null}
        </div>
      ) : null}
      <ActionMessage data={fetcher.data} />
    </li>
  )
}

/** A rendered post's text, one line per line or block (blank lines between blocks dropped). */
function shownText(element: HTMLElement | null): string {
  return (element?.innerText ?? '').replace(/\n\s*\n/g, '\n').trim()
}

/** The stored editor state `intent=source` returned (typed loosely: it comes through the action's `data`). */
function sourceState(value: unknown): LexicalEditorStateLike | null {
  return value && typeof value === 'object' && 'root' in value ? (value as LexicalEditorStateLike) : null
}

/** The ids of our uploads a post shows (/forum/uploads/<id>), for «redact image». */
function imagesOf(html: string): string[] {
  const ids = new Set<string>()
  for (const m of html.matchAll(/src="([^"]+)"/g)) {
    const id = uploadIdFromSrc(m[1]!.replace(/&amp;/g, '&'))
    if (id) ids.add(id)
  }
  return [...ids]
}

function HistoryView({ data, loading }: { data: ActionData | undefined; loading: boolean }) {
  if (loading) return <p className="hint small">Загружаем историю…</p>
  if (!data) return null
  if (!data.ok) return <p className="field-error">{data.error}</p>
  const revisions = historyRevisions(data.data)
  return (
    <details open className="history" data-testid="history">
      <summary>История правок: версий {revisions.length}</summary>
      <ol className="history-list">
        {revisions.map((r, i) => (
          <li key={i}>
            <div className="hint small">
              {r.current ? 'Текущая версия · ' : ''}
              {r.editor ? `${r.editor} · ` : ''}
              {formatDateTime(r.createdAt)}
            </div>
            <PostBody html={r.html} />
          </li>
        ))}
      </ol>
    </details>
  )
}

/** postHistory's versions, newest first (typed loosely: they come through the action's `data`). */
function historyRevisions(value: unknown): { html: string; createdAt: string; editor: string | null; current: boolean }[] {
  const list = value && typeof value === 'object' && 'versions' in value && Array.isArray(value.versions) ? (value.versions as Record<string, unknown>[]) : []
  return list.map((r) => ({
    html: typeof r.html === 'string' ? r.html : '',
    createdAt: typeof r.at === 'string' ? r.at : '',
    editor: r.by && typeof r.by === 'object' && 'name' in r.by ? String(r.by.name) : null,
    current: r.current === true,
  }))
}

function FlagForm({ postId }: { postId: number }) {
  const fetcher = useFetcher<ActionData>()
  const [open, setOpen] = useState(false)
  useEffect(() => {
    if (fetcher.state === 'idle' && fetcher.data?.ok) setOpen(false)
  }, [fetcher.state, fetcher.data])
  if (fetcher.data?.ok && !open)
    return (
      <span className="hint small" role="status">
        {fetcher.data.notice}
      </span>
    )
  if (!open)
    return (
      <button type="button" className="button small" onClick={() => setOpen(true)}>
        Пожаловаться
      </button>
    )
  return (
    <fetcher.Form method="post" className="inline-form" aria-label="Жалоба на сообщение">
      <input type="hidden" name="intent" value="flag" />
      <input type="hidden" name="postId" value={postId} />
      <label>
        <span className="visually-hidden">Причина жалобы</span>
        <input name="reason" placeholder="Что не так с сообщением?" maxLength={500} required minLength={3} autoFocus />
      </label>
      <button type="submit" className="button small" disabled={fetcher.state !== 'idle'}>
        Отправить жалобу
      </button>
      <button type="button" className="button small" onClick={() => setOpen(false)}>
        Отмена
      </button>
      {fetcher.data && !fetcher.data.ok ? <span className="field-error">{fetcher.data.error}</span> : null}
    </fetcher.Form>
  )
}

function SubscribeButton({ subscribed }: { subscribed: boolean }) {
  const fetcher = useFetcher<ActionData>()
  const on = fetcher.formData ? fetcher.formData.get('on') === '1' : subscribed
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value="subscribe" />
      <input type="hidden" name="on" value={on ? '0' : '1'} />
      <button type="submit" className="button small" aria-pressed={on} data-testid="subscribe">
        {on ? '🔔 Вы подписаны — отписаться' : 'Подписаться на ответы'}
      </button>
      <ActionMessage data={fetcher.data} />
    </fetcher.Form>
  )
}

function ClaimCard({ topic, me, canClaimIt }: { topic: ThreadTopic; me: Actor; canClaimIt: boolean }) {
  const fetcher = useFetcher<ActionData>()
  const mine = topic.claimedBy?.id === me.id
  const open = topic.status === 'OPEN' || topic.status === 'ANSWERED'
  if (!canClaimIt) {
    return topic.claimedBy && open ? (
      <p className="card claim small" data-testid="claim">
        Специалист ФИОКО готовит ответ на этот вопрос.
      </p>
    ) : null
  }
  return (
    <div className="card claim" data-testid="claim-card">
      <h2>Работа над вопросом</h2>
      <p className="small" data-testid="claim">
        {claimText(topic) ?? 'Вопрос никто не взял.'}
      </p>
      <fetcher.Form method="post">
        {mine ? (
          <>
            <button type="submit" name="intent" value="claim" className="button small" disabled={fetcher.state !== 'idle'}>
              Продлить
            </button>{' '}
            <button type="submit" name="intent" value="release" className="button small" disabled={fetcher.state !== 'idle'}>
              Освободить
            </button>
          </>
        ) : !topic.claimedBy && open ? (
          <button type="submit" name="intent" value="claim" className="button primary small" disabled={fetcher.state !== 'idle'}>
            Взять вопрос
          </button>
        ) : null}
      </fetcher.Form>
      <ActionMessage data={fetcher.data} />
    </div>
  )
}

function ModeratorCard({ topic, targets }: { topic: ThreadTopic; targets: { sections: { id: number; title: string }[]; subjects: { id: number; title: string }[] } | null }) {
  const fetcher = useFetcher<ActionData>()
  const busy = fetcher.state !== 'idle'
  const toggle = (intent: string, on: boolean, label: string) => (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="on" value={on ? '1' : '0'} />
      <button type="submit" className="button small" disabled={busy}>
        {label}
      </button>
    </fetcher.Form>
  )
  return (
    <div className="card" data-testid="moderator-card">
      <h2>Модерация</h2>
      {toggle('lock', !topic.locked, topic.locked ? 'Открыть для ответов' : 'Закрыть для ответов (блокировка)')}
      {toggle('pin', !topic.pinned, topic.pinned ? 'Открепить' : 'Закрепить')}
      {topic.forum.kind === 'EXPERTS' ? toggle('disputed', !topic.disputed, topic.disputed ? 'Снять «спорный»' : 'Отметить как спорный') : null}
      <fetcher.Form method="post">
        <input type="hidden" name="intent" value="status" />
        <input type="hidden" name="status" value={topic.status === 'CLOSED' ? 'OPEN' : 'CLOSED'} />
        <button type="submit" className="button small" disabled={busy}>
          {topic.status === 'CLOSED' ? 'Открыть вопрос снова' : 'Закрыть вопрос'}
        </button>
      </fetcher.Form>
      {toggle('hideTopic', !topic.hidden, topic.hidden ? 'Показать вопрос' : 'Скрыть вопрос')}
      {targets ? (
        <fetcher.Form method="post" className="field">
          <input type="hidden" name="intent" value="move" />
          {topic.forum.kind === 'EXPERTS' ? (
            <>
              <label className="small" htmlFor="move-subject">
                Перенести в предмет
              </label>
              <select id="move-subject" name="expertSubjectId" defaultValue={topic.expertSubjectId ?? ''}>
                {targets.subjects.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.title}
                  </option>
                ))}
              </select>
              <label className="small" htmlFor="move-task">
                Задание
              </label>
              <input id="move-task" name="taskNumber" defaultValue={topic.taskNumber ?? ''} size={6} maxLength={16} />
            </>
          ) : (
            <>
              <label className="small" htmlFor="move-section">
                Перенести в раздел
              </label>
              <select id="move-section" name="sectionId" defaultValue={topic.sectionId ?? ''}>
                {targets.sections.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.title}
                  </option>
                ))}
              </select>
            </>
          )}
          <button type="submit" className="button small" disabled={busy}>
            Перенести
          </button>
        </fetcher.Form>
      ) : null}
      <fetcher.Form method="post" className="field">
        <input type="hidden" name="intent" value="merge" />
        <label className="small" htmlFor="merge-into">
          Объединить с вопросом №
        </label>
        <span className="inline-form">
          <input id="merge-into" name="canonicalId" inputMode="numeric" size={7} placeholder="125" required />
          <button type="submit" className="button small" disabled={busy}>
            Объединить
          </button>
        </span>
      </fetcher.Form>
      <ActionMessage data={fetcher.data} />
    </div>
  )
}

export function ErrorBoundary() {
  return <ForumErrorBoundary />
}

export type { LoaderData }

// Post content on the server: the editor state is validated (content.ts),
// its images checked against our uploads and its mentions against accounts,
// then rendered to HTML here, from the validated tree only, and that HTML is
// sanitised once more with an allowlist. Nothing in the JSON is ever passed
// through as HTML: text is escaped, attributes are built by us.
import sanitizeHtml from 'sanitize-html'
import type { Prisma } from '~/generated/prisma/client'
import { prisma } from '~/utils/db.server'
import {
  checkEditorState,
  contentFromText,
  mentionNode,
  plainTextOf,
  splitMentions,
  TEXT_FORMAT,
  uploadIdFromSrc,
  UPLOAD_ID_PATTERN,
  type LexicalEditorState,
  type SerializedNode,
} from './content'

export { contentFromText, quoteState, plainTextOf, CONTENT_LIMITS, type LexicalEditorState } from './content'

export interface PreparedContent {
  /** The normalised editor state to store in Post.content. */
  content: Prisma.InputJsonValue
  /** Sanitised HTML for Post.html. */
  html: string
  /** Plain text for Post.text (search, notifications). */
  text: string
  /** Uploads the post shows (ForumUpload ids), each once. */
  uploadIds: string[]
  /** Logins mentioned that exist, each once. */
  mentions: string[]
}

export type PrepareResult = { status: 'success'; value: PreparedContent } | { status: 'error'; message: string }

export const REDACTED_IMAGE_TEXT = 'Изображение скрыто модератором'

/**
 * Validates and renders a post body. `raw` is the editor's JSON (string or
 * object). Images must be uploads of `ownerId` or listed in `allowUploadIds`
 * (the images a post already had, when someone edits it); a redacted upload
 * is refused unless it is one of those, and then shows as a placeholder.
 */
export async function prepareContent(raw: unknown, opts: { ownerId: number; allowUploadIds?: string[] }): Promise<PrepareResult> {
  const checked = checkEditorState(raw)
  if (checked.status === 'error') return checked
  const allowed = new Set(opts.allowUploadIds ?? [])

  const uploads = checked.uploadIds.length
    ? await prisma.forumUpload.findMany({
        where: { id: { in: checked.uploadIds } },
        select: { id: true, ownerId: true, redactedAt: true, width: true, height: true },
      })
    : []
  const byId = new Map(uploads.map((u) => [u.id, u]))
  const redacted = new Set<string>()
  for (const id of checked.uploadIds) {
    const upload = byId.get(id)
    if (!upload) return { status: 'error', message: 'Одно из изображений не найдено на сервере: удалите его из текста и загрузите файл заново.' }
    if (upload.ownerId !== opts.ownerId && !allowed.has(id)) {
      return { status: 'error', message: 'Можно вставлять только изображения, загруженные вами: загрузите файл кнопкой «Изображение».' }
    }
    if (upload.redactedAt) {
      if (!allowed.has(id)) return { status: 'error', message: 'Одно из изображений скрыто модератором: удалите его из текста.' }
      redacted.add(id)
    }
  }

  // Mentions: explicit mention nodes and «@login» typed as text, kept only for logins that exist.
  const candidates = new Set(checked.mentionLogins)
  collectTypedMentions(checked.state.root.children, candidates)
  const known = candidates.size
    ? new Set(
        (await prisma.user.findMany({ where: { login: { in: [...candidates] } }, select: { login: true } })).map((u) => u.login),
      )
    : new Set<string>()
  const state: LexicalEditorState = {
    root: { ...checked.state.root, children: trimEmptyParagraphs(resolveMentions(checked.state.root.children, known, byId)) },
  }

  const text = plainTextOf(state)
  if (!text.trim() && checked.uploadIds.length === 0) return { status: 'error', message: 'Напишите текст сообщения.' }
  const mentions = [...new Set(collectMentionLogins(state.root.children))]
  return {
    status: 'success',
    value: {
      content: state as unknown as Prisma.InputJsonValue,
      html: renderContent(state, { redactedUploadIds: redacted }),
      text,
      uploadIds: checked.uploadIds,
      mentions,
    },
  }
}

/** Enter pressed a few times at the end (or the start) should not leave blank space in the thread. */
function trimEmptyParagraphs(blocks: SerializedNode[]): SerializedNode[] {
  const blank = (node: SerializedNode | undefined) =>
    node?.type === 'paragraph' && node.children.every((c) => (c.type === 'text' && c.text.trim() === '') || c.type === 'linebreak')
  let start = 0
  let end = blocks.length
  while (start < end && blank(blocks[start])) start++
  while (end > start && blank(blocks[end - 1])) end--
  return blocks.slice(start, end)
}

function collectTypedMentions(nodes: SerializedNode[], into: Set<string>) {
  for (const node of nodes) {
    if (node.type === 'text' && !(node.format & TEXT_FORMAT.code)) {
      for (const part of splitMentions(node.text)) if (part.type === 'mention') into.add(part.login)
    } else if ('children' in node && node.type !== 'link' && node.type !== 'autolink') {
      collectTypedMentions(node.children, into)
    }
  }
}

function collectMentionLogins(nodes: SerializedNode[]): string[] {
  return nodes.flatMap((node) => (node.type === 'mention' ? [node.login] : 'children' in node ? collectMentionLogins(node.children) : []))
}

/**
 * Mention nodes of unknown logins become plain text; «@login» words of known
 * logins become mention nodes (not inside links or code); images get the
 * upload's real dimensions.
 */
function resolveMentions(
  nodes: SerializedNode[],
  known: Set<string>,
  uploads: Map<string, { width: number | null; height: number | null }>,
  inLink = false,
): SerializedNode[] {
  return nodes.flatMap((node): SerializedNode[] => {
    switch (node.type) {
      case 'mention':
        return known.has(node.login) ? [mentionNode(node.login)] : [{ type: 'text', text: `@${node.login}`, format: 0, detail: 0, mode: 'normal', style: '', version: 1 }]
      case 'text':
        if (inLink || node.format & TEXT_FORMAT.code || !node.text.includes('@')) return [node]
        return splitMentions(node.text, (login) => known.has(login)).map((part) => (part.type === 'text' ? { ...part, format: node.format } : part))
      case 'image': {
        const upload = uploads.get(uploadIdFromSrc(node.src) ?? '')
        return [{ ...node, width: upload?.width ?? null, height: upload?.height ?? null }]
      }
      case 'link':
      case 'autolink':
        return [{ ...node, children: resolveMentions(node.children, known, uploads, true) }]
      case 'linebreak':
        return [node]
      default:
        return [{ ...node, children: resolveMentions(node.children, known, uploads, inLink) } as SerializedNode]
    }
  })
}

// ---------------------------------------------------------------------------
// Rendering

function escapeHtml(text: string) {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!)
}

function renderText(text: string, format: number) {
  let html = escapeHtml(text).replace(/\n/g, '<br>')
  if (format & TEXT_FORMAT.code) html = `<code>${html}</code>`
  if (format & TEXT_FORMAT.strikethrough) html = `<s>${html}</s>`
  if (format & TEXT_FORMAT.underline) html = `<u>${html}</u>`
  if (format & TEXT_FORMAT.italic) html = `<em>${html}</em>`
  if (format & TEXT_FORMAT.bold) html = `<strong>${html}</strong>`
  return html
}

function renderNodes(nodes: SerializedNode[], redacted: ReadonlySet<string>): string {
  return nodes.map((node) => renderNode(node, redacted)).join('')
}

function renderNode(node: SerializedNode, redacted: ReadonlySet<string>): string {
  switch (node.type) {
    case 'text':
      return renderText(node.text, node.format)
    case 'linebreak':
      return '<br>'
    case 'mention':
      return `<span class="mention" data-login="${escapeHtml(node.login)}">@${escapeHtml(node.login)}</span>`
    case 'image': {
      const id = uploadIdFromSrc(node.src)
      if (!id || redacted.has(id)) return `<span class="image-redacted">${REDACTED_IMAGE_TEXT}</span>`
      const size = node.width && node.height ? ` width="${node.width}" height="${node.height}"` : ''
      return `<img src="/forum/uploads/${id}" alt="${escapeHtml(node.altText)}"${size} loading="lazy">`
    }
    case 'link':
    case 'autolink': {
      const external = !node.url.startsWith('mailto:')
      return `<a href="${escapeHtml(node.url)}"${external ? ' target="_blank"' : ''} rel="nofollow noopener noreferrer">${renderNodes(node.children, redacted)}</a>`
    }
    case 'paragraph':
      return `<p>${renderNodes(node.children, redacted) || '<br>'}</p>`
    case 'quote':
      return `<blockquote>${renderNodes(node.children, redacted)}</blockquote>`
    case 'list': {
      const tag = node.listType === 'number' ? 'ol' : 'ul'
      const start = node.listType === 'number' && node.start !== 1 ? ` start="${node.start}"` : ''
      return `<${tag}${start}>${renderNodes(node.children, redacted)}</${tag}>`
    }
    case 'listitem':
      return `<li>${renderNodes(node.children, redacted)}</li>`
  }
}

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'u', 's', 'code', 'ul', 'ol', 'li', 'blockquote', 'a', 'img', 'span'],
  allowedAttributes: {
    a: ['href', 'rel', 'target'],
    img: ['src', 'alt', 'width', 'height', 'loading'],
    span: ['class', 'data-login'],
    ol: ['start'],
  },
  allowedClasses: { span: ['mention', 'image-redacted'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: [] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  // Our images only: a src that is not /forum/uploads/<id> loses the element.
  exclusiveFilter: (frame) => {
    if (frame.tag === 'img') {
      const src = frame.attribs.src ?? ''
      return !(src.startsWith('/forum/uploads/') && UPLOAD_ID_PATTERN.test(src.slice('/forum/uploads/'.length)))
    }
    if (frame.tag === 'a') return !frame.attribs.href
    return false
  },
  transformTags: {
    a: (tagName, attribs) => ({
      tagName,
      attribs: {
        ...(attribs.href ? { href: attribs.href } : {}),
        rel: 'nofollow noopener noreferrer',
        ...(attribs.target === '_blank' ? { target: '_blank' } : {}),
      },
    }),
  },
}

/** Sanitises HTML with the posts' allowlist (also usable on HTML from elsewhere). */
export function sanitizePostHtml(html: string) {
  return sanitizeHtml(html, SANITIZE)
}

/**
 * The sanitised HTML of an already validated state (Post.content). Used again
 * after a moderator redacts an image: pass the redacted upload ids.
 */
export function renderContent(state: LexicalEditorState, opts: { redactedUploadIds?: Iterable<string> } = {}): string {
  const redacted = new Set(opts.redactedUploadIds ?? [])
  return sanitizePostHtml(renderNodes(state.root.children, redacted))
}

/**
 * Re-renders a stored post body, looking up which of its images are redacted
 * (after redactUpload). Returns the new HTML; the content itself is unchanged.
 */
export async function rerenderStoredContent(content: unknown): Promise<string> {
  const checked = checkEditorState(content)
  if (checked.status === 'error') return `<p>${escapeHtml(checked.message)}</p>`
  const redacted = checked.uploadIds.length
    ? await prisma.forumUpload.findMany({ where: { id: { in: checked.uploadIds }, redactedAt: { not: null } }, select: { id: true } })
    : []
  return renderContent(checked.state, { redactedUploadIds: redacted.map((u) => u.id) })
}

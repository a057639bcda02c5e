// The Lexical editor state we accept in forum posts (issue 3, «Safe content»).
// Shared by the server, which enforces it, and the browser, which checks links
// and limits before sending. The state is rebuilt node by node from what we
// understand: unknown fields are dropped, unknown node types are refused, and
// nothing in it is ever taken as HTML.
import { z } from 'zod'

/** Limits of one post (the server enforces them; the editor shows them early). */
export const CONTENT_LIMITS = {
  /** Serialised JSON of the editor state, in bytes (UTF-8). */
  maxJsonBytes: 200 * 1024,
  /** Nesting of nodes, root included (root → list → item → list … ). */
  maxDepth: 12,
  maxImages: 20,
  /** Characters of text, all text nodes together. */
  maxTextChars: 20_000,
  maxUrlLength: 2048,
  maxAltChars: 300,
} as const

/** Text format bits of Lexical's TextNode that we keep; the others are dropped. */
export const TEXT_FORMAT = { bold: 1, italic: 2, strikethrough: 4, underline: 8, code: 16 } as const
const KEPT_FORMAT_BITS = TEXT_FORMAT.bold | TEXT_FORMAT.italic | TEXT_FORMAT.strikethrough | TEXT_FORMAT.underline | TEXT_FORMAT.code

/** Our uploads are the only images a post may show: `/forum/uploads/<random id>`. */
export const UPLOAD_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/
export const UPLOAD_URL_PREFIX = '/forum/uploads/'
export function uploadUrl(id: string) {
  return `${UPLOAD_URL_PREFIX}${id}`
}
export function uploadIdFromSrc(src: string): string | null {
  if (!src.startsWith(UPLOAD_URL_PREFIX)) return null
  const id = src.slice(UPLOAD_URL_PREFIX.length)
  return UPLOAD_ID_PATTERN.test(id) ? id : null
}

/** Logins as the accounts module issues them (edu293379, reg29_m019, edu290001_t01, user1.edu…). */
export const LOGIN_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

// ---------------------------------------------------------------------------
// Serialised node shapes (what Lexical 0.52's exportJSON produces, trimmed to
// the fields we keep). The editor's custom nodes export exactly these.

type Direction = 'ltr' | 'rtl' | null

interface SerializedElementBase {
  children: SerializedNode[]
  direction: Direction
  format: ''
  indent: number
  version: 1
}
export interface SerializedTextNode {
  type: 'text'
  text: string
  format: number
  detail: 0
  mode: 'normal'
  style: ''
  version: 1
}
export interface SerializedLineBreakNode {
  type: 'linebreak'
  version: 1
}
export interface SerializedMentionNode {
  type: 'mention'
  login: string
  text: string
  format: 0
  detail: 0
  mode: 'token'
  style: ''
  version: 1
}
export interface SerializedImageNode {
  type: 'image'
  src: string
  altText: string
  width: number | null
  height: number | null
  version: 1
}
export interface SerializedLinkNode extends SerializedElementBase {
  type: 'link' | 'autolink'
  url: string
  rel: null
  target: null
  title: null
}
export interface SerializedParagraphNode extends SerializedElementBase {
  type: 'paragraph'
  textFormat: number
  textStyle: ''
}
export interface SerializedQuoteNode extends SerializedElementBase {
  type: 'quote'
}
export interface SerializedListNode extends SerializedElementBase {
  type: 'list'
  listType: 'bullet' | 'number'
  start: number
  tag: 'ul' | 'ol'
}
export interface SerializedListItemNode extends SerializedElementBase {
  type: 'listitem'
  value: number
}
export interface SerializedRootNode extends SerializedElementBase {
  type: 'root'
}
export type SerializedNode =
  | SerializedTextNode
  | SerializedLineBreakNode
  | SerializedMentionNode
  | SerializedImageNode
  | SerializedLinkNode
  | SerializedParagraphNode
  | SerializedQuoteNode
  | SerializedListNode
  | SerializedListItemNode

/** A validated, normalised editor state: what `editor.parseEditorState` takes and what we store. */
export interface LexicalEditorState {
  root: SerializedRootNode
}

export type ContentCheck =
  | { status: 'success'; state: LexicalEditorState; imageSrcs: string[]; uploadIds: string[]; mentionLogins: string[]; textLength: number }
  | { status: 'error'; message: string }

// ---------------------------------------------------------------------------
// Links

const LINK_SCHEMES = ['http:', 'https:', 'mailto:'] as const

/**
 * The link as we store it, or a Russian message saying why it is refused.
 * Only absolute http, https and mailto URLs: `javascript:` in any case or with
 * tabs, newlines or NULs inside (browsers strip those before reading the
 * scheme), `data:`, `vbscript:`, protocol-relative `//host` and relative
 * paths are all refused rather than repaired, so what the author sees is what
 * the readers get.
 */
export function checkLinkUrl(raw: unknown): { status: 'success'; url: string } | { status: 'error'; message: string } {
  const bad = (message: string) => ({ status: 'error' as const, message })
  if (typeof raw !== 'string' || raw.length === 0) return bad('У ссылки нет адреса: укажите адрес, начинающийся с https://.')
  if (raw.length > CONTENT_LIMITS.maxUrlLength) return bad(`Адрес ссылки длиннее ${CONTENT_LIMITS.maxUrlLength} символов: сократите его.`)
  // Whitespace, control, zero-width and bidi characters hide the real scheme or host.
  if (/[\s\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/.test(raw)) {
    return bad('Адрес ссылки содержит пробелы или невидимые символы: вставьте адрес заново, без пробелов.')
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw)?.[1]?.toLowerCase()
  if (!scheme) return bad('Ссылка должна быть полным адресом, начинающимся с https://, http:// или mailto:.')
  if (!(LINK_SCHEMES as readonly string[]).includes(`${scheme}:`)) {
    return bad(`Ссылки вида «${scheme}:» не допускаются: можно ссылаться только на адреса http://, https:// и mailto:.`)
  }
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    return bad('Адрес ссылки записан с ошибкой: проверьте его и вставьте заново.')
  }
  if (parsed.protocol === 'mailto:') {
    if (!/^[^@\s]+@[^@\s]+$/.test(decodeURIComponentSafe(parsed.pathname))) return bad('В ссылке mailto: нужен адрес электронной почты вида name@example.ru.')
    return { status: 'success', url: parsed.href }
  }
  if (!/^https?:\/\/[^/]/i.test(raw) || !parsed.hostname) return bad('В адресе ссылки нет имени сайта: укажите адрес вида https://example.ru/….')
  // «https://fioko.ru@evil.example» shows one site and opens another.
  if (parsed.username || parsed.password) return bad('Адрес ссылки не должен содержать имя пользователя или пароль (часть до «@»).')
  return { status: 'success', url: parsed.href }
}

function decodeURIComponentSafe(value: string) {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

// ---------------------------------------------------------------------------
// The walk

const ALLOWED_TYPE_NAMES = 'абзац, список, цитата, ссылка, изображение, упоминание'
const BLOCK_TYPES = new Set(['paragraph', 'quote', 'list'])
const INLINE_TYPES = new Set(['text', 'tab', 'linebreak', 'link', 'autolink', 'mention', 'image'])

class ContentError extends Error {}
function fail(message: string): never {
  throw new ContentError(message)
}

// Fields of a node: zod for the scalar parts, with messages a person can act on.
const ElementFields = z.object({
  children: z.array(z.unknown(), { message: 'элемент без содержимого' }),
  direction: z.enum(['ltr', 'rtl']).nullable().optional().catch(null),
  indent: z.number().int().min(0).max(20).optional().catch(0),
})
const TextFields = z.object({
  text: z.string({ message: 'у фрагмента текста нет текста' }),
  format: z.number().int().min(0).optional().catch(0),
})
const ImageFields = z.object({
  src: z.string({ message: 'у изображения нет адреса' }),
  altText: z.string().optional().catch(''),
  width: z.number().int().positive().max(100_000).nullable().optional().catch(null),
  height: z.number().int().positive().max(100_000).nullable().optional().catch(null),
})
const MentionFields = z.object({ login: z.string({ message: 'у упоминания нет логина' }) })
const ListFields = z.object({
  listType: z.string({ message: 'у списка нет вида' }),
  start: z.number().int().min(0).max(1_000_000).optional().catch(1),
})

function fields<T extends z.ZodTypeAny>(schema: T, node: Record<string, unknown>): z.infer<T> {
  const parsed = schema.safeParse(node)
  if (!parsed.success) fail(`Текст сообщения повреждён (${parsed.error.issues[0]?.message ?? 'неверный элемент'}): обновите страницу и наберите текст заново.`)
  return parsed.data
}

/** NUL cannot be stored by PostgreSQL; other C0 controls are invisible junk. Tabs and newlines stay. */
function cleanText(text: string) {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
}

interface WalkState {
  depth: number
  images: string[]
  mentions: Set<string>
  textLength: number
}

function typeLabel(type: unknown) {
  if (typeof type !== 'string' || !type) return 'без типа'
  return `«${type.slice(0, 40)}»`
}

function asNode(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('Текст сообщения повреждён: обновите страницу и наберите текст заново.')
  return value as Record<string, unknown>
}

function element<T extends string>(type: T, node: Record<string, unknown>) {
  const f = fields(ElementFields, node)
  return { type, direction: (f.direction ?? null) as Direction, format: '' as const, indent: f.indent ?? 0, version: 1 as const, rawChildren: f.children }
}

function walkInline(value: unknown, walk: WalkState, depth: number, inLink: boolean): SerializedNode {
  const node = asNode(value)
  if (depth > CONTENT_LIMITS.maxDepth) fail(`Слишком глубокая вложенность (больше ${CONTENT_LIMITS.maxDepth} уровней): упростите списки и цитаты.`)
  switch (node.type) {
    case 'text': {
      const f = fields(TextFields, node)
      const text = cleanText(f.text)
      walk.textLength += text.length
      return { type: 'text', text, format: (f.format ?? 0) & KEPT_FORMAT_BITS, detail: 0, mode: 'normal', style: '', version: 1 }
    }
    case 'linebreak':
      walk.textLength += 1
      return { type: 'linebreak', version: 1 }
    case 'tab':
      // Lexical's TabNode (pasted from a spreadsheet, say): kept as a tab character.
      walk.textLength += 1
      return { type: 'text', text: '\t', format: 0, detail: 0, mode: 'normal', style: '', version: 1 }
    case 'mention': {
      const login = fields(MentionFields, node).login.replace(/^@/, '')
      if (!LOGIN_PATTERN.test(login)) fail(`Упоминание «@${login.slice(0, 40)}» записано с ошибкой: укажите логин, например @fioko01.`)
      walk.mentions.add(login)
      walk.textLength += login.length + 1
      return mentionNode(login)
    }
    case 'image': {
      if (inLink) fail('Изображение не может быть частью ссылки: вставьте его отдельно.')
      const f = fields(ImageFields, node)
      const id = uploadIdFromSrc(f.src)
      if (!id) fail('Изображение вставлено не с нашего сервера: загрузите файл кнопкой «Изображение» или вставьте снимок из буфера обмена.')
      walk.images.push(id!)
      if (walk.images.length > CONTENT_LIMITS.maxImages) fail(`В сообщении больше ${CONTENT_LIMITS.maxImages} изображений: оставьте не больше ${CONTENT_LIMITS.maxImages}.`)
      return { type: 'image', src: uploadUrl(id!), altText: cleanText(f.altText ?? '').slice(0, CONTENT_LIMITS.maxAltChars), width: f.width ?? null, height: f.height ?? null, version: 1 }
    }
    case 'link':
    case 'autolink': {
      if (inLink) fail('Ссылка внутри ссылки недопустима: уберите вложенную ссылку.')
      const el = element(node.type, node)
      const url = checkLinkUrl(node.url)
      if (url.status === 'error') fail(url.message)
      const children = el.rawChildren.map((child) => walkInline(child, walk, depth + 1, true))
      const { rawChildren: _, ...rest } = el
      return { ...rest, url: (url as { url: string }).url, rel: null, target: null, title: null, children } as SerializedLinkNode
    }
    default:
      if (BLOCK_TYPES.has(String(node.type)) || node.type === 'listitem' || node.type === 'root') {
        fail(`Элемент ${typeLabel(node.type)} стоит не на своём месте: наберите этот фрагмент заново.`)
      }
      return fail(`Недопустимый элемент в тексте: ${typeLabel(node.type)}. Допустимы: ${ALLOWED_TYPE_NAMES}; уберите этот элемент или вставьте текст без оформления.`)
  }
}

function walkBlock(value: unknown, walk: WalkState, depth: number): SerializedNode {
  const node = asNode(value)
  if (depth > CONTENT_LIMITS.maxDepth) fail(`Слишком глубокая вложенность (больше ${CONTENT_LIMITS.maxDepth} уровней): упростите списки и цитаты.`)
  switch (node.type) {
    case 'paragraph': {
      const el = element('paragraph', node)
      const textFormat = typeof node.textFormat === 'number' && Number.isInteger(node.textFormat) ? node.textFormat & KEPT_FORMAT_BITS : 0
      const children = el.rawChildren.map((child) => walkInline(child, walk, depth + 1, false))
      const { rawChildren: _, ...rest } = el
      return { ...rest, textFormat, textStyle: '', children } as SerializedParagraphNode
    }
    case 'quote': {
      const el = element('quote', node)
      const children = el.rawChildren.map((child) => walkInline(child, walk, depth + 1, false))
      const { rawChildren: _, ...rest } = el
      return { ...rest, children } as SerializedQuoteNode
    }
    case 'list':
      return walkList(node, walk, depth)
    case 'image': {
      // An image standing alone at the top level: kept, shown as its own paragraph.
      return walkInline(node, walk, depth, false)
    }
    default:
      if (INLINE_TYPES.has(String(node.type))) {
        // Lexical puts inline nodes inside a paragraph; a bare one is wrapped rather than refused.
        const inline = walkInline(node, walk, depth + 1, false)
        return { type: 'paragraph', direction: null, format: '', indent: 0, version: 1, textFormat: 0, textStyle: '', children: [inline] }
      }
      return fail(`Недопустимый элемент в тексте: ${typeLabel(node.type)}. Допустимы: ${ALLOWED_TYPE_NAMES}; уберите этот элемент или вставьте текст без оформления.`)
  }
}

function walkList(node: Record<string, unknown>, walk: WalkState, depth: number): SerializedListNode {
  if (depth > CONTENT_LIMITS.maxDepth) fail(`Слишком глубокая вложенность (больше ${CONTENT_LIMITS.maxDepth} уровней): упростите списки и цитаты.`)
  const el = element('list', node)
  const f = fields(ListFields, node)
  if (f.listType !== 'bullet' && f.listType !== 'number') {
    fail(`Список вида «${String(f.listType).slice(0, 20)}» не поддерживается: используйте маркированный или нумерованный список.`)
  }
  const listType = f.listType as 'bullet' | 'number'
  const children = el.rawChildren.map((child, i): SerializedListItemNode => {
    const item = asNode(child)
    if (depth + 1 > CONTENT_LIMITS.maxDepth) fail(`Слишком глубокая вложенность (больше ${CONTENT_LIMITS.maxDepth} уровней): упростите списки и цитаты.`)
    if (item.type !== 'listitem') {
      if (typeof item.type === 'string' && (INLINE_TYPES.has(item.type) || BLOCK_TYPES.has(item.type))) fail('В списке могут быть только пункты списка: наберите список заново.')
      fail(`Недопустимый элемент в тексте: ${typeLabel(item.type)}. Допустимы: ${ALLOWED_TYPE_NAMES}; уберите этот элемент или вставьте текст без оформления.`)
    }
    const li = element('listitem', item)
    const itemChildren = li.rawChildren.map((c) => {
      const n = asNode(c)
      return n.type === 'list' ? walkList(n, walk, depth + 2) : walkInline(n, walk, depth + 2, false)
    })
    const { rawChildren: _, ...rest } = li
    return { ...rest, value: (f.start ?? 1) + i, children: itemChildren } as SerializedListItemNode
  })
  const { rawChildren: _, ...rest } = el
  return { ...rest, listType, start: Math.max(1, f.start ?? 1), tag: listType === 'number' ? 'ol' : 'ul', children } as SerializedListNode
}

/**
 * Only the first this-many distinct people mentioned in a post are notified
 * (in the order they appear): a post with a hundred @logins would otherwise
 * be a mass mailing. The mentions themselves stay in the text.
 */
export const MENTIONS_NOTIFIED_MAX = 10

/** The logins of a post's mentions that get a notification: the first MENTIONS_NOTIFIED_MAX distinct ones. */
export function notifiedMentions(logins: readonly string[]): string[] {
  return [...new Set(logins)].slice(0, MENTIONS_NOTIFIED_MAX)
}

export function mentionNode(login: string): SerializedMentionNode {
  return { type: 'mention', login, text: `@${login}`, format: 0, detail: 0, mode: 'token', style: '', version: 1 }
}

function jsonBytes(text: string) {
  return new TextEncoder().encode(text).length
}

/**
 * Parses (a JSON string or an object) and validates an editor state, returning
 * it rebuilt from known fields only, with the images and mentions it holds.
 * Does not touch the database: whether images are the author's uploads and
 * whether mentioned logins exist is for content.server.ts.
 */
export function checkEditorState(raw: unknown): ContentCheck {
  const tooLarge = { status: 'error' as const, message: `Сообщение слишком большое (больше ${CONTENT_LIMITS.maxJsonBytes / 1024} КБ вместе с оформлением): сократите текст или разделите его на несколько сообщений.` }
  let value: unknown = raw
  if (typeof raw === 'string') {
    // A character is at most 3 UTF-8 bytes here (4 for a surrogate pair, which is 2 chars): cheap early refusal.
    if (raw.length > CONTENT_LIMITS.maxJsonBytes || jsonBytes(raw) > CONTENT_LIMITS.maxJsonBytes) return tooLarge
    if (raw.trim() === '') return { status: 'error', message: 'Напишите текст сообщения.' }
    try {
      value = JSON.parse(raw)
    } catch {
      return { status: 'error', message: 'Текст сообщения повреждён (не удалось прочитать данные редактора): обновите страницу и попробуйте ещё раз.' }
    }
  } else {
    let serialised: string | undefined
    try {
      serialised = JSON.stringify(raw)
    } catch {
      serialised = undefined
    }
    // JSON.stringify throws on cycles and on hostile nesting thousands of levels deep.
    if (serialised === undefined) return { status: 'error', message: 'Текст сообщения повреждён или слишком сложно устроен: обновите страницу и наберите текст заново.' }
    if (jsonBytes(serialised) > CONTENT_LIMITS.maxJsonBytes) return tooLarge
  }
  const walk: WalkState = { depth: 0, images: [], mentions: new Set(), textLength: 0 }
  try {
    const top = asNode(value)
    const root = asNode(top.root)
    if (root.type !== 'root') fail('Текст сообщения повреждён (нет корневого элемента): обновите страницу и наберите текст заново.')
    const el = element('root', root)
    const children = el.rawChildren.map((child) => walkBlock(child, walk, 2))
    if (walk.textLength > CONTENT_LIMITS.maxTextChars) {
      fail(`Текст длиннее ${CONTENT_LIMITS.maxTextChars.toLocaleString('ru-RU')} символов (сейчас ${walk.textLength.toLocaleString('ru-RU')}): сократите его или разделите на несколько сообщений.`)
    }
    const { rawChildren: _, ...rest } = el
    return {
      status: 'success',
      state: { root: { ...rest, children } as SerializedRootNode },
      imageSrcs: walk.images.map(uploadUrl),
      uploadIds: [...new Set(walk.images)],
      mentionLogins: [...walk.mentions],
      textLength: walk.textLength,
    }
  } catch (error) {
    if (error instanceof ContentError) return { status: 'error', message: error.message }
    // A stack overflow from a hostile nesting that slipped past the depth check, or the like.
    if (error instanceof RangeError) return { status: 'error', message: 'Текст сообщения слишком сложно устроен: упростите оформление.' }
    throw error
  }
}

/**
 * The zod schema of a post's editor state (a JSON string or an object),
 * transforming to the normalised LexicalEditorState. For forms:
 * `z.object({ content: EditorStateSchema })`.
 */
export const EditorStateSchema = z.unknown().transform((raw, ctx): LexicalEditorState => {
  const result = checkEditorState(raw)
  if (result.status === 'error') {
    ctx.addIssue({ code: 'custom', message: result.message })
    return z.NEVER
  }
  return result.state
})

// ---------------------------------------------------------------------------
// Building states (seed, tests, quoting)

function paragraph(children: SerializedNode[]): SerializedParagraphNode {
  return { type: 'paragraph', direction: null, format: '', indent: 0, version: 1, textFormat: 0, textStyle: '', children }
}
function textNode(text: string, format = 0): SerializedTextNode {
  return { type: 'text', text, format, detail: 0, mode: 'normal', style: '', version: 1 }
}
function rootOf(children: SerializedNode[]): LexicalEditorState {
  return { root: { type: 'root', direction: null, format: '', indent: 0, version: 1, children } }
}

const MENTION_IN_TEXT = /(^|[\s(«"'])@([A-Za-z0-9][A-Za-z0-9_.-]{0,63})/g

/** Splits plain text at `@login` words into text and mention nodes (the login's trailing dots belong to the sentence). */
export function splitMentions(text: string, isKnown: (login: string) => boolean = () => true): SerializedNode[] {
  const out: SerializedNode[] = []
  let last = 0
  for (const match of text.matchAll(MENTION_IN_TEXT)) {
    const login = match[2].replace(/[.-]+$/, '')
    if (!login || !isKnown(login)) continue
    const start = match.index! + match[1].length
    if (start > last) out.push(textNode(text.slice(last, start)))
    out.push(mentionNode(login))
    last = start + 1 + login.length
  }
  if (last < text.length) out.push(textNode(text.slice(last)))
  return out
}

/** A one-paragraph-per-line editor state from plain text; `@login` words become mentions. */
export function contentFromText(text: string): LexicalEditorState {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  return rootOf(lines.map((line) => paragraph(line ? splitMentions(line) : [])))
}

/**
 * A state that starts with a quote of another post («Имя: …», its lines kept)
 * and an empty paragraph to reply in: the thread page's «Цитировать».
 */
export function quoteState(authorName: string, text: string): LexicalEditorState {
  const lines = text.replace(/\r\n?/g, '\n').trim().split('\n')
  const children: SerializedNode[] = [textNode(`${authorName}:`, TEXT_FORMAT.bold)]
  for (const line of lines) children.push({ type: 'linebreak', version: 1 }, textNode(line))
  const quote: SerializedQuoteNode = { type: 'quote', direction: null, format: '', indent: 0, version: 1, children }
  return rootOf([quote, paragraph([])])
}

/** The plain text of a state: blocks and list items one per line (search, notifications, similar questions). */
export function plainTextOf(state: LexicalEditorState): string {
  const lines: string[] = []
  const inline = (nodes: SerializedNode[]): string =>
    nodes
      .map((n) => {
        switch (n.type) {
          case 'text':
            return n.text
          case 'mention':
            return `@${n.login}`
          case 'linebreak':
            return '\n'
          case 'link':
          case 'autolink':
            return inline(n.children)
          case 'image':
            return n.altText ? `[${n.altText}]` : ''
          case 'list':
            return `\n${listLines(n).join('\n')}`
          default:
            return ''
        }
      })
      .join('')
  const listLines = (list: SerializedListNode): string[] =>
    list.children.flatMap((item) => (item.type === 'listitem' ? inline(item.children).split('\n') : [])).filter((line) => line.trim() !== '')
  for (const block of state.root.children) {
    if (block.type === 'list') lines.push(...listLines(block))
    else if (block.type === 'paragraph' || block.type === 'quote') lines.push(inline(block.children))
    else lines.push(inline([block]))
  }
  return lines
    .join('\n')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/g, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

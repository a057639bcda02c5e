// Raw mail bytes → NormalizedMail, the one shape every way in (SMTP, IMAP,
// the MTA pipe) hands to the intake. Pure: no database, no network.
//
// mailparser reads the headers, the addresses and the attachments. The text
// parts are read by a walk over the same MIME tree (mailsplit, the splitter
// mailparser is built on), because mailparser decodes a part with no charset
// as UTF-8 and the original bytes are gone by the time we could notice: we
// need them to detect undeclared windows-1251 and koi8-r (charset.ts).
//
// parseMail never throws. A mail it cannot read comes back with
// `unparseable: true` and its reasons in `problems`; the caller quarantines it
// (the raw bytes are stored before parsing, so it can be replayed).
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type { Transform } from 'node:stream'
import mailsplit from '@zone-eu/mailsplit'
import libmime from 'libmime'
import { simpleParser, type AddressObject, type Attachment, type EmailAddress, type ParsedMail } from 'mailparser'
import { effectiveContentType, isRasterImage, sanitizeFilename } from './attachments.ts'
import { detectAutomatic, originalMessageId, parseDeliveryStatus, type AutomaticVerdict, type BounceInfo } from './automatic.ts'
import { decodeText, describeDecoding } from './charset.ts'
import { headerValue, messageIds, readHeaderBlock, type HeaderField } from './headers.ts'
import { stripQuotes } from './quotes.ts'
import { extractTnef, isTnef } from './tnef.ts'
import { cleanText, htmlToText, unflow } from './text.ts'

export const PARSE_LIMITS = {
  /** MIME parts (nodes) read; more make mailsplit stop, and the mail is quarantined. */
  parts: 500,
  /** Attachments kept; the rest are counted in `problems` (the raw mail keeps them). */
  attachments: 100,
  /** Bytes of one text part decoded for the text; the rest is cut (a note says so). */
  textPartBytes: 2 * 1024 * 1024,
  /** Characters kept of the subject. */
  subject: 1000,
  /** Characters kept of the raw HTML. */
  html: 5_000_000,
}

export interface MailAddress {
  address: string
  name: string
}

export type AttachmentOrigin =
  /** An ordinary MIME part. */
  | 'part'
  /** A text part we could not decode, kept as a file so nothing is lost. */
  | 'undecodable-text'
  /** A nested message (message/rfc822), kept whole as an .eml file. */
  | 'nested-message'
  /** winmail.dat itself. */
  | 'tnef-container'
  /** A file unpacked from winmail.dat. */
  | 'tnef-file'

export interface MailAttachment {
  /** Decoded (RFC 2231/2047) and sanitised: no path, no control or bidi characters. */
  filename: string
  /** Sniffed from the content where the bytes are recognised (see attachments.ts). */
  contentType: string
  /** What the sender's client declared. */
  declaredContentType: string
  size: number
  /** Content-ID without angle brackets. */
  contentId: string | null
  /** Shown inside the body (Content-Disposition: inline or referenced from multipart/related). */
  inline: boolean
  /** A raster image (PNG, JPEG, GIF, WebP, BMP, TIFF) by its bytes: what counts as a screenshot. */
  isImage: boolean
  sha256: string
  content: Buffer
  /** IMAP-style MIME part number ("2", "1.2"); for TNEF files, the container's. */
  partId: string | null
  origin: AttachmentOrigin
}

export interface NormalizedMail {
  /** Nothing usable could be read; the caller quarantines the raw message. */
  unparseable: boolean
  /** With angle brackets, as written: `<id@host>`. */
  messageId: string | null
  inReplyTo: string | null
  references: string[]
  /** Decoded (RFC 2047), reply prefixes kept. */
  subject: string
  from: MailAddress | null
  to: MailAddress[]
  cc: MailAddress[]
  replyTo: MailAddress | null
  date: Date | null
  automatic: AutomaticVerdict
  /** Delivery status notifications only. */
  bounce: BounceInfo | null
  /** The whole decoded text (from the HTML when there is no text part). */
  text: string
  /** `text` without quoted history and signature (quotes.ts). */
  shownText: string
  quotedText: string | null
  signature: string | null
  /** Raw HTML body as sent, for a sanitiser to render; never executed here. */
  html: string | null
  attachments: MailAttachment[]
  /** Human-readable notes (Russian) on what was odd about the mail. */
  problems: string[]
  /** Top-level header fields after repair (truncated, UTF-8), for loop checks and the desk. */
  headers: HeaderField[]
}

// ---------------------------------------------------------------------------
// The walk over the MIME tree for the text parts

interface WalkPart {
  id: string
  contentType: string
  charset: string | null
  disposition: string | null
  flowed: boolean
  delSp: boolean
  multipart: string | null
  boundary: string | null
  parent: WalkPart | null
  children: WalkPart[]
  /** Body text is read from this part. */
  isText: boolean
  chunks: Buffer[]
  size: number
  truncated: boolean
}

type SplitterNode = InstanceType<typeof mailsplit.MimeNode>

function partIdOf(node: SplitterNode) {
  return ((node.partNr || []) as (string | number)[]).filter((n) => typeof n === 'number').join('.')
}

async function walkMime(raw: Buffer): Promise<{ root: WalkPart | null; error: string | null }> {
  const splitter = new mailsplit.Splitter({ ignoreEmbedded: true, maxChildNodes: PARSE_LIMITS.parts })
  const parts = new Map<SplitterNode, WalkPart>()
  const decoders: { decoder: Transform; done: Promise<void> }[] = []
  const decoderOf = new Map<WalkPart, Transform>()
  let root: WalkPart | null = null
  let error: string | null = null

  const collect = (part: WalkPart, chunk: Buffer) => {
    if (part.size >= PARSE_LIMITS.textPartBytes) {
      part.truncated = true
      return
    }
    const room = PARSE_LIMITS.textPartBytes - part.size
    const piece = chunk.length > room ? chunk.subarray(0, room) : chunk
    if (piece.length < chunk.length) part.truncated = true
    part.chunks.push(piece)
    part.size += piece.length
  }

  try {
    for await (const data of Readable.from([raw]).pipe(splitter) as AsyncIterable<SplitterNode | { type: 'body' | 'data'; node: SplitterNode; value: Buffer }>) {
      if (data.type === 'node') {
        const node = data as SplitterNode
        const contentType = (node.contentType || 'text/plain').toLowerCase()
        const disposition = node.disposition ? String(node.disposition).toLowerCase() : null
        const part: WalkPart = {
          id: partIdOf(node),
          contentType,
          charset: node.charset || null,
          disposition,
          flowed: node.flowed,
          delSp: node.delSp,
          multipart: node.multipart || null,
          boundary: node._boundary ? node._boundary.toString('latin1') : null,
          parent: node.parentNode ? (parts.get(node.parentNode as SplitterNode) ?? null) : null,
          children: [],
          // mailparser's rule: a text/plain or text/html part is body text unless
          // its disposition says otherwise.
          isText: !node.multipart && (contentType === 'text/plain' || contentType === 'text/html') && (disposition === null || disposition === 'inline'),
          chunks: [],
          size: 0,
          truncated: false,
        }
        // A multipart without a boundary cannot be split: its body is read as plain text.
        if (node.multipart && !node._boundary) {
          part.isText = true
          part.contentType = 'text/plain'
          part.multipart = null
        }
        part.parent?.children.push(part)
        if (!root) root = part
        parts.set(node, part)
        if (part.isText && !node.multipart) {
          const decoder = node.getDecoder() as Transform
          const done = new Promise<void>((resolve) => {
            decoder.on('data', (chunk: Buffer) => collect(part, chunk))
            decoder.on('end', () => resolve())
            decoder.on('error', () => resolve())
          })
          decoders.push({ decoder, done })
          decoderOf.set(part, decoder)
        }
      } else {
        const part = parts.get(data.node)
        if (!part?.isText) continue
        const decoder = decoderOf.get(part)
        if (decoder && data.type === 'body') decoder.write(data.value)
        else if (!decoder && data.type === 'data') collect(part, data.value)
      }
    }
  } catch (err) {
    error = err instanceof Error ? err.message : String(err)
  }
  for (const { decoder } of decoders) decoder.end()
  await Promise.all(decoders.map((d) => d.done))
  return { root, error }
}

interface TextResult {
  texts: string[]
  htmls: string[]
  undecodable: { part: WalkPart; bytes: Buffer }[]
  notes: string[]
}

function hasType(part: WalkPart, type: string): boolean {
  if (part.isText) return part.contentType === type && part.size > 0
  return part.children.some((c) => hasType(c, type))
}

function decodePart(part: WalkPart, result: TextResult): string | null {
  const bytes = Buffer.concat(part.chunks)
  const label = `Часть ${part.id || '1'} (${part.contentType})`
  const decoded = decodeText(bytes, part.charset)
  if (decoded.undecodable) {
    result.undecodable.push({ part, bytes })
    result.notes.push(`${label} не удалось прочитать как текст: сохранена как вложение`)
    return null
  }
  const note = describeDecoding(decoded, label)
  if (note) result.notes.push(note)
  if (part.truncated) result.notes.push(`${label} длиннее ${PARSE_LIMITS.textPartBytes / 1024 / 1024} МБ: текст обрезан`)
  let text = cleanText(decoded.text)
  if (part.flowed) text = unflow(text, part.delSp)
  return text
}

/**
 * Text and HTML in document order. In multipart/alternative the plain-text
 * alternative gives the text and the HTML one the HTML; an alternative with
 * HTML only gives its text through html-to-text.
 */
function collectText(part: WalkPart, result: TextResult, wantText = true, wantHtml = true) {
  if (part.isText) {
    if (part.contentType === 'text/html') {
      const html = decodePart(part, result)
      if (html === null) return
      if (wantHtml) result.htmls.push(html)
      if (wantText) result.texts.push(htmlToText(html))
    } else if (wantText) {
      const text = decodePart(part, result)
      if (text !== null) result.texts.push(text)
    }
    return
  }
  if (part.multipart === 'alternative') {
    const withPlain = part.children.filter((c) => hasType(c, 'text/plain'))
    const withHtml = part.children.filter((c) => hasType(c, 'text/html'))
    const plain = withPlain.find((c) => {
      // An empty plain alternative next to a real HTML one (some webmails send that) does not count.
      const probe: TextResult = { texts: [], htmls: [], undecodable: [], notes: [] }
      collectText(c, probe, true, false)
      return probe.texts.join('').trim().length > 0
    })
    const html = withHtml[withHtml.length - 1]
    if (plain) collectText(plain, result, wantText, false)
    if (html) collectText(html, result, wantText && !plain, wantHtml)
    return
  }
  for (const child of part.children) collectText(child, result, wantText, wantHtml)
}

function missingClosingBoundaries(root: WalkPart | null, raw: Buffer): string[] {
  const missing: string[] = []
  const visit = (part: WalkPart) => {
    if (part.multipart && part.boundary && raw.indexOf(`--${part.boundary}--`, 0, 'latin1') < 0) missing.push(part.boundary)
    part.children.forEach(visit)
  }
  if (root) visit(root)
  return missing
}

// ---------------------------------------------------------------------------
// Addresses, attachments, bounces

function addressList(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const out: MailAddress[] = []
  const add = (a: EmailAddress) => {
    if (a.group) a.group.forEach(add)
    else if (a.address && a.address.includes('@')) out.push({ address: a.address.toLowerCase(), name: (a.name ?? '').trim() })
  }
  for (const obj of ([] as AddressObject[]).concat(value ?? [])) obj.value.forEach(add)
  return out
}

function sha256(content: Buffer) {
  return createHash('sha256').update(content).digest('hex')
}

function makeAttachment(
  content: Buffer,
  declared: string,
  filename: string | null | undefined,
  index: number,
  extra: Partial<MailAttachment> & { origin: AttachmentOrigin },
): MailAttachment {
  const contentType = effectiveContentType(declared, content)
  return {
    filename: sanitizeFilename(filename, contentType, index),
    contentType,
    declaredContentType: declared.toLowerCase(),
    size: content.length,
    contentId: null,
    inline: false,
    isImage: isRasterImage(contentType),
    sha256: sha256(content),
    content,
    partId: null,
    ...extra,
  }
}

function nestedMessageName(content: Buffer): string {
  const inner = readHeaderBlock(content.subarray(0, 256 * 1024))
  const subject = headerValue(inner.fields, 'subject')
  let decoded = ''
  try {
    decoded = subject ? libmime.decodeWords(subject) : ''
  } catch {
    decoded = subject ?? ''
  }
  const base = decoded.replace(/[/\\]/g, '_').trim().slice(0, 120) || 'Вложенное письмо'
  return `${base}.eml`
}

function extensionType(filename: string) {
  try {
    return libmime.detectMimeType(filename) || 'application/octet-stream'
  } catch {
    return 'application/octet-stream'
  }
}

function readAttachments(parsed: ParsedMail, problems: string[]): MailAttachment[] {
  const out: MailAttachment[] = []
  const list = parsed.attachments ?? []
  if (list.length > PARSE_LIMITS.attachments) {
    problems.push(`Вложений ${list.length}: разобраны первые ${PARSE_LIMITS.attachments}, остальные есть в исходном письме`)
  }
  for (const att of list.slice(0, PARSE_LIMITS.attachments)) {
    const content = Buffer.isBuffer(att.content) ? att.content : Buffer.from(att.content ?? [])
    const declared = (att.contentType || 'application/octet-stream').toLowerCase()
    const common = {
      contentId: att.cid ? att.cid : null,
      inline: att.related === true || att.contentDisposition === 'inline',
      partId: (att as Attachment & { partId?: string | null }).partId ?? null,
    }
    if (declared === 'message/rfc822' || declared === 'message/global') {
      out.push(makeAttachment(content, 'message/rfc822', nestedMessageName(content), out.length, { ...common, origin: 'nested-message', inline: false }))
      continue
    }
    const tnef = declared === 'application/ms-tnef' || declared === 'application/vnd.ms-tnef' || /^winmail\.dat$/i.test(att.filename ?? '') || isTnef(content)
    if (tnef && isTnef(content)) {
      out.push(makeAttachment(content, 'application/ms-tnef', att.filename || 'winmail.dat', out.length, { ...common, origin: 'tnef-container', inline: false }))
      const { files, error } = extractTnef(content)
      for (const file of files.slice(0, Math.max(0, PARSE_LIMITS.attachments - out.length))) {
        out.push(makeAttachment(file.content, extensionType(file.filename), file.filename, out.length, { partId: common.partId, origin: 'tnef-file' }))
      }
      problems.push(
        `Вложение ${att.filename || 'winmail.dat'} (TNEF, Outlook): ${files.length ? `извлечено файлов: ${files.length}` : 'файлов внутри нет'}${error ? `; ${error}` : ''}`,
      )
      continue
    }
    out.push(makeAttachment(content, declared, att.filename, out.length, { ...common, origin: 'part' }))
  }
  return out
}

function readBounce(automatic: AutomaticVerdict, attachments: MailAttachment[], text: string): BounceInfo | null {
  if (automatic.kind !== 'bounce') return null
  const status = attachments.find((a) => /^message\/(global-)?delivery-status$/.test(a.declaredContentType))
  const headers = attachments.find((a) => /^(text\/rfc822-headers|message\/global-headers)$/.test(a.declaredContentType) || a.origin === 'nested-message')
  const fields = status ? parseDeliveryStatus(status.content.toString('utf8')) : { recipient: null, status: null, action: null, diagnostic: null }
  const fromHeaders = headers ? originalMessageId(headers.content.toString('utf8')) : null
  // Bounces without RFC 3464 parts often quote the original headers in the text.
  return { originalMessageId: fromHeaders ?? originalMessageId(text), ...fields }
}

// ---------------------------------------------------------------------------

function emptyMail(problems: string[], headers: HeaderField[] = []): NormalizedMail {
  return {
    unparseable: true,
    messageId: null,
    inReplyTo: null,
    references: [],
    subject: '',
    from: null,
    to: [],
    cc: [],
    replyTo: null,
    date: null,
    automatic: { isAutomatic: false, kind: null, reasons: [] },
    bounce: null,
    text: '',
    shownText: '',
    quotedText: null,
    signature: null,
    html: null,
    attachments: [],
    problems,
    headers,
  }
}

export async function parseMail(raw: Buffer): Promise<NormalizedMail> {
  try {
    return await parse(raw)
  } catch (err) {
    // A bug of ours or of a library on hostile input: still no exception for the caller.
    return emptyMail([`Письмо не удалось разобрать: ${err instanceof Error ? err.message : String(err)}`])
  }
}

async function parse(raw: Buffer): Promise<NormalizedMail> {
  if (!Buffer.isBuffer(raw) || raw.length === 0) return emptyMail(['Пустое письмо: нет ни заголовков, ни текста'])
  const block = readHeaderBlock(raw)
  const problems = [...block.problems]
  if (block.notAMessage) {
    return emptyMail([...problems, 'Это не похоже на письмо: в начале нет заголовков (From:, Subject:…)'], block.fields)
  }
  const repaired = Buffer.concat([block.header, Buffer.from('\r\n'), block.body])

  const [parsedOrError, walked] = await Promise.all([
    simpleParser(repaired, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
      keepDeliveryStatus: true,
      checksumAlgo: 'sha256',
      // Nested messages stay whole, as attachments, and their headers never mix with ours.
      ignoreEmbedded: true,
      maxChildNodes: PARSE_LIMITS.parts,
    } as Parameters<typeof simpleParser>[1]).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
    walkMime(repaired),
  ])

  if (parsedOrError instanceof Error || walked.error) {
    const reason = parsedOrError instanceof Error ? parsedOrError.message : walked.error
    const mail = emptyMail([...problems, `Структура MIME не разобрана: ${reason}`], block.fields)
    mail.subject = decodeHeaderText(headerValue(block.fields, 'subject'))
    mail.messageId = messageIds(headerValue(block.fields, 'message-id'))[0] ?? null
    return mail
  }
  const parsed = parsedOrError

  const messageId = messageIds(headerValue(block.fields, 'message-id'))[0] ?? null
  if (!messageId) problems.push('Нет заголовка Message-ID')

  const from = addressList(parsed.from)[0] ?? null
  if (!from) problems.push(headerValue(block.fields, 'from') ? 'В заголовке From нет адреса отправителя' : 'Нет отправителя (заголовок From)')

  let subject = (parsed.subject ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim()
  if (subject.length > PARSE_LIMITS.subject) {
    problems.push(`Тема длиннее ${PARSE_LIMITS.subject} символов: обрезана`)
    subject = subject.slice(0, PARSE_LIMITS.subject)
  }

  let date: Date | null = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null
  if (!headerValue(block.fields, 'date')) {
    problems.push('Нет даты отправки (заголовок Date)')
    date = null
  } else if (!date) problems.push('Дата отправки не распознана')

  const textResult: TextResult = { texts: [], htmls: [], undecodable: [], notes: [] }
  if (walked.root) collectText(walked.root, textResult)
  problems.push(...textResult.notes)
  const missingEnds = missingClosingBoundaries(walked.root, repaired)
  if (missingEnds.length) problems.push('Нет завершающей границы MIME-части: письмо, возможно, обрезано при пересылке')

  const attachments = readAttachments(parsed, problems)
  for (const { part, bytes } of textResult.undecodable) {
    attachments.push(
      makeAttachment(bytes, 'application/octet-stream', `part-${part.id || '1'}.${part.contentType === 'text/html' ? 'html' : 'txt'}`, attachments.length, {
        origin: 'undecodable-text',
        partId: part.id || null,
      }),
    )
  }

  let text = textResult.texts.filter((t) => t.trim()).join('\n\n').trim()
  let html: string | null = textResult.htmls.length ? textResult.htmls.join('\n') : null
  if (html && html.length > PARSE_LIMITS.html) {
    problems.push('HTML-версия письма слишком большая: обрезана')
    html = html.slice(0, PARSE_LIMITS.html)
  }
  text = text.replace(/[ \t]+$/gm, '')

  const contentTypes: string[] = []
  const visit = (p: WalkPart) => {
    contentTypes.push(p.contentType)
    p.children.forEach(visit)
  }
  if (walked.root) visit(walked.root)
  for (const a of attachments) contentTypes.push(a.declaredContentType)

  const automatic = detectAutomatic({
    fields: block.fields,
    fromAddress: from?.address ?? null,
    subject,
    contentTypes,
    rootContentType: headerValue(block.fields, 'content-type'),
  })
  const bounce = readBounce(automatic, attachments, text)
  const { shown, quoted, signature } = stripQuotes(text)

  const replyTo = addressList(parsed.replyTo)[0] ?? null
  return {
    unparseable: false,
    messageId,
    inReplyTo: messageIds(headerValue(block.fields, 'in-reply-to'))[0] ?? null,
    references: messageIds(block.fields.filter((f) => f.name === 'references').map((f) => f.value).join(' ')),
    subject,
    from,
    to: addressList(parsed.to),
    cc: addressList(parsed.cc),
    replyTo,
    date,
    automatic,
    bounce,
    text,
    shownText: shown,
    quotedText: quoted,
    signature,
    html,
    attachments,
    problems,
    headers: block.fields,
  }
}

function decodeHeaderText(value: string | null): string {
  if (!value) return ''
  try {
    return libmime.decodeWords(value).trim()
  } catch {
    return value.trim()
  }
}

/** The text the intake rules read: what the sender wrote, signature included (it often names the school). */
export function textForRules(mail: Pick<NormalizedMail, 'shownText' | 'signature'>): string {
  return [mail.shownText, mail.signature].filter(Boolean).join('\n\n')
}

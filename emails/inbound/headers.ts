// The top-level header block, read and repaired before the MIME parser sees it:
// oversized fields are truncated (a 100,000-character header must not cost us
// memory or time further down), malformed lines dropped, and raw 8-bit header
// text in an undeclared charset (RFC 5322 allows none, Russian mailers send
// windows-1251 anyway) transcoded to UTF-8, which mailparser reads as is.
import iconv from 'iconv-lite'
import { detectCharset, isValidUtf8 } from './charset.ts'

export const HEADER_LIMITS = {
  /** Bytes kept of one header field (all its folded lines). */
  fieldBytes: 16 * 1024,
  /** Header fields kept in the top-level block. */
  fields: 500,
  /** Message-IDs kept from References (the first and the most recent ones). */
  references: 50,
}

export interface HeaderField {
  /** Lower-case field name. */
  name: string
  /** Unfolded value, surrounding whitespace trimmed, encoded words not yet decoded. */
  value: string
}

export interface HeaderBlock {
  /** The repaired header block, ending with its last line break. */
  header: Buffer
  /** Everything after the blank line that ends the header block. */
  body: Buffer
  fields: HeaderField[]
  problems: string[]
  /** True when the input does not start with anything like a header field. */
  notAMessage: boolean
}

const FIELD_START = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/

function splitLines(buf: Buffer): Buffer[] {
  const lines: Buffer[] = []
  let start = 0
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) {
      lines.push(buf.subarray(start, i + 1))
      start = i + 1
    }
  }
  if (start < buf.length) lines.push(buf.subarray(start))
  return lines
}

const isBlank = (line: Buffer) => line.length === 0 || (line.length === 1 && line[0] === 0x0a) || (line.length === 2 && line[0] === 0x0d && line[1] === 0x0a)
const isContinuation = (line: Buffer) => line.length > 0 && (line[0] === 0x20 || line[0] === 0x09)

/** Finds where the header block ends: index just after the blank line, or -1. */
function headerEnd(raw: Buffer): { end: number; bodyStart: number } {
  let lineStart = 0
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x0a) continue
    const line = raw.subarray(lineStart, i + 1)
    if (isBlank(line)) return { end: lineStart, bodyStart: i + 1 }
    lineStart = i + 1
  }
  return { end: raw.length, bodyStart: raw.length }
}

function fieldName(lines: Buffer[]) {
  const first = lines[0].toString('latin1')
  return first.slice(0, first.indexOf(':')).trim().toLowerCase()
}

function eol(line: Buffer) {
  if (line.length >= 2 && line[line.length - 2] === 0x0d && line[line.length - 1] === 0x0a) return '\r\n'
  return line.length && line[line.length - 1] === 0x0a ? '\n' : ''
}

function unfold(lines: Buffer[]) {
  const decoded = Buffer.concat(lines).toString('utf8')
  const colon = decoded.indexOf(':')
  return decoded.slice(colon + 1).replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n$/, '').trim()
}

/** Keeps the first and the most recent Message-IDs of an overlong References field. */
function shortenReferences(lines: Buffer[], nl: string): Buffer[] {
  const ids = Buffer.concat(lines).toString('latin1').match(/<[^<>\s]{1,250}>/g) ?? []
  const keep = ids.length > HEADER_LIMITS.references ? [ids[0], ...ids.slice(-(HEADER_LIMITS.references - 1))] : ids
  return [Buffer.from(`References: ${keep.join(`${nl} `)}${nl || '\r\n'}`, 'latin1')]
}

/** Cuts a field to `limit` bytes, at a line or a space where possible. */
function truncateField(lines: Buffer[], limit: number): Buffer[] {
  const kept: Buffer[] = []
  let size = 0
  for (const line of lines) {
    if (size + line.length <= limit) {
      kept.push(line)
      size += line.length
      continue
    }
    const room = limit - size
    if (room > 0) {
      let cut = line.subarray(0, room)
      const space = cut.lastIndexOf(0x20)
      if (space > room / 2) cut = cut.subarray(0, space)
      // Do not end in the middle of a UTF-8 sequence.
      let end = cut.length
      let lead = end - 1
      while (lead >= 0 && (cut[lead] & 0xc0) === 0x80) lead--
      if (lead >= 0 && cut[lead] >= 0xc0) {
        const need = cut[lead] >= 0xf0 ? 4 : cut[lead] >= 0xe0 ? 3 : 2
        if (end - lead < need) end = lead
      }
      kept.push(Buffer.concat([cut.subarray(0, end), Buffer.from(eol(line) || '\r\n')]))
    }
    break
  }
  const last = kept[kept.length - 1]
  if (last && !eol(last)) kept[kept.length - 1] = Buffer.concat([last, Buffer.from('\r\n')])
  return kept
}

const formatCount = (n: number) => n.toLocaleString('ru-RU').replace(/\u00a0/g, ' ')

export function readHeaderBlock(input: Buffer): HeaderBlock {
  const problems: string[] = []
  let raw = input
  // An mbox "From " separator line, as MTA pipes and archives prepend it.
  if (raw.subarray(0, 5).toString('latin1') === 'From ') {
    const nl = raw.indexOf(0x0a)
    raw = nl < 0 ? Buffer.alloc(0) : raw.subarray(nl + 1)
  }
  const { end, bodyStart } = headerEnd(raw)
  const body = raw.subarray(bodyStart)
  const lines = splitLines(raw.subarray(0, end))

  const groups: Buffer[][] = []
  let dropped = 0
  for (const line of lines) {
    if (isContinuation(line) && groups.length) groups[groups.length - 1].push(line)
    else if (FIELD_START.test(line.subarray(0, 200).toString('latin1'))) groups.push([line])
    else dropped++
  }
  const notAMessage = groups.length === 0 || !FIELD_START.test((lines[0] ?? Buffer.alloc(0)).subarray(0, 200).toString('latin1'))
  if (dropped && !notAMessage) problems.push(`В заголовках пропущено строк без имени поля: ${dropped}`)

  if (groups.length > HEADER_LIMITS.fields) {
    problems.push(`Заголовков слишком много (${formatCount(groups.length)}): разобраны первые ${HEADER_LIMITS.fields}`)
    groups.length = HEADER_LIMITS.fields
  }

  const fields: Buffer[][] = groups.map((group) => {
    const size = group.reduce((n, l) => n + l.length, 0)
    if (size <= HEADER_LIMITS.fieldBytes) return group
    const name = fieldName(group)
    const shortened = name === 'references' ? shortenReferences(group, eol(group[0])) : truncateField(group, HEADER_LIMITS.fieldBytes)
    const keptSize = shortened.reduce((n, l) => n + l.length, 0)
    problems.push(
      `Заголовок ${fieldName(group) || '(без имени)'} слишком длинный (${formatCount(size)} байт): сохранено ${formatCount(keptSize)}`,
    )
    return shortened
  })

  // Raw 8-bit header text: decode it in the charset it was written in and
  // hand the parser UTF-8 instead.
  const block = Buffer.concat(fields.flat())
  let charset: string | null = null
  if (!isValidUtf8(block)) {
    const eightBit = Buffer.concat(fields.flat().filter((l) => l.some((b) => b >= 0x80)))
    charset = detectCharset(eightBit).charset
    problems.push(`В заголовках текст без кодирования (RFC 2047), прочитан как ${charset}`)
  }
  const repaired = charset ? fields.map((group) => group.map((line) => Buffer.from(iconv.decode(line, charset), 'utf8'))) : fields

  return {
    header: Buffer.concat(repaired.flat()),
    body,
    fields: repaired.map((group) => ({ name: fieldName(group), value: unfold(group) })),
    problems,
    notAMessage,
  }
}

/** All values of a field, in order. */
export function headerValues(fields: HeaderField[], name: string): string[] {
  return fields.filter((f) => f.name === name).map((f) => f.value)
}

export function headerValue(fields: HeaderField[], name: string): string | null {
  return fields.find((f) => f.name === name)?.value ?? null
}

/** Message-IDs in a field value, in angle brackets as written (`<id@host>`). */
export function messageIds(value: string | null | undefined): string[] {
  if (!value) return []
  return value.match(/<[^<>\s]{1,250}>/g) ?? []
}

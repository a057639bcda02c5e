// Outlook's TNEF container (winmail.dat, application/ms-tnef): Outlook and
// Exchange wrap "rich text" mail and its attachments in it, and every other
// client shows one useless file. We read the attachment records of the
// legacy TNEF attribute stream ([MS-OXTNEF] 2.1.3): attAttachRendData starts
// an attachment, attAttachTitle is its (8-bit, OEM code page) name and
// attAttachData its bytes. A long Unicode name inside attAttachment (MAPI
// PR_ATTACH_LONG_FILENAME) replaces the 8.3 title when present.
import iconv from 'iconv-lite'

export const TNEF_SIGNATURE = 0x223e9f78

const LVL_MESSAGE = 0x01
const LVL_ATTACHMENT = 0x02
const ATT_OEM_CODEPAGE = 0x00069007
const ATT_ATTACH_REND_DATA = 0x00069002
const ATT_ATTACH_TITLE = 0x00018010
const ATT_ATTACH_DATA = 0x0006800f
const ATT_ATTACHMENT = 0x00069005

const PR_ATTACH_LONG_FILENAME = 0x3707
const PT_STRING8 = 0x001e
const PT_UNICODE = 0x001f

export interface TnefFile {
  filename: string
  content: Buffer
}

export interface TnefResult {
  files: TnefFile[]
  /** Set when the stream ended early or was not TNEF: the files read so far are still returned. */
  error: string | null
}

/** Limits: a forged stream must not make us allocate or loop without bound. */
const MAX_FILES = 50

export function isTnef(content: Uint8Array) {
  return content.length >= 6 && Buffer.from(content.buffer, content.byteOffset, 4).readUInt32LE(0) === TNEF_SIGNATURE
}

function codepageName(codepage: number | null) {
  if (!codepage) return 'windows-1252'
  const name = codepage === 20866 ? 'koi8-r' : codepage === 65001 ? 'utf-8' : `windows-${codepage}`
  return iconv.encodingExists(name) ? name : 'windows-1252'
}

/** Finds PR_ATTACH_LONG_FILENAME in a MAPI property block; anything unexpected gives up quietly. */
function longFilename(props: Buffer, charset: string): string | null {
  try {
    let pos = 0
    const count = props.readUInt32LE(pos)
    pos += 4
    for (let i = 0; i < count && i < 500; i++) {
      const type = props.readUInt16LE(pos)
      const id = props.readUInt16LE(pos + 2)
      pos += 4
      if (id >= 0x8000) return null // named properties: a layout we do not need to walk
      const fixed: Record<number, number> = { 0x0002: 4, 0x0003: 4, 0x0004: 4, 0x000b: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8, 0x0014: 8, 0x0040: 8, 0x0048: 16 }
      if (fixed[type] !== undefined) {
        pos += fixed[type]
        continue
      }
      if (type === PT_STRING8 || type === PT_UNICODE || type === 0x0102 || type === 0x000d) {
        const values = props.readUInt32LE(pos)
        pos += 4
        let text: string | null = null
        for (let v = 0; v < values; v++) {
          const len = props.readUInt32LE(pos)
          pos += 4
          const data = props.subarray(pos, pos + len)
          if (id === PR_ATTACH_LONG_FILENAME) {
            text = type === PT_UNICODE ? data.toString('utf16le') : iconv.decode(data, charset)
          }
          pos += len + ((4 - (len % 4)) % 4)
        }
        if (text !== null) return text.replace(/\u0000+$/, '')
        continue
      }
      return null
    }
  } catch {
    return null
  }
  return null
}

/** Reads the files out of a TNEF stream. Never throws. */
export function extractTnef(input: Uint8Array): TnefResult {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength)
  const files: TnefFile[] = []
  if (!isTnef(buf)) return { files, error: 'не TNEF' }
  let pos = 6 // signature and the legacy key
  let codepage: number | null = null
  let current: { title: string | null; long: string | null; data: Buffer | null } | null = null
  const finish = () => {
    if (current?.data) {
      const charset = codepageName(codepage)
      const title = current.title ? iconv.decode(Buffer.from(current.title, 'latin1'), charset).replace(/\u0000+$/, '') : null
      files.push({ filename: current.long || title || `attachment-${files.length + 1}`, content: current.data })
    }
    current = null
  }
  while (pos + 9 <= buf.length) {
    const level = buf[pos]
    const id = buf.readUInt32LE(pos + 1)
    const length = buf.readUInt32LE(pos + 5)
    const start = pos + 9
    const end = start + length
    if (level !== LVL_MESSAGE && level !== LVL_ATTACHMENT) return { files, error: 'повреждённый поток TNEF' }
    if (end + 2 > buf.length) {
      finish()
      return { files, error: 'поток TNEF обрывается' }
    }
    const data = buf.subarray(start, end)
    if (id === ATT_OEM_CODEPAGE && length >= 4) codepage = data.readUInt32LE(0)
    if (level === LVL_ATTACHMENT) {
      if (id === ATT_ATTACH_REND_DATA) {
        finish()
        if (files.length >= MAX_FILES) return { files, error: `в TNEF больше ${MAX_FILES} файлов` }
        current = { title: null, long: null, data: null }
      } else if (current) {
        if (id === ATT_ATTACH_TITLE) current.title = data.toString('latin1')
        else if (id === ATT_ATTACH_DATA) current.data = Buffer.from(data)
        else if (id === ATT_ATTACHMENT) current.long = longFilename(data, codepageName(codepage))
      }
    }
    pos = end + 2 // the 16-bit checksum, which we do not need to trust the data
  }
  finish()
  return { files, error: null }
}

/**
 * Builds a minimal TNEF stream holding the given files, as Outlook writes the
 * legacy attributes. Used to make test fixtures, not by the intake.
 */
export function buildTnef(files: { filename: string; content: Buffer }[], codepage = 1251): Buffer {
  const parts: Buffer[] = []
  const head = Buffer.alloc(6)
  head.writeUInt32LE(TNEF_SIGNATURE, 0)
  head.writeUInt16LE(0x0001, 4)
  parts.push(head)
  const attribute = (level: number, id: number, data: Buffer) => {
    const h = Buffer.alloc(9)
    h[0] = level
    h.writeUInt32LE(id, 1)
    h.writeUInt32LE(data.length, 5)
    let sum = 0
    for (const b of data) sum = (sum + b) & 0xffff
    const c = Buffer.alloc(2)
    c.writeUInt16LE(sum, 0)
    parts.push(h, data, c)
  }
  const version = Buffer.alloc(4)
  version.writeUInt32LE(0x00010000, 0)
  attribute(LVL_MESSAGE, 0x00089006, version) // attTnefVersion
  const cp = Buffer.alloc(8)
  cp.writeUInt32LE(codepage, 0)
  attribute(LVL_MESSAGE, ATT_OEM_CODEPAGE, cp)
  for (const file of files) {
    attribute(LVL_ATTACHMENT, ATT_ATTACH_REND_DATA, Buffer.alloc(14))
    attribute(LVL_ATTACHMENT, ATT_ATTACH_TITLE, Buffer.concat([iconv.encode(file.filename, codepageName(codepage)), Buffer.from([0])]))
    attribute(LVL_ATTACHMENT, ATT_ATTACH_DATA, file.content)
  }
  return Buffer.concat(parts)
}

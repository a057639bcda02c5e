// The bytes of a ticket's file. A file that came with a letter is not stored
// a second time (migration 20261126180000_intake_storage): its row refers to
// the raw letter (`inboundMailId`) and the part's place among the letter's
// attachments (`inboundPart`), and the bytes are read back by parsing the raw
// letter again — downloads are rare, every letter is written once. The part
// is checked against the sha256 taken at intake; should a later parser order
// parts differently, the part is found by its hash. Files uploaded with a
// reply from the cabinet or the desk have no raw letter and keep their bytes.
import crypto from 'node:crypto'
import { parseMail } from '../../emails/inbound/parse.ts'
import { db } from './ticket-rows.server'

export interface StoredAttachment {
  content: Uint8Array
  sha256: string
  inboundMailId: number | null
  inboundPart: number | null
}

/** The file's bytes, or null when they cannot be found any more (the raw letter is gone or no part matches). */
export async function attachmentBytes(file: StoredAttachment): Promise<Buffer | null> {
  if (file.content.length > 0 || file.inboundMailId === null) return Buffer.from(file.content)
  const [row] = await db.query<{ raw: Buffer }>(`SELECT raw FROM "InboundMail" WHERE id = $1`, [file.inboundMailId])
  if (!row) return null
  const mail = await parseMail(row.raw)
  const hash = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex')
  const byPlace = file.inboundPart !== null ? mail.attachments[file.inboundPart] : undefined
  if (byPlace && hash(byPlace.content) === file.sha256) return byPlace.content
  return mail.attachments.find((a) => hash(a.content) === file.sha256)?.content ?? null
}

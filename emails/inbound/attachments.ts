// What an attachment really is, judged by its first bytes rather than by what
// the sender's client claimed, and a file name that is safe to show and store.

/** Content types we recognise from magic bytes. */
export function sniffContentType(content: Uint8Array): string | null {
  const b = content
  const starts = (...bytes: number[]) => bytes.every((v, i) => b[i] === v)
  const ascii = (offset: number, text: string) => [...text].every((ch, i) => b[offset + i] === ch.charCodeAt(0))
  if (b.length < 4) return null
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png'
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg'
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif'
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp'
  if (ascii(0, 'BM') && b.length > 26) return 'image/bmp'
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'image/tiff'
  if (ascii(0, '%PDF-')) return 'application/pdf'
  if (starts(0x78, 0x9f, 0x3e, 0x22)) return 'application/ms-tnef'
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) return 'application/zip'
  if (starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return 'application/x-ole-storage'
  if (ascii(0, 'Rar!')) return 'application/vnd.rar'
  if (starts(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c)) return 'application/x-7z-compressed'
  if (starts(0x1f, 0x8b)) return 'application/gzip'
  if (starts(0x4d, 0x5a)) return 'application/x-msdownload'
  return null
}

/** Containers whose declared, more specific type we keep when the bytes agree on the container. */
const ZIP_BASED = /^application\/(vnd\.openxmlformats-officedocument\.|vnd\.oasis\.opendocument\.|vnd\.ms-excel\.sheet\.macroenabled|epub\+zip|x-zip|zip)/
const OLE_BASED = /^application\/(msword|vnd\.ms-excel|vnd\.ms-powerpoint|vnd\.ms-outlook|x-msg|vnd\.visio)/

const RASTER_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/tiff'])

/**
 * The content type we use: the sniffed one when the bytes are recognised,
 * except that a declared Office type stays when the bytes are its container
 * (zip or OLE). A declared image or PDF type the bytes do not confirm is not
 * believed: such a file becomes application/octet-stream.
 */
export function effectiveContentType(declared: string | null | undefined, content: Uint8Array): string {
  const claimed = (declared ?? '').toLowerCase().split(';')[0].trim() || 'application/octet-stream'
  const sniffed = sniffContentType(content)
  if (sniffed === 'application/zip' && ZIP_BASED.test(claimed)) return claimed
  if (sniffed === 'application/x-ole-storage' && OLE_BASED.test(claimed)) return claimed
  if (sniffed) return sniffed
  if (claimed.startsWith('image/') || claimed === 'application/pdf') return 'application/octet-stream'
  return claimed
}

/** Only raster images count as screenshots; SVG can carry scripts and is not one. */
export function isRasterImage(contentType: string) {
  return RASTER_IMAGES.has(contentType)
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/bmp': 'bmp', 'image/tiff': 'tif',
  'application/pdf': 'pdf', 'application/zip': 'zip', 'message/rfc822': 'eml', 'text/plain': 'txt', 'text/html': 'html',
  'application/ms-tnef': 'dat', 'text/calendar': 'ics', 'message/delivery-status': 'txt', 'text/rfc822-headers': 'txt',
}

export const MAX_FILENAME_LENGTH = 180

/**
 * A file name safe to show and to use as a download name: the last path
 * segment only, no control or bidirectional-override characters (the
 * «invoice‮fdp.exe» trick), no leading dots, bounded length with the extension
 * kept. Empty names become `attachment-N.ext` from the content type.
 */
export function sanitizeFilename(raw: string | null | undefined, contentType: string, index: number): string {
  let name = (raw ?? '').normalize('NFC')
  name = name.split(/[/\\]/).pop() ?? ''
  name = name
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '')
  if (name.length > MAX_FILENAME_LENGTH) {
    const dot = name.lastIndexOf('.')
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : ''
    name = name.slice(0, MAX_FILENAME_LENGTH - ext.length).trimEnd() + ext
  }
  if (!name) name = `attachment-${index + 1}.${EXTENSIONS[contentType] ?? 'bin'}`
  return name
}

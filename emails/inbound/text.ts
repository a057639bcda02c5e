// Turning decoded body parts into plain text: format=flowed (RFC 3676) and
// HTML. The HTML is only read as text here, never rendered or executed; the
// raw HTML travels on for the sanitiser of whoever displays it.
import { convert } from 'html-to-text'

/** Unfolds RFC 3676 format=flowed text: soft line breaks end in a space. */
export function unflow(text: string, delSp: boolean): string {
  const out: string[] = []
  let paragraph: string | null = null
  let paragraphDepth = 0
  for (const rawLine of text.split(/\r?\n/)) {
    const depth = /^>+/.exec(rawLine)?.[0].length ?? 0
    let line = rawLine.slice(depth)
    // Space-stuffing: a leading space was added by the sender.
    if (line.startsWith(' ')) line = line.slice(1)
    const isSignature = line === '-- '
    const soft = !isSignature && line.endsWith(' ')
    if (paragraph !== null && depth !== paragraphDepth) {
      out.push('>'.repeat(paragraphDepth) + (paragraphDepth ? ' ' : '') + paragraph)
      paragraph = null
    }
    const content = soft && delSp ? line.slice(0, -1) : line
    paragraph = paragraph === null ? content : paragraph + content
    paragraphDepth = depth
    if (!soft) {
      out.push('>'.repeat(depth) + (depth && paragraph ? ' ' : '') + paragraph)
      paragraph = null
    }
  }
  if (paragraph !== null) out.push('>'.repeat(paragraphDepth) + (paragraphDepth ? ' ' : '') + paragraph)
  return out.join('\n')
}

export const MAX_HTML_FOR_TEXT = 2_000_000

/** Plain text of an HTML body: scripts, styles and images dropped, links as their text. */
export function htmlToText(html: string): string {
  const input = html.length > MAX_HTML_FOR_TEXT ? html.slice(0, MAX_HTML_FOR_TEXT) : html
  try {
    return convert(input, {
      wordwrap: false,
      limits: { maxInputLength: MAX_HTML_FOR_TEXT, maxDepth: 200, maxChildNodes: 20_000 },
      selectors: [
        { selector: 'script', format: 'skip' },
        { selector: 'style', format: 'skip' },
        { selector: 'head', format: 'skip' },
        { selector: 'noscript', format: 'skip' },
        { selector: 'template', format: 'skip' },
        { selector: 'img', format: 'skip' },
        { selector: 'a', options: { ignoreHref: true } },
        { selector: 'h1', options: { uppercase: false } },
        { selector: 'h2', options: { uppercase: false } },
        { selector: 'h3', options: { uppercase: false } },
        { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
      ],
    })
      .replace(/\u00a0/g, ' ')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  } catch {
    // A pathological document: keep the words, drop the tags.
    return input.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim()
  }
}

/** Line breaks as \n, no NUL or other control characters besides tab and newline. */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
}

// The HTML of an inbound letter as the desk may show it: sanitize-html with
// an allow-list. No scripts, styles, forms, frames or event handlers; links
// only to http(s) and mailto, opened without a referrer; images only from
// the letter itself (cid:) or inline data, never fetched from elsewhere (a
// remote image is a read receipt and a tracker). The desk shows the plain
// shown text by default; this is for «show the original formatting».
import sanitizeHtml from 'sanitize-html'

/** Larger HTML is not kept as HTML (the text and the raw letter still are). */
export const MAX_SAFE_HTML = 1_000_000

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'div', 'span', 'br', 'hr', 'b', 'strong', 'i', 'em', 'u', 's', 'sub', 'sup', 'small', 'font',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'ul', 'ol', 'li', 'dl', 'dt', 'dd',
    'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'colgroup', 'col', 'a', 'img',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'target'],
    img: ['src', 'alt', 'width', 'height'],
    td: ['colspan', 'rowspan', 'align'],
    th: ['colspan', 'rowspan', 'align'],
    '*': ['dir', 'lang'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['cid', 'data'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Only raster images inline: an SVG data: URL can carry script.
  exclusiveFilter: (frame) => frame.tag === 'img' && !(/^cid:/i.test(frame.attribs.src ?? '') || /^data:image\/(png|jpe?g|gif|webp);/i.test(frame.attribs.src ?? '')),
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' } }),
  },
}

export function safeHtml(html: string | null | undefined): string | null {
  if (!html) return null
  if (html.length > MAX_SAFE_HTML) return null
  const clean = sanitizeHtml(html, OPTIONS).trim()
  return clean || null
}

// Subjects for threading: reply and forward prefixes in the languages our
// senders' clients use, and the ticket token we put into our own subjects.

/**
 * Reply/forward prefixes, matched case-insensitively before a colon:
 * English Re, Fwd, Fw, Fwrd; Russian Ответ, Отв, Пересл, Переслано, Пересылка;
 * German AW, WG; Scandinavian SV, VS, VB; Dutch Antw, Doorst; French/Italian
 * TR, RIF, Réf; Spanish RV. A counter may follow: RE[2], Re^3, Re(2), Re*2.
 */
const PREFIX = /^\s*(?:re|fwd?|fwrd|ответ|отв|пересл|переслано|пересылка|aw|wg|sv|vs|vb|antw|doorst|tr|rif|réf|ref|rv)\s*(?:\[\d{1,3}\]|\^\d{1,3}|\(\d{1,3}\)|\*\d{1,3})?\s*[:：]\s*/i

/** List and mailer tags that some relays prepend: [SPAM], [External], [Внешняя почта]. */
const TAG = /^\s*\[(?:spam|\*\*\*spam\*\*\*|external|внешн[а-я]*(?: почта| отправитель)?|suspected spam|ext)\]\s*/i

/**
 * Ticket tokens we accept (documented set):
 *   [#12345]  [# 12345]  [Ticket#12345]  [Ticket #12345]  [Заявка #12345]  [Заявка № 12345]
 * Case-insensitive, 1 to 9 digits, square brackets required: a bare «#123»
 * in a subject is too often something else (a school number, an order).
 */
const TOKEN = /\[\s*(?:ticket|заявка|тикет)?\s*[#№]\s*(\d{1,9})\s*\]/i
const TOKEN_GLOBAL = new RegExp(TOKEN.source, 'gi')

/** The subject without reply/forward prefix chains, relay tags and ticket tokens, whitespace collapsed. */
export function normalizeSubject(subject: string | null | undefined): string {
  let s = (subject ?? '').replace(/[\u0000-\u001f\u00a0]/g, ' ')
  for (let guard = 0; guard < 50; guard++) {
    const next = s.replace(TAG, '').replace(PREFIX, '').replace(/^\s*[-–—:]\s*/, '')
    const withoutLeadingToken = next.replace(new RegExp(`^\\s*${TOKEN.source}\\s*`, 'i'), '')
    if (withoutLeadingToken === s) break
    s = withoutLeadingToken
  }
  return s.replace(TOKEN_GLOBAL, ' ').replace(/\s+/g, ' ').trim()
}

/** The ticket number of the first token in the subject, or null. */
export function extractTicketToken(subject: string | null | undefined): number | null {
  const m = TOKEN.exec(subject ?? '')
  if (!m) return null
  const n = Number(m[1])
  return Number.isSafeInteger(n) && n > 0 ? n : null
}

/** Our own subject for a ticket: «[#12345] Тема». */
export function subjectWithToken(ticket: number, subject: string): string {
  const base = normalizeSubject(subject)
  return base ? `[#${ticket}] ${base}` : `[#${ticket}]`
}

/** Whether two subjects are the same conversation once prefixes and tokens are ignored (case-insensitive, ё = е). */
export function sameSubject(a: string | null | undefined, b: string | null | undefined): boolean {
  const key = (s: string | null | undefined) => normalizeSubject(s).toLowerCase().replace(/ё/g, 'е')
  const ka = key(a)
  return ka.length > 0 && ka === key(b)
}

// Separating what the sender wrote now from the quoted history and the
// signature, for the clients our senders use: Outlook (Russian and English),
// Thunderbird, Gmail, Yandex, Mail.ru, Apple Mail and phones.
//
// Conservative by design: when in doubt a line stays shown, and `shown` is
// never empty when the mail had text (the whole text is shown instead). The
// full text is always kept elsewhere, one click away.

export interface StrippedText {
  /** What the sender wrote in this letter. */
  shown: string
  /** The quoted history that was removed, or null. */
  quoted: string | null
  /** The signature that was removed ("-- " block, sign-off block, "Sent from my iPhone"), or null. */
  signature: string | null
}

/** «-----Original Message-----», «-----Исходное сообщение-----». */
const ORIGINAL_MESSAGE = /^\s*[-_=]{2,}\s*(original message|исходное сообщение|исходное письмо|оригинальное сообщение|ответ на сообщение)\s*[-_=]{2,}\s*$/i

/** Forwarded letters are content, not history: nothing below such a marker is removed. */
const FORWARD_MARKER = /^\s*[-_=]{2,}\s*(forwarded message|пересылаемое сообщение|перенаправленное сообщение|пересланное сообщение)\s*[-_=]{2,}\s*$|^\s*(begin forwarded message|начало переадресованного сообщения)\s*:\s*$/i

/** Outlook's header block of the quoted letter: От:/From:, then Отправлено:/Sent:/Дата:/Date:, Кому:/To:, Тема:/Subject:. */
const OUTLOOK_FROM = /^\s*\*?(от|from|отправитель)\s*:\*?\s*\S/i
const OUTLOOK_FIELDS = [/^\s*\*?(отправлено|sent|дата|date)\s*:/i, /^\s*\*?(кому|to)\s*:/i, /^\s*\*?(тема|subject)\s*:/i, /^\s*\*?(копия|cc)\s*:/i]
const SEPARATOR_LINE = /^\s*(_{10,}|-{10,}|={10,})\s*$/

const WROTE = /(написал|написала|написал\(а\)|написали|пишет|пишут|писал|писала|wrote|schrieb|a écrit)\s*:\s*$/i
const ON_WROTE = /^\s*On\s.+\swrote:\s*$/i
const HAS_DATE_OR_ADDRESS = /\d{1,2}[:.]\d{2}|\d{4}|@/
/** Yandex «26.11.2026, 10:15, "Иван" <x@y.ru>:», Gmail «чт, 26 нояб. 2026 г. в 10:15, Иван <x@y.ru>:», Mail.ru «Четверг, 26 ноября 2026, 10:15 +03:00 от Имя <x@y.ru>:». */
const DATED_ADDRESS_COLON = /\d{1,2}:\d{2}.*<?[^\s<>@"]+@[^\s<>"]+>?\s*:\s*$/

const MOBILE_FOOTER = new RegExp(
  [
    'отправлено (с|со|из) (моего |мое(го)? )?(iphone|ipad|android|телефона|смартфона|мобильного( устройства| телефона)?|samsung|huawei|xiaomi)',
    'отправлено из мобильной почты mail\\.ru',
    'отправлено из (приложения|почты|яндекс[. ]?почты|mail\\.ru)',
    'sent from my \\S+',
    'sent from (outlook|mail|yahoo mail|gmail)',
    'get outlook for (ios|android)',
    'получить outlook для (ios|android)',
    'отправлено из почты для windows',
    'sent from mail for windows',
    'с уважением, отправлено с',
  ]
    .map((p) => `^\\s*(${p}).{0,60}$`)
    .join('|'),
  'i',
)

const SIGN_OFF = /^\s*(с уважением|с наилучшими пожеланиями|всего (вам )?доброго|с благодарностью|best regards|kind regards|warm regards|regards|sincerely|yours sincerely|cheers)(?![\p{L}\p{N}])[\s,.!:\-—]*.{0,60}$/iu
const SIGN_OFF_WINDOW = 7

const isQuoteLine = (line: string) => /^\s*>/.test(line)
const isBlank = (line: string) => line.trim() === ''

function isAttribution(line: string): boolean {
  const t = line.trim()
  if (t.length === 0 || t.length > 300) return false
  if (ON_WROTE.test(t)) return true
  if (WROTE.test(t) && HAS_DATE_OR_ADDRESS.test(t)) return true
  return DATED_ADDRESS_COLON.test(t)
}

/** Number of lines the quote header at `i` spans, or 0 when there is none. */
function quoteHeaderAt(lines: string[], i: number): number {
  const line = lines[i]
  if (ORIGINAL_MESSAGE.test(line)) return 1
  if (OUTLOOK_FROM.test(line)) {
    let found = 0
    for (let j = i + 1; j < Math.min(lines.length, i + 7); j++) {
      if (OUTLOOK_FIELDS.some((re) => re.test(lines[j]))) found++
    }
    if (found >= 2) return 1
  }
  if (isAttribution(line)) return 1
  // Clients wrap long attribution lines: «On Thu, 26 Nov 2026 at 10:15, Иван Иванов <\nivan@example.ru> wrote:».
  if (i + 1 < lines.length && !isBlank(line) && !isBlank(lines[i + 1]) && /:\s*$/.test(lines[i + 1]) && isAttribution(`${line.trim()} ${lines[i + 1].trim()}`)) {
    return 2
  }
  return 0
}

function trimLines(lines: string[]) {
  let start = 0
  let end = lines.length
  while (start < end && isBlank(lines[start])) start++
  while (end > start && isBlank(lines[end - 1])) end--
  return lines.slice(start, end)
}

const join = (lines: string[]) => {
  const t = trimLines(lines)
  return t.length ? t.join('\n') : null
}

function splitSignature(lines: string[]): { body: string[]; signature: string[] } {
  // 1. The standard delimiter "-- " (many clients drop the trailing space).
  for (let i = 1; i < lines.length; i++) {
    if (/^--\s?$/.test(lines[i]) && lines.slice(0, i).some((l) => !isBlank(l))) {
      return { body: lines.slice(0, i), signature: lines.slice(i + 1) }
    }
  }
  let body = lines
  let signature: string[] = []
  // 2. "Отправлено с iPhone" and friends, near the end.
  const nonBlank = body.map((l, i) => (isBlank(l) ? -1 : i)).filter((i) => i >= 0)
  for (const i of nonBlank.slice(-5)) {
    if (MOBILE_FOOTER.test(body[i]) && body.slice(0, i).some((l) => !isBlank(l))) {
      signature = body.slice(i)
      body = body.slice(0, i)
      break
    }
  }
  // 3. A sign-off block («С уважением, …») among the last lines.
  const rest = body.map((l, i) => (isBlank(l) ? -1 : i)).filter((i) => i >= 0)
  for (const i of rest.slice(-SIGN_OFF_WINDOW)) {
    if (SIGN_OFF.test(body[i]) && body.slice(0, i).some((l) => !isBlank(l))) {
      signature = [...body.slice(i), ...signature]
      body = body.slice(0, i)
      break
    }
  }
  return { body, signature }
}

export function stripQuotes(input: string): StrippedText {
  const text = input.replace(/\r\n?/g, '\n')
  const lines = text.split('\n')
  const shown: string[] = []
  const quoted: string[] = []

  let i = 0
  let forwarded = false
  while (i < lines.length) {
    const line = lines[i]
    if (!forwarded && FORWARD_MARKER.test(line)) forwarded = true
    const span = forwarded ? 0 : quoteHeaderAt(lines, i)
    if (!span) {
      shown.push(line)
      i++
      continue
    }
    // A separator line right above Outlook's block belongs to the quote.
    while (shown.length && (SEPARATOR_LINE.test(shown[shown.length - 1]) || isBlank(shown[shown.length - 1]))) {
      const last = shown.pop() as string
      if (!isBlank(last)) quoted.push(last)
    }
    let j = i + span
    while (j < lines.length && isBlank(lines[j])) j++
    if (j < lines.length && isQuoteLine(lines[j])) {
      // Attribution followed by ">" lines: only that block is history; text
      // after it (bottom posting, inline answers) is the sender's.
      let k = j
      while (k < lines.length && (isQuoteLine(lines[k]) || (isBlank(lines[k]) && k + 1 < lines.length && isQuoteLine(lines[k + 1])))) k++
      quoted.push(...lines.slice(i, k))
      i = k
      continue
    }
    // Outlook style: everything below the header is the quoted letter.
    quoted.push(...lines.slice(i))
    break
  }

  // Inline ">" lines left in the shown part are quotes too.
  const kept: string[] = []
  for (const line of shown) {
    if (isQuoteLine(line) && !forwarded) quoted.push(line)
    else kept.push(line)
  }

  const { body, signature } = splitSignature(trimLines(kept))
  const shownText = join(body)
  if (!shownText) {
    const all = text.trim()
    return { shown: all, quoted: null, signature: null }
  }
  return { shown: shownText, quoted: join(quoted), signature: join(signature) }
}

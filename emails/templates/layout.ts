// Pieces every outgoing ticket mail shares: the greeting, the signature and
// the ticket reference line our intake threads replies by (a signed marker:
// app/helpdesk/outbound.server.ts). Pure: props in, text out.

export interface TicketMailProps {
  ticketId: number
  /** The signed reference «10001-<hmac>» (ticketReference in outbound.server.ts). */
  reference: string
  /** The ticket's subject as the requester wrote it (prefixes and tokens are removed here). */
  subject: string
  requesterName?: string | null
}

export interface RenderedMail {
  subject: string
  text: string
  html?: string
}

export const SUPPORT_SIGNATURE = 'Техническая поддержка ФИС ОКО'

/** «Здравствуйте, Анна Сергеевна!» when the name looks like a person's, else «Здравствуйте!». */
export function greeting(name: string | null | undefined): string {
  const clean = (name ?? '').replace(/["«»<>]/g, '').trim()
  // Only «Фамилия Имя Отчество» or «Имя Отчество»: organisation names and
  // addresses make an odd greeting.
  const words = clean.split(/\s+/)
  const personal = words.length >= 2 && words.length <= 3 && words.every((w) => /^[А-ЯЁ][а-яё-]+$/.test(w))
  if (!personal) return 'Здравствуйте!'
  const [first, second, third] = words
  const patronymic = (w: string | undefined) => !!w && /(овна|евна|ична|инична|ович|евич|ич)$/.test(w)
  // «Петрова Анна Сергеевна» → «Анна Сергеевна»; «Анна Сергеевна» stays;
  // «Иванов Пётр» could be either order: no name then.
  if (third && patronymic(third)) return `Здравствуйте, ${second} ${third}!`
  if (!third && patronymic(second)) return `Здравствуйте, ${first} ${second}!`
  return 'Здравствуйте!'
}

/** The line the intake finds in quoted replies: «Номер обращения: #10001 (ref: 10001-…)». */
export function referenceLine(ticketId: number, reference: string): string {
  return `Номер обращения: #${ticketId} (ref: ${reference})`
}

/** Signature and reference, after a blank line; `signer` is the agent's name. */
export function footer(ticketId: number, reference: string, signer?: string | null): string {
  return [
    '--',
    ...(signer?.trim() ? [signer.trim()] : []),
    SUPPORT_SIGNATURE,
    'Поддержка отвечает по электронной почте и на форуме исследования; консультации по телефону не проводятся.',
    referenceLine(ticketId, reference),
    'Отвечая, сохраните номер обращения в теме письма.',
  ].join('\n')
}

/** The subject with the ticket token in front: «[#10001] …». */
export function tokenSubject(ticketId: number, prefix: string, subject: string): string {
  const base = cleanSubject(subject)
  return `[#${ticketId}] ${prefix}${base ? `: ${base}` : ''}`
}

/** The requester's subject without reply prefixes and ticket tokens, cut to a readable length. */
export function cleanSubject(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim()
  for (let i = 0; i < 20; i++) {
    const next = s
      .replace(/^\s*(?:re|fwd?|ответ|отв|пересл)\s*(?:\[\d+\])?\s*:\s*/i, '')
      .replace(/^\s*\[\s*(?:ticket|заявка|тикет)?\s*[#№]\s*\d+\s*\]\s*/i, '')
    if (next === s) break
    s = next
  }
  return s.length > 150 ? `${s.slice(0, 149)}…` : s
}

export function join(...blocks: (string | null | undefined | false)[]): string {
  return blocks.filter((b): b is string => typeof b === 'string' && b.length > 0).join('\n\n')
}

// Decoding the bytes of a text part whose charset declaration may be missing or
// wrong. Russian mail often arrives as undeclared windows-1251 or koi8-r (old
// Outlook Express, The Bat!, scripts on school servers), sometimes labelled
// us-ascii, utf-8 or iso-8859-1. We never show mojibake: when the declaration
// cannot be trusted the bytes are decoded with each candidate charset and the
// result that reads most like Russian (letter frequencies, letter case inside
// words, no control or box-drawing characters) wins.
import iconv from 'iconv-lite'

export interface DecodedText {
  text: string
  /** The charset the text was decoded with (iconv-lite name, lower case). */
  charset: string
  /** What the part declared, normalised; null when nothing was declared. */
  declared: string | null
  /** True when the declaration was missing, unknown or overruled by detection. */
  guessed: boolean
  /** The bytes are not text in any charset we know (binary data in a text part). */
  undecodable: boolean
}

/** Single-byte charsets tried for Russian text, in the order of how common they are in mail. */
const CYRILLIC_CANDIDATES = ['windows-1251', 'koi8-r', 'cp866', 'iso-8859-5'] as const

/** Declarations that say "7-bit" and so cannot explain 8-bit bytes. */
const ASCII_NAMES = new Set(['', 'us-ascii', 'ascii', 'usascii', 'ansi_x3.4-1968', 'iso646-us', '7bit', 'default'])

/** Multi-byte and stateful charsets we trust as declared: the scores below know only Cyrillic and Latin. */
const TRUSTED_MULTIBYTE = /^(gb|big5|euc|shift|sjis|ks_c|cp9[345]|iso-2022|utf-16|utf-32|ucs)/

// UTF-7 turns `+ADw-script+AD4-` into `<script>`; mailparser refuses it for the same reason.
const REFUSED = /^(utf-?7|unicode-1-1-utf-7|csunicode11utf7)$/

/**
 * Relative frequency of Russian letters in running text (per mille, lower case,
 * ё counted with е). Used as the reward for each decoded letter.
 */
const RUSSIAN_FREQUENCY: Record<string, number> = {
  о: 109.7, е: 84.5, а: 80.1, и: 73.5, н: 67, т: 62.6, с: 54.7, р: 47.3, в: 45.4, л: 44, к: 34.9,
  м: 32.1, д: 29.8, п: 28.1, у: 26.2, я: 20.1, ы: 19, ь: 17.4, г: 17, з: 16.5, б: 15.9, ч: 14.4,
  й: 12.1, х: 9.7, ж: 9.4, ш: 7.3, ю: 6.4, ц: 4.8, щ: 3.6, э: 3.2, ф: 2.6, ъ: 0.4, ё: 4,
}

/** Non-ASCII characters that are normal in Russian mail and prove nothing either way. */
const NEUTRAL = new Set('«»—–…№“”„‘’\u00a0•°©®™±×‰€₽·§'.split(''))

export function normalizeCharsetName(raw: string | null | undefined): string | null {
  if (raw == null) return null
  const name = raw.trim().replace(/^["']|["']$/g, '').toLowerCase()
  if (!name) return null
  const aliases: Record<string, string> = {
    cp1251: 'windows-1251', 'win-1251': 'windows-1251', win1251: 'windows-1251', 'x-cp1251': 'windows-1251', 'windows1251': 'windows-1251',
    'koi8r': 'koi8-r', 'koi8': 'koi8-r', cskoi8r: 'koi8-r',
    utf8: 'utf-8', 'unicode-1-1-utf-8': 'utf-8',
    ibm866: 'cp866', '866': 'cp866', 'dos-866': 'cp866',
    latin1: 'iso-8859-1', 'iso8859-1': 'iso-8859-1', 'iso_8859-1': 'iso-8859-1',
  }
  return aliases[name] ?? name
}

function isKnown(charset: string) {
  try {
    return iconv.encodingExists(charset)
  } catch {
    return false
  }
}

function hasHighBytes(bytes: Uint8Array) {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return true
  return false
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

export function isValidUtf8(bytes: Uint8Array) {
  try {
    strictUtf8.decode(bytes)
    return true
  } catch {
    return false
  }
}

/**
 * Binary data in a text part: NUL bytes, or more than 2 % C0 control characters
 * other than tab, line breaks, form feed and escape.
 */
export function looksBinary(bytes: Uint8Array) {
  let controls = 0
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    if (b === 0) return true
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) controls++
  }
  return controls >= 3 && controls / bytes.length > 0.02
}

const isCyrillic = (c: string) => (c >= '\u0400' && c <= '\u04ff')
const isLatin = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '\u00c0' && c <= '\u024f' && c !== '\u00d7' && c !== '\u00f7')
const isLetter = (c: string) => isCyrillic(c) || isLatin(c)

/**
 * How much a decoded text reads like Russian (or plain Latin) prose, per
 * non-ASCII character: positive for frequent lower-case Russian letters,
 * negative for upper case inside words, scripts mixed inside one word, box
 * drawing, C1 controls and replacement characters.
 */
export function plausibility(text: string): number {
  let score = 0
  let nonAscii = 0
  const words = text.split(/(?=[^\p{L}])|(?<=[^\p{L}])/u)
  for (const word of words) {
    if (word.length === 1 && !isLetter(word)) {
      const c = word
      if (c.charCodeAt(0) < 0x80) continue
      nonAscii++
      if (c === '\ufffd') score -= 20
      else if (c >= '\u0080' && c <= '\u009f') score -= 20
      else if (c >= '\u2500' && c <= '\u25ff') score -= 10
      else if (NEUTRAL.has(c)) score += 0
      else score -= 3
      continue
    }
    let cyr = 0
    let lat = 0
    let high = 0
    for (const c of word) {
      if (isCyrillic(c)) cyr++
      else if (isLatin(c)) lat++
      if (c.charCodeAt(0) >= 0x80) high++
    }
    if (high === 0) continue
    nonAscii += high
    if (cyr > 0 && lat > 0) {
      // "cafй", "ПСЙЧЕФ": a word in two scripts is what a wrong charset makes.
      score -= 4 * high
      continue
    }
    if (lat > 0) {
      // Accented Latin letters: plausible in Western text, weaker than Russian evidence.
      score += 1.5 * high
      continue
    }
    const allUpper = word === word.toUpperCase()
    const folded = word.toLowerCase()
    for (let i = 0; i < word.length; i++) {
      const c = word[i]
      const lower = folded[i]
      // Russian spelling never starts a word with ь, ъ or ы, nor puts them after a vowel.
      if ('ьъы'.includes(lower) && (i === 0 || 'аеёиоуыэюяьъй'.includes(folded[i - 1]))) score -= 8
      const freq = RUSSIAN_FREQUENCY[lower]
      if (freq === undefined) {
        // Cyrillic letters that are not Russian (Ђ, Ї, Ў…): rare in our mail, common in mojibake.
        score -= 6
        continue
      }
      const weight = freq / 10
      if (c === lower) score += weight
      else if (i === 0 || allUpper) score += weight / 2
      else score -= 5
    }
  }
  return nonAscii === 0 ? 0 : score / nonAscii
}

export interface CharsetGuess {
  charset: string
  /** Plausibility per non-ASCII character of the winning decoding. */
  score: number
}

/** Picks the charset for 8-bit bytes with no trustworthy declaration. */
export function detectCharset(bytes: Uint8Array): CharsetGuess {
  if (!hasHighBytes(bytes)) return { charset: 'utf-8', score: 0 }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { charset: 'utf-8', score: 10 }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { charset: bytes[0] === 0xff ? 'utf-16le' : 'utf-16be', score: 10 }
  }
  // Valid UTF-8 of any length is almost never an accident of a single-byte charset.
  if (isValidUtf8(bytes)) return { charset: 'utf-8', score: 10 }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let best: CharsetGuess = { charset: 'windows-1251', score: -Infinity }
  for (const charset of CYRILLIC_CANDIDATES) {
    // A small prior for windows-1251, by far the most common of them, settles short all-caps texts.
    const score = plausibility(iconv.decode(buffer, charset)) + (charset === 'windows-1251' ? 0.3 : 0)
    if (score > best.score) best = { charset, score }
  }
  // Nothing reads like Russian: Western text in the usual Windows charset.
  if (best.score < 1) {
    const latin = plausibility(iconv.decode(buffer, 'windows-1252'))
    if (latin > best.score) best = { charset: 'windows-1252', score: latin }
  }
  return best
}

/**
 * Decodes a text part. `declared` is the charset parameter as written (or
 * null). Detection is used when the declaration is missing or 7-bit but 8-bit
 * bytes exist, when it names a charset we do not know, when declared UTF-8 is
 * not valid UTF-8, and when a declared single-byte charset reads much worse
 * than another one.
 */
export function decodeText(input: Uint8Array, declaredRaw?: string | null): DecodedText {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength)
  const declared = normalizeCharsetName(declaredRaw)
  const result = (text: string, charset: string, guessed: boolean): DecodedText => ({
    text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text,
    charset,
    declared,
    guessed,
    undecodable: false,
  })

  if (declared && !REFUSED.test(declared) && TRUSTED_MULTIBYTE.test(declared) && isKnown(declared)) {
    const text = iconv.decode(bytes, declared)
    const broken = (text.match(/\ufffd/g)?.length ?? 0) > Math.max(2, text.length / 100)
    if (!broken) return result(text, declared, false)
  }

  if (looksBinary(bytes)) {
    return { text: '', charset: declared ?? 'binary', declared, guessed: false, undecodable: true }
  }

  if (!hasHighBytes(bytes)) {
    // Pure ASCII decodes the same in every charset we accept.
    return result(bytes.toString('latin1'), declared && isKnown(declared) && !REFUSED.test(declared) ? declared : 'us-ascii', false)
  }

  if (declared === 'utf-8' && isValidUtf8(bytes)) return result(bytes.toString('utf8'), 'utf-8', false)

  const trustable = declared !== null && !ASCII_NAMES.has(declared) && declared !== 'utf-8' && !REFUSED.test(declared) && isKnown(declared)
  if (trustable) {
    const text = iconv.decode(bytes, declared)
    const declaredScore = plausibility(text)
    const guess = detectCharset(bytes)
    // Overrule a declaration only on clear evidence: the other reading is good
    // Russian and much better than the declared one.
    if (guess.charset !== declared && guess.score >= 2.5 && guess.score > declaredScore + 2) {
      return result(iconv.decode(bytes, guess.charset), guess.charset, true)
    }
    return result(text, declared, false)
  }

  const guess = detectCharset(bytes)
  return result(iconv.decode(bytes, guess.charset), guess.charset, true)
}

/** Human-readable note (Russian) on how a part was decoded, or null when the declaration was used as is. */
export function describeDecoding(decoded: DecodedText, what: string): string | null {
  if (!decoded.guessed) return null
  if (!decoded.declared || ASCII_NAMES.has(decoded.declared)) {
    return `${what}: кодировка не указана, определена как ${decoded.charset}`
  }
  if (!isKnown(decoded.declared)) {
    return `${what}: неизвестная кодировка «${decoded.declared}», определена как ${decoded.charset}`
  }
  return `${what}: объявлена кодировка ${decoded.declared}, но текст в ${decoded.charset}`
}

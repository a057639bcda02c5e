// Password hashing: argon2id with OWASP's minimum parameters (19 MiB, t=2, p=1).
import { randomInt } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'

const OPTIONS = { algorithm: 2 /* Algorithm.Argon2id: a const enum, not importable under isolatedModules */, memoryCost: 19_456, timeCost: 2, parallelism: 1 }

export function hashPassword(password: string) {
  return hash(password, OPTIONS)
}

export async function verifyPassword(passwordHash: string, password: string) {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

// Verifying against this keeps an unknown login as slow as a known one.
let dummyHash: Promise<string> | undefined
export async function burnVerification(password: string) {
  dummyHash ??= hashPassword('timing-equaliser-not-a-password')
  await verifyPassword(await dummyHash, password)
}

/** No 0/O, 1/l/I: one-time passwords are read off paper and typed by hand. */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'

/** A one-time password of 12 characters (≈70 bits), in groups of four for reading aloud. */
export function generateOneTimePassword() {
  let out = ''
  for (let i = 0; i < 12; i++) {
    if (i > 0 && i % 4 === 0) out += '-'
    out += ALPHABET[randomInt(ALPHABET.length)]
  }
  return out
}

export const PASSWORD_RULES = {
  minLength: 10,
  maxLength: 128,
}

/** Returns a Russian message when a chosen password is too weak, else null. */
export function passwordProblem(password: string, login: string): string | null {
  if (password.length < PASSWORD_RULES.minLength) return `Пароль должен быть не короче ${PASSWORD_RULES.minLength} символов.`
  if (password.length > PASSWORD_RULES.maxLength) return `Пароль должен быть не длиннее ${PASSWORD_RULES.maxLength} символов.`
  if (password.toLowerCase().includes(login.toLowerCase())) return 'Пароль не должен содержать логин.'
  if (new Set(password).size < 5) return 'Пароль слишком однообразный: используйте разные символы.'
  return null
}

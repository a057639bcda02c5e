// Runs before every test file, in its worker: a database of its own, the
// session secret, and the Epic Stack habit that an unexpected console.error
// fails the test.
import { afterAll, afterEach, beforeAll, beforeEach, inject, vi, type MockInstance } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { format } from 'node:util'
import { disconnectPrisma } from '~/utils/db.server'
import { createTestDatabase, type TestDatabase } from './database.ts'

process.env.SESSION_SECRET ??= 'test-session-secret-of-at-least-32-characters'
process.env.NODE_ENV = 'test'
process.env.LOG_LEVEL ??= 'silent'
// Mail written by tests goes to a folder of this test file, never to ./data/outbox.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oko-vitest-data-'))
process.env.DATA_DIR = dataDir
// A few connections are enough for a test file (the server's limit is shared).
process.env.DATABASE_POOL_SIZE ??= '4'

let database: TestDatabase | undefined

beforeAll(async () => {
  database = await createTestDatabase(inject('testDatabase'))
  process.env.DATABASE_URL = database.url
})

afterAll(async () => {
  await disconnectPrisma()
  await database?.drop()
  database = undefined
  fs.rmSync(dataDir, { recursive: true, force: true })
})

let consoleError: MockInstance<typeof console.error>
let unexpected: string[] = []
const originalConsoleError = console.error

beforeEach(() => {
  unexpected = []
  consoleError = vi.spyOn(console, 'error')
  // A test that expects an error log replaces this with
  // `vi.mocked(console.error).mockImplementation(() => {})` and asserts on the calls.
  consoleError.mockImplementation((...args: unknown[]) => {
    originalConsoleError(...args)
    unexpected.push(format(...args))
  })
})

afterEach(() => {
  const messages = unexpected
  consoleError.mockRestore()
  if (messages.length > 0) {
    throw new Error(
      `console.error was called during the test (replace its implementation if that is expected):\n${messages.join('\n')}`,
    )
  }
})

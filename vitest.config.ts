// Unit and integration tests (vitest). Browser tests (tests/e2e) and the
// benchmarks (tests/bench) have runners of their own.
import path from 'node:path'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    alias: { '~': path.resolve(import.meta.dirname, 'app') },
  },
  test: {
    include: [
      'app/**/*.test.ts',
      'server/**/*.test.ts',
      'emails/**/*.test.ts',
      'search/**/*.test.ts',
      'tests/integration/**/*.test.ts',
    ],
    environment: 'node',
    // Every test file runs in a process of its own with its own database
    // (tests/setup/db-setup.ts); PGlite and argon2 are native or WASM code
    // that is happier in processes than in worker threads.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['tests/setup/global-setup.ts'],
    setupFiles: ['tests/setup/db-setup.ts'],
  },
})

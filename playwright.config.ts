// Browser tests (tests/e2e) against the real server: `npm run test:e2e`.
//
// The server runs from tests/e2e/server.ts on its own port with a fresh data
// folder and the demo data; with DATABASE_URL set it uses that (empty)
// database instead of the embedded one. Chromium comes from the system
// (tests/e2e/ensure-browser.ts finds or installs it), because Playwright's
// browser download is not reachable everywhere (ENVIRONMENT.md).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { defineConfig, devices } from '@playwright/test'

const ROOT = import.meta.dirname
const PORT = Number(process.env.E2E_PORT ?? 3217)
const BASE_URL = `http://127.0.0.1:${PORT}`

function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH
  const recorded = path.join(ROOT, 'tests/tmp/chromium-path')
  if (fs.existsSync(recorded)) {
    const file = fs.readFileSync(recorded, 'utf8').trim()
    if (file && fs.existsSync(file)) return file
  }
  // Not recorded yet (playwright run directly): a system browser, else
  // Playwright's own download, if any.
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((f) => fs.existsSync(f))
}

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'tests/tmp/playwright-results',
  // Files run in parallel, tests inside a file in order. The tests share the
  // demo data, so each one changes only organisations and people no other
  // test relies on (see tests/e2e/README.md).
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: process.env.E2E_JSON_REPORT ?? 'tests/tmp/playwright.json' }]],
  use: {
    baseURL: BASE_URL,
    locale: 'ru-RU',
    timezoneId: 'Europe/Moscow',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: chromiumPath(),
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: {
    command: 'node_modules/.bin/tsx tests/e2e/server.ts',
    cwd: ROOT,
    url: `${BASE_URL}/healthz`,
    // A cold start builds the bundle when stale, opens PGlite, migrates and seeds.
    timeout: 180_000,
    reuseExistingServer: false,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      DATA_DIR: process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `oko-e2e-${PORT}`),
      DEMO_DATA: 'on',
      RATE_LIMIT_FACTOR: '100',
      // The demo accounts are created at start-up: without this the forum's new-account delay stops their first post.
      FORUM_NEW_ACCOUNT_DELAY_MIN: '0',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      PUBLIC_URL: BASE_URL,
      // The intake's SMTP listener of this run, apart from any developer's server on 2525.
      INTAKE_SMTP_PORT: String(PORT + 1),
    },
  },
})

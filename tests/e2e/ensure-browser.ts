// Finds a Chromium for the browser tests and writes its path to
// tests/tmp/chromium-path, which playwright.config.ts reads.
//
// Playwright's own browser download is not reachable from every machine
// (ENVIRONMENT.md, "Browser tests"), while Debian's Chromium is. So, in order:
//   1. CHROMIUM_PATH, when set (and it must exist: a typo should not fall back
//      silently to another browser);
//   2. a system Chromium or Chrome;
//   3. a browser Playwright downloaded earlier;
//   4. as root on Debian/Ubuntu: apt-get install chromium;
//   5. npx playwright install chromium.
// Otherwise it says what is missing and exits with 1.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { chromium } from '@playwright/test'

const ROOT = path.resolve(import.meta.dirname, '../..')
const CHROMIUM_PATH_FILE = path.join(ROOT, 'tests/tmp/chromium-path')
const SYSTEM_BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']

function isExecutable(file: string) {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

function log(line: string) {
  process.stdout.write(`[ensure-browser] ${line}\n`)
}

/** Runs a command with its output shown; true when it exits with 0. */
function run(command: string, args: string[]) {
  log(`$ ${[command, ...args].join(' ')}`)
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  if (result.error) log(`  could not run ${command}: ${result.error.message}`)
  return result.status === 0
}

function firstSystemBrowser() {
  return SYSTEM_BROWSERS.find(isExecutable)
}

/** The browser `npx playwright install chromium` puts in its cache, when present. */
function playwrightBrowser() {
  try {
    const file = chromium.executablePath()
    return file && isExecutable(file) ? file : undefined
  } catch {
    return undefined
  }
}

function canUseApt() {
  return process.platform === 'linux' && process.getuid?.() === 0 && fs.existsSync('/etc/debian_version') && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0
}

function findOrInstall(): { path: string; how: string } | { missing: string } {
  const fromEnv = process.env.CHROMIUM_PATH
  if (fromEnv) {
    if (isExecutable(fromEnv)) return { path: fromEnv, how: 'CHROMIUM_PATH' }
    return { missing: `CHROMIUM_PATH=${fromEnv} is set, but no executable file is there. Fix the path or unset CHROMIUM_PATH.` }
  }
  const system = firstSystemBrowser()
  if (system) return { path: system, how: 'system browser' }
  const downloaded = playwrightBrowser()
  if (downloaded) return { path: downloaded, how: "Playwright's browser cache" }

  if (canUseApt()) {
    log('no Chromium found; installing Debian\'s package (about half a minute)')
    if (run('apt-get', ['update']) && run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'])) {
      const installed = firstSystemBrowser()
      if (installed) return { path: installed, how: 'apt-get install chromium' }
      log('apt-get reported success, but none of ' + SYSTEM_BROWSERS.join(', ') + ' exists')
    } else {
      log('apt-get install chromium failed')
    }
  } else {
    log('no Chromium found, and apt-get is not usable here (needs root on Debian/Ubuntu)')
  }

  log("trying Playwright's own download")
  if (run(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['playwright', 'install', 'chromium'])) {
    const downloaded = playwrightBrowser()
    if (downloaded) return { path: downloaded, how: 'npx playwright install chromium' }
  }
  return {
    missing: [
      'No Chromium for the browser tests.',
      `  Looked for: $CHROMIUM_PATH, ${SYSTEM_BROWSERS.join(', ')}, and Playwright's browser cache;`,
      '  installing with apt-get and with `npx playwright install chromium` did not work.',
      'Provide one of:',
      '  - install Chromium (Debian/Ubuntu: sudo apt-get install chromium), or',
      '  - set CHROMIUM_PATH=/path/to/chrome (any Chromium or Chrome build), or',
      '  - run `npx playwright install chromium` where the download host is reachable.',
    ].join('\n'),
  }
}

const found = findOrInstall()
if ('missing' in found) {
  process.stderr.write(`[ensure-browser] ${found.missing}\n`)
  process.exit(1)
}
fs.mkdirSync(path.dirname(CHROMIUM_PATH_FILE), { recursive: true })
fs.writeFileSync(CHROMIUM_PATH_FILE, found.path + '\n')
log(`using ${found.path} (${found.how})`)

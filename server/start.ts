// `npm start`: build the web bundle when it is missing or older than the
// sources, then run the server. A warm restart skips the build.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const output = path.join(root, 'build/server/index.js')

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full))
    else newest = Math.max(newest, fs.statSync(full).mtimeMs)
  }
  return newest
}

const built = fs.existsSync(output) ? fs.statSync(output).mtimeMs : 0
const sources = Math.max(newestMtime(path.join(root, 'app')), fs.statSync(path.join(root, 'remix.config.js')).mtimeMs)
if (built < sources) {
  process.stdout.write('Сборка интерфейса (remix build)…\n')
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/@remix-run/dev/dist/cli.js'), 'build'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
await import('./index.ts')

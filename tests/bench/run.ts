// `npm run bench -- <name> [options]` runs tests/bench/<name>.ts; without a
// name it lists the benches. Each bench prints a final `BENCH <name> …` line.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const dir = import.meta.dirname
const root = path.resolve(dir, '../..')
const NOT_BENCHES = new Set(['run.ts', 'lib.ts'])

function benches(): { name: string; about: string }[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !NOT_BENCHES.has(f) && !f.startsWith('_'))
    .sort()
    .map((f) => {
      // The first comment line of the file describes the bench.
      const first = fs.readFileSync(path.join(dir, f), 'utf8').split('\n').find((l) => l.startsWith('//')) ?? ''
      return { name: f.slice(0, -3), about: first.replace(/^\/\/\s*/, '') }
    })
}

const [name, ...rest] = process.argv.slice(2)
const available = benches()

if (!name || name === '--help' || name === '-h') {
  console.log('Usage: npm run bench -- <name> [options]\n\nBenches:')
  for (const b of available) console.log(`  ${b.name.padEnd(10)} ${b.about}`)
  process.exit(0)
}

if (!available.some((b) => b.name === name)) {
  console.error(`Unknown bench "${name}". Available: ${available.map((b) => b.name).join(', ') || '(none)'}`)
  process.exit(2)
}

// `node --import tsx` rather than the tsx CLI: the CLI SIGKILLs a child that is
// slow to acknowledge Ctrl+C, which would skip the bench's clean-up (stopping its server).
const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, `${name}.ts`), ...rest], {
  cwd: root,
  stdio: 'inherit',
})
if (result.error) {
  console.error(`Could not run bench ${name}: ${result.error.message}`)
  process.exit(1)
}
process.exit(result.status ?? 128 + (result.signal ? (os.constants.signals[result.signal] ?? 0) : 1))

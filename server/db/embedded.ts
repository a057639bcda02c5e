// The embedded default database: PGlite with its files under DATA_DIR, run in
// a worker thread and reached over a private Unix socket (README, decision 1).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'

export interface EmbeddedPostgres {
  url: string
  stop(): Promise<void>
}

/** PGlite is single-process: refuse to open a folder another live process holds. */
function takeDataDirLock(pgDir: string) {
  const lockFile = path.join(pgDir, 'oko.pid')
  try {
    const pid = Number(fs.readFileSync(lockFile, 'utf8'))
    if (pid && pid !== process.pid) {
      try {
        process.kill(pid, 0)
        throw new Error(
          `Папка данных ${pgDir} уже используется процессом ${pid}. Остановите его или укажите другой DATA_DIR (data folder in use).`,
        )
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  fs.writeFileSync(lockFile, String(process.pid))
  return () => fs.rmSync(lockFile, { force: true })
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const pgDir = path.resolve(dataDir, 'pg')
  fs.mkdirSync(pgDir, { recursive: true })
  const releaseLock = takeDataDirLock(pgDir)
  // A short private folder: Unix socket paths are limited to ~107 bytes, and
  // mode 0700 keeps other local users away from this password-less socket.
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oko-pg-'))
  fs.chmodSync(socketDir, 0o700)
  const socketPath = path.join(socketDir, '.s.PGSQL.5432')

  // The worker is TypeScript too: register tsx's loader inside it first
  // (module hooks of the main thread do not reach worker threads in Node 20).
  const entry = new URL('./pglite-worker.ts', import.meta.url).href
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`
  const worker = new Worker(bootstrap, { eval: true, workerData: { dataDir: pgDir, socketPath } })
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject)
    worker.on('message', (msg: { type: string; message?: string }) => {
      if (msg.type === 'ready') resolve()
      if (msg.type === 'error') reject(new Error(`Встроенная база данных не запустилась: ${msg.message}`))
    })
  })

  let stopped = false
  worker.on('exit', (code) => {
    if (stopped) return
    // Without its database the process is useless: fail fast so a supervisor restarts it.
    console.error(`Встроенная база данных остановилась (код ${code}); процесс завершается.`)
    process.exit(70)
  })
  worker.on('error', (error) => console.error('embedded PostgreSQL worker error', error))
  return {
    url: `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`,
    async stop() {
      if (stopped) return
      stopped = true
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000)
        worker.on('message', (msg: { type: string }) => {
          if (msg.type === 'stopped') {
            clearTimeout(timer)
            resolve()
          }
        })
        worker.postMessage('stop')
      })
      await worker.terminate()
      fs.rmSync(socketDir, { recursive: true, force: true })
      releaseLock()
    },
  }
}

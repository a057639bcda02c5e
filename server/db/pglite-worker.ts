// Worker-thread entry: runs the embedded PostgreSQL off the main event loop,
// so that query execution (WebAssembly) and HTTP rendering use both cores.
import { parentPort, workerData } from 'node:worker_threads'
import { servePGlite } from './pglite-serve.ts'

const { dataDir, socketPath } = workerData as { dataDir: string; socketPath: string }

try {
  const served = await servePGlite({ dataDir, socketPath })
  parentPort!.on('message', async (msg) => {
    if (msg === 'stop') {
      await served.stop().catch(() => undefined)
      parentPort!.postMessage({ type: 'stopped' })
    }
  })
  parentPort!.postMessage({ type: 'ready' })
} catch (error) {
  parentPort!.postMessage({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) })
}

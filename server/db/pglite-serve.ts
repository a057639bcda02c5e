// Serves a PGlite database over the PostgreSQL wire protocol on a Unix socket,
// so that Prisma (adapter-pg), pg-boss and psql talk to it like to a server.
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

export interface ServeOptions {
  /** Folder for the cluster; undefined keeps it in memory (tests). */
  dataDir?: string
  /** Full path of the Unix socket to create (…/.s.PGSQL.5432). */
  socketPath: string
  /** A tarball made by dumpDataDir, to start from (tests clone a migrated template). */
  loadDataDir?: Blob
  maxConnections?: number
}

export interface ServedPGlite {
  db: PGlite
  stop(): Promise<void>
}

export async function servePGlite(options: ServeOptions): Promise<ServedPGlite> {
  const db = await PGlite.create({
    dataDir: options.dataDir,
    loadDataDir: options.loadDataDir,
    extensions: { pg_trgm },
  })
  const server = new PGLiteSocketServer({
    db,
    path: options.socketPath,
    maxConnections: options.maxConnections ?? 64,
  })
  await server.start()
  return {
    db,
    async stop() {
      await server.stop()
      await db.close()
    },
  }
}

// The one Prisma client of the process (driver adapter "pg", no Rust engine).
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '~/generated/prisma/client'
import { singleton } from './singleton.server'

function create() {
  const connectionString = process.env.DATABASE_URL
  if (!connectionString) {
    throw new Error('DATABASE_URL is not set: the server sets it before loading the app (embedded PGlite or a server).')
  }
  const max = Number(process.env.DATABASE_POOL_SIZE ?? 10)
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max }) })
}

export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  // Lazy: the embedded database's address is known only after start-up.
  get(_target, prop) {
    const client = singleton('prisma', create)
    const value = Reflect.get(client, prop)
    return typeof value === 'function' ? value.bind(client) : value
  },
})

export async function disconnectPrisma() {
  const store = globalThis as unknown as { __okoSingletons?: Map<string, unknown> }
  const client = store.__okoSingletons?.get('prisma') as PrismaClient | undefined
  if (client) {
    store.__okoSingletons!.delete('prisma')
    await client.$disconnect()
  }
}

export type { Prisma } from '~/generated/prisma/client'

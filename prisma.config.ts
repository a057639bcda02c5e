// Prisma CLI configuration. Prisma 6.19 runs its schema engine as WebAssembly
// with a driver adapter, so nothing is downloaded (see README, decision 2).
import path from 'node:path'
import { defineConfig } from 'prisma/config'
import { PrismaPg } from '@prisma/adapter-pg'

export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? '' })
  },
})

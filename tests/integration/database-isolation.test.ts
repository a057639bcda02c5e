// The harness itself: each test file starts from a migrated, empty database
// of its own, in whichever mode the suite runs.
import { inject } from 'vitest'
import { describe, expect, it } from 'vitest'
import { listMigrations } from '../../server/db/migrate.ts'
import { prisma } from '~/utils/db.server'

describe('test database', () => {
  it('is migrated and holds no rows', async () => {
    const applied = await prisma.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM "_prisma_migrations" ORDER BY 1`
    expect(applied.map((r) => r.migration_name)).toEqual(listMigrations().map((m) => m.name))
    expect(await prisma.organization.count()).toBe(0)
    expect(await prisma.user.count()).toBe(0)
  })

  it('belongs to this test file alone', async () => {
    const config = inject('testDatabase')
    const url = process.env.DATABASE_URL!
    if (config.mode === 'server') {
      expect(new URL(url).pathname).toMatch(new RegExp(`^/oko_test_${process.pid}_[0-9a-f]{8}$`))
      expect(url).not.toBe(config.adminUrl)
    } else {
      expect(url).toMatch(/^postgresql:\/\/postgres@localhost\/postgres\?host=/)
    }
    // Rows written here are gone for the next file: it gets a new copy of the template.
    await prisma.organization.create({ data: { kind: 'FEDERAL', login: 'isolation-check', name: 'Проверка изоляции' } })
    expect(await prisma.organization.count()).toBe(1)
  })
})

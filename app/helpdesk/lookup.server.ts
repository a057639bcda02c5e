// The intake rules' window on the database (rules.ts stays pure): an
// organisation by its login, with the id the ticket links to. One lookup
// serves one judgement; it remembers what it has read.
import { normalizeLogin } from '~/accounts/logins'
import { prisma, type Prisma } from '~/utils/db.server'
import type { IntakeLookup, IntakeOrg } from './rules'

export interface DbIntakeOrg extends IntakeOrg {
  id: number
}

type Client = Pick<Prisma.TransactionClient, 'organization'>

export interface DbIntakeLookup extends IntakeLookup {
  findOrgByLogin(login: string): Promise<DbIntakeOrg | null>
}

export function dbLookup(client: Client = prisma): DbIntakeLookup {
  const seen = new Map<string, Promise<DbIntakeOrg | null>>()
  return {
    findOrgByLogin(raw: string) {
      const login = normalizeLogin(raw)
      let found = seen.get(login)
      if (!found) {
        found = client.organization
          .findUnique({ where: { login }, select: { id: true, login: true, name: true, kind: true } })
          .then((org) => (org ? { id: org.id, login: org.login, name: org.name, kind: org.kind as string } : null))
        seen.set(login, found)
      }
      return found
    },
  }
}

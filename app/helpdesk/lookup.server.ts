// The intake rules' window on the database (rules.ts stays pure): an
// organisation by its login, with the id the ticket links to. One lookup
// serves one judgement; it remembers what it has read.
import { normalizeLogin } from '~/accounts/logins'
import type { IntakeLookup, IntakeOrg } from './rules'

export interface DbIntakeOrg extends IntakeOrg {
  id: number
}

import { db, type Sql } from './ticket-rows.server'

export interface DbIntakeLookup extends IntakeLookup {
  findOrgByLogin(login: string): Promise<DbIntakeOrg | null>
}

export function dbLookup(client: Sql = db): DbIntakeLookup {
  const seen = new Map<string, Promise<DbIntakeOrg | null>>()
  return {
    findOrgByLogin(raw: string) {
      const login = normalizeLogin(raw)
      let found = seen.get(login)
      if (!found) {
        // Plain SQL: this runs for every letter (ticket-rows.server.ts says why).
        found = client
          .query<DbIntakeOrg>(`SELECT id, login, name, kind::text AS kind FROM "Organization" WHERE login = $1`, [login], 'intake-org')
          .then((rows) => rows[0] ?? null)
        seen.set(login, found)
      }
      return found
    },
  }
}

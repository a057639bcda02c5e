// The yearly credentials archive, end to end: a МОУО coordinator downloads
// the .xlsx, and every school signs in with the password printed in it.
import ExcelJS from 'exceljs'
import { beforeAll, describe, expect, it } from 'vitest'
import { signIn } from '~/accounts/auth.server'
import { issueCredentialArchive, issueOrgCredentials } from '~/accounts/credentials.server'
import { getUserByCookieHeader } from '~/accounts/session.server'
import { prisma } from '~/utils/db.server'
import { actorFor, auditRows, createSignedInSession, DEMO_PASSWORD, META, seedDemoData } from '../setup/fixtures.ts'

async function readSheet(xlsx: Buffer) {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(xlsx as unknown as ArrayBuffer)
  const ws = wb.getWorksheet('Доступы')
  if (!ws) throw new Error('no sheet "Доступы" in the archive')
  const values: string[][] = []
  ws.eachRow({ includeEmpty: true }, (row) => {
    values.push((row.values as unknown[]).slice(1).map((v) => (v == null ? '' : String(v))))
  })
  return values
}

const schoolsOf = async (municipality: string) =>
  (await prisma.organization.findMany({ where: { parent: { login: municipality } }, select: { login: true }, orderBy: { login: 'asc' } })).map((o) => o.login)

beforeAll(async () => {
  await seedDemoData()
})

describe('credentials archive of a МОУО', () => {
  it('resets every school of the МОУО, and only those, into a real xlsx whose passwords sign in', async () => {
    const coordinator = await actorFor('reg29_m001')
    // Passwords in use before the archive: the demo one and two issued singly.
    const earlier = [
      { login: 'edu290001', password: DEMO_PASSWORD },
      { login: 'edu290002', password: (await issueOrgCredentials(coordinator, (await prisma.organization.findUniqueOrThrow({ where: { login: 'edu290002' } })).id)).password },
      { login: 'edu290003', password: (await issueOrgCredentials(coordinator, (await prisma.organization.findUniqueOrThrow({ where: { login: 'edu290003' } })).id)).password },
    ]
    const oldSession = await createSignedInSession(await prisma.user.findUniqueOrThrow({ where: { login: 'edu290001' } }))
    const otherUsers = await prisma.user.findMany({ where: { NOT: { organization: { parent: { login: 'reg29_m001' } } } }, select: { login: true, passwordHash: true }, orderBy: { login: 'asc' } })
    expect(otherUsers.map((u) => u.login)).toContain('reg290000')

    const { rows, xlsx } = await issueCredentialArchive(coordinator, { ip: META.ip })

    const own = await schoolsOf('reg29_m001')
    expect(own).toHaveLength(52)
    expect(rows.map((r) => r.login).sort()).toEqual(own)
    expect(new Set(rows.map((r) => r.password)).size).toBe(rows.length)
    expect(rows.every((r) => r.parentName === 'Управление образования: г. Архангельск(reg29_m001)')).toBe(true)

    // The file opens as a workbook: a title naming the МОУО, the header, one line per school.
    const sheet = await readSheet(xlsx)
    expect(xlsx.subarray(0, 2).toString()).toBe('PK')
    expect(sheet[0][0]).toContain('(reg29_m001)')
    const headerAt = sheet.findIndex((r) => r[0] === 'Логин')
    expect(sheet[headerAt]).toEqual(['Логин', 'Наименование', 'Вышестоящая организация', 'Одноразовый пароль'])
    const lines = sheet.slice(headerAt + 1).filter((r) => r[0])
    expect(lines.map((r) => r[0]).sort()).toEqual(own)

    for (const [login, , , password] of lines) {
      expect(await signIn({ login, password }, META), login).toMatchObject({ status: 'success', mustChangePassword: true })
    }

    for (const { login, password } of earlier) {
      expect(await signIn({ login, password }, { ip: '198.51.100.77' }), login).toMatchObject({ status: 'error', httpStatus: 401 })
    }
    expect(await getUserByCookieHeader(oldSession.cookie)).toBeNull()

    // Everyone else (the region, other МОУО's schools, teachers, staff) is untouched.
    const after = await prisma.user.findMany({ where: { login: { in: otherUsers.map((u) => u.login) } }, select: { login: true, passwordHash: true }, orderBy: { login: 'asc' } })
    expect(after).toEqual(otherUsers)
    expect(await signIn({ login: 'edu220001', password: DEMO_PASSWORD }, META)).toMatchObject({ status: 'success' })

    expect(await auditRows('credentials.archive_issued')).toMatchObject([{ actorLogin: 'reg29_m001', details: { count: 52 } }])
  })

  it('a newer archive replaces the passwords of the previous one', async () => {
    const coordinator = await actorFor('reg29_m001')
    const first = await issueCredentialArchive(coordinator)
    const second = await issueCredentialArchive(coordinator)
    const [a, b] = [first.rows[0], second.rows.find((r) => r.login === first.rows[0].login)!]
    expect(await signIn({ login: a.login, password: a.password }, { ip: '198.51.100.78' })).toMatchObject({ httpStatus: 401 })
    expect(await signIn({ login: b.login, password: b.password }, META)).toMatchObject({ status: 'success' })
  })
})

describe('credentials archive of a region', () => {
  it('covers its МОУО and colleges, not the schools under a МОУО', async () => {
    const { rows } = await issueCredentialArchive(await actorFor('reg290000'))
    const logins = rows.map((r) => r.login)
    expect(logins.filter((l) => l.startsWith('reg29_m'))).toHaveLength(25)
    expect(logins.filter((l) => l.startsWith('spo29'))).toEqual(['spo290001', 'spo290002', 'spo290003'])
    expect(logins).toHaveLength(28)
    expect(await prisma.user.findUniqueOrThrow({ where: { login: 'reg29_m001' } })).toMatchObject({ mustChangePassword: true, role: 'MUNICIPAL_COORDINATOR' })
  })
})

import { beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { actorFor, auditRows, seedDemoData, thrownResponse } from '../../tests/setup/fixtures'
import { listOrganizations, scopeSummary } from './orgs.server'
import { canIssueFor, canSeeOrg, orgVisibilityWhere, requireOrgInScope } from './scope.server'

beforeAll(async () => {
  await seedDemoData()
})

const visibleLogins = async (login: string) =>
  (await prisma.organization.findMany({ where: orgVisibilityWhere(await actorFor(login)), select: { login: true } })).map((o) => o.login)

const org = (login: string) => prisma.organization.findUniqueOrThrow({ where: { login } })

describe('who sees which organisations', () => {
  it('a school sees only itself', async () => {
    expect(await visibleLogins('edu290001')).toEqual(['edu290001'])
  })

  it('a teacher expert sees only their school', async () => {
    expect(await visibleLogins('edu290001_t01')).toEqual(['edu290001'])
  })

  it('a МОУО sees itself and its own schools, not those of another МОУО', async () => {
    const logins = await visibleLogins('reg29_m001')
    const own = await prisma.organization.findMany({ where: { parent: { login: 'reg29_m001' } }, select: { login: true } })
    expect(own.length).toBe(52)
    expect(logins.sort()).toEqual(['reg29_m001', ...own.map((o) => o.login)].sort())
    const otherSchool = await prisma.organization.findFirstOrThrow({ where: { parent: { login: 'reg29_m002' } } })
    expect(logins).not.toContain(otherSchool.login)
    expect(logins).not.toContain('reg290000')
  })

  it('region 29 sees its municipalities, schools and colleges, and nothing of region 22', async () => {
    const logins = await visibleLogins('reg290000')
    const all29 = await prisma.organization.count({ where: { regionCode: '29' } })
    expect(logins.length).toBe(all29)
    expect(logins.filter((l) => l.startsWith('reg29_m'))).toHaveLength(25)
    expect(logins).toContain('spo290001')
    const region22 = (await prisma.organization.findMany({ where: { regionCode: '22' }, select: { login: true } })).map((o) => o.login)
    expect(region22.length).toBeGreaterThan(20)
    expect(logins.filter((l) => region22.includes(l))).toEqual([])
    expect(logins).not.toContain('fioko')
  })

  it('region 22 sees nothing of region 29', async () => {
    const logins = await visibleLogins('reg220000')
    expect(logins.length).toBe(await prisma.organization.count({ where: { regionCode: '22' } }))
    expect(logins.filter((l) => l.includes('29'))).toEqual([])
  })

  it.each(['admin', 'fioko01', 'support01'])('federal role (%s) sees every organisation', async (login) => {
    expect((await visibleLogins(login)).length).toBe(await prisma.organization.count())
  })

  it('the organisation list and home page figures follow the same scope', async () => {
    const school = await actorFor('edu220001')
    const list = await listOrganizations(school, { page: 1 })
    expect(list.total).toBe(1)
    expect(list.orgs.map((o) => o.login)).toEqual(['edu220001'])
    // Searching for another region's school by login finds nothing.
    expect((await listOrganizations(await actorFor('reg220000'), { q: 'edu290001', page: 1 })).total).toBe(0)
    expect(await scopeSummary(await actorFor('reg29_m001'))).toEqual({ MUNICIPALITY: 1, SCHOOL: 52 })
  })

  it('canSeeOrg agrees with the query', async () => {
    const mun = await actorFor('reg29_m001')
    expect(canSeeOrg(mun, await org('edu290052'))).toBe(true)
    expect(canSeeOrg(mun, await org('edu290053'))).toBe(false) // first school of reg29_m002
    expect(canSeeOrg(await actorFor('reg290000'), await org('edu220001'))).toBe(false)
    expect(canSeeOrg(await actorFor('support01'), await org('edu220001'))).toBe(true)
  })
})

describe('requireOrgInScope', () => {
  it('returns an organisation in scope', async () => {
    const target = await org('edu290002')
    expect((await requireOrgInScope(await actorFor('reg29_m001'), target.id)).login).toBe('edu290002')
  })

  it('answers 403 for an organisation out of scope and writes access.denied', async () => {
    const school = await actorFor('edu290001')
    const other = await org('edu290002')
    const response = await thrownResponse(() => requireOrgInScope(school, other.id, { ip: '198.51.100.1' }))
    expect(response.status).toBe(403)
    expect(await response.text()).toBe('Эта организация вне вашей зоны ответственности.')
    const rows = await auditRows('access.denied')
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ outcome: 'denied', actorLogin: 'edu290001', targetLogin: 'edu290002', targetOrgId: other.id, ip: '198.51.100.1' })
  })

  it('answers 404 for an unknown organisation without an audit row', async () => {
    const before = await prisma.auditEvent.count()
    const admin = await actorFor('admin')
    for (const id of [999_999, 0, -1, Number.NaN]) {
      const response = await thrownResponse(() => requireOrgInScope(admin, id))
      expect(response.status).toBe(404)
    }
    expect(await prisma.auditEvent.count()).toBe(before)
  })
})

describe('canIssueFor: only the level directly below', () => {
  it('region → its МОУО and colleges, not schools under a МОУО nor another region', async () => {
    const region = await actorFor('reg290000')
    expect(canIssueFor(region, await org('reg29_m001'))).toBe(true)
    expect(canIssueFor(region, await org('spo290001'))).toBe(true)
    expect(canIssueFor(region, await org('edu290001'))).toBe(false)
    expect(canIssueFor(region, await org('reg22_m001'))).toBe(false)
  })

  it('МОУО → its schools only; school and federal staff → nobody but admin → regions', async () => {
    const mun = await actorFor('reg29_m001')
    expect(canIssueFor(mun, await org('edu290001'))).toBe(true)
    expect(canIssueFor(mun, await org('edu290053'))).toBe(false)
    expect(canIssueFor(await actorFor('edu290001'), await org('edu290001'))).toBe(false)
    expect(canIssueFor(await actorFor('fioko01'), await org('reg290000'))).toBe(false)
    expect(canIssueFor(await actorFor('admin'), await org('reg290000'))).toBe(true)
    expect(canIssueFor(await actorFor('admin'), await org('edu290001'))).toBe(false)
  })
})

// The Express app with the real Remix build, over HTTP on loopback: health,
// metrics, security headers, sign-in errors, malformed posts, rate limits.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { parseEnv } from '~/utils/env.server'
import { createHttpApp } from '../../server/http.ts'
import { auditRows, createRegionTree, createUser, TEST_PASSWORD } from '../setup/fixtures.ts'

const root = path.resolve(import.meta.dirname, '../..')
const buildFile = path.join(root, 'build/server/index.js')

let base: string
let server: http.Server
let school: Awaited<ReturnType<typeof createUser>>
let otherSchoolId: number

beforeAll(async () => {
  if (!fs.existsSync(buildFile)) {
    // `npm test` builds first; a bare `vitest run` builds here.
    const result = spawnSync(process.execPath, [path.join(root, 'node_modules/@remix-run/dev/dist/cli.js'), 'build'], { cwd: root, encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`remix build failed:\n${result.stderr}`)
  }
  const build = (await import(pathToFileURL(buildFile).href)) as ServerBuild
  const env = parseEnv({ DATABASE_URL: process.env.DATABASE_URL, RATE_LIMIT_FACTOR: '0.25', LOG_LEVEL: 'silent' })
  server = http.createServer(createHttpApp({ env, build, health: () => ({ roles: ['web'] }) }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const tree = await createRegionTree({ municipalities: 2, schoolsPer: 1, colleges: 0 })
  school = await createUser({ orgId: tree.municipalities[0].schools[0].id })
  otherSchoolId = tree.municipalities[1].schools[0].id
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

async function signIn(login: string, password: string) {
  return fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ login, password }), redirect: 'manual' })
}

describe('operations endpoints', () => {
  it('/healthz queries the database', async () => {
    const res = await fetch(`${base}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'ok' })
  })

  it('/metrics speaks Prometheus to loopback', async () => {
    await (await fetch(`${base}/login`)).text()
    const text = await (await fetch(`${base}/metrics`)).text()
    expect(text).toContain('http_requests_total{method="GET",route="/login",status="200"}')
    expect(text).toContain('http_request_duration_seconds_bucket')
    expect(text).toContain('socketio_connected_clients')
  })
})

describe('pages', () => {
  it('sends a CSP with a per-response script nonce that the page uses', async () => {
    const res = await fetch(`${base}/login`)
    const csp = res.headers.get('content-security-policy') ?? ''
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1]
    expect(nonce).toBeTruthy()
    expect(await res.text()).toContain(`nonce="${nonce}"`)
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
  })

  it('signs in, and an ОО cannot open another ОО by URL', async () => {
    const res = await signIn(school.login, TEST_PASSWORD)
    expect(res.status).toBe(302)
    const cookie = res.headers.get('set-cookie')!.split(';')[0]
    const own = await fetch(`${base}/cabinet/orgs/${school.organizationId}`, { headers: { cookie } })
    // A school coordinator has no organisations section, but its own card is in scope.
    expect(own.status).toBe(200)
    const other = await fetch(`${base}/cabinet/orgs/${otherSchoolId}`, { headers: { cookie } })
    expect(other.status).toBe(403)
    expect(await other.text()).toContain('вне вашей зоны ответственности')
    expect((await auditRows('access.denied')).at(-1)).toMatchObject({ actorLogin: school.login, targetOrgId: otherSchoolId })
  })

  it('answers a wrong password with 401 and a Russian message', async () => {
    const res = await signIn(school.login, 'not-the-password')
    expect(res.status).toBe(401)
    expect(await res.text()).toContain('Неверный логин или пароль')
  })

  it('answers a malformed post with 400 and changes nothing', async () => {
    const signedIn = await signIn(school.login, TEST_PASSWORD)
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]
    const before = await prisma.user.findUniqueOrThrow({ where: { id: school.id } })
    const res = await fetch(`${base}/cabinet/orgs/${school.organizationId}`, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ intent: 'issue', targetOrgId: 'DROP TABLE' }),
    })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('форма заполнена неверно')
    expect((await prisma.user.findUniqueOrThrow({ where: { id: school.id } })).passwordHash).toBe(before.passwordHash)
  })

  it('redirects an expired session to the sign-in page and clears the cookie', async () => {
    const signedIn = await signIn(school.login, TEST_PASSWORD)
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]
    await prisma.session.updateMany({ where: { userId: school.id }, data: { expiresAt: new Date(Date.now() - 1000) } })
    const res = await fetch(`${base}/cabinet`, { headers: { cookie }, redirect: 'manual' })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/login?redirectTo=%2Fcabinet')
    expect(res.headers.get('set-cookie')).toMatch(/oko_session=;/)
  })
})

describe('rate limits', () => {
  it('limits sign-in posts per address with 429 and Retry-After', async () => {
    // RATE_LIMIT_FACTOR 0.25 → 5 sign-in posts a minute (earlier tests used some).
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) statuses.push((await signIn('nobody', 'x')).status)
    expect(statuses).toContain(429)
    const limited = await signIn('nobody', 'x')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await limited.text()).toContain('Слишком много запросов')
  })
})

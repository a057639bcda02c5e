import { describe, expect, it } from 'vitest'
import { parseEnv } from './env.server'

function errorOf(source: Record<string, string>) {
  try {
    parseEnv(source)
  } catch (error) {
    return error as Error
  }
  throw new Error('parseEnv accepted a bad environment')
}

describe('parseEnv', () => {
  it('fills in the defaults for an empty environment', () => {
    const env = parseEnv({})
    expect(env).toMatchObject({
      NODE_ENV: 'production',
      PORT: 3000,
      HOST: '0.0.0.0',
      DATA_DIR: './data',
      ROLE: ['web', 'intake', 'worker'],
      DEMO_DATA: 'auto',
      SESSION_TTL_DAYS: 14,
      DATABASE_POOL_SIZE: 10,
    })
    expect(env.DATABASE_URL).toBeUndefined()
  })

  it('treats empty strings as unset', () => {
    const env = parseEnv({ PORT: '', DATABASE_URL: '', ROLE: '' })
    expect(env).toMatchObject({ PORT: 3000, ROLE: ['web', 'intake', 'worker'] })
    // Empty DATABASE_URL means the embedded default, not an invalid URL.
    expect(env.DATABASE_URL).toBeUndefined()
  })

  it('reads the values it is given', () => {
    const env = parseEnv({ PORT: '8080', ROLE: 'web, worker,web', DATABASE_URL: 'postgresql://u@db:5432/oko', SECURE_COOKIES: 'yes' })
    expect(env.PORT).toBe(8080)
    expect(env.ROLE).toEqual(['web', 'worker'])
    expect(env.DATABASE_URL).toBe('postgresql://u@db:5432/oko')
    expect(env.SECURE_COOKIES).toBe(true)
  })

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['ROLE', 'web,mailer'],
    ['ROLE', ','],
    ['DATABASE_URL', 'mysql://root@localhost/oko'],
    ['SESSION_SECRET', 'short'],
    ['LOG_LEVEL', 'verbose'],
  ])('names %s when it is %j', (name, value) => {
    const error = errorOf({ [name]: value })
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toContain(`${name}:`)
  })

  it('names every bad variable at once', () => {
    const message = errorOf({ PORT: 'x', ROLE: 'nope' }).message
    expect(message).toContain('PORT:')
    expect(message).toContain('ROLE:')
    expect(message).toContain('неизвестная роль: nope')
  })
})

// Shared helpers for the browser tests: signing in, a fresh browser context
// per person, looking organisations up, and a guard that fails a test when
// the page throws or logs an error (STYLE.md: an unexpected console.error
// fails a test).
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test'

/** The password of every demo login (prisma/seed.ts). */
export const DEMO_PASSWORD = 'oko-demo-2026'

/**
 * Errors the browser itself logs for responses the tests expect: a 403 page
 * is a "failed" resource, and a socket the server ends when a session is
 * revoked is a closed connection.
 */
const EXPECTED_CONSOLE_ERRORS = [/Failed to load resource: the server responded with a status of 40[134]/, /WebSocket connection to .* failed/]

function watchErrors(page: Page, errors: string[]) {
  page.on('pageerror', (error) => errors.push(`${page.url()}: uncaught ${error.name}: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    const text = message.text()
    if (EXPECTED_CONSOLE_ERRORS.some((re) => re.test(text))) return
    errors.push(`${page.url()}: console.error: ${text}`)
  })
}

/** Fills in the sign-in form and submits it; does not wait for where it leads. */
export async function submitLogin(page: Page, login: string, password = DEMO_PASSWORD) {
  await page.goto('/login')
  await page.locator('input[name=login]').fill(login)
  await page.locator('input[name=password]').fill(password)
  await page.getByRole('button', { name: 'Войти' }).click()
}

/** Signs in and waits for the cabinet (or, for a one-time password, the forced password change). */
export async function login(page: Page, login: string, password = DEMO_PASSWORD, landing: '/cabinet' | '/password' = '/cabinet') {
  await submitLogin(page, login, password)
  await expect(page).toHaveURL((url) => url.pathname === landing)
}

/** Completes the forced change after signing in with a one-time password. */
export async function chooseOwnPassword(page: Page, oneTimePassword: string, newPassword: string) {
  await expect(page).toHaveURL(/\/password$/)
  await page.locator('input[name=currentPassword]').fill(oneTimePassword)
  await page.locator('input[name=newPassword]').fill(newPassword)
  await page.locator('input[name=confirmPassword]').fill(newPassword)
  await page.getByRole('button', { name: 'Сохранить пароль' }).click()
  await expect(page).toHaveURL((url) => url.pathname === '/cabinet')
}

/** The id of an organisation, found by its login through the organisations search (the person must see it). */
export async function orgIdOf(page: Page, orgLogin: string): Promise<number> {
  await page.goto(`/cabinet/orgs?q=${encodeURIComponent(orgLogin)}`)
  const link = page.getByTestId('org-table').getByRole('link', { name: new RegExp(`\\(${orgLogin}\\)$`) })
  await expect(link).toHaveCount(1)
  const href = await link.getAttribute('href')
  const id = Number(/\/cabinet\/orgs\/(\d+)$/.exec(href ?? '')?.[1])
  expect(id, `link to ${orgLogin}: ${href}`).toBeGreaterThan(0)
  return id
}

/** A new page, in a browser context of its own, signed in as `login`. */
export type SignIn = (login: string, password?: string) => Promise<Page>
/** A new page in a browser context of its own, not signed in. */
export type NewPage = () => Promise<Page>

export const test = base.extend<{ signIn: SignIn; newPage: NewPage; pageErrors: string[] }>({
  pageErrors: async ({}, use) => {
    const errors: string[] = []
    await use(errors)
    expect(errors, 'errors thrown or logged in the browser').toEqual([])
  },
  page: async ({ page, pageErrors }, use) => {
    watchErrors(page, pageErrors)
    await use(page)
  },
  newPage: async ({ browser, pageErrors }, use) => {
    const contexts: BrowserContext[] = []
    await use(async () => {
      // Contexts made in a test inherit the config's `use` options (baseURL, locale).
      const context = await browser.newContext()
      contexts.push(context)
      const page = await context.newPage()
      watchErrors(page, pageErrors)
      return page
    })
    for (const context of contexts) await context.close()
  },
  signIn: async ({ newPage }, use) => {
    await use(async (who, password = DEMO_PASSWORD) => {
      const page = await newPage()
      await login(page, who, password)
      return page
    })
  },
})

export { expect }

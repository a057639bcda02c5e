// Per-HTTP-request memoisation: the loaders of one page run in parallel and
// each receives its own copy of the Request, so identity cannot be the key.
// server/http.ts opens a scope per request; outside one, nothing is cached.
import { AsyncLocalStorage } from 'node:async_hooks'
import { singleton } from './singleton.server'

export const requestScope = singleton('request-scope', () => new AsyncLocalStorage<Map<string, Promise<unknown>>>())

export function memoizeInRequest<T>(key: string, compute: () => Promise<T>): Promise<T> {
  const store = requestScope.getStore()
  if (!store) return compute()
  let pending = store.get(key) as Promise<T> | undefined
  if (!pending) {
    pending = compute()
    store.set(key, pending)
  }
  return pending
}

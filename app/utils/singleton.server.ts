// One instance per process even when a module is loaded twice (the Remix
// server bundle and the transport code under tsx each import app modules).
export function singleton<T>(name: string, create: () => T): T {
  const store = globalThis as unknown as { __okoSingletons?: Map<string, unknown> }
  store.__okoSingletons ??= new Map()
  if (!store.__okoSingletons.has(name)) store.__okoSingletons.set(name, create())
  return store.__okoSingletons.get(name) as T
}

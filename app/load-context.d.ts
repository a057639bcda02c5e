import '@remix-run/node'

declare module '@remix-run/node' {
  interface AppLoadContext {
    /** Nonce for inline scripts, matching the Content-Security-Policy header. */
    cspNonce: string
    /** Client address as Express sees it (TRUST_PROXY aware). */
    clientIp: string
  }
}

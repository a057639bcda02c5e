// hoodiecrow-imap ships no types: the little of it the IMAP test uses.
declare module 'hoodiecrow-imap' {
  import type { Server } from 'node:net'
  interface HoodiecrowMessage {
    raw: string
    flags?: string[]
    internaldate?: string
  }
  interface HoodiecrowOptions {
    plugins?: string[]
    storage?: Record<string, { messages?: HoodiecrowMessage[]; folders?: Record<string, unknown> }>
    debug?: boolean
  }
  interface Hoodiecrow {
    server: Server
    listen(port: number, host: string, callback: () => void): void
    close(callback?: () => void): void
  }
  export default function hoodiecrow(options?: HoodiecrowOptions): Hoodiecrow
}

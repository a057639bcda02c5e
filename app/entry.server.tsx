import { Writable } from 'node:stream'
import type { AppLoadContext, EntryContext } from '@remix-run/node'
import { RemixServer } from '@remix-run/react'
import { renderToPipeableStream } from 'react-dom/server'
import { NonceProvider } from '~/utils/nonce'

const ABORT_DELAY = 5_000

// No route streams (no defer, no Suspense): every loader has finished before
// rendering starts. So the document is rendered whole into one buffer and sent
// in one write, for bots and browsers alike. Streaming it chunk by chunk
// through a web stream cost the thread page (100 posts) about a tenth of its
// CPU in small socket writes and stream plumbing. Should a route ever defer,
// switch it to onShellReady with a PassThrough again.
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce ?? ''
  return new Promise<Response>((resolve, reject) => {
    let renderError: unknown
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        onAllReady() {
          const chunks: Buffer[] = []
          const sink = new Writable({
            write(chunk: Buffer | string, _encoding, done) {
              chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
              done()
            },
            final(done) {
              clearTimeout(timer)
              responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
              if (renderError !== undefined) console.error(renderError)
              resolve(new Response(Buffer.concat(chunks), { headers: responseHeaders, status: renderError !== undefined ? 500 : responseStatusCode }))
              done()
            },
          })
          pipe(sink)
        },
        onShellError(error: unknown) {
          clearTimeout(timer)
          reject(error)
        },
        onError(error: unknown) {
          // A shell error rejects (Remix answers with its error page); a later one is logged once the page is out.
          renderError = error
        },
      },
    )
    const timer = setTimeout(abort, ABORT_DELAY)
  })
}

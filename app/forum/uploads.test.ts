import { createHash } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { action as uploadAction } from '~/routes/forum.uploads'
import { loader as imageLoader } from '~/routes/forum.uploads.$id'
import { greyPng as png } from '../../tests/fixtures/png.ts'
import { createRegionTree, createUser, signedInRequest, thrownResponse } from '../../tests/setup/fixtures.ts'
import { contentFromText, prepareContent } from './content.server'
import { imageDimensions, purgeOrphanUploads, readUpload, redactUpload, storeUpload } from './uploads.server'

const CONTEXT = { cspNonce: 'test', clientIp: '203.0.113.7' }

let alice: { id: number; login: string }
let bob: { id: number; login: string }

beforeAll(async () => {
  const tree = await createRegionTree({ municipalities: 1, schoolsPer: 2, colleges: 0 })
  alice = await createUser({ orgId: tree.municipalities[0].schools[0].id })
  bob = await createUser({ orgId: tree.municipalities[0].schools[1].id })
})

// --- real image bytes, made here -------------------------------------------

/** JPEG headers up to the frame header: SOI, APP0 (JFIF), SOF0 with the size. */
function jpeg(width: number, height: number) {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00])
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])])
}
function gif(width: number, height: number) {
  const b = Buffer.from('GIF89a\0\0\0\0\x80\0\0\0\0\0\xff\xff\xff,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;', 'latin1')
  b.writeUInt16LE(width, 6)
  b.writeUInt16LE(height, 8)
  return b
}
function webpVp8x(width: number, height: number) {
  const b = Buffer.alloc(30)
  b.write('RIFF', 0, 'latin1')
  b.writeUInt32LE(22, 4)
  b.write('WEBPVP8X', 8, 'latin1')
  b.writeUInt32LE(10, 16)
  b.writeUIntLE(width - 1, 24, 3)
  b.writeUIntLE(height - 1, 27, 3)
  return b
}

async function postFile(user: { id: number }, content: Buffer, filename: string, type: string) {
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(content)], { type }), filename)
  const request = await signedInRequest(user, 'http://localhost/forum/uploads', { method: 'POST', body: form })
  return uploadAction({ request, params: {}, context: CONTEXT }) as Promise<Response>
}

describe('storeUpload', () => {
  it('accepts PNG, JPEG, GIF and WebP by their bytes and reads their size', async () => {
    for (const [bytes, type, w, h] of [
      [png(640, 480), 'image/png', 640, 480],
      [jpeg(1920, 1080), 'image/jpeg', 1920, 1080],
      [gif(33, 17), 'image/gif', 33, 17],
      [webpVp8x(800, 600), 'image/webp', 800, 600],
    ] as const) {
      const result = await storeUpload(alice.id, { filename: 'снимок.bin', content: bytes, declaredType: 'application/octet-stream' })
      expect(result.status, type).toBe('success')
      if (result.status !== 'success') continue
      expect(result.upload).toMatchObject({ width: w, height: h })
      expect(result.upload.url).toBe(`/forum/uploads/${result.upload.id}`)
      const stored = await readUpload(result.upload.id)
      expect(stored?.contentType).toBe(type)
      expect(stored?.content.equals(bytes)).toBe(true)
    }
  })

  it('refuses an HTML file renamed .png, SVG, and a PNG whose header is cut', async () => {
    const html = await storeUpload(alice.id, { filename: 'критерий.png', content: Buffer.from('<html><script>alert(1)</script></html>'), declaredType: 'image/png' })
    expect(html).toMatchObject({ status: 'error', httpStatus: 415 })
    expect(html.status === 'error' && html.message).toMatch(/не является изображением PNG, JPEG, GIF или WebP/)
    const svg = await storeUpload(alice.id, { filename: 'x.svg', content: Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), declaredType: 'image/svg+xml' })
    expect(svg.status === 'error' && svg.message).toMatch(/SVG не принимаются/)
    const cut = await storeUpload(alice.id, { filename: 'x.png', content: png(10, 10).subarray(0, 20), declaredType: 'image/png' })
    expect(cut.status === 'error' && cut.message).toMatch(/повреждено/)
    expect(await prisma.forumUpload.count({ where: { ownerId: alice.id, contentType: { not: { startsWith: 'image/' } } } })).toBe(0)
  })

  it('refuses images over the size limit and absurd dimensions', async () => {
    const big = Buffer.concat([png(10, 10), Buffer.alloc(5 * 1024 * 1024)])
    const result = await storeUpload(alice.id, { filename: 'big.png', content: big, declaredType: 'image/png' })
    expect(result).toMatchObject({ status: 'error', httpStatus: 413 })
    expect(result.status === 'error' && result.message).toMatch(/больше 5 МБ/)
    const huge = await storeUpload(alice.id, { filename: 'bomb.png', content: png(1, 1).fill(0xff, 16, 24), declaredType: 'image/png' })
    expect(huge.status === 'error' && huge.message).toMatch(/слишком велико по размерам/)
  })

  it('caps uploads per person and hour', async () => {
    const before = await prisma.forumUpload.count({ where: { ownerId: bob.id } })
    await prisma.forumUpload.createMany({
      data: Array.from({ length: 60 - before }, (_, i) => ({ id: `cap-test-${String(i).padStart(12, '0')}`, ownerId: bob.id, contentType: 'image/png', size: 1, sha256: 'x', content: new Uint8Array([1]) })),
    })
    const result = await storeUpload(bob.id, { filename: 'a.png', content: png(2, 2), declaredType: 'image/png' })
    expect(result).toMatchObject({ status: 'error', httpStatus: 429 })
    await prisma.forumUpload.deleteMany({ where: { id: { startsWith: 'cap-test-' } } })
  })

  it('reads dimensions of a progressive JPEG with an EXIF block before the frame', () => {
    const exif = Buffer.concat([Buffer.from([0xff, 0xe1, 0x00, 0x0a]), Buffer.from('Exif\0\0\0\0', 'latin1')])
    const base = jpeg(300, 200)
    const progressive = Buffer.concat([base.subarray(0, 2), exif, base.subarray(2)])
    progressive[progressive.indexOf(0xc0, 20)] = 0xc2
    expect(imageDimensions('image/jpeg', progressive)).toEqual({ width: 300, height: 200 })
  })
})

describe('POST /forum/uploads', () => {
  it('stores a PNG and answers its id, url and size as JSON', async () => {
    const response = await postFile(alice, png(64, 32), 'screen.png', 'image/png')
    expect(response.status).toBe(201)
    const body = await response.json()
    expect(body).toMatchObject({ width: 64, height: 32 })
    expect(body.url).toBe(`/forum/uploads/${body.id}`)
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })

  it('answers 415 JSON for a renamed HTML file and 401 without a session', async () => {
    const response = await postFile(alice, Buffer.from('<script>alert(1)</script>'), 'pic.png', 'image/png')
    expect(response.status).toBe(415)
    expect((await response.json()).error).toMatch(/не является изображением/)
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(png(2, 2))], { type: 'image/png' }), 'a.png')
    const anonymous = (await uploadAction({ request: new Request('http://localhost/forum/uploads', { method: 'POST', body: form }), params: {}, context: CONTEXT })) as Response
    expect(anonymous.status).toBe(401)
  })

  it('refuses a 50 MB upload with 413 after reading little more than the limit', async () => {
    const boundary = '----okoTestBoundary'
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.png"\r\nContent-Type: image/png\r\n\r\n`)
    const total = 50 * 1024 * 1024
    const chunk = Buffer.alloc(64 * 1024, 0x41)
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(head))
        controller.enqueue(new Uint8Array(png(4, 4)))
      },
      pull(controller) {
        if (sent >= total) {
          controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`))
          controller.close()
          return
        }
        sent += chunk.length
        controller.enqueue(new Uint8Array(chunk))
      },
    })
    const request = await signedInRequest(alice, 'http://localhost/forum/uploads', {
      method: 'POST',
      body,
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      duplex: 'half',
    } as RequestInit)
    const before = await prisma.forumUpload.count()
    const response = (await uploadAction({ request, params: {}, context: CONTEXT })) as Response
    expect(response.status).toBe(413)
    expect((await response.json()).error).toMatch(/больше 5 МБ/)
    expect(sent).toBeLessThan(8 * 1024 * 1024)
    expect(await prisma.forumUpload.count()).toBe(before)
  })

  it('refuses at once when Content-Length already says the body is too large', async () => {
    const request = await signedInRequest(alice, 'http://localhost/forum/uploads', {
      method: 'POST',
      body: 'x',
      headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': String(50 * 1024 * 1024) },
    })
    const response = (await uploadAction({ request, params: {}, context: CONTEXT })) as Response
    expect(response.status).toBe(413)
  })
})

describe('GET /forum/uploads/:id', () => {
  it('serves the bytes with the sniffed type and safe headers, to signed-in people only', async () => {
    const bytes = png(20, 10)
    const stored = await storeUpload(alice.id, { filename: 'x.png', content: bytes, declaredType: 'text/html' })
    if (stored.status !== 'success') throw new Error(stored.message)
    const request = await signedInRequest(bob, `http://localhost${stored.upload.url}`)
    const response = await imageLoader({ request, params: { id: stored.upload.id }, context: CONTEXT })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('image/png')
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(response.headers.get('Content-Disposition')).toBe('inline')
    // Kept by the browser but revalidated before each use, so a redaction reaches cached copies.
    expect(response.headers.get('Cache-Control')).toBe('private, no-cache')
    const etag = response.headers.get('ETag')
    expect(etag).toBe(`"${createHash('sha256').update(bytes).digest('hex')}"`)
    expect(response.headers.get('Content-Security-Policy')).toBe("default-src 'none'; sandbox")
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true)

    // Revalidation: the same ETag gets 304 without the bytes; another one gets the image.
    const revalidate = async (tag: string) => {
      const signed = await signedInRequest(bob, `http://localhost${stored.upload.url}`)
      const headers = new Headers(signed.headers)
      headers.set('If-None-Match', tag)
      return imageLoader({ request: new Request(signed.url, { headers }), params: { id: stored.upload.id }, context: CONTEXT })
    }
    const notModified = await revalidate(etag!)
    expect(notModified.status).toBe(304)
    expect(notModified.headers.get('ETag')).toBe(etag)
    expect(notModified.headers.get('Cache-Control')).toBe('private, no-cache')
    expect((await notModified.arrayBuffer()).byteLength).toBe(0)
    expect((await revalidate(`W/${etag}, "other"`)).status).toBe(304)
    const changed = await revalidate('"0000"')
    expect(changed.status).toBe(200)
    expect(Buffer.from(await changed.arrayBuffer()).equals(bytes)).toBe(true)

    const anonymous = await thrownResponse(() => imageLoader({ request: new Request(`http://localhost${stored.upload.url}`), params: { id: stored.upload.id }, context: CONTEXT }))
    expect(anonymous.status).toBe(302)
    expect(anonymous.headers.get('Location')).toMatch(/^\/login/)

    const missing = await imageLoader({ request: await signedInRequest(bob), params: { id: 'AAAAAAAAAAAAAAAAAAAAAA' }, context: CONTEXT })
    expect(missing.status).toBe(404)
  })

  it('after redaction the bytes are gone, a placeholder is served and the post shows the notice', async () => {
    const bytes = png(30, 30)
    const stored = await storeUpload(alice.id, { filename: 'работа.png', content: bytes, declaredType: 'image/png' })
    if (stored.status !== 'success') throw new Error(stored.message)
    const prepared = await prepareContent(
      { root: { type: 'root', children: [{ type: 'paragraph', children: [{ type: 'text', text: 'Вот работа' }, { type: 'image', src: stored.upload.url, altText: 'работа' }] }] } },
      { ownerId: alice.id },
    )
    if (prepared.status !== 'success') throw new Error(prepared.message)
    const forum = await prisma.forum.findFirstOrThrow()
    const topic = await prisma.topic.create({ data: { forumId: forum.id, title: 'Как оценить', authorId: alice.id } })
    const post = await prisma.post.create({ data: { topicId: topic.id, authorId: alice.id, isFirst: true, content: prepared.value.content, html: prepared.value.html, text: prepared.value.text } })
    await prisma.forumUpload.update({ where: { id: stored.upload.id }, data: { postId: post.id } })
    expect(prepared.value.html).toContain(`<img src="${stored.upload.url}"`)

    const result = await redactUpload(stored.upload.id, bob.id)
    expect(result).toEqual({ status: 'success', postId: post.id })
    const row = await prisma.forumUpload.findUniqueOrThrow({ where: { id: stored.upload.id } })
    expect(row.content.length).toBe(0)
    expect(row.redactedById).toBe(bob.id)
    const after = await prisma.post.findUniqueOrThrow({ where: { id: post.id } })
    expect(after.html).toBe('<p>Вот работа<span class="image-redacted">Изображение скрыто модератором</span></p>')

    // A browser that cached the image asks with its ETag and gets the placeholder, not a 304.
    const signed = await signedInRequest(bob)
    const headers = new Headers(signed.headers)
    headers.set('If-None-Match', `"${createHash('sha256').update(bytes).digest('hex')}"`)
    const response = await imageLoader({ request: new Request(signed.url, { headers }), params: { id: stored.upload.id }, context: CONTEXT })
    expect(response.status).toBe(410)
    expect(response.headers.get('Content-Type')).toMatch(/^image\/svg\+xml/)
    expect(response.headers.get('Cache-Control')).toBe('private, no-store')
    const body = Buffer.from(await response.arrayBuffer())
    expect(body.includes(bytes.subarray(16, 30))).toBe(false)
    expect(body.toString()).toContain('Изображение скрыто модератором')
  })
})

describe('purgeOrphanUploads', () => {
  it('removes day-old uploads no post shows and attaches ones a post does show', async () => {
    const orphan = await storeUpload(bob.id, { filename: 'a.png', content: png(3, 3), declaredType: 'image/png' })
    const used = await storeUpload(bob.id, { filename: 'b.png', content: png(4, 4), declaredType: 'image/png' })
    const fresh = await storeUpload(bob.id, { filename: 'c.png', content: png(5, 5), declaredType: 'image/png' })
    if (orphan.status !== 'success' || used.status !== 'success' || fresh.status !== 'success') throw new Error('store failed')
    const old = new Date(Date.now() - 25 * 3600_000)
    await prisma.forumUpload.updateMany({ where: { id: { in: [orphan.upload.id, used.upload.id] } }, data: { createdAt: old } })
    const forum = await prisma.forum.findFirstOrThrow()
    const topic = await prisma.topic.create({ data: { forumId: forum.id, title: 'С картинкой', authorId: bob.id } })
    const content = contentFromText('текст')
    content.root.children.push({ type: 'paragraph', direction: null, format: '', indent: 0, version: 1, textFormat: 0, textStyle: '', children: [{ type: 'image', src: used.upload.url, altText: '', width: 4, height: 4, version: 1 }] })
    const post = await prisma.post.create({ data: { topicId: topic.id, authorId: bob.id, content: content as object, html: '', text: 'текст' } })

    expect(await purgeOrphanUploads()).toBe(1)
    expect(await readUpload(orphan.upload.id)).toBeNull()
    expect((await readUpload(used.upload.id))?.postId).toBe(post.id)
    expect(await readUpload(fresh.upload.id)).not.toBeNull()
  })
})

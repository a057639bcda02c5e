// Images in forum posts (screenshots of a criterion, of a task). Stored in the
// database (ForumUpload) under a random id; the type is read from the bytes,
// never from the name or the browser's word; only raster formats browsers
// show without running anything (PNG, JPEG, GIF, WebP) — SVG can carry
// scripts and is refused. Served by app/routes/forum.uploads.$id.tsx.
import crypto from 'node:crypto'
import type { Prisma } from '~/generated/prisma/client'
import { prisma } from '~/utils/db.server'
import { env } from '~/utils/env.server'
import { defineQueue } from '~/utils/jobs.server'
import { logger } from '~/utils/logger.server'
import { sniffContentType } from '../../emails/inbound/attachments.ts'
import { renderContent } from './content.server'
import { checkEditorState, uploadUrl } from './content'

export const FORUM_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const
export type ForumImageType = (typeof FORUM_IMAGE_TYPES)[number]

/** Larger pictures are refused: they are not screenshots, and decoding them strains readers' browsers. */
export const MAX_IMAGE_SIDE = 12_000
export const MAX_IMAGE_PIXELS = 50_000_000

/** Unattached uploads (never posted) are removed after this long. */
export const ORPHAN_UPLOAD_HOURS = 24

export function maxUploadBytes() {
  return env().FORUM_UPLOAD_MAX_BYTES
}

export function formatMegabytes(bytes: number) {
  const mb = bytes / 1024 / 1024
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1).replace('.', ',')} МБ`
}

export interface StoredUpload {
  id: string
  url: string
  width: number
  height: number
}

export type StoreResult = { status: 'success'; upload: StoredUpload } | { status: 'error'; message: string; httpStatus: number }

// ---------------------------------------------------------------------------
// Dimensions from the header bytes (no image library: we need two numbers).

export function imageDimensions(type: ForumImageType, b: Buffer): { width: number; height: number } | null {
  try {
    switch (type) {
      case 'image/png':
        // The IHDR chunk must come first: 8-byte signature, length, "IHDR", width, height.
        if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') return null
        return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) }
      case 'image/gif':
        if (b.length < 10) return null
        return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) }
      case 'image/webp': {
        if (b.length < 30) return null
        const chunk = b.toString('latin1', 12, 16)
        if (chunk === 'VP8 ') {
          // Lossy: a key frame starts with the start code 9d 01 2a, then 14-bit sizes.
          if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null
          return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff }
        }
        if (chunk === 'VP8L') {
          if (b[20] !== 0x2f) return null
          const bits = b.readUInt32LE(21)
          return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 }
        }
        if (chunk === 'VP8X') return { width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 }
        return null
      }
      case 'image/jpeg': {
        // Walk the segments to the first start-of-frame marker (SOF0–SOF15 except DHT, JPG, DAC).
        let i = 2
        while (i + 9 < b.length) {
          if (b[i] !== 0xff) return null
          const marker = b[i + 1]
          if (marker === 0xff) {
            i++
            continue
          }
          if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
            i += 2
            continue
          }
          const length = b.readUInt16BE(i + 2)
          if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
            return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) }
          }
          if (marker === 0xd9 || marker === 0xda || length < 2) return null
          i += 2 + length
        }
        return null
      }
    }
  } catch {
    return null
  }
}

function isForumImageType(type: string | null): type is ForumImageType {
  return (FORUM_IMAGE_TYPES as readonly string[]).includes(type ?? '')
}

/**
 * Checks and stores one image of `ownerId`. The declared type and file name
 * are only used in messages: what counts is what the bytes are.
 */
export async function storeUpload(ownerId: number, file: { filename?: string | null; content: Buffer; declaredType?: string | null }): Promise<StoreResult> {
  const { content } = file
  const limit = maxUploadBytes()
  if (content.length === 0) return { status: 'error', httpStatus: 400, message: 'Файл пустой: выберите изображение ещё раз.' }
  if (content.length > limit) {
    return { status: 'error', httpStatus: 413, message: `Изображение больше ${formatMegabytes(limit)}: уменьшите снимок (например, сохраните его в JPEG) и загрузите снова.` }
  }
  const sniffed = sniffContentType(content)
  if (!isForumImageType(sniffed)) {
    const looksSvg = /svg/i.test(file.declaredType ?? '') || /\.svgz?$/i.test(file.filename ?? '') || /^\s*(<\?xml|<svg)/i.test(content.subarray(0, 256).toString('latin1'))
    const message = looksSvg
      ? 'Изображения SVG не принимаются: сохраните снимок в PNG или JPEG и загрузите снова.'
      : 'Файл не является изображением PNG, JPEG, GIF или WebP (проверяется содержимое, а не расширение): сохраните снимок в одном из этих форматов.'
    return { status: 'error', httpStatus: 415, message }
  }
  const size = imageDimensions(sniffed, content)
  if (!size || size.width < 1 || size.height < 1) {
    return { status: 'error', httpStatus: 415, message: 'Изображение повреждено: не удалось прочитать его размеры. Сохраните снимок заново и загрузите снова.' }
  }
  if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE || size.width * size.height > MAX_IMAGE_PIXELS) {
    return { status: 'error', httpStatus: 413, message: `Изображение слишком велико по размерам (${size.width}×${size.height} точек): уменьшите его до ${MAX_IMAGE_SIDE} точек по стороне.` }
  }
  const perHour = env().FORUM_UPLOADS_PER_HOUR
  if (perHour > 0) {
    const recent = await prisma.forumUpload.count({ where: { ownerId, createdAt: { gt: new Date(Date.now() - 3600_000) } } })
    if (recent >= perHour) {
      return { status: 'error', httpStatus: 429, message: `За последний час вы загрузили ${recent} изображений — это предел. Повторите позже.` }
    }
  }
  const id = crypto.randomBytes(16).toString('base64url')
  await prisma.forumUpload.create({
    data: {
      id,
      ownerId,
      contentType: sniffed,
      size: content.length,
      width: size.width,
      height: size.height,
      sha256: crypto.createHash('sha256').update(content).digest('hex'),
      content: new Uint8Array(content),
    },
  })
  return { status: 'success', upload: { id, url: uploadUrl(id), width: size.width, height: size.height } }
}

export interface UploadRecord {
  id: string
  ownerId: number
  postId: number | null
  contentType: string
  size: number
  width: number | null
  height: number | null
  content: Buffer
  redacted: boolean
  createdAt: Date
}

/** One upload with its bytes, or null. Who may see it is the route's concern (any signed-in user). */
export async function readUpload(id: string): Promise<UploadRecord | null> {
  const row = await prisma.forumUpload.findUnique({ where: { id } })
  if (!row) return null
  return {
    id: row.id,
    ownerId: row.ownerId,
    postId: row.postId,
    contentType: row.contentType,
    size: row.size,
    width: row.width,
    height: row.height,
    content: Buffer.from(row.content),
    redacted: row.redactedAt !== null,
    createdAt: row.createdAt,
  }
}

/**
 * Empties an upload's bytes for good (a moderator saw personal data in it)
 * and re-renders the post that shows it, so the page shows a placeholder.
 * Permission checks, the moderation log and events are the caller's
 * (moderation.server.ts `redactImage`); pass its transaction as `db`.
 */
export async function redactUpload(
  id: string,
  actorId: number,
  db: Prisma.TransactionClient = prisma,
): Promise<{ status: 'success'; postId: number | null } | { status: 'error'; message: string }> {
  const row = await db.forumUpload.findUnique({ where: { id }, select: { id: true, postId: true, redactedAt: true } })
  if (!row) return { status: 'error', message: 'Изображение не найдено.' }
  if (!row.redactedAt) {
    await db.forumUpload.update({
      where: { id },
      data: { content: new Uint8Array(0), size: 0, sha256: '', redactedAt: new Date(), redactedById: actorId },
    })
  }
  if (row.postId) {
    const redacted = (await db.forumUpload.findMany({ where: { postId: row.postId, redactedAt: { not: null } }, select: { id: true } })).map((u) => u.id)
    const post = await db.post.findUnique({ where: { id: row.postId }, select: { content: true } })
    const current = post ? checkEditorState(post.content) : null
    if (current?.status === 'success') {
      await db.post.update({ where: { id: row.postId }, data: { html: renderContent(current.state, { redactedUploadIds: redacted }) } })
    }
    // Earlier versions in the edit history showed the same picture.
    const revisions = await db.postRevision.findMany({ where: { postId: row.postId }, select: { id: true, content: true } })
    for (const revision of revisions) {
      const old = checkEditorState(revision.content)
      if (old.status === 'success' && old.uploadIds.includes(id)) {
        await db.postRevision.update({ where: { id: revision.id }, data: { html: renderContent(old.state, { redactedUploadIds: redacted }) } })
      }
    }
  }
  return { status: 'success', postId: row.postId }
}

/**
 * Attaches uploads to the post that now shows them (called by posts and
 * topics in their transaction), so they are not purged as orphans.
 */
export async function attachUploads(db: Prisma.TransactionClient, postId: number, uploadIds: string[]) {
  if (uploadIds.length === 0) return
  await db.forumUpload.updateMany({ where: { id: { in: uploadIds }, postId: null }, data: { postId } })
}

/**
 * Removes uploads nobody posted within ORPHAN_UPLOAD_HOURS (abandoned drafts).
 * An upload that a post does show but that was never attached (a caller that
 * forgot attachUploads) is attached instead of deleted: losing a posted
 * picture is worse than keeping a stray one.
 */
export async function purgeOrphanUploads(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - ORPHAN_UPLOAD_HOURS * 3600_000)
  const candidates = await prisma.forumUpload.findMany({ where: { postId: null, createdAt: { lt: cutoff } }, select: { id: true }, take: 1000 })
  if (candidates.length === 0) return 0
  const ids = candidates.map((c) => c.id)
  const used = await prisma.$queryRaw<{ id: string; postId: number }[]>`
    SELECT c.id, (SELECT p.id FROM "Post" p WHERE strpos(p.content::text, '/forum/uploads/' || c.id) > 0 ORDER BY p.id LIMIT 1) AS "postId"
    FROM unnest(${ids}::text[]) AS c(id)`
  for (const row of used) {
    if (row.postId !== null) await prisma.forumUpload.update({ where: { id: row.id }, data: { postId: row.postId } })
  }
  const orphans = used.filter((row) => row.postId === null).map((row) => row.id)
  const { count } = await prisma.forumUpload.deleteMany({ where: { id: { in: orphans }, postId: null } })
  if (count) logger.info({ purged: count }, 'forum: orphan uploads purged')
  return count
}

/** Hourly in the worker. */
export const purgeOrphanUploadsQueue = defineQueue<Record<string, never>>({
  name: 'forum.purge-orphan-uploads',
  cron: '23 * * * *',
  retryLimit: 1,
  async handler() {
    await purgeOrphanUploads()
  },
})

// POST /forum/uploads: one image for a forum post (the editor's image button,
// paste and drop). Multipart field `file`; the reply is JSON
// `{ id, url, width, height }` or `{ error }` with a Russian message. The size
// limit is enforced while the body streams in: a 50 MB file is refused after
// the first FORUM_UPLOAD_MAX_BYTES, never buffered whole.
import { json, MaxPartSizeExceededError, unstable_parseMultipartFormData, type ActionFunctionArgs, type UploadHandler } from '@remix-run/node'
import { getSessionUser } from '~/accounts/session.server'
import { formatMegabytes, maxUploadBytes, storeUpload } from '~/forum/uploads.server'

/** Room for the multipart boundaries and part headers around the file. */
const ENVELOPE_BYTES = 16 * 1024
/** Fields other than `file` are not expected; a few bytes are tolerated and discarded. */
const MAX_OTHER_FIELD_BYTES = 1024

function tooLarge(limit: number) {
  return json({ error: `Изображение больше ${formatMegabytes(limit)}: уменьшите снимок (например, сохраните его в JPEG) и загрузите снова.` }, { status: 413 })
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== 'POST') return json({ error: 'Метод не поддерживается.' }, { status: 405, headers: { Allow: 'POST' } })
  // A fetch from the editor: answer 401 JSON rather than a redirect to the sign-in page.
  const user = await getSessionUser(request)
  if (!user) return json({ error: 'Сеанс завершён: войдите снова, чтобы загрузить изображение.' }, { status: 401 })
  if (user.mustChangePassword) return json({ error: 'Сначала смените временный пароль.' }, { status: 403 })

  const limit = maxUploadBytes()
  const declaredLength = Number(request.headers.get('Content-Length') ?? NaN)
  if (Number.isFinite(declaredLength) && declaredLength > limit + ENVELOPE_BYTES) return tooLarge(limit)
  if (!(request.headers.get('Content-Type') ?? '').startsWith('multipart/form-data')) {
    return json({ error: 'Ожидается файл изображения (multipart/form-data, поле file).' }, { status: 400 })
  }

  let file: { filename: string | null; contentType: string; content: Buffer } | null = null
  const handler: UploadHandler = async ({ name, filename, contentType, data }) => {
    if (name === 'file' && typeof filename === 'string' && !file) {
      const chunks: Uint8Array[] = []
      let size = 0
      for await (const chunk of data) {
        size += chunk.byteLength
        if (size > limit) throw new MaxPartSizeExceededError(name, limit)
        chunks.push(chunk)
      }
      file = { filename, contentType, content: Buffer.concat(chunks) }
      return 'received'
    }
    let size = 0
    for await (const chunk of data) {
      size += chunk.byteLength
      if (size > MAX_OTHER_FIELD_BYTES) throw new MaxPartSizeExceededError(name, MAX_OTHER_FIELD_BYTES)
    }
    return undefined
  }
  try {
    await unstable_parseMultipartFormData(request, handler)
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) return tooLarge(limit)
    if (error instanceof TypeError) return json({ error: 'Не удалось прочитать загруженный файл: попробуйте ещё раз.' }, { status: 400 })
    throw error
  }
  const received = file as { filename: string | null; contentType: string; content: Buffer } | null
  if (!received) return json({ error: 'Файл не получен: выберите изображение ещё раз.' }, { status: 400 })
  const result = await storeUpload(user.id, { filename: received.filename, content: received.content, declaredType: received.contentType })
  if (result.status === 'error') return json({ error: result.message }, { status: result.httpStatus })
  return json(result.upload, { status: 201 })
}

export async function loader() {
  return json({ error: 'Загрузка изображений: только POST.' }, { status: 405, headers: { Allow: 'POST' } })
}

// Forms of the desk and the cabinet that may carry files (replies, new
// tickets): parsed in memory with limits; each file's type is sniffed from
// its bytes (the browser's word is not taken) and its name made safe.
import { MaxPartSizeExceededError, unstable_createMemoryUploadHandler, unstable_parseMultipartFormData } from '@remix-run/node'
import { effectiveContentType, sanitizeFilename } from '../../emails/inbound/attachments.ts'

export const MAX_FILES = 10
export const MAX_FILE_BYTES = 10 * 1024 * 1024
export const MAX_TOTAL_BYTES = 25 * 1024 * 1024

export interface UploadedFile {
  filename: string
  contentType: string
  content: Buffer
}

export type ParsedForm = { status: 'success'; form: FormData; files: UploadedFile[] } | { status: 'error'; message: string }

/** The form, and its `files` fields as buffers (multipart or not). */
export async function readFormWithFiles(request: Request, field = 'files'): Promise<ParsedForm> {
  const type = request.headers.get('Content-Type') ?? ''
  if (!type.startsWith('multipart/form-data')) return { status: 'success', form: await request.formData(), files: [] }
  let form: FormData
  try {
    form = await unstable_parseMultipartFormData(request, unstable_createMemoryUploadHandler({ maxPartSize: MAX_FILE_BYTES }))
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) return { status: 'error', message: `Файл больше ${MAX_FILE_BYTES / 1024 / 1024} МБ: уменьшите снимок или приложите архив меньшего размера.` }
    throw error
  }
  const parts = form.getAll(field).filter((v): v is File => typeof v === 'object' && v !== null && 'arrayBuffer' in v && v.size > 0)
  if (parts.length > MAX_FILES) return { status: 'error', message: `Не больше ${MAX_FILES} файлов в одном сообщении.` }
  const total = parts.reduce((sum, f) => sum + f.size, 0)
  if (total > MAX_TOTAL_BYTES) return { status: 'error', message: `Файлы вместе больше ${MAX_TOTAL_BYTES / 1024 / 1024} МБ.` }
  const files: UploadedFile[] = []
  for (const [i, part] of parts.entries()) {
    const content = Buffer.from(await part.arrayBuffer())
    const contentType = effectiveContentType(part.type, content)
    files.push({ filename: sanitizeFilename(part.name, contentType, i), contentType, content })
  }
  return { status: 'success', form, files }
}

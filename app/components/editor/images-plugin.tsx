// Images in the editor: the toolbar's file picker, pasted screenshots and
// dropped files all go through UPLOAD_IMAGES_COMMAND → POST /forum/uploads →
// an ImageNode. Before the first image of this editor a warning about
// personal data (152-ФЗ) must be confirmed; nothing is uploaded otherwise.
import { useCallback, useEffect, useRef, useState } from 'react'
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext'
import { mergeRegister } from '@lexical/utils'
import {
  $getRoot,
  $getSelection,
  $insertNodes,
  COMMAND_PRIORITY_HIGH,
  COMMAND_PRIORITY_EDITOR,
  createCommand,
  DRAGOVER_COMMAND,
  DROP_COMMAND,
  PASTE_COMMAND,
  type LexicalCommand,
} from 'lexical'
import { CONTENT_LIMITS } from '~/forum/content'
import { $createImageNode, ImageNode } from './nodes'

export const UPLOAD_IMAGES_COMMAND: LexicalCommand<File[]> = createCommand('UPLOAD_IMAGES_COMMAND')

const ACCEPTED_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp']
/** The server's default limit (FORUM_UPLOAD_MAX_BYTES); the server has the last word. */
const CLIENT_MAX_BYTES = 5 * 1024 * 1024
export const IMAGE_ACCEPT = ACCEPTED_TYPES.join(',')

interface UploadReply {
  id?: string
  url?: string
  width?: number
  height?: number
  error?: string
}

function imageFiles(list: FileList | null | undefined): File[] {
  return list ? Array.from(list).filter((f) => f.type.startsWith('image/')) : []
}

export function ImagesPlugin() {
  const [editor] = useLexicalComposerContext()
  const [pending, setPending] = useState<File[] | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const acknowledged = useRef(false)
  const confirmRef = useRef<HTMLButtonElement>(null)

  const upload = useCallback(
    async (files: File[]) => {
      setError(null)
      setBusy(true)
      try {
        for (const file of files) {
          const count = countImages(editor.getEditorState().toJSON())
          if (count >= CONTENT_LIMITS.maxImages) {
            setError(`В сообщении уже ${CONTENT_LIMITS.maxImages} изображений — больше нельзя.`)
            return
          }
          if (!ACCEPTED_TYPES.includes(file.type)) {
            setError(`«${file.name}»: можно вставлять только изображения PNG, JPEG, GIF или WebP.`)
            continue
          }
          if (file.size > CLIENT_MAX_BYTES) {
            setError(`«${file.name}» больше 5 МБ: уменьшите снимок и загрузите снова.`)
            continue
          }
          const form = new FormData()
          form.append('file', file, file.name || 'screenshot.png')
          let reply: UploadReply
          try {
            const response = await fetch('/forum/uploads', { method: 'POST', body: form, credentials: 'same-origin', headers: { Accept: 'application/json' } })
            reply = (await response.json().catch(() => ({ error: `Сервер ответил ошибкой ${response.status}.` }))) as UploadReply
            if (!response.ok && !reply.error) reply.error = `Сервер ответил ошибкой ${response.status}.`
          } catch {
            reply = { error: 'Нет связи с сервером: изображение не загружено. Попробуйте ещё раз.' }
          }
          if (reply.error || !reply.url) {
            setError(reply.error ?? 'Изображение не загружено.')
            continue
          }
          const { url, width, height } = reply
          editor.update(() => {
            if (!$getSelection()) $getRoot().selectEnd()
            $insertNodes([$createImageNode({ src: url, altText: file.name.replace(/\.[a-z0-9]{2,5}$/i, '').slice(0, 200), width: width ?? null, height: height ?? null })])
          })
        }
      } finally {
        setBusy(false)
      }
    },
    [editor],
  )

  const request = useCallback(
    (files: File[]) => {
      if (files.length === 0) return
      if (acknowledged.current) void upload(files)
      else setPending(files)
    },
    [upload],
  )

  useEffect(() => {
    if (!editor.hasNodes([ImageNode])) throw new Error('ImagesPlugin: ImageNode is not registered')
    return mergeRegister(
      editor.registerCommand(
        UPLOAD_IMAGES_COMMAND,
        (files) => {
          request(files)
          return true
        },
        COMMAND_PRIORITY_EDITOR,
      ),
      editor.registerCommand(
        PASTE_COMMAND,
        (event) => {
          const files = event instanceof ClipboardEvent ? imageFiles(event.clipboardData?.files) : []
          if (files.length === 0) return false
          event.preventDefault()
          request(files)
          return true
        },
        COMMAND_PRIORITY_HIGH,
      ),
      editor.registerCommand(
        DROP_COMMAND,
        (event) => {
          const files = imageFiles(event.dataTransfer?.files)
          if (files.length === 0) return false
          event.preventDefault()
          request(files)
          return true
        },
        COMMAND_PRIORITY_HIGH,
      ),
      editor.registerCommand(
        DRAGOVER_COMMAND,
        (event) => {
          if (!event.dataTransfer?.types.includes('Files')) return false
          event.preventDefault()
          return true
        },
        COMMAND_PRIORITY_HIGH,
      ),
    )
  }, [editor, request])

  useEffect(() => {
    if (pending) confirmRef.current?.focus()
  }, [pending])

  const confirm = () => {
    acknowledged.current = true
    const files = pending ?? []
    setPending(null)
    void upload(files)
  }
  const cancel = () => {
    setPending(null)
    editor.focus()
  }

  return (
    <>
      {busy ? (
        <p className="editor-status" role="status">
          Загрузка изображения…
        </p>
      ) : null}
      {error ? (
        <p className="editor-error" role="alert">
          {error}
        </p>
      ) : null}
      {pending ? (
        <div className="editor-dialog-backdrop">
          <div
            className="editor-dialog"
            role="alertdialog"
            aria-modal="true"
            aria-labelledby="editor-pd-title"
            aria-describedby="editor-pd-text"
            onKeyDown={(e) => {
              if (e.key === 'Escape') cancel()
            }}
          >
            <h2 id="editor-pd-title">Проверьте изображение перед публикацией</h2>
            <div id="editor-pd-text">
              <p>Сообщения форума видят все участники. На изображении не должно быть персональных данных обучающихся (152-ФЗ):</p>
              <ul>
                <li>фамилий и имён обучающихся;</li>
                <li>фотографий работ с подписанными фамилиями;</li>
                <li>списков кодов участников и их соответствия фамилиям.</li>
              </ul>
              <p>Закройте или обрежьте такие места до загрузки. Модераторы скрывают изображения с персональными данными.</p>
            </div>
            <div className="editor-dialog-actions">
              <button type="button" ref={confirmRef} className="button primary" onClick={confirm}>
                Понятно, на изображении нет персональных данных
              </button>
              <button type="button" className="button" onClick={cancel}>
                Отмена
              </button>
            </div>
          </div>
        </div>
      ) : null}
    </>
  )
}

function countImages(json: unknown): number {
  let n = 0
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return
    const record = node as { type?: unknown; children?: unknown }
    if (record.type === 'image') n++
    if (Array.isArray(record.children)) record.children.forEach(walk)
  }
  walk((json as { root?: unknown }).root)
  return n
}

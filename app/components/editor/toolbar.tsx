// The editor's toolbar: bold, italic, bulleted and numbered lists, quote,
// link (an inline form, checked with the server's rules) and image.
import { useCallback, useEffect, useRef, useState } from 'react'
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext'
import { $createLinkNode, $isLinkNode, $toggleLink } from '@lexical/link'
import { $isListNode, INSERT_ORDERED_LIST_COMMAND, INSERT_UNORDERED_LIST_COMMAND, REMOVE_LIST_COMMAND, ListNode } from '@lexical/list'
import { $createQuoteNode, $isQuoteNode } from '@lexical/rich-text'
import { $setBlocksType } from '@lexical/selection'
import { $findMatchingParent, $getNearestNodeOfType, mergeRegister } from '@lexical/utils'
import {
  $createParagraphNode,
  $createTextNode,
  $getRoot,
  $getSelection,
  $insertNodes,
  $isRangeSelection,
  $setSelection,
  FORMAT_TEXT_COMMAND,
  type BaseSelection,
} from 'lexical'
import { checkLinkUrl } from '~/forum/content'
import { IMAGE_ACCEPT, UPLOAD_IMAGES_COMMAND } from './images-plugin'

type BlockKind = 'paragraph' | 'bullet' | 'number' | 'quote'

interface ToolbarState {
  bold: boolean
  italic: boolean
  block: BlockKind
  linkUrl: string | null
}

const INITIAL: ToolbarState = { bold: false, italic: false, block: 'paragraph', linkUrl: null }

export function ToolbarPlugin({ disabled = false }: { disabled?: boolean }) {
  const [editor] = useLexicalComposerContext()
  const [state, setState] = useState<ToolbarState>(INITIAL)
  const [linkForm, setLinkForm] = useState<{ url: string; error: string | null } | null>(null)
  const savedSelection = useRef<BaseSelection | null>(null)
  const fileInput = useRef<HTMLInputElement>(null)
  const linkInput = useRef<HTMLInputElement>(null)

  const read = useCallback(() => {
    const selection = $getSelection()
    if (!$isRangeSelection(selection)) return
    const anchor = selection.anchor.getNode()
    const top = anchor.getKey() === 'root' ? anchor : anchor.getTopLevelElement()
    let block: BlockKind = 'paragraph'
    const list = $getNearestNodeOfType(anchor, ListNode)
    if (list) block = list.getListType() === 'number' ? 'number' : 'bullet'
    else if ($isQuoteNode(top)) block = 'quote'
    const link = $findMatchingParent(anchor, $isLinkNode)
    setState({ bold: selection.hasFormat('bold'), italic: selection.hasFormat('italic'), block, linkUrl: $isLinkNode(link) ? link.getURL() : null })
  }, [])

  useEffect(
    () =>
      mergeRegister(
        editor.registerUpdateListener(({ editorState }) => editorState.read(read)),
      ),
    [editor, read],
  )

  useEffect(() => {
    if (linkForm) linkInput.current?.focus()
  }, [linkForm !== null]) // eslint-disable-line react-hooks/exhaustive-deps

  const toggleList = (kind: 'bullet' | 'number') => {
    if (state.block === kind) editor.dispatchCommand(REMOVE_LIST_COMMAND, undefined)
    else editor.dispatchCommand(kind === 'bullet' ? INSERT_UNORDERED_LIST_COMMAND : INSERT_ORDERED_LIST_COMMAND, undefined)
    editor.focus()
  }

  const toggleQuote = () => {
    editor.update(() => {
      const selection = $getSelection()
      if (!$isRangeSelection(selection)) return
      if (state.block === 'quote') $setBlocksType(selection, () => $createParagraphNode())
      else {
        // A list item cannot become a quote directly: leave the list first.
        const anchor = selection.anchor.getNode()
        if ($isListNode($findMatchingParent(anchor, $isListNode))) return
        $setBlocksType(selection, () => $createQuoteNode())
      }
    })
    editor.focus()
  }

  const openLinkForm = () => {
    editor.getEditorState().read(() => {
      savedSelection.current = $getSelection()?.clone() ?? null
    })
    setLinkForm({ url: state.linkUrl ?? 'https://', error: null })
  }

  const applyLink = () => {
    if (!linkForm) return
    const checked = checkLinkUrl(linkForm.url.trim())
    if (checked.status === 'error') {
      setLinkForm({ ...linkForm, error: checked.message })
      return
    }
    const url = checked.url
    const inLink = state.linkUrl !== null
    editor.update(() => {
      // Focus moved to the address field; put the selection back where it was.
      if (savedSelection.current) $setSelection(savedSelection.current.clone())
      if (!$isRangeSelection($getSelection())) $getRoot().selectEnd()
      const selection = $getSelection()
      if ($isRangeSelection(selection) && selection.isCollapsed() && !inLink) {
        // No text selected: the address itself becomes the link's text.
        const link = $createLinkNode(url)
        link.append($createTextNode(url))
        $insertNodes([link])
      } else {
        $toggleLink(url)
      }
    })
    setLinkForm(null)
    editor.focus()
  }

  const removeLink = () => {
    editor.update(() => {
      if (savedSelection.current) $setSelection(savedSelection.current.clone())
      $toggleLink(null)
    })
    setLinkForm(null)
    editor.focus()
  }

  return (
    <div className="editor-toolbar-wrap">
      <div className="editor-toolbar" role="toolbar" aria-label="Оформление текста">
        <button
          type="button"
          className="editor-tool"
          aria-label="Жирный"
          title="Жирный (Ctrl+B)"
          aria-pressed={state.bold}
          disabled={disabled}
          onClick={() => editor.dispatchCommand(FORMAT_TEXT_COMMAND, 'bold')}
        >
          <b>Ж</b>
        </button>
        <button
          type="button"
          className="editor-tool"
          aria-label="Курсив"
          title="Курсив (Ctrl+I)"
          aria-pressed={state.italic}
          disabled={disabled}
          onClick={() => editor.dispatchCommand(FORMAT_TEXT_COMMAND, 'italic')}
        >
          <i>К</i>
        </button>
        <span className="editor-tool-sep" aria-hidden="true" />
        <button type="button" className="editor-tool" aria-label="Маркированный список" title="Маркированный список" aria-pressed={state.block === 'bullet'} disabled={disabled} onClick={() => toggleList('bullet')}>
          •≡
        </button>
        <button type="button" className="editor-tool" aria-label="Нумерованный список" title="Нумерованный список" aria-pressed={state.block === 'number'} disabled={disabled} onClick={() => toggleList('number')}>
          1.≡
        </button>
        <button type="button" className="editor-tool" aria-label="Цитата" title="Цитата" aria-pressed={state.block === 'quote'} disabled={disabled} onClick={toggleQuote}>
          «»
        </button>
        <span className="editor-tool-sep" aria-hidden="true" />
        <button type="button" className="editor-tool" aria-label="Ссылка" title="Ссылка" aria-pressed={state.linkUrl !== null} aria-expanded={linkForm !== null} disabled={disabled} onClick={openLinkForm}>
          <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
            <path d="M10 14a4 4 0 0 0 5.66 0l3-3a4 4 0 0 0-5.66-5.66l-1 1" />
            <path d="M14 10a4 4 0 0 0-5.66 0l-3 3a4 4 0 0 0 5.66 5.66l1-1" />
          </svg>
        </button>
        <button type="button" className="editor-tool" aria-label="Изображение" title="Изображение (можно также вставить снимок экрана: Ctrl+V)" disabled={disabled} onClick={() => fileInput.current?.click()}>
          <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round">
            <rect x="3" y="4" width="18" height="16" rx="2" />
            <circle cx="9" cy="10" r="2" />
            <path d="M21 17l-5-5-9 8" />
          </svg>
        </button>
        <input
          ref={fileInput}
          type="file"
          accept={IMAGE_ACCEPT}
          multiple
          hidden
          tabIndex={-1}
          aria-hidden="true"
          onChange={(event) => {
            const files = Array.from(event.currentTarget.files ?? [])
            event.currentTarget.value = ''
            if (files.length) editor.dispatchCommand(UPLOAD_IMAGES_COMMAND, files)
          }}
        />
      </div>
      {linkForm ? (
        <div className="editor-link-form">
          <label>
            <span className="visually-hidden">Адрес ссылки</span>
            <input
              ref={linkInput}
              type="url"
              inputMode="url"
              aria-label="Адрес ссылки"
              value={linkForm.url}
              onChange={(e) => setLinkForm({ url: e.currentTarget.value, error: null })}
              onKeyDown={(e) => {
                // Enter must not submit the surrounding post form.
                if (e.key === 'Enter') {
                  e.preventDefault()
                  applyLink()
                } else if (e.key === 'Escape') {
                  e.preventDefault()
                  setLinkForm(null)
                  editor.focus()
                }
              }}
              aria-invalid={linkForm.error ? true : undefined}
              aria-describedby={linkForm.error ? 'editor-link-error' : undefined}
            />
          </label>
          <button type="button" className="button small primary" onClick={applyLink}>
            Вставить ссылку
          </button>
          {state.linkUrl ? (
            <button type="button" className="button small" onClick={removeLink}>
              Убрать ссылку
            </button>
          ) : null}
          <button
            type="button"
            className="button small"
            onClick={() => {
              setLinkForm(null)
              editor.focus()
            }}
          >
            Отмена
          </button>
          {linkForm.error ? (
            <p id="editor-link-error" className="editor-error" role="alert">
              {linkForm.error}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  )
}

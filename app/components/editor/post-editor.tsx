// The forum's post editor (Lexical). It keeps a hidden <input name={name}>
// holding the editor state as JSON, so an ordinary Remix <Form> submits it;
// the server validates that JSON again (app/forum/content.server.ts) and
// trusts nothing in it. Lexical needs the DOM: the server renders a
// placeholder of the same size, and the editor mounts after hydration.
import { useEffect, useMemo, useRef, useState } from 'react'
import type { LinksFunction } from '@remix-run/node'
import { LexicalComposer, type InitialConfigType } from '@lexical/react/LexicalComposer'
import { useLexicalComposerContext } from '@lexical/react/LexicalComposerContext'
import { ContentEditable } from '@lexical/react/LexicalContentEditable'
import { LexicalErrorBoundary } from '@lexical/react/LexicalErrorBoundary'
import { HistoryPlugin } from '@lexical/react/LexicalHistoryPlugin'
import { LinkPlugin } from '@lexical/react/LexicalLinkPlugin'
import { ListPlugin } from '@lexical/react/LexicalListPlugin'
import { OnChangePlugin } from '@lexical/react/LexicalOnChangePlugin'
import { RichTextPlugin } from '@lexical/react/LexicalRichTextPlugin'
import { AutoFocusPlugin } from '@lexical/react/LexicalAutoFocusPlugin'
import { AutoLinkNode, LinkNode } from '@lexical/link'
import { ListItemNode, ListNode } from '@lexical/list'
import { QuoteNode } from '@lexical/rich-text'
import { $getRoot, type EditorState } from 'lexical'
import { checkLinkUrl, CONTENT_LIMITS, type LexicalEditorState } from '~/forum/content'
import editorStyles from './editor.css'
import { ImagesPlugin } from './images-plugin'
import { ImageNode, MentionNode } from './nodes'
import { ToolbarPlugin } from './toolbar'

export { quoteState, contentFromText } from '~/forum/content'

/** Add to the `links` of every route that shows the editor: `links = () => [...editorLinks(), …]`. */
export const editorLinks: LinksFunction = () => [{ rel: 'stylesheet', href: editorStyles }]

export interface PostEditorProps {
  /** Name of the hidden input carrying the JSON state (the form field). */
  name: string
  /** A state to start from (an edit, a quote): an object or its JSON. */
  initialState?: LexicalEditorState | string | null
  placeholder?: string
  /** Called with the plain text after every change (the caller debounces). */
  onPlainTextChange?: (text: string) => void
  autoFocus?: boolean
  /** Accessible name of the text area; «Текст сообщения» by default. */
  label?: string
  /** Marks the text area invalid (a server error for this field is shown next to it). */
  invalid?: boolean
  /** id of the element describing an error, for aria-describedby. */
  errorId?: string
}

const THEME = {
  paragraph: 'editor-p',
  quote: 'editor-quote',
  link: 'editor-link',
  image: 'editor-image-wrap',
  list: { ul: 'editor-ul', ol: 'editor-ol', listitem: 'editor-li', nested: { listitem: 'editor-nested-li' } },
  text: { bold: 'editor-bold', italic: 'editor-italic', underline: 'editor-underline', strikethrough: 'editor-strike', code: 'editor-code', underlineStrikethrough: 'editor-underline-strike' },
}

const NODES = [ListNode, ListItemNode, LinkNode, AutoLinkNode, QuoteNode, ImageNode, MentionNode]

function serialised(initial: PostEditorProps['initialState']): string {
  if (!initial) return ''
  return typeof initial === 'string' ? initial : JSON.stringify(initial)
}

const validateUrl = (url: string) => checkLinkUrl(url).status === 'success'

export function PostEditor(props: PostEditorProps) {
  const [mounted, setMounted] = useState(false)
  useEffect(() => setMounted(true), [])
  const initialJson = useMemo(() => serialised(props.initialState), [props.initialState])
  if (!mounted) {
    // Same frame as the editor, so the page does not jump when it mounts.
    return (
      <div className="post-editor is-loading">
        <div className="editor-toolbar" aria-hidden="true" />
        <div className="editor-input editor-input-placeholder" aria-hidden="true">
          {props.placeholder ?? 'Загрузка редактора…'}
        </div>
        <input type="hidden" name={props.name} value={initialJson} />
      </div>
    )
  }
  return <MountedEditor {...props} initialJson={initialJson} />
}

function MountedEditor({
  name,
  initialJson,
  placeholder,
  onPlainTextChange,
  autoFocus,
  label = 'Текст сообщения',
  invalid,
  errorId,
}: PostEditorProps & { initialJson: string }) {
  const [json, setJson] = useState(initialJson)
  const [length, setLength] = useState(0)
  const onText = useRef(onPlainTextChange)
  onText.current = onPlainTextChange

  const initialConfig: InitialConfigType = {
    namespace: 'oko-post',
    theme: THEME,
    nodes: NODES,
    editorState: initialJson || undefined,
    onError(error) {
      // Lexical reports broken states here; keep the page alive and the text as it was.
      console.warn('editor error', error)
    },
  }

  const onChange = (editorState: EditorState) => {
    setJson(JSON.stringify(editorState.toJSON()))
    const text = editorState.read(() => $getRoot().getTextContent())
    setLength(text.length)
    onText.current?.(text)
  }

  const nearLimit = length > CONTENT_LIMITS.maxTextChars * 0.9
  return (
    <LexicalComposer initialConfig={initialConfig}>
      <div className={`post-editor${invalid ? ' is-invalid' : ''}`}>
        <ToolbarPlugin />
        <div className="editor-area">
          <RichTextPlugin
            contentEditable={
              <ContentEditable
                className="editor-input"
                aria-label={label}
                aria-multiline="true"
                aria-invalid={invalid ? true : undefined}
                aria-describedby={errorId}
                {...(placeholder
                  ? { 'aria-placeholder': placeholder, placeholder: <div className="editor-placeholder">{placeholder}</div> }
                  : { placeholder: null })}
              />
            }
            ErrorBoundary={LexicalErrorBoundary}
          />
        </div>
        <HistoryPlugin />
        <ListPlugin />
        <LinkPlugin validateUrl={validateUrl} />
        <SafeLinksPlugin />
        <ImagesPlugin />
        <OnChangePlugin onChange={onChange} ignoreSelectionChange />
        {autoFocus ? <AutoFocusPlugin /> : null}
        {nearLimit ? (
          <p className={`editor-counter${length > CONTENT_LIMITS.maxTextChars ? ' over' : ''}`} aria-live="polite">
            {length.toLocaleString('ru-RU')} из {CONTENT_LIMITS.maxTextChars.toLocaleString('ru-RU')} символов
          </p>
        ) : null}
        <input type="hidden" name={name} value={json} />
      </div>
    </LexicalComposer>
  )
}

/**
 * Links pasted from elsewhere keep whatever address they had (Lexical turns
 * `javascript:` into about:blank). The server would refuse the post, so
 * links it would refuse are unwrapped to plain text as they appear.
 */
function SafeLinksPlugin() {
  const [editor] = useLexicalComposerContext()
  useEffect(() => {
    const unwrap = (node: LinkNode) => {
      if (checkLinkUrl(node.getURL()).status === 'success') return
      for (const child of node.getChildren()) node.insertBefore(child)
      node.remove()
    }
    const a = editor.registerNodeTransform(LinkNode, unwrap)
    const b = editor.registerNodeTransform(AutoLinkNode, unwrap)
    return () => {
      a()
      b()
    }
  }, [editor])
  return null
}

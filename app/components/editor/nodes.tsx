// The editor's two custom nodes. Their exportJSON is exactly what the
// server's schema (app/forum/content.ts) accepts: `image` with the src of
// one of our uploads, `mention` with a login.
import type { JSX } from 'react'
import {
  $applyNodeReplacement,
  DecoratorNode,
  TextNode,
  type EditorConfig,
  type LexicalNode,
  type NodeKey,
  type SerializedLexicalNode,
} from 'lexical'
import { mentionNode, type SerializedImageNode, type SerializedMentionNode } from '~/forum/content'

export class ImageNode extends DecoratorNode<JSX.Element> {
  __src: string
  __altText: string
  __width: number | null
  __height: number | null

  static getType(): string {
    return 'image'
  }

  static clone(node: ImageNode): ImageNode {
    return new ImageNode(node.__src, node.__altText, node.__width, node.__height, node.__key)
  }

  static importJSON(serialized: SerializedLexicalNode & Record<string, unknown>): ImageNode {
    const s = serialized as Partial<SerializedImageNode>
    return $createImageNode({
      src: String(s.src ?? ''),
      altText: String(s.altText ?? ''),
      width: typeof s.width === 'number' ? s.width : null,
      height: typeof s.height === 'number' ? s.height : null,
    })
  }

  constructor(src: string, altText: string, width: number | null, height: number | null, key?: NodeKey) {
    super(key)
    this.__src = src
    this.__altText = altText
    this.__width = width
    this.__height = height
  }

  exportJSON(): SerializedImageNode & SerializedLexicalNode {
    const self = this.getLatest()
    return { type: 'image', src: self.__src, altText: self.__altText, width: self.__width, height: self.__height, version: 1 }
  }

  createDOM(config: EditorConfig): HTMLElement {
    const span = document.createElement('span')
    const className = config.theme.image
    if (typeof className === 'string') span.className = className
    return span
  }

  updateDOM(): false {
    return false
  }

  isInline(): boolean {
    return true
  }

  getTextContent(): string {
    return ''
  }

  decorate(): JSX.Element {
    return (
      <img
        src={this.__src}
        alt={this.__altText}
        width={this.__width ?? undefined}
        height={this.__height ?? undefined}
        className="editor-image"
        draggable={false}
      />
    )
  }
}

export function $createImageNode(props: { src: string; altText: string; width: number | null; height: number | null }): ImageNode {
  return $applyNodeReplacement(new ImageNode(props.src, props.altText, props.width, props.height))
}

export function $isImageNode(node: LexicalNode | null | undefined): node is ImageNode {
  return node instanceof ImageNode
}

/** «@login»: one token, deleted and moved over as a whole. */
export class MentionNode extends TextNode {
  __login: string

  static getType(): string {
    return 'mention'
  }

  static clone(node: MentionNode): MentionNode {
    return new MentionNode(node.__login, node.__key)
  }

  static importJSON(serialized: SerializedLexicalNode & Record<string, unknown>): MentionNode {
    return $createMentionNode(String((serialized as Partial<SerializedMentionNode>).login ?? ''))
  }

  constructor(login: string, key?: NodeKey) {
    super(`@${login}`, key)
    this.__login = login
  }

  exportJSON(): SerializedMentionNode & SerializedLexicalNode {
    return mentionNode(this.getLatest().__login)
  }

  createDOM(config: EditorConfig): HTMLElement {
    const dom = super.createDOM(config)
    dom.className = 'mention'
    dom.dataset.login = this.__login
    return dom
  }

  isTextEntity(): true {
    return true
  }

  canInsertTextBefore(): boolean {
    return false
  }

  canInsertTextAfter(): boolean {
    return false
  }
}

export function $createMentionNode(login: string): MentionNode {
  const node = new MentionNode(login)
  node.setMode('token').toggleDirectionless()
  return $applyNodeReplacement(node)
}

export function $isMentionNode(node: LexicalNode | null | undefined): node is MentionNode {
  return node instanceof MentionNode
}

// The editor's JSON must be what the server accepts, and what the server
// stores must load back into the editor (editing, quoting): checked with a
// headless Lexical editor with the same nodes as PostEditor.
import { describe, expect, it } from 'vitest'
import { $createParagraphNode, $createTextNode, $getRoot, createEditor } from 'lexical'
import { $createLinkNode, AutoLinkNode, LinkNode } from '@lexical/link'
import { $createListItemNode, $createListNode, ListItemNode, ListNode } from '@lexical/list'
import { $createQuoteNode, QuoteNode } from '@lexical/rich-text'
import { checkEditorState, contentFromText, quoteState } from '~/forum/content'
import { renderContent } from '~/forum/content.server'
import { $createImageNode, $createMentionNode, ImageNode, MentionNode } from './nodes'

function headless() {
  return createEditor({
    namespace: 'test',
    nodes: [ListNode, ListItemNode, LinkNode, AutoLinkNode, QuoteNode, ImageNode, MentionNode],
    onError(error) {
      throw error
    },
  })
}

const SRC = '/forum/uploads/AAAAAAAAAAAAAAAAAAAAAA'

describe('editor nodes and the server schema', () => {
  it('exports every kind of content in a form the server accepts and renders', () => {
    const editor = headless()
    editor.update(
      () => {
        const p = $createParagraphNode()
        const bold = $createTextNode('жирный')
        bold.toggleFormat('bold')
        const link = $createLinkNode('https://fioko.ru/')
        link.append($createTextNode('ФИОКО'))
        p.append($createTextNode('Вопрос к '), $createMentionNode('fioko01'), $createTextNode(': '), bold, link, $createImageNode({ src: SRC, altText: 'критерий', width: 640, height: 480 }))
        const list = $createListNode('number')
        const item = $createListItemNode()
        item.append($createTextNode('пункт'))
        list.append(item)
        const quote = $createQuoteNode()
        quote.append($createTextNode('цитата'))
        $getRoot().append(p, list, quote)
      },
      { discrete: true },
    )
    const checked = checkEditorState(JSON.stringify(editor.getEditorState().toJSON()))
    if (checked.status !== 'success') throw new Error(checked.message)
    expect(checked.uploadIds).toEqual(['AAAAAAAAAAAAAAAAAAAAAA'])
    expect(checked.mentionLogins).toEqual(['fioko01'])
    expect(renderContent(checked.state)).toBe(
      '<p>Вопрос к <span class="mention" data-login="fioko01">@fioko01</span>: <strong>жирный</strong>' +
        '<a href="https://fioko.ru/" rel="nofollow noopener noreferrer" target="_blank">ФИОКО</a>' +
        `<img src="${SRC}" alt="критерий" width="640" height="480" loading="lazy" /></p>` +
        '<ol><li>пункт</li></ol><blockquote>цитата</blockquote>',
    )
  })

  it('loads what the server stores back into the editor unchanged', () => {
    const editor = headless()
    const withImage = contentFromText('Строка с @fioko01')
    withImage.root.children.push({ ...quoteState('Иванова И. И.', 'Да.').root.children[0] })
    withImage.root.children.push({
      type: 'paragraph', direction: null, format: '', indent: 0, version: 1, textFormat: 0, textStyle: '',
      children: [{ type: 'image', src: SRC, altText: 'снимок', width: 10, height: 20, version: 1 }],
    })
    for (const state of [contentFromText('одна\nдве'), quoteState('Автор', 'текст\nещё'), withImage]) {
      const stored = checkEditorState(state)
      if (stored.status !== 'success') throw new Error(stored.message)
      editor.setEditorState(editor.parseEditorState(JSON.stringify(stored.state)))
      const again = checkEditorState(editor.getEditorState().toJSON())
      if (again.status !== 'success') throw new Error(again.message)
      expect(again.state).toEqual(stored.state)
    }
  })
})

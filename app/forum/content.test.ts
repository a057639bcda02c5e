import crypto from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { prisma } from '~/utils/db.server'
import { createRegionTree, createUser } from '../../tests/setup/fixtures.ts'
import { checkEditorState, checkLinkUrl, CONTENT_LIMITS, quoteState, type LexicalEditorState } from './content'
import { contentFromText, prepareContent, renderContent, rerenderStoredContent } from './content.server'

let alice: { id: number; login: string }
let bob: { id: number; login: string }

beforeAll(async () => {
  const tree = await createRegionTree({ municipalities: 1, schoolsPer: 2, colleges: 0 })
  alice = await createUser({ orgId: tree.municipalities[0].schools[0].id })
  bob = await createUser({ orgId: tree.municipalities[0].schools[1].id })
})

async function upload(ownerId: number, opts: { redacted?: boolean } = {}) {
  const id = crypto.randomBytes(16).toString('base64url')
  await prisma.forumUpload.create({
    data: {
      id,
      ownerId,
      contentType: 'image/png',
      size: 10,
      width: 640,
      height: 480,
      sha256: 'x',
      content: Buffer.from('0123456789'),
      redactedAt: opts.redacted ? new Date() : null,
    },
  })
  return id
}

const text = (t: string, format = 0) => ({ type: 'text', text: t, format, detail: 0, mode: 'normal', style: '', version: 1 })
const para = (...children: unknown[]) => ({ type: 'paragraph', children, direction: null, format: '', indent: 0, version: 1 })
const state = (...children: unknown[]) => ({ root: { type: 'root', children, direction: null, format: '', indent: 0, version: 1 } })
const link = (url: string, label = 'ссылка') => ({ type: 'link', url, children: [text(label)], direction: null, format: '', indent: 0, version: 1 })
const image = (src: string, altText = 'снимок') => ({ type: 'image', src, altText, version: 1 })

async function ok(raw: unknown, ownerId = alice.id, allowUploadIds?: string[]) {
  const result = await prepareContent(raw, { ownerId, allowUploadIds })
  if (result.status !== 'success') throw new Error(`expected success, got: ${result.message}`)
  return result.value
}
async function refused(raw: unknown, ownerId = alice.id) {
  const result = await prepareContent(raw, { ownerId })
  if (result.status !== 'error') throw new Error(`expected an error, got HTML: ${result.value.html}`)
  return result.message
}

describe('hostile content', () => {
  it('keeps HTML typed as text as text, never as markup', async () => {
    const value = await ok(state(para(text('<script>alert(1)</script> и <img src=x onerror=alert(2)> & "кавычки"'))))
    expect(value.html).not.toContain('<script')
    expect(value.html).not.toContain('<img')
    expect(value.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(value.html).toContain('&lt;img src=x onerror=alert(2)&gt;')
    expect(value.text).toBe('<script>alert(1)</script> и <img src=x onerror=alert(2)> & "кавычки"')
  })

  it('ignores html, style and event fields smuggled into nodes', async () => {
    const forged = { ...text('жирный', 1), style: 'background:url(javascript:alert(1))', html: '<script>x</script>', onclick: 'alert(1)' }
    const value = await ok(state({ ...para(forged), className: 'x" onmouseover="alert(1)' }))
    expect(value.html).toBe('<p><strong>жирный</strong></p>')
    expect(JSON.stringify(value.content)).not.toMatch(/script|onclick|javascript|onmouseover/)
  })

  it('refuses a forged node type with its name in the message', async () => {
    const message = await refused(state(para(text('а')), { type: 'html', html: '<script>alert(1)</script>', version: 1 }))
    expect(message).toMatch(/^Недопустимый элемент в тексте: «html»/)
    expect(await refused(state(para({ type: 'iframe', src: 'https://evil.example' })))).toMatch(/Недопустимый элемент в тексте: «iframe»/)
    expect(await refused(state(para(text('а')), { type: 'code', children: [text('x')] }))).toMatch(/Недопустимый элемент/)
  })

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    ' javascript:alert(1)',
    '\u0000javascript:alert(1)',
    'javascript\u200b:alert(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    '//evil.example/x',
    '/cabinet/admin',
    'https:evil.example',
    'https://fioko.ru@evil.example/',
    'about:blank',
  ])('refuses the link %j', async (url) => {
    const message = await refused(state(para(link(url))))
    expect(message).toMatch(/[а-я]/i)
    expect(checkLinkUrl(url).status).toBe('error')
  })

  it('keeps http, https and mailto links with rel and target set by us', async () => {
    const value = await ok(state(para(link('https://fioko.ru/vpr?x=1&y=2', 'ФИОКО'), text(' и '), link('mailto:support@fioko.ru', 'почта'))))
    expect(value.html).toBe(
      '<p><a href="https://fioko.ru/vpr?x=1&amp;y=2" rel="nofollow noopener noreferrer" target="_blank">ФИОКО</a> и <a href="mailto:support@fioko.ru" rel="nofollow noopener noreferrer">почта</a></p>',
    )
    const auto = await ok(state(para({ ...link('http://example.ru'), type: 'autolink', isUnlinked: false })))
    expect(auto.html).toContain('href="http://example.ru/"')
  })
})

describe('images', () => {
  it('shows the author\'s own upload with its real size', async () => {
    const id = await upload(alice.id)
    const value = await ok(state(para(text('Вот критерий:'), image(`/forum/uploads/${id}`, 'Критерий "К2"'))))
    expect(value.html).toBe(`<p>Вот критерий:<img src="/forum/uploads/${id}" alt="Критерий &quot;К2&quot;" width="640" height="480" loading="lazy" /></p>`)
    expect(value.uploadIds).toEqual([id])
  })

  it('refuses another user\'s upload unless the post already had it', async () => {
    const id = await upload(bob.id)
    expect(await refused(state(para(image(`/forum/uploads/${id}`))))).toMatch(/только изображения, загруженные вами/)
    const edited = await ok(state(para(image(`/forum/uploads/${id}`))), alice.id, [id])
    expect(edited.uploadIds).toEqual([id])
  })

  it('refuses images from another host, data URLs and unknown ids', async () => {
    expect(await refused(state(para(image('https://evil.example/forum/uploads/AAAAAAAAAAAAAAAAAAAAAA'))))).toMatch(/не с нашего сервера/)
    expect(await refused(state(para(image('//evil.example/forum/uploads/AAAAAAAAAAAAAAAAAAAAAA'))))).toMatch(/не с нашего сервера/)
    expect(await refused(state(para(image('data:image/png;base64,iVBORw0KGgo='))))).toMatch(/не с нашего сервера/)
    expect(await refused(state(para(image('/forum/uploads/../../cabinet'))))).toMatch(/не с нашего сервера/)
    expect(await refused(state(para(image('/forum/uploads/AAAAAAAAAAAAAAAAAAAAAA'))))).toMatch(/не найдено/)
  })

  it('refuses a redacted upload in a new post, and shows it as a placeholder when the post already had it', async () => {
    const id = await upload(alice.id, { redacted: true })
    expect(await refused(state(para(image(`/forum/uploads/${id}`))))).toMatch(/скрыто модератором/)
    const kept = await ok(state(para(text('было'), image(`/forum/uploads/${id}`))), alice.id, [id])
    expect(kept.html).toBe('<p>было<span class="image-redacted">Изображение скрыто модератором</span></p>')
  })

  it('re-renders a stored post with a redacted image as the placeholder', async () => {
    const id = await upload(alice.id)
    const value = await ok(state(para(image(`/forum/uploads/${id}`))))
    expect(value.html).toContain('<img')
    await prisma.forumUpload.update({ where: { id }, data: { redactedAt: new Date(), content: Buffer.alloc(0) } })
    const html = await rerenderStoredContent(value.content)
    expect(html).not.toContain('<img')
    expect(html).toContain('Изображение скрыто модератором')
    expect(renderContent(value.content as unknown as LexicalEditorState, { redactedUploadIds: [id] })).toBe(html)
  })

  it(`allows at most ${CONTENT_LIMITS.maxImages} images`, async () => {
    const ids = await Promise.all(Array.from({ length: CONTENT_LIMITS.maxImages + 1 }, () => upload(alice.id)))
    expect(await refused(state(para(...ids.map((id) => image(`/forum/uploads/${id}`)))))).toMatch(/больше 20 изображений/)
    const value = await ok(state(para(...ids.slice(0, 20).map((id) => image(`/forum/uploads/${id}`)))))
    expect(value.uploadIds).toHaveLength(20)
  })
})

describe('limits and structure', () => {
  it('refuses an empty post', async () => {
    expect(await refused(state(para()))).toBe('Напишите текст сообщения.')
    expect(await refused(state(para(text('   \n  '))))).toBe('Напишите текст сообщения.')
    expect(await refused('')).toBe('Напишите текст сообщения.')
  })

  it('drops blank paragraphs at the start and the end, keeps those between', async () => {
    const value = await ok(state(para(), para(text('  ')), para(text('один')), para(), para(text('два')), para(), para({ type: 'linebreak' })))
    expect(value.html).toBe('<p>один</p><p><br /></p><p>два</p>')
    expect((value.content as { root: { children: unknown[] } }).root.children).toHaveLength(3)
  })

  it('refuses broken JSON and shapes that are not a state', async () => {
    expect(await refused('{"root":')).toMatch(/повреждён/)
    expect(await refused({ root: { type: 'paragraph', children: [] } })).toMatch(/повреждён/)
    expect(await refused(state(para({ type: 'text' })))).toMatch(/повреждён/)
    expect(await refused(state({ type: 'list', listType: 'check', children: [] }))).toMatch(/маркированный или нумерованный/)
  })

  it('refuses text longer than the limit and JSON larger than 200 KB', async () => {
    expect(await refused(state(para(text('я'.repeat(CONTENT_LIMITS.maxTextChars + 1)))))).toMatch(/длиннее 20\s000 символов/)
    expect((await ok(state(para(text('я'.repeat(CONTENT_LIMITS.maxTextChars)))))).text).toHaveLength(CONTENT_LIMITS.maxTextChars)
    const bulky = state(...Array.from({ length: 3000 }, () => para(text('а'))))
    expect(await refused(JSON.stringify(bulky))).toMatch(/слишком большое/)
  })

  it('refuses nesting deeper than 12 levels', async () => {
    const nested = (levels: number): unknown =>
      levels === 0 ? text('дно') : { type: 'list', listType: 'bullet', children: [{ type: 'listitem', children: [nested(levels - 1)] }] }
    // root (1) + 5 × (list, item) = 11, + text = 12
    expect((await ok(state(nested(5)))).text).toBe('дно')
    expect(await refused(state(nested(6)))).toMatch(/вложенность/)
    expect(await refused(state(nested(5000)))).toMatch(/вложенность|слишком/)
  })

  it('renders formats, lists and quotes; drops format bits we do not honour', async () => {
    const value = await ok(
      state(
        para(text('Ж', 1), text('К', 2), text('Ч', 8), text('З', 4), text('код', 16), text('всё', 1 | 2 | 128 | 2048)),
        { type: 'list', listType: 'number', start: 1, children: [{ type: 'listitem', children: [text('первый')] }, { type: 'listitem', children: [text('второй')] }] },
        { type: 'list', listType: 'bullet', children: [{ type: 'listitem', children: [text('пункт')] }] },
        { type: 'quote', children: [text('цитата'), { type: 'linebreak' }, text('строка')] },
      ),
    )
    expect(value.html).toBe(
      '<p><strong>Ж</strong><em>К</em><u>Ч</u><s>З</s><code>код</code><strong><em>всё</em></strong></p>' +
        '<ol><li>первый</li><li>второй</li></ol><ul><li>пункт</li></ul><blockquote>цитата<br />строка</blockquote>',
    )
    expect(value.text).toBe('ЖКЧЗкодвсё\nпервый\nвторой\nпункт\nцитата\nстрока')
  })

  it("keeps Lexical's tab nodes as tab characters", async () => {
    const value = await ok(state(para(text('К1'), { type: 'tab', detail: 2, format: 0, mode: 'normal', style: '', text: '\t', version: 1 }, text('2 балла'))))
    expect(value.text).toBe('К1\t2 балла')
  })

  it('strips NUL and control characters that PostgreSQL or readers choke on', async () => {
    const value = await ok(state(para(text('а\u0000б\u0007в\tг'))))
    expect(value.text).toBe('абв\tг')
  })
})

describe('mentions and plain text', () => {
  it('keeps mentions of existing logins only, from mention nodes and from typed @login', async () => {
    const value = await ok(
      state(
        para(text(`Вопрос к @${bob.login}, `), { type: 'mention', login: alice.login, version: 1 }, text(' и @nobody_here.')),
        para(text(`в коде @${bob.login} не считается`, 16)),
        para(link('https://fioko.ru', `@${alice.login}`)),
      ),
    )
    expect(value.mentions.sort()).toEqual([alice.login, bob.login].sort())
    expect(value.html).toContain(`<span class="mention" data-login="${bob.login}">@${bob.login}</span>`)
    expect(value.html).toContain('@nobody_here.')
    expect(value.html).not.toContain('data-login="nobody_here"')
    expect(value.text.split('\n')[0]).toBe(`Вопрос к @${bob.login}, @${alice.login} и @nobody_here.`)
    const mentionNodes = JSON.stringify(value.content).match(/"type":"mention"/g) ?? []
    expect(mentionNodes).toHaveLength(2)
  })

  it('turns an unknown mention node into plain text', async () => {
    const value = await ok(state(para({ type: 'mention', login: 'ghost01' })))
    expect(value.mentions).toEqual([])
    expect(value.html).toBe('<p>@ghost01</p>')
  })

  it('contentFromText makes one paragraph per line and round-trips through prepareContent', async () => {
    const built = contentFromText(`Первая строка\n\nТретья, для @${bob.login}`)
    expect(built.root.children).toHaveLength(3)
    const value = await ok(built)
    expect(value.text).toBe(`Первая строка\n\nТретья, для @${bob.login}`)
    expect(value.mentions).toEqual([bob.login])
    expect(value.html).toBe(`<p>Первая строка</p><p><br /></p><p>Третья, для <span class="mention" data-login="${bob.login}">@${bob.login}</span></p>`)
  })

  it('quoteState builds a quote the validator accepts', async () => {
    const quoted = quoteState('Иванова И. И.', 'Ответ принимается.\nЕдиницы не обязательны.')
    expect(checkEditorState(quoted).status).toBe('success')
    const value = await ok({ root: { ...quoted.root, children: [...quoted.root.children, para(text('Спасибо!'))] } })
    expect(value.html).toBe('<blockquote><strong>Иванова И. И.:</strong><br />Ответ принимается.<br />Единицы не обязательны.</blockquote><p><br /></p><p>Спасибо!</p>')
    expect(value.text).toBe('Иванова И. И.:\nОтвет принимается.\nЕдиницы не обязательны.\n\nСпасибо!')
  })

  it('accepts the JSON Lexical itself produces', async () => {
    const lexical = JSON.stringify({
      root: {
        children: [
          {
            children: [
              { detail: 0, format: 1, mode: 'normal', style: '', text: 'Hi', type: 'text', version: 1 },
              { type: 'linebreak', version: 1 },
              { children: [{ detail: 0, format: 0, mode: 'normal', style: '', text: 'link', type: 'text', version: 1 }], rel: null, target: null, title: null, url: 'https://x.ru', direction: null, format: '', indent: 0, type: 'link', version: 1 },
            ],
            direction: null, format: '', indent: 0, textFormat: 1, textStyle: '', type: 'paragraph', version: 1,
          },
          {
            children: [{ children: [{ detail: 0, format: 0, mode: 'normal', style: '', text: 'one', type: 'text', version: 1 }], indent: 0, value: 1, direction: null, format: '', type: 'listitem', version: 1 }],
            listType: 'number', start: 1, tag: 'ol', direction: null, format: '', indent: 0, type: 'list', version: 1,
          },
        ],
        direction: null, format: '', indent: 0, type: 'root', version: 1,
      },
    })
    const value = await ok(lexical)
    expect(value.html).toBe('<p><strong>Hi</strong><br /><a href="https://x.ru/" rel="nofollow noopener noreferrer" target="_blank">link</a></p><ol><li>one</li></ol>')
    expect(value.text).toBe('Hi\nlink\none')
  })
})

import { describe, expect, it } from 'vitest'
import { stripQuotes } from './quotes.ts'

const ANSWER = 'Форма так и не загрузилась, ошибка та же.'

describe('stripQuotes removes the quoted history of', () => {
  it.each([
    ['Outlook, English', `${ANSWER}\n\n-----Original Message-----\nFrom: Support\nSent: Thursday\nTo: me\nSubject: x\n\nold text`],
    ['Outlook, Russian', `${ANSWER}\n\n-----Исходное сообщение-----\nОт: Поддержка\nОтправлено: 26 ноября\nКому: мне\nТема: x\n\nold text`],
    ['Outlook header block', `${ANSWER}\n\n________________________________\nОт: Поддержка <support@oko.example>\nОтправлено: 26 ноября 2026 г. 10:15\nКому: school@example.ru\nТема: RE: x\n\nold text`],
    ['Outlook header block in bold (from HTML)', `${ANSWER}\n\n*From:* Support <support@oko.example>\n*Sent:* Thursday, November 26, 2026 10:15 AM\n*To:* me\n*Subject:* x\n\nold text`],
    ['Thunderbird', `${ANSWER}\n\n26.11.2026 10:15, Техподдержка ФИС ОКО пишет:\n> old text\n> more`],
    ['написал(а)', `${ANSWER}\n\n26 ноября 2026 г., в 10:15, Иван Иванов <ivan@example.ru> написал(а):\n> old text`],
    ['Gmail, English, wrapped', `${ANSWER}\n\nOn Thu, Nov 26, 2026 at 10:15 AM Ivan Ivanov <\nivan@example.ru> wrote:\n\n> old text`],
    ['Gmail, Russian', `${ANSWER}\n\nчт, 26 нояб. 2026 г. в 10:15, Техподдержка <support@oko.example>:\n\n> old text`],
    ['Yandex', `${ANSWER}\n\n26.11.2026, 10:15, "Иван" <ivan@yandex.ru>:\n> old text`],
    ['Mail.ru', `${ANSWER}\n\nЧетверг, 26 ноября 2026, 10:15 +03:00 от Иван Иванов <ivan@mail.ru>:\n> old text`],
    ['bare ">" lines', `${ANSWER}\n\n> old text\n> more old text`],
  ])('%s', (_name, text) => {
    const { shown, quoted } = stripQuotes(text)
    expect(shown).toBe(ANSWER)
    expect(quoted).toContain('old text')
  })
})

describe('stripQuotes keeps', () => {
  it('an answer written below the quote (bottom posting)', () => {
    const { shown, quoted } = stripQuotes(`26.11.2026 10:15, Поддержка пишет:\n> Какой у вас логин?\n\nЛогин edu290001, ${ANSWER}`)
    expect(shown).toBe(`Логин edu290001, ${ANSWER}`)
    expect(quoted).toContain('Какой у вас логин?')
  })

  it('answers between quoted lines', () => {
    const { shown } = stripQuotes('> Какой предмет?\nМатематика\n> Какой класс?\n4 класс')
    expect(shown).toBe('Математика\n4 класс')
  })

  it('a forwarded letter, which is content rather than history', () => {
    const text = `Пересылаю письмо школы.\n\n-------- Пересылаемое сообщение --------\nОт: Школа № 3 <s3@example.ru>\nДата: 25.11.2026\nТема: Ошибка\nКому: uo@example.ru\n\nНе можем войти в кабинет.`
    expect(stripQuotes(text).shown).toContain('Не можем войти в кабинет.')
  })

  it('the whole text when everything looks quoted: never an empty shown text', () => {
    const text = '> only a quote\n> and nothing else'
    expect(stripQuotes(text)).toEqual({ shown: text, quoted: null, signature: null })
  })

  it('a line that merely mentions a writer', () => {
    const text = 'Учитель пишет: в задании 5 два верных ответа?'
    expect(stripQuotes(text).shown).toBe(text)
  })

  it('the text of an empty letter as empty', () => {
    expect(stripQuotes('').shown).toBe('')
  })
})

describe('stripQuotes separates the signature', () => {
  it('after the "-- " delimiter', () => {
    expect(stripQuotes(`${ANSWER}\n\n-- \nИванов И. И.\nтел. 8 800 000-00-00`)).toEqual({ shown: ANSWER, quoted: null, signature: 'Иванов И. И.\nтел. 8 800 000-00-00' })
  })

  it.each(['Отправлено с iPhone', 'Отправлено из мобильной Почты Mail.ru', 'Sent from my iPhone', 'Get Outlook for Android', 'Отправлено из приложения Яндекс Почта'])(
    'a client footer «%s»',
    (footer) => {
      const { shown, signature } = stripQuotes(`${ANSWER}\n\n${footer}`)
      expect(shown).toBe(ANSWER)
      expect(signature).toBe(footer)
    },
  )

  it('a sign-off block near the end, kept apart (the rules still read it)', () => {
    const { shown, signature } = stripQuotes(`${ANSWER}\n\nС уважением,\nПетрова А. С.\nМБОУ «Гимназия № 4», edu290004`)
    expect(shown).toBe(ANSWER)
    expect(signature).toBe('С уважением,\nПетрова А. С.\nМБОУ «Гимназия № 4», edu290004')
  })

  it('but not a sign-off far from the end', () => {
    const body = Array.from({ length: 10 }, (_, i) => `Строка ${i + 1} описания проблемы.`).join('\n')
    const text = `С уважением к вашему труду, пишем снова.\n${body}`
    expect(stripQuotes(text).shown).toBe(text)
  })

  it('before the quote, not after it', () => {
    const { shown, quoted, signature } = stripQuotes(`${ANSWER}\n\nОтправлено с iPhone\n\n26.11.2026, 10:15, "Поддержка" <support@oko.example>:\n> old`)
    expect(shown).toBe(ANSWER)
    expect(signature).toBe('Отправлено с iPhone')
    expect(quoted).toContain('> old')
  })
})

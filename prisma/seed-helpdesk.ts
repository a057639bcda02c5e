// Demo tickets for the support desk, so that it is not empty on first start:
// letters from edu290001 (a school of г. Архангельск) and reg29_m001 (its
// МОУО) about uploads, reports and materials — one waiting for data, one
// overdue, one answered and waiting for the school, one resolved (ready to
// become an answer for the bank), one in work with an internal note — and
// a few canned replies. Verdicts are the real rules' (app/helpdesk/rules.ts).
//
// Run after seedDemo (it needs the demo organisations and support01):
//   await seedHelpdeskDemo(prisma)
// Does nothing when tickets already exist.
import { createHash } from 'node:crypto'
import { deflateSync } from 'node:zlib'
import type { PrismaClient } from '../app/generated/prisma/client.ts'
import type { IntakeChannel, TicketPriority, TicketState } from '../app/generated/prisma/enums.ts'
import { judge, type IntakeVerdict } from '../app/helpdesk/rules.ts'
import { initialSla, slaOnStateChange } from '../app/helpdesk/sla.ts'

const HOUR = 60 * 60_000
const MAIL_DOMAIN = 'oko-support.local'

// --- A screenshot-like PNG (an error dialog on a grey page), made here so the seed needs no files.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf: Buffer) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

export function demoScreenshot(width = 480, height = 270): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0
    for (let x = 0; x < width; x++) {
      const dialog = x > width * 0.25 && x < width * 0.75 && y > height * 0.3 && y < height * 0.7
      const title = dialog && y < height * 0.38
      const header = y < 28
      const [r, g, b] = title ? [207, 34, 46] : dialog ? [255, 255, 255] : header ? [9, 105, 218] : [238, 241, 244]
      const i = y * (width * 3 + 1) + 1 + x * 3
      raw[i] = r
      raw[i + 1] = g
      raw[i + 2] = b
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // truecolour
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

// --- The tickets -----------------------------------------------------------

interface DemoMessage {
  kind: 'INBOUND' | 'OUTBOUND' | 'NOTE'
  afterHours: number
  text: string
  automatic?: boolean
  screenshot?: string
}

interface DemoTicket {
  key: string
  subject: string
  study: string | null
  channel: IntakeChannel
  /** Organisation login the letter is about (null: a stranger). */
  org: string | null
  /** The cabinet account that filed it, if any. */
  requesterLogin?: string
  requesterEmail: string
  requesterName: string
  priority?: TicketPriority
  state: TicketState
  ageHours: number
  assigned?: boolean
  firstResponseAfterHours?: number
  resolvedAfterHours?: number
  tags?: string[]
  messages: DemoMessage[]
}

const TICKETS: DemoTicket[] = [
  {
    key: 'upload-waiting',
    subject: 'Не загружается форма сбора результатов ВПР',
    study: 'ВПР',
    channel: 'smtp',
    org: 'edu290001',
    requesterEmail: 'sosh1.arkhangelsk@example.ru',
    requesterName: 'Координатор СШ № 1',
    state: 'WAITING_INFO',
    ageHours: 5,
    tags: ['загрузка'],
    messages: [
      {
        kind: 'INBOUND',
        afterHours: 0,
        text: 'Здравствуйте!\nЛогин edu290001, МБОУ «Средняя школа № 1» г. Архангельск.\nПри загрузке формы сбора результатов ВПР по математике в 5 классе в разделе «Обмен данными» выдаёт ошибку «Файл не соответствует шаблону». Форму заполняли в Excel, сохраняли в xlsx, столбцы не меняли.\nС уважением, координатор',
      },
      {
        kind: 'OUTBOUND',
        afterHours: 0.01,
        automatic: true,
        text: 'Здравствуйте!\nВаше обращение зарегистрировано, но чтобы мы могли помочь, укажите: снимок экрана.\nПриложите снимок экрана с ошибкой: весь экран, чтобы были видны адресная строка, раздел кабинета и текст сообщения. Закройте на снимке фамилии учеников и коды участников (152-ФЗ).\nОтветьте на это письмо, не меняя тему.',
      },
    ],
  },
  {
    key: 'report-overdue',
    subject: 'Отчёт «Статистика по отметкам» не показывает школы округа',
    study: 'ВПР',
    channel: 'smtp',
    org: 'reg29_m001',
    requesterEmail: 'ocenka.uo@example.ru',
    requesterName: 'Отдел оценки качества образования',
    priority: 'HIGH',
    state: 'NEW',
    ageHours: 30,
    tags: ['отчёты'],
    messages: [
      {
        kind: 'INBOUND',
        afterHours: 0,
        screenshot: 'otchet-statistika.png',
        text: 'Добрый день.\nЛогин reg29_m001, Управление образования: г. Архангельск.\nВ разделе «Аналитика» заказали отчёт «Статистика по отметкам» по ВПР, русский язык, 4 класс, 2026 год. Отчёт сформировался, но в нём только строка «Вся выборка» и строка муниципалитета, школ округа нет, хотя все 52 школы загрузили формы. Вчера тот же отчёт по математике показывал школы. Снимок экрана во вложении.\nСпециалист отдела оценки качества',
      },
    ],
  },
  {
    key: 'niko-materials',
    subject: 'Нет материалов в публикации НИКО',
    study: 'НИКО',
    channel: 'web',
    org: 'edu290001',
    requesterLogin: 'edu290001',
    requesterEmail: 'edu290001@cabinet.invalid',
    requesterName: 'Координатор: Средняя школа № 1',
    state: 'WAITING_REQUESTER',
    ageHours: 26,
    assigned: true,
    firstResponseAfterHours: 3,
    messages: [
      {
        kind: 'INBOUND',
        afterHours: 0,
        text: 'Здравствуйте, логин edu290001, МБОУ «Средняя школа № 1» г. Архангельск. Не можем найти в публикации НИКО архив с материалами для проведения исследования по физической культуре в 7 классе: в разделе «Обмен данными» во вкладке НИКО публикация есть, а материалов к ней нет. Подскажите, когда они появятся?',
      },
      {
        kind: 'OUTBOUND',
        afterHours: 3,
        text: 'Здравствуйте!\nМатериалы НИКО публикуются в день проведения исследования, в 08:00 по местному времени. Обновите страницу публикации в этот день; архив появится в блоке «Материалы». Если в день проведения архива не будет, ответьте на это сообщение.',
      },
    ],
  },
  {
    key: 'replace-file-resolved',
    subject: 'Как заменить загруженный файл с результатами',
    study: 'ВПР',
    channel: 'imap',
    org: 'edu290001',
    requesterEmail: 'sosh1.arkhangelsk@example.ru',
    requesterName: 'Координатор СШ № 1',
    state: 'RESOLVED',
    ageHours: 72,
    assigned: true,
    firstResponseAfterHours: 2,
    resolvedAfterHours: 20,
    tags: ['загрузка'],
    messages: [
      {
        kind: 'INBOUND',
        afterHours: 0,
        screenshot: 'zagruzhennyj-fajl.png',
        text: 'Здравствуйте! Логин edu290001, МБОУ «Средняя школа № 1» г. Архангельск. Загрузили форму сбора результатов ВПР по русскому языку, 6 класс, потом нашли неточность в баллах двух участников. Как заменить уже загруженный файл в разделе «Обмен данными», чтобы результаты пересчитались? Снимок экрана приложили.\nС уважением,\nИванова Мария Петровна, +7 (8182) 20-11-33',
      },
      {
        kind: 'OUTBOUND',
        afterHours: 2,
        text: 'Здравствуйте, Мария Петровна!\nОткройте публикацию в разделе «Обмен данными», в строке загруженного файла нажмите «Заменить файл» и выберите исправленную форму. Прежняя версия сохранится в истории, результаты пересчитаются в течение часа. Заменять файл можно до окончания срока загрузки.',
      },
      { kind: 'INBOUND', afterHours: 19, text: 'Спасибо, заменили, всё пересчиталось.' },
    ],
  },
  {
    key: 'spo-credentials',
    subject: 'ВПР СПО: доступы для колледжей',
    study: 'ВПР СПО',
    channel: 'smtp',
    org: 'reg29_m001',
    requesterEmail: 'ocenka.uo@example.ru',
    requesterName: 'Отдел оценки качества образования',
    state: 'OPEN',
    ageHours: 4,
    assigned: true,
    firstResponseAfterHours: 1,
    messages: [
      {
        kind: 'INBOUND',
        afterHours: 0,
        text: 'Логин reg29_m001, Управление образования: г. Архангельск. Колледжи, подведомственные региону, просят у нас доступы к ВПР СПО. Подскажите, кто должен дать им учётные данные и где в кабинете их посмотреть: у нас в разделе «Организации» колледжей нет.',
      },
      {
        kind: 'OUTBOUND',
        afterHours: 1,
        text: 'Здравствуйте!\nКолледжи подведомственны региону, поэтому доступы им выдаёт региональный координатор (reg290000), а не МОУО. Уточняем у регионального координатора сроки выдачи и ответим дополнительно.',
      },
      { kind: 'NOTE', afterHours: 1.1, text: 'Написал региональному координатору reg290000, жду ответа до конца дня.' },
    ],
  },
  {
    key: 'stranger-waiting',
    subject: 'не работает',
    study: null,
    channel: 'smtp',
    org: null,
    requesterEmail: 'ivanova.school@example.ru',
    requesterName: 'Иванова',
    state: 'WAITING_INFO',
    ageHours: 50,
    messages: [
      { kind: 'INBOUND', afterHours: 0, text: 'Здравствуйте, у нас не работает, помогите срочно!' },
      {
        kind: 'OUTBOUND',
        afterHours: 0.01,
        automatic: true,
        text: 'Здравствуйте!\nВаше обращение зарегистрировано, но чтобы мы могли помочь, укажите: логин организации, название организации, подробное описание проблемы.\nОтветьте на это письмо, не меняя тему.',
      },
    ],
  },
]

const CANNED = [
  {
    title: 'Запрос логина и названия организации',
    study: null,
    body: 'Здравствуйте, {{requester}}!\nЧтобы мы могли помочь по обращению {{ticket}}, укажите логин вашей организации в ФИС ОКО (например, edu293379) и её полное название. Ответьте на это письмо, не меняя тему.\n\n{{agent}}, техподдержка ФИС ОКО',
  },
  {
    title: 'Замена загруженной формы',
    study: 'ВПР',
    body: 'Здравствуйте, {{requester}}!\nОткройте публикацию в разделе «Обмен данными», в строке загруженного файла нажмите «Заменить файл» и выберите исправленную форму. Прежняя версия сохранится в истории. Заменять файл можно до окончания срока загрузки.\n\n{{agent}}, техподдержка ФИС ОКО',
  },
  {
    title: 'Отчёт формируется после загрузки всех форм',
    study: 'ВПР',
    body: 'Здравствуйте, {{requester}}!\nОтчёты в разделе «Аналитика» для {{org}} ({{login}}) строятся по формам, загруженным на момент заказа. Закажите отчёт ещё раз через час после окончания загрузки: строки по всем организациям появятся.\n\n{{agent}}, техподдержка ФИС ОКО',
  },
]

/** Creates the demo tickets and canned replies; returns how many tickets were made (0 if there were some). */
export async function seedHelpdeskDemo(prisma: PrismaClient, now = new Date()): Promise<number> {
  if ((await prisma.ticket.count()) > 0) return 0
  const agent = await prisma.user.findUnique({ where: { login: 'support01' }, select: { id: true } })
  const orgByLogin = async (login: string) => prisma.organization.findUnique({ where: { login }, select: { id: true, login: true, name: true, kind: true } })
  const lookup = { findOrgByLogin: async (login: string) => orgByLogin(login).then((o) => (o ? { login: o.login, name: o.name, kind: o.kind as string } : null)) }
  let made = 0
  for (const d of TICKETS) {
    const org = d.org ? await orgByLogin(d.org) : null
    const requester = d.requesterLogin ? await prisma.user.findUnique({ where: { login: d.requesterLogin }, select: { id: true } }) : null
    const createdAt = new Date(now.getTime() - d.ageHours * HOUR)
    const first = d.messages[0]
    const verdict: IntakeVerdict = await judge(
      { subject: d.subject, text: first.text, attachments: first.screenshot ? [{ contentType: 'image/png', filename: first.screenshot, isImage: true, inline: false }] : [] },
      lookup,
    )
    const priority = d.priority ?? 'NORMAL'
    // The SLA clock as the desk would have run it: paused while waiting, started when answered.
    let sla: { firstResponseDueAt: Date | null; resolutionDueAt: Date | null; slaPausedAt: Date | null; state: TicketState } = { ...initialSla(priority, 'NEW', createdAt), state: 'NEW' }
    const at = (h: number | undefined) => (h === undefined ? null : new Date(createdAt.getTime() + h * HOUR))
    const firstResponseAt = at(d.firstResponseAfterHours)
    const resolvedAt = at(d.resolvedAfterHours)
    if (d.state !== 'NEW') {
      const changedAt = firstResponseAt ?? at(d.messages.at(-1)?.afterHours ?? 0)!
      const fields = { ...sla, priority, createdAt, firstResponseAt, resolvedAt: null }
      sla = { ...sla, ...slaOnStateChange(fields, d.state, d.state === 'WAITING_INFO' ? createdAt : changedAt), state: d.state }
    }
    const ticket = await prisma.ticket.create({
      data: {
        subject: d.subject,
        study: d.study,
        state: d.state,
        priority,
        channel: d.channel,
        requesterEmail: d.requesterEmail,
        requesterName: d.requesterName,
        requesterId: requester?.id ?? null,
        organizationId: org?.id ?? null,
        assigneeId: d.assigned && agent ? agent.id : null,
        verdict: verdict as object,
        tags: d.tags ?? [],
        createdAt,
        lastMessageAt: at(Math.max(...d.messages.filter((m) => m.kind !== 'NOTE').map((m) => m.afterHours)))!,
        firstResponseAt,
        resolvedAt,
        firstResponseDueAt: sla.firstResponseDueAt,
        resolutionDueAt: sla.resolutionDueAt,
        slaPausedAt: sla.slaPausedAt,
      },
    })
    for (const [i, m] of d.messages.entries()) {
      const inbound = m.kind === 'INBOUND'
      const sentAt = at(m.afterHours)!
      await prisma.ticketMessage.create({
        data: {
          ticketId: ticket.id,
          kind: m.kind,
          messageId: m.kind === 'NOTE' ? null : `<demo-${ticket.id}-${i}@${inbound ? 'example.ru' : MAIL_DOMAIN}>`,
          fromAddress: inbound ? d.requesterEmail : m.kind === 'OUTBOUND' ? `support@${MAIL_DOMAIN}` : null,
          fromName: inbound ? d.requesterName : null,
          toAddress: m.kind === 'OUTBOUND' ? d.requesterEmail : null,
          authorId: m.kind === 'INBOUND' ? (requester?.id ?? null) : m.automatic ? null : (agent?.id ?? null),
          subject: inbound ? d.subject : m.kind === 'OUTBOUND' ? `Re: [#${ticket.id}] ${d.subject}` : null,
          text: m.text,
          shownText: inbound ? m.text.replace(/\n(С уважением|Специалист)[\s\S]*$/u, '').trim() : m.text,
          automatic: m.automatic ?? false,
          // Demo replies count as delivered: nothing is mailed on first start.
          sentAt: m.kind === 'OUTBOUND' ? sentAt : null,
          createdAt: sentAt,
          attachments: m.screenshot
            ? { create: { filename: m.screenshot, contentType: 'image/png', ...pngInfo(demoScreenshot()) } }
            : undefined,
        },
      })
    }
    if (d.requesterEmail && !d.requesterEmail.endsWith('.invalid')) {
      await prisma.ticketParticipant.create({ data: { ticketId: ticket.id, email: d.requesterEmail } })
    }
    made++
  }
  if ((await prisma.cannedReply.count()) === 0) await prisma.cannedReply.createMany({ data: CANNED })
  return made
}

/** The attachment's bytes with their size and sha256, as the intake stores them. */
function pngInfo(content: Buffer) {
  return { content: new Uint8Array(content), size: content.length, sha256: createHash('sha256').update(content).digest('hex') }
}

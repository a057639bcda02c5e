// Demo data: Архангельская область (29) with the municipalities named in the
// seed material and a realistic number of schools in each, Алтайский край (22)
// as a second region so that scope leaks would show, ФИОКО and its staff, and
// one demo login per role. Run by the server on first start of the embedded
// default (DEMO_DATA), or with `npm run db:seed`.
import { collegeLogin, municipalityLogin, regionLogin, schoolLogin, teacherLogin } from '../app/accounts/logins.ts'
import { hashPassword } from '../app/accounts/password.server.ts'
import type { PrismaClient } from '../app/generated/prisma/client.ts'
import type { Role } from '../app/generated/prisma/enums.ts'

export const DEMO_PASSWORD = 'oko-demo-2026'

/** [name, number of schools]: counts follow the real scale of each district. */
const ARKHANGELSK: [string, number][] = [
  ['г. Архангельск', 52],
  ['г. Северодвинск', 30],
  ['Вельский муниципальный район', 22],
  ['Верхнетоемский муниципальный округ', 12],
  ['Вилегодский муниципальный округ', 8],
  ['Виноградовский муниципальный округ', 10],
  ['Каргопольский муниципальный округ', 11],
  ['Коношский муниципальный район', 10],
  ['г. Коряжма', 6],
  ['г. Котлас', 12],
  ['Котласский муниципальный округ', 13],
  ['Красноборский муниципальный округ', 9],
  ['Ленский муниципальный район', 7],
  ['Лешуконский муниципальный округ', 6],
  ['Мезенский муниципальный округ', 9],
  ['г. Мирный', 4],
  ['г. Новодвинск', 7],
  ['Няндомский муниципальный округ', 10],
  ['Онежский муниципальный район', 12],
  ['Пинежский муниципальный округ', 16],
  ['Плесецкий муниципальный округ', 20],
  ['Приморский муниципальный округ', 18],
  ['Устьянский муниципальный округ', 17],
  ['Холмогорский муниципальный округ', 15],
  ['Шенкурский муниципальный округ', 7],
]

const ALTAI: [string, number][] = [
  ['г. Барнаул', 12],
  ['г. Бийск', 6],
  ['Алейский район', 4],
]

const SCHOOL_PATTERNS = [
  (n: number, town: string) => `МБОУ «Средняя школа № ${n}» ${town}`,
  (n: number, town: string) => `МБОУ «Гимназия № ${n}» ${town}`,
  (n: number, town: string) => `МБОУ «Основная школа № ${n}» ${town}`,
  (n: number, town: string) => `МБОУ «Лицей № ${n}» ${town}`,
  (n: number, town: string) => `МБОУ СШ № ${n} ${town}`,
]

function townOf(municipality: string) {
  return municipality.startsWith('г. ') ? municipality : municipality.split(' ')[0].replace(/ий$/, 'ого').replace(/ый$/, 'ого') + ' округа'
}

function schoolName(i: number, municipality: string) {
  const pattern = SCHOOL_PATTERNS[i % 7 === 3 ? 1 : i % 11 === 5 ? 3 : i % 5 === 4 ? 2 : i % 2 === 0 ? 0 : 4]
  return pattern(i + 1, townOf(municipality))
}

export interface DemoLogin {
  login: string
  role: Role
  label: string
}

export async function seedDemo(prisma: PrismaClient): Promise<DemoLogin[]> {
  const fioko = await prisma.organization.create({ data: { kind: 'FEDERAL', login: 'fioko', name: 'ФГБУ «ФИОКО»' } })

  async function region(code: string, name: string, municipalities: [string, number][], colleges: string[]) {
    const reg = await prisma.organization.create({ data: { kind: 'REGION', login: regionLogin(code), name, regionCode: code } })
    await prisma.organization.update({ where: { id: reg.id }, data: { regionId: reg.id } })
    let schoolNo = 1
    const schools: { login: string; name: string; parentId: number; regionId: number; municipalityId: number | null; kind: 'SCHOOL' | 'COLLEGE'; regionCode: string }[] = []
    for (const [m, [mName, count]] of municipalities.entries()) {
      const mun = await prisma.organization.create({
        data: { kind: 'MUNICIPALITY', login: municipalityLogin(code, m + 1), name: `Управление образования: ${mName}`, regionCode: code, parentId: reg.id, regionId: reg.id },
      })
      await prisma.organization.update({ where: { id: mun.id }, data: { municipalityId: mun.id } })
      for (let i = 0; i < count; i++) {
        schools.push({ kind: 'SCHOOL', login: schoolLogin(code, schoolNo++), name: schoolName(i, mName), parentId: mun.id, regionId: reg.id, municipalityId: mun.id, regionCode: code })
      }
    }
    // Regional (non-municipal) organisations answer to the region directly.
    colleges.forEach((c, i) => schools.push({ kind: 'COLLEGE', login: collegeLogin(code, i + 1), name: c, parentId: reg.id, regionId: reg.id, municipalityId: null, regionCode: code }))
    await prisma.organization.createMany({ data: schools })
    return reg
  }

  const arkh = await region('29', 'Архангельская область', ARKHANGELSK, [
    'ГАПОУ АО «Архангельский политехнический техникум»',
    'ГБПОУ АО «Архангельский педагогический колледж»',
    'ГАПОУ АО «Северодвинский техникум судостроения и судоремонта»',
  ])
  const altai = await region('22', 'Алтайский край', ALTAI, ['КГБПОУ «Барнаульский базовый медицинский колледж»'])

  const byLogin = async (login: string) => prisma.organization.findUniqueOrThrow({ where: { login } })
  const passwordHash = await hashPassword(DEMO_PASSWORD)
  const people: { login: string; fullName: string; role: Role; organizationId: number; label: string; email?: string }[] = [
    { login: 'admin', fullName: 'Администратор системы', role: 'ADMIN', organizationId: fioko.id, label: 'администратор' },
    { login: 'fioko01', fullName: 'Смирнова Анна Викторовна', role: 'FIOKO_SPECIALIST', organizationId: fioko.id, label: 'специалист ФИОКО' },
    { login: 'support01', fullName: 'Орлов Дмитрий Сергеевич', role: 'SUPPORT_AGENT', organizationId: fioko.id, label: 'техподдержка' },
    { login: regionLogin('29'), fullName: 'Координатор: Архангельская область', role: 'REGION_COORDINATOR', organizationId: arkh.id, label: 'регион 29' },
    { login: municipalityLogin('29', 1), fullName: 'Координатор: г. Архангельск', role: 'MUNICIPAL_COORDINATOR', organizationId: (await byLogin(municipalityLogin('29', 1))).id, label: 'МОУО г. Архангельск' },
    { login: schoolLogin('29', 1), fullName: 'Координатор: Средняя школа № 1', role: 'SCHOOL_COORDINATOR', organizationId: (await byLogin(schoolLogin('29', 1))).id, label: 'школа' },
    { login: teacherLogin(schoolLogin('29', 1), 1), fullName: 'Кузнецова Мария Ивановна', role: 'TEACHER_EXPERT', organizationId: (await byLogin(schoolLogin('29', 1))).id, label: 'учитель-эксперт' },
    { login: regionLogin('22'), fullName: 'Координатор: Алтайский край', role: 'REGION_COORDINATOR', organizationId: altai.id, label: 'регион 22 (другой регион)' },
    { login: schoolLogin('22', 1), fullName: 'Координатор: школа Барнаула', role: 'SCHOOL_COORDINATOR', organizationId: (await byLogin(schoolLogin('22', 1))).id, label: 'школа другого региона' },
  ]
  await prisma.user.createMany({
    data: people.map(({ label: _label, ...p }) => ({ ...p, passwordHash, mustChangePassword: false })),
  })
  return people.map((p) => ({ login: p.login, role: p.role, label: p.label }))
}

/** On later starts: the demo logins that still exist with the demo password unchanged. */
export async function demoLoginsPresent(prisma: PrismaClient): Promise<DemoLogin[]> {
  const users = await prisma.user.findMany({
    where: { login: { in: ['admin', 'fioko01', 'support01', 'reg290000', 'reg29_m001', 'edu290001', 'edu290001_t01', 'reg220000', 'edu220001'] } },
    select: { login: true, role: true },
    orderBy: { id: 'asc' },
  })
  return users.map((u) => ({ login: u.login, role: u.role, label: '' }))
}

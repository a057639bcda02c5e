// Issuing credentials down the hierarchy (DOMAIN.md): a coordinator creates
// one-time passwords for the level directly below, one at a time or as the
// yearly archive. A password is shown once, at issuance, and never stored in
// a form that could be shown again.
import ExcelJS from 'exceljs'
import { z } from 'zod'
import { kickUser } from '~/realtime/publish.server'
import { prisma } from '~/utils/db.server'
import { audit } from './audit.server'
import { orgLabel, teacherLogin } from './logins'
import { generateOneTimePassword, hashPassword } from './password.server'
import { COORDINATOR_ROLE } from './roles'
import { canIssueFor, canManageTeacher, credentialTargetsWhere } from './scope.server'
import type { SessionUser } from './session.server'

type Actor = Pick<SessionUser, 'id' | 'login' | 'role' | 'organization'>
type Meta = { ip?: string }

export interface IssuedCredential {
  login: string
  password: string
  orgName: string
  parentName: string | null
}

function forbidden(message: string) {
  return new Response(message, { status: 403, statusText: 'Forbidden' })
}

/** Issues (or resets) the coordinator account of an organisation directly below the actor. */
export async function issueOrgCredentials(actor: Actor, orgId: number, meta: Meta = {}): Promise<IssuedCredential> {
  // Not requireOrgInScope: a refused issuance is audited as credentials.denied
  // even when the organisation is outside the actor's scope (another МОУО's
  // school), so the credentials trail shows every attempt.
  const org = Number.isSafeInteger(orgId) && orgId > 0 ? await prisma.organization.findUnique({ where: { id: orgId } }) : null
  if (!org) throw new Response('Организация не найдена.', { status: 404, statusText: 'Not Found' })
  if (!canIssueFor(actor, org)) {
    await audit({ action: 'credentials.denied', outcome: 'denied', actor, targetOrgId: org.id, targetLogin: org.login, ip: meta.ip })
    throw forbidden('Выдавать доступ этой организации может только координатор уровнем выше неё.')
  }
  const role = COORDINATOR_ROLE[org.kind]!
  const password = generateOneTimePassword()
  const passwordHash = await hashPassword(password)
  const parent = org.parentId ? await prisma.organization.findUnique({ where: { id: org.parentId }, select: { name: true, login: true } }) : null

  const previous = await prisma.user.findUnique({ where: { login: org.login }, select: { id: true, passwordHash: true } })
  await prisma.$transaction(async (tx) => {
    const user = await tx.user.upsert({
      where: { login: org.login },
      create: { login: org.login, fullName: `Координатор: ${org.name}`, role, organizationId: org.id, passwordHash, mustChangePassword: true },
      // Issuing new credentials is how a coordinator restores access: re-enable.
      update: { passwordHash, mustChangePassword: true, passwordChangedAt: new Date(), disabled: false },
    })
    await tx.session.deleteMany({ where: { userId: user.id } })
    await audit(
      {
        action: previous?.passwordHash ? 'credentials.reset' : 'credentials.issued',
        actor,
        targetLogin: org.login,
        targetOrgId: org.id,
        ip: meta.ip,
      },
      tx,
    )
  })
  if (previous) kickUser(previous.id, 'Пароль сброшен координатором: войдите с новым паролем.')
  return { login: org.login, password, orgName: org.name, parentName: parent ? orgLabel(parent) : null }
}

/**
 * The yearly archive: new one-time passwords for every organisation directly
 * below, as an .xlsx file. Generating it resets all of them.
 */
export async function issueCredentialArchive(actor: Actor, meta: Meta = {}) {
  const where = credentialTargetsWhere(actor)
  if (!where) {
    await audit({ action: 'credentials.denied', outcome: 'denied', actor, ip: meta.ip, details: { what: 'archive' } })
    throw forbidden('Архив доступов формируют координаторы региона и МОУО.')
  }
  const orgs = await prisma.organization.findMany({
    where: { AND: [where, { active: true }] },
    orderBy: [{ kind: 'asc' }, { login: 'asc' }],
    include: { parent: { select: { name: true, login: true } } },
  })
  // Hashing is the slow part (≈20 ms each); it runs in libuv's thread pool.
  const issued = await Promise.all(
    orgs.map(async (org) => {
      const password = generateOneTimePassword()
      return { org, password, passwordHash: await hashPassword(password) }
    }),
  )
  const existing = new Set(
    (await prisma.user.findMany({ where: { login: { in: orgs.map((o) => o.login) } }, select: { login: true } })).map((u) => u.login),
  )
  const kicked: number[] = []
  // One short transaction per chunk keeps the embedded database responsive.
  for (let i = 0; i < issued.length; i += 100) {
    const chunk = issued.slice(i, i + 100)
    await prisma.$transaction(async (tx) => {
      for (const { org, passwordHash } of chunk) {
        if (existing.has(org.login)) {
          const user = await tx.user.update({ where: { login: org.login }, data: { passwordHash, mustChangePassword: true, passwordChangedAt: new Date() } })
          await tx.session.deleteMany({ where: { userId: user.id } })
          kicked.push(user.id)
        } else {
          await tx.user.create({
            data: { login: org.login, fullName: `Координатор: ${org.name}`, role: COORDINATOR_ROLE[org.kind]!, organizationId: org.id, passwordHash, mustChangePassword: true },
          })
        }
      }
    })
  }
  for (const id of kicked) kickUser(id, 'Пароль сброшен: сформирован новый архив доступов.')
  await audit({ action: 'credentials.archive_issued', actor, targetOrgId: actor.organization.id, ip: meta.ip, details: { count: issued.length } })

  const rows: IssuedCredential[] = issued.map(({ org, password }) => ({
    login: org.login,
    password,
    orgName: org.name,
    parentName: org.parent ? orgLabel(org.parent) : null,
  }))
  return { rows, xlsx: await credentialsWorkbook(actor, rows) }
}

async function credentialsWorkbook(actor: Actor, rows: IssuedCredential[]) {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'oko-support'
  wb.created = new Date()
  const ws = wb.addWorksheet('Доступы')
  ws.addRow([`Доступы для организаций: ${orgLabel(actor.organization)}`])
  ws.addRow([`Сформировано ${new Date().toLocaleString('ru-RU', { timeZone: 'Europe/Moscow' })} (МСК). Пароли одноразовые: при первом входе их нужно сменить. Не передавайте третьим лицам, храните в единственном экземпляре.`])
  ws.addRow([])
  const header = ws.addRow(['Логин', 'Наименование', 'Вышестоящая организация', 'Одноразовый пароль'])
  header.font = { bold: true }
  for (const r of rows) ws.addRow([r.login, r.orgName, r.parentName ?? '', r.password])
  ws.columns = [{ width: 16 }, { width: 60 }, { width: 40 }, { width: 20 }]
  return Buffer.from(await wb.xlsx.writeBuffer())
}

export const NewTeacherSchema = z.object({
  fullName: z.string().trim().min(3, 'Укажите фамилию, имя и отчество.').max(200, 'Слишком длинное ФИО.'),
  email: z
    .string()
    .trim()
    .max(200)
    .email('Неверный адрес электронной почты.')
    .optional()
    .or(z.literal('').transform(() => undefined)),
})

/** A school coordinator gives a teacher expert access for the checking window. */
export async function createTeacher(actor: Actor, input: z.infer<typeof NewTeacherSchema>, meta: Meta = {}) {
  if (actor.role !== 'SCHOOL_COORDINATOR') throw forbidden('Учётные записи экспертов создаёт школьный координатор.')
  const school = actor.organization
  const password = generateOneTimePassword()
  const passwordHash = await hashPassword(password)
  // Two coordinators' tabs may pick the same number at once: the unique login
  // refuses the second, which then takes the next free number.
  for (let attempt = 0; attempt < 5; attempt++) {
    const taken = await prisma.user.findMany({ where: { login: { startsWith: `${school.login}_t` } }, select: { login: true } })
    const numbers = new Set(taken.map((u) => Number(u.login.split('_t')[1])))
    let n = 1
    while (numbers.has(n)) n++
    if (n > 999) throw new Response('Достигнуто максимальное число экспертов школы (999).', { status: 409 })
    const login = teacherLogin(school.login, n)
    try {
      await prisma.$transaction(async (tx) => {
        await tx.user.create({
          data: { login, fullName: input.fullName, email: input.email ?? null, role: 'TEACHER_EXPERT', organizationId: school.id, passwordHash, mustChangePassword: true },
        })
        await audit({ action: 'user.created', actor, targetLogin: login, targetOrgId: school.id, ip: meta.ip, details: { role: 'TEACHER_EXPERT' } }, tx)
      })
      return { login, password, fullName: input.fullName }
    } catch (error) {
      if ((error as { code?: string }).code !== 'P2002') throw error
    }
  }
  throw new Response('Не удалось подобрать логин эксперта: повторите попытку.', { status: 409 })
}

async function requireManagedTeacher(actor: Actor, userId: number, meta: Meta) {
  const teacher = await prisma.user.findUnique({ where: { id: userId } })
  if (!teacher) throw new Response('Учётная запись не найдена.', { status: 404 })
  if (!canManageTeacher(actor, teacher)) {
    await audit({ action: 'credentials.denied', outcome: 'denied', actor, targetLogin: teacher.login, ip: meta.ip })
    throw forbidden('Эта учётная запись не относится к вашей школе.')
  }
  return teacher
}

export async function resetTeacherPassword(actor: Actor, userId: number, meta: Meta = {}) {
  const teacher = await requireManagedTeacher(actor, userId, meta)
  const password = generateOneTimePassword()
  const passwordHash = await hashPassword(password)
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: teacher.id }, data: { passwordHash, mustChangePassword: true, passwordChangedAt: new Date() } })
    await tx.session.deleteMany({ where: { userId: teacher.id } })
    await audit({ action: 'credentials.reset', actor, targetLogin: teacher.login, targetOrgId: teacher.organizationId, ip: meta.ip }, tx)
  })
  kickUser(teacher.id, 'Пароль сброшен координатором школы.')
  return { login: teacher.login, password, fullName: teacher.fullName }
}

export async function setTeacherDisabled(actor: Actor, userId: number, disabled: boolean, meta: Meta = {}) {
  const teacher = await requireManagedTeacher(actor, userId, meta)
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: teacher.id }, data: { disabled } })
    if (disabled) await tx.session.deleteMany({ where: { userId: teacher.id } })
    await audit({ action: disabled ? 'user.disabled' : 'user.enabled', actor, targetLogin: teacher.login, targetOrgId: teacher.organizationId, ip: meta.ip }, tx)
  })
  if (disabled) kickUser(teacher.id, 'Учётная запись отключена.')
}

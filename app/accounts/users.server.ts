// Administration of people: search, role changes (administrators only).
import { z } from 'zod'
import { Role } from '~/generated/prisma/enums'
import { kickUser } from '~/realtime/publish.server'
import { prisma, type Prisma } from '~/utils/db.server'
import { audit } from './audit.server'
import { ROLES_BY_ORG_KIND } from './roles'
import type { SessionUser } from './session.server'

type Actor = Pick<SessionUser, 'id' | 'login' | 'role' | 'organization'>

export const UserListQuery = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  role: z.nativeEnum(Role).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
})

export async function listUsers(query: z.infer<typeof UserListQuery>) {
  const pageSize = 50
  const where: Prisma.UserWhereInput = {
    ...(query.role ? { role: query.role } : {}),
    ...(query.q
      ? {
          OR: [
            { login: { contains: query.q.toLowerCase() } },
            { fullName: { contains: query.q, mode: 'insensitive' } },
            { organization: { name: { contains: query.q, mode: 'insensitive' } } },
          ],
        }
      : {}),
  }
  const [total, users] = await Promise.all([
    prisma.user.count({ where }),
    prisma.user.findMany({
      where,
      orderBy: { login: 'asc' },
      skip: (query.page - 1) * pageSize,
      take: pageSize,
      select: {
        id: true,
        login: true,
        fullName: true,
        role: true,
        disabled: true,
        lastLoginAt: true,
        organization: { select: { id: true, name: true, login: true, kind: true } },
      },
    }),
  ])
  return { total, users, page: query.page, pageSize }
}

export const ChangeRoleSchema = z.object({
  userId: z.coerce.number().int().positive(),
  role: z.nativeEnum(Role, { errorMap: () => ({ message: 'Выберите роль из списка.' }) }),
})

export async function changeRole(actor: Actor, input: z.infer<typeof ChangeRoleSchema>, meta: { ip?: string } = {}) {
  const user = await prisma.user.findUnique({ where: { id: input.userId }, include: { organization: true } })
  if (actor.role !== 'ADMIN') {
    await audit({ action: 'user.role_changed', outcome: 'denied', actor, targetLogin: user?.login ?? null, ip: meta.ip, details: { userId: input.userId, to: input.role } })
    throw new Response('Менять роли может только администратор.', { status: 403 })
  }
  if (!user) throw new Response('Учётная запись не найдена.', { status: 404 })
  if (user.id === actor.id && input.role !== 'ADMIN') {
    return { status: 'error' as const, message: 'Нельзя снять роль администратора с самого себя: попросите другого администратора.' }
  }
  const allowed = ROLES_BY_ORG_KIND[user.organization.kind]
  if (!allowed.includes(input.role)) {
    return { status: 'error' as const, message: 'Эта роль не подходит для организации пользователя.' }
  }
  if (user.role === input.role) return { status: 'success' as const, changed: false }
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { role: input.role } })
    // A new role means new rights: sessions start again with them.
    await tx.session.deleteMany({ where: { userId: user.id } })
    await audit({ action: 'user.role_changed', actor, targetLogin: user.login, targetOrgId: user.organizationId, ip: meta.ip, details: { from: user.role, to: input.role } }, tx)
  })
  kickUser(user.id, 'Ваша роль изменена: войдите снова.')
  return { status: 'success' as const, changed: true }
}

// Roles and the cabinet sections each one has. Shared by server and browser.
import type { OrgKind, Role } from '~/generated/prisma/enums'

export const ROLE_LABELS: Record<Role, string> = {
  ADMIN: 'Администратор',
  FIOKO_SPECIALIST: 'Специалист ФИОКО',
  SUPPORT_AGENT: 'Сотрудник техподдержки',
  REGION_COORDINATOR: 'Региональный координатор',
  MUNICIPAL_COORDINATOR: 'Муниципальный координатор',
  SCHOOL_COORDINATOR: 'Школьный координатор',
  TEACHER_EXPERT: 'Учитель-эксперт',
}

export const ORG_KIND_LABELS: Record<OrgKind, string> = {
  FEDERAL: 'Федеральный уровень',
  REGION: 'Регион',
  MUNICIPALITY: 'МОУО',
  SCHOOL: 'ОО',
  COLLEGE: 'СПО',
}

/** Which roles an organisation of each kind may hold (role changes are checked against it). */
export const ROLES_BY_ORG_KIND: Record<OrgKind, Role[]> = {
  FEDERAL: ['ADMIN', 'FIOKO_SPECIALIST', 'SUPPORT_AGENT'],
  REGION: ['REGION_COORDINATOR'],
  MUNICIPALITY: ['MUNICIPAL_COORDINATOR'],
  SCHOOL: ['SCHOOL_COORDINATOR', 'TEACHER_EXPERT'],
  COLLEGE: ['SCHOOL_COORDINATOR', 'TEACHER_EXPERT'],
}

/** The coordinator role that holds an organisation's own account. */
export const COORDINATOR_ROLE: Partial<Record<OrgKind, Role>> = {
  REGION: 'REGION_COORDINATOR',
  MUNICIPALITY: 'MUNICIPAL_COORDINATOR',
  SCHOOL: 'SCHOOL_COORDINATOR',
  COLLEGE: 'SCHOOL_COORDINATOR',
}

export type SectionKey = 'exchange' | 'analytics' | 'forums' | 'experts' | 'answers' | 'support' | 'organizations' | 'team' | 'admin'

export interface Section {
  key: SectionKey
  title: string
  path: string
  /** Not built yet: the page says so instead of answering 404. */
  planned?: string
}

export const SECTIONS: Record<SectionKey, Section> = {
  exchange: { key: 'exchange', title: 'Обмен данными', path: '/cabinet/exchange', planned: 'Публикации, материалы, загрузка файлов и мониторинг «Ход работы».' },
  analytics: { key: 'analytics', title: 'Аналитика', path: '/cabinet/analytics', planned: 'Заказ и просмотр отчётов по результатам ВПР.' },
  forums: { key: 'forums', title: 'Форумы', path: '/cabinet/forums' },
  experts: { key: 'experts', title: 'Эксперты ВПР', path: '/cabinet/experts' },
  answers: { key: 'answers', title: 'Банк ответов', path: '/cabinet/answers' },
  support: { key: 'support', title: 'Техподдержка', path: '/cabinet/support' },
  organizations: { key: 'organizations', title: 'Организации', path: '/cabinet/orgs' },
  team: { key: 'team', title: 'Эксперты школы', path: '/cabinet/team' },
  admin: { key: 'admin', title: 'Администрирование', path: '/cabinet/admin' },
}

const ROLE_SECTIONS: Record<Role, SectionKey[]> = {
  ADMIN: ['organizations', 'exchange', 'analytics', 'forums', 'experts', 'answers', 'support', 'admin'],
  FIOKO_SPECIALIST: ['organizations', 'exchange', 'analytics', 'forums', 'experts', 'answers', 'support'],
  SUPPORT_AGENT: ['organizations', 'forums', 'experts', 'answers', 'support'],
  REGION_COORDINATOR: ['organizations', 'exchange', 'analytics', 'forums', 'experts', 'answers', 'support'],
  MUNICIPAL_COORDINATOR: ['organizations', 'exchange', 'analytics', 'forums', 'experts', 'answers', 'support'],
  SCHOOL_COORDINATOR: ['team', 'exchange', 'analytics', 'forums', 'experts', 'answers', 'support'],
  TEACHER_EXPERT: ['experts', 'answers', 'forums'],
}

export function sectionsFor(role: Role): Section[] {
  return ROLE_SECTIONS[role].map((k) => SECTIONS[k])
}

export function hasSection(role: Role, key: SectionKey) {
  return ROLE_SECTIONS[role].includes(key)
}

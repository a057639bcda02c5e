// The yearly credentials archive: one-time passwords for every organisation
// directly below, as an .xlsx file. Generating it resets all of them.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { credentialTargetsWhere } from '~/accounts/scope.server'
import { requireUser } from '~/accounts/session.server'
import { prisma } from '~/utils/db.server'

export const meta: MetaFunction = () => [{ title: 'Архив доступов — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request)
  const where = credentialTargetsWhere(user)
  if (!where) throw new Response('Архив доступов формируют координаторы региона и МОУО.', { status: 403 })
  const count = await prisma.organization.count({ where: { AND: [where, { active: true }] } })
  return json({ count })
}

export default function CredentialsArchive() {
  const { count } = useLoaderData<typeof loader>()
  return (
    <>
      <h1>Выдача доступов нижестоящим организациям</h1>
      <section className="card">
        <p>
          Архив содержит логины и <strong>новые одноразовые пароли</strong> для всех организаций уровнем ниже вашей: <strong data-testid="archive-count">{count}</strong>.
        </p>
        <p className="alert alert-warn">
          При формировании архива пароли всех этих организаций будут сброшены, их текущие сеансы завершены. Пароли в системе не хранятся в открытом виде: повторно показать их нельзя, можно только сформировать новый архив или сбросить пароль отдельной организации.
        </p>
        <form method="post" action="/cabinet/credentials/archive" data-testid="archive-form">
          <label>
            <input type="checkbox" name="confirm" value="yes" required /> Понимаю, что прежние пароли перестанут действовать
          </label>
          <p>
            <button type="submit" className="button primary">
              Сформировать архив (.xlsx)
            </button>
          </p>
        </form>
        <p className="small hint">Храните файл в единственном экземпляре и не пересылайте его третьим лицам.</p>
      </section>
    </>
  )
}

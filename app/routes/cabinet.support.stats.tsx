// Desk statistics for a period: volume by study and channel, first response
// and resolution times, the backlog now, how often letters miss each rule of
// the support rules, and a table per day.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { json } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { requireRole } from '~/accounts/session.server'
import styles from '~/helpdesk/desk.css'
import { CHANNEL_LABELS } from '~/helpdesk/desk-query'
import { DESK_ROLES } from '~/helpdesk/desk-scope.server'
import { formatMinutes } from '~/helpdesk/format'
import { INTAKE_RULES, RULE_TITLES } from '~/helpdesk/rules'
import { STATE_LABELS } from '~/helpdesk/states'
import { deskStats, parsePeriod } from '~/helpdesk/stats.server'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }]
export const meta: MetaFunction = () => [{ title: 'Статистика техподдержки — ФИС ОКО' }]

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, [...DESK_ROLES])
  const period = parsePeriod(new URL(request.url).searchParams)
  const stats = await deskStats(user, period)
  return json({ stats, notice: period.notice ?? null })
}

const pct = (part: number, whole: number) => (whole ? `${Math.round((part / whole) * 1000) / 10} %` : '—')

export default function DeskStatistics() {
  const { stats: s, notice } = useLoaderData<typeof loader>()
  return (
    <>
      <p>
        <Link to="/cabinet/support">← Очередь</Link>
      </p>
      <h1>Статистика техподдержки</h1>
      <Form method="get" className="toolbar">
        <label className="field">
          <span>С</span>
          <input type="date" name="from" defaultValue={s.period.from} />
        </label>
        <label className="field">
          <span>По</span>
          <input type="date" name="to" defaultValue={s.period.to} />
        </label>
        <button type="submit" className="button">
          Показать
        </button>
        <span className="hint small">Дни по московскому времени.</span>
      </Form>
      {notice ? <p className="alert alert-info">{notice}</p> : null}

      <section className="card">
        <dl className="figures" data-testid="figures">
          <div>
            <dt>Обращений за период</dt>
            <dd data-testid="total">{s.total}</dd>
          </div>
          <div>
            <dt>Первый ответ: медиана / 90-й перцентиль</dt>
            <dd>
              {formatMinutes(s.firstResponse.median)} / {formatMinutes(s.firstResponse.p90)}
            </dd>
          </div>
          <div>
            <dt>Решение: медиана / 90-й перцентиль</dt>
            <dd>
              {formatMinutes(s.resolution.median)} / {formatMinutes(s.resolution.p90)}
            </dd>
          </div>
          <div>
            <dt>Просрочено сейчас</dt>
            <dd>{s.overdue}</dd>
          </div>
        </dl>
      </section>

      <div className="stats-grid">
        <section className="card">
          <h2>По исследованиям</h2>
          <table className="data" data-testid="by-study">
            <tbody>
              {s.byStudy.map((r) => (
                <tr key={r.study ?? ''}>
                  <th scope="row">{r.study ?? 'Без исследования'}</th>
                  <td>{r.count}</td>
                  <td>{pct(r.count, s.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="card">
          <h2>По каналам</h2>
          <table className="data" data-testid="by-channel">
            <tbody>
              {s.byChannel.map((r) => (
                <tr key={r.channel}>
                  <th scope="row">{CHANNEL_LABELS[r.channel] ?? r.channel}</th>
                  <td>{r.count}</td>
                  <td>{pct(r.count, s.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="card">
          <h2>Сроки</h2>
          <table className="data">
            <thead>
              <tr>
                <th scope="col"></th>
                <th scope="col">Первый ответ</th>
                <th scope="col">Решение</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Количество</th>
                <td>{s.firstResponse.count}</td>
                <td>{s.resolution.count}</td>
              </tr>
              <tr>
                <th scope="row">Медиана</th>
                <td>{formatMinutes(s.firstResponse.median)}</td>
                <td>{formatMinutes(s.resolution.median)}</td>
              </tr>
              <tr>
                <th scope="row">90-й перцентиль</th>
                <td>{formatMinutes(s.firstResponse.p90)}</td>
                <td>{formatMinutes(s.resolution.p90)}</td>
              </tr>
              <tr>
                <th scope="row">В срок SLA</th>
                <td>{pct(s.firstResponse.withinSla, s.firstResponse.count)}</td>
                <td>{pct(s.resolution.withinSla, s.resolution.count)}</td>
              </tr>
              <tr>
                <th scope="row">Ещё ждут</th>
                <td>{s.firstResponse.waiting}</td>
                <td>{s.resolution.open}</td>
              </tr>
            </tbody>
          </table>
          <p className="hint small">Календарное время от поступления; обращения, объединённые с другими, не учитываются.</p>
        </section>
        <section className="card">
          <h2>Письма без обязательных сведений</h2>
          <p className="small">
            Проверено правилами: {s.rules.judged}; всё указано сразу: {s.rules.complete} ({pct(s.rules.complete, s.rules.judged)}).
          </p>
          <table className="data" data-testid="rules">
            <tbody>
              {INTAKE_RULES.map((rule) => (
                <tr key={rule}>
                  <th scope="row">Нет: {RULE_TITLES[rule].toLowerCase()}</th>
                  <td>{s.rules.missing[rule]}</td>
                  <td>{pct(s.rules.missing[rule], s.rules.judged)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>

      <section className="card">
        <h2>Очередь сейчас: по состоянию и возрасту</h2>
        <table className="data" data-testid="backlog">
          <thead>
            <tr>
              <th scope="col">Состояние</th>
              <th scope="col">Всего</th>
              <th scope="col">до суток</th>
              <th scope="col">1–3 дня</th>
              <th scope="col">3–7 дней</th>
              <th scope="col">больше недели</th>
            </tr>
          </thead>
          <tbody>
            {s.backlog.map((b) => (
              <tr key={b.state}>
                <th scope="row">{STATE_LABELS[b.state as keyof typeof STATE_LABELS]}</th>
                <td>{b.total}</td>
                <td>{b.day}</td>
                <td>{b.days3}</td>
                <td>{b.week}</td>
                <td>{b.older}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className="card">
        <h2>По дням</h2>
        <p className="hint small">Дни без поступлений, ответов и решений не показаны.</p>
        <div className="table-wrap">
          <table className="data" data-testid="per-day">
            <thead>
              <tr>
                <th scope="col">День</th>
                <th scope="col">Поступило</th>
                <th scope="col">Первых ответов</th>
                <th scope="col">Решено</th>
              </tr>
            </thead>
            <tbody>
              {s.perDay
                .filter((d) => d.created || d.firstResponses || d.resolved)
                .reverse()
                .map((d) => (
                  <tr key={d.day}>
                    <td>{d.day.split('-').reverse().join('.')}</td>
                    <td>{d.created}</td>
                    <td>{d.firstResponses}</td>
                    <td>{d.resolved}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  )
}

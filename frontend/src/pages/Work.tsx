import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { Button, Checkboxes, ErrorSummary, Loading, ProblemPage, Scroll, formErrors } from '../components/ui'
import { type Loaded, load, useResource } from '../lib/data'
import type { FormErrors } from '../lib/problem'
import { formatDate } from '../lib/format'

type Work = Schemas['MyWorkList']
type Item = Schemas['WorkItem']
type Section = keyof Work['counts']

/** The work list's sections, in the order a person reads them, each with its heading. */
const SECTIONS: [Section, string][] = [
  ['gate_reviews_to_decide', 'Gate reviews to decide'],
  ['drawdowns_awaiting_me', 'Draw-downs waiting for me'],
  ['highlight_reports_to_review', 'Highlight reports to review'],
  ['kpi_values_due', 'KPI values to enter'],
  ['kpi_values_to_verify', 'KPI values to verify and publish'],
  ['milestones_due', 'My milestones due'],
  ['actions_due', 'My risk actions due'],
  ['risk_reviews_due', 'My risk reviews due'],
  ['late_highlight_reports', 'Late highlight reports'],
  ['my_projects', 'My projects'],
  ['my_programmes', 'My programmes'],
]

const ACTIONS: Record<string, string> = {
  manage: 'Manage',
  sponsor: 'Sponsor',
  consult: 'Give your view',
  decide: 'Decide',
  record_decision: 'Record the decision',
  enter_value: 'Enter the value',
  verify: 'Verify',
  publish: 'Publish',
  review: 'Review',
  chase_report: 'Chase the report',
  review_report: 'Accept or return it',
}

/** The counts of each section, each linking to its list on the work page (home page). */
export function WorkCounts({ work }: { work: Work }) {
  const shown = SECTIONS.filter(([key]) => work.counts[key] > 0)
  if (shown.length === 0) return <p class="govuk-body" data-testid="work-counts">Nothing is waiting for you.</p>
  return (
    <ul class="govuk-list" data-testid="work-counts">
      {shown.map(([key, heading]) => (
        <li key={key}>
          <a class="govuk-link" href={`/work#${key}`}>
            {heading}: <strong>{work.counts[key]}</strong>
          </a>
        </li>
      ))}
    </ul>
  )
}

function generic(work: Work, key: Section): Item[] | null {
  const items = work[key]
  // The first three sections predate the generic item: the home page shows them in full.
  if (key === 'gate_reviews_to_decide' || key === 'milestones_due' || key === 'actions_due') return null
  return items as Item[]
}

function ItemsTable({ caption, items }: { caption: string; items: Item[] }) {
  return (
    <Scroll label={caption}>
      <table class="govuk-table">
        <caption class="govuk-table__caption govuk-visually-hidden">{caption}</caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            <th scope="col" class="govuk-table__header">Item</th>
            <th scope="col" class="govuk-table__header">To do</th>
            <th scope="col" class="govuk-table__header">Why</th>
            <th scope="col" class="govuk-table__header">Due</th>
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          {items.map((item) => (
            <tr class="govuk-table__row" key={`${item.kind}-${item.id}`}>
              <td class="govuk-table__cell">
                <a class="govuk-link" href={item.link}>
                  {item.reference ? `${item.reference} ` : ''}
                  {item.title}
                </a>
              </td>
              <td class="govuk-table__cell">{ACTIONS[item.action] ?? item.action}</td>
              <td class="govuk-table__cell">{item.detail}</td>
              <td class="govuk-table__cell">
                {item.due_on ? formatDate(item.due_on) : 'Not set'}
                {item.overdue && (
                  <>
                    {' '}
                    <strong class="govuk-tag govuk-tag--red">Overdue</strong>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  )
}

/** `/work`: every section of the work list, with its count. */
export function MyWorkPage() {
  const work = useResource('work-page', () => load(() => api.GET('/api/v1/me/work')))
  if (work.problem) return <ProblemPage problem={work.problem} onRetry={work.reload} />
  if (!work.data) return <Loading />
  const data = work.data
  return (
    <>
      <h1 class="govuk-heading-l">My work list</h1>
      <p class="govuk-body">
        As of {formatDate(data.as_of)}. Gate reviews, milestones and risk actions are also on the <a class="govuk-link" href="/">home page</a>.
      </p>
      {SECTIONS.map(([key, heading]) => {
        const items = generic(data, key)
        return (
          <section key={key} aria-labelledby={`${key}-heading`}>
            <h2 class="govuk-heading-m" id={key}>
              <span id={`${key}-heading`}>
                {heading} ({data.counts[key]})
              </span>
            </h2>
            {items === null ? (
              <p class="govuk-body">
                <a class="govuk-link" href="/">See them on the home page</a>.
              </p>
            ) : items.length === 0 ? (
              <p class="govuk-body">None.</p>
            ) : (
              <ItemsTable caption={heading} items={items} />
            )}
          </section>
        )
      })}
    </>
  )
}

/** `/notifications`: newest first, each linking to its record; mark one or all read. */
export function NotificationsPage() {
  const list = useResource('notifications', () => load(() => api.GET('/api/v1/me/notifications', { params: { query: { limit: 50 } } })))
  const [problem, setProblem] = useState<FormErrors | null>(null)
  const act = async (request: () => Promise<Loaded<unknown>>) => {
    const result = await request()
    setProblem(result.problem ? formErrors(result.problem) : null)
    list.reload()
  }
  if (list.problem) return <ProblemPage problem={list.problem} onRetry={list.reload} />
  if (!list.data) return <Loading />
  const unread = list.data.items.filter((n) => !n.read_at).length
  return (
    <>
      <h1 class="govuk-heading-l">Notifications</h1>
      <ErrorSummary errors={problem} />
      <p class="govuk-body">
        {list.data.total} notifications. Choose which also come by email on <a class="govuk-link" href="/account">your account page</a>.
      </p>
      {unread > 0 && (
        <button
          type="button"
          class="govuk-button govuk-button--secondary"
          onClick={() => act(() => load(() => api.POST('/api/v1/me/notifications/read-all')))}
        >
          Mark all as read
        </button>
      )}
      {list.data.items.length === 0 ? (
        <p class="govuk-body">You have no notifications.</p>
      ) : (
        <ul class="govuk-list" data-testid="notifications">
          {list.data.items.map((n: Schemas['NotificationPublic']) => (
            <li key={n.id} class="govuk-!-margin-bottom-4">
              {!n.read_at && <strong class="govuk-tag govuk-tag--blue govuk-!-margin-right-2">New</strong>}
              <a class="govuk-link" href={n.link}>
                {n.title}
              </a>
              <span class="govuk-body-s"> {formatDate(n.created_at)}</span>
              {!n.read_at && (
                <>
                  {' '}
                  <button
                    type="button"
                    class="app-link-button"
                    onClick={() =>
                      act(() => load(() => api.POST('/api/v1/me/notifications/{notification_id}/read', { params: { path: { notification_id: n.id } } })))
                    }
                  >
                    Mark as read<span class="govuk-visually-hidden">: {n.title}</span>
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  )
}

const KINDS: Record<string, string> = {
  decision_waiting: 'A decision is waiting for me',
  assigned: 'Something is assigned to me',
  kpi_value_due: 'A KPI value of mine is due',
  review_overdue: 'A review of mine is overdue',
  request_decided: 'A request of mine was decided',
}

/** `/account`: the person's email choices for notifications. */
export function AccountPage() {
  const choices = useResource('notification-preferences', () => load(() => api.GET('/api/v1/me/notification-preferences')))
  const [selected, setSelected] = useState<string[] | null>(null)
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [saved, setSaved] = useState(false)
  if (choices.problem) return <ProblemPage problem={choices.problem} onRetry={choices.reload} />
  if (!choices.data) return <Loading />
  const current = selected ?? choices.data.choices.filter((c) => c.email).map((c) => c.kind)
  const save = async (event: Event) => {
    event.preventDefault()
    setSaved(false)
    const result = await load(() =>
      api.PUT('/api/v1/me/notification-preferences', {
        body: { choices: Object.keys(KINDS).map((kind) => ({ kind: kind as Schemas['NotificationKind'], email: current.includes(kind) })) },
      }),
    )
    if (result.problem) setErrors(formErrors(result.problem))
    else {
      setErrors(null)
      setSaved(true)
      choices.reload()
    }
  }
  return (
    <>
      <h1 class="govuk-heading-l">My account</h1>
      <p class="govuk-body">
        <a class="govuk-link" href="/account/password">Change your password</a>
      </p>
      <ErrorSummary errors={errors} />
      {saved && (
        <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="saved-title">
          <div class="govuk-notification-banner__header">
            <h2 class="govuk-notification-banner__title" id="saved-title">
              Success
            </h2>
          </div>
          <div class="govuk-notification-banner__content">
            <p class="govuk-notification-banner__heading">Your email choices are saved.</p>
          </div>
        </div>
      )}
      <form onSubmit={save} noValidate>
        <p class="govuk-body">Notifications always show in the app. Choose which also come by email.</p>
        <Checkboxes
          name="email"
          label="Email me when"
          values={current}
          onChange={setSelected}
          errors={errors}
          options={Object.entries(KINDS).map(([value, text]) => ({ value, text }))}
        />
        <Button>Save email choices</Button>
      </form>
    </>
  )
}

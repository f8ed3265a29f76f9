import { api, type Schemas } from '../api/client'
import { Loading, ProblemPage, StatusTag } from '../components/ui'
import { load, useResource } from '../lib/data'
import { formatDate, humanise } from '../lib/format'
import { useCan, useWho } from '../lib/me'
import { DrawdownsAwaitingMe } from './Drawdowns'
import { LateHighlightReports } from './Highlights'
import { WorkCounts } from './Work'

export function Home() {
  const { me } = useWho()
  const can = useCan()
  const work = useResource('work', () => load(() => api.GET('/api/v1/me/work')))
  return (
    <>
      <h1 class="govuk-heading-l">My work</h1>
      <p class="govuk-body-l">Signed in as {me.display_name}.</p>
      {work.problem ? (
        <ProblemPage problem={work.problem} onRetry={work.reload} />
      ) : !work.data ? (
        <Loading />
      ) : (
        <>
          <h2 class="govuk-heading-m">Waiting for me</h2>
          <WorkCounts work={work.data} />
          <p class="govuk-body">
            <a class="govuk-link" href="/work">See my whole work list</a>
          </p>
          <h2 class="govuk-heading-m">Decisions waiting for me</h2>
          {work.data.gate_reviews_to_decide.length === 0 ? (
            <p class="govuk-body">No gate reviews are waiting for your decision.</p>
          ) : (
            <table class="govuk-table">
              <caption class="govuk-table__caption govuk-visually-hidden">Gate reviews waiting for your decision</caption>
              <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                  <th scope="col" class="govuk-table__header">Project</th>
                  <th scope="col" class="govuk-table__header">Gate</th>
                  <th scope="col" class="govuk-table__header">Requested</th>
                </tr>
              </thead>
              <tbody class="govuk-table__body">
                {work.data.gate_reviews_to_decide.map((review) => (
                  <tr class="govuk-table__row" key={review.id}>
                    <td class="govuk-table__cell">
                      <a class="govuk-link" href={`/gate-reviews/${review.id}`}>
                        {review.project_reference} {review.project_name}
                      </a>
                    </td>
                    <td class="govuk-table__cell">
                      {humanise(review.from_stage)} to {humanise(review.to_stage)}
                    </td>
                    <td class="govuk-table__cell">{formatDate(review.requested_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <DrawdownsAwaitingMe />
          {can('highlight_reports:oversee') && <LateHighlightReports />}
          <h2 class="govuk-heading-m">My milestones due</h2>
          {work.data.milestones_due.length === 0 ? (
            <p class="govuk-body">None of your milestones are due in the next 30 days or overdue.</p>
          ) : (
            <table class="govuk-table">
              <caption class="govuk-table__caption govuk-visually-hidden">Your milestones due or overdue</caption>
              <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                  <th scope="col" class="govuk-table__header">Milestone</th>
                  <th scope="col" class="govuk-table__header">Due</th>
                  <th scope="col" class="govuk-table__header">Status</th>
                </tr>
              </thead>
              <tbody class="govuk-table__body">
                {work.data.milestones_due.map((milestone) => (
                  <tr class="govuk-table__row" key={milestone.id}>
                    <td class="govuk-table__cell">
                      <a class="govuk-link" href={`/projects/${milestone.project_id}?tab=milestones`}>
                        {milestone.title}
                      </a>
                    </td>
                    <td class="govuk-table__cell">{formatDate(milestone.due_date)}</td>
                    <td class="govuk-table__cell">
                      {milestone.overdue ? <strong class="govuk-tag govuk-tag--red">Overdue</strong> : <StatusTag value={milestone.status} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2 class="govuk-heading-m">My actions due</h2>
          {work.data.actions_due.length === 0 ? (
            <p class="govuk-body">None of your risk actions are due in the next 30 days or overdue.</p>
          ) : (
            <table class="govuk-table" data-testid="actions-due">
              <caption class="govuk-table__caption govuk-visually-hidden">Your risk actions due or overdue</caption>
              <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                  <th scope="col" class="govuk-table__header">Action</th>
                  <th scope="col" class="govuk-table__header">Risk</th>
                  <th scope="col" class="govuk-table__header">Due</th>
                  <th scope="col" class="govuk-table__header">Status</th>
                </tr>
              </thead>
              <tbody class="govuk-table__body">
                {work.data.actions_due.map((action) => (
                  <tr class="govuk-table__row" key={action.id}>
                    <td class="govuk-table__cell">{action.description}</td>
                    <td class="govuk-table__cell">
                      <a class="govuk-link" href={riskPlace(action)}>
                        {action.risk_reference} {action.risk_title}
                      </a>
                      {action.project_name && (
                        <>
                          <br />
                          <span class="govuk-body-s">
                            {action.project_reference} {action.project_name}
                          </span>
                        </>
                      )}
                    </td>
                    <td class="govuk-table__cell">{formatDate(action.due_date)}</td>
                    <td class="govuk-table__cell">
                      {action.overdue ? <strong class="govuk-tag govuk-tag--red">Overdue</strong> : <StatusTag value={action.status} />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  )
}

/** Where the action's risk is listed: its project's risks tab, or its programme or portfolio. */
function riskPlace(action: Schemas['ActionDue']): string {
  if (action.project_id) return `/projects/${action.project_id}?tab=risks`
  if (action.programme_id) return `/programmes/${action.programme_id}`
  return '/portfolio'
}

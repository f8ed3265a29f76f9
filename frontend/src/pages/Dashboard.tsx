import { api, type Schemas } from '../api/client'
import { HeatMap } from '../components/HeatMap'
import { PortfolioKpis } from '../components/KpiScorecard'
import { BarChart, Loading, ProblemPage, Scroll } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { confidenceLabel, formatDate, humanise } from '../lib/format'
import { defaultLifecycle } from '../lib/lifecycle'
import { useCan } from '../lib/me'

interface PortfolioView {
  overview: Schemas['PortfolioOverview']
  stages: Schemas['StagePublic'][]
  heatMap: Schemas['HeatMap']
}

const CONFIDENCE = ['green', 'amber_green', 'amber', 'amber_red', 'red'] as const

// Every programme's counts come in one request (GET /portfolio/overview), however many
// programmes there are; the lifecycle's stage names and the heat map come beside it.
async function loadPortfolio(): Promise<Loaded<PortfolioView>> {
  const [overview, lifecycle, heatMap] = await Promise.all([
    load(() => api.GET('/api/v1/portfolio/overview')),
    defaultLifecycle(),
    load(() => api.GET('/api/v1/risks/heat-map', { params: { query: { basis: 'residual' } } })),
  ])
  if (overview.problem) return overview
  if (lifecycle.problem) return lifecycle
  if (heatMap.problem) return heatMap
  return { data: { overview: overview.data, stages: lifecycle.data?.stages ?? [], heatMap: heatMap.data } }
}

export function Dashboard() {
  const can = useCan()
  const view = useResource('portfolio', loadPortfolio)
  return (
    <>
      <h1 class="govuk-heading-l">Portfolio dashboard</h1>
      {can('portfolio:manage') && (
        <a class="govuk-button" href="/programmes/new">
          Add a programme
        </a>
      )}
      <p class="govuk-body">
        <a class="govuk-link" href="/portfolio/finance">Portfolio financial summary</a> (costs, benefits by year and draw-downs)
      </p>
      <ul class="govuk-list">
        <li><a class="govuk-link" href="/portfolios">Portfolios</a> (add, change, close or open again)</li>
        <li><a class="govuk-link" href="/governance-bodies">Governance bodies</a> (boards, their members and meeting dates)</li>
        <li><a class="govuk-link" href="/delegation-rules">Delegation rules</a> (who approves draw-downs, up to what limit)</li>
      </ul>
      {view.problem ? (
        <ProblemPage problem={view.problem} onRetry={view.reload} />
      ) : !view.data ? (
        <Loading what="Loading the portfolio" />
      ) : (
        <PortfolioBody view={view.data} />
      )}
    </>
  )
}

function PortfolioBody({ view }: { view: PortfolioView }) {
  const stageKeys = [
    ...view.stages.map((s) => s.key),
    ...new Set(view.overview.programmes.flatMap((p) => Object.keys(p.projects_by_stage)).filter((k) => !view.stages.some((s) => s.key === k))),
  ]
  const stageName = (key: string) => view.stages.find((s) => s.key === key)?.name ?? humanise(key)
  const byStage = stageKeys.map((key) => ({
    label: stageName(key),
    value: view.overview.programmes.reduce((sum, p) => sum + (p.projects_by_stage[key] ?? 0), 0),
  }))
  const pending = view.overview.gate_reviews_pending
  const overdue = view.overview.milestones_overdue
  return (
    <>
      <h2 class="govuk-heading-m">Programmes</h2>
      <Scroll label="Projects by stage">
      <table class="govuk-table" data-testid="programmes-by-stage">
        <caption class="govuk-table__caption govuk-table__caption--s">Projects by stage</caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            <th scope="col" class="govuk-table__header">Programme</th>
            {stageKeys.map((key) => (
              <th scope="col" class="govuk-table__header govuk-table__header--numeric" key={key}>
                {stageName(key)}
              </th>
            ))}
            <th scope="col" class="govuk-table__header govuk-table__header--numeric">Total</th>
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          {view.overview.programmes.map((programme) => (
            <tr class="govuk-table__row" key={programme.programme_id}>
              <th scope="row" class="govuk-table__header">
                <a class="govuk-link" href={`/programmes/${programme.programme_id}`}>
                  {programme.name}
                </a>
              </th>
              {stageKeys.map((key) => (
                <td class="govuk-table__cell govuk-table__cell--numeric" key={key}>
                  {programme.projects_by_stage[key] ?? 0}
                </td>
              ))}
              <td class="govuk-table__cell govuk-table__cell--numeric">{programme.projects}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </Scroll>
      <BarChart caption="Projects by stage, whole portfolio" rows={byStage} unit="Projects" />

      <Scroll label="Projects by delivery confidence">
      <table class="govuk-table">
        <caption class="govuk-table__caption govuk-table__caption--s">Projects by delivery confidence</caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            <th scope="col" class="govuk-table__header">Programme</th>
            {CONFIDENCE.map((c) => (
              <th scope="col" class="govuk-table__header govuk-table__header--numeric" key={c}>
                {confidenceLabel(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          {view.overview.programmes.map((programme) => (
            <tr class="govuk-table__row" key={programme.programme_id}>
              <th scope="row" class="govuk-table__header">{programme.name}</th>
              {CONFIDENCE.map((c) => (
                <td class="govuk-table__cell govuk-table__cell--numeric" key={c}>
                  {programme.projects_by_confidence[c] ?? 0}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      </Scroll>

      <div class="govuk-grid-row">
        <div class="govuk-grid-column-one-half">
          <h2 class="govuk-heading-m">Gate reviews waiting</h2>
          {pending.length === 0 ? (
            <p class="govuk-body">No gate reviews are waiting for a decision.</p>
          ) : (
            <ul class="govuk-list" data-testid="pending-reviews">
              {pending.map((review) => (
                <li key={review.id}>
                  <a class="govuk-link" href={`/gate-reviews/${review.id}`}>
                    {review.project_reference} {review.project_name}
                  </a>{' '}
                  ({stageName(review.from_stage)} to {stageName(review.to_stage)}, requested {formatDate(review.requested_at)})
                </li>
              ))}
            </ul>
          )}
        </div>
        <div class="govuk-grid-column-one-half">
          <h2 class="govuk-heading-m">Milestones</h2>
          <p class="govuk-body">
            <strong>{view.overview.milestones_overdue_count}</strong> overdue, <strong>{view.overview.milestones_due_count}</strong> due in the next 90 days.
          </p>
          {overdue.length > 0 && (
            <details class="govuk-details">
              <summary class="govuk-details__summary">
                <span class="govuk-details__summary-text">Overdue milestones</span>
              </summary>
              <div class="govuk-details__text">
                <ul class="govuk-list">
                  {overdue.map((m) => (
                    <li key={m.id}>
                      <a class="govuk-link" href={`/projects/${m.project_id}?tab=milestones`}>
                        {m.title}
                      </a>{' '}
                      (due {formatDate(m.due_date)})
                    </li>
                  ))}
                </ul>
              </div>
            </details>
          )}
        </div>
      </div>

      <PortfolioKpis />

      <h2 class="govuk-heading-m">Risks</h2>
      <Scroll label="Risk heat map">
        <HeatMap map={view.heatMap} caption="Risk heat map, whole portfolio" register="" />
      </Scroll>
    </>
  )
}

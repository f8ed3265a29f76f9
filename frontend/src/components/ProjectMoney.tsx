import { api, type Schemas } from '../api/client'
import { load, type Loaded, useResource } from '../lib/data'
import { humanise, NOT_SET } from '../lib/format'
import { useCan } from '../lib/me'
import { pounds } from '../lib/money'
import { Loading, ProblemPage, Scroll } from './ui'

// The project page's money sections: its benefits (with their profile by year) and cost lines.

const CLASS: Record<string, string> = {
  cashable: 'Cashable',
  non_cashable: 'Non-cashable',
  qualitative: 'Qualitative',
  dis_benefit: 'Dis-benefit',
}

function money(value: string | null): string {
  return value === null ? 'Not known' : pounds(value)
}

interface BenefitsView {
  items: Schemas['BenefitPublic'][]
  owners: Map<string, string>
  kpis: Map<string, Schemas['KpiPublic']>
}

/** The project's benefits, with the names of their owners and KPIs (each read once). A name that
 * cannot be read is a nicety lost, not the tab. */
async function loadBenefits(projectId: string): Promise<Loaded<BenefitsView>> {
  const benefits = await load(() =>
    api.GET('/api/v1/benefits', { params: { query: { project_id: projectId, limit: 200, sort: 'reference' } } }),
  )
  if (benefits.problem) return benefits
  const items = benefits.data.items
  const ownerIds = [...new Set(items.map((b) => b.owner_id).filter((id): id is string => !!id))]
  const kpiIds = [...new Set(items.map((b) => b.kpi_id).filter((id): id is string => !!id))]
  const [owners, kpis] = await Promise.all([
    Promise.all(ownerIds.map((id) => load(() => api.GET('/api/v1/users/{user_id}', { params: { path: { user_id: id } } })))),
    Promise.all(kpiIds.map((id) => load(() => api.GET('/api/v1/kpis/{kpi_id}', { params: { path: { kpi_id: id } } })))),
  ])
  return {
    data: {
      items,
      owners: new Map(owners.flatMap((o) => (o.data ? [[o.data.id, o.data.display_name] as [string, string]] : []))),
      kpis: new Map(kpis.flatMap((k) => (k.data ? [[k.data.id, k.data] as [string, Schemas['KpiPublic']]] : []))),
    },
  }
}

export function ProjectBenefits({ projectId }: { projectId: string }) {
  const benefits = useResource(`benefits-${projectId}`, () => loadBenefits(projectId))
  const editable = useCan()('costs_benefits:edit')
  if (benefits.problem) return <ProblemPage problem={benefits.problem} onRetry={benefits.reload} />
  if (!benefits.data) return <Loading what="Loading benefits" />
  const { items, owners, kpis } = benefits.data
  const add = editable && (
    <a class="govuk-button govuk-button--secondary" href={`/projects/${projectId}/benefits/new`}>
      Add a benefit
    </a>
  )
  if (items.length === 0)
    return (
      <>
        {add}
        <p class="govuk-body">No benefits recorded.</p>
      </>
    )
  return (
    <>
      {add}
      {items.map((b) => (
        <div key={b.id} class="govuk-!-margin-bottom-6">
          <h3 class="govuk-heading-s">
            {b.reference} {b.title}
          </h3>
          {b.allowed_actions.length > 0 && (
            <p class="govuk-body">
              {b.allowed_actions.includes('edit') && (
                <a class="govuk-link" href={`/benefits/${b.id}/edit`}>
                  Change<span class="govuk-visually-hidden"> benefit {b.reference}</span>
                </a>
              )}
              {b.benefit_class !== 'qualitative' && b.allowed_actions.includes('replace_profile') && (
                <>
                  {' · '}
                  <a class="govuk-link" href={`/benefits/${b.id}/profile`}>
                    Change the profile<span class="govuk-visually-hidden"> of benefit {b.reference}</span>
                  </a>
                </>
              )}
            </p>
          )}
          <p class="govuk-body">
            {CLASS[b.benefit_class] ?? humanise(b.benefit_class)}, {humanise(b.category).toLowerCase()}, {humanise(b.status).toLowerCase()}
            {b.in_mtfp ? '; already in the MTFP' : ''}.{b.description ? ` ${b.description}` : ''}
          </p>
          <p class="govuk-body" data-testid={`benefit-links-${b.reference}`}>
            Owner: {b.owner_id ? owners.get(b.owner_id) ?? 'Someone no longer listed' : NOT_SET}.{' '}
            Measured by: {b.kpi_id ? <KpiLink kpi={kpis.get(b.kpi_id)} id={b.kpi_id} /> : 'No KPI'}.
          </p>
          {b.profile.length > 0 && (
            <Scroll label={`${b.reference} profile by financial year`}>
              <table class="govuk-table app-table--small">
                <caption class="govuk-table__caption govuk-visually-hidden">{b.reference} profile by financial year</caption>
                <thead class="govuk-table__head">
                  <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">Financial year</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">Planned</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">Forecast</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">Actual</th>
                  </tr>
                </thead>
                <tbody class="govuk-table__body">
                  {b.profile.map((entry) => (
                    <tr class="govuk-table__row" key={entry.financial_year}>
                      <th scope="row" class="govuk-table__header">{entry.financial_year}</th>
                      <td class="govuk-table__cell govuk-table__cell--numeric">{money(entry.planned)}</td>
                      <td class="govuk-table__cell govuk-table__cell--numeric">{money(entry.forecast)}</td>
                      <td class="govuk-table__cell govuk-table__cell--numeric">{money(entry.actual)}</td>
                    </tr>
                  ))}
                  <tr class="govuk-table__row app-total-row">
                    <th scope="row" class="govuk-table__header">Total</th>
                    <td class="govuk-table__cell govuk-table__cell--numeric">{pounds(b.totals.planned)}</td>
                    <td class="govuk-table__cell govuk-table__cell--numeric">{pounds(b.totals.forecast)}</td>
                    <td class="govuk-table__cell govuk-table__cell--numeric">{pounds(b.totals.actual)}</td>
                  </tr>
                </tbody>
              </table>
            </Scroll>
          )}
        </div>
      ))}
    </>
  )
}

function KpiLink({ kpi, id }: { kpi?: Schemas['KpiPublic']; id: string }) {
  return (
    <a class="govuk-link" href={`/kpis/${id}`}>
      {kpi ? `KPI ${kpi.code} ${kpi.name}` : 'its KPI'}
    </a>
  )
}

interface CostsView {
  lines: Schemas['CostLinePublic'][]
  totals: Schemas['CostTotals']
  sources: Map<string, string>
}

async function loadCosts(projectId: string): Promise<Loaded<CostsView>> {
  const [lines, totals, sources] = await Promise.all([
    load(() => api.GET('/api/v1/cost-lines', { params: { query: { project_id: projectId, limit: 200, sort: 'financial_year' } } })),
    load(() => api.GET('/api/v1/cost-lines/totals', { params: { query: { project_id: projectId } } })),
    load(() => api.GET('/api/v1/funding-sources', { params: { query: { limit: 200 } } })),
  ])
  if (lines.problem) return lines
  if (totals.problem) return totals
  if (sources.problem) return sources
  return {
    data: { lines: lines.data.items, totals: totals.data, sources: new Map(sources.data.items.map((s) => [s.id, s.name])) },
  }
}

export function ProjectCosts({ projectId }: { projectId: string }) {
  const costs = useResource(`costs-${projectId}`, () => loadCosts(projectId))
  const editable = useCan()('costs_benefits:edit')
  if (costs.problem) return <ProblemPage problem={costs.problem} onRetry={costs.reload} />
  if (!costs.data) return <Loading what="Loading cost lines" />
  const { lines, totals, sources } = costs.data
  const changeable = lines.some((line) => line.allowed_actions.includes('edit'))
  const add = editable && (
    <a class="govuk-button govuk-button--secondary" href={`/projects/${projectId}/cost-lines/new`}>
      Add a cost line
    </a>
  )
  if (lines.length === 0)
    return (
      <>
        {add}
        <p class="govuk-body">No cost lines recorded.</p>
      </>
    )
  return (
    <>
    {add}
    <Scroll label="Cost lines">
      <table class="govuk-table" data-testid="cost-lines">
        <caption class="govuk-table__caption govuk-visually-hidden">Cost lines</caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            <th scope="col" class="govuk-table__header">Description</th>
            <th scope="col" class="govuk-table__header">Kind</th>
            <th scope="col" class="govuk-table__header">Financial year</th>
            <th scope="col" class="govuk-table__header">Funding source</th>
            <th scope="col" class="govuk-table__header govuk-table__header--numeric">Amount</th>
            {changeable && <th scope="col" class="govuk-table__header">Action</th>}
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          {lines.map((line) => (
            <tr class="govuk-table__row" key={line.id}>
              <td class="govuk-table__cell">
                {line.description}
                {line.grade ? ` (${line.grade})` : ''}
              </td>
              <td class="govuk-table__cell">{line.kind === 'one_off' ? 'One-off investment' : 'Resourcing'}</td>
              <td class="govuk-table__cell app-nowrap">{line.financial_year}</td>
              <td class="govuk-table__cell">{line.funding_source_id ? (sources.get(line.funding_source_id) ?? 'Funding source') : NOT_SET}</td>
              <td class="govuk-table__cell govuk-table__cell--numeric app-nowrap">{pounds(line.amount)}</td>
              {changeable && (
                <td class="govuk-table__cell">
                  {line.allowed_actions.includes('edit') && (
                    <a class="govuk-link" href={`/cost-lines/${line.id}/edit`}>
                      Change<span class="govuk-visually-hidden"> {line.description} {line.financial_year}</span>
                    </a>
                  )}
                </td>
              )}
            </tr>
          ))}
          <tr class="govuk-table__row app-total-row">
            <th scope="row" class="govuk-table__header" colSpan={4}>
              Total
            </th>
            <td class="govuk-table__cell govuk-table__cell--numeric app-nowrap">{pounds(totals.total)}</td>
            {changeable && <td class="govuk-table__cell" />}
          </tr>
        </tbody>
      </table>
    </Scroll>
    </>
  )
}

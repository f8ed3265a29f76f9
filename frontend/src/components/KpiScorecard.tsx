import { api, type Schemas } from '../api/client'
import { load, useResource } from '../lib/data'
import { formatDate, NOT_SET, ragTagClass } from '../lib/format'
import { directionArrow, directionLabel, kpiNumber, kpiRagLabel } from '../lib/kpi'
import { useCan } from '../lib/me'
import { useLocation } from '../lib/router'
import { Loading, ProblemPage, Scroll } from './ui'

/** A KPI's RAG as a tag: the word, with the colour. */
export function KpiRag({ rag }: { rag: string | null | undefined }) {
  return <strong class={`govuk-tag ${ragTagClass(rag)}`}>{kpiRagLabel(rag)}</strong>
}

/** Direction of travel in words, with an arrow that screen readers skip. */
export function Direction({ direction, change }: { direction: string | null | undefined; change?: string | null }) {
  const arrow = directionArrow(direction)
  return (
    <span class="app-nowrap">
      {arrow && <span aria-hidden="true">{arrow} </span>}
      {directionLabel(direction)}
      {change ? ` (${Number(change) > 0 ? '+' : ''}${change}%)` : ''}
    </span>
  )
}

/** Counts by RAG, each a number with its word. */
export function RagCounts({ counts }: { counts: Schemas['RagCounts'] }) {
  const items: [string | null, string, number][] = [
    ['green', 'Green', counts.green],
    ['amber', 'Amber', counts.amber],
    ['red', 'Red', counts.red],
    [null, 'No RAG or no value', counts.no_rag],
  ]
  return (
    <ul class="govuk-list app-rag-counts" data-testid="kpi-rag-counts">
      {items.map(([rag, label, count]) => (
        <li key={label}>
          <strong class={`govuk-tag ${ragTagClass(rag)}`}>{label}</strong> <span class="app-rag-counts__count">{count}</span>
        </li>
      ))}
    </ul>
  )
}

function dataState(row: Schemas['ScorecardRow']): string {
  if (row.missing_data) return `Missing for ${row.last_ended_period.label}`
  if (row.awaiting_publication) return `${row.last_ended_period.label} awaiting publication`
  return 'Up to date'
}

/** The scorecard: each KPI's latest value, RAG, direction and whether data is missing. */
export function KpiScorecardTable({ scorecard, caption }: { scorecard: Schemas['Scorecard']; caption: string }) {
  if (scorecard.rows.length === 0) return <p class="govuk-body">No active KPIs are linked here.</p>
  return (
    <Scroll label={caption}>
      <table class="govuk-table" data-testid="kpi-scorecard">
        <caption class="govuk-table__caption govuk-table__caption--s">
          {caption} (as of {formatDate(scorecard.as_of)})
        </caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            <th scope="col" class="govuk-table__header">KPI</th>
            <th scope="col" class="govuk-table__header">Latest period</th>
            <th scope="col" class="govuk-table__header govuk-table__header--numeric">Value</th>
            <th scope="col" class="govuk-table__header govuk-table__header--numeric">Target</th>
            <th scope="col" class="govuk-table__header">RAG</th>
            <th scope="col" class="govuk-table__header">Direction</th>
            <th scope="col" class="govuk-table__header">Data</th>
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          {scorecard.rows.map((row) => (
            <tr class="govuk-table__row" key={row.kpi.id}>
              <th scope="row" class="govuk-table__header">
                <a class="govuk-link" href={`/kpis/${row.kpi.id}`}>
                  {row.kpi.code}
                </a>{' '}
                <span class="govuk-body-s">{row.kpi.name}</span>
              </th>
              <td class="govuk-table__cell app-nowrap">
                {row.latest ? row.latest.period.label : 'No value yet'}
                {row.latest && row.latest.status !== 'published' && ` (${row.latest.status}, not published)`}
              </td>
              <td class="govuk-table__cell govuk-table__cell--numeric">{kpiNumber(row.latest?.actual, row.kpi.unit)}</td>
              <td class="govuk-table__cell govuk-table__cell--numeric">
                {row.latest?.assessment.target ? kpiNumber(row.latest.assessment.target, row.kpi.unit) : NOT_SET}
              </td>
              <td class="govuk-table__cell">{row.latest ? <KpiRag rag={row.latest.assessment.rag} /> : 'No value'}</td>
              <td class="govuk-table__cell">
                {row.latest ? <Direction direction={row.latest.assessment.direction_vs_previous} /> : ''}
              </td>
              <td class="govuk-table__cell">
                {row.missing_data ? <strong class="govuk-tag govuk-tag--red">{dataState(row)}</strong> : dataState(row)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  )
}

/** The programme page's KPI panel: the scorecard of KPIs linked to it or its projects. */
export function ProgrammeKpis({ programmeId }: { programmeId: string }) {
  const { path, search } = useLocation()
  const can = useCan()
  // The PMO may see the latest values whatever their state (`include_unpublished`), kept in the address.
  const params = new URLSearchParams(search)
  const unpublished = can('kpi_drafts:read') && params.get('unpublished') === 'true'
  if (unpublished) params.delete('unpublished')
  else params.set('unpublished', 'true')
  const toggle = `${path}${params.toString() ? `?${params.toString()}` : ''}`
  const scorecard = useResource(`programme-scorecard-${programmeId}-${unpublished}`, () =>
    load(() =>
      api.GET('/api/v1/programmes/{programme_id}/kpi-scorecard', {
        params: { path: { programme_id: programmeId }, query: { include_unpublished: unpublished } },
      }),
    ),
  )
  return (
    <section aria-labelledby="kpis-heading">
      <h2 class="govuk-heading-m" id="kpis-heading">
        KPIs
      </h2>
      {scorecard.problem ? (
        <ProblemPage problem={scorecard.problem} onRetry={scorecard.reload} />
      ) : !scorecard.data ? (
        <Loading what="Loading the KPI scorecard" />
      ) : (
        <>
          <p class="govuk-body">
            {unpublished ? 'Latest values whatever their state, published or not.' : 'Latest published values.'}
            {can('kpi_drafts:read') && (
              <>
                {' '}
                <a class="govuk-link" href={toggle}>
                  {unpublished ? 'Show published values only' : 'Include values not yet published'}
                </a>
              </>
            )}
          </p>
          <RagCounts counts={scorecard.data.counts} />
          <KpiScorecardTable scorecard={scorecard.data} caption={unpublished ? 'KPI scorecard, unpublished values included' : 'KPI scorecard'} />
          <p class="govuk-body">
            <a class="govuk-link" href={`/kpis?programme_id=${programmeId}`}>
              Every KPI of this programme
            </a>
          </p>
        </>
      )}
    </section>
  )
}

/** The dashboard's KPI panel: the organisation's counts by RAG and the KPIs missing data. */
export function PortfolioKpis() {
  const scorecard = useResource('organisation-scorecard', () => load(() => api.GET('/api/v1/kpi-scorecard')))
  return (
    <section aria-labelledby="kpis-heading">
      <h2 class="govuk-heading-m" id="kpis-heading">
        KPIs
      </h2>
      {scorecard.problem ? (
        <ProblemPage problem={scorecard.problem} onRetry={scorecard.reload} />
      ) : !scorecard.data ? (
        <Loading what="Loading the KPI scorecard" />
      ) : (
        <>
          <p class="govuk-body">
            Latest published values of the {scorecard.data.rows.length} active KPIs, as of {formatDate(scorecard.data.as_of)}.
          </p>
          <RagCounts counts={scorecard.data.counts} />
          {scorecard.data.missing_data.length > 0 && (
            <>
              <h3 class="govuk-heading-s">Missing data</h3>
              <ul class="govuk-list" data-testid="kpi-missing-data">
                {scorecard.data.missing_data.map((m) => (
                  <li key={m.kpi_id}>
                    <a class="govuk-link" href={`/kpis/${m.kpi_id}`}>
                      {m.code} {m.name}
                    </a>
                    : no value for {m.period.label}
                  </li>
                ))}
              </ul>
            </>
          )}
          <details class="govuk-details">
            <summary class="govuk-details__summary">
              <span class="govuk-details__summary-text">The scorecard, KPI by KPI</span>
            </summary>
            <div class="govuk-details__text">
              <KpiScorecardTable scorecard={scorecard.data} caption="KPI scorecard, whole organisation" />
            </div>
          </details>
          <p class="govuk-body">
            <a class="govuk-link" href="/kpis">
              Every KPI
            </a>
          </p>
        </>
      )}
    </section>
  )
}

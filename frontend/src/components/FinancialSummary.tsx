import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { authFetch } from '../api/session'
import { type Fetched, load, useResource } from '../lib/data'
import { humanise } from '../lib/format'
import { pence, pounds } from '../lib/money'
import { type Problem, NETWORK_PROBLEM, describe, problemFrom } from '../lib/problem'
import { readQuery, writeQuery } from '../lib/query'
import { navigate, useLocation } from '../lib/router'
import { Chart } from './Chart'
import { Loading, ProblemPage, Scroll, Select } from './ui'

type Summary = Schemas['FinancialSummary']
type Scope = { programmeId: string } | { portfolioId: string }

const BASES = ['planned', 'forecast', 'actual'] as const
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

function summaryUrl(scope: Scope): string {
  return 'programmeId' in scope
    ? `/api/v1/programmes/${encodeURIComponent(scope.programmeId)}/financial-summary`
    : `/api/v1/portfolios/${encodeURIComponent(scope.portfolioId)}/financial-summary`
}

/** Appendix B of the council's report, worked out by the server: benefits by year, per-project
 *  rows, totals, costs and draw-downs by funding source, with CSV and XLSX downloads. */
export function FinancialSummary({ scope, headingLevel = 2 }: { scope: Scope; headingLevel?: 2 | 3 }) {
  const { path, search } = useLocation()
  const query = readQuery(search, ['basis'])
  const basis = (query.basis ?? 'planned') as (typeof BASES)[number]
  const key = `summary-${'programmeId' in scope ? scope.programmeId : scope.portfolioId}-${basis}`
  // The operation also answers CSV and XLSX (by Accept); without Accept it is JSON, so the text
  // variants of the generated type do not apply here. `lines: 'none'`: the totals without the
  // thousands of lines behind them, which the draw-downs section pages when opened.
  const summary = useResource(key, () =>
    load<Summary>(() =>
      ('programmeId' in scope
        ? api.GET('/api/v1/programmes/{programme_id}/financial-summary', {
            params: { path: { programme_id: scope.programmeId }, query: { basis, lines: 'none' } },
          })
        : api.GET('/api/v1/portfolios/{portfolio_id}/financial-summary', {
            params: { path: { portfolio_id: scope.portfolioId }, query: { basis, lines: 'none' } },
          })) as Promise<Fetched<Summary>>,
    ),
  )
  const H = `h${headingLevel}` as 'h2'
  const H3 = `h${headingLevel + 1}` as 'h3'
  const all = new URLSearchParams(search)
  const chooseBasis = (value: string) => {
    if (value === 'planned') all.delete('basis')
    else all.set('basis', value)
    const text = all.toString()
    navigate(path + (text ? `?${text}` : ''), true)
  }
  return (
    <section aria-labelledby="financial-summary">
      <H class="govuk-heading-m" id="financial-summary">Financial summary</H>
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-one-third">
          <Select name="basis" label="Benefit values" labelClass="govuk-label--s" errors={null} value={basis}
            onChange={chooseBasis} options={BASES.map((b) => ({ value: b, text: humanise(b) }))} />
        </div>
        <div class="govuk-grid-column-two-thirds">
          <Downloads url={summaryUrl(scope)} query={writeQuery({ basis })} />
        </div>
      </div>
      {summary.problem ? (
        <ProblemPage problem={summary.problem} onRetry={summary.reload} />
      ) : !summary.data ? (
        <Loading what="Loading the financial summary" />
      ) : (
        <SummaryBody summary={summary.data} scope={scope} H3={H3} />
      )}
    </section>
  )
}

/** The CSV (the projects table) and the XLSX (a sheet per table) are their own operations;
 *  they need the access token, so they are fetched and saved from a blob. */
function Downloads({ url, query }: { url: string; query: string }) {
  const [problem, setProblem] = useState<Problem | null>(null)
  const [busy, setBusy] = useState('')
  const download = async (accept: string, extension: string) => {
    setBusy(extension)
    setProblem(null)
    try {
      const response = await authFetch(new Request(`${url}.${extension}${query}`, { headers: { Accept: accept } }))
      if (!response.ok) {
        setProblem(await problemFrom(response))
        return
      }
      const disposition = response.headers.get('Content-Disposition') ?? ''
      const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `financial-summary.${extension}`
      const link = document.createElement('a')
      link.href = URL.createObjectURL(await response.blob())
      link.download = name
      document.body.appendChild(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
    } catch {
      setProblem(NETWORK_PROBLEM)
    } finally {
      setBusy('')
    }
  }
  return (
    <div class="govuk-!-margin-top-6">
      <div class="govuk-button-group">
        <button type="button" class="govuk-button govuk-button--secondary" disabled={busy === 'csv'} onClick={() => download('text/csv', 'csv')}>
          Download as CSV
        </button>
        <button type="button" class="govuk-button govuk-button--secondary" disabled={busy === 'xlsx'} onClick={() => download(XLSX, 'xlsx')}>
          Download as a spreadsheet (XLSX)
        </button>
      </div>
      {problem && (
        <p class="govuk-error-message" role="alert">
          <span class="govuk-visually-hidden">Error:</span> The download failed: {describe(problem)}
        </p>
      )}
    </div>
  )
}

function amountOf(list: Schemas['YearAmount'][], year: string): string {
  return list.find((entry) => entry.financial_year === year)?.amount ?? '0.00'
}

function Num({ value, header }: { value: string; header?: boolean }) {
  const cls = 'govuk-table__cell govuk-table__cell--numeric app-nowrap'
  return header ? <th scope="row" class={cls}>{pounds(value)}</th> : <td class={cls}>{pounds(value)}</td>
}

function SummaryBody({ summary, scope, H3 }: { summary: Summary; scope: Scope; H3: 'h3' }) {
  const years = summary.financial_years
  const t = summary.totals
  const [opened, setOpened] = useState(false)
  const cumulative = (year: string) => amountOf(t.cumulative, year)
  return (
    <>
      <p class="govuk-body">
        {summary.scope_name}: {humanise(summary.basis)} cashable benefits of <strong>{pounds(t.cashable_benefits_total)}</strong>{' '}
        ({pounds(t.already_in_mtfp_total)} already in the MTFP, {pounds(t.new_total)} new), then{' '}
        <strong>{pounds(t.recurring_thereafter.total)}</strong> a year thereafter; one-off investment{' '}
        {pounds(t.one_off_investment)}, resourcing {pounds(t.resourcing)}.
      </p>
      <BenefitsChart years={years} totals={t.cashable_benefits} H3={H3} />

      <H3 class="govuk-heading-s">Projects</H3>
      {summary.rows.length === 0 ? (
        <p class="govuk-body">No project has a cost line or a cashable benefit yet.</p>
      ) : (
        <Scroll label="Financial summary by project">
          <table class="govuk-table app-table--small" data-testid="summary-rows">
            <caption class="govuk-table__caption govuk-visually-hidden">Financial summary by project</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Ref</th>
                <th scope="col" class="govuk-table__header">Activity</th>
                <th scope="col" class="govuk-table__header">Stage</th>
                <th scope="col" class="govuk-table__header">Service area</th>
                <th scope="col" class="govuk-table__header govuk-table__header--numeric">One-off investment</th>
                <th scope="col" class="govuk-table__header govuk-table__header--numeric">Resourcing</th>
                {years.map((y) => (
                  <th scope="col" class="govuk-table__header govuk-table__header--numeric" key={y}>{y}</th>
                ))}
                <th scope="col" class="govuk-table__header govuk-table__header--numeric">Total benefits</th>
                <th scope="col" class="govuk-table__header govuk-table__header--numeric">Already in MTFP</th>
                <th scope="col" class="govuk-table__header govuk-table__header--numeric">New</th>
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {summary.rows.map((row, i) => (
                <tr class="govuk-table__row" key={row.project_id ?? `programme-${i}`}>
                  <td class="govuk-table__cell app-nowrap">{row.reference ?? ''}</td>
                  <th scope="row" class="govuk-table__header">
                    {row.project_id ? <a class="govuk-link" href={`/projects/${row.project_id}?tab=benefits`}>{row.name}</a> : row.name}
                  </th>
                  <td class="govuk-table__cell">{row.stage_name ?? ''}</td>
                  <td class="govuk-table__cell">{row.service_area ?? ''}</td>
                  <Num value={row.one_off_investment} />
                  <Num value={row.resourcing} />
                  {years.map((y) => <Num key={y} value={amountOf(row.cashable_benefits, y)} />)}
                  <Num value={row.cashable_benefits_total} />
                  <Num value={row.already_in_mtfp} />
                  <Num value={row.new} />
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr class="govuk-table__row app-total-row">
                <td class="govuk-table__cell" />
                <th scope="row" class="govuk-table__header" colSpan={3}>Total</th>
                <Num value={t.one_off_investment} />
                <Num value={t.resourcing} />
                {years.map((y) => <Num key={y} value={amountOf(t.cashable_benefits, y)} />)}
                <Num value={t.cashable_benefits_total} />
                <Num value={t.already_in_mtfp_total} />
                <Num value={t.new_total} />
              </tr>
            </tfoot>
          </table>
        </Scroll>
      )}

      <Scroll label="Cashable benefits by year">
        <table class="govuk-table" data-testid="summary-totals">
          <caption class="govuk-table__caption govuk-table__caption--s">Cashable benefits by year</caption>
          <thead class="govuk-table__head">
            <tr class="govuk-table__row">
              <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Measure</span></th>
              {years.map((y) => <th scope="col" class="govuk-table__header govuk-table__header--numeric" key={y}>{y}</th>)}
              <th scope="col" class="govuk-table__header govuk-table__header--numeric">Recurring thereafter</th>
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            {[
              ['Already in the MTFP', t.already_in_mtfp, t.recurring_thereafter.already_in_mtfp],
              ['New', t.new, t.recurring_thereafter.new],
              ['Total', t.cashable_benefits, t.recurring_thereafter.total],
            ].map(([label, list, recurring]) => (
              <tr class="govuk-table__row" key={label as string}>
                <th scope="row" class="govuk-table__header">{label as string}</th>
                {years.map((y) => <Num key={y} value={amountOf(list as Schemas['YearAmount'][], y)} />)}
                <Num value={recurring as string} />
              </tr>
            ))}
            <tr class="govuk-table__row">
              <th scope="row" class="govuk-table__header">Cumulative</th>
              {years.map((y) => <Num key={y} value={cumulative(y)} />)}
              <td class="govuk-table__cell" />
            </tr>
          </tbody>
        </table>
      </Scroll>

      <H3 class="govuk-heading-s">Costs by funding source</H3>
      {summary.costs_by_funding_source.length === 0 ? (
        <p class="govuk-body">No cost lines.</p>
      ) : (
        <Scroll label="Costs by funding source">
          <table class="govuk-table">
            <caption class="govuk-table__caption govuk-visually-hidden">Costs by funding source</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Funding source</th>
                {summary.cost_years.map((y) => <th scope="col" class="govuk-table__header govuk-table__header--numeric" key={y}>{y}</th>)}
                <th scope="col" class="govuk-table__header govuk-table__header--numeric">Total</th>
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {summary.costs_by_funding_source.map((s) => (
                <tr class="govuk-table__row" key={s.funding_source_id ?? 'none'}>
                  <th scope="row" class="govuk-table__header">{s.funding_source_name ?? 'No funding source'}</th>
                  {summary.cost_years.map((y) => <Num key={y} value={amountOf(s.by_year, y)} />)}
                  <Num value={s.total} />
                </tr>
              ))}
              <tr class="govuk-table__row">
                <th scope="row" class="govuk-table__header">Total</th>
                {summary.cost_years.map((y) => <Num key={y} value={amountOf(summary.costs_by_year, y)} />)}
                <Num value={summary.costs_total} />
              </tr>
            </tbody>
          </table>
        </Scroll>
      )}

      <H3 class="govuk-heading-s">Draw-downs by funding source</H3>
      {summary.drawdowns_by_funding_source.length === 0 ? (
        <p class="govuk-body">No draw-downs for these projects.</p>
      ) : (
        <>
          <Scroll label="Draw-downs by funding source">
            <table class="govuk-table" data-testid="summary-drawdowns">
              <caption class="govuk-table__caption govuk-visually-hidden">Draw-downs by funding source</caption>
              <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                  <th scope="col" class="govuk-table__header">Funding source</th>
                  <th scope="col" class="govuk-table__header govuk-table__header--numeric">Approved here</th>
                  <th scope="col" class="govuk-table__header govuk-table__header--numeric">Pending here</th>
                  <th scope="col" class="govuk-table__header govuk-table__header--numeric">Opening balance</th>
                  <th scope="col" class="govuk-table__header govuk-table__header--numeric">Committed (all)</th>
                  <th scope="col" class="govuk-table__header govuk-table__header--numeric">Remaining</th>
                </tr>
              </thead>
              <tbody class="govuk-table__body">
                {summary.drawdowns_by_funding_source.map((s) => (
                  <tr class="govuk-table__row" key={s.funding_source_id}>
                    <th scope="row" class="govuk-table__header">{s.funding_source_name}</th>
                    <Num value={s.approved} />
                    <Num value={s.pending} />
                    <Num value={s.opening_balance} />
                    <Num value={s.committed} />
                    <Num value={s.remaining} />
                  </tr>
                ))}
                <tr class="govuk-table__row">
                  <th scope="row" class="govuk-table__header">Total</th>
                  <Num value={summary.drawdowns_approved} />
                  <Num value={summary.drawdowns_pending} />
                  <td class="govuk-table__cell" colSpan={3} />
                </tr>
              </tbody>
            </table>
          </Scroll>
          <details class="govuk-details" onToggle={(event) => setOpened(opened || (event.currentTarget as HTMLDetailsElement).open)}>
            <summary class="govuk-details__summary">
              <span class="govuk-details__summary-text">Each draw-down ({summary.drawdowns_count})</span>
            </summary>
            <div class="govuk-details__text">{opened && <DrawdownLines scope={scope} />}</div>
          </details>
        </>
      )}
    </>
  )
}

const LINES_PER_PAGE = 50

/** The summary's draw-downs a page at a time (there are thousands at a large council). */
function DrawdownLines({ scope }: { scope: Scope }) {
  const [offset, setOffset] = useState(0)
  const query = { limit: LINES_PER_PAGE, offset }
  const key = `summary-lines-${'programmeId' in scope ? scope.programmeId : scope.portfolioId}-${offset}`
  const page = useResource(key, () =>
    load(() =>
      'programmeId' in scope
        ? api.GET('/api/v1/programmes/{programme_id}/financial-summary/drawdowns', {
            params: { path: { programme_id: scope.programmeId }, query },
          })
        : api.GET('/api/v1/portfolios/{portfolio_id}/financial-summary/drawdowns', {
            params: { path: { portfolio_id: scope.portfolioId }, query },
          }),
    ),
  )
  if (page.problem) return <ProblemPage problem={page.problem} onRetry={page.reload} />
  if (!page.data) return <Loading what="Loading the draw-downs" />
  const { items, total } = page.data
  const last = Math.min(offset + items.length, total)
  return (
    <>
      <ul class="govuk-list" data-testid="summary-drawdown-lines">
        {items.map((d) => (
          <li key={d.id}>
            <a class="govuk-link" href={`/drawdowns/${d.id}`}>{d.reference}</a> {d.project_reference} {d.project_name}:{' '}
            {pounds(d.amount)} from {d.funding_source_name} in {d.financial_year}, {humanise(d.status)} ({humanise(d.route)}
            {d.minute_reference ? `, minute ${d.minute_reference}` : ''})
          </li>
        ))}
      </ul>
      {total > LINES_PER_PAGE && (
        <div class="govuk-button-group">
          <p class="govuk-body">{offset + 1} to {last} of {total}</p>
          <button type="button" class="govuk-button govuk-button--secondary" disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - LINES_PER_PAGE))}>Previous draw-downs</button>
          <button type="button" class="govuk-button govuk-button--secondary" disabled={last >= total}
            onClick={() => setOffset(offset + LINES_PER_PAGE)}>Next draw-downs</button>
        </div>
      )}
    </>
  )
}

/** Cashable benefits per year as bars (Chart.js); the same figures are in the table that follows it. */
export function BenefitsChart({ years, totals, H3 }: { years: string[]; totals: Schemas['YearAmount'][]; H3: 'h3' }) {
  if (years.length === 0) return null
  const labels = years.map((y) => pounds(amountOf(totals, y)))
  return (
    <figure class="app-chart" aria-labelledby="benefits-chart-title">
      <H3 class="govuk-heading-s" id="benefits-chart-title">Cashable benefits by financial year</H3>
      <Chart
        label={`Cashable benefits by financial year: ${years.map((y, i) => `${y}: ${labels[i]}`).join('; ')}. The same figures are in the table below.`}
        height={260}
        testId="benefits-chart"
        spec={{
          kind: 'bars',
          labels: years,
          // Pounds as numbers only place the bars; every figure shown is the exact text.
          values: years.map((y) => pence(amountOf(totals, y)) / 100),
          valueLabels: labels.map((text) => text.replace(/\.00$/, '')),
          horizontal: false,
          tick: (value) => `£${value.toLocaleString('en-GB')}`,
        }}
      />
    </figure>
  )
}

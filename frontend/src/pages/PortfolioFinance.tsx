import { api } from '../api/client'
import { ReportPacks } from '../components/ReportPacks'
import { FinancialSummary } from '../components/FinancialSummary'
import { Loading, ProblemPage, Select } from '../components/ui'
import { load, useResource } from '../lib/data'
import { readQuery, writeQuery } from '../lib/query'
import { navigate, useLocation } from '../lib/router'

/** The portfolio's appendix B: every programme's projects in one financial summary. */
export function PortfolioFinance() {
  const { path, search } = useLocation()
  const query = readQuery(search, ['portfolio_id', 'basis'])
  const portfolios = useResource('portfolios', () =>
    load(() => api.GET('/api/v1/portfolios', { params: { query: { limit: 200 } } })),
  )
  if (portfolios.problem) return <ProblemPage problem={portfolios.problem} onRetry={portfolios.reload} />
  if (!portfolios.data) return <Loading what="Loading the portfolio" />
  const items = portfolios.data.items
  const current = items.find((p) => p.id === query.portfolio_id) ?? items[0]
  return (
    <>
      <span class="govuk-caption-l">
        <a class="govuk-link" href="/portfolio">Portfolio dashboard</a>
      </span>
      <h1 class="govuk-heading-l">Portfolio financial summary</h1>
      {!current ? (
        <p class="govuk-body">There is no portfolio yet.</p>
      ) : (
        <>
          {items.length > 1 && (
            <Select name="portfolio_id" label="Portfolio" labelClass="govuk-label--s" errors={null} value={current.id}
              onChange={(id) => navigate(path + writeQuery({ ...query, portfolio_id: id }))}
              options={items.map((p) => ({ value: p.id, text: p.name }))} />
          )}
          <p class="govuk-body">{current.name}</p>
          <FinancialSummary scope={{ portfolioId: current.id }} />
          <ReportPacks scope={{ portfolioId: current.id }} />
        </>
      )}
    </>
  )
}

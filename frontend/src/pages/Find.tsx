import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { authFetch } from '../api/session'
import { HistoryPanel } from '../components/HistoryPanel'
import { Loading, Pagination, ProblemPage, Scroll } from '../components/ui'
import { formatDate, humanise } from '../lib/format'
import { load, useResource } from '../lib/data'
import { useCan } from '../lib/me'
import { type Problem, NETWORK_PROBLEM, describe, problemFrom } from '../lib/problem'
import { readQuery, writeQuery } from '../lib/query'
import { navigate, useLocation } from '../lib/router'

type Kind = Schemas['SearchResult']['kind']
const KIND_LABELS: Record<Kind, string> = {
  project: 'Project',
  programme: 'Programme',
  risk: 'Risk',
  issue: 'Issue',
  action: 'Risk action',
  kpi: 'KPI',
  drawdown: 'Draw-down',
}

/** Where a result opens: the record's page, or its history where it has no page of its own. */
function resultHref(result: Schemas['SearchResult']): string {
  switch (result.kind) {
    case 'project':
      return `/projects/${result.id}`
    case 'programme':
      return `/programmes/${result.id}`
    case 'kpi':
      return `/kpis/${result.id}`
    case 'drawdown':
      return `/drawdowns/${result.id}`
    case 'risk':
      return `/history/risk/${result.id}`
    case 'issue':
      return `/history/issue/${result.id}`
    default:
      return `/raid-register?type=risk`
  }
}

/** The search box in the header: a GET form, so it works before the app has loaded too. */
export function HeaderSearch() {
  return (
    <form
      role="search"
      class="app-header__search app-no-print"
      action="/search"
      method="get"
      onSubmit={(event) => {
        event.preventDefault()
        const q = new FormData(event.currentTarget).get('q')?.toString().trim() ?? ''
        navigate(`/search${writeQuery({ q })}`)
      }}
    >
      <label class="govuk-visually-hidden" for="app-search">
        Search the registers
      </label>
      <input class="govuk-input govuk-input--width-20" id="app-search" name="q" type="search" />
      <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0">
        Search
      </button>
    </form>
  )
}

export function SearchPage() {
  const { search } = useLocation()
  const query = readQuery(search, ['q', 'offset'])
  const q = query.q ?? ''
  const results = useResource(`search${search}`, async () =>
    q ? load(() => api.GET('/api/v1/search', { params: { query: { q, offset: Number(query.offset ?? 0), limit: 25 } } })) : { data: { items: [], total: 0, limit: 25, offset: 0 } },
  )
  return (
    <>
      <h1 class="govuk-heading-l">Search</h1>
      <form
        method="get"
        action="/search"
        onSubmit={(event) => {
          event.preventDefault()
          navigate(`/search${writeQuery({ q: new FormData(event.currentTarget).get('q')?.toString().trim() ?? '' })}`)
        }}
      >
        <div class="govuk-form-group">
          <label class="govuk-label govuk-label--s" for="search-q">
            A reference, like R-0003 or DD-0012, or some words
          </label>
          <input class="govuk-input govuk-input--width-30" id="search-q" name="q" type="search" value={q} />
        </div>
        <button type="submit" class="govuk-button">Search</button>
      </form>
      {results.problem && <p class="govuk-error-message">{describe(results.problem)}</p>}
      {q && results.loading && <Loading what="Searching" />}
      {q && results.data && (
        <>
          <h2 class="govuk-heading-m" aria-live="polite">
            {results.data.total === 0 ? `Nothing found for “${q}”` : `${results.data.total} found for “${q}”`}
          </h2>
          <ul class="govuk-list app-search-results">
            {results.data.items.map((result) => (
              <li key={`${result.kind}-${result.id}`} class="govuk-!-margin-bottom-3">
                <span class="govuk-caption-s">{KIND_LABELS[result.kind]}</span>
                <a class="govuk-link" href={resultHref(result)}>
                  {result.reference ? `${result.reference}: ` : ''}
                  {result.title}
                </a>
              </li>
            ))}
          </ul>
          <Pagination total={results.data.total} limit={results.data.limit} offset={results.data.offset} query={query} path="/search" />
        </>
      )}
    </>
  )
}

const HISTORY_TITLES: Record<string, string> = { risk: 'Risk', issue: 'Issue', drawdown: 'Draw-down request', gate_review: 'Gate review' }

/** A record's history on a page of its own (search results of records with no page link here). */
export function HistoryPage({ kind, id }: { kind: string; id: string }) {
  return (
    <>
      <h1 class="govuk-heading-l">{HISTORY_TITLES[kind] ?? humanise(kind)}: history</h1>
      <HistoryPanel kind={kind as Schemas['RecordHistory']['kind']} id={id} />
    </>
  )
}

const REGISTER_KEYS = ['type', 'rating', 'status', 'review_due', 'likelihood', 'impact', 'programme_id', 'owner_id', 'offset'] as const

/** Save an export: the API needs the access token, so it is fetched and saved from a blob. */
async function download(path: string): Promise<Problem | null> {
  try {
    const response = await authFetch(new Request(path))
    if (!response.ok) return problemFrom(response)
    const link = document.createElement('a')
    link.href = URL.createObjectURL(await response.blob())
    link.download = /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? 'raid-register'
    document.body.appendChild(link)
    link.click()
    link.remove()
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
    return null
  } catch {
    return NETWORK_PROBLEM
  }
}

function Choice({ id, label, value, options }: { id: string; label: string; value: string | undefined; options: [string, string][] }) {
  return (
    <div class="govuk-form-group app-filter">
      <label class="govuk-label govuk-label--s" for={`register-${id}`}>
        {label}
      </label>
      <select class="govuk-select" id={`register-${id}`} name={id} value={value ?? ''}>
        <option value="">Any</option>
        {options.map(([code, text]) => (
          <option value={code} key={code}>
            {text}
          </option>
        ))}
      </select>
    </div>
  )
}

export function RaidRegister() {
  const { search } = useLocation()
  const query = readQuery(search, REGISTER_KEYS)
  const [problem, setProblem] = useState<Problem | null>(null)
  const can = useCan()
  const filters = { ...query }
  delete filters.offset
  const apiQuery = writeQuery(filters)
  const page = useResource(`register${search}`, () =>
    load(() =>
      api.GET('/api/v1/raid-register', {
        params: {
          query: {
            type: query.type ? [query.type as Schemas['RaidType']] : undefined,
            rating: query.rating as Schemas['Band'] | undefined,
            status: query.status,
            review_due: query.review_due ? query.review_due === 'true' : undefined,
            likelihood: query.likelihood ? Number(query.likelihood) : undefined,
            impact: query.impact ? Number(query.impact) : undefined,
            programme_id: query.programme_id,
            owner_id: query.owner_id,
            offset: Number(query.offset ?? 0),
            limit: 50,
          },
        },
      }),
    ),
  )
  if (page.problem) return <ProblemPage problem={page.problem} onRetry={page.reload} />
  const cell = query.likelihood && query.impact ? ` (likelihood ${query.likelihood}, impact ${query.impact})` : ''
  return (
    <>
      <h1 class="govuk-heading-l">RAID register{cell}</h1>
      <form
        method="get"
        action="/raid-register"
        class="app-filters"
        onSubmit={(event) => {
          event.preventDefault()
          const data = new FormData(event.currentTarget)
          const next: Record<string, string> = {}
          for (const [key, value] of data.entries()) next[key] = value.toString()
          navigate(`/raid-register${writeQuery(next)}`)
        }}
      >
        <Choice id="type" label="Log" value={query.type} options={[['risk', 'Risks'], ['issue', 'Issues'], ['assumption', 'Assumptions'], ['dependency', 'Dependencies']]} />
        <Choice id="rating" label="Rating (risks)" value={query.rating} options={[['red', 'Red'], ['amber', 'Amber'], ['green', 'Green']]} />
        <Choice id="status" label="Status" value={query.status} options={[['open', 'Open'], ['closed', 'Closed']]} />
        <Choice id="review_due" label="Review or due date" value={query.review_due} options={[['true', 'Due or overdue'], ['false', 'Not yet due']]} />
        {query.likelihood && <input type="hidden" name="likelihood" value={query.likelihood} />}
        {query.impact && <input type="hidden" name="impact" value={query.impact} />}
        {query.programme_id && <input type="hidden" name="programme_id" value={query.programme_id} />}
        <button type="submit" class="govuk-button govuk-button--secondary">
          Apply filters
        </button>
      </form>
      <div class="govuk-button-group">
        <button type="button" class="govuk-button govuk-button--secondary" onClick={async () => setProblem(await download(`/api/v1/raid-register.csv${apiQuery}`))}>
          Download CSV
        </button>
        <button type="button" class="govuk-button govuk-button--secondary" onClick={async () => setProblem(await download(`/api/v1/raid-register.xlsx${apiQuery}`))}>
          Download XLSX
        </button>
      </div>
      {can('raid:edit') && (
        <p class="govuk-body">
          <a class="govuk-link" href="/raid-imports">
            Import RAID items from a CSV file
          </a>
        </p>
      )}
      {problem && <p class="govuk-error-message">The download failed: {describe(problem)}</p>}
      {!page.data ? (
        <Loading />
      ) : (
        <>
          <p class="govuk-body" aria-live="polite">
            {page.data.total === 0 ? 'None recorded' : `${page.data.total} items`}
          </p>
          <Scroll label="RAID items">
            <table class="govuk-table" data-testid="raid-register">
              <caption class="govuk-visually-hidden">RAID items</caption>
              <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                  <th scope="col" class="govuk-table__header">Reference</th>
                  <th scope="col" class="govuk-table__header">Title</th>
                  <th scope="col" class="govuk-table__header">Log</th>
                  <th scope="col" class="govuk-table__header">Status</th>
                  <th scope="col" class="govuk-table__header">Owner</th>
                  <th scope="col" class="govuk-table__header">Review or due</th>
                  <th scope="col" class="govuk-table__header">Rating</th>
                </tr>
              </thead>
              <tbody class="govuk-table__body">
                {page.data.items.map((item) => (
                  <tr class="govuk-table__row" key={item.id}>
                    <td class="govuk-table__cell">
                      <a class="govuk-link" href={`/history/${item.type}/${item.id}`}>
                        {item.reference}
                      </a>
                    </td>
                    <td class="govuk-table__cell">{item.title}</td>
                    <td class="govuk-table__cell">{humanise(item.type)}</td>
                    <td class="govuk-table__cell">{humanise(item.status)}</td>
                    <td class="govuk-table__cell">{item.owner_name ?? 'Not set'}</td>
                    <td class="govuk-table__cell">{item.review_or_due ? formatDate(item.review_or_due) : 'Not set'}</td>
                    <td class="govuk-table__cell">{item.rating ? humanise(item.rating) : 'Not rated'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
          <Pagination total={page.data.total} limit={page.data.limit} offset={page.data.offset} query={query} path="/raid-register" />
        </>
      )}
    </>
  )
}

/** A programme's milestones by quarter: a grid like the committee report's appendix A, and the same as a table. */
export function Roadmap({ id }: { id: string }) {
  const roadmap = useResource(`roadmap-${id}`, () => load(() => api.GET('/api/v1/programmes/{programme_id}/roadmap', { params: { path: { programme_id: id } } })))
  if (roadmap.problem) return <ProblemPage problem={roadmap.problem} onRetry={roadmap.reload} />
  if (!roadmap.data) return <Loading />
  const { quarters, projects, programme_name } = roadmap.data
  const label = (code: string) => quarters.find((q) => q.code === code)?.label ?? code
  const slip = (m: Schemas['RoadmapMilestone']) =>
    m.slip_quarters === 0 ? 'On baseline' : m.slip_quarters > 0 ? `${m.slip_quarters} quarter${m.slip_quarters > 1 ? 's' : ''} late` : `${-m.slip_quarters} quarter${m.slip_quarters < -1 ? 's' : ''} early`
  return (
    <>
      <span class="govuk-caption-l">{programme_name}</span>
      <h1 class="govuk-heading-l">Roadmap</h1>
      {quarters.length === 0 ? (
        <p class="govuk-body">None recorded: the programme's projects have no milestones yet.</p>
      ) : (
        <>
          <div class="app-roadmap" aria-hidden="true" style={{ gridTemplateColumns: `minmax(10rem, 1fr) repeat(${quarters.length}, minmax(9rem, 1fr))` }}>
            <div />
            {quarters.map((q) => (
              <div class="app-roadmap__quarter" key={q.code}>
                {q.label}
              </div>
            ))}
            {projects.map((project) => [
              <div class="app-roadmap__project" key={project.id}>
                {project.reference} {project.name}
              </div>,
              ...quarters.map((q) => (
                <div class="app-roadmap__cell" key={`${project.id}-${q.code}`}>
                  {project.milestones
                    .filter((m) => m.quarter === q.code)
                    .map((m) => (
                      <div class={`app-roadmap__milestone${m.slip_quarters > 0 ? ' app-roadmap__milestone--late' : ''}`} key={m.id}>
                        {m.title}
                        {m.slip_quarters !== 0 && <span class="app-roadmap__baseline"> (baseline {label(m.baseline_quarter)})</span>}
                      </div>
                    ))}
                </div>
              )),
            ])}
          </div>
          <table class="govuk-table" data-testid="roadmap-table">
            <caption class="govuk-table__caption govuk-table__caption--m">Milestones, baseline against forecast</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Project</th>
                <th scope="col" class="govuk-table__header">Milestone</th>
                <th scope="col" class="govuk-table__header">Baseline</th>
                <th scope="col" class="govuk-table__header">Forecast or completed</th>
                <th scope="col" class="govuk-table__header">Against baseline</th>
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {projects.flatMap((project) =>
                project.milestones.map((m) => (
                  <tr class="govuk-table__row" key={m.id}>
                    <td class="govuk-table__cell">{project.name}</td>
                    <td class="govuk-table__cell">{m.title}</td>
                    <td class="govuk-table__cell">
                      {label(m.baseline_quarter)} ({formatDate(m.baseline_date)})
                    </td>
                    <td class="govuk-table__cell">{m.completed_on ? `Completed ${formatDate(m.completed_on)}` : m.forecast_date ? formatDate(m.forecast_date) : 'Not set'}</td>
                    <td class="govuk-table__cell">{slip(m)}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </>
      )}
    </>
  )
}

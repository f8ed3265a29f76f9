import { useEffect, useState } from 'preact/hooks'
import { HistoryPanel } from '../components/HistoryPanel'
import { api, type Schemas } from '../api/client'
import {
  ErrorSummary,
  Loading,
  Pagination,
  ProblemPage,
  Radios,
  Scroll,
  Select,
  SortHeader,
  SummaryList,
  TextArea,
  TextInput,
  DateInput,
} from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { formatDate, NONE_RECORDED, NOT_SET } from '../lib/format'
import { useCan, useWho } from '../lib/me'
import {
  bodyName,
  drawdownStatus,
  financialYear,
  financialYearOf,
  financialYears,
  isAmount,
  listOf,
  pounds,
  poundsInput,
  roleName,
  routeSummary,
  viewName,
} from '../lib/money'
import { type FormErrors, NETWORK_PROBLEM, problemFrom, toFormErrors } from '../lib/problem'
import { readQuery, withFilter, writeQuery } from '../lib/query'
import { navigate, useLocation } from '../lib/router'

type Drawdown = Schemas['DrawdownDetail']
type Source = Schemas['FundingSourcePublic']
type Project = Schemas['ProjectPublic']

/** Submit a request; a refusal (403, 409, 422...) becomes the error summary, the form keeps its values. */
export async function send<T>(
  request: () => Promise<{ data?: T; error?: unknown; response: Response }>,
  labels: Record<string, string> = {},
): Promise<{ data?: T; errors?: FormErrors }> {
  try {
    const { data, error, response } = await request()
    if (response.ok && data) return { data }
    return { errors: toFormErrors(await problemFrom(response, error), labels) }
  } catch {
    return { errors: toFormErrors(NETWORK_PROBLEM) }
  }
}

/** Tag colours for a draw-down's status; the status is always written too. */
export function DrawdownStatusTag({ status }: { status: string }) {
  const colour =
    status === 'approved'
      ? 'govuk-tag--green'
      : status === 'rejected'
        ? 'govuk-tag--red'
        : status === 'referred'
          ? 'govuk-tag--purple'
          : status === 'withdrawn'
            ? 'govuk-tag--grey'
            : 'govuk-tag--blue'
  return <strong class={`govuk-tag ${colour}`}>{drawdownStatus(status)}</strong>
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function routeLabel(route: string): string {
  return route === 'delegated' ? 'Delegated' : `Referred to ${bodyName(route)}`
}

interface Lookups {
  projects: Map<string, Project>
  sources: Source[]
}

/** The projects and funding sources, to name them in lists (the API gives ids). */
async function loadLookups(): Promise<Loaded<Lookups>> {
  const [projects, sources] = await Promise.all([
    load(() => api.GET('/api/v1/projects', { params: { query: { limit: 200, sort: 'name' } } })),
    load(() => api.GET('/api/v1/funding-sources', { params: { query: { limit: 200, sort: 'name' } } })),
  ])
  if (projects.problem) return projects
  if (sources.problem) return sources
  return { data: { projects: new Map(projects.data.items.map((p) => [p.id, p])), sources: sources.data.items } }
}

// The list ------------------------------------------------------------------------------------

const KEYS = ['status', 'route', 'funding_source_id', 'financial_year', 'project_id', 'awaiting_me', 'mine', 'sort', 'offset'] as const
const LIMIT = 25
const STATUSES = ['consultation', 'awaiting_decision', 'referred', 'approved', 'rejected', 'withdrawn']

export function Drawdowns() {
  const lookups = useResource('money-lookups', loadLookups)
  if (lookups.problem) return <ProblemPage problem={lookups.problem} onRetry={lookups.reload} />
  if (!lookups.data) return <Loading what="Loading draw-downs" />
  return <DrawdownList lookups={lookups.data} />
}

function DrawdownList({ lookups }: { lookups: Lookups }) {
  const { me } = useWho()
  const can = useCan()
  const { path, search } = useLocation()
  const query = readQuery(search, KEYS)
  const [filters, setFilters] = useState({
    status: query.status ?? '',
    route: query.route ?? '',
    funding_source_id: query.funding_source_id ?? '',
    financial_year: query.financial_year ?? '',
    awaiting_me: query.awaiting_me === 'true',
    mine: query.mine === 'true',
  })
  const list = useResource(`drawdowns${writeQuery(query)}`, () =>
    load(() =>
      api.GET('/api/v1/drawdowns', {
        params: {
          query: {
            status: query.status as Schemas['DrawdownStatus'] | undefined,
            route: query.route as Schemas['Route'] | undefined,
            funding_source_id: query.funding_source_id,
            financial_year: query.financial_year,
            project_id: query.project_id,
            awaiting_me: query.awaiting_me === 'true' ? true : undefined,
            requested_by: query.mine === 'true' ? me.id : undefined,
            sort: query.sort ?? '-submitted_at',
            limit: LIMIT,
            offset: Number(query.offset ?? 0),
          },
        },
      }),
    ),
  )
  const apply = (event: Event) => {
    event.preventDefault()
    let next: Record<string, string> = { ...query }
    for (const [key, value] of Object.entries(filters)) {
      next = withFilter(next, key, typeof value === 'boolean' ? (value ? 'true' : '') : value)
    }
    navigate(path + writeQuery(next))
  }
  const years = financialYears('2020/21', financialYear(new Date().getUTCFullYear() + 1))
  const project = query.project_id ? lookups.projects.get(query.project_id) : undefined
  return (
    <>
      <h1 class="govuk-heading-l">Draw-downs</h1>
      <p class="govuk-body">
        Requests to draw money from the council's reserves and budgets for a project, with the route each takes: decided
        under delegation after consultation, or referred to Cabinet or Council.
      </p>
      {can('drawdowns:request') && (
        <a class="govuk-button" href={`/drawdowns/new${query.project_id ? `?project_id=${query.project_id}` : ''}`}>
          Request a draw-down
        </a>
      )}
      <form onSubmit={apply} class="govuk-!-margin-bottom-6" role="search" aria-label="Filter draw-downs">
        {project && (
          <p class="govuk-body">
            Project: <strong>{project.reference} {project.name}</strong>{' '}
            <a class="govuk-link" href={path + writeQuery({ ...query, project_id: '', offset: '' })}>
              Show every project
            </a>
          </p>
        )}
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-one-quarter">
            <Select name="filter-status" label="Status" labelClass="govuk-label--s" errors={null} value={filters.status}
              onChange={(status) => setFilters({ ...filters, status })}
              options={[{ value: '', text: 'Any status' }, ...STATUSES.map((s) => ({ value: s, text: drawdownStatus(s) }))]} />
          </div>
          <div class="govuk-grid-column-one-quarter">
            <Select name="filter-route" label="Route" labelClass="govuk-label--s" errors={null} value={filters.route}
              onChange={(route) => setFilters({ ...filters, route })}
              options={[{ value: '', text: 'Any route' }, ...['delegated', 'cabinet', 'council'].map((r) => ({ value: r, text: routeLabel(r) }))]} />
          </div>
          <div class="govuk-grid-column-one-quarter">
            <Select name="filter-funding_source_id" label="Funding source" labelClass="govuk-label--s" errors={null}
              value={filters.funding_source_id} onChange={(funding_source_id) => setFilters({ ...filters, funding_source_id })}
              options={[{ value: '', text: 'Any source' }, ...lookups.sources.map((s) => ({ value: s.id, text: s.name }))]} />
          </div>
          <div class="govuk-grid-column-one-quarter">
            <Select name="filter-financial_year" label="Financial year" labelClass="govuk-label--s" errors={null}
              value={filters.financial_year} onChange={(financial_year) => setFilters({ ...filters, financial_year })}
              options={[{ value: '', text: 'Any year' }, ...years.map((y) => ({ value: y, text: y }))]} />
          </div>
        </div>
        <div class="govuk-form-group">
          <fieldset class="govuk-fieldset">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Whose</legend>
            <div class="govuk-checkboxes govuk-checkboxes--small">
              <div class="govuk-checkboxes__item">
                <input class="govuk-checkboxes__input" id="filter-awaiting_me" type="checkbox" checked={filters.awaiting_me}
                  onChange={(e) => setFilters({ ...filters, awaiting_me: (e.target as HTMLInputElement).checked })} />
                <label class="govuk-label govuk-checkboxes__label" for="filter-awaiting_me">
                  Awaiting me (my view, decision or the committee decision I record)
                </label>
              </div>
              <div class="govuk-checkboxes__item">
                <input class="govuk-checkboxes__input" id="filter-mine" type="checkbox" checked={filters.mine}
                  onChange={(e) => setFilters({ ...filters, mine: (e.target as HTMLInputElement).checked })} />
                <label class="govuk-label govuk-checkboxes__label" for="filter-mine">
                  Requested by me
                </label>
              </div>
            </div>
          </fieldset>
        </div>
        <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0">
          Apply filters
        </button>
        {Object.keys(query).some((k) => k !== 'sort' && k !== 'offset') && (
          <a class="govuk-link govuk-!-margin-left-3" href={path}>
            Clear filters
          </a>
        )}
      </form>
      {list.problem ? (
        <ProblemPage problem={list.problem} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading what="Loading draw-downs" />
      ) : (
        <>
          <p class="govuk-body" role="status">
            {list.data.total} {list.data.total === 1 ? 'draw-down' : 'draw-downs'}
          </p>
          {list.data.items.length > 0 && (
            <DrawdownTable items={list.data.items} lookups={lookups} query={query} path={path} />
          )}
          <Pagination total={list.data.total} limit={LIMIT} offset={Number(query.offset ?? 0)} query={query} path={path} />
        </>
      )}
    </>
  )
}

export function DrawdownTable({ items, lookups, query, path }: {
  items: Schemas['DrawdownPublic'][]
  lookups: Lookups
  query?: Record<string, string>
  path?: string
}) {
  const head = (label: string, column: string, numeric = false) =>
    query && path ? (
      <SortHeader label={label} column={column} query={query} path={path} />
    ) : (
      <th scope="col" class={`govuk-table__header${numeric ? ' govuk-table__header--numeric' : ''}`}>{label}</th>
    )
  const sourceName = (id: string) => lookups.sources.find((s) => s.id === id)?.name ?? 'Funding source'
  return (
    <Scroll label="Draw-downs">
      <table class="govuk-table" data-testid="drawdowns-table">
        <caption class="govuk-table__caption govuk-visually-hidden">Draw-downs</caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            {head('Reference', 'reference')}
            <th scope="col" class="govuk-table__header">Project</th>
            <th scope="col" class="govuk-table__header">Funding source</th>
            {head('Amount', 'amount', true)}
            <th scope="col" class="govuk-table__header">Year</th>
            <th scope="col" class="govuk-table__header">Route</th>
            {head('Status', 'status')}
            {head('Submitted', 'submitted_at')}
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          {items.map((d) => {
            const project = lookups.projects.get(d.project_id)
            return (
              <tr class="govuk-table__row" key={d.id}>
                <td class="govuk-table__cell app-nowrap">
                  <a class="govuk-link" href={`/drawdowns/${d.id}`}>{d.reference}</a>
                </td>
                <td class="govuk-table__cell">{project ? `${project.reference} ${project.name}` : 'Project'}</td>
                <td class="govuk-table__cell">{sourceName(d.funding_source_id)}</td>
                <td class="govuk-table__cell govuk-table__cell--numeric app-nowrap">{pounds(d.amount)}</td>
                <td class="govuk-table__cell app-nowrap">{d.financial_year}</td>
                <td class="govuk-table__cell">{routeLabel(d.route)}</td>
                <td class="govuk-table__cell"><DrawdownStatusTag status={d.status} /></td>
                <td class="govuk-table__cell app-nowrap">{formatDate(d.submitted_at)}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </Scroll>
  )
}

/** The draw-downs of one project (a section of the project page). */
export function ProjectDrawdowns({ projectId, mayRequest }: { projectId: string; mayRequest: boolean }) {
  const view = useResource(`project-drawdowns-${projectId}`, async (): Promise<Loaded<{ lookups: Lookups; items: Schemas['DrawdownPublic'][] }>> => {
    const [lookups, list] = await Promise.all([
      loadLookups(),
      load(() => api.GET('/api/v1/drawdowns', { params: { query: { project_id: projectId, limit: 200, sort: '-submitted_at' } } })),
    ])
    if (lookups.problem) return lookups
    if (list.problem) return list
    return { data: { lookups: lookups.data, items: list.data.items } }
  })
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading draw-downs" />
  return (
    <>
      {mayRequest && (
        <a class="govuk-button govuk-button--secondary" href={`/drawdowns/new?project_id=${projectId}`}>
          Request a draw-down
        </a>
      )}
      {view.data.items.length === 0 ? (
        <p class="govuk-body">No draw-downs requested for this project.</p>
      ) : (
        <DrawdownTable items={view.data.items} lookups={view.data.lookups} />
      )}
    </>
  )
}

// The request form ----------------------------------------------------------------------------

const REQUEST_LABELS = {
  project_id: 'Project',
  funding_source_id: 'Funding source',
  amount: 'Amount',
  financial_year: 'Financial year',
  purpose: 'Purpose',
  business_case_reference: 'Approved business case',
}

async function loadRequestable(): Promise<Loaded<{ projects: Project[]; sources: Source[] }>> {
  const [projects, sources] = await Promise.all([
    load(() => api.GET('/api/v1/projects', { params: { query: { limit: 200, sort: 'name' } } })),
    load(() => api.GET('/api/v1/funding-sources', { params: { query: { limit: 200, sort: 'name', status: 'open' } } })),
  ])
  if (projects.problem) return projects
  if (sources.problem) return sources
  // Only the projects the API says this person may ask money for.
  const requestable = projects.data.items.filter((p) => p.allowed_actions.includes('request_drawdown'))
  return { data: { projects: requestable, sources: sources.data.items } }
}

export function DrawdownRequest() {
  const view = useResource('drawdown-request', loadRequestable)
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  return <RequestForm projects={view.data.projects} sources={view.data.sources} />
}

function RequestForm({ projects, sources }: { projects: Project[]; sources: Source[] }) {
  const { search } = useLocation()
  const initial = readQuery(search, ['project_id']).project_id ?? ''
  const [form, setForm] = useState({
    project_id: projects.some((p) => p.id === initial) ? initial : '',
    funding_source_id: '',
    amount: '',
    financial_year: financialYearOf(new Date()),
    purpose: '',
    business_case_reference: '',
  })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const [preview, setPreview] = useState<{ route?: Schemas['RoutePreview']; problem?: string } | null>(null)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const source = sources.find((s) => s.id === form.funding_source_id)
  const thisYear = Number(financialYearOf(new Date()).slice(0, 4))
  const years = financialYears(source?.first_year ?? financialYear(thisYear - 4), source?.last_year ?? financialYear(thisYear + 1))

  // The route it would take, asked again whenever what decides it changes (nothing is saved).
  const ready = form.project_id && form.funding_source_id && form.financial_year && isAmount(form.amount)
  useEffect(() => {
    if (!ready) {
      setPreview(null)
      return
    }
    let live = true
    const timer = setTimeout(async () => {
      const result = await send(() =>
        api.POST('/api/v1/drawdowns/route-preview', {
          body: {
            project_id: form.project_id,
            funding_source_id: form.funding_source_id,
            amount: poundsInput(form.amount),
            financial_year: form.financial_year,
            // The route does not depend on these, but the body must be a whole request.
            purpose: form.purpose.trim() || 'Route preview',
            business_case_reference: form.business_case_reference.trim() || 'Route preview',
          },
        }),
      )
      if (!live) return
      setPreview(result.data ? { route: result.data } : { problem: result.errors?.summary.map((s) => s.text).join(' ') })
    }, 300)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [ready, form.project_id, form.funding_source_id, form.financial_year, form.amount])

  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(
      () =>
        api.POST('/api/v1/drawdowns', {
          body: {
            project_id: form.project_id,
            funding_source_id: form.funding_source_id,
            amount: poundsInput(form.amount),
            financial_year: form.financial_year,
            purpose: form.purpose,
            business_case_reference: form.business_case_reference,
          },
        }),
      REQUEST_LABELS,
    )
    setBusy(false)
    if (result.data) navigate(`/drawdowns/${result.data.id}`)
    else setErrors(result.errors ?? null)
  }

  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} />
        <h1 class="govuk-heading-l">Request a draw-down</h1>
        <p class="govuk-body">
          The route is worked out from the council's delegation rules when you send the request: below you can see it
          before you do.
        </p>
        <form onSubmit={submit} noValidate>
          <Select name="project_id" label="Project" labelClass="govuk-label--s" errors={errors} value={form.project_id}
            onChange={set('project_id')}
            options={[{ value: '', text: 'Choose a project' }, ...projects.map((p) => ({ value: p.id, text: `${p.reference} ${p.name}` }))]} />
          <Select name="funding_source_id" label="Funding source" labelClass="govuk-label--s" errors={errors}
            value={form.funding_source_id} onChange={set('funding_source_id')}
            options={[{ value: '', text: 'Choose a funding source' },
              ...sources.map((s) => ({ value: s.id, text: `${s.name} (${pounds(s.remaining)} remaining)` }))]} />
          <TextInput name="amount" label="Amount" labelClass="govuk-label--s" hint="In pounds and pence, for example 30000.00"
            errors={errors} value={form.amount} onInput={set('amount')} width="10" spellcheck={false} />
          <Select name="financial_year" label="Financial year" labelClass="govuk-label--s" errors={errors}
            value={form.financial_year} onChange={set('financial_year')}
            options={(years.includes(form.financial_year) ? years : [...years, form.financial_year]).map((y) => ({ value: y, text: y }))} />
          <div aria-live="polite" data-testid="route-preview">
            {preview?.route && (
              <div class={`govuk-inset-text${preview.route.route === 'delegated' ? '' : ' app-inset--referred'}`}>
                <p class="govuk-body govuk-!-font-weight-bold">{routeSummary(preview.route)}</p>
                <p class="govuk-body govuk-!-margin-bottom-0">{preview.route.route_reason}</p>
                {preview.route.pending_note && (
                  <p class="govuk-body govuk-!-margin-top-2 govuk-!-margin-bottom-0" data-testid="route-pending">
                    {preview.route.pending_note}
                  </p>
                )}
              </div>
            )}
            {preview?.problem && (
              <div class="govuk-inset-text">
                <p class="govuk-body govuk-!-margin-bottom-0">The route cannot be worked out yet: {preview.problem}</p>
              </div>
            )}
          </div>
          <TextArea name="purpose" label="Purpose" labelClass="govuk-label--s" hint="What the money is for."
            errors={errors} value={form.purpose} onInput={set('purpose')} />
          <TextInput name="business_case_reference" label="Approved business case" labelClass="govuk-label--s"
            hint="Where the approved business case is, for example a report or gate review reference."
            errors={errors} value={form.business_case_reference} onInput={set('business_case_reference')} />
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button" disabled={busy}>
              Send the request
            </button>
            <a class="govuk-link" href={form.project_id ? `/projects/${form.project_id}?tab=drawdowns` : '/drawdowns'}>
              Cancel
            </a>
          </div>
        </form>
      </div>
    </div>
  )
}

// One draw-down -------------------------------------------------------------------------------

interface DrawdownView {
  drawdown: Drawdown
  project: Project
  source: Source
  names: Map<string, string>
}

async function loadDrawdown(id: string): Promise<Loaded<DrawdownView>> {
  const drawdown = await load(() => api.GET('/api/v1/drawdowns/{drawdown_id}', { params: { path: { drawdown_id: id } } }))
  if (drawdown.problem) return drawdown
  const [project, source, users] = await Promise.all([
    load(() => api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: drawdown.data.project_id } } })),
    load(() =>
      api.GET('/api/v1/funding-sources/{funding_source_id}', {
        params: { path: { funding_source_id: drawdown.data.funding_source_id } },
      }),
    ),
    // Names for who asked, who gave a view and who decided; the page still works without them.
    load(() => api.GET('/api/v1/users', { params: { query: { limit: 200 } } })),
  ])
  if (project.problem) return project
  if (source.problem) return source
  const names = new Map((users.data?.items ?? []).map((u) => [u.id, u.display_name]))
  return { data: { drawdown: drawdown.data, project: project.data, source: source.data, names } }
}

/** Whether `me` holds `role` for the whole organisation or for `directorateId` (as the server checks). */
function holds(me: Schemas['MePublic'], role: string | null, directorateId: string | null): boolean {
  return !!role && me.roles.some((g) => g.role === role && (g.directorate_id === null || g.directorate_id === directorateId))
}

export function DrawdownPage({ id }: { id: string }) {
  const { me } = useWho()
  const view = useResource(`drawdown-${id}`, () => loadDrawdown(id))
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading the draw-down" />
  const { drawdown: d, project, source, names } = view.data
  const who = (id: string | null) => (id === me.id ? 'you' : id ? (names.get(id) ?? '') : '')
  const open = ['consultation', 'awaiting_decision', 'referred'].includes(d.status)
  const mine = d.requested_by_id === me.id
  // What I may do is the server's answer (allowed_actions); `holds` only says which of the
  // outstanding roles I answer as, and whether I am the decider still waiting for views.
  const allowed = (action: Schemas['DrawdownAction']) => d.allowed_actions.includes(action)
  const myConsultations = d.consultees_outstanding.filter((role) => holds(me, role, project.lead_directorate_id))
  const decider = holds(me, d.decider_role, d.decider_directorate_id ?? project.lead_directorate_id)
  const decisions = (['approve', 'reject'] as const).filter(allowed)
  const rule = d.rule_version?.rule as { name?: string; limit?: string; limit_basis?: string } | undefined
  return (
    <>
      <span class="govuk-caption-l">
        <a class="govuk-link" href={`/projects/${project.id}?tab=drawdowns`}>
          {project.reference} {project.name}
        </a>
      </span>
      <h1 class="govuk-heading-l">
        Draw-down {d.reference}: {pounds(d.amount)}
      </h1>
      <p class="govuk-body">
        Status: <DrawdownStatusTag status={d.status} />
      </p>
      <div class="govuk-inset-text" data-testid="next-step">
        {d.next_step}
      </div>
      <SummaryList
        rows={[
          ['Amount', pounds(d.amount)],
          ['Funding source', <a class="govuk-link" href="/funding-sources">{source.name}</a>],
          ['Financial year', d.financial_year],
          ['Purpose', d.purpose],
          ['Approved business case', d.business_case_reference || (d.gate_review_id ? <a class="govuk-link" href={`/gate-reviews/${d.gate_review_id}`}>Gate review</a> : NOT_SET)],
          ['Requested', `${formatDate(d.submitted_at)}${who(d.requested_by_id) ? ` by ${who(d.requested_by_id)}` : ''}`],
        ]}
      />
      <h2 class="govuk-heading-m">Route</h2>
      <SummaryList
        rows={[
          ['Route', <span data-testid="route">{routeSummary(d)}</span>],
          ['Why', d.route_reason],
          ...(d.forward_plan_entry_id
            ? [['Forward plan', <a class="govuk-link" href={`/forward-plan/${d.forward_plan_entry_id}`}>Its forward plan entry</a>] as [string, preact.ComponentChildren]]
            : []),
          ['Rule', d.rule_version ? `${rule?.name ?? 'Delegation rule'}, version ${d.rule_version.version}` +
            (rule?.limit ? ` (limit ${pounds(rule.limit)}${rule.limit_basis === 'cumulative_per_project_per_year' ? ' per project per financial year' : ' per request'})` : '')
            : 'No delegation rule applied'],
        ]}
      />
      {d.route === 'delegated' && (
        <>
          <h2 class="govuk-heading-m">Consultation</h2>
          {d.consultations.length === 0 ? (
            <p class="govuk-body">No views recorded yet.</p>
          ) : (
            <Scroll label="Views recorded">
              <table class="govuk-table" data-testid="consultations">
                <caption class="govuk-table__caption govuk-table__caption--s">Views recorded</caption>
                <thead class="govuk-table__head">
                  <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">Consulted</th>
                    <th scope="col" class="govuk-table__header">View</th>
                    <th scope="col" class="govuk-table__header">Comment</th>
                    <th scope="col" class="govuk-table__header">Recorded</th>
                  </tr>
                </thead>
                <tbody class="govuk-table__body">
                  {d.consultations.map((c) => (
                    <tr class="govuk-table__row" key={c.id}>
                      <td class="govuk-table__cell">{capitalise(roleName(c.role))}{who(c.consultee_id) ? `: ${who(c.consultee_id)}` : ''}</td>
                      <td class="govuk-table__cell">{viewName(c.view)}</td>
                      <td class="govuk-table__cell">{c.comment || NONE_RECORDED}</td>
                      <td class="govuk-table__cell app-nowrap">{formatDate(c.recorded_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
          )}
          <p class="govuk-body" data-testid="outstanding">
            {d.consultees_outstanding.length
              ? `Still to give a view: ${listOf(d.consultees_outstanding.map(roleName))}.`
              : open
                ? 'Every required view is recorded.'
                : ''}
          </p>
        </>
      )}
      {d.decision && (
        <>
          <h2 class="govuk-heading-m">Decision</h2>
          <SummaryList
            rows={[
              ['Outcome', <DrawdownStatusTag status={d.decision} />],
              ['Decided', `${formatDate(d.decided_at)}${who(d.decided_by_id) ? `, recorded by ${who(d.decided_by_id)}` : ''}`],
              ...(d.meeting_body ? [['Decided by', bodyName(d.meeting_body)] as [string, string]] : []),
              ...(d.meeting_date ? [['Meeting date', formatDate(d.meeting_date)] as [string, string]] : []),
              ...(d.minute_reference ? [['Minute reference', d.minute_reference] as [string, string]] : []),
              ...(d.key_decision_reference ? [['Key decision reference', d.key_decision_reference] as [string, string]] : []),
              ...(d.decision_reason ? [[d.meeting_body ? 'Notes' : 'Reasons', d.decision_reason] as [string, string]] : []),
              ...(d.officer_decision_id
                ? [['Record of the decision', <a class="govuk-link" href={`/officer-decisions/${d.officer_decision_id}`}>Record of the officer decision</a>] as [string, preact.ComponentChildren]]
                : []),
            ]}
          />
        </>
      )}
      {allowed('consult') && myConsultations.length > 0 && (
        <ConsultForm drawdown={d} roles={myConsultations} onDone={view.reload} />
      )}
      {d.status === 'consultation' && !mine && decider && d.route === 'delegated' && (
        <p class="govuk-body">You decide this request once every required view is recorded.</p>
      )}
      {decisions.length > 0 && <DecisionForm drawdown={d} choices={decisions} onDone={view.reload} />}
      {allowed('record_committee_decision') && <CommitteeForm drawdown={d} onDone={view.reload} />}
      {allowed('withdraw') && <WithdrawForm drawdown={d} onDone={view.reload} />}
      <HistoryPanel kind="drawdown" id={id} version={d.updated_at} />
    </>
  )
}

function ActionForm({ title, errors, onReload, onSubmit, busy, button, children }: {
  title: string
  errors: FormErrors | null
  onReload: () => void
  onSubmit: () => void
  busy: boolean
  button: string
  children?: preact.ComponentChildren
}) {
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <h2 class="govuk-heading-m">{title}</h2>
        <ErrorSummary errors={errors} onReload={onReload} />
        <form onSubmit={(event) => { event.preventDefault(); onSubmit() }} noValidate>
          {children}
          <button type="submit" class="govuk-button" disabled={busy}>
            {button}
          </button>
        </form>
      </div>
    </div>
  )
}

function required(name: string, message: string): FormErrors {
  return { status: 422, fields: { [name]: message }, summary: [{ text: message, href: `#field-${name}` }] }
}

function ConsultForm({ drawdown, roles, onDone }: { drawdown: Drawdown; roles: string[]; onDone: () => void }) {
  const [role, setRole] = useState(roles[0] ?? '')
  const [viewChoice, setView] = useState('')
  const [comment, setComment] = useState('')
  // An executive member (the member role) is asked for any conflict of interest: it goes on
  // the record of the decision, with any dispensation the head of paid service granted.
  const [conflict, setConflict] = useState('')
  const [details, setDetails] = useState('')
  const [dispensation, setDispensation] = useState({ by: '', on: '', details: '' })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const executive = role === 'member'
  const submit = async () => {
    if (!viewChoice) return setErrors(required('view', 'Choose your view'))
    if (executive && !conflict) return setErrors(required('conflict_of_interest', 'Say whether you declare a conflict of interest'))
    setBusy(true)
    const declared = conflict === 'yes'
    const result = await send(
      () =>
        api.POST('/api/v1/drawdowns/{drawdown_id}/consultations', {
          params: { path: { drawdown_id: drawdown.id } },
          body: {
            view: viewChoice as Schemas['View'],
            comment,
            role: role as Schemas['Role'],
            conflict_of_interest: conflict ? declared : null,
            conflict_of_interest_details: declared ? details : '',
            dispensation_granted_by: declared ? dispensation.by.trim() || null : null,
            dispensation_granted_on: declared ? dispensation.on || null : null,
            dispensation_details: declared ? dispensation.details : '',
          },
        }),
      {
        view: 'Your view',
        comment: 'Comment',
        role: 'Answering as',
        conflict_of_interest: 'Conflict of interest',
        conflict_of_interest_details: 'The interest',
        dispensation_granted_by: 'Dispensation granted by',
        dispensation_granted_on: 'Dispensation granted on',
        dispensation_details: 'Dispensation',
      },
    )
    setBusy(false)
    if (result.data) onDone()
    else setErrors(result.errors ?? null)
  }
  return (
    <ActionForm title="Record your view" errors={errors} onReload={onDone} onSubmit={submit} busy={busy} button="Record my view">
      {roles.length > 1 && (
        <Radios name="role" label="Answering as" value={role} onChange={setRole} errors={errors}
          options={roles.map((r) => ({ value: r, text: roleName(r) }))} />
      )}
      <Radios name="view" label={`Your view${roles.length === 1 ? ` as ${roleName(roles[0] ?? '')}` : ''}`} value={viewChoice}
        onChange={setView} errors={errors}
        options={[{ value: 'supports', text: 'Supports' }, { value: 'objects', text: 'Objects' }, { value: 'comment', text: 'Comment only' }]} />
      <TextArea name="comment" label="Comment" labelClass="govuk-label--s" value={comment} onInput={setComment} errors={errors} />
      {(executive || roles.includes('member')) && (
        <Radios name="conflict_of_interest" label="Do you declare a conflict of interest in this decision?" value={conflict}
          onChange={setConflict} errors={errors}
          hint="As the executive member consulted, your answer goes on the public record of the decision."
          options={[{ value: 'no', text: 'No' }, { value: 'yes', text: 'Yes' }]} />
      )}
      {conflict === 'yes' && (
        <>
          <TextArea name="conflict_of_interest_details" label="The interest you declare" labelClass="govuk-label--s"
            value={details} onInput={setDetails} errors={errors} />
          <TextInput name="dispensation_granted_by" label="Dispensation granted by (if any)" labelClass="govuk-label--s"
            hint="The head of paid service who granted it." value={dispensation.by}
            onInput={(v) => setDispensation({ ...dispensation, by: v })} errors={errors} width="20" />
          <DateInput name="dispensation_granted_on" label="Dispensation granted on" labelClass="govuk-label--s"
            value={dispensation.on} onInput={(v) => setDispensation({ ...dispensation, on: v })} errors={errors} />
          <TextArea name="dispensation_details" label="What the dispensation allows" labelClass="govuk-label--s"
            value={dispensation.details} onInput={(v) => setDispensation({ ...dispensation, details: v })} errors={errors} />
        </>
      )}
    </ActionForm>
  )
}

const EXEMPT_PARAGRAPHS: [string, string][] = [
  ['1', '1: information relating to any individual'],
  ['2', '2: information likely to reveal the identity of an individual'],
  ['3', '3: financial or business affairs of any particular person'],
  ['4', '4: consultations or negotiations on labour relations'],
  ['5', '5: legal professional privilege'],
  ['6', '6: a notice, order or direction the authority proposes'],
  ['7', '7: prevention, investigation or prosecution of crime'],
]

function DecisionForm({ drawdown, choices, onDone }: { drawdown: Drawdown; choices: ('approve' | 'reject')[]; onDone: () => void }) {
  const [decision, setDecision] = useState('')
  const [reason, setReason] = useState('')
  const [alternatives, setAlternatives] = useState('')
  const [exempt, setExempt] = useState({ paragraph: '', information: '' })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async () => {
    if (!decision) return setErrors(required('decision', 'Choose a decision'))
    setBusy(true)
    // The API checks reasons and alternatives (422 naming each); its messages are shown as they come.
    const result = await send(
      () =>
        api.POST('/api/v1/drawdowns/{drawdown_id}/decision', {
          params: { path: { drawdown_id: drawdown.id } },
          body: {
            decision: decision as 'approve' | 'reject',
            reason,
            alternatives_considered: alternatives,
            exempt_paragraph: exempt.paragraph ? (Number(exempt.paragraph) as Schemas['ExemptParagraph']) : null,
            exempt_information: exempt.paragraph ? exempt.information : '',
          },
        }),
      {
        decision: 'Decision',
        reason: 'Reasons for the decision',
        alternatives_considered: 'Alternative options considered and rejected',
        exempt_paragraph: 'Exempt information',
        exempt_information: 'The exempt information',
      },
    )
    setBusy(false)
    if (result.data) onDone()
    else setErrors(result.errors ?? null)
  }
  return (
    <ActionForm title="Your decision" errors={errors} onReload={onDone} onSubmit={submit} busy={busy} button="Record the decision">
      <Radios name="decision" label="Decision" value={decision} onChange={setDecision} errors={errors}
        options={choices.map((choice) => ({ value: choice, text: choice === 'approve' ? `Approve ${pounds(drawdown.amount)}` : 'Reject' }))} />
      <TextArea name="reason" label="Reasons for the decision" labelClass="govuk-label--s"
        hint="These are published on the record of officer decisions." value={reason} onInput={setReason} errors={errors} />
      <TextArea name="alternatives_considered" label="Alternative options considered and rejected" labelClass="govuk-label--s"
        hint="Each option, and why it was rejected." value={alternatives} onInput={setAlternatives} errors={errors} />
      <Radios name="exempt_paragraph" label="Does the record hold exempt information?" value={exempt.paragraph}
        onChange={(v) => setExempt({ ...exempt, paragraph: v })} errors={errors}
        hint="Schedule 12A to the Local Government Act 1972: the public version withholds it and says why."
        options={[{ value: '', text: 'No' }, ...EXEMPT_PARAGRAPHS.map(([value, text]) => ({ value, text: `Yes, paragraph ${text}` }))]} />
      {exempt.paragraph && (
        <TextArea name="exempt_information" label="The exempt information" labelClass="govuk-label--s"
          value={exempt.information} onInput={(v) => setExempt({ ...exempt, information: v })} errors={errors} />
      )}
    </ActionForm>
  )
}

function CommitteeForm({ drawdown, onDone }: { drawdown: Drawdown; onDone: () => void }) {
  const body = bodyName(drawdown.route)
  const [form, setForm] = useState({ meeting_date: '', minute_reference: '', key_decision_reference: '', outcome: '', notes: '' })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const submit = async () => {
    if (!form.outcome) return setErrors(required('outcome', 'Choose the outcome'))
    setBusy(true)
    const result = await send(
      () =>
        api.POST('/api/v1/drawdowns/{drawdown_id}/committee-decision', {
          params: { path: { drawdown_id: drawdown.id } },
          body: {
            body: drawdown.route as Schemas['Committee'],
            meeting_date: form.meeting_date,
            minute_reference: form.minute_reference.trim() || null,
            key_decision_reference: form.key_decision_reference.trim() || null,
            outcome: form.outcome as Schemas['Outcome'],
            notes: form.notes,
          },
        }),
      { meeting_date: 'Meeting date', minute_reference: 'Minute reference', key_decision_reference: 'Key decision reference', outcome: 'Outcome', notes: 'Notes' },
    )
    setBusy(false)
    if (result.data) onDone()
    else setErrors(result.errors ?? null)
  }
  return (
    <ActionForm title={`Record the ${body} decision`} errors={errors} onReload={onDone} onSubmit={submit} busy={busy}
      button={`Record the ${body} decision`}>
      <DateInput name="meeting_date" label="Meeting date" labelClass="govuk-label--s"
        value={form.meeting_date} onInput={set('meeting_date')} errors={errors} />
      <TextInput name="minute_reference" label="Minute reference" labelClass="govuk-label--s"
        hint="The minute or the key decision reference, or both." value={form.minute_reference} onInput={set('minute_reference')}
        errors={errors} width="20" />
      <TextInput name="key_decision_reference" label="Key decision reference" labelClass="govuk-label--s"
        value={form.key_decision_reference} onInput={set('key_decision_reference')} errors={errors} width="20" />
      <Radios name="outcome" label="Outcome" value={form.outcome} onChange={set('outcome')} errors={errors}
        options={[{ value: 'approved', text: `Approved: commit ${pounds(drawdown.amount)}` }, { value: 'rejected', text: 'Rejected' }]} />
      <TextArea name="notes" label="Notes" labelClass="govuk-label--s" value={form.notes} onInput={set('notes')} errors={errors} />
    </ActionForm>
  )
}

function WithdrawForm({ drawdown, onDone }: { drawdown: Drawdown; onDone: () => void }) {
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async () => {
    setBusy(true)
    const result = await send(() =>
      api.POST('/api/v1/drawdowns/{drawdown_id}/withdraw', { params: { path: { drawdown_id: drawdown.id } } }),
    )
    setBusy(false)
    if (result.data) onDone()
    else setErrors(result.errors ?? null)
  }
  return (
    <div class="govuk-!-margin-top-6">
      <ErrorSummary errors={errors} onReload={onDone} />
      <form onSubmit={(event) => { event.preventDefault(); submit() }} noValidate>
        <button type="submit" class="govuk-button govuk-button--warning" disabled={busy}>
          Withdraw the request
        </button>
      </form>
    </div>
  )
}

/** For the "My work" page: how many draw-downs wait for my view or decision, with a link. */
export function DrawdownsAwaitingMe() {
  const can = useCan()
  const waiting = useResource('drawdowns-awaiting-me', () =>
    load(() => api.GET('/api/v1/drawdowns', { params: { query: { awaiting_me: true, limit: 1 } } })),
  )
  if (!can('finance:read') || waiting.problem || !waiting.data) return null
  const total = waiting.data.total
  return (
    <p class="govuk-body" data-testid="drawdowns-awaiting-me">
      {total === 0 ? (
        'No draw-downs are waiting for your view or decision.'
      ) : (
        <a class="govuk-link" href="/drawdowns?awaiting_me=true">
          {total} {total === 1 ? 'draw-down is' : 'draw-downs are'} waiting for your view or decision
        </a>
      )}
    </p>
  )
}

import { useEffect, useState } from 'preact/hooks'
import { AskToDelete } from '../components/ConfirmDelete'
import { HistoryPanel } from '../components/HistoryPanel'
import { api, type Schemas } from '../api/client'
import { type ChartPoint, KpiChart } from '../components/KpiChart'
import { Direction, KpiRag } from '../components/KpiScorecard'
import { ErrorSummary, Loading, Pagination, ProblemPage, Scroll, Select, SortHeader, SummaryList, TextArea, TextInput } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { formatDate, humanise, NONE_RECORDED, NOT_SET } from '../lib/format'
import { endedPeriods, FREQUENCY_HINT, type Frequency, kpiNumber, kpiRagLabel, toleranceEdge } from '../lib/kpi'
import { useCan, useWho } from '../lib/me'
import { type FormErrors, NETWORK_PROBLEM, problemFrom, toFormErrors } from '../lib/problem'
import { readQuery, withFilter, writeQuery } from '../lib/query'
import { navigate, useLocation } from '../lib/router'

type Kpi = Schemas['KpiPublic']
type Value = Schemas['ValuePublic']

/** Send a request; a refusal becomes the error summary (the form keeps what was typed). */
export async function send<T>(
  request: () => Promise<{ data?: T; error?: unknown; response: Response }>,
  labels: Record<string, string> = {},
): Promise<{ data?: T; errors?: FormErrors }> {
  try {
    const { data, error, response } = await request()
    if (response.ok) return { data: (data ?? {}) as T }
    return { errors: toFormErrors(await problemFrom(response, error), labels) }
  } catch {
    return { errors: toFormErrors(NETWORK_PROBLEM) }
  }
}

/** A step of the value workflow (the server checks the state and who may take it). */
function workflow(valueId: string, action: 'submit' | 'verify' | 'publish') {
  const params = { path: { value_id: valueId } }
  if (action === 'submit') return api.POST('/api/v1/kpi-values/{value_id}/submit', { params })
  if (action === 'verify') return api.POST('/api/v1/kpi-values/{value_id}/verify', { params })
  return api.POST('/api/v1/kpi-values/{value_id}/publish', { params })
}

// The KPI list ---------------------------------------------------------------------------------

const LIST_KEYS = ['q', 'programme_id', 'project_id', 'status', 'frequency', 'sort', 'offset'] as const
const LIMIT = 25

export function KpiList() {
  const { path, search } = useLocation()
  const can = useCan()
  const query = readQuery(search, LIST_KEYS)
  const [text, setText] = useState(query.q ?? '')
  const [programme, setProgramme] = useState(query.programme_id ?? '')
  const [status, setStatus] = useState(query.status ?? '')
  const [frequency, setFrequency] = useState(query.frequency ?? '')
  const programmes = useResource('programmes-all', () =>
    load(() => api.GET('/api/v1/programmes', { params: { query: { limit: 200, sort: 'name' } } })),
  )
  const projects = useResource('projects-all', () =>
    load(() => api.GET('/api/v1/projects', { params: { query: { limit: 200, sort: 'reference' } } })),
  )
  const kpis = useResource(`kpis${writeQuery(query)}`, () =>
    load(() =>
      api.GET('/api/v1/kpis', {
        params: {
          query: {
            q: query.q,
            programme_id: query.programme_id,
            project_id: query.project_id,
            status: query.status as Schemas['KpiStatus'] | undefined,
            frequency: query.frequency as Schemas['Frequency'] | undefined,
            sort: query.sort ?? 'code',
            limit: LIMIT,
            offset: Number(query.offset ?? 0),
          },
        },
      }),
    ),
  )
  const apply = (event: Event) => {
    event.preventDefault()
    let next = withFilter(query, 'q', text.trim())
    next = withFilter(next, 'programme_id', programme)
    next = withFilter(next, 'status', status)
    next = withFilter(next, 'frequency', frequency)
    navigate(path + writeQuery(next))
  }
  const linkedTo = (kpi: Kpi) => {
    const programme = programmes.data?.items.find((p) => p.id === kpi.programme_id)
    if (programme) return <a class="govuk-link" href={`/programmes/${programme.id}`}>{programme.name}</a>
    const project = projects.data?.items.find((p) => p.id === kpi.project_id)
    if (project) return <a class="govuk-link" href={`/projects/${project.id}?tab=kpis`}>{project.reference} {project.name}</a>
    return kpi.programme_id ? 'A programme' : kpi.project_id ? 'A project' : 'Nothing'
  }
  return (
    <>
      <h1 class="govuk-heading-l">KPIs</h1>
      <div class="govuk-button-group">
        {can('kpi_values:verify') && (
          <a class="govuk-button govuk-button--secondary" href="/kpi-values?status=submitted">
            Values to verify and publish
          </a>
        )}
        {can('kpis:manage') && (
          <a class="govuk-button govuk-button--secondary" href="/kpis/new">
            Add a KPI
          </a>
        )}
        {can('kpis:manage') && (
          <a class="govuk-button govuk-button--secondary" href="/kpi-imports">
            Import KPI history
          </a>
        )}
      </div>
      <form onSubmit={apply} class="govuk-!-margin-bottom-6" role="search" aria-label="Filter KPIs">
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-one-quarter">
            <div class="govuk-form-group">
              <label class="govuk-label govuk-label--s" for="filter-q">
                Code or name
              </label>
              <input class="govuk-input" id="filter-q" name="q" type="search" value={text}
                onInput={(e) => setText((e.target as HTMLInputElement).value)} />
            </div>
          </div>
          <div class="govuk-grid-column-one-quarter">
            <div class="govuk-form-group">
              <label class="govuk-label govuk-label--s" for="filter-programme">
                Programme
              </label>
              <select class="govuk-select govuk-!-width-full" id="filter-programme" name="programme_id" value={programme}
                onChange={(e) => setProgramme((e.target as HTMLSelectElement).value)}>
                <option value="">Any programme</option>
                {(programmes.data?.items ?? []).map((p) => (
                  <option key={p.id} value={p.id}>{p.name}</option>
                ))}
              </select>
            </div>
          </div>
          <div class="govuk-grid-column-one-quarter">
            <div class="govuk-form-group">
              <label class="govuk-label govuk-label--s" for="filter-frequency">
                Frequency
              </label>
              <select class="govuk-select" id="filter-frequency" name="frequency" value={frequency}
                onChange={(e) => setFrequency((e.target as HTMLSelectElement).value)}>
                <option value="">Any frequency</option>
                <option value="monthly">Monthly</option>
                <option value="quarterly">Quarterly</option>
                <option value="annual">Annual</option>
              </select>
            </div>
          </div>
          <div class="govuk-grid-column-one-quarter">
            <div class="govuk-form-group">
              <label class="govuk-label govuk-label--s" for="filter-status">
                Status
              </label>
              <select class="govuk-select" id="filter-status" name="status" value={status}
                onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
                <option value="">Active and retired</option>
                <option value="active">Active</option>
                <option value="retired">Retired</option>
              </select>
            </div>
          </div>
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
      {query.project_id && <p class="govuk-body">Showing the KPIs linked to one project.</p>}
      {kpis.problem ? (
        <ProblemPage problem={kpis.problem} onRetry={kpis.reload} />
      ) : !kpis.data ? (
        <Loading what="Loading KPIs" />
      ) : (
        <>
          <p class="govuk-body" role="status">
            {kpis.data.total} {kpis.data.total === 1 ? 'KPI' : 'KPIs'}
          </p>
          {kpis.data.items.length > 0 && (
            <Scroll label="KPIs">
              <table class="govuk-table" data-testid="kpis-table">
                <caption class="govuk-table__caption govuk-visually-hidden">KPIs</caption>
                <thead class="govuk-table__head">
                  <tr class="govuk-table__row">
                    <SortHeader label="Code" column="code" query={query} path={path} />
                    <SortHeader label="Name" column="name" query={query} path={path} />
                    <SortHeader label="Frequency" column="frequency" query={query} path={path} />
                    <th scope="col" class="govuk-table__header">Unit</th>
                    <th scope="col" class="govuk-table__header">Linked to</th>
                    <th scope="col" class="govuk-table__header">Status</th>
                  </tr>
                </thead>
                <tbody class="govuk-table__body">
                  {kpis.data.items.map((kpi) => (
                    <tr class="govuk-table__row" key={kpi.id}>
                      <td class="govuk-table__cell app-nowrap">{kpi.code}</td>
                      <td class="govuk-table__cell">
                        <a class="govuk-link" href={`/kpis/${kpi.id}`}>
                          {kpi.name}
                        </a>
                      </td>
                      <td class="govuk-table__cell">{humanise(kpi.frequency)}</td>
                      <td class="govuk-table__cell">{humanise(kpi.unit)}</td>
                      <td class="govuk-table__cell">{linkedTo(kpi)}</td>
                      <td class="govuk-table__cell">{humanise(kpi.status)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
          )}
          <Pagination total={kpis.data.total} limit={LIMIT} offset={Number(query.offset ?? 0)} query={query} path={path} />
        </>
      )}
    </>
  )
}

/** The project page's KPI section: the KPIs linked to the project. */
export function ProjectKpis({ projectId }: { projectId: string }) {
  const kpis = useResource(`project-kpis-${projectId}`, () =>
    load(() => api.GET('/api/v1/kpis', { params: { query: { project_id: projectId, limit: 200, sort: 'code' } } })),
  )
  if (kpis.problem) return <ProblemPage problem={kpis.problem} onRetry={kpis.reload} />
  if (!kpis.data) return <Loading what="Loading KPIs" />
  if (kpis.data.items.length === 0) return <p class="govuk-body">No KPIs are linked to this project.</p>
  return (
    <ul class="govuk-list" data-testid="project-kpis">
      {kpis.data.items.map((kpi) => (
        <li key={kpi.id}>
          <a class="govuk-link" href={`/kpis/${kpi.id}`}>
            {kpi.code} {kpi.name}
          </a>{' '}
          ({humanise(kpi.frequency)}
          {kpi.status === 'retired' ? ', retired' : ''})
        </li>
      ))}
    </ul>
  )
}

// One KPI -------------------------------------------------------------------------------------

interface KpiView {
  kpi: Kpi
  values: Value[]
  targets: Schemas['TargetPublic'][]
  programme?: Schemas['ProgrammePublic']
  project?: Schemas['ProjectPublic']
  owner?: Schemas['UserPublic']
}

async function loadKpi(id: string): Promise<Loaded<KpiView>> {
  const path = { kpi_id: id }
  const [kpi, values, targets] = await Promise.all([
    load(() => api.GET('/api/v1/kpis/{kpi_id}', { params: { path } })),
    load(() => api.GET('/api/v1/kpis/{kpi_id}/values', { params: { path, query: { limit: 200, sort: 'period_start' } } })),
    load(() => api.GET('/api/v1/kpis/{kpi_id}/targets', { params: { path, query: { limit: 200 } } })),
  ])
  if (kpi.problem) return kpi
  if (values.problem) return values
  if (targets.problem) return targets
  const project = kpi.data.project_id
    ? await load(() => api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: kpi.data.project_id as string } } }))
    : null
  // A project's KPI is under that project's programme.
  const programmeId = kpi.data.programme_id ?? project?.data?.programme_id
  const programme = programmeId
    ? await load(() => api.GET('/api/v1/programmes/{programme_id}', { params: { path: { programme_id: programmeId } } }))
    : null
  // The owner's name is a nicety: the page still shows if it cannot be read.
  const owner = kpi.data.owner_id
    ? await load(() => api.GET('/api/v1/users/{user_id}', { params: { path: { user_id: kpi.data.owner_id as string } } }))
    : null
  return {
    data: {
      kpi: kpi.data,
      values: values.data.items,
      targets: targets.data.items,
      programme: programme?.data,
      project: project?.data,
      owner: owner?.data,
    },
  }
}

interface PeriodRow {
  period: Schemas['PeriodPublic']
  value?: Value
  target?: Schemas['TargetPublic']
}

/** Every period with a value or a target, oldest first. */
function periodRows(values: Value[], targets: Schemas['TargetPublic'][]): PeriodRow[] {
  const rows = new Map<string, PeriodRow>()
  for (const target of targets) rows.set(target.period.code, { period: target.period, target })
  for (const value of values) rows.set(value.period.code, { ...rows.get(value.period.code), period: value.period, value })
  return [...rows.values()].sort((a, b) => a.period.start.localeCompare(b.period.start))
}

export function KpiPage({ id }: { id: string }) {
  const view = useResource(`kpi-${id}`, () => loadKpi(id))
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading the KPI" />
  return (
    <>
      <KpiBody view={view.data} reload={view.reload} />
      <HistoryPanel kind="kpi" id={id} version={view.data.kpi.updated_at} />
    </>
  )
}

function KpiBody({ view, reload }: { view: KpiView; reload: () => void }) {
  const { me } = useWho()
  const { kpi, values, targets, programme, project, owner } = view
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [notice, setNotice] = useState('')
  const [changing, setChanging] = useState<Value | null>(null)
  const [deleting, setDeleting] = useState<Value | null>(null)
  const rows = periodRows(values, targets)
  // What I may do here comes from the API (allowed_actions on the KPI and on each value).
  const mayEnter = kpi.allowed_actions.includes('record_value')
  const valueActions = mayEnter || values.some((v) => v.allowed_actions.some((a) => a === 'submit' || a === 'edit' || a === 'delete'))
  const points: ChartPoint[] = rows.map(({ period, value, target }) => {
    const targetNumber = target ? Number(target.target) : null
    const tolerance = Number(target?.tolerance_percent ?? value?.assessment.tolerance_percent ?? kpi.tolerance_percent ?? 5)
    const published = value?.status === 'published' ? value : undefined
    return {
      label: period.label,
      actual: published ? Number(published.actual) : null,
      target: targetNumber,
      edge: targetNumber === null ? null : toleranceEdge(targetNumber, tolerance, kpi.polarity),
      rag: published?.assessment.rag ?? null,
    }
  })
  const latest = [...values].reverse().find((v) => v.status === 'published')
  const summary = latest
    ? `Published values by period against the target, with the amber tolerance band. Latest: ${kpiNumber(latest.actual, kpi.unit)} in ${latest.period.label}` +
      `${latest.assessment.target ? `, target ${kpiNumber(latest.assessment.target, kpi.unit)}` : ''}, ${kpiRagLabel(latest.assessment.rag)}. ` +
      'The table that follows gives every figure.'
    : 'No published values yet. The table that follows gives the targets.'

  // Submit and Change on a value show when the API lists them for me (allowed_actions).
  const step = async (value: Value, action: 'submit' | 'verify' | 'publish', done: string) => {
    const result = await send(() => workflow(value.id, action))
    if (result.errors) {
      setErrors(result.errors)
      setNotice('')
    } else {
      setErrors(null)
      setNotice(`${value.period.label}: ${done}.`)
      reload()
    }
  }

  return (
    <>
      <ErrorSummary errors={errors} onReload={reload} />
      {notice && (
        <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="kpi-notice-title">
          <div class="govuk-notification-banner__header">
            <h2 class="govuk-notification-banner__title" id="kpi-notice-title">
              Done
            </h2>
          </div>
          <div class="govuk-notification-banner__content">
            <p class="govuk-notification-banner__heading">{notice}</p>
          </div>
        </div>
      )}
      <span class="govuk-caption-l">
        KPI {kpi.code}
        {programme && (
          <>
            {' · '}
            <a class="govuk-link govuk-link--no-visited-state" href={`/programmes/${programme.id}`}>{programme.name}</a>
          </>
        )}
        {project && (
          <>
            {' · '}
            <a class="govuk-link govuk-link--no-visited-state" href={`/projects/${project.id}`}>{project.name}</a>
          </>
        )}
      </span>
      <h1 class="govuk-heading-l">{kpi.name}</h1>
      {(kpi.allowed_actions.includes('edit') || kpi.allowed_actions.includes('add_target')) && (
        <div class="govuk-button-group">
          {kpi.allowed_actions.includes('edit') && (
            <a class="govuk-button govuk-button--secondary" href={`/kpis/${kpi.id}/edit`}>
              Change the definition
            </a>
          )}
          {kpi.allowed_actions.includes('add_target') && (
            <a class="govuk-button govuk-button--secondary" href={`/kpis/${kpi.id}/targets`}>
              Change the targets
            </a>
          )}
        </div>
      )}
      {latest && (
        <p class="govuk-body" data-testid="kpi-latest">
          Latest published: <strong>{kpiNumber(latest.actual, kpi.unit)}</strong> in {latest.period.label}{' '}
          <KpiRag rag={latest.assessment.rag} /> <Direction direction={latest.assessment.direction_vs_previous} />
        </p>
      )}
      <h2 class="govuk-heading-m">Definition</h2>
      <SummaryList
        rows={[
          ['Code', kpi.code],
          ['Description', kpi.description || NONE_RECORDED],
          ['Unit', humanise(kpi.unit)],
          ['Better when', kpi.polarity === 'higher_is_better' ? 'Higher' : kpi.polarity === 'lower_is_better' ? 'Lower' : 'Neither (no RAG)'],
          ['Frequency', humanise(kpi.frequency)],
          ['Decimal places', String(kpi.decimal_places)],
          ['Data source', kpi.data_source || 'Not given'],
          ['Baseline', kpi.baseline_value ? `${kpiNumber(kpi.baseline_value, kpi.unit)} in ${kpi.baseline_period?.label ?? ''}` : NOT_SET],
          ['Tolerance', kpi.tolerance_percent ? `${kpi.tolerance_percent}% of the target` : "The organisation's"],
          ['Owner', kpi.owner_id === me.id ? `You (${me.display_name})` : kpi.owner_id ? owner?.display_name ?? 'Not known' : 'Nobody'],
          ['Programme', programme
            ? <a class="govuk-link" href={`/programmes/${programme.id}`}>{programme.name}</a>
            : kpi.programme_id || kpi.project_id ? 'Not known' : 'None: a KPI of the whole council'],
          ['Project', project
            ? <a class="govuk-link" href={`/projects/${project.id}`}>{project.reference} {project.name}</a>
            : kpi.project_id ? 'Not known' : kpi.programme_id ? 'None: a KPI of the programme as a whole' : 'None'],
          ['Status', humanise(kpi.status)],
        ]}
      />
      <h2 class="govuk-heading-m">Trend</h2>
      <KpiChart points={points} unit={kpi.unit} title={`${kpi.code}: published values against target`} summary={summary} />
      <Scroll label="Values and targets by period">
        <table class="govuk-table" data-testid="kpi-values">
          <caption class="govuk-table__caption govuk-table__caption--s">Values and targets by period, newest first</caption>
          <thead class="govuk-table__head">
            <tr class="govuk-table__row">
              <th scope="col" class="govuk-table__header">Period</th>
              <th scope="col" class="govuk-table__header govuk-table__header--numeric">Actual</th>
              <th scope="col" class="govuk-table__header govuk-table__header--numeric">Target</th>
              <th scope="col" class="govuk-table__header">RAG</th>
              <th scope="col" class="govuk-table__header">Direction</th>
              <th scope="col" class="govuk-table__header">Status</th>
              {valueActions && (
                <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Actions</span></th>
              )}
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            {[...rows].reverse().map(({ period, value, target }) => (
              <tr class="govuk-table__row" key={period.code}>
                <th scope="row" class="govuk-table__header app-nowrap">{period.label}</th>
                <td class="govuk-table__cell govuk-table__cell--numeric">{value ? kpiNumber(value.actual, kpi.unit) : 'No value'}</td>
                <td class="govuk-table__cell govuk-table__cell--numeric">{target ? kpiNumber(target.target, kpi.unit) : NOT_SET}</td>
                <td class="govuk-table__cell">{value ? <KpiRag rag={value.assessment.rag} /> : ''}</td>
                <td class="govuk-table__cell">
                  {value ? (
                    <Direction direction={value.assessment.direction_vs_previous} change={value.assessment.change_vs_previous_percent} />
                  ) : (
                    ''
                  )}
                </td>
                <td class="govuk-table__cell">{value ? <ValueStatus status={value.status} /> : ''}</td>
                {valueActions && (
                  <td class="govuk-table__cell">
                    <div class="govuk-button-group govuk-!-margin-bottom-0">
                      {value?.allowed_actions.includes('submit') && (
                        <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-1"
                          onClick={() => step(value, 'submit', 'submitted for verification')}>
                          Submit<span class="govuk-visually-hidden"> {period.label}</span>
                        </button>
                      )}
                      {value?.allowed_actions.includes('edit') && (
                        <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-1"
                          onClick={() => setChanging(value)}>
                          Change<span class="govuk-visually-hidden"> {period.label}</span>
                        </button>
                      )}
                      {value?.allowed_actions.includes('delete') && (
                        <button type="button" class="govuk-button govuk-button--warning govuk-!-margin-bottom-1"
                          onClick={() => setDeleting(value)}>
                          Delete<span class="govuk-visually-hidden"> {period.label}</span>
                        </button>
                      )}
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      {deleting && (
        <DeleteValue key={deleting.id} value={deleting} unit={kpi.unit} onCancel={() => setDeleting(null)} onDeleted={(text) => {
          setDeleting(null)
          setErrors(null)
          setNotice(text)
          reload()
        }} />
      )}
      {changing && (
        <ChangeValueForm key={changing.id} kpi={kpi} value={changing} onCancel={() => setChanging(null)} onSaved={(text) => {
          setChanging(null)
          setErrors(null)
          setNotice(text)
          reload()
        }} />
      )}
      {mayEnter && !changing && (
        <ValueForm key={values.length} kpi={kpi} values={values} onSaved={(text) => {
          setErrors(null)
          setNotice(text)
          reload()
        }} />
      )}
    </>
  )
}

/** Deleting a value not yet published: asked first, with a warning button. */
function DeleteValue({ value, unit, onCancel, onDeleted }: {
  value: Value
  unit: string
  onCancel: () => void
  onDeleted: (text: string) => void
}) {
  return (
    <AskToDelete
      testId="kpi-value-delete"
      heading={<h2 class="govuk-heading-m">Delete the value for {value.period.label}?</h2>}
      explain={`The value ${kpiNumber(value.actual, unit)} is not published yet. Deleting it leaves the period without a value.`}
      request={() => api.DELETE('/api/v1/kpi-values/{value_id}', { params: { path: { value_id: value.id } } })}
      onCancel={onCancel}
      onDeleted={() => onDeleted(`${value.period.label}: the value was deleted.`)}
    />
  )
}

export function ValueStatus({ status }: { status: string }) {
  const colour =
    status === 'published' ? 'govuk-tag--green' : status === 'verified' ? 'govuk-tag--blue' : status === 'submitted' ? 'govuk-tag--purple' : 'govuk-tag--grey'
  return <strong class={`govuk-tag ${colour}`}>{humanise(status)}</strong>
}

const OTHER = 'other'
const VALUE_LABELS = { period_code: 'Period', actual: 'Value', commentary: 'Commentary' }

/** Enter a value for a period: saved as a draft, or saved and submitted for the PMO to verify. */
function ValueForm({ kpi, values, onSaved }: { kpi: Kpi; values: Value[]; onSaved: (notice: string) => void }) {
  const frequency = kpi.frequency as Frequency
  const taken = new Set(values.map((v) => v.period.code))
  const choices = endedPeriods(frequency, new Date(), frequency === 'monthly' ? 12 : frequency === 'quarterly' ? 8 : 4).filter(
    (p) => !taken.has(p.code),
  )
  const [choice, setChoice] = useState(choices[0]?.code ?? OTHER)
  const [code, setCode] = useState('')
  const [actual, setActual] = useState('')
  const [commentary, setCommentary] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const periodCode = choice === OTHER ? code.trim() : choice
  // A period error shows by whichever control gave the period.
  const shown: FormErrors | null =
    errors && choice !== OTHER && errors.fields.period_code
      ? {
          ...errors,
          fields: { ...errors.fields, period_choice: errors.fields.period_code },
          summary: errors.summary.map((s) => (s.href === '#field-period_code' ? { ...s, href: '#field-period_choice' } : s)),
        }
      : errors

  const save = async (andSubmit: boolean) => {
    setBusy(true)
    const created = await send(
      () =>
        api.POST('/api/v1/kpis/{kpi_id}/values', {
          params: { path: { kpi_id: kpi.id } },
          body: { period_code: periodCode, actual: actual.trim(), commentary },
        }),
      VALUE_LABELS,
    )
    if (created.errors || !created.data) {
      setBusy(false)
      setErrors(created.errors ?? null)
      return
    }
    const value = created.data
    if (andSubmit) {
      const submitted = await send(() => workflow(value.id, 'submit'))
      setBusy(false)
      if (submitted.errors) {
        setErrors(submitted.errors)
        return
      }
      onSaved(`${value.period.label}: ${kpiNumber(value.actual, kpi.unit)} submitted for the PMO to verify.`)
    } else {
      setBusy(false)
      onSaved(`${value.period.label}: ${kpiNumber(value.actual, kpi.unit)} saved as a draft.`)
    }
  }

  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <h2 class="govuk-heading-m">Enter a value</h2>
        <ErrorSummary errors={shown} />
        <form noValidate onSubmit={(event) => {
          event.preventDefault()
          void save(true)
        }}>
          <Select name="period_choice" label="Period" value={choice} onChange={setChoice} errors={shown}
            hint="The periods that have ended with no value yet."
            options={[...choices.map((p) => ({ value: p.code, text: p.label })), { value: OTHER, text: 'Another period' }]} />
          {choice === OTHER && (
            <TextInput name="period_code" label="Period code" hint={FREQUENCY_HINT[frequency]}
              value={code} onInput={setCode} errors={shown} width="10" spellcheck={false} />
          )}
          <TextInput name="actual" label="Value" hint={`${kpi.unit === 'percentage' ? 'A percentage, 0 to 100' : humanise(kpi.unit)}, to at most ${kpi.decimal_places} decimal places`}
            value={actual} onInput={setActual} errors={shown} width="10" spellcheck={false} />
          <TextArea name="commentary" label="Commentary" hint="What explains the figure (optional)." value={commentary}
            onInput={setCommentary} errors={shown} rows={3} />
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button" disabled={busy}>
              Save and submit for verification
            </button>
            <button type="button" class="govuk-button govuk-button--secondary" disabled={busy} onClick={() => void save(false)}>
              Save as draft
            </button>
          </div>
        </form>
      </div>
    </div>
  )
}

/** Change a value's figure or commentary, with If-Match: someone else's change since is a 412. */
function ChangeValueForm({ kpi, value, onCancel, onSaved }: { kpi: Kpi; value: Value; onCancel: () => void; onSaved: (notice: string) => void }) {
  const [actual, setActual] = useState(value.actual)
  const [commentary, setCommentary] = useState(value.commentary)
  const [reason, setReason] = useState('')
  const [tag, setTag] = useState<string | null>(null)
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const published = value.status === 'published'
  // The tag of the value as it is now: read when the form opens (and again on "Reload").
  const readTag = async () => {
    const { data, response } = await api.GET('/api/v1/kpi-values/{value_id}', { params: { path: { value_id: value.id } } })
    if (response.ok && data) {
      setTag(response.headers.get('ETag'))
      setActual(data.actual)
      setCommentary(data.commentary)
      setErrors(null)
    }
  }
  useEffect(() => {
    void readTag()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value.id])
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(
      () =>
        api.PATCH('/api/v1/kpi-values/{value_id}', {
          params: { path: { value_id: value.id }, header: { 'If-Match': tag } },
          body: { actual: actual.trim(), commentary, ...(published ? { reason } : {}) },
        }),
      { ...VALUE_LABELS, reason: 'Reason for the change' },
    )
    setBusy(false)
    if (result.errors) setErrors(result.errors)
    else onSaved(`${value.period.label}: changed to ${kpiNumber(actual.trim(), kpi.unit)}.`)
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <h2 class="govuk-heading-m">
          Change the value for {value.period.label}
        </h2>
        <ErrorSummary errors={errors} onReload={() => void readTag()} />
        <form noValidate onSubmit={submit}>
          <TextInput name="actual" label="Value" value={actual} onInput={setActual} errors={errors} width="10" spellcheck={false}
            hint={`To at most ${kpi.decimal_places} decimal places`} />
          <TextArea name="commentary" label="Commentary" value={commentary} onInput={setCommentary} errors={errors} rows={3} />
          {published && (
            <TextArea name="reason" label="Reason for the change" value={reason} onInput={setReason} errors={errors} rows={2}
              hint="The value is published: it stays published, and its earlier version is kept with this reason." />
          )}
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button" disabled={busy || tag === null}>
              Save the change
            </button>
            <button type="button" class="govuk-button govuk-button--secondary" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>
  )
}

// The PMO's queue ------------------------------------------------------------------------------

const QUEUE_KEYS = ['status', 'offset'] as const

export function KpiQueue() {
  const { path, search } = useLocation()
  const can = useCan()
  const query = readQuery(search, QUEUE_KEYS)
  const status = query.status === 'verified' ? 'verified' : 'submitted'
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [notice, setNotice] = useState<{ text: string; value: Value } | null>(null)
  const [returning, setReturning] = useState<Value | null>(null)
  const kpis = useResource('kpis-all', () => load(() => api.GET('/api/v1/kpis', { params: { query: { limit: 200 } } })))
  const values = useResource(`queue${writeQuery(query)}`, () =>
    load(() =>
      api.GET('/api/v1/kpi-values', {
        params: { query: { status, sort: 'period_start', limit: LIMIT, offset: Number(query.offset ?? 0) } },
      }),
    ),
  )
  const kpiOf = (value: Value) => kpis.data?.items.find((k) => k.id === value.kpi_id)
  const act = async (value: Value, action: 'verify' | 'publish', done: string) => {
    const result = await send(() => workflow(value.id, action))
    if (result.errors) {
      setErrors(result.errors)
      setNotice(null)
    } else {
      setErrors(null)
      setNotice({ text: `${value.kpi_code} ${value.period.label}: ${done}.`, value })
      values.reload()
    }
  }
  const tabs: [string, string][] = [
    ['submitted', 'Submitted: to verify'],
    ['verified', 'Verified: to publish'],
  ]
  return (
    <>
      <h1 class="govuk-heading-l">KPI values to verify and publish</h1>
      <ErrorSummary errors={errors} onReload={values.reload} />
      {notice && (
        <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="queue-notice-title">
          <div class="govuk-notification-banner__header">
            <h2 class="govuk-notification-banner__title" id="queue-notice-title">
              Done
            </h2>
          </div>
          <div class="govuk-notification-banner__content">
            <p class="govuk-notification-banner__heading">{notice.text}</p>
            <p class="govuk-body">
              <a class="govuk-notification-banner__link" href={`/kpis/${notice.value.kpi_id}`}>
                Go to {notice.value.kpi_code}
              </a>
            </p>
          </div>
        </div>
      )}
      <nav class="moj-sub-navigation" aria-label="Queue">
        <ul class="moj-sub-navigation__list">
          {tabs.map(([key, label]) => (
            <li class="moj-sub-navigation__item" key={key}>
              <a class="moj-sub-navigation__link" href={`${path}?status=${key}`} aria-current={status === key ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h2 class="govuk-heading-m">{status === 'submitted' ? 'Submitted values' : 'Verified values'}</h2>
      {values.problem ? (
        <ProblemPage problem={values.problem} onRetry={values.reload} />
      ) : !values.data ? (
        <Loading what="Loading the queue" />
      ) : values.data.items.length === 0 ? (
        <p class="govuk-body" role="status">
          {status === 'submitted' ? 'No values are waiting to be verified.' : 'No verified values are waiting to be published.'}
        </p>
      ) : (
        <>
          <p class="govuk-body" role="status">
            {values.data.total} {values.data.total === 1 ? 'value' : 'values'}
          </p>
          <Scroll label="Values in the queue">
            <table class="govuk-table" data-testid="kpi-queue">
              <caption class="govuk-table__caption govuk-visually-hidden">Values in the queue</caption>
              <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                  <th scope="col" class="govuk-table__header">KPI</th>
                  <th scope="col" class="govuk-table__header">Period</th>
                  <th scope="col" class="govuk-table__header govuk-table__header--numeric">Value</th>
                  <th scope="col" class="govuk-table__header govuk-table__header--numeric">Target</th>
                  <th scope="col" class="govuk-table__header">RAG</th>
                  <th scope="col" class="govuk-table__header">{status === 'submitted' ? 'Submitted' : 'Verified'}</th>
                  <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody class="govuk-table__body">
                {values.data.items.map((value) => {
                  const kpi = kpiOf(value)
                  const unit = kpi?.unit ?? 'number'
                  const what = `${value.kpi_code} ${value.period.label}`
                  return (
                    <tr class="govuk-table__row" key={value.id}>
                      <th scope="row" class="govuk-table__header">
                        <a class="govuk-link" href={`/kpis/${value.kpi_id}`}>{value.kpi_code}</a>{' '}
                        <span class="govuk-body-s">{kpi?.name ?? ''}</span>
                        {value.commentary && <p class="govuk-body-s govuk-!-margin-bottom-0">“{value.commentary}”</p>}
                      </th>
                      <td class="govuk-table__cell app-nowrap">{value.period.label}</td>
                      <td class="govuk-table__cell govuk-table__cell--numeric">{kpiNumber(value.actual, unit)}</td>
                      <td class="govuk-table__cell govuk-table__cell--numeric">
                        {value.assessment.target ? kpiNumber(value.assessment.target, unit) : NOT_SET}
                      </td>
                      <td class="govuk-table__cell"><KpiRag rag={value.assessment.rag} /></td>
                      <td class="govuk-table__cell">{formatDate(status === 'submitted' ? value.submitted_at : value.verified_at)}</td>
                      <td class="govuk-table__cell">
                        {value.allowed_actions.length > 0 && (
                          <div class="govuk-button-group govuk-!-margin-bottom-0">
                            {value.allowed_actions.includes('verify') && (
                              <button type="button" class="govuk-button govuk-!-margin-bottom-1" onClick={() => act(value, 'verify', 'verified')}>
                                Verify<span class="govuk-visually-hidden"> {what}</span>
                              </button>
                            )}
                            {value.allowed_actions.includes('publish') && (
                              <button type="button" class="govuk-button govuk-!-margin-bottom-1" onClick={() => act(value, 'publish', 'published')}>
                                Publish<span class="govuk-visually-hidden"> {what}</span>
                              </button>
                            )}
                            {value.allowed_actions.includes('return_to_draft') && (
                              <button type="button" class="govuk-button govuk-button--warning govuk-!-margin-bottom-1"
                                onClick={() => setReturning(value)}>
                                Return to draft<span class="govuk-visually-hidden"> {what}</span>
                              </button>
                            )}
                          </div>
                        )}
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </Scroll>
          <Pagination total={values.data.total} limit={LIMIT} offset={Number(query.offset ?? 0)} query={query} path={path} />
        </>
      )}
      {returning && (
        <ReturnForm value={returning} onCancel={() => setReturning(null)} onReturned={() => {
          setNotice({ text: `${returning.kpi_code} ${returning.period.label}: returned to draft.`, value: returning })
          setErrors(null)
          setReturning(null)
          values.reload()
        }} />
      )}
    </>
  )
}

function ReturnForm({ value, onCancel, onReturned }: { value: Value; onCancel: () => void; onReturned: () => void }) {
  const [reason, setReason] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(
      () => api.POST('/api/v1/kpi-values/{value_id}/return', { params: { path: { value_id: value.id } }, body: { reason } }),
      { reason: 'Reason' },
    )
    setBusy(false)
    if (result.errors) setErrors(result.errors)
    else onReturned()
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <h2 class="govuk-heading-m">
          Return {value.kpi_code} {value.period.label} to draft
        </h2>
        <ErrorSummary errors={errors} />
        <form onSubmit={submit} noValidate>
          <TextArea name="reason" label="Reason" hint="What the submitter should correct; it is kept in the audit trail."
            value={reason} onInput={setReason} errors={errors} rows={3} />
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button govuk-button--warning" disabled={busy}>
              Return to draft
            </button>
            <button type="button" class="govuk-button govuk-button--secondary" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>
  )
}

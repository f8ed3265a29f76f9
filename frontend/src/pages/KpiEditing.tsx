import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { ErrorSummary, Loading, ProblemPage, Radios, Scroll, Select, TextArea, TextInput } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { humanise, NOT_SET } from '../lib/format'
import { kpiNumber } from '../lib/kpi'
import { peopleOptions } from '../lib/people'
import { type FormErrors, NETWORK_PROBLEM, problemFrom, toFormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { send } from './Drawdowns'
import { withEtag } from './RaidForms'

// The PMO's editing of KPI definitions (add, change, retire, reinstate) and their targets.
// Numbers are typed and sent as strings, so the server's rules on decimal places apply.

type Kpi = Schemas['KpiPublic']
type Target = Schemas['TargetPublic']

const UNITS = ['number', 'percentage', 'money', 'ratio', 'yes_no', 'duration'] as const
const POLARITIES = ['higher_is_better', 'lower_is_better', 'none'] as const
const FREQUENCIES = ['annual', 'quarterly', 'monthly'] as const

const LABELS = {
  code: 'Code', name: 'Name', description: 'Description', unit: 'Unit', polarity: 'Better when', frequency: 'Frequency',
  decimal_places: 'Decimal places', data_source: 'Data source', tolerance_percent: 'Amber tolerance',
  baseline_value: 'Baseline value', baseline_period: 'Baseline period', programme_id: 'Programme',
  project_id: 'Project', owner_id: 'Owner', period_code: 'Period', target: 'Target',
}

const PERIOD_EXAMPLE: Record<string, string> = {
  annual: 'A financial year, for example 2026-27.',
  quarterly: 'A quarter, for example 2026-27-Q1 (Q1 is April to June).',
  monthly: 'A month, for example 2026-04.',
}
const PERIOD_HINT = 'For example 2026-27 (a year), 2026-27-Q1 (a quarter, Q1 is April to June) or 2026-04 (a month).'

export function KpiNew() {
  return <WithPickers render={(pickers) => <KpiForm pickers={pickers} />} />
}

export function KpiEdit({ id }: { id: string }) {
  const view = useResource(`kpi-edit-${id}`, () => withEtag(() => api.GET('/api/v1/kpis/{kpi_id}', { params: { path: { kpi_id: id } } })))
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  const { record, etag } = view.data
  return (
    <WithPickers projectId={record.project_id} render={(pickers) => (
      <KpiForm key={etag} pickers={pickers} existing={record} etag={etag} onReload={view.reload} />
    )} />
  )
}

/** What the definition form picks from: the programmes, the people, and the KPI's own project
 * (whose programme the form opens on). */
interface Pickers {
  programmes: Schemas['ProgrammePublic'][]
  people: Schemas['UserPublic'][]
  project?: Schemas['ProjectPublic']
}

async function loadPickers(projectId?: string | null): Promise<Loaded<Pickers>> {
  const [programmes, people, project] = await Promise.all([
    load(() => api.GET('/api/v1/programmes', { params: { query: { limit: 200, sort: 'name' } } })),
    load(() => api.GET('/api/v1/users', { params: { query: { limit: 200, sort: 'display_name' } } })),
    projectId ? load(() => api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: projectId } } })) : null,
  ])
  if (programmes.problem) return programmes
  if (people.problem) return people
  if (project?.problem) return project
  return { data: { programmes: programmes.data.items, people: people.data.items, project: project?.data } }
}

function WithPickers({ projectId, render }: { projectId?: string | null; render: (pickers: Pickers) => preact.JSX.Element }) {
  const pickers = useResource(`kpi-pickers-${projectId ?? ''}`, () => loadPickers(projectId))
  if (pickers.problem) return <ProblemPage problem={pickers.problem} onRetry={pickers.reload} />
  if (!pickers.data) return <Loading />
  return render(pickers.data)
}

/** The projects of the chosen programme, read when the programme changes; "None" keeps the KPI
 * the programme's own. */
function ProjectChoice({ programmeId, value, current, onChange, errors }: {
  programmeId: string
  value: string
  current?: Schemas['ProjectPublic']
  onChange: (value: string) => void
  errors: FormErrors | null
}) {
  const projects = useResource(`kpi-projects-${programmeId}`, () =>
    load(() => api.GET('/api/v1/projects', { params: { query: { programme_id: programmeId, limit: 200, sort: 'reference' } } })),
  )
  const items = projects.data?.items ?? (current && current.programme_id === programmeId ? [current] : [])
  return (
    <Select name="project_id" label="Project (optional)" hint="A KPI of one project of the programme, or of the programme as a whole."
      value={value} onChange={onChange} errors={errors}
      options={[{ value: '', text: 'None: the programme as a whole' }, ...items.map((p) => ({ value: p.id, text: `${p.reference} ${p.name}` }))]} />
  )
}

function KpiForm({ pickers, existing, etag, onReload }: {
  pickers: Pickers
  existing?: Kpi
  etag?: string
  onReload?: () => void
}) {
  const [form, setForm] = useState({
    code: existing?.code ?? '', name: existing?.name ?? '', description: existing?.description ?? '',
    unit: existing?.unit ?? 'number', polarity: existing?.polarity ?? 'higher_is_better', frequency: existing?.frequency ?? 'quarterly',
    decimal_places: String(existing?.decimal_places ?? 0), data_source: existing?.data_source ?? '',
    tolerance_percent: existing?.tolerance_percent ?? '', baseline_value: existing?.baseline_value ?? '',
    baseline_period: existing?.baseline_period?.code ?? '',
    // A KPI of a project opens on its project's programme.
    programme_id: existing?.programme_id ?? pickers.project?.programme_id ?? '', project_id: existing?.project_id ?? '',
    owner_id: existing?.owner_id ?? '',
  })
  const { programmes, people } = pickers
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const places = form.decimal_places.trim()
    const body = {
      code: form.code, name: form.name, description: form.description,
      unit: form.unit as Schemas['Unit'], polarity: form.polarity as Schemas['Polarity'], frequency: form.frequency as Schemas['Frequency'],
      // Not a whole number: sent as typed, so the server says what is wrong with it.
      decimal_places: /^\d+$/.test(places) ? Number(places) : (places as unknown as number),
      data_source: form.data_source, tolerance_percent: form.tolerance_percent.trim() || null,
      baseline_value: form.baseline_value.trim() || null, baseline_period: form.baseline_period.trim() || null,
      owner_id: form.owner_id || null,
      // The API takes at most one: a project of the programme, or else the programme (or neither).
      project_id: form.programme_id ? form.project_id || null : null,
      programme_id: form.programme_id && !form.project_id ? form.programme_id : null,
    }
    const result = existing
      ? await send(() => api.PATCH('/api/v1/kpis/{kpi_id}', {
          params: { path: { kpi_id: existing.id }, header: { 'If-Match': etag ?? '' } }, body,
        }), LABELS)
      : await send(() => api.POST('/api/v1/kpis', { body }), LABELS)
    setBusy(false)
    if (result.data) navigate(`/kpis/${result.data.id}`)
    else setErrors(result.errors ?? null)
  }
  const retire = async (action: 'retire' | 'reinstate') => {
    if (!existing) return
    setBusy(true)
    const path = { params: { path: { kpi_id: existing.id } } }
    const result = await send(() => action === 'retire'
      ? api.POST('/api/v1/kpis/{kpi_id}/retire', path)
      : api.POST('/api/v1/kpis/{kpi_id}/reinstate', path))
    setBusy(false)
    if (result.data) navigate(`/kpis/${existing.id}`)
    else setErrors(result.errors ?? null)
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} onReload={onReload} />
        <h1 class="govuk-heading-l">{existing ? `Change KPI ${existing.code}` : 'Add a KPI'}</h1>
        {existing && (
          <p class="govuk-body">
            Status: <strong>{humanise(existing.status)}</strong>.{' '}
            <a class="govuk-link" href={`/kpis/${existing.id}/targets`}>Targets for each period</a>
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <TextInput name="code" label="Code" hint="Unique in the council, for example ICT-01." value={form.code} onInput={set('code')}
            errors={errors} width="10" spellcheck={false} />
          <TextInput name="name" label="Name" value={form.name} onInput={set('name')} errors={errors} />
          <TextArea name="description" label="Description (optional)" value={form.description} onInput={set('description')} errors={errors} rows={3} />
          <Select name="owner_id" label="Owner (optional)" hint="Who enters its values." value={form.owner_id}
            onChange={set('owner_id')} errors={errors} options={peopleOptions(people, existing?.owner_id, 'Nobody')} />
          <Select name="programme_id" label="Programme (optional)" value={form.programme_id}
            onChange={(value) => setForm({ ...form, programme_id: value, project_id: '' })} errors={errors}
            options={[{ value: '', text: 'The whole council' }, ...programmes.map((p) => ({ value: p.id, text: p.name }))]} />
          {form.programme_id && (
            <ProjectChoice programmeId={form.programme_id} value={form.project_id} current={pickers.project} onChange={set('project_id')}
              errors={errors} />
          )}
          <Select name="unit" label="Unit" value={form.unit} onChange={set('unit')} errors={errors}
            options={UNITS.map((u) => ({ value: u, text: humanise(u) }))} />
          <Radios name="polarity" label="Better when" value={form.polarity} onChange={set('polarity')} errors={errors} small
            options={[
              { value: 'higher_is_better', text: 'Higher' },
              { value: 'lower_is_better', text: 'Lower' },
              { value: 'none', text: 'Neither (no RAG)' },
            ]} />
          <Select name="frequency" label="Frequency" value={form.frequency} onChange={set('frequency')} errors={errors}
            options={FREQUENCIES.map((f) => ({ value: f, text: humanise(f) }))} />
          <TextInput name="decimal_places" label="Decimal places" hint="0 to 6" value={form.decimal_places} onInput={set('decimal_places')}
            errors={errors} width="2" />
          <TextInput name="tolerance_percent" label="Amber tolerance (optional)" hint="Percent of the target, for example 5"
            value={form.tolerance_percent} onInput={set('tolerance_percent')} errors={errors} width="4" />
          <TextInput name="baseline_value" label="Baseline value (optional)" value={form.baseline_value} onInput={set('baseline_value')}
            errors={errors} width="10" />
          <TextInput name="baseline_period" label="Baseline period (optional)" hint={PERIOD_HINT} value={form.baseline_period}
            onInput={set('baseline_period')} errors={errors} width="10" />
          <TextInput name="data_source" label="Data source (optional)" value={form.data_source} onInput={set('data_source')} errors={errors} />
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button" disabled={busy}>
              {existing ? 'Save the changes' : 'Add the KPI'}
            </button>
            <a class="govuk-link" href={existing ? `/kpis/${existing.id}` : '/kpis'}>
              Cancel
            </a>
          </div>
        </form>
        {existing && (existing.allowed_actions.includes('retire') || existing.allowed_actions.includes('reinstate')) && (
          <>
            <h2 class="govuk-heading-m">{existing.status === 'retired' ? 'Reinstate' : 'Retire'}</h2>
            <p class="govuk-body">
              {existing.status === 'retired'
                ? 'A reinstated KPI takes values again and is back on the scorecards.'
                : 'A retired KPI keeps its history but takes no new values and leaves the scorecards.'}
            </p>
            <button type="button" class="govuk-button govuk-button--warning" disabled={busy}
              onClick={() => retire(existing.status === 'retired' ? 'reinstate' : 'retire')}>
              {existing.status === 'retired' ? 'Reinstate the KPI' : 'Retire the KPI'}
            </button>
          </>
        )}
      </div>
    </div>
  )
}

// Targets

interface TargetsView {
  kpi: Kpi
  targets: Target[]
}

async function loadTargets(id: string): Promise<Loaded<TargetsView>> {
  const [kpi, targets] = await Promise.all([
    load(() => api.GET('/api/v1/kpis/{kpi_id}', { params: { path: { kpi_id: id } } })),
    load(() => api.GET('/api/v1/kpis/{kpi_id}/targets', { params: { path: { kpi_id: id }, query: { limit: 200 } } })),
  ])
  if (kpi.problem) return kpi
  if (targets.problem) return targets
  return { data: { kpi: kpi.data, targets: targets.data.items } }
}

export function KpiTargets({ id }: { id: string }) {
  const view = useResource(`kpi-targets-${id}`, () => loadTargets(id))
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [done, setDone] = useState('')
  const [editing, setEditing] = useState<Target | null>(null)
  const [etag, setEtag] = useState('')
  const [form, setForm] = useState({ period_code: '', target: '', tolerance_percent: '' })
  const [busy, setBusy] = useState(false)
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  const { kpi, targets } = view.data
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const startEditing = async (target: Target | null) => {
    setErrors(null)
    if (target) {
      // The ETag of the target as it is now: a change by someone else from here on is a 412.
      const targetId = target.id
      const current = await withEtag(() => api.GET('/api/v1/kpi-targets/{target_id}', { params: { path: { target_id: targetId } } }))
      if (current.problem) return setErrors(toFormErrors(current.problem))
      target = current.data.record
      setEtag(current.data.etag)
    }
    setEditing(target)
    setForm(target
      ? { period_code: target.period.code, target: target.target, tolerance_percent: target.tolerance_percent ?? '' }
      : { period_code: '', target: '', tolerance_percent: '' })
  }
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const tolerance = form.tolerance_percent.trim() || null
    let result: { data?: unknown; errors?: FormErrors }
    if (editing) {
      result = await send(() => api.PATCH('/api/v1/kpi-targets/{target_id}', {
        params: { path: { target_id: editing.id }, header: { 'If-Match': etag } },
        body: { target: form.target.trim(), tolerance_percent: tolerance },
      }), LABELS)
    } else {
      result = await send(() => api.POST('/api/v1/kpis/{kpi_id}/targets', {
        params: { path: { kpi_id: kpi.id } },
        body: { period_code: form.period_code.trim(), target: form.target.trim(), tolerance_percent: tolerance },
      }), LABELS)
    }
    setBusy(false)
    if (result.data) {
      setDone(editing ? `The target for ${editing.period.label} is changed.` : 'The target is added.')
      startEditing(null)
      view.reload()
    } else setErrors(result.errors ?? null)
  }
  const remove = async (target: Target) => {
    try {
      const { response, error } = await api.DELETE('/api/v1/kpi-targets/{target_id}', { params: { path: { target_id: target.id } } })
      if (response.ok) {
        setErrors(null)
        setDone(`The target for ${target.period.label} is deleted.`)
        view.reload()
      } else setErrors(toFormErrors(await problemFrom(response, error)))
    } catch {
      setErrors(toFormErrors(NETWORK_PROBLEM))
    }
  }
  return (
    <>
      <span class="govuk-caption-l">
        <a class="govuk-link govuk-link--no-visited-state" href={`/kpis/${kpi.id}`}>{kpi.code} {kpi.name}</a>
      </span>
      <h1 class="govuk-heading-l">Targets</h1>
      <ErrorSummary errors={errors} onReload={() => {
        startEditing(null)
        view.reload()
      }} />
      {done && (
        <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="target-done">
          <div class="govuk-notification-banner__header">
            <h2 class="govuk-notification-banner__title" id="target-done">Success</h2>
          </div>
          <div class="govuk-notification-banner__content">
            <p class="govuk-notification-banner__heading">{done}</p>
          </div>
        </div>
      )}
      {targets.length === 0 ? (
        <p class="govuk-body">No targets yet.</p>
      ) : (
        <Scroll label="Targets">
          <table class="govuk-table" data-testid="kpi-targets">
            <caption class="govuk-table__caption govuk-visually-hidden">Targets of {kpi.name}</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Period</th>
                <th scope="col" class="govuk-table__header govuk-table__header--numeric">Target</th>
                <th scope="col" class="govuk-table__header govuk-table__header--numeric">Amber tolerance</th>
                <th scope="col" class="govuk-table__header">Action</th>
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {targets.map((target) => (
                <tr class="govuk-table__row" key={target.id}>
                  <th scope="row" class="govuk-table__header">{target.period.label}</th>
                  <td class="govuk-table__cell govuk-table__cell--numeric">{kpiNumber(target.target, kpi.unit)}</td>
                  <td class="govuk-table__cell govuk-table__cell--numeric">
                    {target.tolerance_percent
                      ? `${target.tolerance_percent}%`
                      : kpi.tolerance_percent
                        ? `${kpi.tolerance_percent}% (the KPI's)`
                        : NOT_SET}
                  </td>
                  <td class="govuk-table__cell">
                    <div class="govuk-button-group govuk-!-margin-bottom-0">
                      {target.allowed_actions.includes('edit') && (
                        <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={() => startEditing(target)}>
                          Change<span class="govuk-visually-hidden"> the target for {target.period.label}</span>
                        </button>
                      )}
                      {target.allowed_actions.includes('delete') && (
                        <button type="button" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0" onClick={() => remove(target)}>
                          Delete<span class="govuk-visually-hidden"> the target for {target.period.label}</span>
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      {(editing || kpi.allowed_actions.includes('add_target')) && (
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <h2 class="govuk-heading-m">{editing ? `Change the target for ${editing.period.label}` : 'Add a target'}</h2>
          <form onSubmit={submit} noValidate>
            {!editing && (
              <TextInput name="period_code" label="Period" hint={PERIOD_EXAMPLE[kpi.frequency] ?? PERIOD_HINT} value={form.period_code}
                onInput={set('period_code')} errors={errors} width="10" spellcheck={false} />
            )}
            <TextInput name="target" label="Target" hint={`Up to ${kpi.decimal_places} decimal places.`} value={form.target}
              onInput={set('target')} errors={errors} width="10" />
            <TextInput name="tolerance_percent" label="Amber tolerance (optional)" hint="Percent of the target; empty to use the KPI's."
              value={form.tolerance_percent} onInput={set('tolerance_percent')} errors={errors} width="4" />
            <div class="govuk-button-group">
              <button type="submit" class="govuk-button" disabled={busy}>
                {editing ? 'Save the target' : 'Add the target'}
              </button>
              {editing && (
                <button type="button" class="govuk-button govuk-button--secondary" onClick={() => startEditing(null)}>
                  Cancel
                </button>
              )}
            </div>
          </form>
        </div>
      </div>
      )}
    </>
  )
}

import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { Checkboxes, ErrorSummary, Loading, ProblemPage, Radios, Select, TextArea, TextInput } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { humanise } from '../lib/format'
import { financialYearOf, poundsInput } from '../lib/money'
import { peopleOptions } from '../lib/people'
import { type FormErrors, fieldId, NETWORK_PROBLEM, problemFrom, toFormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { send } from './Drawdowns'
import { withEtag } from './RaidForms'

// Adding and changing a project's cost lines and benefits (costs_benefits:edit), and a benefit's
// profile by financial year. Amounts are typed in pounds and sent as the API's decimal strings.

type CostLine = Schemas['CostLinePublic']
type Benefit = Schemas['BenefitPublic']

const YEAR_HINT = 'For example 2026/27 (1 April to 31 March).'
const AMOUNT_HINT = 'In pounds and pence, for example 45000.00'

async function deleteRecord(request: () => Promise<{ error?: unknown; response: Response }>): Promise<FormErrors | null> {
  try {
    const { response, error } = await request()
    return response.ok ? null : toFormErrors(await problemFrom(response, error))
  } catch {
    return toFormErrors(NETWORK_PROBLEM)
  }
}

// Cost lines

const COST_LABELS = {
  kind: 'Kind', description: 'Description', grade: 'Grade', amount: 'Amount', financial_year: 'Financial year',
  funding_source_id: 'Funding source',
}

export function CostLineNew({ projectId }: { projectId: string }) {
  return <WithSources render={(sources) => <CostLineForm projectId={projectId} sources={sources} />} />
}

export function CostLineEdit({ id }: { id: string }) {
  const view = useResource(`cost-line-${id}`, () =>
    withEtag(() => api.GET('/api/v1/cost-lines/{cost_line_id}', { params: { path: { cost_line_id: id } } })),
  )
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  const { record, etag } = view.data
  return (
    <WithSources render={(sources) => (
      <CostLineForm key={etag} projectId={record.project_id ?? ''} sources={sources} existing={record} etag={etag} onReload={view.reload} />
    )} />
  )
}

function WithSources({ render }: { render: (sources: Schemas['FundingSourcePublic'][]) => preact.JSX.Element }) {
  const sources = useResource('funding-sources-all', () =>
    load(() => api.GET('/api/v1/funding-sources', { params: { query: { limit: 200, sort: 'name' } } })),
  )
  if (sources.problem) return <ProblemPage problem={sources.problem} onRetry={sources.reload} />
  if (!sources.data) return <Loading />
  return render(sources.data.items)
}

function CostLineForm({ projectId, sources, existing, etag, onReload }: {
  projectId: string
  sources: Schemas['FundingSourcePublic'][]
  existing?: CostLine
  etag?: string
  onReload?: () => void
}) {
  const [form, setForm] = useState({
    kind: existing?.kind ?? 'one_off', description: existing?.description ?? '', grade: existing?.grade ?? '',
    amount: existing?.amount ?? '', financial_year: existing?.financial_year ?? financialYearOf(new Date()),
    funding_source_id: existing?.funding_source_id ?? '',
  })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const back = `/projects/${projectId}?tab=costs`
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const body = {
      kind: form.kind as Schemas['CostKind'], description: form.description, grade: form.grade.trim() || null,
      amount: poundsInput(form.amount), financial_year: form.financial_year.trim(), funding_source_id: form.funding_source_id || null,
    }
    const result = existing
      ? await send(() => api.PATCH('/api/v1/cost-lines/{cost_line_id}', {
          params: { path: { cost_line_id: existing.id }, header: { 'If-Match': etag ?? '' } }, body,
        }), COST_LABELS)
      : await send(() => api.POST('/api/v1/cost-lines', { body: { ...body, project_id: projectId } }), COST_LABELS)
    setBusy(false)
    if (result.data) navigate(back)
    else setErrors(result.errors ?? null)
  }
  const remove = async () => {
    if (!existing) return
    const problem = await deleteRecord(() =>
      api.DELETE('/api/v1/cost-lines/{cost_line_id}', { params: { path: { cost_line_id: existing.id } } }),
    )
    if (problem) setErrors(problem)
    else navigate(back)
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} onReload={onReload} />
        <h1 class="govuk-heading-l">{existing ? 'Change a cost line' : 'Add a cost line'}</h1>
        <form onSubmit={submit} noValidate>
          <Radios name="kind" label="Kind" value={form.kind} onChange={set('kind')} errors={errors} small
            options={[{ value: 'one_off', text: 'One-off investment' }, { value: 'resourcing', text: 'Resourcing (a post)' }]} />
          <TextInput name="description" label="Description" hint='The item, or the post, for example "Business Analyst x 2".'
            value={form.description} onInput={set('description')} errors={errors} />
          {form.kind === 'resourcing' && (
            <TextInput name="grade" label="Grade (optional)" hint="For example Grade 12" value={form.grade} onInput={set('grade')}
              errors={errors} width="10" />
          )}
          <TextInput name="amount" label="Amount" hint={AMOUNT_HINT} value={form.amount} onInput={set('amount')} errors={errors}
            width="10" spellcheck={false} />
          <TextInput name="financial_year" label="Financial year" hint={YEAR_HINT} value={form.financial_year}
            onInput={set('financial_year')} errors={errors} width="5" />
          <Select name="funding_source_id" label="Funding source (optional)" value={form.funding_source_id}
            onChange={set('funding_source_id')} errors={errors}
            options={[{ value: '', text: 'No funding source' }, ...sources.map((s) => ({ value: s.id, text: s.name }))]} />
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button" disabled={busy}>
              {existing ? 'Save the changes' : 'Add the cost line'}
            </button>
            {existing && (
              <button type="button" class="govuk-button govuk-button--warning" onClick={remove}>
                Delete the cost line
              </button>
            )}
            <a class="govuk-link" href={back}>
              Cancel
            </a>
          </div>
        </form>
      </div>
    </div>
  )
}

// Benefits

const BENEFIT_LABELS = {
  title: 'Title', description: 'Description', category: 'Category', benefit_class: 'Class', baseline: 'Baseline',
  in_mtfp: 'Already in the MTFP', status: 'Status', profile: 'Profile', owner_id: 'Owner', kpi_id: 'KPI',
}
const CATEGORIES = ['financial', 'efficiency', 'customer', 'cultural'] as const
const CLASSES: [string, string][] = [
  ['cashable', 'Cashable'], ['non_cashable', 'Non-cashable'], ['qualitative', 'Qualitative'], ['dis_benefit', 'Dis-benefit'],
]
const STATUSES = ['identified', 'planned', 'realising', 'realised', 'closed'] as const

export function BenefitNew({ projectId }: { projectId: string }) {
  return <WithBenefitPickers render={(pickers) => <BenefitForm projectId={projectId} pickers={pickers} />} />
}

export function BenefitEdit({ id }: { id: string }) {
  const view = useResource(`benefit-${id}`, () =>
    withEtag(() => api.GET('/api/v1/benefits/{benefit_id}', { params: { path: { benefit_id: id } } })),
  )
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  const { record, etag } = view.data
  return (
    <WithBenefitPickers kpiId={record.kpi_id} render={(pickers) => (
      <BenefitForm key={etag} projectId={record.project_id ?? ''} pickers={pickers} existing={record} etag={etag} onReload={view.reload} />
    )} />
  )
}

/** What a benefit picks from: an owner among the people, and the KPI that measures it. */
interface BenefitPickers {
  people: Schemas['UserPublic'][]
  kpis: Schemas['KpiPublic'][]
}

async function loadBenefitPickers(kpiId?: string | null): Promise<Loaded<BenefitPickers>> {
  const [people, kpis] = await Promise.all([
    load(() => api.GET('/api/v1/users', { params: { query: { limit: 200, sort: 'display_name' } } })),
    load(() => api.GET('/api/v1/kpis', { params: { query: { status: 'active', limit: 200, sort: 'code' } } })),
  ])
  if (people.problem) return people
  if (kpis.problem) return kpis
  const list = kpis.data.items
  // The benefit's own KPI stays a choice even when retired (or past the first 200).
  if (kpiId && !list.some((k) => k.id === kpiId)) {
    const current = await load(() => api.GET('/api/v1/kpis/{kpi_id}', { params: { path: { kpi_id: kpiId } } }))
    if (current.data) list.push(current.data)
  }
  return { data: { people: people.data.items, kpis: list } }
}

function WithBenefitPickers({ kpiId, render }: { kpiId?: string | null; render: (pickers: BenefitPickers) => preact.JSX.Element }) {
  const pickers = useResource(`benefit-pickers-${kpiId ?? ''}`, () => loadBenefitPickers(kpiId))
  if (pickers.problem) return <ProblemPage problem={pickers.problem} onRetry={pickers.reload} />
  if (!pickers.data) return <Loading />
  return render(pickers.data)
}

function BenefitForm({ projectId, pickers, existing, etag, onReload }: {
  projectId: string
  pickers: BenefitPickers
  existing?: Benefit
  etag?: string
  onReload?: () => void
}) {
  const [form, setForm] = useState({
    title: existing?.title ?? '', description: existing?.description ?? '', category: existing?.category ?? 'financial',
    benefit_class: existing?.benefit_class ?? 'cashable', baseline: existing?.baseline ?? '', status: existing?.status ?? 'identified',
    owner_id: existing?.owner_id ?? '', kpi_id: existing?.kpi_id ?? '',
  })
  const [inMtfp, setInMtfp] = useState<string[]>(existing?.in_mtfp ? ['yes'] : [])
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const back = `/projects/${projectId}?tab=benefits`
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const body = {
      title: form.title, description: form.description, category: form.category as Schemas['Category'],
      benefit_class: form.benefit_class as Schemas['BenefitClass'], baseline: form.baseline, in_mtfp: inMtfp.includes('yes'),
      status: form.status as Schemas['BenefitStatus'], owner_id: form.owner_id || null, kpi_id: form.kpi_id || null,
    }
    const result = existing
      ? await send(() => api.PATCH('/api/v1/benefits/{benefit_id}', {
          params: { path: { benefit_id: existing.id }, header: { 'If-Match': etag ?? '' } }, body,
        }), BENEFIT_LABELS)
      : await send(() => api.POST('/api/v1/benefits', { body: { ...body, project_id: projectId, profile: [] } }), BENEFIT_LABELS)
    setBusy(false)
    // A new benefit goes on to its profile by year (not for a qualitative one).
    if (result.data) navigate(!existing && body.benefit_class !== 'qualitative' ? `/benefits/${result.data.id}/profile` : back)
    else setErrors(result.errors ?? null)
  }
  const remove = async () => {
    if (!existing) return
    const problem = await deleteRecord(() => api.DELETE('/api/v1/benefits/{benefit_id}', { params: { path: { benefit_id: existing.id } } }))
    if (problem) setErrors(problem)
    else navigate(back)
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} onReload={onReload} />
        <h1 class="govuk-heading-l">{existing ? `Change benefit ${existing.reference}` : 'Add a benefit'}</h1>
        {existing && existing.benefit_class !== 'qualitative' && (
          <p class="govuk-body">
            <a class="govuk-link" href={`/benefits/${existing.id}/profile`}>Change the profile by financial year</a>
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <TextInput name="title" label="Title" value={form.title} onInput={set('title')} errors={errors} />
          <TextArea name="description" label="Description (optional)" value={form.description} onInput={set('description')} errors={errors} rows={3} />
          <Select name="benefit_class" label="Class" value={form.benefit_class} onChange={set('benefit_class')} errors={errors}
            options={CLASSES.map(([value, text]) => ({ value, text }))} />
          <Select name="category" label="Category" value={form.category} onChange={set('category')} errors={errors}
            options={CATEGORIES.map((c) => ({ value: c, text: humanise(c) }))} />
          <Select name="owner_id" label="Owner (optional)" hint="Who answers for realising the benefit." value={form.owner_id}
            onChange={set('owner_id')} errors={errors} options={peopleOptions(pickers.people, existing?.owner_id, 'Not set')} />
          <Select name="kpi_id" label="KPI (optional)" hint="The KPI that measures the benefit." value={form.kpi_id}
            onChange={set('kpi_id')} errors={errors}
            options={[{ value: '', text: 'None' }, ...pickers.kpis.map((k) => ({ value: k.id, text: `${k.code} ${k.name}` }))]} />
          <TextArea name="baseline" label="Baseline (optional)" value={form.baseline} onInput={set('baseline')} errors={errors} rows={2} />
          <Checkboxes name="in_mtfp" label="Medium term financial plan" values={inMtfp} onChange={setInMtfp} errors={errors}
            options={[{ value: 'yes', text: 'A cashable benefit already counted in the MTFP' }]} />
          <Select name="status" label="Status" value={form.status} onChange={set('status')} errors={errors}
            options={STATUSES.map((s) => ({ value: s, text: humanise(s) }))} />
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button" disabled={busy}>
              {existing ? 'Save the changes' : 'Add the benefit'}
            </button>
            {existing && (
              <button type="button" class="govuk-button govuk-button--warning" onClick={remove}>
                Delete the benefit
              </button>
            )}
            <a class="govuk-link" href={back}>
              Cancel
            </a>
          </div>
        </form>
      </div>
    </div>
  )
}

interface Row {
  financial_year: string
  planned: string
  forecast: string
  actual: string
}

const EMPTY_ROW: Row = { financial_year: '', planned: '', forecast: '', actual: '' }

export function BenefitProfile({ id }: { id: string }) {
  const view = useResource(`benefit-profile-${id}`, (): Promise<Loaded<{ record: Benefit; etag: string }>> =>
    withEtag(() => api.GET('/api/v1/benefits/{benefit_id}', { params: { path: { benefit_id: id } } })),
  )
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  return <ProfileForm key={view.data.etag} benefit={view.data.record} etag={view.data.etag} onReload={view.reload} />
}

function ProfileForm({ benefit, etag, onReload }: { benefit: Benefit; etag: string; onReload: () => void }) {
  const [rows, setRows] = useState<Row[]>(
    benefit.profile.length
      ? benefit.profile.map((e) => ({ financial_year: e.financial_year, planned: e.planned ?? '', forecast: e.forecast ?? '', actual: e.actual ?? '' }))
      : [{ ...EMPTY_ROW, financial_year: financialYearOf(new Date()) }],
  )
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const back = `/projects/${benefit.project_id ?? ''}?tab=benefits`
  const setCell = (index: number, key: keyof Row) => (value: string) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, [key]: value } : row)))
  const amount = (text: string) => (text.trim() ? poundsInput(text) : null)
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const profile = rows
      .filter((row) => row.financial_year.trim() || row.planned || row.forecast || row.actual)
      .map((row) => ({ financial_year: row.financial_year.trim(), planned: amount(row.planned), forecast: amount(row.forecast), actual: amount(row.actual) }))
    const result = await send(() => api.PUT('/api/v1/benefits/{benefit_id}/profile', {
      params: { path: { benefit_id: benefit.id }, header: { 'If-Match': etag } }, body: { profile },
    }), PROFILE_LABELS(rows))
    setBusy(false)
    if (result.data) navigate(back)
    else setErrors(result.errors ?? null)
  }
  return (
    <>
      <ErrorSummary errors={errors} onReload={onReload} />
      <span class="govuk-caption-l">{benefit.reference} {benefit.title}</span>
      <h1 class="govuk-heading-l">Profile by financial year</h1>
      <p class="govuk-body">Amounts in pounds, for example 44000.00. Leave an amount empty when it is not known.</p>
      <form onSubmit={submit} noValidate>
        {rows.map((row, index) => (
          <fieldset class="govuk-fieldset app-profile-row" key={index}>
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Year {index + 1}</legend>
            <div class="govuk-grid-row">
              {(['financial_year', 'planned', 'forecast', 'actual'] as const).map((key) => (
                <div class="govuk-grid-column-one-quarter" key={key}>
                  <TextInput name={`profile.${index}.${key}`} label={PROFILE_NAMES[key]} value={row[key]} onInput={setCell(index, key)}
                    errors={errors} spellcheck={false} hint={key === 'financial_year' && index === 0 ? 'For example 2026/27' : undefined} />
                </div>
              ))}
            </div>
            <button type="button" class="govuk-button govuk-button--secondary"
              onClick={() => setRows(rows.filter((_, i) => i !== index))}>
              Remove<span class="govuk-visually-hidden"> year {index + 1}</span>
            </button>
          </fieldset>
        ))}
        <div class="govuk-button-group">
          <button type="button" class="govuk-button govuk-button--secondary" onClick={() => {
            setRows([...rows, { ...EMPTY_ROW }])
            // Focus the new year's first field once it is drawn.
            setTimeout(() => document.getElementById(fieldId(`profile.${rows.length}.financial_year`))?.focus(), 0)
          }}>
            Add another year
          </button>
        </div>
        <div class="govuk-button-group">
          <button type="submit" class="govuk-button" disabled={busy}>
            Save the profile
          </button>
          <a class="govuk-link" href={back}>
            Cancel
          </a>
        </div>
      </form>
    </>
  )
}

const PROFILE_NAMES = { financial_year: 'Financial year', planned: 'Planned', forecast: 'Forecast', actual: 'Actual' }

/** "profile.0.planned" -> "Year 1 planned", so the summary names the field the server refused. */
function PROFILE_LABELS(rows: Row[]): Record<string, string> {
  const labels: Record<string, string> = {}
  rows.forEach((_, index) => {
    for (const [key, name] of Object.entries(PROFILE_NAMES)) labels[`profile.${index}.${key}`] = `Year ${index + 1} ${name.toLowerCase()}`
  })
  return labels
}

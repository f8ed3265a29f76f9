import { useState } from 'preact/hooks'
import { HistoryPanel } from '../components/HistoryPanel'
import { ActionDone, RiskActions } from '../components/RaidActions'
import { api, type Schemas } from '../api/client'
import { DateInput, ErrorSummary, Loading, ProblemPage, Radios, Select, SummaryList, TextArea, TextInput } from '../components/ui'
import { load, useResource } from '../lib/data'
import { formatDate, humanise, NOT_SET, pointLabel, riskScore, scalePoints } from '../lib/format'
import { useWho } from '../lib/me'
import { type FormErrors, NETWORK_PROBLEM, problemFrom, toFormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { RiskResponseActions } from './RiskResponseActions'
import { ownerOptions, personName, type RaidPickers, WithRaidPickers, withEtag } from './RaidForms'

const LABELS = {
  title: 'Title',
  category: 'Category',
  cause: 'Cause',
  event: 'Event',
  effect: 'Effect',
  inherent_likelihood: 'Likelihood before the response',
  inherent_impact: 'Impact before the response',
  residual_likelihood: 'Likelihood after the response',
  residual_impact: 'Impact after the response',
  owner_id: 'Owner',
  review_date: 'Review date',
}

export function RiskForm({ projectId }: { projectId: string }) {
  const project = useResource(`project-${projectId}`, () =>
    load(() => api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: projectId } } })),
  )
  if (project.problem) return <ProblemPage problem={project.problem} onRetry={project.reload} />
  if (!project.data) return <Loading />
  const found = project.data
  return <WithRaidPickers render={(pickers) => <Form project={found} pickers={pickers} />} />
}

/** Changing a risk: sent with the ETag it was read with (someone's change in between is a 412). */
export function RiskEdit({ id }: { id: string }) {
  const view = useResource(`risk-edit-${id}`, async () => {
    const risk = await withEtag(() => api.GET('/api/v1/risks/{risk_id}', { params: { path: { risk_id: id } } }))
    if (risk.problem || !risk.data.record.project_id) return risk.problem ? risk : { problem: { title: 'Not found', status: 404, detail: 'This risk is not on a project.' } }
    const projectId = risk.data.record.project_id
    const project = await load(() => api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: projectId } } }))
    if (project.problem) return project
    return { data: { ...risk.data, project: project.data } }
  })
  const [done, setDone] = useState<string | null>(null)
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  const { record, etag, project } = view.data
  return (
    <>
      <ActionDone text={done} />
      <WithRaidPickers render={(pickers) => record.allowed_actions.includes('edit') ? (
        <Form key={etag} project={project} pickers={pickers} existing={record} etag={etag} onReload={view.reload} />
      ) : (
        <>
          <span class="govuk-caption-l">{project.reference} {project.name}</span>
          <h1 class="govuk-heading-l">Risk {record.reference}</h1>
          <p class="govuk-body" data-testid="read-only">You can read this record but not change it.</p>
          <SummaryList rows={[
            ['Title', record.title], ['Category', record.category], ['Residual score', `${record.residual_score} (${humanise(record.residual_band)})`],
            ['Owner', personName(pickers, record.owner_id)], ['Review date', record.review_date ? formatDate(record.review_date) : NOT_SET],
            ['Status', humanise(record.status)],
          ]} />
        </>
      )} />
      <WithRaidPickers render={(pickers) => (
        <RiskResponseActions key={`response-${etag}`} risk={record} pickers={pickers} onChanged={(text) => {
          setDone(text)
          view.reload()
        }} />
      )} />
      <RiskActions key={`actions-${etag}`} risk={record} onChanged={(text) => {
        setDone(text)
        view.reload()
      }} />
      <HistoryPanel key={`history-${etag}`} kind="risk" id={id} />
    </>
  )
}

function Score({ scale, likelihood, impact, label }: { scale: string; likelihood: string; impact: string; label: string }) {
  if (!likelihood || !impact) return <p class="app-score" aria-live="polite">{label}: choose likelihood and impact to see the score.</p>
  const { score, band } = riskScore(scale, Number(likelihood), Number(impact))
  return (
    <p class="app-score" aria-live="polite" data-testid={`score-${label}`}>
      {label}: score {score},{' '}
      <strong class={`govuk-tag ${band === 'red' ? 'govuk-tag--red' : band === 'amber' ? 'govuk-tag--yellow' : 'govuk-tag--green'}`}>
        {humanise(band)}
      </strong>
    </p>
  )
}

function Form({ project, pickers, existing, etag, onReload }: {
  project: Schemas['ProjectPublic']
  pickers: RaidPickers
  existing?: Schemas['RiskPublic']
  etag?: string
  onReload?: () => void
}) {
  const { organisation } = useWho()
  const scale = organisation.risk_scale
  const points = Array.from({ length: scalePoints(scale) }, (_, i) => String(i + 1))
  const options = [{ value: '', text: 'Choose' }, ...points.map((p) => ({ value: p, text: pointLabel(scale, Number(p)) }))]
  const text = (value: number | null | undefined) => (value ? String(value) : '')
  const [form, setForm] = useState({
    title: existing?.title ?? '', category: existing?.category ?? '', cause: existing?.cause ?? '', event: existing?.event ?? '',
    effect: existing?.effect ?? '', nature: existing?.nature ?? 'threat',
    inherent_likelihood: text(existing?.inherent_likelihood), inherent_impact: text(existing?.inherent_impact),
    residual_likelihood: text(existing?.residual_likelihood), residual_impact: text(existing?.residual_impact),
    owner_id: existing?.owner_id ?? '', review_date: existing?.review_date ?? '',
  })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })

  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    try {
      const number = (value: string) => (value ? Number(value) : null)
      const common = {
        title: form.title,
        category: form.category,
        cause: form.cause,
        event: form.event,
        effect: form.effect,
        nature: form.nature as Schemas['RiskCreate']['nature'],
        owner_id: form.owner_id || null,
        review_date: form.review_date || null,
      }
      const { data, error, response } = existing
        ? await api.PATCH('/api/v1/risks/{risk_id}', {
            params: { path: { risk_id: existing.id }, header: { 'If-Match': etag ?? '' } },
            // An empty choice leaves the score as it is.
            body: {
              ...common,
              inherent_likelihood: number(form.inherent_likelihood) ?? undefined,
              inherent_impact: number(form.inherent_impact) ?? undefined,
              residual_likelihood: number(form.residual_likelihood) ?? undefined,
              residual_impact: number(form.residual_impact) ?? undefined,
            },
          })
        : await api.POST('/api/v1/risks', {
        body: {
          ...common,
          project_id: project.id,
          inherent_likelihood: number(form.inherent_likelihood) as number,
          inherent_impact: number(form.inherent_impact) as number,
          residual_likelihood: number(form.residual_likelihood),
          residual_impact: number(form.residual_impact),
          proximity: '',
        },
      })
      if (response.ok && data) navigate(`/projects/${project.id}?tab=risks`)
      else setErrors(toFormErrors(await problemFrom(response, error), LABELS))
    } catch {
      setErrors(toFormErrors(NETWORK_PROBLEM))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} onReload={onReload} />
        <span class="govuk-caption-l">
          {project.reference} {project.name}
        </span>
        <h1 class="govuk-heading-l">{existing ? `Change risk ${existing.reference}` : 'Add a risk'}</h1>
        <form onSubmit={submit} noValidate>
          <TextInput name="title" label="Title" value={form.title} onInput={set('title')} errors={errors} />
          <TextInput name="category" label="Category" hint="For example: financial, legal, reputational." value={form.category}
            onInput={set('category')} errors={errors} width="20" />
          <Radios name="nature" label="Nature" value={form.nature} onChange={set('nature')} errors={errors} small
            options={[{ value: 'threat', text: 'Threat' }, { value: 'opportunity', text: 'Opportunity' }]} />
          <TextArea name="cause" label="Cause" value={form.cause} onInput={set('cause')} errors={errors} rows={2} />
          <TextArea name="event" label="Event" value={form.event} onInput={set('event')} errors={errors} rows={2} />
          <TextArea name="effect" label="Effect" value={form.effect} onInput={set('effect')} errors={errors} rows={2} />
          <Select name="owner_id" label="Owner (optional)" value={form.owner_id} onChange={set('owner_id')} errors={errors}
            options={ownerOptions(pickers, existing?.owner_id)} />
          <DateInput name="review_date" label="Review date (optional)" value={form.review_date} onInput={set('review_date')} errors={errors} />
          <h2 class="govuk-heading-m">Before the response (inherent)</h2>
          <Select name="inherent_likelihood" label="Likelihood" value={form.inherent_likelihood} onChange={set('inherent_likelihood')}
            options={options} errors={errors} />
          <Select name="inherent_impact" label="Impact" value={form.inherent_impact} onChange={set('inherent_impact')}
            options={options} errors={errors} />
          <Score scale={scale} likelihood={form.inherent_likelihood} impact={form.inherent_impact} label="Inherent" />
          <h2 class="govuk-heading-m">After the response (residual)</h2>
          <p class="govuk-body">Leave these to use the inherent scores.</p>
          <Select name="residual_likelihood" label="Likelihood" value={form.residual_likelihood} onChange={set('residual_likelihood')}
            options={options} errors={errors} />
          <Select name="residual_impact" label="Impact" value={form.residual_impact} onChange={set('residual_impact')}
            options={options} errors={errors} />
          <Score scale={scale} likelihood={form.residual_likelihood || form.inherent_likelihood}
            impact={form.residual_impact || form.inherent_impact} label="Residual" />
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button" disabled={busy}>
              {existing ? 'Save the changes' : 'Add the risk'}
            </button>
            <a class="govuk-link" href={`/projects/${project.id}?tab=risks`}>
              Cancel
            </a>
          </div>
        </form>
      </div>
    </div>
  )
}

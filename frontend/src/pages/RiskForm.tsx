import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { ErrorSummary, Loading, ProblemPage, Radios, Select, TextArea, TextInput } from '../components/ui'
import { load, useResource } from '../lib/data'
import { humanise, pointLabel, riskScore, scalePoints } from '../lib/format'
import { useWho } from '../lib/me'
import { type FormErrors, NETWORK_PROBLEM, problemFrom, toFormErrors } from '../lib/problem'
import { navigate } from '../lib/router'

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
}

export function RiskForm({ projectId }: { projectId: string }) {
  const project = useResource(`project-${projectId}`, () =>
    load(() => api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: projectId } } })),
  )
  if (project.problem) return <ProblemPage problem={project.problem} onRetry={project.reload} />
  if (!project.data) return <Loading />
  return <Form project={project.data} />
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

function Form({ project }: { project: Schemas['ProjectPublic'] }) {
  const { organisation } = useWho()
  const scale = organisation.risk_scale
  const points = Array.from({ length: scalePoints(scale) }, (_, i) => String(i + 1))
  const options = [{ value: '', text: 'Choose' }, ...points.map((p) => ({ value: p, text: pointLabel(scale, Number(p)) }))]
  const [form, setForm] = useState({
    title: '', category: '', cause: '', event: '', effect: '', nature: 'threat',
    inherent_likelihood: '', inherent_impact: '', residual_likelihood: '', residual_impact: '',
  })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })

  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    try {
      const number = (value: string) => (value ? Number(value) : null)
      const { data, error, response } = await api.POST('/api/v1/risks', {
        body: {
          project_id: project.id,
          title: form.title,
          category: form.category,
          cause: form.cause,
          event: form.event,
          effect: form.effect,
          nature: form.nature as Schemas['RiskCreate']['nature'],
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
        <ErrorSummary errors={errors} />
        <span class="govuk-caption-l">
          {project.reference} {project.name}
        </span>
        <h1 class="govuk-heading-l">Add a risk</h1>
        <form onSubmit={submit} noValidate>
          <TextInput name="title" label="Title" value={form.title} onInput={set('title')} errors={errors} />
          <TextInput name="category" label="Category" hint="For example: financial, legal, reputational." value={form.category}
            onInput={set('category')} errors={errors} width="20" />
          <Radios name="nature" label="Nature" value={form.nature} onChange={set('nature')} errors={errors} small
            options={[{ value: 'threat', text: 'Threat' }, { value: 'opportunity', text: 'Opportunity' }]} />
          <TextArea name="cause" label="Cause" value={form.cause} onInput={set('cause')} errors={errors} rows={2} />
          <TextArea name="event" label="Event" value={form.event} onInput={set('event')} errors={errors} rows={2} />
          <TextArea name="effect" label="Effect" value={form.effect} onInput={set('effect')} errors={errors} rows={2} />
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
              Add the risk
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

import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { load, type Loaded } from '../lib/data'
import { pointLabel, scalePoints } from '../lib/format'
import { useWho } from '../lib/me'
import { type FormErrors, toFormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { DateInput, ErrorSummary, IdPrefix, Radios, Select, TextArea, TextInput } from './ui'

type Level = Schemas['EscalationLevel']

// Escalation levels in order, as the API ranks them, and their names in words.
const LEVELS: [Level, string][] = [
  ['project', 'Project'],
  ['programme', 'Programme board'],
  ['steering_group', 'Portfolio steering group'],
]
const PRIORITIES = [
  { value: '', text: 'Choose' },
  { value: 'low', text: 'Low' },
  { value: 'medium', text: 'Medium' },
  { value: 'high', text: 'High' },
  { value: 'critical', text: 'Critical' },
]

export function levelLabel(level: string): string {
  return LEVELS.find(([value]) => value === level)?.[1] ?? level
}

// Each action's form shares its record's page with the record's own form and, for a risk, with
// the other actions' forms: each is in an IdPrefix (its name and a hyphen), and its fields are
// named as the API names them (`reason`, or `issue.title` for a field of the issue it raises).
// A refusal is shown in that form: one summary for the section, linking into the form that failed.
type Failed = { form: string; errors: FormErrors }

function FailedSummary({ failed }: { failed: Failed | null }) {
  return (
    <IdPrefix prefix={failed ? `${failed.form}-` : ''}>
      <ErrorSummary errors={failed?.errors ?? null} />
    </IdPrefix>
  )
}

const ESCALATION_LABELS = { level: 'Manage it at', reason: 'Reason' }

function Done({ text }: { text: ComponentChildren }) {
  if (!text) return null
  return (
    <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="raid-done-title">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="raid-done-title">
          Success
        </h2>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading" data-testid="raid-action-done">{text}</p>
      </div>
    </div>
  )
}

/** What can happen to an open risk besides editing it: escalate or de-escalate, close, or
 * record that it occurred (it becomes an issue). Each refusal is shown at its form's fields. */
export function RiskActions({ risk, onChanged }: { risk: Schemas['RiskPublic']; onChanged: (done: string) => void }) {
  const [failed, setFailed] = useState<Failed | null>(null)
  const [busy, setBusy] = useState(false)
  const [level, setLevel] = useState('')
  const [escalateReason, setEscalateReason] = useState('')
  const [closeReason, setCloseReason] = useState('')
  const [issue, setIssue] = useState({ title: '', description: '', priority: '', severity: '', due_date: '' })
  if (risk.status !== 'open') {
    return (
      <section aria-labelledby="risk-actions-heading" class="govuk-!-margin-top-6" data-testid="risk-actions">
        <h2 class="govuk-heading-m" id="risk-actions-heading">Escalate, close or record that it happened</h2>
        <p class="govuk-body">This risk is {risk.status === 'occurred' ? 'closed: it occurred and became an issue' : 'closed'}.</p>
      </section>
    )
  }
  const current = LEVELS.findIndex(([value]) => value === risk.escalation_level)
  // Only what the API allows me on this risk now (`allowed_actions`) is offered.
  const may = (action: Schemas['RiskAllowedAction']) => risk.allowed_actions.includes(action)
  const levels = LEVELS.filter((_, index) => (index > current && may('escalate')) || (index < current && may('de_escalate')))
  if (levels.length === 0 && !may('close') && !may('occurred')) return null
  const run = async <T,>(form: string, labels: Record<string, string>, request: () => Promise<Loaded<T>>, done: (data: T) => void) => {
    setBusy(true)
    const result = await request()
    setBusy(false)
    if (result.problem) return setFailed({ form, errors: toFormErrors(result.problem, labels) })
    setFailed(null)
    done(result.data)
  }
  const errorsIn = (form: string) => (failed?.form === form ? failed.errors : null)
  const path = { params: { path: { risk_id: risk.id } } }
  const escalate = (event: Event) => {
    event.preventDefault()
    const target = LEVELS.findIndex(([value]) => value === level)
    const body = { level: level as Level, reason: escalateReason }
    const down = target >= 0 && target < current
    run('escalate', ESCALATION_LABELS,
      () => load(() => down ? api.POST('/api/v1/risks/{risk_id}/de-escalate', { ...path, body }) : api.POST('/api/v1/risks/{risk_id}/escalate', { ...path, body })),
      () => onChanged(`${risk.reference} is ${down ? 'de-escalated' : 'escalated'} to the ${levelLabel(level).toLowerCase()}.`))
  }
  const close = (event: Event) => {
    event.preventDefault()
    run('close', { reason: 'Reason for closing' },
      () => load(() => api.POST('/api/v1/risks/{risk_id}/close', { ...path, body: { reason: closeReason } })),
      () => onChanged(`${risk.reference} is closed.`))
  }
  const occurred = (event: Event) => {
    event.preventDefault()
    const body = {
      title: issue.title.trim() || null,
      description: issue.description,
      priority: issue.priority as Schemas['Priority'],
      severity: issue.severity as Schemas['Priority'],
      due_date: issue.due_date || null,
    }
    run('occurred', { title: 'Name of the issue', description: 'What happened', priority: 'Priority', severity: 'Severity', due_date: 'Due date' },
      () => load(() => api.POST('/api/v1/risks/{risk_id}/occurred', { ...path, body })),
      (result) => navigate(`/issues/${result.issue.id}/edit?from=${encodeURIComponent(risk.reference)}`))
  }
  return (
    <section aria-labelledby="risk-actions-heading" class="govuk-!-margin-top-6" data-testid="risk-actions">
      <h2 class="govuk-heading-m" id="risk-actions-heading">Escalate, close or record that it happened</h2>
      <FailedSummary failed={failed} />
      <p class="govuk-body">It is managed at: <strong data-testid="escalation-level">{levelLabel(risk.escalation_level)}</strong>.</p>
      {levels.length > 0 && (
      <IdPrefix prefix="escalate-">
        <form onSubmit={escalate} noValidate>
          <h3 class="govuk-heading-s">Escalate or de-escalate</h3>
          <Radios name="level" label="Manage it at" small value={level} onChange={setLevel} errors={errorsIn('escalate')}
            options={levels.map(([value, text]) => ({ value, text }))} />
          <TextArea name="reason" label="Reason" rows={2} value={escalateReason} onInput={setEscalateReason} errors={errorsIn('escalate')} />
          <button type="submit" class="govuk-button govuk-button--secondary" disabled={busy}>Change the level</button>
        </form>
      </IdPrefix>
      )}
      {may('occurred') && (
      <IdPrefix prefix="occurred-">
        <form onSubmit={occurred} noValidate>
          <h3 class="govuk-heading-s">It happened: raise it as an issue</h3>
          <TextInput name="title" label="Name of the issue" hint={`Leave empty to use the risk's: ${risk.title}`} value={issue.title}
            onInput={(v) => setIssue({ ...issue, title: v })} errors={errorsIn('occurred')} />
          <TextArea name="description" label="What happened" rows={3} value={issue.description}
            onInput={(v) => setIssue({ ...issue, description: v })} errors={errorsIn('occurred')} />
          <Select name="priority" label="Priority" value={issue.priority} onChange={(v) => setIssue({ ...issue, priority: v })}
            options={PRIORITIES} errors={errorsIn('occurred')} />
          <Select name="severity" label="Severity" value={issue.severity} onChange={(v) => setIssue({ ...issue, severity: v })}
            options={PRIORITIES} errors={errorsIn('occurred')} />
          <DateInput name="due_date" label="Due date (optional)" value={issue.due_date}
            onInput={(v) => setIssue({ ...issue, due_date: v })} errors={errorsIn('occurred')} />
          <button type="submit" class="govuk-button govuk-button--warning" disabled={busy}>Raise the issue and close the risk</button>
        </form>
      </IdPrefix>
      )}
      {may('close') && (
      <IdPrefix prefix="close-">
        <form onSubmit={close} noValidate>
          <h3 class="govuk-heading-s">Close the risk</h3>
          <TextArea name="reason" label="Reason for closing" rows={2} value={closeReason} onInput={setCloseReason} errors={errorsIn('close')} />
          <button type="submit" class="govuk-button govuk-button--secondary" disabled={busy}>Close the risk</button>
        </form>
      </IdPrefix>
      )}
    </section>
  )
}

/** Escalate or de-escalate an issue or a dependency, with a reason; `onChanged` reloads the page.
 * Only the directions the API allows me (`allowed`) are offered; none, and nothing shows. */
export function ItemEscalation({ kind, id, level, reference, allowed, onChanged }: {
  kind: 'issue' | 'dependency'
  id: string
  level: string
  reference: string
  allowed: string[]
  onChanged: (done: string) => void
}) {
  const [failed, setFailed] = useState<Failed | null>(null)
  const errors = failed?.errors ?? null
  const [busy, setBusy] = useState(false)
  const [target, setTarget] = useState('')
  const [reason, setReason] = useState('')
  const current = LEVELS.findIndex(([value]) => value === level)
  const choices = LEVELS.filter((_, index) =>
    (index > current && allowed.includes('escalate')) || (index < current && allowed.includes('de_escalate')))
  if (choices.length === 0) return null
  const submit = async (event: Event) => {
    event.preventDefault()
    const down = LEVELS.findIndex(([value]) => value === target) < current && target !== ''
    const body = { level: target as 'programme', reason }
    setBusy(true)
    const result = await load<unknown>((): Promise<{ data?: unknown; error?: unknown; response: Response }> => {
      if (kind === 'issue') {
        const path = { params: { path: { issue_id: id } } }
        return down ? api.POST('/api/v1/issues/{issue_id}/de-escalate', { ...path, body: { level: target as Level, reason } })
          : api.POST('/api/v1/issues/{issue_id}/escalate', { ...path, body })
      }
      const path = { params: { path: { dependency_id: id } } }
      return down ? api.POST('/api/v1/dependencies/{dependency_id}/de-escalate', { ...path, body: { level: target as Level, reason } })
        : api.POST('/api/v1/dependencies/{dependency_id}/escalate', { ...path, body })
    })
    setBusy(false)
    if (result.problem) return setFailed({ form: 'escalate', errors: toFormErrors(result.problem, ESCALATION_LABELS) })
    setFailed(null)
    onChanged(`${reference} is ${down ? 'de-escalated' : 'escalated'} to the ${levelLabel(target).toLowerCase()}.`)
  }
  return (
    <section aria-labelledby="escalation-heading" class="govuk-!-margin-top-6" data-testid="item-escalation">
      <h2 class="govuk-heading-m" id="escalation-heading">Escalate or de-escalate</h2>
      <FailedSummary failed={failed} />
      <p class="govuk-body">It is managed at: <strong data-testid="escalation-level">{levelLabel(level)}</strong>.</p>
      <IdPrefix prefix="escalate-">
        <form onSubmit={submit} noValidate>
          <Radios name="level" label="Manage it at" small value={target} onChange={setTarget} errors={errors}
            options={choices.map(([value, text]) => ({ value, text }))} />
          <TextArea name="reason" label="Reason" rows={2} value={reason} onInput={setReason} errors={errors} />
          <button type="submit" class="govuk-button govuk-button--secondary" disabled={busy}>Change the level</button>
        </form>
      </IdPrefix>
    </section>
  )
}

const INVALIDATION_LABELS = {
  raise: 'What to raise', 'issue.title': 'Name of the issue', 'issue.priority': 'Priority', 'issue.severity': 'Severity',
  'issue.owner_id': 'Owner', 'issue.due_date': 'Due date', 'risk.title': 'Name of the risk', 'risk.category': 'Category',
  'risk.inherent_likelihood': 'Likelihood', 'risk.inherent_impact': 'Impact', 'risk.owner_id': 'Owner', 'risk.review_date': 'Review date',
}

/** Found invalid: mark the assumption invalid and raise an issue or a risk where it belongs, in one step. */
export function AssumptionInvalidation({ assumption, owners, onChanged }: {
  assumption: Schemas['AssumptionPublic']
  owners: { value: string; text: string }[]
  onChanged: (done: ComponentChildren) => void
}) {
  const { organisation } = useWho()
  const points = Array.from({ length: scalePoints(organisation.risk_scale) }, (_, i) => String(i + 1))
  const scaleOptions = [{ value: '', text: 'Choose' }, ...points.map((p) => ({ value: p, text: pointLabel(organisation.risk_scale, Number(p)) }))]
  const [failed, setFailed] = useState<Failed | null>(null)
  const errors = failed?.errors ?? null
  const [busy, setBusy] = useState(false)
  const [raise, setRaise] = useState<'issue' | 'risk'>('issue')
  const [form, setForm] = useState({ title: '', category: '', priority: 'medium', severity: 'medium', likelihood: '', impact: '', owner_id: '', date: '' })
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const submit = async (event: Event) => {
    event.preventDefault()
    const owner = form.owner_id || null
    const body = raise === 'issue'
      ? { raise, issue: { title: form.title, priority: form.priority as Schemas['Rating'], severity: form.severity as Schemas['Rating'], owner_id: owner, due_date: form.date || null } }
      : { raise, risk: { title: form.title, category: form.category, inherent_likelihood: Number(form.likelihood) || 0, inherent_impact: Number(form.impact) || 0, owner_id: owner, review_date: form.date || null } }
    setBusy(true)
    const result = await load(() => api.POST('/api/v1/assumptions/{assumption_id}/invalidate', {
      params: { path: { assumption_id: assumption.id } }, body: body as Schemas['Invalidate'],
    }))
    setBusy(false)
    if (result.problem) return setFailed({ form: 'invalidate', errors: toFormErrors(result.problem, INVALIDATION_LABELS) })
    setFailed(null)
    const kind = result.data.raised === 'risk' ? 'risks' : 'issues'
    onChanged(<>{assumption.reference} is invalid: it raised <a class="govuk-link" href={`/${kind}/${result.data.raised_id}/edit`}>{result.data.raised_reference}</a>.</>)
  }
  return (
    <section aria-labelledby="invalidate-heading" class="govuk-!-margin-top-6" data-testid="assumption-invalidation">
      <h2 class="govuk-heading-m" id="invalidate-heading">Found invalid: raise an issue or a risk</h2>
      <FailedSummary failed={failed} />
      <IdPrefix prefix="invalidate-">
        <form onSubmit={submit} noValidate>
          <Radios name="raise" label="What to raise" small value={raise} onChange={(v) => setRaise(v as 'issue' | 'risk')} errors={errors}
            options={[{ value: 'issue', text: 'An issue: it is already a problem' }, { value: 'risk', text: 'A risk: it may become one' }]} />
          <TextInput name={`${raise}.title`} label={raise === 'issue' ? 'Name of the issue' : 'Name of the risk'} value={form.title}
            onInput={set('title')} errors={errors} />
          {raise === 'issue' ? (
            <>
              <Select name="issue.priority" label="Priority" value={form.priority} onChange={set('priority')} options={PRIORITIES.slice(1)} errors={errors} />
              <Select name="issue.severity" label="Severity" value={form.severity} onChange={set('severity')} options={PRIORITIES.slice(1)} errors={errors} />
            </>
          ) : (
            <>
              <TextInput name="risk.category" label="Category" hint="For example: financial, legal, reputational." value={form.category}
                onInput={set('category')} errors={errors} width="20" />
              <Select name="risk.inherent_likelihood" label="Likelihood" value={form.likelihood} onChange={set('likelihood')} options={scaleOptions} errors={errors} />
              <Select name="risk.inherent_impact" label="Impact" value={form.impact} onChange={set('impact')} options={scaleOptions} errors={errors} />
            </>
          )}
          <Select name={`${raise}.owner_id`} label="Owner" hint="The assumption's owner if not set." value={form.owner_id}
            onChange={set('owner_id')} options={owners} errors={errors} />
          <DateInput name={raise === 'issue' ? 'issue.due_date' : 'risk.review_date'} label={raise === 'issue' ? 'Due date (optional)' : 'Review date (optional)'}
            value={form.date} onInput={set('date')} errors={errors} />
          <button type="submit" class="govuk-button govuk-button--warning" disabled={busy}>
            Mark it invalid and raise the {raise}
          </button>
        </form>
      </IdPrefix>
    </section>
  )
}

export { Done as ActionDone }

import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { load, type Loaded } from '../lib/data'
import { type FormErrors, type Problem, toFormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { DateInput, ErrorSummary, Radios, Select, TextArea, TextInput } from './ui'

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

/** The API names its fields (`reason`); on a page of several forms each field is prefixed. */
function errorsOf(problem: Problem, prefix: string, labels: Record<string, string>): FormErrors {
  const renamed: Problem = {
    ...problem,
    errors: problem.errors?.map((e) => {
      const [where, field, ...rest] = e.location
      return where === 'body' && field !== undefined ? { ...e, location: ['body', `${prefix}_${field}`, ...rest] } : e
    }),
  }
  return toFormErrors(renamed, labels)
}

function Done({ text }: { text: string | null }) {
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
  const [errors, setErrors] = useState<FormErrors | null>(null)
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
  const run = async <T,>(prefix: string, labels: Record<string, string>, request: () => Promise<Loaded<T>>, done: (data: T) => void) => {
    setBusy(true)
    const result = await request()
    setBusy(false)
    if (result.problem) return setErrors(errorsOf(result.problem, prefix, labels))
    setErrors(null)
    done(result.data)
  }
  const path = { params: { path: { risk_id: risk.id } } }
  const escalate = (event: Event) => {
    event.preventDefault()
    const target = LEVELS.findIndex(([value]) => value === level)
    const body = { level: level as Level, reason: escalateReason }
    const down = target >= 0 && target < current
    run('escalate', { escalate_level: 'Level', escalate_reason: 'Reason' },
      () => load(() => down ? api.POST('/api/v1/risks/{risk_id}/de-escalate', { ...path, body }) : api.POST('/api/v1/risks/{risk_id}/escalate', { ...path, body })),
      () => onChanged(`${risk.reference} is ${down ? 'de-escalated' : 'escalated'} to the ${levelLabel(level).toLowerCase()}.`))
  }
  const close = (event: Event) => {
    event.preventDefault()
    run('close', { close_reason: 'Reason for closing' },
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
    run('issue', { issue_title: 'Name of the issue', issue_description: 'What happened', issue_priority: 'Priority', issue_severity: 'Severity', issue_due_date: 'Due date' },
      () => load(() => api.POST('/api/v1/risks/{risk_id}/occurred', { ...path, body })),
      (result) => navigate(`/issues/${result.issue.id}/edit?from=${encodeURIComponent(risk.reference)}`))
  }
  return (
    <section aria-labelledby="risk-actions-heading" class="govuk-!-margin-top-6" data-testid="risk-actions">
      <h2 class="govuk-heading-m" id="risk-actions-heading">Escalate, close or record that it happened</h2>
      <ErrorSummary errors={errors} />
      <p class="govuk-body">It is managed at: <strong data-testid="escalation-level">{levelLabel(risk.escalation_level)}</strong>.</p>
      <form onSubmit={escalate} noValidate>
        <h3 class="govuk-heading-s">Escalate or de-escalate</h3>
        <Radios name="escalate_level" label="Manage it at" small value={level} onChange={setLevel} errors={errors}
          options={LEVELS.filter(([value]) => value !== risk.escalation_level).map(([value, text]) => ({ value, text }))} />
        <TextArea name="escalate_reason" label="Reason" rows={2} value={escalateReason} onInput={setEscalateReason} errors={errors} />
        <button type="submit" class="govuk-button govuk-button--secondary" disabled={busy}>Change the level</button>
      </form>
      <form onSubmit={occurred} noValidate>
        <h3 class="govuk-heading-s">It happened: raise it as an issue</h3>
        <TextInput name="issue_title" label="Name of the issue" hint={`Leave empty to use the risk's: ${risk.title}`} value={issue.title}
          onInput={(v) => setIssue({ ...issue, title: v })} errors={errors} />
        <TextArea name="issue_description" label="What happened" rows={3} value={issue.description}
          onInput={(v) => setIssue({ ...issue, description: v })} errors={errors} />
        <Select name="issue_priority" label="Priority" value={issue.priority} onChange={(v) => setIssue({ ...issue, priority: v })}
          options={PRIORITIES} errors={errors} />
        <Select name="issue_severity" label="Severity" value={issue.severity} onChange={(v) => setIssue({ ...issue, severity: v })}
          options={PRIORITIES} errors={errors} />
        <DateInput name="issue_due_date" label="Due date (optional)" value={issue.due_date}
          onInput={(v) => setIssue({ ...issue, due_date: v })} errors={errors} />
        <button type="submit" class="govuk-button govuk-button--warning" disabled={busy}>Raise the issue and close the risk</button>
      </form>
      <form onSubmit={close} noValidate>
        <h3 class="govuk-heading-s">Close the risk</h3>
        <TextArea name="close_reason" label="Reason for closing" rows={2} value={closeReason} onInput={setCloseReason} errors={errors} />
        <button type="submit" class="govuk-button govuk-button--secondary" disabled={busy}>Close the risk</button>
      </form>
    </section>
  )
}

/** Escalate or de-escalate an issue or a dependency, with a reason; `onChanged` reloads the page. */
export function ItemEscalation({ kind, id, level, reference, onChanged }: {
  kind: 'issue' | 'dependency'
  id: string
  level: string
  reference: string
  onChanged: (done: string) => void
}) {
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const [target, setTarget] = useState('')
  const [reason, setReason] = useState('')
  const current = LEVELS.findIndex(([value]) => value === level)
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
    if (result.problem) return setErrors(errorsOf(result.problem, 'escalate', { escalate_level: 'Manage it at', escalate_reason: 'Reason' }))
    setErrors(null)
    onChanged(`${reference} is ${down ? 'de-escalated' : 'escalated'} to the ${levelLabel(target).toLowerCase()}.`)
  }
  return (
    <section aria-labelledby="escalation-heading" class="govuk-!-margin-top-6" data-testid="item-escalation">
      <h2 class="govuk-heading-m" id="escalation-heading">Escalate or de-escalate</h2>
      <ErrorSummary errors={errors} />
      <p class="govuk-body">It is managed at: <strong data-testid="escalation-level">{levelLabel(level)}</strong>.</p>
      <form onSubmit={submit} noValidate>
        <Radios name="escalate_level" label="Manage it at" small value={target} onChange={setTarget} errors={errors}
          options={LEVELS.filter(([value]) => value !== level).map(([value, text]) => ({ value, text }))} />
        <TextArea name="escalate_reason" label="Reason" rows={2} value={reason} onInput={setReason} errors={errors} />
        <button type="submit" class="govuk-button govuk-button--secondary" disabled={busy}>Change the level</button>
      </form>
    </section>
  )
}

export { Done as ActionDone }

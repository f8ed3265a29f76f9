import { useState } from 'preact/hooks'
import { HistoryPanel } from '../components/HistoryPanel'
import { api, type Schemas } from '../api/client'
import { ErrorSummary, Loading, ProblemPage, Radios, StatusTag, SummaryList, TextArea } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { formatDate, humanise } from '../lib/format'
import { type FormErrors, NETWORK_PROBLEM, problemFrom, toFormErrors } from '../lib/problem'
import { navigate } from '../lib/router'

interface RequestView {
  project: Schemas['ProjectPublic']
  lifecycle: Schemas['LifecyclePublic']
}

async function loadRequest(projectId: string): Promise<Loaded<RequestView>> {
  const project = await load(() => api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: projectId } } }))
  if (project.problem) return project
  const lifecycle = await load(() =>
    api.GET('/api/v1/lifecycles/{lifecycle_id}', { params: { path: { lifecycle_id: project.data.lifecycle_id } } }),
  )
  if (lifecycle.problem) return lifecycle
  return { data: { project: project.data, lifecycle: lifecycle.data } }
}

/** Submit a request and turn a refusal into the error summary; the form keeps what was typed. */
async function send<T>(
  request: () => Promise<{ data?: T; error?: unknown; response: Response }>,
  labels: Record<string, string>,
): Promise<{ data?: T; errors?: FormErrors }> {
  try {
    const { data, error, response } = await request()
    if (response.ok && data) return { data }
    return { errors: toFormErrors(await problemFrom(response, error), labels) }
  } catch {
    return { errors: toFormErrors(NETWORK_PROBLEM) }
  }
}

export function GateReviewRequest({ projectId }: { projectId: string }) {
  const view = useResource(`request-${projectId}`, () => loadRequest(projectId))
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  return <RequestForm {...view.data} />
}

function RequestForm({ project, lifecycle }: RequestView) {
  const gate = lifecycle.gates.find((g) => g.from_stage === project.stage)
  const [summary, setSummary] = useState('')
  const [answers, setAnswers] = useState<Record<string, string>>({})
  const [sections, setSections] = useState<Record<string, string>>({})
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const stageName = (key: string) => lifecycle.stages.find((s) => s.key === key)?.name ?? humanise(key)
  if (!gate) {
    return (
      <ProblemPage problem={{ title: 'No gate', status: 409, detail: `There is no gate out of the stage ${stageName(project.stage)}.` }} />
    )
  }
  const labels: Record<string, string> = { summary: 'Summary' }
  gate.criteria.forEach((c, i) => (labels[`answers.${i}.answer`] = c.text))
  gate.business_case_sections.forEach((s) => (labels[`business_case.${s}`] = humanise(s)))

  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(
      () =>
        api.POST('/api/v1/projects/{project_id}/gate-reviews', {
          params: { path: { project_id: project.id } },
          body: {
            gate_key: gate.key,
            summary,
            answers: gate.criteria.map((c) => ({ criterion: c.key, answer: answers[c.key] ?? '' })),
            business_case: gate.business_case_sections.length ? sections : null,
          },
        }),
      labels,
    )
    setBusy(false)
    if (result.data) navigate(`/gate-reviews/${result.data.id}`)
    else setErrors(result.errors ?? null)
  }

  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} />
        <span class="govuk-caption-l">
          {project.reference} {project.name}
        </span>
        <h1 class="govuk-heading-l">Request a gate review</h1>
        <p class="govuk-body">
          {gate.name}: from {stageName(gate.from_stage)} to {stageName(gate.to_stage)}. Who decides is worked out from the gate
          when you send the request; you cannot decide your own request.
        </p>
        <form onSubmit={submit} noValidate>
          <TextArea name="summary" label="Summary" hint="Why the project is ready to pass this gate." value={summary}
            onInput={setSummary} errors={errors} labelClass="govuk-label--s" />
          <h2 class="govuk-heading-m">Criteria</h2>
          {gate.criteria.map((criterion, i) => (
            <TextArea key={criterion.key} name={`answers.${i}.answer`} label={criterion.text}
              hint="The evidence. A criterion left blank blocks approval." value={answers[criterion.key] ?? ''}
              onInput={(value) => setAnswers({ ...answers, [criterion.key]: value })} errors={errors} labelClass="govuk-label--s" />
          ))}
          {gate.business_case_sections.length > 0 && <h2 class="govuk-heading-m">Business case</h2>}
          {gate.business_case_sections.map((section) => (
            <TextArea key={section} name={`business_case.${section}`} label={humanise(section)} value={sections[section] ?? ''}
              onInput={(value) => setSections({ ...sections, [section]: value })} errors={errors} labelClass="govuk-label--s" />
          ))}
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button" disabled={busy}>
              Send the request
            </button>
            <a class="govuk-link" href={`/projects/${project.id}`}>
              Cancel
            </a>
          </div>
        </form>
      </div>
    </div>
  )
}

interface ReviewView {
  review: Schemas['GateReviewDetail']
  project: Schemas['ProjectPublic']
  lifecycle: Schemas['LifecyclePublic']
}

async function loadReview(id: string): Promise<Loaded<ReviewView>> {
  const review = await load(() => api.GET('/api/v1/gate-reviews/{review_id}', { params: { path: { review_id: id } } }))
  if (review.problem) return review
  const [project, lifecycle] = await Promise.all([
    load(() => api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: review.data.project_id } } })),
    load(() => api.GET('/api/v1/lifecycles/{lifecycle_id}', { params: { path: { lifecycle_id: review.data.lifecycle_id } } })),
  ])
  if (project.problem) return project
  if (lifecycle.problem) return lifecycle
  return { data: { review: review.data, project: project.data, lifecycle: lifecycle.data } }
}

export function GateReview({ id }: { id: string }) {
  const view = useResource(`review-${id}`, () => loadReview(id))
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  const { review, project, lifecycle } = view.data
  const stageName = (key: string) => lifecycle.stages.find((s) => s.key === key)?.name ?? humanise(key)
  const criterion = (key: string) => review.gate.criteria.find((c) => c.key === key)?.text ?? humanise(key)
  // The decisions I may record now are the server's answer (allowed_actions).
  const decisions = DECISIONS.filter((d) => review.allowed_actions.includes(d.value))
  return (
    <>
      <span class="govuk-caption-l">
        <a class="govuk-link" href={`/projects/${project.id}`}>
          {project.reference} {project.name}
        </a>
      </span>
      <h1 class="govuk-heading-l">
        Gate review: {stageName(review.from_stage)} to {stageName(review.to_stage)}
      </h1>
      <p class="govuk-body">
        Status: <StatusTag value={review.status} />
      </p>
      <SummaryList
        rows={[
          ['Gate', review.gate.name],
          ['Requested', formatDate(review.requested_at)],
          ['Summary', review.summary],
          ['Deciders', `${review.decider_ids.length} named (${review.approval === 'all' ? 'every one must approve' : 'the first decision settles it'})`],
          ...review.answers.map((a): [string, string] => [criterion(a.criterion), a.answer || 'Not answered']),
          ...(review.outcome_reason ? [['Outcome', review.outcome_reason] as [string, string]] : []),
          ...(review.conditions ? [['Conditions', review.conditions] as [string, string]] : []),
        ]}
      />
      {review.decisions.length > 0 && (
        <>
          <h2 class="govuk-heading-m">Decisions</h2>
          <ul class="govuk-list">
            {review.decisions.map((d) => (
              <li key={d.id}>
                {humanise(d.decision)} on {formatDate(d.decided_at)}: {d.reason}
              </li>
            ))}
          </ul>
        </>
      )}
      {decisions.length > 0 && <DecisionForm review={review} choices={decisions} onDecided={view.reload} />}
      {review.allowed_actions.includes('withdraw') && <WithdrawForm review={review} onDone={view.reload} />}
      <HistoryPanel kind="gate_review" id={id} version={review.updated_at} />
    </>
  )
}

const DECISIONS: { value: Schemas['GateReviewAction']; text: string }[] = [
  { value: 'approve', text: 'Approve' },
  { value: 'approve_with_conditions', text: 'Approve with conditions' },
  { value: 'defer', text: 'Defer' },
  { value: 'reject', text: 'Reject' },
]

function WithdrawForm({ review, onDone }: { review: Schemas['GateReviewDetail']; onDone: () => void }) {
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(
      () => api.POST('/api/v1/gate-reviews/{review_id}/withdraw', { params: { path: { review_id: review.id } } }),
      {},
    )
    setBusy(false)
    if (result.data) onDone()
    else setErrors(result.errors ?? null)
  }
  return (
    <div class="govuk-!-margin-top-6">
      <ErrorSummary errors={errors} onReload={onDone} />
      <form onSubmit={submit} noValidate>
        <button type="submit" class="govuk-button govuk-button--warning" disabled={busy}>
          Withdraw the review
        </button>
      </form>
    </div>
  )
}

function DecisionForm({ review, choices, onDecided }: {
  review: Schemas['GateReviewDetail']
  choices: typeof DECISIONS
  onDecided: () => void
}) {
  const [decision, setDecision] = useState('')
  const [reason, setReason] = useState('')
  const [conditions, setConditions] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: Event) => {
    event.preventDefault()
    if (!decision) {
      setErrors({ status: 422, fields: { decision: 'Choose a decision' }, summary: [{ text: 'Choose a decision', href: '#field-decision' }] })
      return
    }
    setBusy(true)
    const result = await send(
      () =>
        api.POST('/api/v1/gate-reviews/{review_id}/decisions', {
          params: { path: { review_id: review.id } },
          body: {
            decision: decision as Schemas['GateDecisionCreate']['decision'],
            reason,
            conditions: decision === 'approve_with_conditions' ? conditions : null,
          },
        }),
      { decision: 'Decision', reason: 'Reason', conditions: 'Conditions' },
    )
    setBusy(false)
    if (result.data) onDecided()
    else setErrors(result.errors ?? null)
  }

  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <h2 class="govuk-heading-m">Your decision</h2>
        <ErrorSummary errors={errors} onReload={onDecided} />
        <form onSubmit={submit} noValidate>
          <Radios name="decision" label="Decision" value={decision} onChange={setDecision} options={choices} errors={errors} />
          <TextArea name="reason" label="Reason" value={reason} onInput={setReason} errors={errors} labelClass="govuk-label--s" />
          {decision === 'approve_with_conditions' && (
            <TextArea name="conditions" label="Conditions" value={conditions} onInput={setConditions} errors={errors}
              labelClass="govuk-label--s" />
          )}
          <button type="submit" class="govuk-button" disabled={busy}>
            Record the decision
          </button>
        </form>
      </div>
    </div>
  )
}

import { useState } from 'preact/hooks'
import { AskToDelete } from '../components/ConfirmDelete'
import { HistoryPanel } from '../components/HistoryPanel'
import { ActionDone } from '../components/RaidActions'
import { api, type Schemas } from '../api/client'
import { ErrorSummary, Loading, ProblemPage, Radios, Scroll, Select, StatusTag, SummaryList, TextArea, TextInput, DateInput } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { formatDate } from '../lib/format'
import type { FormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { send } from './Drawdowns'
import { ownerOptions, type RaidPickers, WithRaidPickers, withEtag } from './RaidForms'

interface MilestoneView {
  milestone: Schemas['MilestonePublic']
  etag: string
  baselines: Schemas['MilestoneBaselinePublic'][]
  project: Schemas['ProjectPublic']
}

async function loadMilestone(id: string): Promise<Loaded<MilestoneView>> {
  const path = { milestone_id: id }
  const [milestone, baselines] = await Promise.all([
    withEtag(() => api.GET('/api/v1/milestones/{milestone_id}', { params: { path } })),
    load(() => api.GET('/api/v1/milestones/{milestone_id}/baselines', { params: { path } })),
  ])
  if (milestone.problem) return { problem: milestone.problem }
  if (baselines.problem) return { problem: baselines.problem }
  const project = await load(() =>
    api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: milestone.data.record.project_id } } }),
  )
  if (project.problem) return { problem: project.problem }
  return {
    data: { milestone: milestone.data.record, etag: milestone.data.etag, baselines: baselines.data ?? [], project: project.data },
  }
}

/** A milestone: its baseline and forecast, the history of its baselines, and re-baselining. */
export function Milestone({ id }: { id: string }) {
  const view = useResource(`milestone-${id}`, () => loadMilestone(id))
  const [done, setDone] = useState<string | null>(null)
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading the milestone" />
  const { milestone, etag, baselines, project } = view.data
  return (
    <>
      <ActionDone text={done} />
      <span class="govuk-caption-l">
        <a class="govuk-link" href={`/projects/${project.id}?tab=milestones`}>
          {project.reference} {project.name}
        </a>
      </span>
      <h1 class="govuk-heading-l">{milestone.title}</h1>
      <SummaryList
        rows={[
          ['Baseline', `${formatDate(milestone.baseline_date)}${milestone.planned_quarter ? ` (${milestone.planned_quarter})` : ''}`],
          ['Forecast', milestone.forecast_date ? formatDate(milestone.forecast_date) : 'On baseline'],
          ['Status', milestone.overdue ? <strong class="govuk-tag govuk-tag--red">Overdue</strong> : <StatusTag value={milestone.status} />],
          ['Baselines', String(milestone.baseline_number)],
        ]}
      />
      <h2 class="govuk-heading-m">Baseline history</h2>
      <Scroll label="Baseline history">
        <table class="govuk-table" data-testid="baseline-history">
          <caption class="govuk-table__caption govuk-visually-hidden">Every baseline of the milestone, the first first</caption>
          <thead class="govuk-table__head">
            <tr class="govuk-table__row">
              <th scope="col" class="govuk-table__header">Baseline</th>
              <th scope="col" class="govuk-table__header">Date</th>
              <th scope="col" class="govuk-table__header">Reason</th>
              <th scope="col" class="govuk-table__header">Set on</th>
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            {baselines.map((b) => (
              <tr class="govuk-table__row" key={b.number}>
                <th scope="row" class="govuk-table__header">
                  {b.number}
                  {b.current ? ' (current)' : ''}
                </th>
                <td class="govuk-table__cell">
                  {formatDate(b.due_date)}
                  {b.planned_quarter ? ` (${b.planned_quarter})` : ''}
                </td>
                <td class="govuk-table__cell">{b.reason || 'First baseline'}</td>
                <td class="govuk-table__cell">{formatDate(b.set_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      {(milestone.allowed_actions.includes('forecast') || milestone.allowed_actions.includes('complete')) && (
        <ProgressForm key={`progress-${etag}`} milestone={milestone} etag={etag} onDone={view.reload} />
      )}
      {milestone.allowed_actions.includes('rebaseline') && <RebaselineForm key={etag} id={id} etag={etag} onDone={view.reload} />}
      {milestone.allowed_actions.includes('edit') && (
        <WithRaidPickers render={(pickers) => (
          <DetailsForm key={`details-${etag}`} milestone={milestone} etag={etag} pickers={pickers} onReload={view.reload}
            onSaved={() => {
              setDone('The title, description and owner were saved.')
              view.reload()
            }} />
        )} />
      )}
      {milestone.allowed_actions.includes('delete') && <DeleteMilestone milestone={milestone} />}
      <HistoryPanel kind="milestone" id={id} version={milestone.updated_at} />
    </>
  )
}

const STATUSES: { value: Schemas['MilestoneStatus']; text: string }[] = [
  { value: 'planned', text: 'Planned' },
  { value: 'in_progress', text: 'In progress' },
  { value: 'done', text: 'Done' },
  { value: 'missed', text: 'Missed' },
]

/** The project's forecast and the milestone's progress: the baseline stays (re-baseline moves it). */
function ProgressForm({ milestone, etag, onDone }: { milestone: Schemas['MilestonePublic']; etag: string; onDone: () => void }) {
  const [form, setForm] = useState({
    forecast_date: milestone.forecast_date ?? '',
    status: milestone.status,
    completed_on: milestone.completed_on ?? '',
  })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const submit = async (event: Event) => {
    event.preventDefault()
    const done = form.status === 'done'
    const result = await send(
      () =>
        api.PATCH('/api/v1/milestones/{milestone_id}', {
          params: { path: { milestone_id: milestone.id }, header: { 'If-Match': etag } },
          // An empty forecast puts the milestone back on its baseline; done today unless a day is given.
          // The status only when it changes: the API refuses marking a done milestone done again.
          body: {
            forecast_date: form.forecast_date || null,
            ...(form.status !== milestone.status ? { status: form.status } : {}),
            ...(done && form.completed_on ? { completed_on: form.completed_on } : {}),
          },
        }),
      { forecast_date: 'Forecast date', status: 'Status', completed_on: 'Completed on' },
    )
    setErrors(result.errors ?? null)
    if (result.data) onDone()
  }
  return (
    <form onSubmit={submit} noValidate>
      <h2 class="govuk-heading-m">Forecast and progress</h2>
      <ErrorSummary errors={errors} onReload={onDone} />
      <DateInput name="forecast_date" label="Forecast date" errors={errors}
        hint="When the project now expects it. Leave it empty to keep to the baseline. For example, 27 3 2026"
        value={form.forecast_date} onInput={(forecast_date) => setForm({ ...form, forecast_date })} />
      <Radios name="status" label="Status" errors={errors} small options={STATUSES}
        value={form.status} onChange={(status) => setForm({ ...form, status: status as Schemas['MilestoneStatus'] })} />
      {form.status === 'done' && (
        <DateInput name="completed_on" label="Completed on" errors={errors} hint="Leave it empty for today. For example, 27 3 2026"
          value={form.completed_on} onInput={(completed_on) => setForm({ ...form, completed_on })} />
      )}
      <button type="submit" class="govuk-button">
        Save the forecast and progress
      </button>
    </form>
  )
}

function RebaselineForm({ id, etag, onDone }: { id: string; etag: string; onDone: () => void }) {
  const [form, setForm] = useState({ planned_date: '', reason: '' })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const submit = async (event: Event) => {
    event.preventDefault()
    const result = await send(
      () =>
        api.POST('/api/v1/milestones/{milestone_id}/rebaseline', {
          params: { path: { milestone_id: id }, header: { 'If-Match': etag } },
          body: { planned_date: form.planned_date || null, reason: form.reason },
        }),
      { planned_date: 'New baseline date', reason: 'Reason' },
    )
    setErrors(result.errors ?? null)
    if (result.data) onDone()
  }
  return (
    <form onSubmit={submit} noValidate>
      <h2 class="govuk-heading-m">Re-baseline</h2>
      <p class="govuk-body">The current baseline stays in the history above, with the reason for the new one.</p>
      <ErrorSummary errors={errors} onReload={onDone} />
      <DateInput name="planned_date" label="New baseline date" errors={errors}
        value={form.planned_date} onInput={(planned_date) => setForm({ ...form, planned_date })} />
      <TextArea name="reason" label="Reason" hint="For example the board decision that agreed it" errors={errors}
        value={form.reason} onInput={(reason) => setForm({ ...form, reason })} />
      <button type="submit" class="govuk-button">
        Re-baseline the milestone
      </button>
    </form>
  )
}

/** Title, description and owner: what changes without moving the baseline. */
function DetailsForm({ milestone, etag, pickers, onSaved, onReload }: {
  milestone: Schemas['MilestonePublic']
  etag: string
  pickers: RaidPickers
  onSaved: () => void
  onReload: () => void
}) {
  const [form, setForm] = useState({ title: milestone.title, description: milestone.description, owner_id: milestone.owner_id ?? '' })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  // The API keeps an owner once set (it ignores null): offer "Not set" only while there is none.
  const owners = milestone.owner_id ? ownerOptions(pickers, milestone.owner_id).slice(1) : ownerOptions(pickers)
  const submit = async (event: Event) => {
    event.preventDefault()
    const result = await send(
      () =>
        api.PATCH('/api/v1/milestones/{milestone_id}', {
          params: { path: { milestone_id: milestone.id }, header: { 'If-Match': etag } },
          body: { title: form.title, description: form.description, ...(form.owner_id ? { owner_id: form.owner_id } : {}) },
        }),
      { title: 'Title', description: 'Description', owner_id: 'Owner' },
    )
    setErrors(result.errors ?? null)
    if (result.data) onSaved()
  }
  return (
    <form onSubmit={submit} noValidate data-testid="milestone-details">
      <h2 class="govuk-heading-m">Title, description and owner</h2>
      <ErrorSummary errors={errors} onReload={onReload} />
      <TextInput name="title" label="Title" errors={errors} value={form.title} onInput={set('title')} />
      <TextArea name="description" label="Description (optional)" errors={errors} rows={3}
        value={form.description} onInput={set('description')} />
      <Select name="owner_id" label={milestone.owner_id ? 'Owner' : 'Owner (optional)'} errors={errors} value={form.owner_id}
        onChange={set('owner_id')} options={owners} />
      <button type="submit" class="govuk-button">
        Save the title, description and owner
      </button>
    </form>
  )
}

/** Deleting a milestone: asked first, then back to the project's milestones. */
function DeleteMilestone({ milestone }: { milestone: Schemas['MilestonePublic'] }) {
  const [asking, setAsking] = useState(false)
  return (
    <section aria-labelledby="delete-milestone-heading" class="govuk-!-margin-top-6">
      <h2 class="govuk-heading-m" id="delete-milestone-heading">Delete the milestone</h2>
      {!asking ? (
        <button type="button" class="govuk-button govuk-button--warning" onClick={() => setAsking(true)}>
          Delete the milestone
        </button>
      ) : (
        <AskToDelete
          testId="milestone-delete"
          explain={`Delete “${milestone.title}” and its baseline history? To keep its record, mark it missed instead.`}
          request={() => api.DELETE('/api/v1/milestones/{milestone_id}', { params: { path: { milestone_id: milestone.id } } })}
          onCancel={() => setAsking(false)}
          onDeleted={() => navigate(`/projects/${milestone.project_id}?tab=milestones`)}
        />
      )}
    </section>
  )
}

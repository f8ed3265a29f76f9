import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { ErrorSummary, Loading, ProblemPage, Radios, Select, TextArea, TextInput, DateInput } from '../components/ui'
import { type Fetched, load, type Loaded, useResource } from '../lib/data'
import { humanise } from '../lib/format'
import type { FormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { send } from './Drawdowns'
import { HistoryPanel } from '../components/HistoryPanel'
import { ItemEscalation } from '../components/RaidActions'

// Adding and changing issues, assumptions and dependencies of a project. A change is sent with
// the ETag the record was read with, so someone else's change in between is a 412 with "Reload".

/** One record and the ETag it came with. */
export async function withEtag<T>(request: () => Promise<Fetched<T>>): Promise<Loaded<{ record: T; etag: string }>> {
  let etag = ''
  const result = await load(async () => {
    const fetched = await request()
    etag = fetched.response.headers.get('ETag') ?? ''
    return fetched
  })
  if (result.problem) return result
  return { data: { record: result.data, etag } }
}

function options(values: readonly string[]) {
  return values.map((value) => ({ value, text: humanise(value) }))
}

/** Loads what an edit form needs, then shows it; the form remounts on reload (a new ETag). */
export function Editing<T>({ name, request, render }: {
  name: string
  request: () => Promise<Fetched<T>>
  render: (record: T, etag: string, reload: () => void) => ComponentChildren
}) {
  const view = useResource(name, () => withEtag(request))
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  return <div key={view.data.etag}>{render(view.data.record, view.data.etag, view.reload)}</div>
}

export function FormPage({ heading, caption, errors, onReload, onSubmit, busy, submitText, back, children }: {
  heading: string
  caption?: string
  errors: FormErrors | null
  onReload?: () => void
  onSubmit: (event: Event) => void
  busy: boolean
  submitText: string
  back: string
  children: ComponentChildren
}) {
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} onReload={onReload} />
        {caption && <span class="govuk-caption-l">{caption}</span>}
        <h1 class="govuk-heading-l">{heading}</h1>
        <form onSubmit={onSubmit} noValidate>
          {children}
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button" disabled={busy}>
              {submitText}
            </button>
            <a class="govuk-link" href={back}>
              Cancel
            </a>
          </div>
        </form>
      </div>
    </div>
  )
}

/** State, submit and errors shared by the forms below. */
function useForm<F extends Record<string, string>>(initial: F, labels: Record<string, string>) {
  const [form, setForm] = useState(initial)
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof F) => (value: string) => setForm({ ...form, [key]: value })
  const submit = (request: () => Promise<Fetched<unknown>>, done: string) => async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(request, labels)
    setBusy(false)
    if (result.data) navigate(done)
    else setErrors(result.errors ?? null)
  }
  return { form, set, errors, busy, submit }
}

export const orNull = (value: string) => value.trim() || null

// Issues

const ISSUE_LABELS = {
  title: 'Title', description: 'Description', issue_type: 'Type', category: 'Category', priority: 'Priority',
  severity: 'Severity', due_date: 'Due date', status: 'Status', resolution: 'Resolution',
}
const ISSUE_TYPES = ['problem_concern', 'request_for_change', 'off_specification'] as const
const RATINGS = ['low', 'medium', 'high', 'critical'] as const
const ISSUE_STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const

type Issue = Schemas['IssuePublic']

export function IssueNew({ projectId }: { projectId: string }) {
  return <IssueForm projectId={projectId} />
}

export function IssueEdit({ id }: { id: string }) {
  return (
    <Editing name={`issue-${id}`} request={() => api.GET('/api/v1/issues/{issue_id}', { params: { path: { issue_id: id } } })}
      render={(record, etag, reload) => (
        <>
          <IssueForm projectId={record.project_id ?? ''} existing={record} etag={etag} onReload={reload} />
          <ItemEscalation kind="issue" id={id} level={record.escalation_level} reference={record.reference} onChanged={reload} />
          <HistoryPanel kind="issue" id={id} version={etag} />
        </>
      )} />
  )
}

function IssueForm({ projectId, existing, etag, onReload }: { projectId: string; existing?: Issue; etag?: string; onReload?: () => void }) {
  const { form, set, errors, busy, submit } = useForm({
    title: existing?.title ?? '', description: existing?.description ?? '', issue_type: existing?.issue_type ?? 'problem_concern',
    category: existing?.category ?? '', priority: existing?.priority ?? 'medium', severity: existing?.severity ?? 'medium',
    due_date: existing?.due_date ?? '', status: existing?.status ?? 'open', resolution: existing?.resolution ?? '',
  }, ISSUE_LABELS)
  const common = {
    title: form.title, description: form.description, issue_type: form.issue_type as Schemas['IssueType'], category: form.category,
    priority: form.priority as Schemas['Rating'], severity: form.severity as Schemas['Rating'], due_date: orNull(form.due_date),
  }
  const back = `/projects/${projectId}?tab=issues`
  const onSubmit = existing
    ? submit(() => api.PATCH('/api/v1/issues/{issue_id}', {
        params: { path: { issue_id: existing.id }, header: { 'If-Match': etag ?? '' } },
        body: { ...common, status: form.status as Schemas['IssueStatus'], resolution: form.resolution },
      }), back)
    : submit(() => api.POST('/api/v1/issues', { body: { ...common, project_id: projectId, status: 'open', resolution: '' } }), back)
  return (
    <FormPage heading={existing ? `Change issue ${existing.reference}` : 'Add an issue'} errors={errors} onReload={onReload}
      onSubmit={onSubmit} busy={busy} submitText={existing ? 'Save the changes' : 'Add the issue'} back={back}>
      <TextInput name="title" label="Title" value={form.title} onInput={set('title')} errors={errors} />
      <TextArea name="description" label="Description (optional)" value={form.description} onInput={set('description')} errors={errors} rows={3} />
      <Select name="issue_type" label="Type" value={form.issue_type} onChange={set('issue_type')} errors={errors} options={options(ISSUE_TYPES)} />
      <TextInput name="category" label="Category (optional)" value={form.category} onInput={set('category')} errors={errors} width="20" />
      <Select name="priority" label="Priority" value={form.priority} onChange={set('priority')} errors={errors} options={options(RATINGS)} />
      <Select name="severity" label="Severity" value={form.severity} onChange={set('severity')} errors={errors} options={options(RATINGS)} />
      <DateInput name="due_date" label="Due date (optional)" value={form.due_date}
        onInput={set('due_date')} errors={errors} />
      {existing && (
        <>
          <Select name="status" label="Status" value={form.status} onChange={set('status')} errors={errors} options={options(ISSUE_STATUSES)} />
          <TextArea name="resolution" label="Resolution" value={form.resolution} onInput={set('resolution')} errors={errors} rows={3} />
        </>
      )}
    </FormPage>
  )
}

// Assumptions

const ASSUMPTION_LABELS = { statement: 'Assumption', category: 'Category', validate_by: 'Validate by', status: 'Status' }
const ASSUMPTION_STATUSES = ['unvalidated', 'valid', 'invalid'] as const

type Assumption = Schemas['AssumptionPublic']

export function AssumptionNew({ projectId }: { projectId: string }) {
  return <AssumptionForm projectId={projectId} />
}

export function AssumptionEdit({ id }: { id: string }) {
  return (
    <Editing name={`assumption-${id}`}
      request={() => api.GET('/api/v1/assumptions/{assumption_id}', { params: { path: { assumption_id: id } } })}
      render={(record, etag, reload) => (
        <>
          <AssumptionForm projectId={record.project_id ?? ''} existing={record} etag={etag} onReload={reload} />
          <HistoryPanel kind="assumption" id={id} version={etag} />
        </>
      )} />
  )
}

function AssumptionForm({ projectId, existing, etag, onReload }: {
  projectId: string; existing?: Assumption; etag?: string; onReload?: () => void
}) {
  const { form, set, errors, busy, submit } = useForm({
    statement: existing?.statement ?? '', category: existing?.category ?? '', validate_by: existing?.validate_by ?? '',
    status: existing?.status ?? 'unvalidated',
  }, ASSUMPTION_LABELS)
  const common = { statement: form.statement, category: form.category, validate_by: orNull(form.validate_by) }
  const back = `/projects/${projectId}?tab=assumptions`
  const onSubmit = existing
    ? submit(() => api.PATCH('/api/v1/assumptions/{assumption_id}', {
        params: { path: { assumption_id: existing.id }, header: { 'If-Match': etag ?? '' } },
        body: { ...common, status: form.status as Schemas['AssumptionStatus'] },
      }), back)
    : submit(() => api.POST('/api/v1/assumptions', { body: { ...common, project_id: projectId, status: 'unvalidated' } }), back)
  return (
    <FormPage heading={existing ? `Change assumption ${existing.reference}` : 'Add an assumption'} errors={errors}
      onReload={onReload} onSubmit={onSubmit} busy={busy} submitText={existing ? 'Save the changes' : 'Add the assumption'} back={back}>
      <TextArea name="statement" label="Assumption" value={form.statement} onInput={set('statement')} errors={errors} rows={3} />
      <TextInput name="category" label="Category (optional)" value={form.category} onInput={set('category')} errors={errors} width="20" />
      <DateInput name="validate_by" label="Validate by (optional)" value={form.validate_by}
        onInput={set('validate_by')} errors={errors} />
      {existing && (
        <Select name="status" label="Status" value={form.status} onChange={set('status')} errors={errors} options={options(ASSUMPTION_STATUSES)} />
      )}
    </FormPage>
  )
}

// Dependencies

const DEPENDENCY_LABELS = {
  title: 'Title', direction: 'Direction', external_party: 'Who it depends on, or who depends on it', description: 'Description',
  category: 'Category', needed_by: 'Needed by', status: 'Status', other_project_id: 'Other project',
}
const DEPENDENCY_STATUSES = ['open', 'at_risk', 'met', 'closed'] as const

type Dependency = Schemas['DependencyPublic']

export function DependencyNew({ projectId }: { projectId: string }) {
  return <DependencyForm projectId={projectId} />
}

export function DependencyEdit({ id }: { id: string }) {
  return (
    <Editing name={`dependency-${id}`}
      request={() => api.GET('/api/v1/dependencies/{dependency_id}', { params: { path: { dependency_id: id } } })}
      render={(record, etag, reload) => (
        <>
          <DependencyForm projectId={record.project_id} existing={record} etag={etag} onReload={reload} />
          <ItemEscalation kind="dependency" id={id} level={record.escalation_level} reference={record.reference} onChanged={reload} />
          <HistoryPanel kind="dependency" id={id} version={etag} />
        </>
      )} />
  )
}

function DependencyForm({ projectId, existing, etag, onReload }: {
  projectId: string; existing?: Dependency; etag?: string; onReload?: () => void
}) {
  const { form, set, errors, busy, submit } = useForm({
    title: existing?.title ?? '', direction: existing?.direction ?? 'inbound', external_party: existing?.external_party ?? '',
    description: existing?.description ?? '', category: existing?.category ?? '', needed_by: existing?.needed_by ?? '',
    status: existing?.status ?? 'open',
  }, DEPENDENCY_LABELS)
  const common = {
    title: form.title, direction: form.direction as Schemas['DependencyDirection'], description: form.description,
    category: form.category, needed_by: orNull(form.needed_by),
    // A dependency on another project keeps it; otherwise it names the outside party.
    ...(existing?.other_project_id ? {} : { external_party: orNull(form.external_party) }),
  }
  const back = `/projects/${projectId}?tab=dependencies`
  const onSubmit = existing
    ? submit(() => api.PATCH('/api/v1/dependencies/{dependency_id}', {
        params: { path: { dependency_id: existing.id }, header: { 'If-Match': etag ?? '' } },
        body: { ...common, status: form.status as Schemas['DependencyStatus'] },
      }), back)
    : submit(() => api.POST('/api/v1/dependencies', { body: { ...common, project_id: projectId, status: 'open' } }), back)
  return (
    <FormPage heading={existing ? `Change dependency ${existing.reference}` : 'Add a dependency'} errors={errors}
      onReload={onReload} onSubmit={onSubmit} busy={busy} submitText={existing ? 'Save the changes' : 'Add the dependency'} back={back}>
      <TextInput name="title" label="Title" value={form.title} onInput={set('title')} errors={errors} />
      <Radios name="direction" label="Direction" value={form.direction} onChange={set('direction')} errors={errors} small
        options={[{ value: 'inbound', text: 'Inbound: this project needs something' }, { value: 'outbound', text: 'Outbound: something needs this project' }]} />
      {!existing?.other_project_id && (
        <TextInput name="external_party" label={DEPENDENCY_LABELS.external_party} hint="For example: the county council's highways team."
          value={form.external_party} onInput={set('external_party')} errors={errors} />
      )}
      <TextArea name="description" label="Description (optional)" value={form.description} onInput={set('description')} errors={errors} rows={3} />
      <TextInput name="category" label="Category (optional)" value={form.category} onInput={set('category')} errors={errors} width="20" />
      <DateInput name="needed_by" label="Needed by (optional)" value={form.needed_by}
        onInput={set('needed_by')} errors={errors} />
      {existing && (
        <Select name="status" label="Status" value={form.status} onChange={set('status')} errors={errors} options={options(DEPENDENCY_STATUSES)} />
      )}
    </FormPage>
  )
}

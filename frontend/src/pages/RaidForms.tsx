import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { ErrorSummary, Loading, ProblemPage, Radios, Select, SummaryList, TextArea, TextInput, DateInput } from '../components/ui'
import { type Fetched, load, type Loaded, useResource } from '../lib/data'
import { formatDate, humanise, NONE_RECORDED, NOT_SET } from '../lib/format'
import type { FormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { send } from './Drawdowns'
import { HistoryPanel } from '../components/HistoryPanel'
import { ActionDone, AssumptionInvalidation, ItemEscalation } from '../components/RaidActions'

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

// What the forms pick from: an owner among the organisation's people, a dependency's other
// project among all its projects, whatever their programme.

export interface RaidPickers {
  people: Schemas['UserPublic'][]
  projects: Schemas['ProjectPublic'][]
  programmes: Schemas['ProgrammePublic'][]
}

async function loadPickers(): Promise<Loaded<RaidPickers>> {
  const [people, projects, programmes] = await Promise.all([
    load(() => api.GET('/api/v1/users', { params: { query: { limit: 200, sort: 'display_name' } } })),
    load(() => api.GET('/api/v1/projects', { params: { query: { limit: 200, sort: 'reference' } } })),
    load(() => api.GET('/api/v1/programmes', { params: { query: { limit: 200, sort: 'name' } } })),
  ])
  if (people.problem) return people
  if (projects.problem) return projects
  if (programmes.problem) return programmes
  return { data: { people: people.data.items, projects: projects.data.items, programmes: programmes.data.items } }
}

export function WithRaidPickers({ render }: { render: (pickers: RaidPickers) => ComponentChildren }) {
  const pickers = useResource('raid-pickers', loadPickers)
  if (pickers.problem) return <ProblemPage problem={pickers.problem} onRetry={pickers.reload} />
  if (!pickers.data) return <Loading />
  return <>{render(pickers.data)}</>
}

/** Active people, and the current owner even if no longer active (so a change keeps them). */
export function ownerOptions(pickers: RaidPickers, current?: string | null) {
  const people = pickers.people.filter((p) => p.is_active || p.id === current)
  return [{ value: '', text: 'Not set' }, ...people.map((p) => ({ value: p.id, text: p.display_name }))]
}

export function personName(pickers: RaidPickers, id: string | null | undefined): string {
  if (!id) return NOT_SET
  return pickers.people.find((p) => p.id === id)?.display_name ?? 'Someone no longer listed'
}

/** Every other project, named with its programme: a dependency may cross programmes. */
function projectOptions(pickers: RaidPickers, except: string) {
  const programme = (id: string) => pickers.programmes.find((p) => p.id === id)?.name ?? 'Another programme'
  const projects = pickers.projects
    .filter((p) => p.id !== except)
    .sort((a, b) => programme(a.programme_id).localeCompare(programme(b.programme_id)) || a.reference.localeCompare(b.reference))
  return [
    { value: '', text: 'Choose a project' },
    ...projects.map((p) => ({ value: p.id, text: `${p.reference} ${p.name} (${programme(p.programme_id)})` })),
  ]
}

/** Where a record's log is: its project's tab, or the RAID register for a programme's or portfolio's item. */
function logOf(projectId: string | null, tab: string): string {
  return projectId ? `/projects/${projectId}?tab=${tab}` : `/raid-register?type=${tab.replace(/s$/, '')}`
}

/** A record the reader may not change: what it says, and no form. */
function ReadOnly({ heading, rows, back }: { heading: string; rows: [string, ComponentChildren][]; back: string }) {
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <h1 class="govuk-heading-l">{heading}</h1>
        <p class="govuk-body" data-testid="read-only">You can read this record but not change it.</p>
        <SummaryList rows={rows} />
        <a class="govuk-link" href={back}>
          Back to the log
        </a>
      </div>
    </div>
  )
}

// Issues

const ISSUE_LABELS = {
  title: 'Title', description: 'Description', issue_type: 'Type', category: 'Category', priority: 'Priority',
  severity: 'Severity', due_date: 'Due date', status: 'Status', resolution: 'Resolution', owner_id: 'Owner',
}
const ISSUE_TYPES = ['problem_concern', 'request_for_change', 'off_specification'] as const
const RATINGS = ['low', 'medium', 'high', 'critical'] as const
const ISSUE_STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const

type Issue = Schemas['IssuePublic']

export function IssueNew({ projectId }: { projectId: string }) {
  return <WithRaidPickers render={(pickers) => <IssueForm projectId={projectId} pickers={pickers} />} />
}

/** An issue: its form and its escalation for who may change it, what it says for others. */
export function IssueEdit({ id }: { id: string }) {
  const [done, setDone] = useState<string | null>(null)
  return (
    <WithRaidPickers render={(pickers) => (
      <Editing name={`issue-${id}`} request={() => api.GET('/api/v1/issues/{issue_id}', { params: { path: { issue_id: id } } })}
        render={(record, etag, reload) => (
          <>
            <ActionDone text={done} />
            {record.allowed_actions.includes('edit') ? (
              <IssueForm projectId={record.project_id ?? ''} pickers={pickers} existing={record} etag={etag} onReload={reload} />
            ) : (
              <ReadOnly heading={`Issue ${record.reference}`} back={logOf(record.project_id, 'issues')} rows={[
                ['Title', record.title], ['Description', record.description || NONE_RECORDED], ['Priority', humanise(record.priority)],
                ['Severity', humanise(record.severity)], ['Owner', personName(pickers, record.owner_id)],
                ['Due date', record.due_date ? formatDate(record.due_date) : NOT_SET], ['Status', humanise(record.status)],
                ['Resolution', record.resolution || NONE_RECORDED],
              ]} />
            )}
            <ItemEscalation kind="issue" id={id} level={record.escalation_level} reference={record.reference}
              allowed={record.allowed_actions} onChanged={(text) => { setDone(text); reload() }} />
            <HistoryPanel kind="issue" id={id} version={etag} />
          </>
        )} />
    )} />
  )
}

function IssueForm({ projectId, pickers, existing, etag, onReload }: {
  projectId: string; pickers: RaidPickers; existing?: Issue; etag?: string; onReload?: () => void
}) {
  const { form, set, errors, busy, submit } = useForm({
    title: existing?.title ?? '', description: existing?.description ?? '', issue_type: existing?.issue_type ?? 'problem_concern',
    category: existing?.category ?? '', priority: existing?.priority ?? 'medium', severity: existing?.severity ?? 'medium',
    due_date: existing?.due_date ?? '', status: existing?.status ?? 'open', resolution: existing?.resolution ?? '',
    owner_id: existing?.owner_id ?? '',
  }, ISSUE_LABELS)
  const common = {
    title: form.title, description: form.description, issue_type: form.issue_type as Schemas['IssueType'], category: form.category,
    priority: form.priority as Schemas['Rating'], severity: form.severity as Schemas['Rating'], due_date: orNull(form.due_date),
    owner_id: orNull(form.owner_id),
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
      <Select name="owner_id" label="Owner (optional)" value={form.owner_id} onChange={set('owner_id')} errors={errors}
        options={ownerOptions(pickers, existing?.owner_id)} />
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

const ASSUMPTION_LABELS = { statement: 'Assumption', category: 'Category', validate_by: 'Validate by', status: 'Status', owner_id: 'Owner' }
const ASSUMPTION_STATUSES = ['unvalidated', 'valid', 'invalid'] as const

type Assumption = Schemas['AssumptionPublic']

export function AssumptionNew({ projectId }: { projectId: string }) {
  return <WithRaidPickers render={(pickers) => <AssumptionForm projectId={projectId} pickers={pickers} />} />
}

/** An assumption: its form, and finding it invalid (raising a risk or an issue), for who may. */
export function AssumptionEdit({ id }: { id: string }) {
  const [done, setDone] = useState<ComponentChildren>(null)
  return (
    <WithRaidPickers render={(pickers) => (
      <Editing name={`assumption-${id}`}
        request={() => api.GET('/api/v1/assumptions/{assumption_id}', { params: { path: { assumption_id: id } } })}
        render={(record, etag, reload) => (
          <>
            <ActionDone text={done} />
            {record.allowed_actions.includes('edit') ? (
              <AssumptionForm projectId={record.project_id ?? ''} pickers={pickers} existing={record} etag={etag} onReload={reload} />
            ) : (
              <ReadOnly heading={`Assumption ${record.reference}`} back={logOf(record.project_id, 'assumptions')} rows={[
                ['Assumption', record.statement], ['Owner', personName(pickers, record.owner_id)],
                ['Validate by', record.validate_by ? formatDate(record.validate_by) : NOT_SET], ['Status', humanise(record.status)],
              ]} />
            )}
            {record.raised_risk_id && (
              <p class="govuk-body">Found invalid: it raised <a class="govuk-link" href={`/risks/${record.raised_risk_id}/edit`}>a risk</a>.</p>
            )}
            {record.raised_issue_id && (
              <p class="govuk-body">Found invalid: it raised <a class="govuk-link" href={`/issues/${record.raised_issue_id}/edit`}>an issue</a>.</p>
            )}
            {record.allowed_actions.includes('invalidate') && (
              <AssumptionInvalidation assumption={record} owners={ownerOptions(pickers, record.owner_id)}
                onChanged={(text) => { setDone(text); reload() }} />
            )}
            <HistoryPanel kind="assumption" id={id} version={etag} />
          </>
        )} />
    )} />
  )
}

function AssumptionForm({ projectId, pickers, existing, etag, onReload }: {
  projectId: string; pickers: RaidPickers; existing?: Assumption; etag?: string; onReload?: () => void
}) {
  const { form, set, errors, busy, submit } = useForm({
    statement: existing?.statement ?? '', category: existing?.category ?? '', validate_by: existing?.validate_by ?? '',
    status: existing?.status ?? 'unvalidated', owner_id: existing?.owner_id ?? '',
  }, ASSUMPTION_LABELS)
  const common = { statement: form.statement, category: form.category, validate_by: orNull(form.validate_by), owner_id: orNull(form.owner_id) }
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
      <Select name="owner_id" label="Owner (optional)" value={form.owner_id} onChange={set('owner_id')} errors={errors}
        options={ownerOptions(pickers, existing?.owner_id)} />
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
  category: 'Category', needed_by: 'Needed by', status: 'Status', other_project_id: 'Other project', owner_id: 'Owner',
  other_end: 'The other end',
}
const DEPENDENCY_STATUSES = ['open', 'at_risk', 'met', 'closed'] as const

type Dependency = Schemas['DependencyPublic']

export function DependencyNew({ projectId }: { projectId: string }) {
  return <WithRaidPickers render={(pickers) => <DependencyForm projectId={projectId} pickers={pickers} />} />
}

/** A dependency: its form and its escalation for who may change either project, what it says for others. */
export function DependencyEdit({ id }: { id: string }) {
  const [done, setDone] = useState<string | null>(null)
  return (
    <WithRaidPickers render={(pickers) => (
      <Editing name={`dependency-${id}`}
        request={() => api.GET('/api/v1/dependencies/{dependency_id}', { params: { path: { dependency_id: id } } })}
        render={(record, etag, reload) => (
          <>
            <ActionDone text={done} />
            {record.allowed_actions.includes('edit') ? (
              <DependencyForm projectId={record.project_id} pickers={pickers} existing={record} etag={etag} onReload={reload} />
            ) : (
              <ReadOnly heading={`Dependency ${record.reference}`} back={`/projects/${record.project_id}?tab=dependencies`} rows={[
                ['Title', record.title], ['Direction', humanise(record.direction)],
                ['The other end', record.other_project_id
                  ? projectOptions(pickers, '').find((o) => o.value === record.other_project_id)?.text ?? 'Another project'
                  : record.external_party ?? NOT_SET],
                ['Owner', personName(pickers, record.owner_id)],
                ['Needed by', record.needed_by ? formatDate(record.needed_by) : NOT_SET], ['Status', humanise(record.status)],
              ]} />
            )}
            <ItemEscalation kind="dependency" id={id} level={record.escalation_level} reference={record.reference}
              allowed={record.allowed_actions} onChanged={(text) => { setDone(text); reload() }} />
            <HistoryPanel kind="dependency" id={id} version={etag} />
          </>
        )} />
    )} />
  )
}

function DependencyForm({ projectId, pickers, existing, etag, onReload }: {
  projectId: string; pickers: RaidPickers; existing?: Dependency; etag?: string; onReload?: () => void
}) {
  const { form, set, errors, busy, submit } = useForm({
    title: existing?.title ?? '', direction: existing?.direction ?? 'inbound', external_party: existing?.external_party ?? '',
    description: existing?.description ?? '', category: existing?.category ?? '', needed_by: existing?.needed_by ?? '',
    status: existing?.status ?? 'open', owner_id: existing?.owner_id ?? '', other_project_id: existing?.other_project_id ?? '',
    other_end: existing && !existing.other_project_id ? 'external' : 'project',
  }, DEPENDENCY_LABELS)
  const onProject = form.other_end === 'project'
  const common = {
    title: form.title, direction: form.direction as Schemas['DependencyDirection'], description: form.description,
    category: form.category, needed_by: orNull(form.needed_by), owner_id: orNull(form.owner_id),
  }
  // The other end is a project of any programme, or a party outside the council: one of the two.
  const otherEnd = onProject ? { other_project_id: orNull(form.other_project_id) } : { external_party: orNull(form.external_party) }
  const back = `/projects/${projectId}?tab=dependencies`
  const onSubmit = existing
    ? submit(() => api.PATCH('/api/v1/dependencies/{dependency_id}', {
        params: { path: { dependency_id: existing.id }, header: { 'If-Match': etag ?? '' } },
        body: { ...common, ...otherEnd, status: form.status as Schemas['DependencyStatus'] },
      }), back)
    : submit(() => api.POST('/api/v1/dependencies', { body: { ...common, ...otherEnd, project_id: projectId, status: 'open' } }), back)
  return (
    <FormPage heading={existing ? `Change dependency ${existing.reference}` : 'Add a dependency'} errors={errors}
      onReload={onReload} onSubmit={onSubmit} busy={busy} submitText={existing ? 'Save the changes' : 'Add the dependency'} back={back}>
      <TextInput name="title" label="Title" value={form.title} onInput={set('title')} errors={errors} />
      <Radios name="direction" label="Direction" value={form.direction} onChange={set('direction')} errors={errors} small
        options={[{ value: 'outbound', text: 'This project needs something from the other end' }, { value: 'inbound', text: 'The other end needs something from this project' }]} />
      <Radios name="other_end" label="The other end" value={form.other_end} onChange={set('other_end')} errors={errors} small
        options={[{ value: 'project', text: 'Another project, in any programme' }, { value: 'external', text: 'A party outside the council' }]} />
      {onProject ? (
        <Select name="other_project_id" label="Other project" value={form.other_project_id} onChange={set('other_project_id')}
          errors={errors} options={projectOptions(pickers, projectId)} />
      ) : (
        <TextInput name="external_party" label={DEPENDENCY_LABELS.external_party} hint="For example: the county council's highways team."
          value={form.external_party} onInput={set('external_party')} errors={errors} />
      )}
      <Select name="owner_id" label="Owner (optional)" value={form.owner_id} onChange={set('owner_id')} errors={errors}
        options={ownerOptions(pickers, existing?.owner_id)} />
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

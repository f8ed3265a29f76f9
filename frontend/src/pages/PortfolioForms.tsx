// Setting up and keeping the portfolio's records: programmes, projects, milestones and
// delivery confidence assessments. The API validates; its messages show next to the fields.
import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { DateInput, ErrorSummary, Loading, ProblemPage, Radios, RagTag, Scroll, Select, TextArea, TextInput } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { confidenceLabel, formatDate, NONE_RECORDED } from '../lib/format'
import { useCan, useWho } from '../lib/me'
import type { FormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { send } from './Drawdowns'
import { Editing, FormPage, orNull } from './RaidForms'
import { ConfirmDelete } from '../components/ConfirmDelete'

interface Pickers {
  portfolios: Schemas['PortfolioPublic'][]
  people: Schemas['UserPublic'][]
  directorates: Schemas['DirectoratePublic'][]
  bodies: Schemas['GovernanceBodyPublic'][]
}

/** The records a form picks from: portfolios, people, directorates and governance bodies. */
async function loadPickers(): Promise<Loaded<Pickers>> {
  const [portfolios, people, directorates, bodies] = await Promise.all([
    load(() => api.GET('/api/v1/portfolios', { params: { query: { limit: 200 } } })),
    load(() => api.GET('/api/v1/users', { params: { query: { limit: 200, sort: 'display_name' } } })),
    load(() => api.GET('/api/v1/directorates', { params: { query: { limit: 200 } } })),
    load(() => api.GET('/api/v1/governance-bodies', { params: { query: { limit: 200 } } })),
  ])
  if (portfolios.problem) return portfolios
  if (people.problem) return people
  if (directorates.problem) return directorates
  if (bodies.problem) return bodies
  return {
    data: {
      portfolios: portfolios.data.items,
      people: people.data.items.filter((p) => p.is_active),
      directorates: directorates.data.items,
      bodies: bodies.data.items,
    },
  }
}

function WithPickers({ render }: { render: (pickers: Pickers) => preact.JSX.Element }) {
  const pickers = useResource('portfolio-pickers', loadPickers)
  if (pickers.problem) return <ProblemPage problem={pickers.problem} onRetry={pickers.reload} />
  if (!pickers.data) return <Loading />
  return render(pickers.data)
}

const none = (text: string) => [{ value: '', text }]
const peopleOptions = (p: Pickers) => [...none('Not set'), ...p.people.map((u) => ({ value: u.id, text: u.display_name }))]
const directorateOptions = (p: Pickers) => [...none('Not set'), ...p.directorates.map((d) => ({ value: d.id, text: d.name }))]
const bodyOptions = (p: Pickers) => [...none('Not set'), ...p.bodies.map((b) => ({ value: b.id, text: b.name }))]

/** Form state and a submit that goes to the saved record's page, or shows the API's errors. */
function useRecordForm<F extends Record<string, string>>(initial: F, labels: Record<string, string>) {
  const [form, setForm] = useState(initial)
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof F) => (value: string) => setForm({ ...form, [key]: value })
  const submit = <T,>(request: () => Promise<{ data?: T; error?: unknown; response: Response }>, done: (saved: T) => string) =>
    async (event: Event) => {
      event.preventDefault()
      setBusy(true)
      const result = await send(request, labels)
      setBusy(false)
      if (result.data) navigate(done(result.data))
      else setErrors(result.errors ?? null)
    }
  return { form, set, errors, busy, submit }
}

// Programmes -------------------------------------------------------------------------------

type Programme = Schemas['ProgrammePublic']

const PROGRAMME_LABELS = {
  status: 'Status', portfolio_id: 'Portfolio', name: 'Name', ambition: 'Ambition', sro_id: 'Senior responsible owner',
  governance_body_id: 'Board', lead_directorate_id: 'Lead directorate', phase: 'Phase',
  planned_start: 'Planned start', planned_end: 'Planned end',
}

export function ProgrammeNew() {
  return <WithPickers render={(pickers) => <ProgrammeForm pickers={pickers} />} />
}

export function ProgrammeEdit({ id }: { id: string }) {
  return (
    <WithPickers render={(pickers) => (
      <Editing name={`programme-edit-${id}`}
        request={() => api.GET('/api/v1/programmes/{programme_id}', { params: { path: { programme_id: id } } })}
        render={(record, etag, reload) => <ProgrammeForm pickers={pickers} existing={record} etag={etag} onReload={reload} />} />
    )} />
  )
}

/** Deleting a programme: asked first; the API refuses one with projects, or with roles given for it. */
export function ProgrammeDelete({ id }: { id: string }) {
  const view = useResource(`programme-delete-${id}`, () =>
    load(() => api.GET('/api/v1/programmes/{programme_id}', { params: { path: { programme_id: id } } })),
  )
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading the programme" />
  const programme = view.data
  return (
    <ConfirmDelete caption="Programme" name={programme.name} back={`/programmes/${programme.id}`} done="/portfolio"
      explain="Only a programme with no projects, and no roles given for it, can be deleted. To keep its record, close it instead."
      request={() => api.DELETE('/api/v1/programmes/{programme_id}', { params: { path: { programme_id: programme.id } } })} />
  )
}

function ProgrammeForm({ pickers, existing, etag, onReload }: { pickers: Pickers; existing?: Programme; etag?: string; onReload?: () => void }) {
  const { form, set, errors, busy, submit } = useRecordForm({
    portfolio_id: existing?.portfolio_id ?? pickers.portfolios[0]?.id ?? '', name: existing?.name ?? '',
    ambition: existing?.ambition ?? '', sro_id: existing?.sro_id ?? '', governance_body_id: existing?.governance_body_id ?? '',
    lead_directorate_id: existing?.lead_directorate_id ?? '', phase: existing?.phase ?? '',
    planned_start: existing?.planned_start ?? '', planned_end: existing?.planned_end ?? '',
    status: existing?.status ?? 'active',
  }, PROGRAMME_LABELS)
  const body = {
    portfolio_id: form.portfolio_id, name: form.name, ambition: form.ambition, sro_id: orNull(form.sro_id),
    governance_body_id: orNull(form.governance_body_id), lead_directorate_id: orNull(form.lead_directorate_id),
    phase: form.phase, planned_start: orNull(form.planned_start), planned_end: orNull(form.planned_end),
    // Kept as they are: the form does not change them.
    resident_outcomes: existing?.resident_outcomes ?? '', success_measures: existing?.success_measures ?? '',
    strategic_outcomes: existing?.strategic_outcomes ?? [],
  }
  const onSubmit = existing
    ? submit(() => api.PATCH('/api/v1/programmes/{programme_id}', {
        params: { path: { programme_id: existing.id }, header: { 'If-Match': etag ?? '' } },
        // The status only when it changes: closing and reopening are actions of their own.
        body: { ...body, ...(form.status !== existing.status ? { status: form.status as Schemas['RecordStatus'] } : {}) },
      }), (saved) => `/programmes/${saved.id}`)
    : submit(() => api.POST('/api/v1/programmes', { body }), (saved) => `/programmes/${saved.id}`)
  return (
    <FormPage heading={existing ? `Change ${existing.name}` : 'Add a programme'} caption="Programme" errors={errors}
      onReload={onReload} onSubmit={onSubmit} busy={busy} submitText={existing ? 'Save the changes' : 'Add the programme'}
      back={existing ? `/programmes/${existing.id}` : '/portfolio'}>
      <Select name="portfolio_id" label="Portfolio" labelClass="govuk-label--s" errors={errors} value={form.portfolio_id}
        onChange={set('portfolio_id')} options={pickers.portfolios.map((p) => ({ value: p.id, text: p.name }))} />
      <TextInput name="name" label="Name" labelClass="govuk-label--s" errors={errors} value={form.name} onInput={set('name')} />
      <TextArea name="ambition" label="Ambition (optional)" labelClass="govuk-label--s" hint="What the programme sets out to achieve"
        errors={errors} value={form.ambition} onInput={set('ambition')} rows={3} />
      <Select name="sro_id" label="Senior responsible owner (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.sro_id} onChange={set('sro_id')} options={peopleOptions(pickers)} />
      <Select name="lead_directorate_id" label="Lead directorate (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.lead_directorate_id} onChange={set('lead_directorate_id')} options={directorateOptions(pickers)} />
      <Select name="governance_body_id" label="Board (optional)" labelClass="govuk-label--s" hint="The governance body that oversees it"
        errors={errors} value={form.governance_body_id} onChange={set('governance_body_id')} options={bodyOptions(pickers)} />
      <TextInput name="phase" label="Phase (optional)" labelClass="govuk-label--s" hint="For example Phase 2: delivery"
        errors={errors} value={form.phase} onInput={set('phase')} />
      <DateInput name="planned_start" label="Planned start (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.planned_start} onInput={set('planned_start')} />
      <DateInput name="planned_end" label="Planned end (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.planned_end} onInput={set('planned_end')} />
      {existing && existing.allowed_actions.some((a) => a === 'close' || a === 'reopen') && (
        <Radios name="status" label="Status" errors={errors} value={form.status} onChange={set('status')}
          hint="A programme closes once all its projects have passed their last gate; it then takes no new projects."
          options={[{ value: 'active', text: 'Active' }, { value: 'closed', text: 'Closed' }]} />
      )}
    </FormPage>
  )
}

// Projects ---------------------------------------------------------------------------------

type Project = Schemas['ProjectPublic']

const PROJECT_LABELS = {
  programme_id: 'Programme', name: 'Name', description: 'Description', sro_id: 'Senior responsible owner',
  project_manager_id: 'Project manager', lead_directorate_id: 'Lead directorate', governance_body_id: 'Board',
  planned_start: 'Planned start', planned_end: 'Planned end',
}

export function ProjectNew({ programmeId }: { programmeId: string }) {
  return <WithPickers render={(pickers) => <ProjectForm pickers={pickers} programmeId={programmeId} />} />
}

export function ProjectEdit({ id }: { id: string }) {
  return (
    <WithPickers render={(pickers) => (
      <Editing name={`project-edit-${id}`}
        request={() => api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: id } } })}
        render={(record, etag, reload) => (
          <ProjectForm pickers={pickers} programmeId={record.programme_id} existing={record} etag={etag} onReload={reload} />
        )} />
    )} />
  )
}

function ProjectForm({ pickers, programmeId, existing, etag, onReload }: {
  pickers: Pickers; programmeId: string; existing?: Project; etag?: string; onReload?: () => void
}) {
  const { form, set, errors, busy, submit } = useRecordForm({
    name: existing?.name ?? '', description: existing?.description ?? '', sro_id: existing?.sro_id ?? '',
    project_manager_id: existing?.project_manager_id ?? '', lead_directorate_id: existing?.lead_directorate_id ?? '',
    governance_body_id: existing?.governance_body_id ?? '', planned_start: existing?.planned_start ?? '',
    planned_end: existing?.planned_end ?? '',
  }, PROJECT_LABELS)
  const body = {
    name: form.name, description: form.description, sro_id: orNull(form.sro_id), project_manager_id: orNull(form.project_manager_id),
    lead_directorate_id: orNull(form.lead_directorate_id), governance_body_id: orNull(form.governance_body_id),
    planned_start: orNull(form.planned_start), planned_end: orNull(form.planned_end),
    // Kept as they are: the form does not change them.
    ambition: existing?.ambition ?? '', resident_outcomes: existing?.resident_outcomes ?? '',
    success_measures: existing?.success_measures ?? '', strategic_outcomes: existing?.strategic_outcomes ?? [],
  }
  const onSubmit = existing
    ? submit(() => api.PATCH('/api/v1/projects/{project_id}', {
        params: { path: { project_id: existing.id }, header: { 'If-Match': etag ?? '' } }, body,
      }), (saved) => `/projects/${saved.id}`)
    : submit(() => api.POST('/api/v1/projects', { body: { ...body, programme_id: programmeId } }), (saved) => `/projects/${saved.id}`)
  return (
    <FormPage heading={existing ? `Change ${existing.reference} ${existing.name}` : 'Add a project'} caption="Project"
      errors={errors} onReload={onReload} onSubmit={onSubmit} busy={busy}
      submitText={existing ? 'Save the changes' : 'Add the project'}
      back={existing ? `/projects/${existing.id}` : `/programmes/${programmeId}`}>
      {!existing && (
        <p class="govuk-body">
          The project gets the next reference (like P-0042) and starts in the first stage of the lifecycle. Its stage then
          changes only through gate reviews.
        </p>
      )}
      <TextInput name="name" label="Name" labelClass="govuk-label--s" errors={errors} value={form.name} onInput={set('name')} />
      <TextArea name="description" label="Description (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.description} onInput={set('description')} rows={3} />
      <Select name="sro_id" label="Senior responsible owner (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.sro_id} onChange={set('sro_id')} options={peopleOptions(pickers)} />
      <Select name="project_manager_id" label="Project manager (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.project_manager_id} onChange={set('project_manager_id')} options={peopleOptions(pickers)} />
      <Select name="lead_directorate_id" label="Lead directorate (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.lead_directorate_id} onChange={set('lead_directorate_id')} options={directorateOptions(pickers)} />
      <Select name="governance_body_id" label="Board (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.governance_body_id} onChange={set('governance_body_id')} options={bodyOptions(pickers)} />
      <DateInput name="planned_start" label="Planned start (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.planned_start} onInput={set('planned_start')} />
      <DateInput name="planned_end" label="Planned end (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.planned_end} onInput={set('planned_end')} />
    </FormPage>
  )
}

// Milestones -------------------------------------------------------------------------------

export function MilestoneNew({ projectId }: { projectId: string }) {
  const { form, set, errors, busy, submit } = useRecordForm(
    { title: '', planned_date: '', description: '' },
    { title: 'Title', planned_date: 'Baseline date', description: 'Description' },
  )
  const onSubmit = submit(
    () => api.POST('/api/v1/projects/{project_id}/milestones', {
      params: { path: { project_id: projectId } },
      body: { title: form.title, description: form.description, planned_date: form.planned_date || null, status: 'planned' },
    }),
    (saved) => `/milestones/${saved.id}`,
  )
  return (
    <FormPage heading="Add a milestone" caption="Milestone" errors={errors} onSubmit={onSubmit} busy={busy}
      submitText="Add the milestone" back={`/projects/${projectId}?tab=milestones`}>
      <TextInput name="title" label="Title" labelClass="govuk-label--s" errors={errors} value={form.title} onInput={set('title')} />
      <DateInput name="planned_date" label="Baseline date" labelClass="govuk-label--s"
        hint="When it is due. Only a re-baseline with a reason moves it later. For example, 27 3 2026"
        errors={errors} value={form.planned_date} onInput={set('planned_date')} />
      <TextArea name="description" label="Description (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.description} onInput={set('description')} rows={3} />
    </FormPage>
  )
}

// Delivery confidence ----------------------------------------------------------------------

const SCALES: Record<string, string[]> = {
  ipa5: ['green', 'amber_green', 'amber', 'amber_red', 'red'],
  rag3: ['green', 'amber', 'red'],
}

const RATING_HINTS: Record<string, string> = {
  green: 'Successful delivery on time, budget and quality appears highly likely',
  amber_green: 'Successful delivery appears probable; constant attention is needed',
  amber: 'Successful delivery appears feasible but significant issues need management attention',
  amber_red: 'Successful delivery is in doubt, with major risks or issues in a number of areas',
  red: 'Successful delivery appears unachievable without urgent action',
}

interface ConfidenceView {
  project: Project
  assessments: Schemas['ConfidencePublic'][]
  names: Record<string, string>
}

async function loadConfidence(projectId: string): Promise<Loaded<ConfidenceView>> {
  const path = { project_id: projectId }
  const [project, history, people] = await Promise.all([
    load(() => api.GET('/api/v1/projects/{project_id}', { params: { path } })),
    load(() => api.GET('/api/v1/projects/{project_id}/confidence', { params: { path, query: { limit: 50 } } })),
    load(() => api.GET('/api/v1/users', { params: { query: { limit: 200 } } })),
  ])
  if (project.problem) return project
  if (history.problem) return history
  if (people.problem) return people
  const names = Object.fromEntries(people.data.items.map((u) => [u.id, u.display_name]))
  return { data: { project: project.data, assessments: history.data.items, names } }
}

/** The project's delivery confidence history and the form that records a new assessment. */
export function ConfidencePage({ projectId }: { projectId: string }) {
  const view = useResource(`confidence-${projectId}`, () => loadConfidence(projectId))
  const { organisation } = useWho()
  const [form, setForm] = useState({ rating: '', commentary: '' })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading delivery confidence" />
  const { project, assessments, names } = view.data
  const scale = SCALES[organisation.confidence_scale] ?? SCALES.ipa5 ?? []
  const submitAssessment = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(
      () => api.POST('/api/v1/projects/{project_id}/confidence', {
        params: { path: { project_id: projectId } },
        body: { rating: (form.rating || null) as Schemas['ConfidenceRating'], commentary: form.commentary },
      }),
      { rating: 'Delivery confidence', commentary: 'Rationale' },
    )
    setBusy(false)
    setErrors(result.errors ?? null)
    if (result.data) {
      setForm({ rating: '', commentary: '' })
      view.reload()
    }
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} />
        <span class="govuk-caption-l">
          <a class="govuk-link" href={`/projects/${project.id}`}>{project.reference} {project.name}</a>
        </span>
        <h1 class="govuk-heading-l">Delivery confidence</h1>
        <p class="govuk-body">
          Now: <RagTag value={project.confidence} label={confidenceLabel(project.confidence)} />
        </p>
        {project.allowed_actions.includes('assess_confidence') && <form onSubmit={submitAssessment} noValidate>
          <h2 class="govuk-heading-m">Record an assessment</h2>
          <Radios name="rating" label="Delivery confidence" errors={errors} value={form.rating}
            onChange={(rating) => setForm({ ...form, rating })}
            options={scale.map((r) => ({ value: r, text: `${confidenceLabel(r)}: ${RATING_HINTS[r] ?? ''}` }))} />
          <TextArea name="commentary" label="Rationale" labelClass="govuk-label--s"
            hint="Why this rating: the evidence, and what would change it" errors={errors} value={form.commentary}
            onInput={(commentary) => setForm({ ...form, commentary })} rows={4} />
          <button type="submit" class="govuk-button" disabled={busy}>
            Record the assessment
          </button>
        </form>}
        <h2 class="govuk-heading-m">Assessments</h2>
        {assessments.length === 0 ? (
          <p class="govuk-body">Not assessed yet.</p>
        ) : (
          <Scroll label="Delivery confidence assessments">
            <table class="govuk-table" data-testid="confidence-history">
              <caption class="govuk-table__caption govuk-visually-hidden">Delivery confidence assessments, newest first</caption>
              <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                  <th scope="col" class="govuk-table__header">Assessed</th>
                  <th scope="col" class="govuk-table__header">Rating</th>
                  <th scope="col" class="govuk-table__header">Rationale</th>
                  <th scope="col" class="govuk-table__header">By</th>
                </tr>
              </thead>
              <tbody class="govuk-table__body">
                {assessments.map((a) => (
                  <tr class="govuk-table__row" key={a.id}>
                    <td class="govuk-table__cell app-nowrap">{formatDate(a.assessed_at)}</td>
                    <td class="govuk-table__cell"><RagTag value={a.rating} label={confidenceLabel(a.rating)} /></td>
                    <td class="govuk-table__cell">{a.commentary}</td>
                    <td class="govuk-table__cell">{(a.assessed_by_id && names[a.assessed_by_id]) || NONE_RECORDED}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
        )}
        <p class="govuk-body">
          The organisation rates on the {organisation.confidence_scale === 'rag3' ? 'three-point RAG' : 'IPA five-point'} scale.
        </p>
      </div>
    </div>
  )
}

// Governance bodies (boards, Cabinet, Council), their members and their meeting dates. The API
// validates; its messages show next to the fields, and a change shows on the body's page at once.
import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { DateInput, ErrorSummary, Loading, ProblemPage, Radios, Scroll, Select, SummaryList, TextArea, TextInput } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { formatDate, humanise, NONE_RECORDED, NOT_SET } from '../lib/format'
import { useCan } from '../lib/me'
import type { FormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { ConfirmDelete } from '../components/ConfirmDelete'
import { RowAction, Success, useRowActions } from './Admin'
import { send } from './Drawdowns'
import { Editing, FormPage, orNull } from './RaidForms'

type Body = Schemas['GovernanceBodyPublic']
type Meeting = Schemas['MeetingPublic']

const KINDS = ['steering_group', 'programme_board', 'transformation_board', 'cabinet', 'council', 'other'] as const
const BODY_LABELS = { name: 'Name', kind: 'Kind', directorate_id: 'Directorate', description: 'Description' }
const MEMBER_LABELS = { user_id: 'Person', role: 'Role on the body' }
const MEETING_LABELS = { meets_on: 'Date of the meeting', title: 'Title', location: 'Location', body_id: 'Governance body' }

async function loadDirectorates(): Promise<Loaded<Schemas['DirectoratePublic'][]>> {
  const result = await load(() => api.GET('/api/v1/directorates', { params: { query: { limit: 200 } } }))
  return result.problem ? result : { data: result.data.items }
}

export function GovernanceBodies() {
  const can = useCan()
  const bodies = useResource('governance-bodies', () =>
    load(() => api.GET('/api/v1/governance-bodies', { params: { query: { limit: 200, sort: 'name' } } })),
  )
  return (
    <>
      <span class="govuk-caption-l">
        <a class="govuk-link" href="/portfolio">Portfolio</a>
      </span>
      <h1 class="govuk-heading-l">Governance bodies</h1>
      <p class="govuk-body">
        The boards that oversee programmes and decide gates, and Cabinet and Council, with their members and meeting dates.
      </p>
      {can('portfolio:manage') && (
        <a class="govuk-button" href="/governance-bodies/new">
          Add a governance body
        </a>
      )}
      {bodies.problem ? (
        <ProblemPage problem={bodies.problem} onRetry={bodies.reload} />
      ) : !bodies.data ? (
        <Loading what="Loading governance bodies" />
      ) : bodies.data.items.length === 0 ? (
        <p class="govuk-body">None recorded yet.</p>
      ) : (
        <Scroll label="Governance bodies">
          <table class="govuk-table" data-testid="governance-bodies">
            <caption class="govuk-table__caption govuk-visually-hidden">Governance bodies</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Name</th>
                <th scope="col" class="govuk-table__header">Kind</th>
                <th scope="col" class="govuk-table__header">Chair</th>
                <th scope="col" class="govuk-table__header govuk-table__header--numeric">Members</th>
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {bodies.data.items.map((body) => (
                <tr class="govuk-table__row" key={body.id}>
                  <th scope="row" class="govuk-table__header">
                    <a class="govuk-link" href={`/governance-bodies/${body.id}`}>{body.name}</a>
                  </th>
                  <td class="govuk-table__cell">{humanise(body.kind)}</td>
                  <td class="govuk-table__cell">{chairOf(body) ?? NOT_SET}</td>
                  <td class="govuk-table__cell govuk-table__cell--numeric">{body.members.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </>
  )
}

function chairOf(body: Body): string | undefined {
  return body.members.filter((m) => m.role === 'chair').map((m) => m.display_name).join(', ') || undefined
}

interface BodyView {
  body: Body
  meetings: Meeting[]
  people: Schemas['UserPublic'][]
  directorates: Schemas['DirectoratePublic'][]
}

async function loadBody(id: string): Promise<Loaded<BodyView>> {
  const [body, meetings, people, directorates] = await Promise.all([
    load(() => api.GET('/api/v1/governance-bodies/{body_id}', { params: { path: { body_id: id } } })),
    load(() => api.GET('/api/v1/meetings', { params: { query: { body_id: id, sort: 'meets_on', limit: 200 } } })),
    load(() => api.GET('/api/v1/users', { params: { query: { limit: 200, sort: 'display_name' } } })),
    loadDirectorates(),
  ])
  if (body.problem) return body
  if (meetings.problem) return meetings
  if (people.problem) return people
  if (directorates.problem) return directorates
  return {
    data: {
      body: body.data,
      meetings: meetings.data.items,
      people: people.data.items.filter((p) => p.is_active),
      directorates: directorates.data,
    },
  }
}

export function GovernanceBodyPage({ id }: { id: string }) {
  const can = useCan()
  const view = useResource(`governance-body-${id}`, () => loadBody(id))
  const actions = useRowActions(view.reload)
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading the governance body" />
  const { body, meetings, directorates } = view.data
  // The buttons follow what the API says this person may do to the body now.
  const may = (action: Schemas['GovernanceBodyAction']) => body.allowed_actions.includes(action)
  const manage = may('remove_member')
  const manageMeetings = can('meetings:manage') // adds meetings; each meeting's own buttons follow its allowed_actions
  const meetingButtons = meetings.some((m) => m.allowed_actions.length > 0)
  return (
    <>
      <Success text={actions.done} />
      <ErrorSummary errors={actions.errors} />
      <span class="govuk-caption-l">
        <a class="govuk-link" href="/governance-bodies">Governance bodies</a>
      </span>
      <h1 class="govuk-heading-l">{body.name}</h1>
      <div class="govuk-button-group">
        {may('edit') && (
          <a class="govuk-button govuk-button--secondary" href={`/governance-bodies/${body.id}/edit`}>
            Change the body
          </a>
        )}
        {may('delete') && (
          <a class="govuk-button govuk-button--warning" href={`/governance-bodies/${body.id}/delete`}>
            Delete the body
          </a>
        )}
      </div>
      <SummaryList rows={[
        ['Kind', humanise(body.kind)],
        ['Directorate', directorates.find((d) => d.id === body.directorate_id)?.name ?? NOT_SET],
        ['Description', body.description || NOT_SET],
      ]} />

      <h2 class="govuk-heading-m">Members</h2>
      {body.members.length === 0 ? (
        <p class="govuk-body">{NONE_RECORDED}</p>
      ) : (
        <Scroll label="Members">
          <table class="govuk-table" data-testid="body-members">
            <caption class="govuk-table__caption govuk-visually-hidden">Members of {body.name}</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Name</th>
                <th scope="col" class="govuk-table__header">Role</th>
                {manage && <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {body.members.map((m) => (
                <tr class="govuk-table__row" key={m.user_id}>
                  <th scope="row" class="govuk-table__header">{m.display_name}</th>
                  <td class="govuk-table__cell">{humanise(m.role)}</td>
                  {manage && (
                    <td class="govuk-table__cell">
                      <RowAction label="Remove" confirm="Yes, remove" what={`${m.display_name} from ${body.name}`}
                        onAct={() => actions.act(
                          () => api.DELETE('/api/v1/governance-bodies/{body_id}/members/{user_id}', {
                            params: { path: { body_id: body.id, user_id: m.user_id } },
                          }),
                          () => `${m.display_name} is no longer on ${body.name}.`,
                        )} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      {may('add_member') && <AddMember view={view.data} onAdded={view.reload} />}

      <h2 class="govuk-heading-m">Meetings</h2>
      {manageMeetings && (
        <a class="govuk-button govuk-button--secondary" href={`/governance-bodies/${body.id}/meetings/new`}>
          Add a meeting date
        </a>
      )}
      {meetings.length === 0 ? (
        <p class="govuk-body">{NONE_RECORDED}</p>
      ) : (
        <Scroll label="Meetings">
          <table class="govuk-table" data-testid="body-meetings">
            <caption class="govuk-table__caption govuk-visually-hidden">Meetings of {body.name}, earliest first</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Date</th>
                <th scope="col" class="govuk-table__header">Title</th>
                <th scope="col" class="govuk-table__header">Location</th>
                {meetingButtons && <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {meetings.map((meeting) => (
                <tr class="govuk-table__row" key={meeting.id}>
                  <th scope="row" class="govuk-table__header app-nowrap">{formatDate(meeting.meets_on)}</th>
                  <td class="govuk-table__cell">{meeting.title}</td>
                  <td class="govuk-table__cell">{meeting.location || NOT_SET}</td>
                  {meetingButtons && (
                    <td class="govuk-table__cell">
                      <div class="govuk-button-group govuk-!-margin-bottom-0">
                        {meeting.allowed_actions.includes('edit') && (
                          <a class="govuk-link" href={`/meetings/${meeting.id}/edit`}>
                            Change<span class="govuk-visually-hidden"> the meeting on {formatDate(meeting.meets_on)}</span>
                          </a>
                        )}
                        {meeting.allowed_actions.includes('delete') && (
                          <RowAction label="Cancel the meeting" confirm="Yes, cancel it" what={`on ${formatDate(meeting.meets_on)}`}
                            onAct={() => actions.act(
                              () => api.DELETE('/api/v1/meetings/{meeting_id}', { params: { path: { meeting_id: meeting.id } } }),
                              () => `The meeting on ${formatDate(meeting.meets_on)} is cancelled.`,
                            )} />
                        )}
                      </div>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </>
  )
}

/** Adds a person as chair or member; the page reloads to show them. */
function AddMember({ view, onAdded }: { view: BodyView; onAdded: () => void }) {
  const members = new Set(view.body.members.map((m) => m.user_id))
  const [form, setForm] = useState({ user_id: '', role: 'member' })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(() => api.POST('/api/v1/governance-bodies/{body_id}/members', {
      params: { path: { body_id: view.body.id } },
      body: { user_id: form.user_id, role: form.role as Schemas['MemberRole'] },
    }), MEMBER_LABELS)
    setBusy(false)
    if (result.data) onAdded()
    else setErrors(result.errors ?? null)
  }
  return (
    <form onSubmit={submit} noValidate aria-label="Add a member" class="govuk-!-margin-bottom-6">
      <ErrorSummary errors={errors} />
      <h3 class="govuk-heading-s">Add a member</h3>
      <Select name="user_id" label="Person" labelClass="govuk-label--s" errors={errors} value={form.user_id}
        onChange={(user_id) => setForm({ ...form, user_id })}
        options={[{ value: '', text: 'Choose a person' },
          ...view.people.filter((p) => !members.has(p.id)).map((p) => ({ value: p.id, text: p.display_name }))]} />
      <Radios name="role" label="Role on the body" errors={errors} value={form.role} small
        onChange={(role) => setForm({ ...form, role })}
        options={[{ value: 'member', text: 'Member' }, { value: 'chair', text: 'Chair' }]} />
      <button type="submit" class="govuk-button govuk-button--secondary" disabled={busy}>
        Add the member
      </button>
    </form>
  )
}

export function GovernanceBodyNew() {
  const directorates = useResource('directorates-for-bodies', loadDirectorates)
  if (directorates.problem) return <ProblemPage problem={directorates.problem} onRetry={directorates.reload} />
  if (!directorates.data) return <Loading />
  return <BodyForm directorates={directorates.data} />
}

export function GovernanceBodyEdit({ id }: { id: string }) {
  const directorates = useResource('directorates-for-bodies', loadDirectorates)
  if (directorates.problem) return <ProblemPage problem={directorates.problem} onRetry={directorates.reload} />
  if (!directorates.data) return <Loading />
  const list = directorates.data
  return (
    <Editing name={`governance-body-edit-${id}`}
      request={() => api.GET('/api/v1/governance-bodies/{body_id}', { params: { path: { body_id: id } } })}
      render={(record, etag, reload) => <BodyForm directorates={list} existing={record} etag={etag} onReload={reload} />} />
  )
}

function BodyForm({ directorates, existing, etag, onReload }: {
  directorates: Schemas['DirectoratePublic'][]; existing?: Body; etag?: string; onReload?: () => void
}) {
  const [form, setForm] = useState({
    name: existing?.name ?? '', kind: existing?.kind ?? 'programme_board', directorate_id: existing?.directorate_id ?? '',
    description: existing?.description ?? '',
  })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const body = {
      name: form.name, kind: form.kind as Schemas['GovernanceBodyKind'], directorate_id: orNull(form.directorate_id),
      description: form.description,
    }
    const result = existing
      ? await send(() => api.PATCH('/api/v1/governance-bodies/{body_id}', {
          params: { path: { body_id: existing.id }, header: { 'If-Match': etag ?? '' } }, body,
        }), BODY_LABELS)
      : await send(() => api.POST('/api/v1/governance-bodies', { body }), BODY_LABELS)
    setBusy(false)
    if (result.data) navigate(`/governance-bodies/${result.data.id}`)
    else setErrors(result.errors ?? null)
  }
  return (
    <FormPage heading={existing ? `Change ${existing.name}` : 'Add a governance body'} caption="Governance body" errors={errors}
      onReload={onReload} onSubmit={submit} busy={busy} submitText={existing ? 'Save the changes' : 'Add the governance body'}
      back={existing ? `/governance-bodies/${existing.id}` : '/governance-bodies'}>
      {!existing && <p class="govuk-body">You add its members and meeting dates on its page next.</p>}
      <TextInput name="name" label="Name" labelClass="govuk-label--s" hint="For example, Organisational Development Steering Group"
        errors={errors} value={form.name} onInput={set('name')} />
      <Select name="kind" label="Kind" labelClass="govuk-label--s" errors={errors} value={form.kind} onChange={set('kind')}
        options={KINDS.map((k) => ({ value: k, text: humanise(k) }))} />
      <Select name="directorate_id" label="Directorate (optional)" labelClass="govuk-label--s"
        hint="For a directorate programme board" errors={errors} value={form.directorate_id} onChange={set('directorate_id')}
        options={[{ value: '', text: NOT_SET }, ...directorates.map((d) => ({ value: d.id, text: d.name }))]} />
      <TextArea name="description" label="Description (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.description} onInput={set('description')} rows={3} />
    </FormPage>
  )
}

// Meetings ---------------------------------------------------------------------------------

export function MeetingNew({ bodyId }: { bodyId: string }) {
  return (
    <Editing name={`meeting-body-${bodyId}`}
      request={() => api.GET('/api/v1/governance-bodies/{body_id}', { params: { path: { body_id: bodyId } } })}
      render={(record) => <MeetingForm bodyId={record.id} bodyName={record.name} />} />
  )
}

export function MeetingEdit({ id }: { id: string }) {
  return (
    <Editing name={`meeting-edit-${id}`}
      request={() => api.GET('/api/v1/meetings/{meeting_id}', { params: { path: { meeting_id: id } } })}
      render={(record, etag, reload) => (
        <MeetingForm bodyId={record.body_id} bodyName={record.body_name} existing={record} etag={etag} onReload={reload} />
      )} />
  )
}

function MeetingForm({ bodyId, bodyName, existing, etag, onReload }: {
  bodyId: string; bodyName: string; existing?: Meeting; etag?: string; onReload?: () => void
}) {
  const [form, setForm] = useState({
    meets_on: existing?.meets_on ?? '', title: existing?.title ?? bodyName, location: existing?.location ?? '',
  })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const back = `/governance-bodies/${bodyId}`
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    // An empty date is sent as it is, so the API says what is wrong with it.
    const fields = { meets_on: form.meets_on, title: form.title, location: form.location }
    const result = existing
      ? await send(() => api.PATCH('/api/v1/meetings/{meeting_id}', {
          params: { path: { meeting_id: existing.id }, header: { 'If-Match': etag ?? '' } }, body: fields,
        }), MEETING_LABELS)
      : await send(() => api.POST('/api/v1/meetings', { body: { ...fields, body_id: bodyId } }), MEETING_LABELS)
    setBusy(false)
    if (result.data) navigate(back)
    else setErrors(result.errors ?? null)
  }
  return (
    <FormPage heading={existing ? `Change the meeting on ${formatDate(existing.meets_on)}` : 'Add a meeting date'}
      caption={bodyName} errors={errors} onReload={onReload} onSubmit={submit} busy={busy}
      submitText={existing ? 'Save the changes' : 'Add the meeting'} back={back}>
      <DateInput name="meets_on" label={MEETING_LABELS.meets_on} labelClass="govuk-label--s" hint="For example, 17 3 2027"
        errors={errors} value={form.meets_on} onInput={set('meets_on')} />
      <TextInput name="title" label="Title" labelClass="govuk-label--s" hint="For example, OD Steering Group, March"
        errors={errors} value={form.title} onInput={set('title')} />
      <TextInput name="location" label="Location (optional)" labelClass="govuk-label--s"
        hint="For example, Committee Room 1, Town Hall" errors={errors} value={form.location} onInput={set('location')} />
    </FormPage>
  )
}

/** Deleting a body: asked first; the API refuses while a programme, project or meeting names it. */
export function GovernanceBodyDelete({ id }: { id: string }) {
  const view = useResource(`governance-body-${id}`, () =>
    load(() => api.GET('/api/v1/governance-bodies/{body_id}', { params: { path: { body_id: id } } })),
  )
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading the governance body" />
  const body = view.data
  return (
    <ConfirmDelete caption="Governance body" name={body.name} back={`/governance-bodies/${body.id}`} done="/governance-bodies"
      explain="Its members are taken off it. A body that oversees a programme or project, or has meetings, cannot be deleted: give them another body, or cancel the meetings, first."
      request={() => api.DELETE('/api/v1/governance-bodies/{body_id}', { params: { path: { body_id: body.id } } })} />
  )
}

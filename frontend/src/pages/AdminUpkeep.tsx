// The administrator's upkeep of the organisation's own records: its settings, a directorate's
// name, a person's details, an API client's details and secrets. Each change is sent with the
// ETag the record was read with (a change in between is a 412 with "Reload the record"); each
// button follows the record's `allowed_actions` where it has them, and a refusal is the API's
// words in the error summary.
import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { ConfirmDelete } from '../components/ConfirmDelete'
import { Checkboxes, ErrorSummary, Loading, ProblemPage, Radios, Scroll, SummaryList, TextArea, TextInput } from '../components/ui'
import { load, useResource } from '../lib/data'
import { formatDate } from '../lib/format'
import { useCan } from '../lib/me'
import type { FormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { AdminNav, CLIENT_SCOPES, RowAction, Success, useRowActions } from './Admin'
import { send } from './Drawdowns'
import { Editing, FormPage, withEtag } from './RaidForms'

/** Asks the app to read `/me` and `/organisation` again (the header's name, the scales in forms). */
export function whoChanged(): void {
  window.dispatchEvent(new Event('pmo:who-changed'))
}

// Organisation settings ---------------------------------------------------------------------

const ORGANISATION_LABELS = {
  name: 'Name',
  kpi_tolerance_percent: 'KPI amber tolerance',
  highlight_report_due_day: 'Highlight reports due by',
  confidence_scale: 'Delivery confidence scale',
  risk_scale: 'Risk scale',
  gss_code: 'GSS code',
}

export function OrganisationSettings() {
  const [saved, setSaved] = useState(false)
  const view = useResource('organisation-settings', async () => {
    const organisation = await withEtag(() => api.GET('/api/v1/organisation'))
    if (organisation.problem) return organisation
    const id = organisation.data.record.default_lifecycle_id
    const lifecycle = id ? await load(() => api.GET('/api/v1/lifecycles/{lifecycle_id}', { params: { path: { lifecycle_id: id } } })) : null
    return { data: { ...organisation.data, lifecycle: lifecycle?.data?.name ?? null } }
  })
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  return (
    <>
      <h1 class="govuk-heading-l">Organisation settings</h1>
      <AdminNav />
      {saved && <Success text="The settings are saved." />}
      <OrganisationForm key={view.data.etag} organisation={view.data.record} etag={view.data.etag} lifecycle={view.data.lifecycle}
        onReload={view.reload} onSaved={() => {
          setSaved(true)
          view.reload()
          whoChanged()
        }} />
    </>
  )
}

function OrganisationForm({ organisation, etag, lifecycle, onReload, onSaved }: {
  organisation: Schemas['OrganisationPublic']
  etag: string
  lifecycle: string | null
  onReload: () => void
  onSaved: () => void
}) {
  const [form, setForm] = useState({
    name: organisation.name,
    kpi_tolerance_percent: organisation.kpi_tolerance_percent,
    highlight_report_due_day: String(organisation.highlight_report_due_day),
    confidence_scale: organisation.confidence_scale as string,
    risk_scale: organisation.risk_scale as string,
    gss_code: organisation.gss_code ?? '',
  })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const day = form.highlight_report_due_day.trim()
    const body: Schemas['OrganisationUpdate'] = {
      name: form.name,
      kpi_tolerance_percent: form.kpi_tolerance_percent.trim(),
      // A whole number as a number; anything else as typed, so the API says what is wrong.
      highlight_report_due_day: /^\d+$/.test(day) ? Number(day) : (day as unknown as number),
      confidence_scale: form.confidence_scale as Schemas['OrganisationUpdate']['confidence_scale'],
      // Only a change: the API refuses any change of scale while the council has risks.
      ...(form.risk_scale !== organisation.risk_scale ? { risk_scale: form.risk_scale as '5x5' | 'hml3' } : {}),
      // Once set, the code can be changed but not removed.
      ...(form.gss_code.trim() ? { gss_code: form.gss_code.trim() } : {}),
    }
    const result = await send(() => api.PATCH('/api/v1/organisation', { params: { header: { 'If-Match': etag } }, body }), ORGANISATION_LABELS)
    setBusy(false)
    if (result.data) onSaved()
    else setErrors(result.errors ?? null)
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} onReload={onReload} />
        <SummaryList rows={[['Lifecycle new projects follow', <a class="govuk-link" href="/admin/lifecycles">{lifecycle ?? 'Not set'}</a>]]} />
        <form onSubmit={submit} noValidate>
          <TextInput name="name" label={ORGANISATION_LABELS.name} labelClass="govuk-label--s" hint="The council's name, as the header shows it."
            value={form.name} onInput={set('name')} errors={errors} />
          <TextInput name="kpi_tolerance_percent" label="KPI amber tolerance (percent)" labelClass="govuk-label--s" width="4"
            hint="A KPI value that misses its target by no more than this percent is amber, unless the KPI or the target sets its own: 0 to 100, like 5 or 2.5."
            value={form.kpi_tolerance_percent} onInput={set('kpi_tolerance_percent')} errors={errors} />
          <TextInput name="highlight_report_due_day" label="Highlight reports are due by this day of the next month" labelClass="govuk-label--s" width="2"
            hint="1 to 28: a month's highlight reports are late if not submitted by then."
            value={form.highlight_report_due_day} onInput={set('highlight_report_due_day')} errors={errors} />
          <Radios name="confidence_scale" label={ORGANISATION_LABELS.confidence_scale} value={form.confidence_scale} onChange={set('confidence_scale')}
            errors={errors} hint="New assessments use it; those already made keep the scale they were made on."
            options={[
              { value: 'ipa5', text: "The IPA's five points: green, amber/green, amber, amber/red, red" },
              { value: 'rag3', text: 'Three points: green, amber, red' },
            ]} />
          <Radios name="risk_scale" label={ORGANISATION_LABELS.risk_scale} value={form.risk_scale} onChange={set('risk_scale')} errors={errors}
            hint="How likelihood and impact are scored. It cannot change once the council has risks."
            options={[
              { value: '5x5', text: 'Five by five: likelihood and impact from 1 to 5' },
              { value: 'hml3', text: 'High, medium and low: likelihood and impact from 1 to 3' },
            ]} />
          <TextInput name="gss_code" label="GSS code (optional)" labelClass="govuk-label--s" width="10" spellcheck={false}
            hint="The council's ONS code, shown with the KPI feed: E0 and seven digits, like E07000034. Once set it can be changed, not removed."
            value={form.gss_code} onInput={set('gss_code')} errors={errors} />
          <button type="submit" class="govuk-button" disabled={busy}>
            Save the settings
          </button>
        </form>
      </div>
    </div>
  )
}

// Directorates --------------------------------------------------------------------------------

export function DirectorateEdit({ id }: { id: string }) {
  return (
    <Editing name={`directorate-edit-${id}`}
      request={() => api.GET('/api/v1/directorates/{directorate_id}', { params: { path: { directorate_id: id } } })}
      render={(record, etag, reload) => <DirectorateForm directorate={record} etag={etag} onReload={reload} />} />
  )
}

function DirectorateForm({ directorate, etag, onReload }: { directorate: Schemas['DirectoratePublic']; etag: string; onReload: () => void }) {
  const [form, setForm] = useState({ name: directorate.name, description: directorate.description })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(() => api.PATCH('/api/v1/directorates/{directorate_id}', {
      params: { path: { directorate_id: directorate.id }, header: { 'If-Match': etag } }, body: form,
    }), { name: 'Name', description: 'Description' })
    setBusy(false)
    if (result.data) navigate('/admin/directorates')
    else setErrors(result.errors ?? null)
  }
  return (
    <FormPage heading={`Change ${directorate.name}`} caption="Directorate" errors={errors} onReload={onReload} onSubmit={submit} busy={busy}
      submitText="Save the changes" back="/admin/directorates">
      <TextInput name="name" label="Name" labelClass="govuk-label--s" value={form.name} onInput={(name) => setForm({ ...form, name })} errors={errors} />
      <TextArea name="description" label="Description (optional)" labelClass="govuk-label--s" rows={3} value={form.description}
        onInput={(description) => setForm({ ...form, description })} errors={errors} />
    </FormPage>
  )
}

export function DirectorateDelete({ id }: { id: string }) {
  const view = useResource(`directorate-${id}`, () =>
    load(() => api.GET('/api/v1/directorates/{directorate_id}', { params: { path: { directorate_id: id } } })),
  )
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  const directorate = view.data
  return (
    <ConfirmDelete caption="Directorate" name={directorate.name} back="/admin/directorates" done="/admin/directorates"
      explain="Only a directorate that no record names can be deleted: no role held for it, no programme, project, governance body, delegation rule or draw-down."
      request={() => api.DELETE('/api/v1/directorates/{directorate_id}', { params: { path: { directorate_id: directorate.id } } })} />
  )
}

// People --------------------------------------------------------------------------------------

export function UserEdit({ id }: { id: string }) {
  return (
    <Editing name={`user-edit-${id}`} request={() => api.GET('/api/v1/users/{user_id}', { params: { path: { user_id: id } } })}
      render={(record, etag, reload) => <UserForm user={record} etag={etag} onReload={reload} />} />
  )
}

function UserForm({ user, etag, onReload }: { user: Schemas['UserPublic']; etag: string; onReload: () => void }) {
  const [form, setForm] = useState({ display_name: user.display_name, email: user.email })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(() => api.PATCH('/api/v1/users/{user_id}', {
      params: { path: { user_id: user.id }, header: { 'If-Match': etag } }, body: form,
    }), { display_name: 'Name', email: 'Email address' })
    setBusy(false)
    if (result.data) navigate(`/admin/users?q=${encodeURIComponent(result.data.email)}`)
    else setErrors(result.errors ?? null)
  }
  return (
    <>
      <FormPage heading={`Change ${user.display_name}`} caption="Person" errors={errors} onReload={onReload} onSubmit={submit} busy={busy}
        submitText="Save the changes" back="/admin/users">
        <TextInput name="display_name" label="Name" labelClass="govuk-label--s" value={form.display_name}
          onInput={(display_name) => setForm({ ...form, display_name })} errors={errors} />
        <TextInput name="email" label="Email address" labelClass="govuk-label--s" type="email" spellcheck={false}
          hint="They sign in with it." value={form.email} onInput={(email) => setForm({ ...form, email })} errors={errors} />
      </FormPage>
      {user.allowed_actions.includes('delete') && (
        <p class="govuk-body">
          <a class="govuk-link" href={`/admin/users/${user.id}/delete`}>
            Delete {user.display_name}
          </a>
        </p>
      )}
    </>
  )
}

export function UserDelete({ id }: { id: string }) {
  const view = useResource(`user-${id}`, () => load(() => api.GET('/api/v1/users/{user_id}', { params: { path: { user_id: id } } })))
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  const user = view.data
  return (
    <ConfirmDelete caption="Person" name={user.display_name} back="/admin/users" done="/admin/users"
      explain={`${user.email} and their roles are removed; the audit trail keeps what they did. Someone named on records (an owner, a decider) cannot be deleted: deactivate them instead.`}
      request={() => api.DELETE('/api/v1/users/{user_id}', { params: { path: { user_id: user.id } } })} />
  )
}

// API clients ---------------------------------------------------------------------------------

const WHEN = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' })

/** A secret shown once, with a button that copies it. */
export function SecretShownOnce({ client, title }: { client: Schemas['ApiClientWithSecret']; title: string }) {
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(client.client_secret)
      setCopied(true)
    } catch {
      setCopied(false) // no clipboard here: the secret is on the page to select
    }
  }
  return (
    <>
      <div class="govuk-panel govuk-panel--confirmation" data-testid="secret-shown-once">
        <h2 class="govuk-panel__title govuk-!-font-size-27">{title}</h2>
        <div class="govuk-panel__body govuk-!-font-size-19">
          <p>Client id: <span class="app-secret">{client.client_id}</span></p>
          <p>Secret: <span class="app-secret" data-testid="client-secret">{client.client_secret}</span></p>
          <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={copy}>
            Copy the secret
          </button>
          <p role="status" class="govuk-!-margin-top-2 govuk-!-margin-bottom-0">{copied ? 'The secret is copied.' : ''}</p>
        </div>
      </div>
      <div class="govuk-warning-text">
        <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
        <strong class="govuk-warning-text__text">
          <span class="govuk-visually-hidden">Warning</span>
          Copy the secret now: it is shown only once and cannot be found again.
        </strong>
      </div>
    </>
  )
}

export function ApiClientPage({ id }: { id: string }) {
  const view = useResource(`api-client-${id}`, () =>
    withEtag(() => api.GET('/api/v1/api-clients/{api_client_id}', { params: { path: { api_client_id: id } } })),
  )
  const [added, setAdded] = useState<Schemas['ApiClientWithSecret'] | null>(null)
  const actions = useRowActions(view.reload)
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  const { record: client, etag } = view.data
  const addSecret = () =>
    actions.act(() => api.POST('/api/v1/api-clients/{api_client_id}/secrets', { params: { path: { api_client_id: client.id } } }), (withSecret) => {
      setAdded(withSecret)
      return `${withSecret.name} has a second secret. The first keeps working until you retire it.`
    })
  const retire = (secret: Schemas['ApiClientSecretPublic']) =>
    actions.act(() => api.POST('/api/v1/api-clients/{api_client_id}/secrets/{credential_id}/retire', {
      params: { path: { api_client_id: client.id, credential_id: secret.id } },
    }), () => {
      setAdded(null)
      return `The secret added ${WHEN.format(new Date(secret.created_at))} is retired: it and its tokens no longer work.`
    })
  const active = client.secrets.filter((secret) => secret.is_active)
  return (
    <>
      <span class="govuk-caption-l">
        <a class="govuk-link" href="/admin/api-clients">API clients</a>
      </span>
      <h1 class="govuk-heading-l">{client.name}</h1>
      <ErrorSummary errors={actions.errors} />
      {added ? <SecretShownOnce client={added} title={actions.done ?? 'A second secret'} /> : <Success text={actions.done} />}
      <SummaryList rows={[
        ['Client id', <span class="app-secret">{client.client_id}</span>],
        ['Status', client.is_active ? 'Active' : `Revoked${client.revoked_at ? ` on ${formatDate(client.revoked_at)}` : ''}`],
        ['What it may read', client.scopes.join(', ')],
      ]} />
      <h2 class="govuk-heading-m">Secrets</h2>
      <p class="govuk-body">
        To change a secret without stopping the system: add a second secret, give it to the system, then retire the old one.
        Until then both work.
      </p>
      <Scroll label="Secrets">
        <table class="govuk-table" data-testid="client-secrets">
          <caption class="govuk-table__caption govuk-visually-hidden">Secrets</caption>
          <thead class="govuk-table__head">
            <tr class="govuk-table__row">
              <th scope="col" class="govuk-table__header">Added</th>
              <th scope="col" class="govuk-table__header">Status</th>
              <th scope="col" class="govuk-table__header">Action</th>
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            {client.secrets.map((secret, index) => (
              <tr class="govuk-table__row" key={secret.id}>
                <td class="govuk-table__cell">{WHEN.format(new Date(secret.created_at))}</td>
                <td class="govuk-table__cell">{secret.is_active ? 'Active' : `Retired${secret.retired_at ? ` on ${formatDate(secret.retired_at)}` : ''}`}</td>
                <td class="govuk-table__cell">
                  {secret.is_active && active.length > 1 && client.allowed_actions.includes('retire_secret') && (
                    <RowAction label="Retire" confirm="Yes, retire it" what={`the secret added ${WHEN.format(new Date(secret.created_at))} (${index + 1} of ${client.secrets.length})`}
                      onAct={() => retire(secret)} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      {client.allowed_actions.includes('add_secret') && (
        <button type="button" class="govuk-button govuk-button--secondary" onClick={addSecret}>
          Add a second secret
        </button>
      )}
      {client.allowed_actions.includes('edit') && (
        <ApiClientForm key={etag} client={client} etag={etag} onReload={view.reload} onSaved={() => {
          setAdded(null)
          actions.setDone('The details are saved.')
          view.reload()
        }} />
      )}
    </>
  )
}

function ApiClientForm({ client, etag, onReload, onSaved }: {
  client: Schemas['ApiClientPublic']
  etag: string
  onReload: () => void
  onSaved: () => void
}) {
  const [name, setName] = useState(client.name)
  const [scopes, setScopes] = useState<string[]>(client.scopes)
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const submit = async (event: Event) => {
    event.preventDefault()
    const result = await send(() => api.PATCH('/api/v1/api-clients/{api_client_id}', {
      params: { path: { api_client_id: client.id }, header: { 'If-Match': etag } },
      body: { name, scopes: scopes as Schemas['ClientScope'][] },
    }), { name: 'Name', scopes: 'What it may read' })
    if (result.data) onSaved()
    else setErrors(result.errors ?? null)
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <h2 class="govuk-heading-m">Change the details</h2>
        <ErrorSummary errors={errors} onReload={onReload} />
        <form onSubmit={submit} noValidate>
          <TextInput name="name" label="Name" value={name} onInput={setName} errors={errors} />
          <Checkboxes name="scopes" label="What it may read" values={scopes} onChange={setScopes} errors={errors} options={CLIENT_SCOPES} />
          <button type="submit" class="govuk-button">
            Save the details
          </button>
        </form>
      </div>
    </div>
  )
}

import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { Checkboxes, CopyButton, ErrorSummary, IdPrefix, Loading, Pagination, ProblemPage, Radios, Scroll, Select, SortHeader, TextInput } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { formatDate, humanise, NONE_RECORDED, roleLabel } from '../lib/format'
import { useCan } from '../lib/me'
import { type FormErrors, NETWORK_PROBLEM, problemFrom, toFormErrors } from '../lib/problem'
import { readQuery, withFilter, writeQuery } from '../lib/query'
import { navigate, useLocation } from '../lib/router'
import { InvitationLink, InviteUser } from './Upkeep'

const LIMIT = 50

/** What an API client may be given: each scope in words, with its code for the system's makers. */
export const CLIENT_SCOPES: { value: Schemas['ClientScope']; text: string }[] = [
  { value: 'portfolio:read', text: 'The portfolio register and RAID logs (portfolio:read)' },
  { value: 'kpis:read', text: 'KPIs and the KPI feed (kpis:read)' },
  { value: 'finance:read', text: 'Money: funding sources, draw-downs, costs and benefits (finance:read)' },
  { value: 'webhooks:manage', text: 'Its own webhook subscriptions (webhooks:manage)' },
]
const ROLES: Schemas['Role'][] = ['admin', 'pmo', 'sponsor', 'project_manager', 'finance', 'member', 'democratic_services', 'viewer']

export function AdminNav() {
  const { path } = useLocation()
  const can = useCan()
  const items: [string, string, string][] = [
    ['/admin/users', 'Users', 'users:read'],
    ['/admin/roles', 'Roles', 'roles:read'],
    ['/admin/directorates', 'Directorates', 'directorates:read'],
    ['/admin/api-clients', 'API clients', 'api_clients:manage'],
    ['/admin/webhooks', 'Webhooks', 'webhooks:manage'],
    ['/admin/organisation', 'Organisation', 'organisation:manage'],
    ['/admin/lifecycles', 'Lifecycles', 'portfolio:read'],
    ['/admin/identity-provider', 'Identity provider', 'organisation:manage'],
    ['/admin/decisions', 'Key decisions', 'organisation:manage'],
  ]
  return (
    <nav class="moj-sub-navigation" aria-label="Administration">
      <ul class="moj-sub-navigation__list">
        {items.filter(([, , permission]) => can(permission)).map(([href, label]) => (
          <li class="moj-sub-navigation__item" key={href}>
            <a class="moj-sub-navigation__link" href={href} aria-current={path === href || path.startsWith(`${href}/`) ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  )
}

/** Sends a create request; a refusal becomes the error summary and the form keeps its values. */
async function create<T>(
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

export function Success({ text }: { text: string | null }) {
  if (!text) return null
  return (
    <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="success-title">
      <div class="govuk-notification-banner__header">
        <h2 class="govuk-notification-banner__title" id="success-title">
          Success
        </h2>
      </div>
      <div class="govuk-notification-banner__content">
        <p class="govuk-notification-banner__heading">{text}</p>
      </div>
    </div>
  )
}

/** A row's action button; an irreversible one asks once more in the row before it is sent. */
export function RowAction({ label, what, confirm, onAct }: { label: string; what: string; confirm?: string; onAct: () => Promise<void> }) {
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const run = async () => {
    setBusy(true)
    await onAct()
    setBusy(false)
    setAsking(false)
  }
  if (asking && confirm)
    return (
      <div class="govuk-button-group govuk-!-margin-bottom-0">
        <button type="button" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0" disabled={busy} onClick={run}>
          {confirm}
          <span class="govuk-visually-hidden"> {what}</span>
        </button>
        <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={() => setAsking(false)}>
          Cancel<span class="govuk-visually-hidden"> {label.toLowerCase()} {what}</span>
        </button>
      </div>
    )
  return (
    <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" disabled={busy}
      onClick={() => (confirm ? setAsking(true) : run())}>
      {label}
      <span class="govuk-visually-hidden"> {what}</span>
    </button>
  )
}

/** Runs a row action: success is announced and the list reloaded; a refusal becomes the error summary. */
export function useRowActions(reload: () => void) {
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const act = async <T,>(request: () => Promise<{ data?: T; error?: unknown; response: Response }>, success: (data: T) => string) => {
    try {
      const { data, error, response } = await request()
      if (response.ok) {
        setErrors(null)
        setDone(success(data as T))
        reload()
      } else {
        setDone(null)
        setErrors(toFormErrors(await problemFrom(response, error)))
      }
    } catch {
      setErrors(toFormErrors(NETWORK_PROBLEM))
    }
  }
  return { errors, done, act, setDone }
}

export function AdminUsers() {
  const { path, search } = useLocation()
  const can = useCan()
  const query = readQuery(search, ['q', 'role', 'sort', 'offset'])
  const [text, setText] = useState(query.q ?? '')
  const users = useResource(`users${writeQuery(query)}`, () =>
    load(() =>
      api.GET('/api/v1/users', {
        params: { query: { q: query.q, role: query.role as Schemas['Role'] | undefined, sort: query.sort ?? 'display_name', limit: LIMIT, offset: Number(query.offset ?? 0) } },
      }),
    ),
  )
  const [form, setForm] = useState({ email: '', display_name: '', password: '' })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const actions = useRowActions(users.reload)
  const manage = can('users:manage')
  const [reissued, setReissued] = useState<Schemas['InvitationIssued'] | null>(null)
  const submit = async (event: Event) => {
    event.preventDefault()
    const result = await create(() => api.POST('/api/v1/users', { body: form }), {
      email: 'Email address',
      display_name: 'Name',
      password: 'Password',
    })
    if (result.data) {
      setErrors(null)
      setDone(`${result.data.display_name} can now sign in. Give them a role on the Roles page.`)
      setForm({ email: '', display_name: '', password: '' })
      users.reload()
    } else setErrors(result.errors ?? null)
  }
  return (
    <>
      <h1 class="govuk-heading-l">Users</h1>
      <AdminNav />
      <Success text={actions.done ?? done} />
      <ErrorSummary errors={actions.errors} />
      {reissued && actions.done && <InvitationLink issued={reissued} title={`A new link for ${reissued.user.display_name}`} />}
      <form role="search" aria-label="Filter users" class="govuk-!-margin-bottom-4"
        onSubmit={(e) => {
          e.preventDefault()
          navigate(path + writeQuery(withFilter(query, 'q', text.trim())))
        }}>
        <div class="govuk-form-group">
          <label class="govuk-label govuk-label--s" for="filter-users">
            Name or email
          </label>
          <input class="govuk-input govuk-input--width-20" id="filter-users" type="search" value={text}
            onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </div>
        <button type="submit" class="govuk-button govuk-button--secondary">
          Search
        </button>
      </form>
      {users.problem ? (
        <ProblemPage problem={users.problem} onRetry={users.reload} />
      ) : !users.data ? (
        <Loading />
      ) : (
        <>
          <Scroll label="Users">
<table class="govuk-table">
            <caption class="govuk-table__caption govuk-visually-hidden">Users</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <SortHeader label="Name" column="display_name" query={query} path={path} />
                <SortHeader label="Email" column="email" query={query} path={path} />
                <th scope="col" class="govuk-table__header">Roles</th>
                <th scope="col" class="govuk-table__header">Status</th>
                {manage && <th scope="col" class="govuk-table__header">Action</th>}
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {users.data.items.map((user) => (
                <tr class="govuk-table__row" key={user.id}>
                  <td class="govuk-table__cell">{user.display_name}</td>
                  <td class="govuk-table__cell">{user.email}</td>
                  <td class="govuk-table__cell">
                    {user.roles.map((r) => (r.scope === 'the whole organisation' ? roleLabel(r.role) : `${roleLabel(r.role)} for ${r.scope}`)).join(', ') ||
                      NONE_RECORDED}
                  </td>
                  <td class="govuk-table__cell">{user.is_active ? 'Active' : 'Deactivated'}</td>
                  {manage && (
                    <td class="govuk-table__cell">
                      <div class="govuk-button-group govuk-!-margin-bottom-0">
                      {user.allowed_actions.includes('edit') && (
                        <a class="govuk-link" href={`/admin/users/${user.id}/edit`}>
                          Change<span class="govuk-visually-hidden"> {user.display_name}</span>
                        </a>
                      )}
                      {user.allowed_actions.includes('delete') && (
                        <a class="govuk-link" href={`/admin/users/${user.id}/delete`}>
                          Delete<span class="govuk-visually-hidden"> {user.display_name}</span>
                        </a>
                      )}
                      {user.allowed_actions.includes('reissue_invitation') && (
                        <RowAction label="New invitation link" what={`for ${user.display_name}`}
                          onAct={() => actions.act(
                            () => api.POST('/api/v1/users/{user_id}/invitation', { params: { path: { user_id: user.id } } }),
                            (issued) => {
                              setReissued(issued)
                              return `A new invitation link for ${issued.user.display_name}: their earlier links no longer work.`
                            },
                          )} />
                      )}
                      {user.allowed_actions.includes('deactivate') && (
                        <RowAction label="Deactivate" confirm="Yes, deactivate" what={user.display_name}
                          onAct={() => actions.act(() => api.POST('/api/v1/users/{user_id}/deactivate', { params: { path: { user_id: user.id } } }),
                            (u) => `${u.display_name} can no longer sign in; their sessions have ended.`)} />
                      )}
                      {user.allowed_actions.includes('reactivate') && (
                        <RowAction label="Reactivate" what={user.display_name}
                          onAct={() => actions.act(() => api.POST('/api/v1/users/{user_id}/reactivate', { params: { path: { user_id: user.id } } }),
                            (u) => `${u.display_name} can sign in again.`)} />
                      )}
                      </div>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
</Scroll>
          <Pagination total={users.data.total} limit={LIMIT} offset={Number(query.offset ?? 0)} query={query} path={path} />
        </>
      )}
      {/* Both forms have an email address and a name: each has its own ids. */}
      {can('users:manage') && (
        <IdPrefix prefix="invite-">
          <InviteUser onInvited={users.reload} />
        </IdPrefix>
      )}
      {can('users:manage') && (
        <IdPrefix prefix="add-user-">
          <div class="govuk-grid-row">
            <div class="govuk-grid-column-two-thirds">
              <h2 class="govuk-heading-m">Add a user with a password</h2>
              <ErrorSummary errors={errors} />
              <form onSubmit={submit} noValidate>
                <TextInput name="email" label="Email address" type="email" spellcheck={false} value={form.email}
                  onInput={(v) => setForm({ ...form, email: v })} errors={errors} />
                <TextInput name="display_name" label="Name" value={form.display_name}
                  onInput={(v) => setForm({ ...form, display_name: v })} errors={errors} />
                <TextInput name="password" label="First password" hint="At least 12 characters; they can change it." type="password"
                  autocomplete="new-password" value={form.password} onInput={(v) => setForm({ ...form, password: v })} errors={errors} />
                <button type="submit" class="govuk-button">
                  Add the user
                </button>
              </form>
            </div>
          </div>
        </IdPrefix>
      )}
    </>
  )
}

interface RolesView {
  assignments: Schemas['RoleAssignmentPage']
  users: Schemas['UserPublic'][]
  directorates: Schemas['DirectoratePublic'][]
  programmes: Schemas['ProgrammePublic'][]
  projects: Schemas['ProjectPublic'][]
}

// Where a role is held. Only these three roles may be held for less than the whole organisation.
type ScopeKind = 'organisation' | 'directorate' | 'programme' | 'project'
const SCOPABLE: Schemas['Role'][] = ['project_manager', 'sponsor', 'finance']
const SCOPE_FIELDS: Record<Exclude<ScopeKind, 'organisation'>, 'directorate_id' | 'programme_id' | 'project_id'> = {
  directorate: 'directorate_id',
  programme: 'programme_id',
  project: 'project_id',
}

async function loadRoles(query: Record<string, string>): Promise<Loaded<RolesView>> {
  const [assignments, users, directorates, programmes, projects] = await Promise.all([
    load(() =>
      api.GET('/api/v1/role-assignments', {
        params: { query: { role: query.role as Schemas['Role'] | undefined, sort: query.sort ?? 'role', limit: LIMIT, offset: Number(query.offset ?? 0) } },
      }),
    ),
    load(() => api.GET('/api/v1/users', { params: { query: { limit: 200, sort: 'display_name' } } })),
    load(() => api.GET('/api/v1/directorates', { params: { query: { limit: 200 } } })),
    load(() => api.GET('/api/v1/programmes', { params: { query: { limit: 200, sort: 'name' } } })),
    load(() => api.GET('/api/v1/projects', { params: { query: { limit: 200, sort: 'reference' } } })),
  ])
  if (assignments.problem) return assignments
  if (users.problem) return users
  if (directorates.problem) return directorates
  if (programmes.problem) return programmes
  if (projects.problem) return projects
  return {
    data: {
      assignments: assignments.data,
      users: users.data.items,
      directorates: directorates.data.items,
      programmes: programmes.data.items,
      projects: projects.data.items,
    },
  }
}

export function AdminRoles() {
  const { path, search } = useLocation()
  const can = useCan()
  const query = readQuery(search, ['role', 'sort', 'offset'])
  const view = useResource(`roles${writeQuery(query)}`, () => loadRoles(query))
  const [form, setForm] = useState({ user_id: '', role: '', kind: 'organisation' as ScopeKind, scope_id: '' })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const actions = useRowActions(view.reload)
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  const { assignments, users, directorates, programmes, projects } = view.data
  const userName = (id: string) => users.find((u) => u.id === id)?.display_name ?? id
  const scopeChoices: Record<Exclude<ScopeKind, 'organisation'>, { value: string; text: string }[]> = {
    directorate: directorates.map((d) => ({ value: d.id, text: d.name })),
    programme: programmes.map((p) => ({ value: p.id, text: p.name })),
    project: projects.map((p) => ({ value: p.id, text: `${p.reference} ${p.name}` })),
  }
  const scoped = SCOPABLE.includes(form.role as Schemas['Role'])
  const kind: ScopeKind = scoped ? form.kind : 'organisation'
  const submit = async (event: Event) => {
    event.preventDefault()
    const where = kind === 'organisation' ? {} : { [SCOPE_FIELDS[kind]]: form.scope_id || null }
    const result = await create(
      () =>
        api.POST('/api/v1/role-assignments', {
          body: { user_id: form.user_id, role: form.role as Schemas['Role'], ...where },
        }),
      { user_id: 'Person', role: 'Role', directorate_id: 'Directorate', programme_id: 'Programme', project_id: 'Project' },
    )
    if (result.data) {
      setErrors(null)
      setDone(`${userName(result.data.user_id)} now holds the role ${roleLabel(result.data.role)} for ${result.data.scope}.`)
      view.reload()
    } else setErrors(result.errors ?? null)
  }
  return (
    <>
      <h1 class="govuk-heading-l">Roles</h1>
      <AdminNav />
      <Success text={actions.done ?? done} />
      <ErrorSummary errors={actions.errors} />
      <Select name="filter-role" label="Show role" value={query.role ?? ''} errors={null}
        onChange={(role) => navigate(path + writeQuery(withFilter(query, 'role', role)))}
        options={[{ value: '', text: 'All roles' }, ...ROLES.map((r) => ({ value: r, text: roleLabel(r) }))]} />
      <Scroll label="Role assignments">
<table class="govuk-table">
        <caption class="govuk-table__caption govuk-visually-hidden">Role assignments</caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            <th scope="col" class="govuk-table__header">Person</th>
            <SortHeader label="Role" column="role" query={query} path={path} />
            <th scope="col" class="govuk-table__header">Where</th>
            <SortHeader label="Since" column="created_at" query={query} path={path} />
            {can('roles:manage') && <th scope="col" class="govuk-table__header">Action</th>}
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          {assignments.items.map((a) => (
            <tr class="govuk-table__row" key={a.id}>
              <td class="govuk-table__cell">{userName(a.user_id)}</td>
              <td class="govuk-table__cell">{roleLabel(a.role)}</td>
              <td class="govuk-table__cell">{a.scope}</td>
              <td class="govuk-table__cell">{formatDate(a.created_at)}</td>
              {can('roles:manage') && (
                <td class="govuk-table__cell">
                  <RowAction label="Remove" confirm="Yes, remove" what={`${roleLabel(a.role)} from ${userName(a.user_id)}`}
                    onAct={() => actions.act(
                      () => api.DELETE('/api/v1/role-assignments/{role_assignment_id}', { params: { path: { role_assignment_id: a.id } } }),
                      () => `${userName(a.user_id)} no longer holds the role ${roleLabel(a.role)} for ${a.scope}.`)} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
</Scroll>
      <Pagination total={assignments.total} limit={LIMIT} offset={Number(query.offset ?? 0)} query={query} path={path} />
      {can('roles:manage') && (
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-two-thirds">
            <h2 class="govuk-heading-m">Give someone a role</h2>
            <ErrorSummary errors={errors} />
            <form onSubmit={submit} noValidate>
              <Select name="user_id" label="Person" value={form.user_id} onChange={(v) => setForm({ ...form, user_id: v })} errors={errors}
                options={[{ value: '', text: 'Choose a person' }, ...users.map((u) => ({ value: u.id, text: `${u.display_name} (${u.email})` }))]} />
              <Select name="role" label="Role" value={form.role} onChange={(v) => setForm({ ...form, role: v })} errors={errors}
                options={[{ value: '', text: 'Choose a role' }, ...ROLES.map((r) => ({ value: r, text: roleLabel(r) }))]} />
              {scoped ? (
                <Radios name="scope_kind" label="Where" small value={kind} errors={null}
                  hint="A project manager, sponsor or finance officer can hold the role for part of the portfolio only."
                  onChange={(v) => setForm({ ...form, kind: v as ScopeKind, scope_id: '' })}
                  options={[
                    { value: 'organisation', text: 'The whole organisation' },
                    { value: 'directorate', text: 'One directorate' },
                    { value: 'programme', text: 'One programme' },
                    { value: 'project', text: 'One project' },
                  ]} />
              ) : (
                form.role && <p class="govuk-body">{roleLabel(form.role as Schemas['Role'])} is held for the whole organisation.</p>
              )}
              {kind !== 'organisation' && (
                <Select name={SCOPE_FIELDS[kind]} label={humanise(kind)} value={form.scope_id} errors={errors}
                  onChange={(v) => setForm({ ...form, scope_id: v })}
                  options={[{ value: '', text: `Choose a ${kind}` }, ...scopeChoices[kind]]} />
              )}
              <button type="submit" class="govuk-button">
                Give the role
              </button>
            </form>
          </div>
        </div>
      )}
    </>
  )
}

export function AdminDirectorates() {
  const can = useCan()
  const directorates = useResource('directorates', () =>
    load(() => api.GET('/api/v1/directorates', { params: { query: { limit: 200, sort: 'name' } } })),
  )
  const [name, setName] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const manage = can('directorates:manage')
  const submit = async (event: Event) => {
    event.preventDefault()
    const result = await create(() => api.POST('/api/v1/directorates', { body: { name, description: '' } }), { name: 'Name' })
    if (result.data) {
      setErrors(null)
      setDone(`${result.data.name} added.`)
      setName('')
      directorates.reload()
    } else setErrors(result.errors ?? null)
  }
  return (
    <>
      <h1 class="govuk-heading-l">Directorates</h1>
      <AdminNav />
      <Success text={done} />
      {directorates.problem ? (
        <ProblemPage problem={directorates.problem} onRetry={directorates.reload} />
      ) : !directorates.data ? (
        <Loading />
      ) : (
        <Scroll label="Directorates">
          <table class="govuk-table" data-testid="directorates">
            <caption class="govuk-table__caption govuk-visually-hidden">Directorates</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Name</th>
                <th scope="col" class="govuk-table__header">Description</th>
                {/* Directorates carry no `allowed_actions`: the API refuses a delete, with its reason, while records name one. */}
                {manage && <th scope="col" class="govuk-table__header">Action</th>}
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {directorates.data.items.map((d) => (
                <tr class="govuk-table__row" key={d.id}>
                  <th scope="row" class="govuk-table__header">{d.name}</th>
                  <td class="govuk-table__cell">{d.description || NONE_RECORDED}</td>
                  {manage && (
                    <td class="govuk-table__cell">
                      <div class="govuk-button-group govuk-!-margin-bottom-0">
                        <a class="govuk-link" href={`/admin/directorates/${d.id}/edit`}>
                          Change<span class="govuk-visually-hidden"> {d.name}</span>
                        </a>
                        <a class="govuk-link" href={`/admin/directorates/${d.id}/delete`}>
                          Delete<span class="govuk-visually-hidden"> {d.name}</span>
                        </a>
                      </div>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      {manage && (
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-two-thirds">
            <h2 class="govuk-heading-m">Add a directorate</h2>
            <ErrorSummary errors={errors} />
            <form onSubmit={submit} noValidate>
              <TextInput name="name" label="Name" value={name} onInput={setName} errors={errors} />
              <button type="submit" class="govuk-button">
                Add the directorate
              </button>
            </form>
          </div>
        </div>
      )}
    </>
  )
}

export function AdminApiClients() {
  const can = useCan()
  const clients = useResource('api-clients', () =>
    load(() => api.GET('/api/v1/api-clients', { params: { query: { limit: 200 } } })),
  )
  // How many webhook subscriptions each client has, for the link to them in its row.
  const subscriptions = useResource('api-clients-webhooks', () =>
    can('webhooks:manage')
      ? load(() => api.GET('/api/v1/webhook-subscriptions', { params: { query: { limit: 200 } } }))
      : Promise.resolve({ data: null }),
  )
  const webhooks = (client: Schemas['ApiClientPublic']) =>
    subscriptions.data ? subscriptions.data.items.filter((s) => s.api_client_id === client.id).length : null
  const [name, setName] = useState('')
  const [scopes, setScopes] = useState<string[]>([])
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [secret, setSecret] = useState<Schemas['ApiClientWithSecret'] | null>(null)
  const actions = useRowActions(clients.reload)
  const rotate = (client: Schemas['ApiClientPublic']) =>
    actions.act(() => api.POST('/api/v1/api-clients/{api_client_id}/rotate-secret', { params: { path: { api_client_id: client.id } } }),
      (rotated) => {
        setSecret(rotated)
        return `${rotated.name} has a new secret; the old one no longer works.`
      })
  const submit = async (event: Event) => {
    event.preventDefault()
    const result = await create(
      () => api.POST('/api/v1/api-clients', { body: { name, scopes: scopes as Schemas['ClientScope'][] } }),
      { name: 'Name', scopes: 'Scopes' },
    )
    if (result.data) {
      setErrors(null)
      actions.setDone(null)
      setSecret(result.data)
      setName('')
      setScopes([])
      clients.reload()
    } else setErrors(result.errors ?? null)
  }
  return (
    <>
      <h1 class="govuk-heading-l">API clients</h1>
      <AdminNav />
      <ErrorSummary errors={actions.errors} />
      {!secret && <Success text={actions.done} />}
      {secret && (
        <div class="govuk-panel govuk-panel--confirmation" role="alert">
          <h2 class="govuk-panel__title">{actions.done ?? `${secret.name} is registered`}</h2>
          <div class="govuk-panel__body">
            Client id: <span class="app-secret" data-testid="client-id">{secret.client_id}</span>
            <br />
            Secret: <span class="app-secret" data-testid="client-secret">{secret.client_secret}</span>
            <div class="govuk-!-margin-top-4">
              <CopyButton value={secret.client_secret} label="Copy the secret" copiedText="The secret is copied." />
            </div>
          </div>
        </div>
      )}
      {secret && (
        <div class="govuk-warning-text">
          <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
          <strong class="govuk-warning-text__text">
            <span class="govuk-visually-hidden">Warning</span>
            Copy the secret now: it is shown only once and cannot be found again.
          </strong>
        </div>
      )}
      {clients.problem ? (
        <ProblemPage problem={clients.problem} onRetry={clients.reload} />
      ) : !clients.data ? (
        <Loading />
      ) : (
        <Scroll label="API clients">
<table class="govuk-table">
          <caption class="govuk-table__caption govuk-visually-hidden">API clients</caption>
          <thead class="govuk-table__head">
            <tr class="govuk-table__row">
              <th scope="col" class="govuk-table__header">Name</th>
              <th scope="col" class="govuk-table__header">Client id</th>
              <th scope="col" class="govuk-table__header">Scopes</th>
              <th scope="col" class="govuk-table__header">Status</th>
              <th scope="col" class="govuk-table__header">Action</th>
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            {clients.data.items.map((c) => (
              <tr class="govuk-table__row" key={c.id}>
                <td class="govuk-table__cell">
                  <a class="govuk-link" href={`/admin/api-clients/${c.id}`}>{c.name}</a>
                </td>
                <td class="govuk-table__cell">{c.client_id}</td>
                <td class="govuk-table__cell">{c.scopes.join(', ')}</td>
                <td class="govuk-table__cell">{c.is_active ? 'Active' : 'Revoked'}</td>
                <td class="govuk-table__cell">
                  {webhooks(c) !== null && (
                    <p class="govuk-body govuk-!-margin-bottom-2">
                      <a class="govuk-link" href={`/admin/webhooks?api_client_id=${c.id}`}>
                        Webhooks ({webhooks(c)})<span class="govuk-visually-hidden"> of {c.name}</span>
                      </a>
                    </p>
                  )}
                  {/* Each button follows the client's `allowed_actions`. */}
                  {(c.allowed_actions.includes('rotate_secret') || c.allowed_actions.includes('revoke')) && (
                    <div class="govuk-button-group govuk-!-margin-bottom-0">
                      {c.allowed_actions.includes('rotate_secret') && (
                        <RowAction label="New secret" confirm="Yes, replace the secret" what={c.name} onAct={() => rotate(c)} />
                      )}
                      {c.allowed_actions.includes('revoke') && <RowAction label="Revoke" confirm="Yes, revoke" what={c.name}
                        onAct={() => actions.act(() => api.POST('/api/v1/api-clients/{api_client_id}/revoke', { params: { path: { api_client_id: c.id } } }),
                          (revoked) => {
                            setSecret(null)
                            return `${revoked.name} is revoked: its tokens no longer work.`
                          })} />}
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
</Scroll>
      )}
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <h2 class="govuk-heading-m">Register a system</h2>
          <ErrorSummary errors={errors} />
          <form onSubmit={submit} noValidate>
            <TextInput name="name" label="Name" value={name} onInput={setName} errors={errors} />
            <Checkboxes name="scopes" label="What it may read" values={scopes} onChange={setScopes} errors={errors}
              options={CLIENT_SCOPES} />
            <button type="submit" class="govuk-button">
              Register and show the secret
            </button>
          </form>
        </div>
      </div>
    </>
  )
}

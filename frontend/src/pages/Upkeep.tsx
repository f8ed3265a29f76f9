import { useEffect, useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { signOut } from '../api/session'
import { Button, Checkboxes, CopyButton, ErrorSummary, Loading, TextInput } from '../components/ui'
import { load, useResource } from '../lib/data'
import { formatDate, roleLabel } from '../lib/format'
import { type FormErrors, type Problem, fieldId, toFormErrors } from '../lib/problem'
import { navigate } from '../lib/router'

const ROLES: Schemas['Role'][] = ['pmo', 'sponsor', 'project_manager', 'finance', 'member', 'democratic_services', 'viewer', 'admin']

// What the sign-in page says after a password is changed or set (SignIn reads `?notice=`).
export const NOTICES: Record<string, string> = {
  'password-changed': 'Your password has been changed and you have been signed out everywhere. Sign in with your new password.',
  'password-set': 'Your password is set. Sign in with your email address and your new password.',
}

function required(fields: Record<string, string>): FormErrors | null {
  const entries = Object.entries(fields)
  if (entries.length === 0) return null
  return { status: 422, fields, summary: entries.map(([name, text]) => ({ text, href: `#${fieldId(name)}` })) }
}

/** `/account/password`: change your own password; every session ends, so sign in again. */
export function ChangePassword() {
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [confirm, setConfirm] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: Event) => {
    event.preventDefault()
    const missing: Record<string, string> = {}
    if (!current) missing.current_password = 'Enter your current password'
    if (!next) missing.new_password = 'Enter a new password'
    else if (next !== confirm) missing.confirm_password = 'The passwords do not match: enter the new password again'
    const local = required(missing)
    if (local) return setErrors(local)
    setBusy(true)
    const result = await load(() => api.POST('/api/v1/me/password', { body: { current_password: current, new_password: next } }))
    setBusy(false)
    if (result.problem) {
      const problem: Problem = result.problem
      // A wrong current password is a 401 with no field: it belongs to the current password box.
      if (problem.status === 401 && !problem.errors) {
        problem.errors = [{ location: ['body', 'current_password'], message: 'Your current password is not right. Enter it again.' }]
      }
      setErrors(toFormErrors(problem, { current_password: 'Current password', new_password: 'New password' }))
      return
    }
    // Every session has ended, this one too: sign in again with the new password.
    await signOut()
    navigate('/?notice=password-changed')
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} />
        <h1 class="govuk-heading-l">Change your password</h1>
        <p class="govuk-body">After the change you will be signed out on every device, this one too, and sign in again with the new password.</p>
        <form onSubmit={submit} noValidate>
          <TextInput name="current_password" label="Current password" type="password" autocomplete="current-password"
            value={current} onInput={setCurrent} errors={errors} />
          <TextInput name="new_password" label="New password" type="password" autocomplete="new-password"
            hint="At least 12 characters. A few unrelated words make a good one. Not one of the most common passwords."
            value={next} onInput={setNext} errors={errors} />
          <TextInput name="confirm_password" label="Confirm new password" type="password" autocomplete="new-password"
            value={confirm} onInput={setConfirm} errors={errors} />
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button" disabled={busy}>Change password</button>
            <a class="govuk-link" href="/account">Cancel</a>
          </div>
        </form>
      </div>
    </div>
  )
}

/** `/invitations/:token`, before sign-in: the invitee sets their first password. */
export function InvitationPage({ token }: { token: string }) {
  const invitation = useResource(`invitation-${token}`, () =>
    load(() => api.POST('/api/v1/invitations/lookup', { body: { token } })),
  )
  const [password, setPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    document.title = 'Set your password – Change portfolio'
  }, [])
  if (invitation.problem) {
    const problem = invitation.problem
    const heading = problem.status === 404 ? 'This invitation link is not right' : 'This invitation link cannot be used'
    return (
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <h1 class="govuk-heading-l">{heading}</h1>
          <p class="govuk-body" data-testid="invitation-problem">{problem.detail ?? problem.title}</p>
          <p class="govuk-body">
            <a class="govuk-link" href="/">Go to sign in</a>
          </p>
        </div>
      </div>
    )
  }
  if (!invitation.data) return <Loading />
  const details = invitation.data
  const submit = async (event: Event) => {
    event.preventDefault()
    const missing: Record<string, string> = {}
    if (!password) missing.password = 'Enter a password'
    else if (password !== confirm) missing.confirm_password = 'The passwords do not match: enter the password again'
    const local = required(missing)
    if (local) return setErrors(local)
    setBusy(true)
    const result = await load(() => api.POST('/api/v1/invitations/accept', { body: { token, password } }))
    setBusy(false)
    if (result.problem) return setErrors(toFormErrors(result.problem, { password: 'Password' }))
    navigate('/?notice=password-set')
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} />
        <h1 class="govuk-heading-l">Set your password</h1>
        <p class="govuk-body">
          {details.display_name}, you have been invited to {details.organisation_name}'s change portfolio service. You will
          sign in with <strong>{details.email}</strong>.
        </p>
        <p class="govuk-body">This link works once, until {formatDate(details.expires_at.slice(0, 10))}.</p>
        <form onSubmit={submit} noValidate>
          <TextInput name="password" label="Password" type="password" autocomplete="new-password"
            hint="At least 12 characters. A few unrelated words make a good one. Not one of the most common passwords."
            value={password} onInput={setPassword} errors={errors} />
          <TextInput name="confirm_password" label="Confirm password" type="password" autocomplete="new-password"
            value={confirm} onInput={setConfirm} errors={errors} />
          <button type="submit" class="govuk-button" disabled={busy}>Set password</button>
        </form>
      </div>
    </div>
  )
}

/** A one-time invitation link just issued, to copy: it is shown only in this answer. */
export function InvitationLink({ issued, title }: { issued: Schemas['InvitationIssued']; title: string }) {
  return (
    <div class="govuk-panel govuk-panel--confirmation" data-testid="invitation-issued">
      <h3 class="govuk-panel__title govuk-!-font-size-27">{title}</h3>
      <div class="govuk-panel__body govuk-!-font-size-19">
        <p>
          Send them this link. It works once, until {formatDate(issued.expires_at.slice(0, 10))}, and is shown only now.
        </p>
        <p class="app-secret" data-testid="invitation-url">{issued.invitation_url}</p>
        <CopyButton value={issued.invitation_url} label="Copy the link" copiedText="The link is copied." />
      </div>
    </div>
  )
}

/** The administrator's invitation form (users page): the link to copy is shown once. */
export function InviteUser({ onInvited }: { onInvited: () => void }) {
  const [form, setForm] = useState({ email: '', display_name: '' })
  const [roles, setRoles] = useState<string[]>([])
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [issued, setIssued] = useState<Schemas['InvitationIssued'] | null>(null)
  const submit = async (event: Event) => {
    event.preventDefault()
    const result = await load(() =>
      api.POST('/api/v1/invitations', { body: { ...form, roles: roles as Schemas['Role'][] } }),
    )
    if (result.problem) {
      setIssued(null)
      return setErrors(toFormErrors(result.problem, { email: 'Email address', display_name: 'Name', roles: 'Roles' }))
    }
    setErrors(null)
    setIssued(result.data)
    setForm({ email: '', display_name: '' })
    setRoles([])
    onInvited()
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <h2 class="govuk-heading-m">Invite a person</h2>
        {issued && <InvitationLink issued={issued} title={`${issued.user.display_name} is invited`} />}
        <ErrorSummary errors={errors} />
        <p class="govuk-body">They choose their own password with a one-time link you copy to them.</p>
        <form onSubmit={submit} noValidate>
          <TextInput name="email" label="Email address" type="email" spellcheck={false} value={form.email}
            onInput={(v) => setForm({ ...form, email: v })} errors={errors} />
          <TextInput name="display_name" label="Name" value={form.display_name}
            onInput={(v) => setForm({ ...form, display_name: v })} errors={errors} />
          <Checkboxes name="roles" label="Roles for the whole council (more on the Roles page)" values={roles} onChange={setRoles}
            errors={errors} options={ROLES.map((role) => ({ value: role, text: roleLabel(role) }))} />
          <Button>Invite</Button>
        </form>
      </div>
    </div>
  )
}

import { useEffect, useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { signIn } from '../api/session'
import { ErrorSummary, TextInput } from '../components/ui'
import { type FormErrors, NETWORK_PROBLEM, problemFrom, toFormErrors } from '../lib/problem'
import { match, useLocation } from '../lib/router'
import { NOTICES } from './Upkeep'

const LABELS = { email: 'Email address', password: 'Password' }

/** A Retry-After in seconds as words: "about 15 minutes". */
export function retryAfterText(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return 'a while'
  const minutes = Math.ceil(seconds / 60)
  return minutes <= 1 ? 'a minute' : `about ${minutes} minutes`
}

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  // The council account: from the organisation's sign-in address, or the email's domain.
  const [council, setCouncil] = useState<Schemas['DirectorySignInOptions'] | null>(null)
  const { path, search } = useLocation()
  const notice = NOTICES[new URLSearchParams(search).get('notice') ?? ''] ?? null
  const slug = match('/sign-in/:slug', path)?.slug ?? null
  useEffect(() => {
    document.title = 'Sign in – Change portfolio'
  }, [])
  useEffect(() => {
    if (!slug) return
    api.GET('/api/v1/auth/oidc/organisations/{slug}', { params: { path: { slug } } })
      .then(({ data }) => setCouncil(data ?? null))
      .catch(() => setCouncil(null))
  }, [slug])
  const lookUpEmail = () => {
    if (slug || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.trim())) return
    api.GET('/api/v1/auth/oidc/sign-in-options', { params: { query: { email: email.trim() } } })
      .then(({ data }) => setCouncil(data ?? null))
      .catch(() => setCouncil(null))
  }
  const passwords = !council || council.local_passwords_allowed

  const submit = async (event: Event) => {
    event.preventDefault()
    if (!email.trim() || !password) {
      const fields: Record<string, string> = {}
      if (!email.trim()) fields.email = 'Enter your email address'
      if (!password) fields.password = 'Enter your password'
      setErrors({
        status: 422,
        fields,
        summary: Object.entries(fields).map(([name, text]) => ({ text, href: `#field-${name}` })),
      })
      return
    }
    setBusy(true)
    try {
      const response = await signIn(email, password)
      if (response.ok) {
        onSignedIn()
        return
      }
      const problem = await problemFrom(response)
      if (response.status === 429) {
        const wait = retryAfterText(Number(response.headers.get('Retry-After')))
        const locked = (problem.detail ?? '').includes('locked')
        problem.detail = locked
          ? `This account is locked after too many failed sign-ins. Try again in ${wait}, or ask an administrator.`
          : `There have been too many sign-in attempts from your network. Try again in ${wait}.`
        problem.errors = null
      }
      setErrors(toFormErrors(problem, LABELS))
    } catch {
      setErrors(toFormErrors(NETWORK_PROBLEM))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} />
        {notice && (
          <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="notice-title">
            <div class="govuk-notification-banner__header">
              <h2 class="govuk-notification-banner__title" id="notice-title">
                Success
              </h2>
            </div>
            <div class="govuk-notification-banner__content">
              <p class="govuk-notification-banner__heading" data-testid="sign-in-notice">{notice}</p>
            </div>
          </div>
        )}
        <h1 class="govuk-heading-l">Sign in</h1>
        {council && (
          <div class="govuk-inset-text" data-testid="council-sign-in">
            <p class="govuk-body">{council.organisation_name} signs its staff in with their council account.</p>
            <a href={council.start_url} role="button" draggable={false} class="govuk-button govuk-!-margin-bottom-0">
              Sign in with your council account
            </a>
          </div>
        )}
        {(passwords || !slug) && (
          <form onSubmit={submit} noValidate>
            <TextInput name="email" label="Email address" type="email" autocomplete="email" spellcheck={false}
              value={email} onInput={setEmail} errors={errors} onBlur={lookUpEmail} />
            {passwords && (
              <TextInput name="password" label="Password" type="password" autocomplete="current-password"
                value={password} onInput={setPassword} errors={errors} />
            )}
            {passwords && (
              <button type="submit" class="govuk-button" disabled={busy}>
                Sign in
              </button>
            )}
          </form>
        )}
      </div>
    </div>
  )
}

import { useEffect, useState } from 'preact/hooks'
import { signIn } from '../api/session'
import { ErrorSummary, TextInput } from '../components/ui'
import { type FormErrors, NETWORK_PROBLEM, problemFrom, toFormErrors } from '../lib/problem'

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
  useEffect(() => {
    document.title = 'Sign in – Change portfolio'
  }, [])

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
        <h1 class="govuk-heading-l">Sign in</h1>
        <form onSubmit={submit} noValidate>
          <TextInput name="email" label="Email address" type="email" autocomplete="email" spellcheck={false}
            value={email} onInput={setEmail} errors={errors} />
          <TextInput name="password" label="Password" type="password" autocomplete="current-password"
            value={password} onInput={setPassword} errors={errors} />
          <button type="submit" class="govuk-button" disabled={busy}>
            Sign in
          </button>
        </form>
      </div>
    </div>
  )
}

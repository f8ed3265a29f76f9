// Deleting a record: a page that asks first, with a warning button. When the API refuses
// (409: something still uses the record) its reason shows in the error summary, in its words.
import { useState } from 'preact/hooks'
import { ErrorSummary } from './ui'
import { type FormErrors, NETWORK_PROBLEM, problemFrom, toFormErrors } from '../lib/problem'
import { navigate } from '../lib/router'

export function ConfirmDelete({ caption, name, explain, back, done, request }: {
  caption: string
  name: string
  explain: string
  back: string
  done: string
  request: () => Promise<{ error?: unknown; response: Response }>
}) {
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const remove = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    try {
      const { error, response } = await request()
      if (response.ok) {
        navigate(done)
        return
      }
      setErrors(toFormErrors(await problemFrom(response, error)))
    } catch {
      setErrors(toFormErrors(NETWORK_PROBLEM))
    }
    setBusy(false)
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} />
        <span class="govuk-caption-l">{caption}</span>
        <h1 class="govuk-heading-l">Delete {name}?</h1>
        <p class="govuk-body">{explain}</p>
        <form onSubmit={remove} noValidate>
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button govuk-button--warning" disabled={busy}>
              Yes, delete it
            </button>
            <a class="govuk-link" href={back}>
              No, go back
            </a>
          </div>
        </form>
      </div>
    </div>
  )
}

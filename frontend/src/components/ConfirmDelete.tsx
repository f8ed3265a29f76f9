// Deleting a record: a page that asks first, with a warning button. When the API refuses
// (409: something still uses the record) its reason shows in the error summary, in its words.
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { ErrorSummary } from './ui'
import { type FormErrors, NETWORK_PROBLEM, problemFrom, toFormErrors } from '../lib/problem'
import { navigate } from '../lib/router'

type DeleteRequest = () => Promise<{ error?: unknown; response: Response }>

/** Send the DELETE; on success call `onDeleted`, else keep the API's reason for the error summary. */
function useDelete(request: DeleteRequest, onDeleted: () => void) {
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const remove = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    try {
      const { error, response } = await request()
      if (response.ok) {
        onDeleted()
        return
      }
      setErrors(toFormErrors(await problemFrom(response, error)))
    } catch {
      setErrors(toFormErrors(NETWORK_PROBLEM))
    }
    setBusy(false)
  }
  return { errors, busy, remove }
}

export function ConfirmDelete({ caption, name, explain, back, done, request }: {
  caption: string
  name: string
  explain: string
  back: string
  done: string
  request: DeleteRequest
}) {
  const { errors, busy, remove } = useDelete(request, () => navigate(done))
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

/** Deleting inside the record's own page: the same question as a form in place, for records
 * whose page stays (a value, a response action) or that a heading of the page introduces. */
export function AskToDelete({ testId, heading, explain, request, onCancel, onDeleted }: {
  testId: string
  heading?: ComponentChildren
  explain: ComponentChildren
  request: DeleteRequest
  onCancel: () => void
  onDeleted: () => void
}) {
  const { errors, busy, remove } = useDelete(request, onDeleted)
  return (
    <form onSubmit={remove} noValidate data-testid={testId}>
      <ErrorSummary errors={errors} />
      {heading}
      <p class="govuk-body">{explain}</p>
      <div class="govuk-button-group">
        <button type="submit" class="govuk-button govuk-button--warning" disabled={busy}>
          Yes, delete it
        </button>
        <button type="button" class="govuk-button govuk-button--secondary" onClick={onCancel}>
          No, keep it
        </button>
      </div>
    </form>
  )
}

// A risk's response actions (the mitigations "My work" lists as my RAID actions): listed on the
// risk's page, added, changed and deleted there. Only one of the forms shows at a time, so the
// fields keep the API's names and its problem+json errors land on them.
import { AskToDelete } from '../components/ConfirmDelete'
import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { DateInput, ErrorSummary, Loading, ProblemPage, Radios, Scroll, Select, StatusTag, TextArea } from '../components/ui'
import { useResource } from '../lib/data'
import { formatDate, NOT_SET } from '../lib/format'
import type { FormErrors } from '../lib/problem'
import { send } from './Drawdowns'
import { ownerOptions, personName, type RaidPickers, withEtag } from './RaidForms'

type Action = Schemas['RiskActionPublic']

const LABELS = { description: 'Action', actionee_id: 'Actionee', due_date: 'Due date', status: 'Status' }

const STATUSES: { value: Schemas['ActionStatus']; text: string }[] = [
  { value: 'open', text: 'Open' },
  { value: 'in_progress', text: 'In progress' },
  { value: 'done', text: 'Done' },
  { value: 'cancelled', text: 'Cancelled' },
]

type Open = { kind: 'add' } | { kind: 'change'; action: Action } | { kind: 'delete'; action: Action } | null

/** The risk's actions with their buttons; `onChanged` says what was done (the page reloads). */
export function RiskResponseActions({ risk, pickers, onChanged }: {
  risk: Schemas['RiskDetail']
  pickers: RaidPickers
  onChanged: (done: string) => void
}) {
  const [open, setOpen] = useState<Open>(null)
  // Adding an action changes the risk: the API lets whoever may edit the risk add one.
  const mayAdd = risk.allowed_actions.includes('edit')
  const rowActions = risk.actions.some((a) => a.allowed_actions.length > 0)
  const finished = (text: string) => {
    setOpen(null)
    onChanged(text)
  }
  return (
    <section aria-labelledby="response-actions-heading" class="govuk-!-margin-top-6" data-testid="response-actions">
      <h2 class="govuk-heading-m" id="response-actions-heading">Response actions</h2>
      {risk.actions.length === 0 ? (
        <p class="govuk-body">No actions recorded.</p>
      ) : (
        <Scroll label="Response actions">
          <table class="govuk-table">
            <caption class="govuk-table__caption govuk-visually-hidden">What is being done about the risk, by whom and by when</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Action</th>
                <th scope="col" class="govuk-table__header">Actionee</th>
                <th scope="col" class="govuk-table__header">Due</th>
                <th scope="col" class="govuk-table__header">Status</th>
                {rowActions && <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Change or delete</span></th>}
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {risk.actions.map((action, index) => (
                <tr class="govuk-table__row" key={action.id}>
                  <td class="govuk-table__cell">{action.description}</td>
                  <td class="govuk-table__cell">{personName(pickers, action.actionee_id)}</td>
                  <td class="govuk-table__cell app-nowrap">{action.due_date ? formatDate(action.due_date) : NOT_SET}</td>
                  <td class="govuk-table__cell">
                    {action.overdue ? <strong class="govuk-tag govuk-tag--red">Overdue</strong> : <StatusTag value={action.status} />}
                  </td>
                  {rowActions && (
                    <td class="govuk-table__cell">
                      <div class="govuk-button-group govuk-!-margin-bottom-0">
                        {action.allowed_actions.includes('edit') && (
                          <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-1"
                            onClick={() => setOpen({ kind: 'change', action })}>
                            Change<span class="govuk-visually-hidden"> action {index + 1}</span>
                          </button>
                        )}
                        {action.allowed_actions.includes('delete') && (
                          <button type="button" class="govuk-button govuk-button--warning govuk-!-margin-bottom-1"
                            onClick={() => setOpen({ kind: 'delete', action })}>
                            Delete<span class="govuk-visually-hidden"> action {index + 1}</span>
                          </button>
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
      {open?.kind === 'change' && (
        <ChangeAction key={open.action.id} id={open.action.id} pickers={pickers} onCancel={() => setOpen(null)} onDone={finished} />
      )}
      {open?.kind === 'delete' && (
        <DeleteAction key={open.action.id} action={open.action} onCancel={() => setOpen(null)} onDone={finished} />
      )}
      {open?.kind === 'add' && (
        <ActionForm pickers={pickers} heading="Add an action" submitText="Add the action" onCancel={() => setOpen(null)}
          save={(body) => api.POST('/api/v1/risks/{risk_id}/actions', { params: { path: { risk_id: risk.id } }, body })}
          onSaved={() => finished('The action was added.')} />
      )}
      {mayAdd && open === null && (
        <button type="button" class="govuk-button govuk-button--secondary" onClick={() => setOpen({ kind: 'add' })}>
          Add an action
        </button>
      )}
    </section>
  )
}

interface ActionBody {
  description: string
  actionee_id: string | null
  due_date: string | null
  status: Schemas['ActionStatus']
}

function ActionForm({ pickers, existing, heading, submitText, save, onSaved, onCancel }: {
  pickers: RaidPickers
  existing?: Action
  heading: string
  submitText: string
  save: (body: ActionBody) => Promise<{ data?: unknown; error?: unknown; response: Response }>
  onSaved: () => void
  onCancel: () => void
}) {
  const [form, setForm] = useState({
    description: existing?.description ?? '',
    actionee_id: existing?.actionee_id ?? '',
    due_date: existing?.due_date ?? '',
    status: existing?.status ?? 'open',
  })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    // Empty actionee or due date are sent as null: the API removes them.
    const result = await send(() => save({
      description: form.description,
      actionee_id: form.actionee_id || null,
      due_date: form.due_date || null,
      status: form.status as Schemas['ActionStatus'],
    }), LABELS)
    setBusy(false)
    if (result.data) onSaved()
    else setErrors(result.errors ?? null)
  }
  return (
    <form onSubmit={submit} noValidate data-testid="response-action-form">
      <h3 class="govuk-heading-s">{heading}</h3>
      <ErrorSummary errors={errors} />
      <TextArea name="description" label="Action" hint="What will be done to reduce the risk" errors={errors} rows={2}
        value={form.description} onInput={set('description')} />
      <Select name="actionee_id" label="Actionee (optional)" errors={errors} value={form.actionee_id}
        onChange={set('actionee_id')} options={ownerOptions(pickers, existing?.actionee_id)} />
      <DateInput name="due_date" label="Due date (optional)" errors={errors} value={form.due_date} onInput={set('due_date')} />
      <Radios name="status" label="Status" errors={errors} small options={STATUSES} value={form.status} onChange={set('status')} />
      <div class="govuk-button-group">
        <button type="submit" class="govuk-button" disabled={busy}>
          {submitText}
        </button>
        <button type="button" class="govuk-button govuk-button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}

/** Changing an action: read again for its ETag, so someone's change in between is a 412. */
function ChangeAction({ id, pickers, onCancel, onDone }: {
  id: string
  pickers: RaidPickers
  onCancel: () => void
  onDone: (text: string) => void
}) {
  const view = useResource(`risk-action-${id}`, () =>
    withEtag(() => api.GET('/api/v1/risk-actions/{action_id}', { params: { path: { action_id: id } } })),
  )
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading the action" />
  const { record, etag } = view.data
  return (
    <ActionForm key={etag} pickers={pickers} existing={record} heading="Change the action" submitText="Save the action"
      onCancel={onCancel} onSaved={() => onDone('The action was changed.')}
      save={(body) => api.PATCH('/api/v1/risk-actions/{action_id}', {
        params: { path: { action_id: id }, header: { 'If-Match': etag } },
        body,
      })} />
  )
}

/** Deleting an action: asked first, with a warning button. */
function DeleteAction({ action, onCancel, onDone }: { action: Action; onCancel: () => void; onDone: (text: string) => void }) {
  return (
    <AskToDelete
      testId="response-action-delete"
      heading={<h3 class="govuk-heading-s">Delete the action “{action.description}”?</h3>}
      explain="It is taken off the risk; its history stays in the risk's change history."
      request={() => api.DELETE('/api/v1/risk-actions/{action_id}', { params: { path: { action_id: action.id } } })}
      onCancel={onCancel}
      onDeleted={() => onDone('The action was deleted.')}
    />
  )
}

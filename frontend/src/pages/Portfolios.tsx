// Portfolios: the groups of programmes. Created, changed, closed (once their programmes are all
// closed: the API says so next to the status otherwise) and opened again.
import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { DateInput, Loading, ProblemPage, Radios, Scroll, TextArea, TextInput } from '../components/ui'
import { load, useResource } from '../lib/data'
import { formatDate, NOT_SET } from '../lib/format'
import { useCan } from '../lib/me'
import type { FormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { send } from './Drawdowns'
import { Editing, FormPage, orNull } from './RaidForms'
import { ConfirmDelete } from '../components/ConfirmDelete'

type Portfolio = Schemas['PortfolioPublic']

const LABELS = { name: 'Name', description: 'Description', start_date: 'Start date', end_date: 'End date', status: 'Status' }

export function Portfolios() {
  const can = useCan()
  const portfolios = useResource('portfolios', () =>
    load(() => api.GET('/api/v1/portfolios', { params: { query: { limit: 200, sort: 'name' } } })),
  )
  return (
    <>
      <span class="govuk-caption-l">
        <a class="govuk-link" href="/portfolio">Portfolio</a>
      </span>
      <h1 class="govuk-heading-l">Portfolios</h1>
      <p class="govuk-body">
        A portfolio groups programmes. It closes once all its programmes are closed, and then takes no new programme until
        it is opened again.
      </p>
      {can('portfolio:manage') && (
        <a class="govuk-button" href="/portfolios/new">
          Add a portfolio
        </a>
      )}
      {portfolios.problem ? (
        <ProblemPage problem={portfolios.problem} onRetry={portfolios.reload} />
      ) : !portfolios.data ? (
        <Loading what="Loading portfolios" />
      ) : (
        <Scroll label="Portfolios">
          <table class="govuk-table" data-testid="portfolios">
            <caption class="govuk-table__caption govuk-visually-hidden">Portfolios</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Name</th>
                <th scope="col" class="govuk-table__header">Start</th>
                <th scope="col" class="govuk-table__header">End</th>
                <th scope="col" class="govuk-table__header">Status</th>
                {can('portfolio:manage') && <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Actions</span></th>}
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {portfolios.data.items.map((p) => (
                <tr class="govuk-table__row" key={p.id}>
                  <th scope="row" class="govuk-table__header">{p.name}</th>
                  <td class="govuk-table__cell app-nowrap">{p.start_date ? formatDate(p.start_date) : NOT_SET}</td>
                  <td class="govuk-table__cell app-nowrap">{p.end_date ? formatDate(p.end_date) : NOT_SET}</td>
                  <td class="govuk-table__cell">{p.status === 'closed' ? `Closed${p.closed_on ? ` on ${formatDate(p.closed_on)}` : ''}` : 'Active'}</td>
                  {can('portfolio:manage') && (
                    <td class="govuk-table__cell">
                      <div class="govuk-button-group govuk-!-margin-bottom-0">
                        {p.allowed_actions.includes('edit') && (
                          <a class="govuk-link" href={`/portfolios/${p.id}/edit`}>
                            Change<span class="govuk-visually-hidden"> {p.name}</span>
                          </a>
                        )}
                        {p.allowed_actions.includes('delete') && (
                          <a class="govuk-link" href={`/portfolios/${p.id}/delete`}>
                            Delete<span class="govuk-visually-hidden"> {p.name}</span>
                          </a>
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

export function PortfolioNew() {
  return <PortfolioForm />
}

export function PortfolioEdit({ id }: { id: string }) {
  return (
    <Editing name={`portfolio-edit-${id}`}
      request={() => api.GET('/api/v1/portfolios/{portfolio_id}', { params: { path: { portfolio_id: id } } })}
      render={(record, etag, reload) => <PortfolioForm existing={record} etag={etag} onReload={reload} />} />
  )
}

function PortfolioForm({ existing, etag, onReload }: { existing?: Portfolio; etag?: string; onReload?: () => void }) {
  const [form, setForm] = useState({
    name: existing?.name ?? '', description: existing?.description ?? '', start_date: existing?.start_date ?? '',
    end_date: existing?.end_date ?? '', status: existing?.status ?? 'active',
  })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const body = {
      name: form.name, description: form.description, start_date: orNull(form.start_date), end_date: orNull(form.end_date),
    }
    const result = existing
      ? await send(() => api.PATCH('/api/v1/portfolios/{portfolio_id}', {
          params: { path: { portfolio_id: existing.id }, header: { 'If-Match': etag ?? '' } },
          // The status only when it changes: closing and reopening are actions of their own.
          body: { ...body, ...(form.status !== existing.status ? { status: form.status as Schemas['RecordStatus'] } : {}) },
        }), LABELS)
      : await send(() => api.POST('/api/v1/portfolios', { body }), LABELS)
    setBusy(false)
    if (result.data) navigate('/portfolios')
    else setErrors(result.errors ?? null)
  }
  return (
    <FormPage heading={existing ? `Change ${existing.name}` : 'Add a portfolio'} caption="Portfolio" errors={errors}
      onReload={onReload} onSubmit={submit} busy={busy} submitText={existing ? 'Save the changes' : 'Add the portfolio'}
      back="/portfolios">
      <TextInput name="name" label="Name" labelClass="govuk-label--s" errors={errors} value={form.name} onInput={set('name')} />
      <TextArea name="description" label="Description (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.description} onInput={set('description')} rows={3} />
      <DateInput name="start_date" label="Start date (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.start_date} onInput={set('start_date')} />
      <DateInput name="end_date" label="End date (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.end_date} onInput={set('end_date')} />
      {existing && existing.allowed_actions.some((a) => a === 'close' || a === 'reopen') && (
        <Radios name="status" label="Status" errors={errors} value={form.status} onChange={set('status')}
          hint="A portfolio closes once all its programmes are closed; it then takes no new programme."
          options={[{ value: 'active', text: 'Active' }, { value: 'closed', text: 'Closed' }]} />
      )}
    </FormPage>
  )
}

/** Deleting a portfolio: asked first; the API refuses while it holds programmes. */
export function PortfolioDelete({ id }: { id: string }) {
  const view = useResource(`portfolio-${id}`, () =>
    load(() => api.GET('/api/v1/portfolios/{portfolio_id}', { params: { path: { portfolio_id: id } } })),
  )
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading the portfolio" />
  const portfolio = view.data
  return (
    <ConfirmDelete caption="Portfolio" name={portfolio.name} back="/portfolios" done="/portfolios"
      explain="Only an empty portfolio can be deleted: move or delete its programmes first. To keep its record, close it instead."
      request={() => api.DELETE('/api/v1/portfolios/{portfolio_id}', { params: { path: { portfolio_id: portfolio.id } } })} />
  )
}

import { useState } from 'preact/hooks'
import { HistoryPanel } from '../components/HistoryPanel'
import { RecordList } from '../components/RecordList'
import { api, type Schemas } from '../api/client'
import { ErrorSummary, Loading, ProblemPage, Radios, Select, SortHeader, TextArea, TextInput } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { humanise } from '../lib/format'
import { useCan } from '../lib/me'
import { pounds, poundsInput } from '../lib/money'
import type { FormErrors } from '../lib/problem'
import { readQuery, withFilter, writeQuery } from '../lib/query'
import { navigate, useLocation } from '../lib/router'
import { RowAction, Success, useRowActions } from './Admin'
import { send } from './Drawdowns'

type Source = Schemas['FundingSourcePublic']

const KINDS = ['reserve', 'revenue_budget', 'capital_budget', 'capital_receipts', 'grant', 'other'] as const
const KEYS = ['q', 'kind', 'status', 'sort', 'offset'] as const
const LIMIT = 25

export function FundingSources() {
  const can = useCan()
  const { path, search } = useLocation()
  const query = readQuery(search, KEYS)
  const [filters, setFilters] = useState({ q: query.q ?? '', kind: query.kind ?? '', status: query.status ?? '' })
  const list = useResource(`funding-sources${writeQuery(query)}`, () =>
    load(() =>
      api.GET('/api/v1/funding-sources', {
        params: {
          query: {
            q: query.q,
            kind: query.kind as Schemas['FundingKind'] | undefined,
            status: query.status as Schemas['FundingStatus'] | undefined,
            sort: query.sort ?? 'name',
            limit: LIMIT,
            offset: Number(query.offset ?? 0),
          },
        },
      }),
    ),
  )
  const actions = useRowActions(list.reload)
  // The column of buttons shows when you may change or delete any source on the page.
  const changeable = (list.data?.items ?? []).some((s) => s.allowed_actions.length > 0)
  const apply = (event: Event) => {
    event.preventDefault()
    let next: Record<string, string> = { ...query }
    for (const [key, value] of Object.entries(filters)) next = withFilter(next, key, value.trim())
    navigate(path + writeQuery(next))
  }
  return (
    <>
      <h1 class="govuk-heading-l">Funding sources</h1>
      <p class="govuk-body">
        The reserves and budgets draw-downs come from. Committed is what approved draw-downs have taken; pending is what
        waits for consultation or a decision; remaining is the opening balance less committed.
      </p>
      <p class="govuk-body">
        <a class="govuk-link" href="/delegation-rules">Delegation rules: who approves draw-downs, up to what limit</a>
      </p>
      <Success text={actions.done} />
      <ErrorSummary errors={actions.errors} />
      <RecordList
        list={list}
        noun={['funding source', 'funding sources']}
        create={can('funding_sources:manage') ? { href: '/funding-sources/new', text: 'Add a funding source' } : null}
        filters={
          <form onSubmit={apply} class="govuk-!-margin-bottom-6" role="search" aria-label="Filter funding sources">
            <div class="govuk-grid-row">
              <div class="govuk-grid-column-one-third">
                <TextInput name="filter-q" label="Name" labelClass="govuk-label--s" type="search" errors={null} value={filters.q}
                  onInput={(q) => setFilters({ ...filters, q })} />
              </div>
              <div class="govuk-grid-column-one-third">
                <Select name="filter-kind" label="Kind" labelClass="govuk-label--s" errors={null} value={filters.kind}
                  onChange={(kind) => setFilters({ ...filters, kind })}
                  options={[{ value: '', text: 'Any kind' }, ...KINDS.map((k) => ({ value: k, text: humanise(k) }))]} />
              </div>
              <div class="govuk-grid-column-one-third">
                <Select name="filter-status" label="Status" labelClass="govuk-label--s" errors={null} value={filters.status}
                  onChange={(status) => setFilters({ ...filters, status })}
                  options={[{ value: '', text: 'Open or closed' }, { value: 'open', text: 'Open' }, { value: 'closed', text: 'Closed' }]} />
              </div>
            </div>
            <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0">
              Apply filters
            </button>
          </form>
        }
        caption="Funding sources and their balances"
        testId="funding-sources"
        head={
          <>
            <SortHeader label="Name" column="name" query={query} path={path} />
            <th scope="col" class="govuk-table__header govuk-table__header--numeric">Opening balance</th>
            <th scope="col" class="govuk-table__header govuk-table__header--numeric">Committed</th>
            <th scope="col" class="govuk-table__header govuk-table__header--numeric">Pending</th>
            <th scope="col" class="govuk-table__header govuk-table__header--numeric">Remaining</th>
            <th scope="col" class="govuk-table__header">Kind</th>
            <th scope="col" class="govuk-table__header">Years</th>
            <th scope="col" class="govuk-table__header">Status</th>
          </>
        }
        actionsHead={changeable}
        rowKey={(s) => s.id}
        row={(s) => (
          <>
            <th scope="row" class="govuk-table__header">
              <a class="govuk-link" href={`/drawdowns?funding_source_id=${s.id}`}>{s.name}</a>
            </th>
            <td class="govuk-table__cell govuk-table__cell--numeric app-nowrap">{pounds(s.opening_balance)}</td>
            <td class="govuk-table__cell govuk-table__cell--numeric app-nowrap">{pounds(s.committed)}</td>
            <td class="govuk-table__cell govuk-table__cell--numeric app-nowrap">{pounds(s.pending)}</td>
            <td class="govuk-table__cell govuk-table__cell--numeric app-nowrap">{pounds(s.remaining)}</td>
            <td class="govuk-table__cell">{humanise(s.kind)}</td>
            <td class="govuk-table__cell app-nowrap">{years(s)}</td>
            <td class="govuk-table__cell">{humanise(s.status)}</td>
            {changeable && (
              <td class="govuk-table__cell">
                <div class="govuk-button-group govuk-!-margin-bottom-0">
                  {s.allowed_actions.includes('edit') && (
                    <a class="govuk-link" href={`/funding-sources/${s.id}/edit`}>
                      Change<span class="govuk-visually-hidden"> {s.name}</span>
                    </a>
                  )}
                  {s.allowed_actions.includes('delete') && (
                    <RowAction label="Delete" confirm="Yes, delete it" what={s.name}
                      onAct={() => actions.act(
                        () => api.DELETE('/api/v1/funding-sources/{funding_source_id}', { params: { path: { funding_source_id: s.id } } }),
                        () => `${s.name} is deleted.`,
                      )} />
                  )}
                </div>
              </td>
            )}
          </>
        )}
        paging={{ limit: LIMIT, offset: Number(query.offset ?? 0), query, path }}
      />
    </>
  )
}

function years(source: Source): string {
  if (!source.first_year && !source.last_year) return 'Any year'
  return `${source.first_year ?? 'any'} to ${source.last_year ?? 'any'}`
}

const LABELS = {
  name: 'Name',
  kind: 'Kind',
  description: 'Description',
  opening_balance: 'Opening balance',
  first_year: 'First financial year',
  last_year: 'Last financial year',
  status: 'Status',
}

export function FundingSourceNew() {
  return <SourceForm />
}

export function FundingSourceEdit({ id }: { id: string }) {
  const source = useResource(`funding-source-${id}`, async (): Promise<Loaded<{ source: Source; etag: string }>> => {
    let etag = ''
    const result = await load(async () => {
      const fetched = await api.GET('/api/v1/funding-sources/{funding_source_id}', { params: { path: { funding_source_id: id } } })
      etag = fetched.response.headers.get('ETag') ?? ''
      return fetched
    })
    if (result.problem) return result
    return { data: { source: result.data, etag } }
  })
  if (source.problem) return <ProblemPage problem={source.problem} onRetry={source.reload} />
  if (!source.data) return <Loading />
  return (
    <>
      <SourceForm key={source.data.etag} existing={source.data.source} etag={source.data.etag} onReload={source.reload} />
      <HistoryPanel kind="funding_source" id={id} version={source.data.etag} />
    </>
  )
}

function SourceForm({ existing, etag, onReload }: { existing?: Source; etag?: string; onReload?: () => void }) {
  const [form, setForm] = useState({
    name: existing?.name ?? '',
    kind: existing?.kind ?? 'reserve',
    description: existing?.description ?? '',
    opening_balance: existing?.opening_balance ?? '',
    first_year: existing?.first_year ?? '',
    last_year: existing?.last_year ?? '',
    status: existing?.status ?? 'open',
  })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const common = {
      name: form.name,
      kind: form.kind as Schemas['FundingKind'],
      description: form.description,
      opening_balance: poundsInput(form.opening_balance),
      first_year: form.first_year.trim() || null,
      last_year: form.last_year.trim() || null,
    }
    const result = existing
      ? await send(
          () =>
            api.PATCH('/api/v1/funding-sources/{funding_source_id}', {
              params: { path: { funding_source_id: existing.id }, header: { 'If-Match': etag ?? '' } },
              body: { ...common, status: form.status as Schemas['FundingStatus'] },
            }),
          LABELS,
        )
      : await send(() => api.POST('/api/v1/funding-sources', { body: common }), LABELS)
    setBusy(false)
    if (result.data) navigate('/funding-sources')
    else setErrors(result.errors ?? null)
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} onReload={onReload} />
        <h1 class="govuk-heading-l">{existing ? `Change ${existing.name}` : 'Add a funding source'}</h1>
        {existing && (
          <p class="govuk-body">
            Committed: {pounds(existing.committed)}. The opening balance cannot go below it.
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <TextInput name="name" label="Name" labelClass="govuk-label--s" errors={errors} value={form.name} onInput={set('name')} />
          <Select name="kind" label="Kind" labelClass="govuk-label--s" errors={errors} value={form.kind} onChange={set('kind')}
            options={KINDS.map((k) => ({ value: k, text: humanise(k) }))} />
          <TextArea name="description" label="Description" labelClass="govuk-label--s" errors={errors} value={form.description}
            onInput={set('description')} rows={3} />
          <TextInput name="opening_balance" label="Opening balance" labelClass="govuk-label--s"
            hint="In pounds and pence, for example 500000.00" errors={errors} value={form.opening_balance}
            onInput={set('opening_balance')} width="10" spellcheck={false} />
          <TextInput name="first_year" label="First financial year (optional)" labelClass="govuk-label--s"
            hint="For example 2022/23. Leave empty for no limit." errors={errors} value={form.first_year}
            onInput={set('first_year')} width="5" />
          <TextInput name="last_year" label="Last financial year (optional)" labelClass="govuk-label--s" errors={errors}
            value={form.last_year} onInput={set('last_year')} width="5" />
          {existing && (
            <Radios name="status" label="Status" value={form.status} onChange={set('status')} errors={errors}
              options={[{ value: 'open', text: 'Open' }, { value: 'closed', text: 'Closed: no new request or approval' }]} />
          )}
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button" disabled={busy}>
              {existing ? 'Save the changes' : 'Add the funding source'}
            </button>
            <a class="govuk-link" href="/funding-sources">
              Cancel
            </a>
          </div>
        </form>
      </div>
    </div>
  )
}

// One register's list page body, written once: the "Add" button, the filters, the count, the
// table (or the empty message) and the pages, with the loading and problem states.
//
// Use it for any page that lists records of one kind from a paged API answer:
//
//   const list = useResource(key, () => load(() => api.GET('/api/v1/funding-sources', ...)))
//   <RecordList
//     list={list}                                  // the useResource() of a Page ({ items, total })
//     noun={['funding source', 'funding sources']} // one, many: "3 funding sources", "Loading funding sources"
//     create={can('funding_sources:manage') ? { href: '/funding-sources/new', text: 'Add a funding source' } : null}
//     filters={<form role="search">…</form>}       // optional, shown between the button and the count
//     caption="Funding sources and their balances" // the table's caption, read by screen readers
//     testId="funding-sources"                     // the table's data-testid
//     head={<><SortHeader …/><th …>Kind</th></>}   // the header cells (the row is made here)
//     row={(item) => <><th scope="row" …>…</th><td …>…</td></>}  // one item's cells (the row is made here)
//     rowKey={(item) => item.id}
//     paging={{ limit, offset, query, path }}      // optional: without it, no page links
//   />
//
// Buttons on a row follow the record's `allowed_actions`: let `row` show them, and give
// `actionsHead` to add the visually hidden "Actions" header when any item on the page has one.
import type { ComponentChildren } from 'preact'
import type { Problem } from '../lib/problem'
import type { QueryState } from '../lib/query'
import { Loading, Pagination, ProblemPage, Scroll } from './ui'

export interface ListResource<T> {
  data?: { items: T[]; total: number } | null
  problem?: Problem | null
  reload: () => void
}

export interface RecordListProps<T> {
  list: ListResource<T>
  noun: [one: string, many: string]
  create?: { href: string; text: string } | null
  filters?: ComponentChildren
  caption: string
  testId: string
  head: ComponentChildren
  /** True when the page's items have a column of buttons: adds its (visually hidden) header. */
  actionsHead?: boolean
  row: (item: T) => ComponentChildren
  rowKey: (item: T) => string
  paging?: { limit: number; offset: number; query: QueryState; path: string }
  /** Shown instead of the table when there is nothing to list (default "No <many> yet."). */
  empty?: string
}

export function RecordList<T>(props: RecordListProps<T>) {
  const { list, noun, create, filters, caption, testId, head, actionsHead, row, rowKey, paging, empty } = props
  const [one, many] = noun
  return (
    <>
      {create && (
        <a class="govuk-button" href={create.href}>
          {create.text}
        </a>
      )}
      {filters}
      {list.problem ? (
        <ProblemPage problem={list.problem} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading what={`Loading ${many}`} />
      ) : (
        <>
          <p class="govuk-body" role="status">
            {list.data.total} {list.data.total === 1 ? one : many}
          </p>
          {list.data.items.length === 0 ? (
            <p class="govuk-body">{empty ?? `No ${many} yet.`}</p>
          ) : (
            <Scroll label={many.charAt(0).toUpperCase() + many.slice(1)}>
              <table class="govuk-table" data-testid={testId}>
                <caption class="govuk-table__caption govuk-visually-hidden">{caption}</caption>
                <thead class="govuk-table__head">
                  <tr class="govuk-table__row">
                    {head}
                    {actionsHead && (
                      <th scope="col" class="govuk-table__header">
                        <span class="govuk-visually-hidden">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody class="govuk-table__body">
                  {list.data.items.map((item) => (
                    <tr class="govuk-table__row" key={rowKey(item)}>
                      {row(item)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
          )}
          {paging && <Pagination total={list.data.total} {...paging} />}
        </>
      )}
    </>
  )
}

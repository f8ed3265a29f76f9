import { api, type Schemas } from '../api/client'
import { load, useResource } from '../lib/data'
import { describe } from '../lib/problem'
import { formatDateTime } from '../lib/format'

type Kind = Schemas['RecordHistory']['kind']

const when = formatDateTime

/** A record's change history from the audit trail: who, when, and each field before and after.
 * `version` (the record's `updated_at` or ETag) reads it again when the page's record changes. */
export function HistoryPanel({ kind, id, version }: { kind: Kind; id: string; version?: string | number }) {
  const history = useResource(`${kind}/${id}/${version ?? ''}`, () => load(() => api.GET('/api/v1/history/{kind}/{record_id}', { params: { path: { kind, record_id: id } } })))
  return (
    <section aria-labelledby="history-heading" class="app-history" data-testid="history">
      <h2 class="govuk-heading-m" id="history-heading">History</h2>
      {history.problem && <p class="govuk-body">The history could not be shown: {describe(history.problem)}</p>}
      {history.loading && !history.data && <p class="govuk-body">Loading the history…</p>}
      {history.data && history.data.entries.length === 0 && <p class="govuk-body">None recorded</p>}
      {history.data?.entries.map((entry) => (
        <div class="govuk-!-margin-bottom-6" key={entry.seq}>
          <h3 class="govuk-heading-s govuk-!-margin-bottom-2">
            {entry.action_label}: {entry.record_label.toLowerCase()}, by {entry.actor_label}, {when(entry.occurred_at)}
          </h3>
          {entry.changes.length > 0 && (
            <table class="govuk-table">
              <caption class="govuk-visually-hidden">
                {entry.action_label} by {entry.actor_label}, {when(entry.occurred_at)}
              </caption>
              <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                  <th scope="col" class="govuk-table__header">Field</th>
                  <th scope="col" class="govuk-table__header">Before</th>
                  <th scope="col" class="govuk-table__header">After</th>
                </tr>
              </thead>
              <tbody class="govuk-table__body">
                {entry.changes.map((change) => (
                  <tr class="govuk-table__row" key={change.field}>
                    <th scope="row" class="govuk-table__header">{change.label}</th>
                    <td class="govuk-table__cell">{change.before ?? '—'}</td>
                    <td class="govuk-table__cell">{change.after ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
    </section>
  )
}

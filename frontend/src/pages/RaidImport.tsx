import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { FileField, RowsToCorrect, type RowProblem, useFileImport } from '../components/FileImport'
import { ErrorSummary, Radios, Scroll } from '../components/ui'
import type { FieldProblem, Problem } from '../lib/problem'

// Importing RAID items from CSV (`POST /raid-imports/{log}`): the file is checked first
// (`dry_run=true`), every bad row is listed and nothing is imported; a clean file is imported
// whole. Each row names its project by reference, so the page asks only for the log.

type Result = Schemas['RaidImportResult']
type Log = 'risks' | 'issues' | 'assumptions' | 'dependencies'

const LOGS: { value: Log; text: string; one: string; columns: string }[] = [
  {
    value: 'risks', text: 'Risks', one: 'risk',
    columns: 'project, title, category, cause, event, effect, nature, inherent_likelihood, inherent_impact, residual_likelihood, ' +
      'residual_impact, target_likelihood, target_impact, proximity, response_type, review_date, owner_email, raised_on',
  },
  {
    value: 'issues', text: 'Issues', one: 'issue',
    columns: 'project, title, description, issue_type, category, priority, severity, raised_by_email, owner_email, due_date, resolution, status',
  },
  { value: 'assumptions', text: 'Assumptions', one: 'assumption', columns: 'project, statement, category, owner_email, validate_by, status' },
  {
    value: 'dependencies', text: 'Dependencies', one: 'dependency',
    columns: 'project, other_project, external_party, direction, title, description, category, owner_email, needed_by, status',
  },
]

const REGISTER_TYPE: Record<Log, string> = { risks: 'risk', issues: 'issue', assumptions: 'assumption', dependencies: 'dependency' }

function logOf(log: Log) {
  return LOGS.find((l) => l.value === log) ?? LOGS[0]!
}

/** "3 assumptions", "1 dependency". */
function itemCount(log: Log, count: number): string {
  const { text, one } = logOf(log)
  return `${count} ${count === 1 ? one : text.toLowerCase()}`
}

/** A problem's row errors: `location` is ["body", row, column], the header being row 1. */
function rowProblems(problem: Problem): RowProblem[] {
  return (problem.errors ?? [])
    .filter((e: FieldProblem) => e.location.length >= 2 && e.location[0] === 'body' && typeof e.location[1] === 'number')
    .map((e) => ({
      row: e.location[1] as number,
      column: e.location.length > 2 ? String(e.location[2]) : '',
      message: e.message,
    }))
}

function send(log: Log, dryRun: boolean, form: FormData) {
  const options = { params: { query: { dry_run: dryRun } }, body: form as unknown as string }
  switch (log) {
    case 'risks':
      return api.POST('/api/v1/raid-imports/risks', options)
    case 'issues':
      return api.POST('/api/v1/raid-imports/issues', options)
    case 'assumptions':
      return api.POST('/api/v1/raid-imports/assumptions', options)
    case 'dependencies':
      return api.POST('/api/v1/raid-imports/dependencies', options)
  }
}

export function RaidImport() {
  const [log, setLog] = useState<Log>('risks')
  const { errors, rows, checked, imported, busy, run, reset, chooseFile } = useFileImport<Result>(
    (dryRun, form) => send(log, dryRun, form),
    rowProblems,
    'Choose a CSV file',
  )
  const current = logOf(log)

  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-full">
        <ErrorSummary errors={errors} />
        <span class="govuk-caption-l">
          <a class="govuk-link govuk-link--no-visited-state" href="/raid-register">RAID register</a>
        </span>
        <h1 class="govuk-heading-l">Import RAID items</h1>
        <p class="govuk-body">
          New risks, issues, assumptions or dependencies from a CSV file, one item per row. Each row names its project by
          reference (such as P-0042) and people by email; an export of the log can be edited and imported as new items. The
          file is checked first; nothing is imported while any row is wrong.
        </p>
        {imported && (
          <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="import-done">
            <div class="govuk-notification-banner__header">
              <h2 class="govuk-notification-banner__title" id="import-done">
                Imported
              </h2>
            </div>
            <div class="govuk-notification-banner__content">
              <p class="govuk-notification-banner__heading">
                Imported {itemCount(imported.log as Log, imported.count)}
                {imported.items.length > 0 &&
                  `: ${imported.items[0]?.reference}${imported.items.length > 1 ? ` to ${imported.items[imported.items.length - 1]?.reference}` : ''}`}
                .
              </p>
              <p class="govuk-body">
                <a class="govuk-notification-banner__link" href={`/raid-register?type=${REGISTER_TYPE[imported.log as Log] ?? ''}`}>
                  Go to the RAID register
                </a>
              </p>
            </div>
          </div>
        )}
        <form noValidate onSubmit={(event) => {
          event.preventDefault()
          void run(true)
        }}>
          <Radios name="log" label="Which log" value={log} small errors={errors}
            onChange={(value) => {
              setLog(value as Log)
              reset()
            }}
            options={LOGS.map(({ value, text }) => ({ value, text }))} />
          <p class="govuk-body" data-testid="import-columns">
            The columns for {current.text.toLowerCase()}: <code>{current.columns}</code>. Empty cells take the usual defaults.
          </p>
          <FileField errors={errors} hint="CSV (UTF-8, header row first), at most 20 MB" accept=".csv,text/csv" onChoose={chooseFile} />
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button govuk-button--secondary" disabled={busy}>
              Check the file
            </button>
            {checked && (
              <button type="button" class="govuk-button" disabled={busy} onClick={() => void run(false)}>
                Import {itemCount(checked.log as Log, checked.count)}
              </button>
            )}
          </div>
        </form>
        {checked && (
          <p class="govuk-body" role="status" data-testid="import-checked">
            Every row is good: {itemCount(checked.log as Log, checked.count)} can be imported.
          </p>
        )}
        {imported && imported.items.length > 0 && (
          <Scroll label="Imported items">
            <table class="govuk-table" data-testid="imported-items">
              <caption class="govuk-table__caption govuk-table__caption--s">Imported items</caption>
              <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                  <th scope="col" class="govuk-table__header govuk-table__header--numeric">Row</th>
                  <th scope="col" class="govuk-table__header">Reference</th>
                  <th scope="col" class="govuk-table__header">Title</th>
                  <th scope="col" class="govuk-table__header">Project</th>
                </tr>
              </thead>
              <tbody class="govuk-table__body">
                {imported.items.slice(0, 200).map((item) => (
                  <tr class="govuk-table__row" key={item.row}>
                    <td class="govuk-table__cell govuk-table__cell--numeric">{item.row}</td>
                    <td class="govuk-table__cell">{item.reference}</td>
                    <td class="govuk-table__cell">{item.title}</td>
                    <td class="govuk-table__cell">{item.project ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
        )}
        {imported && imported.items.length > 200 && (
          <p class="govuk-body">The first 200 of {imported.items.length} are listed.</p>
        )}
        <RowsToCorrect rows={rows} />
      </div>
    </div>
  )
}

import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { FileField, RowsToCorrect, type RowProblem, useFileImport } from '../components/FileImport'
import { ErrorSummary, Select } from '../components/ui'
import type { FieldProblem, Problem } from '../lib/problem'

type Result = Schemas['KpiImportResult']

/** A problem's row errors: `location` is ["body", sheet, row, column], the header being row 1. */
function rowProblems(problem: Problem): RowProblem[] {
  return (problem.errors ?? [])
    .filter((e: FieldProblem) => e.location.length >= 3 && e.location[0] === 'body')
    .map((e) => ({
      sheet: String(e.location[1]),
      row: typeof e.location[2] === 'number' ? e.location[2] : null,
      column: e.location.length > 3 ? String(e.location[3]) : '',
      message: e.message,
    }))
}

const KINDS = [
  { value: '', text: 'Tell from the header row (or every sheet of a workbook)' },
  { value: 'definitions', text: 'Definitions' },
  { value: 'targets', text: 'Targets' },
  { value: 'values', text: 'Values' },
]

function counts(result: Result): string {
  return `${result.definitions} ${result.definitions === 1 ? 'definition' : 'definitions'}, ${result.targets} ${
    result.targets === 1 ? 'target' : 'targets'
  } and ${result.values} ${result.values === 1 ? 'value' : 'values'}`
}

/** Import KPI history: a dry run first lists every bad row; only a clean file is imported. */
export function KpiImport() {
  const [kind, setKind] = useState('')
  const { errors, rows, checked, imported, busy, run, reset, chooseFile } = useFileImport<Result>(
    (dryRun, form) =>
      api.POST('/api/v1/kpi-imports', {
        params: { query: { dry_run: dryRun, kind: (kind || undefined) as Schemas['Kind'] | undefined } },
        body: form as unknown as string,
      }),
    rowProblems,
    'Choose a CSV or XLSX file',
  )

  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-full">
        <ErrorSummary errors={errors} />
        <h1 class="govuk-heading-l">Import KPI history</h1>
        <p class="govuk-body">
          Definitions, targets and values from your old performance system: a CSV with one kind of row, or an XLSX workbook
          with the sheets <code>definitions</code>, <code>targets</code> and <code>values</code>. The columns are in the README
          of the service. The file is checked first; nothing is imported while any row is wrong.
        </p>
        {imported && (
          <div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="import-done">
            <div class="govuk-notification-banner__header">
              <h2 class="govuk-notification-banner__title" id="import-done">
                Imported
              </h2>
            </div>
            <div class="govuk-notification-banner__content">
              <p class="govuk-notification-banner__heading">Imported {counts(imported)}.</p>
              <p class="govuk-body">
                <a class="govuk-notification-banner__link" href="/kpis">
                  Go to the KPIs
                </a>
              </p>
            </div>
          </div>
        )}
        <form noValidate onSubmit={(event) => {
          event.preventDefault()
          void run(true)
        }}>
          <FileField errors={errors} hint="CSV (UTF-8, header row first) or XLSX, at most 20 MB" onChoose={chooseFile}
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" />
          <Select name="kind" label="What the file holds" value={kind} onChange={(value) => {
            setKind(value)
            reset()
          }} options={KINDS} errors={errors} labelClass="govuk-label--s" />
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button govuk-button--secondary" disabled={busy}>
              Check the file
            </button>
            {checked && (
              <button type="button" class="govuk-button" disabled={busy} onClick={() => void run(false)}>
                Import {counts(checked)}
              </button>
            )}
          </div>
        </form>
        {checked && (
          <p class="govuk-body" role="status" data-testid="import-checked">
            Every row is good: {counts(checked)} can be imported.
          </p>
        )}
        <RowsToCorrect rows={rows} sheets />
      </div>
    </div>
  )
}

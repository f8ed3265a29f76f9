import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { ErrorSummary, Scroll, Select } from '../components/ui'
import { humanise } from '../lib/format'
import { type FieldProblem, type FormErrors, NETWORK_PROBLEM, type Problem, problemFrom, toFormErrors } from '../lib/problem'

type Result = Schemas['KpiImportResult']

interface RowProblem {
  sheet: string
  row: number | null
  column: string
  message: string
}

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
  const [file, setFile] = useState<File | null>(null)
  const [kind, setKind] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [rows, setRows] = useState<RowProblem[]>([])
  const [checked, setChecked] = useState<Result | null>(null)
  const [imported, setImported] = useState<Result | null>(null)
  const [busy, setBusy] = useState(false)

  const run = async (dryRun: boolean) => {
    if (!file) {
      setErrors({ status: 422, fields: { file: 'Choose a CSV or XLSX file' }, summary: [{ text: 'Choose a CSV or XLSX file', href: '#field-file' }] })
      return
    }
    setBusy(true)
    setRows([])
    const form = new FormData()
    form.append('file', file, file.name)
    try {
      const { data, error, response } = await api.POST('/api/v1/kpi-imports', {
        params: { query: { dry_run: dryRun, kind: (kind || undefined) as Schemas['Kind'] | undefined } },
        body: form as unknown as string,
      })
      if (response.ok && data) {
        setErrors(null)
        if (dryRun) setChecked(data)
        else {
          setImported(data)
          setChecked(null)
        }
      } else {
        const problem = await problemFrom(response, error)
        const bad = rowProblems(problem)
        setRows(bad)
        setChecked(null)
        setErrors(
          bad.length
            ? { status: problem.status, fields: {}, summary: [{ text: problem.detail ?? problem.title, href: '#import-errors' }] }
            : toFormErrors(problem, { file: 'File' }),
        )
      }
    } catch {
      setErrors(toFormErrors(NETWORK_PROBLEM))
    } finally {
      setBusy(false)
    }
  }

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
          <div class={`govuk-form-group${errors?.fields.file ? ' govuk-form-group--error' : ''}`}>
            <label class="govuk-label govuk-label--s" for="field-file">
              File
            </label>
            <div class="govuk-hint" id="field-file-hint">
              CSV (UTF-8, header row first) or XLSX, at most 20 MB
            </div>
            {errors?.fields.file && (
              <p class="govuk-error-message" id="field-file-error">
                <span class="govuk-visually-hidden">Error:</span> {errors.fields.file}
              </p>
            )}
            <input class={`govuk-file-upload${errors?.fields.file ? ' govuk-file-upload--error' : ''}`} id="field-file" name="file"
              type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              aria-describedby={`field-file-hint${errors?.fields.file ? ' field-file-error' : ''}`}
              onChange={(event) => {
                setFile((event.target as HTMLInputElement).files?.[0] ?? null)
                setChecked(null)
                setImported(null)
                setRows([])
              }} />
          </div>
          <Select name="kind" label="What the file holds" value={kind} onChange={(value) => {
            setKind(value)
            setChecked(null)
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
        {rows.length > 0 && (
          <>
            <h2 class="govuk-heading-m" id="import-errors" tabIndex={-1}>
              Rows to correct
            </h2>
            <p class="govuk-body">Nothing was imported. Correct these rows in the file and check it again.</p>
            <Scroll label="Rows to correct">
              <table class="govuk-table" data-testid="import-errors">
                <caption class="govuk-table__caption govuk-visually-hidden">Rows to correct</caption>
                <thead class="govuk-table__head">
                  <tr class="govuk-table__row">
                    <th scope="col" class="govuk-table__header">Sheet</th>
                    <th scope="col" class="govuk-table__header govuk-table__header--numeric">Row</th>
                    <th scope="col" class="govuk-table__header">Column</th>
                    <th scope="col" class="govuk-table__header">Problem</th>
                  </tr>
                </thead>
                <tbody class="govuk-table__body">
                  {rows.map((row, i) => (
                    <tr class="govuk-table__row" key={i}>
                      <td class="govuk-table__cell">{humanise(row.sheet)}</td>
                      <td class="govuk-table__cell govuk-table__cell--numeric">{row.row ?? ''}</td>
                      <td class="govuk-table__cell">{row.column}</td>
                      <td class="govuk-table__cell">{row.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Scroll>
          </>
        )}
      </div>
    </div>
  )
}

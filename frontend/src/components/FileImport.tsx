import { useState } from 'preact/hooks'
import { humanise } from '../lib/format'
import { type FormErrors, NETWORK_PROBLEM, type Problem, fieldId, problemFrom, toFormErrors } from '../lib/problem'
import { FileInput, Scroll } from './ui'

// One way to import a file (KPI history, RAID logs): it is checked first (`dry_run=true`),
// every bad row is listed and nothing is imported; a clean file is then imported whole.

/** A bad row of a file: the sheet only for workbooks, the header being row 1. */
export interface RowProblem {
  sheet?: string
  row: number | null
  column: string
  message: string
}

type Sent<R> = Promise<{ data?: R; error?: unknown; response: Response }>

/** The state of an import page: the chosen file, the checked and the imported result, the
 * rows to correct. `send` posts the file (a dry run or the import); `rowProblems` reads the
 * bad rows from the API's problem; `choose` is the message when no file was chosen. */
export function useFileImport<R>(send: (dryRun: boolean, form: FormData) => Sent<R>, rowProblems: (problem: Problem) => RowProblem[], choose: string) {
  const [file, setFile] = useState<File | null>(null)
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [rows, setRows] = useState<RowProblem[]>([])
  const [checked, setChecked] = useState<R | null>(null)
  const [imported, setImported] = useState<R | null>(null)
  const [busy, setBusy] = useState(false)

  /** Forgets the last check and import: the file or what it is read as has changed. */
  const reset = () => {
    setChecked(null)
    setImported(null)
    setRows([])
  }
  const chooseFile = (chosen: File | null) => {
    setFile(chosen)
    reset()
  }
  const run = async (dryRun: boolean) => {
    if (!file) {
      setErrors({ status: 422, fields: { file: choose }, summary: [{ text: choose, href: `#${fieldId('file')}` }] })
      return
    }
    setBusy(true)
    setRows([])
    const form = new FormData()
    form.append('file', file, file.name)
    try {
      const { data, error, response } = await send(dryRun, form)
      if (response.ok && data) {
        setErrors(null)
        setChecked(dryRun ? data : null)
        setImported(dryRun ? null : data)
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
  return { errors, rows, checked, imported, busy, run, reset, chooseFile }
}

/** The file input, with its hint and the error about it. */
export function FileField({ errors, hint, accept, onChoose }: { errors: FormErrors | null; hint: string; accept: string; onChoose: (file: File | null) => void }) {
  return <FileInput name="file" label="File" labelClass="govuk-label--s" hint={hint} accept={accept} errors={errors} onChoose={onChoose} />
}

/** Every bad row of a file that was not imported (with its sheet when `sheets`). */
export function RowsToCorrect({ rows, sheets = false }: { rows: RowProblem[]; sheets?: boolean }) {
  if (rows.length === 0) return null
  return (
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
              {sheets && <th scope="col" class="govuk-table__header">Sheet</th>}
              <th scope="col" class="govuk-table__header govuk-table__header--numeric">Row</th>
              <th scope="col" class="govuk-table__header">Column</th>
              <th scope="col" class="govuk-table__header">Problem</th>
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            {rows.map((row, i) => (
              <tr class="govuk-table__row" key={i}>
                {sheets && <td class="govuk-table__cell">{humanise(row.sheet ?? '')}</td>}
                <td class="govuk-table__cell govuk-table__cell--numeric">{row.row ?? ''}</td>
                <td class="govuk-table__cell">{row.column && <code>{row.column}</code>}</td>
                <td class="govuk-table__cell">{row.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
    </>
  )
}

import { type ComponentChildren, type JSX, createContext } from 'preact'
import { useContext, useEffect, useRef, useState } from 'preact/hooks'
import { Chart } from './Chart'
import { type FormErrors, type Problem, describe, fieldId, toFormErrors } from '../lib/problem'
import { ariaSort, nextSort, writeQuery, type QueryState } from '../lib/query'
import { confidenceLabel, humanise, ragTagClass } from '../lib/format'
import { type DateParts, dateParts, isoDate } from '../lib/dates'

// GOV.UK Frontend components as Preact, written to the design system's markup.

// Ids come from field names, so two forms on one page with a field of the same name would share
// an id: each such form is wrapped in an IdPrefix, and every id in it (inputs, hints, error
// messages, the error summary's links) starts with that prefix. Without one, ids are unprefixed.
const Prefix = createContext('')

export function IdPrefix({ prefix, children }: { prefix: string; children: ComponentChildren }) {
  return <Prefix.Provider value={prefix}>{children}</Prefix.Provider>
}

/** The field's id in the form it is in (a field written by hand uses it too). */
export function useFieldId(name: string): string {
  return fieldId(name, useContext(Prefix))
}

export function ErrorSummary({ errors, onReload }: { errors: FormErrors | null; onReload?: () => void }) {
  const ref = useRef<HTMLDivElement>(null)
  const prefix = useContext(Prefix) // the links point at this form's fields, whose ids carry it
  useEffect(() => {
    if (errors) ref.current?.focus()
  }, [errors])
  if (!errors) return null
  return (
    <div class="govuk-error-summary" tabIndex={-1} ref={ref}>
      <div role="alert">
        <h2 class="govuk-error-summary__title">There is a problem</h2>
        <div class="govuk-error-summary__body">
          <ul class="govuk-list govuk-error-summary__list">
            {errors.summary.map((item) => (
              <li key={item.text}>{item.href ? <a href={item.href.replace(/^#/, `#${prefix}`)}>{item.text}</a> : item.text}</li>
            ))}
          </ul>
          {errors.status === 412 && onReload && (
            <button type="button" class="govuk-button govuk-button--secondary" onClick={onReload}>
              Reload the record
            </button>
          )}
        </div>
      </div>
    </div>
  )
}

/** A page whose data could not be loaded: says why, never a blank screen. */
export function ProblemPage({ problem, onRetry }: { problem: Problem; onRetry?: () => void }) {
  const heading =
    problem.status === 404
      ? 'Page not found'
      : problem.status === 403
        ? 'You cannot see this page'
        : problem.status === 0
          ? 'The service could not be reached'
          : 'Sorry, there is a problem'
  return (
    <div>
      <h1 class="govuk-heading-l">{heading}</h1>
      <p class="govuk-body">{describe(problem)}</p>
      {onRetry && problem.status !== 404 && problem.status !== 403 && (
        <button type="button" class="govuk-button govuk-button--secondary" onClick={onRetry}>
          Try again
        </button>
      )}
      <p class="govuk-body">
        <a class="govuk-link" href="/">
          Go to your home page
        </a>
      </p>
    </div>
  )
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="govuk-body" role="status">
      {what}…
    </p>
  )
}

interface FieldProps {
  name: string
  label: string
  hint?: string
  errors: FormErrors | null
  labelClass?: string
}

function FieldShell({ name, label, hint, errors, children, labelClass }: FieldProps & { children: ComponentChildren }) {
  const error = errors?.fields[name]
  const id = useFieldId(name)
  return (
    <div class={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <label class={`govuk-label ${labelClass ?? ''}`} for={id}>
        {label}
      </label>
      <HintAndError id={id} hint={hint} error={error} />
      {children}
    </div>
  )
}

/** A field's hint and its error message, with the ids its `aria-describedby` names. */
function HintAndError({ id, hint, error }: { id: string; hint: string | undefined; error: string | undefined }) {
  return (
    <>
      {hint && (
        <div class="govuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <p class="govuk-error-message" id={`${id}-error`}>
          <span class="govuk-visually-hidden">Error:</span> {error}
        </p>
      )}
    </>
  )
}

/** A group of inputs (radios, checkboxes) under one legend, with its hint and error. */
function FieldsetShell({ name, label, hint, errors, children }: FieldProps & { children: ComponentChildren }) {
  const error = errors?.fields[name]
  const id = useFieldId(name)
  return (
    <div class={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <fieldset class="govuk-fieldset" aria-describedby={describedBy(id, name, hint, errors)}>
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{label}</legend>
        <HintAndError id={id} hint={hint} error={error} />
        {children}
      </fieldset>
    </div>
  )
}

function describedBy(id: string, name: string, hint: string | undefined, errors: FormErrors | null): string | undefined {
  const parts = [hint ? `${id}-hint` : '', errors?.fields[name] ? `${id}-error` : ''].filter(Boolean)
  return parts.length ? parts.join(' ') : undefined
}

/** A file chooser: the chosen file, or null when the choice is cleared. */
export function FileInput(props: FieldProps & { accept?: string; onChoose: (file: File | null) => void }) {
  const { name, accept, errors, hint, onChoose } = props
  const id = useFieldId(name)
  return (
    <FieldShell {...props}>
      <input
        class={`govuk-file-upload${errors?.fields[name] ? ' govuk-file-upload--error' : ''}`}
        id={id}
        name={name}
        type="file"
        accept={accept}
        aria-describedby={describedBy(id, name, hint, errors)}
        onChange={(event) => onChoose((event.target as HTMLInputElement).files?.[0] ?? null)}
      />
    </FieldShell>
  )
}

export function TextInput(
  props: FieldProps & {
    value: string
    onInput: (value: string) => void
    type?: string
    autocomplete?: string
    width?: string
    spellcheck?: boolean
    onBlur?: () => void
  },
) {
  const { name, value, onInput, type = 'text', autocomplete, width, errors, hint, onBlur } = props
  const id = useFieldId(name)
  return (
    <FieldShell {...props}>
      <input
        class={`govuk-input${width ? ` govuk-input--width-${width}` : ''}${errors?.fields[name] ? ' govuk-input--error' : ''}`}
        id={id}
        name={name}
        type={type}
        value={value}
        autocomplete={autocomplete}
        spellcheck={props.spellcheck}
        aria-describedby={describedBy(id, name, hint, errors)}
        onInput={(event) => onInput((event.target as HTMLInputElement).value)}
        onBlur={onBlur}
      />
    </FieldShell>
  )
}

/** The GOV.UK date input: day, month and year boxes for one date, given and returned as the
 * API's ISO date. The day box carries the field's id, so the error summary's link lands on it. */
export function DateInput(
  props: FieldProps & { value: string; onInput: (value: string) => void; hint?: string },
) {
  const { name, label, value, onInput, errors, labelClass } = props
  const hint = props.hint ?? 'For example, 27 3 2026'
  const [parts, setParts] = useState<DateParts>(() => dateParts(value))
  // A value set from outside (a reset, a reload) replaces what the boxes hold.
  useEffect(() => {
    if (isoDate(parts) !== value) setParts(dateParts(value))
  }, [value])
  const id = useFieldId(name)
  const error = errors?.fields[name]
  const change = (box: keyof DateParts) => (event: Event) => {
    const next = { ...parts, [box]: (event.target as HTMLInputElement).value }
    setParts(next)
    onInput(isoDate(next))
  }
  const boxes: [keyof DateParts, string, string][] = [
    ['day', 'Day', '2'],
    ['month', 'Month', '2'],
    ['year', 'Year', '4'],
  ]
  return (
    <div class={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
      <fieldset class="govuk-fieldset" role="group" aria-describedby={describedBy(id, name, hint, errors)}>
        <legend class={`govuk-fieldset__legend ${(labelClass ?? '').replace('govuk-label--', 'govuk-fieldset__legend--')}`}>{label}</legend>
        <HintAndError id={id} hint={hint} error={error} />
        <div class="govuk-date-input">
          {boxes.map(([box, text, width]) => (
            <div class="govuk-date-input__item" key={box}>
              <div class="govuk-form-group">
                <label class="govuk-label govuk-date-input__label" for={box === 'day' ? id : `${id}-${box}`}>
                  {text}
                </label>
                <input
                  class={`govuk-input govuk-date-input__input govuk-input--width-${width}${error ? ' govuk-input--error' : ''}`}
                  id={box === 'day' ? id : `${id}-${box}`}
                  name={`${name}-${box}`}
                  type="text"
                  inputMode="numeric"
                  value={parts[box]}
                  onInput={change(box)}
                />
              </div>
            </div>
          ))}
        </div>
      </fieldset>
    </div>
  )
}

export function TextArea(props: FieldProps & { value: string; onInput: (value: string) => void; rows?: number }) {
  const { name, value, onInput, rows = 4, errors, hint } = props
  const id = useFieldId(name)
  return (
    <FieldShell {...props}>
      <textarea
        class={`govuk-textarea${errors?.fields[name] ? ' govuk-textarea--error' : ''}`}
        id={id}
        name={name}
        rows={rows}
        value={value}
        aria-describedby={describedBy(id, name, hint, errors)}
        onInput={(event) => onInput((event.target as HTMLTextAreaElement).value)}
      />
    </FieldShell>
  )
}

export interface Option {
  value: string
  text: string
}

export function Select(props: FieldProps & { value: string; onChange: (value: string) => void; options: Option[] }) {
  const { name, value, onChange, options, errors, hint } = props
  const id = useFieldId(name)
  return (
    <FieldShell {...props}>
      <select
        class={`govuk-select${errors?.fields[name] ? ' govuk-select--error' : ''}`}
        id={id}
        name={name}
        value={value}
        aria-describedby={describedBy(id, name, hint, errors)}
        onChange={(event) => onChange((event.target as HTMLSelectElement).value)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.text}
          </option>
        ))}
      </select>
    </FieldShell>
  )
}

export function Radios(
  props: FieldProps & { value: string; onChange: (value: string) => void; options: Option[]; small?: boolean },
) {
  const { name, value, onChange, options } = props
  const id = useFieldId(name)
  return (
    <FieldsetShell {...props}>
      <div class={`govuk-radios${props.small ? ' govuk-radios--small' : ''}`}>
        {options.map((option, index) => (
          <div class="govuk-radios__item" key={option.value}>
            <input
              class="govuk-radios__input"
              id={index === 0 ? id : `${id}-${option.value}`}
              name={name}
              type="radio"
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            <label class="govuk-label govuk-radios__label" for={index === 0 ? id : `${id}-${option.value}`}>
              {option.text}
            </label>
          </div>
        ))}
      </div>
    </FieldsetShell>
  )
}

export function Checkboxes(
  props: FieldProps & { values: string[]; onChange: (values: string[]) => void; options: Option[] },
) {
  const { name, values, onChange, options } = props
  const id = useFieldId(name)
  return (
    <FieldsetShell {...props}>
      <div class="govuk-checkboxes govuk-checkboxes--small">
        {options.map((option, index) => (
          <div class="govuk-checkboxes__item" key={option.value}>
            <input
              class="govuk-checkboxes__input"
              id={index === 0 ? id : `${id}-${option.value.replace(/[^a-z0-9]/gi, '-')}`}
              type="checkbox"
              checked={values.includes(option.value)}
              onChange={(event) =>
                onChange(
                  (event.target as HTMLInputElement).checked
                    ? [...values, option.value]
                    : values.filter((v) => v !== option.value),
                )
              }
            />
            <label
              class="govuk-label govuk-checkboxes__label"
              for={index === 0 ? id : `${id}-${option.value.replace(/[^a-z0-9]/gi, '-')}`}
            >
              {option.text}
            </label>
          </div>
        ))}
      </div>
    </FieldsetShell>
  )
}

export function RagTag({ value, label }: { value: string | null | undefined; label?: string }) {
  return <strong class={`govuk-tag ${ragTagClass(value)}`}>{label ?? confidenceLabel(value)}</strong>
}

export function StatusTag({ value }: { value: string }) {
  const colour =
    value === 'approved' || value === 'done' || value === 'closed'
      ? 'govuk-tag--green'
      : value === 'pending' || value === 'open'
        ? 'govuk-tag--blue'
        : value === 'rejected' || value === 'missed'
          ? 'govuk-tag--red'
          : 'govuk-tag--grey'
  return <strong class={`govuk-tag ${colour}`}>{humanise(value)}</strong>
}

/** A sortable column heading: a link that keeps the other filters, with aria-sort. */
export function SortHeader({ label, column, query, path }: { label: string; column: string; query: QueryState; path: string }) {
  const sort = ariaSort(query.sort, column)
  const href = path + writeQuery({ ...query, sort: nextSort(query.sort, column), offset: '' })
  return (
    <th scope="col" class="govuk-table__header" aria-sort={sort}>
      <a class="govuk-link" href={href}>
        {label}
        <span class="govuk-visually-hidden">, sort {sort === 'ascending' ? 'descending' : 'ascending'}</span>
      </a>
    </th>
  )
}

export function Pagination({ total, limit, offset, query, path }: { total: number; limit: number; offset: number; query: QueryState; path: string }) {
  if (total <= limit) return null
  const page = Math.floor(offset / limit) + 1
  const pages = Math.ceil(total / limit)
  const at = (n: number) => path + writeQuery({ ...query, offset: String((n - 1) * limit) })
  return (
    <nav class="govuk-pagination" aria-label="Pages">
      {page > 1 && (
        <div class="govuk-pagination__prev">
          <a class="govuk-link govuk-pagination__link" href={at(page - 1)} rel="prev">
            <span class="govuk-pagination__link-title">Previous<span class="govuk-visually-hidden"> page</span></span>
          </a>
        </div>
      )}
      <p class="govuk-body govuk-!-margin-bottom-0 govuk-!-margin-right-3">
        Page {page} of {pages}
      </p>
      {page < pages && (
        <div class="govuk-pagination__next">
          <a class="govuk-link govuk-pagination__link" href={at(page + 1)} rel="next">
            <span class="govuk-pagination__link-title">Next<span class="govuk-visually-hidden"> page</span></span>
          </a>
        </div>
      )}
    </nav>
  )
}

/** A horizontal bar chart; the bars are decoration, the table beside it is what a screen reader reads. */
/** Counts as horizontal bars (Chart.js, loaded on first use) with the same figures in a table. */
export function BarChart({ caption, rows, unit }: { caption: string; rows: { label: string; value: number }[]; unit: string }) {
  return (
    <figure class="govuk-!-margin-0 govuk-!-margin-bottom-4">
      <figcaption class="govuk-heading-s">{caption}</figcaption>
      <Chart
        label={`${caption}: ${rows.map((row) => `${row.label} ${row.value}`).join(', ')}. The same figures are in the table that follows.`}
        height={48 + 36 * Math.max(rows.length, 1)}
        spec={{
          kind: 'bars',
          labels: rows.map((row) => row.label),
          values: rows.map((row) => row.value),
          valueLabels: rows.map((row) => String(row.value)),
          horizontal: true,
          tick: (value) => String(value),
        }}
      />
      <table class="govuk-table govuk-visually-hidden">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Category</th>
            <th scope="col">{unit}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td>{row.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}

export function SummaryList({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="govuk-summary-list">
      {rows.map(([key, value]) => (
        <div class="govuk-summary-list__row" key={key}>
          <dt class="govuk-summary-list__key">{key}</dt>
          <dd class="govuk-summary-list__value">{value}</dd>
        </div>
      ))}
    </dl>
  )
}

export function Button({ children, ...rest }: JSX.HTMLAttributes<HTMLButtonElement>) {
  return (
    <button type="submit" class="govuk-button" data-prevent-double-click="true" {...rest}>
      {children}
    </button>
  )
}

/** Submit handling shared by forms: a problem from the API becomes the error summary. */
export function formErrors(problem: Problem, labels?: Record<string, string>): FormErrors {
  return toFormErrors(problem, labels)
}

/** Copies a shown-once value (a secret, a link) to the clipboard; says so when it worked. Without a
 * clipboard (an insecure page, or refused) the value stays on the page to select. */
export function CopyButton({ value, label, copiedText }: { value: string; label: string; copiedText: string }) {
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value)
      setCopied(true)
    } catch {
      setCopied(false)
    }
  }
  return (
    <>
      <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={copy}>
        {label}
      </button>
      <p role="status" class="govuk-!-margin-top-2 govuk-!-margin-bottom-0">{copied ? copiedText : ''}</p>
    </>
  )
}

/** A wide table in a region that scrolls sideways on a narrow screen (and can be reached by keyboard). */
export function Scroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="app-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  )
}

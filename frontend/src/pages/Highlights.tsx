import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { authFetch } from '../api/session'
import { Checkboxes, ErrorSummary, Loading, ProblemPage, Radios, RagTag, Scroll, SummaryList, TextArea } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { formatDate, humanise, NONE_RECORDED, NOT_SET } from '../lib/format'
import { useCan, useWho } from '../lib/me'
import { describe, type FormErrors, NETWORK_PROBLEM, type Problem, problemFrom, toFormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { withEtag } from './RaidForms'

type Report = Schemas['HighlightReportPublic']
type Rag = 'green' | 'amber' | 'red'

const DIMENSIONS = ['time', 'cost', 'scope', 'benefits'] as const
const RAG_OPTIONS = [
  { value: 'green', text: 'Green' },
  { value: 'amber', text: 'Amber' },
  { value: 'red', text: 'Red' },
]
const STATUS: Record<string, string> = {
  draft: 'Draft',
  submitted: 'Submitted for review',
  accepted: 'Accepted',
  returned: 'Returned for changes',
}
const LABELS: Record<string, string> = {
  summary: 'Summary',
  achievements: 'Achievements this period',
  next_period: 'Planned for next period',
  decisions_needed: 'Decisions needed',
  comments: 'Comments',
  period: 'Month',
  ...Object.fromEntries(DIMENSIONS.flatMap((d) => [[`${d}_rag`, `${humanise(d)} RAG`], [`${d}_note`, `${humanise(d)}: one sentence`]])),
}

/** Submission names missing parts of the report (["report", "cost_rag"]): shown on those fields. */
function formErrors(problem: Problem): FormErrors {
  const errors = problem.errors?.map((e) => (e.location[0] === 'report' ? { ...e, location: ['body', ...e.location.slice(1)] } : e))
  return toFormErrors({ ...problem, errors }, LABELS)
}

function StatusTag({ report }: { report: Report }) {
  const colour = report.status === 'accepted' ? 'govuk-tag--green' : report.status === 'returned' ? 'govuk-tag--orange' : report.status === 'submitted' ? 'govuk-tag--blue' : 'govuk-tag--grey'
  return (
    <>
      <strong class={`govuk-tag ${colour}`}>{STATUS[report.status] ?? humanise(report.status)}</strong>
      {report.late && (
        <>
          {' '}
          <strong class="govuk-tag govuk-tag--red">Late</strong>
        </>
      )}
    </>
  )
}

/** The months a report can be started for: last month (the usual one) and this month. */
function recentMonths(): { value: string; text: string }[] {
  const now = new Date()
  return [1, 0].map((back) => {
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1))
    const value = `${day.getUTCFullYear()}-${String(day.getUTCMonth() + 1).padStart(2, '0')}`
    return { value, text: day.toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }) }
  })
}

/** The project page's tab: the project's reports, and starting this month's for its manager. */
export function ProjectHighlights({ project }: { project: Schemas['ProjectPublic'] }) {
  const { me } = useWho()
  const can = useCan()
  const reports = useResource(`highlights-${project.id}`, () =>
    load(() => api.GET('/api/v1/highlight-reports', { params: { query: { project_id: project.id, limit: 24 } } })),
  )
  const months = recentMonths()
  const [period, setPeriod] = useState(months[0]?.value ?? '')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const writes = can('highlight_reports:write') && project.project_manager_id === me.id

  const start = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    try {
      const { data, error, response } = await api.POST('/api/v1/highlight-reports', { body: { project_id: project.id, period } })
      if (response.ok && data) navigate(`/highlight-reports/${data.id}`)
      else setErrors(formErrors(await problemFrom(response, error)))
    } catch {
      setErrors(toFormErrors(NETWORK_PROBLEM))
    } finally {
      setBusy(false)
    }
  }

  if (reports.problem) return <ProblemPage problem={reports.problem} onRetry={reports.reload} />
  if (!reports.data) return <Loading />
  return (
    <>
      {reports.data.items.length === 0 ? (
        <p class="govuk-body">No highlight reports you can read yet.</p>
      ) : (
        <table class="govuk-table">
          <caption class="govuk-table__caption govuk-visually-hidden">Highlight reports</caption>
          <thead class="govuk-table__head">
            <tr class="govuk-table__row">
              <th scope="col" class="govuk-table__header">Month</th>
              <th scope="col" class="govuk-table__header">Status</th>
              <th scope="col" class="govuk-table__header">Due by</th>
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            {reports.data.items.map((report) => (
              <tr class="govuk-table__row" key={report.id}>
                <td class="govuk-table__cell">
                  <a class="govuk-link" href={`/highlight-reports/${report.id}`}>
                    {report.period_label}
                  </a>
                </td>
                <td class="govuk-table__cell">
                  <StatusTag report={report} />
                </td>
                <td class="govuk-table__cell">{formatDate(report.due_on)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {writes && (
        <form onSubmit={start} noValidate>
          <ErrorSummary errors={errors} />
          <Radios name="period" label="Start a highlight report for" value={period} onChange={setPeriod} options={months} errors={errors}
            hint="The draft is filled in from the project's milestones, risks, issues and KPIs." small />
          <button type="submit" class="govuk-button" disabled={busy}>
            Start the report
          </button>
        </form>
      )}
    </>
  )
}

/** A report: the project manager's form while it is a draft or returned; otherwise read, with
 *  the sponsor's review while it is submitted. */
export function HighlightReportPage({ id }: { id: string }) {
  const view = useResource(`highlight-${id}`, async () => {
    const report = await withEtag(() => api.GET('/api/v1/highlight-reports/{report_id}', { params: { path: { report_id: id } } }))
    if (report.problem) return report
    const projectId = report.data.record.project_id
    const project = await load(() => api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: projectId } } }))
    if (project.problem) return project
    return { data: { ...report.data, project: project.data } }
  })
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  const { record: report, etag, project } = view.data
  // The form follows the report's `allowed_actions`: its "submit" saves first, and the API
  // says then what a submission still lacks.
  const editable = report.allowed_actions.includes('edit')
  return (
    <div key={etag}>
      <span class="govuk-caption-l">
        <a class="govuk-link govuk-link--no-visited-state" href={`/projects/${project.id}?tab=highlights`}>
          {project.reference} {project.name}
        </a>
      </span>
      <h1 class="govuk-heading-l">Highlight report: {report.period_label}</h1>
      <p class="govuk-body">
        <StatusTag report={report} /> Due by {formatDate(report.due_on)}.
      </p>
      {report.review_comments && (
        <div class="govuk-inset-text" data-testid="review-comments">
          Sponsor's comments: {report.review_comments}
        </div>
      )}
      {editable ? <ReportForm report={report} etag={etag} onReload={view.reload} /> : <ReportView report={report} />}
      {report.allowed_actions.includes('review') && <ReviewForm report={report} etag={etag} onReload={view.reload} />}
      <Facts report={report} />
    </div>
  )
}

function ReportForm({ report, etag, onReload }: { report: Report; etag: string; onReload: () => void }) {
  const [form, setForm] = useState({
    summary: report.summary,
    achievements: report.achievements,
    next_period: report.next_period,
    decisions_needed: report.decisions_needed,
    ...Object.fromEntries(DIMENSIONS.flatMap((d) => [[`${d}_rag`, report[`${d}_rag`] ?? ''], [`${d}_note`, report[`${d}_note`]]])),
  } as Record<string, string>)
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const [saved, setSaved] = useState(false)
  // The tag of the draft as last saved here: the form stays, with its messages, between saves.
  const [tag, setTag] = useState(etag)
  const key = (e: { item_type: string; item_id: string }) => `${e.item_type}:${e.item_id}`
  const [escalated, setEscalated] = useState(report.escalations.map(key))
  const candidates = useResource(`escalatable-${report.project_id}`, () => escalatable(report))
  const set = (key: string) => (value: string) => setForm({ ...form, [key]: value })

  const save = async (submit: boolean) => {
    setBusy(true)
    setSaved(false)
    try {
      const rag = (value: string | undefined) => (value ? (value as Rag) : null)
      const saving = await api.PATCH('/api/v1/highlight-reports/{report_id}', {
        params: { path: { report_id: report.id }, header: { 'If-Match': tag } },
        body: {
          summary: form.summary,
          achievements: form.achievements,
          next_period: form.next_period,
          decisions_needed: form.decisions_needed,
          time_rag: rag(form.time_rag), time_note: form.time_note,
          cost_rag: rag(form.cost_rag), cost_note: form.cost_note,
          scope_rag: rag(form.scope_rag), scope_note: form.scope_note,
          benefits_rag: rag(form.benefits_rag), benefits_note: form.benefits_note,
          escalations: escalated.map((chosen) => {
            const [itemType, itemId] = chosen.split(':') as ['risk' | 'issue', string]
            const note = report.escalations.find((e) => key(e) === chosen)?.note ?? ''
            return { item_type: itemType, item_id: itemId, note }
          }),
        },
      })
      if (!saving.response.ok) {
        setErrors(formErrors(await problemFrom(saving.response, saving.error)))
        return
      }
      const savedTag = saving.response.headers.get('ETag') ?? ''
      setTag(savedTag)
      if (!submit) {
        setErrors(null)
        setSaved(true)
        return
      }
      const submitting = await api.POST('/api/v1/highlight-reports/{report_id}/submit', {
        params: { path: { report_id: report.id }, header: { 'If-Match': savedTag } },
      })
      if (submitting.response.ok) onReload()
      else setErrors(formErrors(await problemFrom(submitting.response, submitting.error)))
    } catch {
      setErrors(toFormErrors(NETWORK_PROBLEM))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} onReload={onReload} />
        {saved && (
          <div class="govuk-notification-banner govuk-notification-banner--success" role="status">
            <div class="govuk-notification-banner__content">
              <p class="govuk-notification-banner__heading">The draft is saved.</p>
            </div>
          </div>
        )}
        <form onSubmit={(event) => { event.preventDefault(); save(false) }} noValidate>
          <TextArea name="summary" label="Summary" hint="How the project stands this month, in a few sentences." value={form.summary ?? ''}
            onInput={set('summary')} errors={errors} rows={4} />
          {DIMENSIONS.map((d) => (
            <div key={d}>
              <Radios name={`${d}_rag`} label={`${humanise(d)}: RAG status`} value={form[`${d}_rag`] ?? ''} onChange={set(`${d}_rag`)}
                options={RAG_OPTIONS} errors={errors} small />
              <TextArea name={`${d}_note`} label={`${humanise(d)}: one sentence on why`} value={form[`${d}_note`] ?? ''}
                onInput={set(`${d}_note`)} errors={errors} rows={2} />
            </div>
          ))}
          <TextArea name="achievements" label="Achievements this period" value={form.achievements ?? ''} onInput={set('achievements')}
            errors={errors} rows={5} />
          <TextArea name="next_period" label="Planned for next period" value={form.next_period ?? ''} onInput={set('next_period')}
            errors={errors} rows={5} />
          <TextArea name="decisions_needed" label="Decisions needed" value={form.decisions_needed ?? ''} onInput={set('decisions_needed')}
            errors={errors} rows={3} />
          {candidates.data ? (
            <Checkboxes name="escalations" label="Risks and issues to escalate" values={escalated} onChange={setEscalated}
              options={candidates.data} errors={errors} />
          ) : (
            <Escalations report={report} />
          )}
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button govuk-button--secondary" disabled={busy}>
              Save the draft
            </button>
            <button type="button" class="govuk-button" disabled={busy} onClick={() => save(true)}>
              Submit to the sponsor
            </button>
          </div>
        </form>
      </div>
    </div>
  )
}

/** The risks and issues a report may escalate: the project's open ones, and any it already lists. */
async function escalatable(report: Report): Promise<Loaded<{ value: string; text: string }[]>> {
  const query = { project_id: report.project_id, limit: 200 }
  const [risks, issues] = await Promise.all([
    load(() => api.GET('/api/v1/risks', { params: { query: { ...query, status: 'open' } } })),
    load(() => api.GET('/api/v1/issues', { params: { query } })),
  ])
  if (risks.problem) return risks
  if (issues.problem) return issues
  const options = new Map<string, string>()
  for (const e of report.escalations) options.set(`${e.item_type}:${e.item_id}`, `${e.reference} ${e.title}`)
  for (const r of risks.data.items) options.set(`risk:${r.id}`, `${r.reference} ${r.title} (risk)`)
  for (const i of issues.data.items.filter((i) => i.status === 'open' || i.status === 'in_progress')) {
    options.set(`issue:${i.id}`, `${i.reference} ${i.title} (issue)`)
  }
  return { data: [...options].map(([value, text]) => ({ value, text })) }
}

function ReportView({ report }: { report: Report }) {
  const lines = (text: string) => (text ? <span class="app-pre-line">{text}</span> : NONE_RECORDED)
  return (
    <>
      <SummaryList
        rows={[
          ['Summary', lines(report.summary)],
          ...DIMENSIONS.map((d): [string, preact.ComponentChildren] => [
            humanise(d),
            <>
              <RagTag value={report[`${d}_rag`]} label={report[`${d}_rag`] ? humanise(report[`${d}_rag`]) : 'Not given'} /> {report[`${d}_note`]}
            </>,
          ]),
          ['Achievements this period', lines(report.achievements)],
          ['Planned for next period', lines(report.next_period)],
          ['Decisions needed', lines(report.decisions_needed)],
        ]}
      />
      <Escalations report={report} />
    </>
  )
}

function Escalations({ report }: { report: Report }) {
  return (
    <>
      <h2 class="govuk-heading-m">Risks and issues to escalate</h2>
      {report.escalations.length === 0 ? (
        <p class="govuk-body">None.</p>
      ) : (
        <ul class="govuk-list govuk-list--bullet" data-testid="escalations">
          {report.escalations.map((e) => (
            <li key={e.item_id}>
              <a class="govuk-link" href={`/${e.item_type === 'risk' ? 'risks' : 'issues'}/${e.item_id}/edit`}>
                {e.reference} {e.title}
              </a>{' '}
              ({humanise(e.rating)}, escalated to {humanise(e.escalation_level)}){e.note ? `: ${e.note}` : ''}
            </li>
          ))}
        </ul>
      )}
    </>
  )
}

function ReviewForm({ report, etag, onReload }: { report: Report; etag: string; onReload: () => void }) {
  const [outcome, setOutcome] = useState('')
  const [comments, setComments] = useState('')
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const send = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    try {
      const { response, error } = await api.POST('/api/v1/highlight-reports/{report_id}/review', {
        params: { path: { report_id: report.id }, header: { 'If-Match': etag } },
        body: { outcome: outcome as 'accepted' | 'returned', comments },
      })
      if (response.ok) onReload()
      else setErrors(formErrors(await problemFrom(response, error)))
    } catch {
      setErrors(toFormErrors(NETWORK_PROBLEM))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <h2 class="govuk-heading-m">Your review</h2>
        <ErrorSummary errors={errors} onReload={onReload} />
        <form onSubmit={send} noValidate>
          <Radios name="outcome" label="Do you accept this report?" value={outcome} onChange={setOutcome} errors={errors}
            options={[{ value: 'accepted', text: 'Accept it' }, { value: 'returned', text: 'Return it to the project manager' }]} />
          <TextArea name="comments" label="Comments" hint="Required when you return it: say what to change." value={comments}
            onInput={setComments} errors={errors} rows={3} />
          <button type="submit" class="govuk-button" disabled={busy}>
            Send the review
          </button>
        </form>
      </div>
    </div>
  )
}

function Facts({ report }: { report: Report }) {
  const { facts } = report
  const milestones: [string, Schemas['MilestoneFact'][]][] = [
    ['Completed in the month', facts.milestones_completed ?? []],
    ['Due in the month, not done', facts.milestones_due ?? []],
    ['Overdue from earlier months', facts.milestones_overdue ?? []],
  ]
  return (
    <>
      <h2 class="govuk-heading-m">What the draft was filled in from</h2>
      <p class="govuk-body">As the records stood on {formatDate(facts.as_of)}.</p>
      <table class="govuk-table">
        <caption class="govuk-table__caption govuk-table__caption--s">Milestones</caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            <th scope="col" class="govuk-table__header">Milestone</th>
            <th scope="col" class="govuk-table__header">Due</th>
            <th scope="col" class="govuk-table__header">Where it stood</th>
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          {milestones.flatMap(([label, list]) =>
            list.map((m) => (
              <tr class="govuk-table__row" key={m.id}>
                <td class="govuk-table__cell">{m.title}</td>
                <td class="govuk-table__cell">{formatDate(m.due_date)}</td>
                <td class="govuk-table__cell">{label}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      <Scroll label="KPIs: latest published values">
        <table class="govuk-table">
          <caption class="govuk-table__caption govuk-table__caption--s">KPIs: latest published values</caption>
          <thead class="govuk-table__head">
            <tr class="govuk-table__row">
              <th scope="col" class="govuk-table__header">KPI</th>
              <th scope="col" class="govuk-table__header">Period</th>
              <th scope="col" class="govuk-table__header">Value</th>
              <th scope="col" class="govuk-table__header">RAG</th>
              <th scope="col" class="govuk-table__header">Direction of travel</th>
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            {(facts.kpis ?? []).map((k) => (
              <tr class="govuk-table__row" key={k.kpi_id}>
                <td class="govuk-table__cell">
                  {k.code} {k.name}
                </td>
                <td class="govuk-table__cell">{k.period ?? 'No value'}</td>
                <td class="govuk-table__cell">{k.actual ?? ''}</td>
                <td class="govuk-table__cell">
                  <RagTag value={k.rag} label={k.rag ? humanise(k.rag) : NOT_SET} />
                </td>
                <td class="govuk-table__cell">{humanise(k.direction) || 'Not known'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
    </>
  )
}

/** The PMO's home page: reports not submitted by the organisation's due day. */
export function LateHighlightReports() {
  const late = useResource('late-highlights', () => load(() => api.GET('/api/v1/highlight-reports/late')))
  if (late.problem) return <ProblemPage problem={late.problem} onRetry={late.reload} />
  if (!late.data) return <Loading />
  const { items, period_label, due_on } = late.data
  return (
    <>
      <h2 class="govuk-heading-m">Late highlight reports</h2>
      {items.length === 0 ? (
        <p class="govuk-body">Every active project's report for {period_label} was submitted by {formatDate(due_on)}.</p>
      ) : (
        <table class="govuk-table" data-testid="late-highlights">
          <caption class="govuk-table__caption govuk-table__caption--s">
            {items.length} {items.length === 1 ? 'report' : 'reports'} for {period_label} not submitted by {formatDate(due_on)}
          </caption>
          <thead class="govuk-table__head">
            <tr class="govuk-table__row">
              <th scope="col" class="govuk-table__header">Project</th>
              <th scope="col" class="govuk-table__header">Where it is</th>
              <th scope="col" class="govuk-table__header">Days late</th>
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            {items.map((item) => (
              <tr class="govuk-table__row" key={item.project_id}>
                <td class="govuk-table__cell">
                  <a class="govuk-link" href={item.report_id ? `/highlight-reports/${item.report_id}` : `/projects/${item.project_id}?tab=highlights`}>
                    {item.project_reference} {item.project_name}
                  </a>
                </td>
                <td class="govuk-table__cell">{item.status === 'missing' ? 'Not started' : STATUS[item.status] ?? humanise(item.status)}</td>
                <td class="govuk-table__cell">{item.days_late}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}

/** The programme page: the board's pack of a month's reports, with its Word and PDF downloads. */
export function ProgrammeHighlightPack({ programmeId }: { programmeId: string }) {
  const months = recentMonths()
  const [period, setPeriod] = useState(months[0]?.value ?? '')
  const pack = useResource(`highlight-pack-${programmeId}-${period}`, () =>
    load(() =>
      api.GET('/api/v1/programmes/{programme_id}/highlight-pack', { params: { path: { programme_id: programmeId }, query: { period } } }),
    ),
  )
  const [problem, setProblem] = useState<Problem | null>(null)
  const [busy, setBusy] = useState('')
  const download = async (extension: 'docx' | 'pdf') => {
    setBusy(extension)
    setProblem(null)
    try {
      // The documents need the access token, so they are fetched and saved from a blob.
      const url = `/api/v1/programmes/${programmeId}/highlight-pack.${extension}?period=${period}`
      const response = await authFetch(new Request(url))
      if (!response.ok) {
        setProblem(await problemFrom(response))
        return
      }
      const disposition = response.headers.get('Content-Disposition') ?? ''
      const link = document.createElement('a')
      link.href = URL.createObjectURL(await response.blob())
      link.download = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `highlight-pack.${extension}`
      document.body.appendChild(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
    } catch {
      setProblem(NETWORK_PROBLEM)
    } finally {
      setBusy('')
    }
  }
  return (
    <section aria-labelledby="highlight-pack-heading">
      <h2 class="govuk-heading-m" id="highlight-pack-heading">
        Highlight reports for the programme board
      </h2>
      <Radios name="pack_period" label="Month" value={period} onChange={setPeriod} options={months} errors={null} small />
      {pack.problem ? (
        <ProblemPage problem={pack.problem} onRetry={pack.reload} />
      ) : !pack.data ? (
        <Loading />
      ) : (
        <div data-testid="highlight-pack">
          <p class="govuk-body">
            {pack.data.reports.length} submitted {pack.data.reports.length === 1 ? 'report' : 'reports'} for {pack.data.period_label};{' '}
            {pack.data.not_submitted.length} active {pack.data.not_submitted.length === 1 ? 'project has' : 'projects have'} none.
          </p>
          {pack.data.reports.length > 0 && (
            <ul class="govuk-list govuk-list--bullet">
              {pack.data.reports.map((report) => (
                <li key={report.id}>
                  <a class="govuk-link" href={`/highlight-reports/${report.id}`}>
                    {report.project_reference} {report.project_name}
                  </a>{' '}
                  <StatusTag report={report} />
                </li>
              ))}
            </ul>
          )}
          <div class="govuk-button-group">
            <button type="button" class="govuk-button govuk-button--secondary" disabled={busy === 'docx'} onClick={() => download('docx')}>
              Download the pack as a Word document
            </button>
            <button type="button" class="govuk-button govuk-button--secondary" disabled={busy === 'pdf'} onClick={() => download('pdf')}>
              Download the pack as an accessible PDF
            </button>
          </div>
          {problem && (
            <p class="govuk-error-message" role="alert">
              <span class="govuk-visually-hidden">Error:</span> The download failed: {describe(problem)}
            </p>
          )}
        </div>
      )}
    </section>
  )
}

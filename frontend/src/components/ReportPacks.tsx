import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { authFetch } from '../api/session'
import { ErrorSummary, Loading, ProblemPage, Radios, Select, TextArea, DateInput, TextInput } from './ui'
import { load, useResource } from '../lib/data'
import { formatDate, humanise } from '../lib/format'
import { useCan } from '../lib/me'
import { type FormErrors, type Problem, NETWORK_PROBLEM, describe, problemFrom } from '../lib/problem'
import { send } from '../pages/Drawdowns'

type Pack = Schemas['ReportPackPublic']
type Scope = { programmeId: string } | { portfolioId: string }

const LABELS: Record<string, string> = {
  meeting_id: 'Meeting',
  report_author: 'Report of',
  wards_affected: 'Wards affected',
  key_decision: 'Key decision',
  exempt_reason: 'Why it is exempt',
  recommendations: 'Recommendations',
  body_id: 'Governance body',
  meets_on: 'Meeting date',
  title: 'Meeting title',
  location: 'Location',
}

function packsOf(scope: Scope) {
  return 'programmeId' in scope
    ? load(() => api.GET('/api/v1/programmes/{programme_id}/report-packs', { params: { path: { programme_id: scope.programmeId }, query: { limit: 20 } } }))
    : load(() => api.GET('/api/v1/portfolios/{portfolio_id}/report-packs', { params: { path: { portfolio_id: scope.portfolioId }, query: { limit: 20 } } }))
}

/** The committee report pack: ask for one for a meeting, and download the packs made. */
export function ReportPacks({ scope }: { scope: Scope }) {
  const key = 'programmeId' in scope ? scope.programmeId : scope.portfolioId
  const packs = useResource(`report-packs-${key}`, () => packsOf(scope))
  const meetings = useResource('meetings', () =>
    load(() => api.GET('/api/v1/meetings', { params: { query: { limit: 200, sort: '-meets_on' } } })),
  )
  return (
    <section aria-labelledby="report-packs-heading">
      <h2 class="govuk-heading-m" id="report-packs-heading">
        Committee report pack
      </h2>
      <p class="govuk-body">
        A council report for a meeting: front sheet, numbered sections, the risk table, the KPI scorecard, the draw-downs
        decided since the last meeting, appendix A (milestones by quarter) and appendix B (benefits by financial year). A Word
        document to edit and an accessible PDF to publish, from the same figures as this page.
      </p>
      {meetings.problem ? (
        <ProblemPage problem={meetings.problem} onRetry={meetings.reload} />
      ) : !meetings.data ? (
        <Loading what="Loading the meetings" />
      ) : (
        <>
          <MeetingForm meetings={meetings.data.items} onAdded={meetings.reload} />
          <PackForm scope={scope} meetings={meetings.data.items} onMade={packs.reload} />
        </>
      )}
      {packs.problem ? (
        <ProblemPage problem={packs.problem} onRetry={packs.reload} />
      ) : !packs.data ? (
        <Loading what="Loading the report packs" />
      ) : (
        <PackTable packs={packs.data.items} onRefresh={packs.reload} />
      )}
    </section>
  )
}

function MeetingForm({ meetings, onAdded }: { meetings: Schemas['MeetingPublic'][]; onAdded: () => void }) {
  const can = useCan()
  const bodies = useResource('governance-bodies', () =>
    load(() => api.GET('/api/v1/governance-bodies', { params: { query: { limit: 200 } } })),
  )
  const [form, setForm] = useState({ body_id: '', meets_on: '', title: '', location: '' })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  if (!can('meetings:manage') || !bodies.data) return null
  const submit = async (event: Event) => {
    event.preventDefault()
    const result = await send(() => api.POST('/api/v1/meetings', { body: { ...form, body_id: form.body_id } }), LABELS)
    setErrors(result.errors ?? null)
    if (result.data) {
      setForm({ body_id: '', meets_on: '', title: '', location: '' })
      onAdded()
    }
  }
  return (
    <details class="govuk-details" open={meetings.length === 0}>
      <summary class="govuk-details__summary">
        <span class="govuk-details__summary-text">Add a meeting</span>
      </summary>
      <div class="govuk-details__text">
        <form onSubmit={submit} noValidate>
          <ErrorSummary errors={errors} />
          <Select name="body_id" label="Governance body" errors={errors} value={form.body_id}
            onChange={(body_id) => setForm({ ...form, body_id })}
            options={[{ value: '', text: 'Choose a body' }, ...bodies.data.items.map((b) => ({ value: b.id, text: b.name }))]} />
          <DateInput name="meets_on" label="Meeting date" errors={errors}
            value={form.meets_on} onInput={(meets_on) => setForm({ ...form, meets_on })} />
          <TextInput name="title" label="Meeting title" hint="For example Cabinet" errors={errors} value={form.title}
            onInput={(title) => setForm({ ...form, title })} />
          <TextInput name="location" label="Location" errors={errors} value={form.location}
            onInput={(location) => setForm({ ...form, location })} />
          <button type="submit" class="govuk-button govuk-button--secondary">Add the meeting</button>
        </form>
      </div>
    </details>
  )
}

function PackForm({ scope, meetings, onMade }: { scope: Scope; meetings: Schemas['MeetingPublic'][]; onMade: () => void }) {
  const [form, setForm] = useState({
    meeting_id: '',
    report_author: '',
    wards_affected: 'All',
    key_decision: 'no',
    exempt: 'no',
    exempt_reason: '',
    recommendations: '',
  })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [made, setMade] = useState<Pack | null>(null)
  const [busy, setBusy] = useState(false)
  if (meetings.length === 0) return <p class="govuk-body">There are no meetings yet: a pack is made for a meeting.</p>
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const body: Schemas['ReportPackRequest'] = {
      meeting_id: form.meeting_id,
      report_author: form.report_author,
      wards_affected: form.wards_affected,
      key_decision: form.key_decision === 'yes',
      exempt: form.exempt === 'yes',
      exempt_reason: form.exempt === 'yes' ? form.exempt_reason : '',
      recommendations: form.recommendations.split('\n').map((line) => line.trim()).filter(Boolean),
      purpose: '',
      background: '',
    }
    const result =
      'programmeId' in scope
        ? await send(() => api.POST('/api/v1/programmes/{programme_id}/report-packs', { params: { path: { programme_id: scope.programmeId } }, body }), LABELS)
        : await send(() => api.POST('/api/v1/portfolios/{portfolio_id}/report-packs', { params: { path: { portfolio_id: scope.portfolioId } }, body }), LABELS)
    setBusy(false)
    setErrors(result.errors ?? null)
    setMade(result.data ?? null)
    if (result.data) onMade()
  }
  return (
    <form onSubmit={submit} noValidate aria-label="Ask for a committee report pack">
      <ErrorSummary errors={errors} />
      <Select name="meeting_id" label="Meeting" errors={errors} value={form.meeting_id}
        onChange={(meeting_id) => setForm({ ...form, meeting_id })}
        options={[{ value: '', text: 'Choose a meeting' }, ...meetings.map((m) => ({ value: m.id, text: `${m.body_name}: ${m.title}, ${formatDate(m.meets_on)}` }))]} />
      <TextInput name="report_author" label="Report of" hint="For example Service Director - Digital, HR and Customer Services"
        errors={errors} value={form.report_author} onInput={(report_author) => setForm({ ...form, report_author })} />
      <TextInput name="wards_affected" label="Wards affected" errors={errors} value={form.wards_affected}
        onInput={(wards_affected) => setForm({ ...form, wards_affected })} />
      <Radios name="key_decision" label="Key decision" errors={errors} value={form.key_decision} small
        onChange={(key_decision) => setForm({ ...form, key_decision })} options={[{ value: 'no', text: 'No' }, { value: 'yes', text: 'Yes' }]} />
      <Radios name="exempt" label="Exempt information" errors={errors} value={form.exempt} small
        onChange={(exempt) => setForm({ ...form, exempt })} options={[{ value: 'no', text: 'No, open to the public' }, { value: 'yes', text: 'Yes' }]} />
      {form.exempt === 'yes' && (
        <TextArea name="exempt_reason" label="Why it is exempt" hint="The paragraph of Schedule 12A to the Local Government Act 1972"
          errors={errors} value={form.exempt_reason} onInput={(exempt_reason) => setForm({ ...form, exempt_reason })} />
      )}
      <TextArea name="recommendations" label="Recommendations" hint="One a line; left empty, the report asks members to note progress"
        errors={errors} value={form.recommendations} onInput={(recommendations) => setForm({ ...form, recommendations })} />
      <button type="submit" class="govuk-button" disabled={busy}>
        Make the report pack
      </button>
      {made && (
        <p class="govuk-body" role="status">
          {made.status === 'ready' ? 'The report pack is ready to download below.' : 'The report pack is being made; refresh the list in a moment.'}
        </p>
      )}
    </form>
  )
}

function PackTable({ packs, onRefresh }: { packs: Pack[]; onRefresh: () => void }) {
  if (packs.length === 0) return <p class="govuk-body">No report packs made yet.</p>
  return (
    <>
      <table class="govuk-table" data-testid="report-packs">
        <caption class="govuk-table__caption govuk-table__caption--s">Report packs made</caption>
        <thead class="govuk-table__head">
          <tr class="govuk-table__row">
            <th scope="col" class="govuk-table__header">Meeting</th>
            <th scope="col" class="govuk-table__header">Asked for</th>
            <th scope="col" class="govuk-table__header">Status</th>
            <th scope="col" class="govuk-table__header">Download</th>
          </tr>
        </thead>
        <tbody class="govuk-table__body">
          {packs.map((pack) => (
            <tr class="govuk-table__row" key={pack.id}>
              <th scope="row" class="govuk-table__header">
                {pack.meeting_title}, {formatDate(pack.meeting_date)}
              </th>
              <td class="govuk-table__cell">{formatDate(pack.requested_at)}</td>
              <td class="govuk-table__cell">
                {humanise(pack.status)}
                {pack.error ? `: ${pack.error}` : ''}
              </td>
              <td class="govuk-table__cell">{pack.status === 'ready' ? <Downloads pack={pack} /> : 'Not ready yet'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" class="govuk-button govuk-button--secondary" onClick={onRefresh}>
        Refresh the list
      </button>
    </>
  )
}

/** The documents need the access token, so they are fetched and saved from a blob. */
function Downloads({ pack }: { pack: Pack }) {
  const [problem, setProblem] = useState<Problem | null>(null)
  const download = async (kind: 'docx' | 'pdf') => {
    setProblem(null)
    try {
      const response = await authFetch(new Request(`/api/v1/report-packs/${pack.id}/${kind}`))
      if (!response.ok) {
        setProblem(await problemFrom(response))
        return
      }
      const disposition = response.headers.get('Content-Disposition') ?? ''
      const link = document.createElement('a')
      link.href = URL.createObjectURL(await response.blob())
      link.download = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `report-pack.${kind}`
      document.body.appendChild(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
    } catch {
      setProblem(NETWORK_PROBLEM)
    }
  }
  return (
    <div class="govuk-button-group govuk-!-margin-bottom-0">
      <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={() => download('docx')}>
        Word<span class="govuk-visually-hidden"> document of the pack for {pack.meeting_title}</span>
      </button>
      <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" onClick={() => download('pdf')}>
        PDF<span class="govuk-visually-hidden"> of the pack for {pack.meeting_title}</span>
      </button>
      {problem && (
        <p class="govuk-error-message" role="alert">
          <span class="govuk-visually-hidden">Error:</span> The download failed: {describe(problem)}
        </p>
      )}
    </div>
  )
}

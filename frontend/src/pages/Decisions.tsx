import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { authFetch } from '../api/session'
import { Checkboxes, ErrorSummary, Loading, ProblemPage, Radios, Scroll, Select, SummaryList, TextArea, DateInput, TextInput } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { formatDate, humanise, NONE_RECORDED } from '../lib/format'
import { useCan, useWho } from '../lib/me'
import { pounds, poundsInput } from '../lib/money'
import { type FormErrors, type Problem, NETWORK_PROBLEM, describe, problemFrom } from '../lib/problem'
import { navigate } from '../lib/router'
import { AdminNav } from './Admin'
import { send } from './Drawdowns'

type Record = Schemas['OfficerDecisionRecord']
type Entry = Schemas['ForwardPlanEntryPublic']

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'

/** Files need the access token, so they are fetched and saved from a blob. */
function Download({ url, accept, label }: { url: string; accept: string; label: string }) {
  const [problem, setProblem] = useState<Problem | null>(null)
  const [busy, setBusy] = useState(false)
  const download = async () => {
    setBusy(true)
    setProblem(null)
    try {
      const response = await authFetch(new Request(url, { headers: { Accept: accept } }))
      if (!response.ok) {
        setProblem(await problemFrom(response))
        return
      }
      const disposition = response.headers.get('Content-Disposition') ?? ''
      const link = document.createElement('a')
      link.href = URL.createObjectURL(await response.blob())
      link.download = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? 'document'
      document.body.appendChild(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
    } catch {
      setProblem(NETWORK_PROBLEM)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <button type="button" class="govuk-button govuk-button--secondary" disabled={busy} onClick={download}>
        {label}
      </button>
      {problem && (
        <p class="govuk-error-message" role="alert">
          <span class="govuk-visually-hidden">Error:</span> The download failed: {describe(problem)}
        </p>
      )}
    </>
  )
}

// The record of officer decisions ------------------------------------------------------------

export function OfficerDecisions() {
  const list = useResource('officer-decisions', () =>
    load(() => api.GET('/api/v1/officer-decisions', { params: { query: { limit: 200 } } })),
  )
  if (list.problem) return <ProblemPage problem={list.problem} onRetry={list.reload} />
  if (!list.data) return <Loading what="Loading the record of officer decisions" />
  return (
    <>
      <h1 class="govuk-heading-l">Record of officer decisions</h1>
      <p class="govuk-body">
        Every delegated draw-down decision, with its reasons, the alternative options considered and rejected, and any
        conflict of interest declared by an executive member consulted. Each record is kept for six years.
      </p>
      {list.data.items.length === 0 ? (
        <p class="govuk-body">No officer decisions have been recorded yet.</p>
      ) : (
        <Scroll label="Officer decisions">
          <table class="govuk-table">
            <caption class="govuk-table__caption govuk-visually-hidden">Officer decisions, newest first</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Reference</th>
                <th scope="col" class="govuk-table__header">Date</th>
                <th scope="col" class="govuk-table__header">Decision</th>
                <th scope="col" class="govuk-table__header">Outcome</th>
                <th scope="col" class="govuk-table__header">Taken by</th>
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {list.data.items.map((r) => (
                <tr class="govuk-table__row" key={r.id}>
                  <td class="govuk-table__cell">
                    <a class="govuk-link" href={`/officer-decisions/${r.id}`}>{r.reference}</a>
                  </td>
                  <td class="govuk-table__cell">{formatDate(r.decided_on)}</td>
                  <td class="govuk-table__cell">{r.title}</td>
                  <td class="govuk-table__cell">{humanise(r.decision)}</td>
                  <td class="govuk-table__cell">{r.decided_by_name}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </>
  )
}

export function OfficerDecisionPage({ id }: { id: string }) {
  const record = useResource(`officer-decision-${id}`, () =>
    load(() => api.GET('/api/v1/officer-decisions/{record_id}', { params: { path: { record_id: id } } })),
  )
  if (record.problem) return <ProblemPage problem={record.problem} onRetry={record.reload} />
  if (!record.data) return <Loading what="Loading the record" />
  const r: Record = record.data
  return (
    <>
      <span class="govuk-caption-l">Record of an officer decision</span>
      <h1 class="govuk-heading-l">{r.reference}: {r.title}</h1>
      <SummaryList
        rows={[
          ['Decision', humanise(r.decision)],
          ['What was decided', r.decision_text],
          ['Date of decision', formatDate(r.decided_on)],
          ['Taken by', r.decided_by_name],
          ['Under', r.decided_under],
          ['Reasons', r.reasons],
          ['Alternative options considered and rejected', r.alternatives_considered],
          ['Kept available until', formatDate(r.retain_until)],
          ['Draw-down', <a class="govuk-link" href={`/drawdowns/${r.drawdown_id}`}>The request</a>],
        ]}
      />
      <h2 class="govuk-heading-m">Consultation</h2>
      <Scroll label="Consultation">
        <table class="govuk-table" data-testid="record-consultations">
          <caption class="govuk-table__caption govuk-visually-hidden">Who was consulted and what they declared</caption>
          <thead class="govuk-table__head">
            <tr class="govuk-table__row">
              <th scope="col" class="govuk-table__header">Consulted</th>
              <th scope="col" class="govuk-table__header">As</th>
              <th scope="col" class="govuk-table__header">View</th>
              <th scope="col" class="govuk-table__header">Conflict of interest</th>
              <th scope="col" class="govuk-table__header">Dispensation</th>
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            {r.consultations.map((c) => (
              <tr class="govuk-table__row" key={c.role}>
                <td class="govuk-table__cell">{c.name}</td>
                <td class="govuk-table__cell">{humanise(c.role)}</td>
                <td class="govuk-table__cell">{humanise(c.view)}{c.comment ? `: ${c.comment}` : ''}</td>
                <td class="govuk-table__cell">
                  {c.conflict_of_interest === null ? 'Not asked' : c.conflict_of_interest ? `Declared: ${c.conflict_of_interest_details}` : 'None declared'}
                </td>
                <td class="govuk-table__cell">
                  {c.dispensation_granted_by ? `Granted by ${c.dispensation_granted_by} on ${formatDate(c.dispensation_granted_on)}` : NONE_RECORDED}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      {r.exempt_paragraph !== null && (
        <div class="govuk-warning-text">
          <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
          <div class="govuk-warning-text__text">
            <span class="govuk-visually-hidden">Warning</span>
            Exempt information, not for publication: {r.exempt_information}
            <br />
            The public version says: {r.withheld_notice}
          </div>
        </div>
      )}
      <Download url={`/api/v1/officer-decisions/${encodeURIComponent(r.id)}/document.pdf`} accept="application/pdf"
        label="Download the record (PDF)" />
    </>
  )
}

// The forward plan -----------------------------------------------------------------------------

function NoticeTag({ entry }: { entry: Entry }) {
  if (!entry.is_key_decision) return <strong class="govuk-tag govuk-tag--grey">Not a key decision</strong>
  if (!entry.notice_warning) return <strong class="govuk-tag govuk-tag--green">28 days' notice given</strong>
  return entry.may_be_taken ? (
    <strong class="govuk-tag govuk-tag--yellow">{humanise(entry.exception ?? '')}</strong>
  ) : (
    <strong class="govuk-tag govuk-tag--red">Too little notice</strong>
  )
}

export function ForwardPlan() {
  const can = useCan()
  const list = useResource('forward-plan', () => load(() => api.GET('/api/v1/forward-plan', { params: { query: { limit: 200 } } })))
  if (list.problem) return <ProblemPage problem={list.problem} onRetry={list.reload} />
  if (!list.data) return <Loading what="Loading the forward plan" />
  return (
    <>
      <h1 class="govuk-heading-l">Forward plan of key decisions</h1>
      <p class="govuk-body">
        Decisions Cabinet is to take. A key decision must be listed 28 clear days before the meeting (the day of publication
        and the day of the meeting are not counted), or the general exception or special urgency recorded with its reasons.
      </p>
      {can('committee_decisions:record') && (
        <a class="govuk-button" href="/forward-plan/new">Put a referral on the forward plan</a>
      )}
      {list.data.items.length === 0 ? (
        <p class="govuk-body">Nothing is on the forward plan.</p>
      ) : (
        <Scroll label="Forward plan">
          <table class="govuk-table">
            <caption class="govuk-table__caption govuk-visually-hidden">The forward plan, by meeting date</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Reference</th>
                <th scope="col" class="govuk-table__header">Decision</th>
                <th scope="col" class="govuk-table__header">Meeting</th>
                <th scope="col" class="govuk-table__header">Published</th>
                <th scope="col" class="govuk-table__header govuk-table__header--numeric">Clear days</th>
                <th scope="col" class="govuk-table__header">Notice</th>
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {list.data.items.map((e) => (
                <tr class="govuk-table__row" key={e.id}>
                  <td class="govuk-table__cell">
                    <a class="govuk-link" href={`/forward-plan/${e.id}`}>{e.reference}</a>
                  </td>
                  <td class="govuk-table__cell">{e.title}</td>
                  <td class="govuk-table__cell">{formatDate(e.meeting_date)}</td>
                  <td class="govuk-table__cell">{formatDate(e.published_on)}</td>
                  <td class="govuk-table__cell govuk-table__cell--numeric">{e.clear_days}</td>
                  <td class="govuk-table__cell"><NoticeTag entry={e} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      <div class="govuk-button-group">
        <Download url="/api/v1/forward-plan/export.csv" accept="text/csv" label="Download as CSV" />
        <Download url="/api/v1/forward-plan/export.docx" accept={DOCX} label="Download as Word (DOCX)" />
        <Download url="/api/v1/forward-plan/export.pdf" accept="application/pdf" label="Download as PDF" />
      </div>
    </>
  )
}

const ENTRY_LABELS = {
  drawdown_id: 'Cabinet referral',
  meeting_date: 'Cabinet meeting date',
  published_on: 'Published on',
  title: 'Title',
  summary: 'Summary',
  saving: 'Saving',
  wards_affected: 'Wards affected',
  significant_in_wards: 'Significant in the wards',
}

export function ForwardPlanNew() {
  const referrals = useResource('forward-plan-referrals', () =>
    load(() => api.GET('/api/v1/drawdowns', { params: { query: { status: 'referred', route: 'cabinet', limit: 200 } } })),
  )
  const [form, setForm] = useState({ drawdown_id: '', meeting_date: '', published_on: '', title: '', summary: '', saving: '', wards: '', significant: [] as string[] })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  if (referrals.problem) return <ProblemPage problem={referrals.problem} onRetry={referrals.reload} />
  if (!referrals.data) return <Loading />
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(
      () =>
        api.POST('/api/v1/forward-plan', {
          body: {
            drawdown_id: form.drawdown_id,
            meeting_date: form.meeting_date,
            published_on: form.published_on,
            title: form.title.trim() || null,
            summary: form.summary,
            saving: form.saving.trim() ? poundsInput(form.saving) : null,
            wards_affected: form.wards.split(',').map((w) => w.trim()).filter(Boolean),
            significant_in_wards: form.significant.includes('yes'),
          },
        }),
      ENTRY_LABELS,
    )
    setBusy(false)
    if (result.data) navigate(`/forward-plan/${result.data.id}`)
    else setErrors(result.errors ?? null)
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} onReload={referrals.reload} />
        <h1 class="govuk-heading-l">Put a referral on the forward plan</h1>
        <form onSubmit={submit} noValidate>
          <Select name="drawdown_id" label="Cabinet referral" labelClass="govuk-label--s" value={form.drawdown_id}
            onChange={set('drawdown_id')} errors={errors}
            options={[{ value: '', text: 'Choose a referral' }, ...referrals.data.items.map((d) => ({ value: d.id, text: `${d.reference}: ${pounds(d.amount)}, ${d.purpose}` }))]} />
          <DateInput name="meeting_date" label="Cabinet meeting date" labelClass="govuk-label--s"
            value={form.meeting_date} onInput={set('meeting_date')} errors={errors} />
          <DateInput name="published_on" label="Published on" labelClass="govuk-label--s"
            hint="The day the forward plan listing it is published." value={form.published_on} onInput={set('published_on')} errors={errors} />
          <TextInput name="title" label="Title (optional)" labelClass="govuk-label--s" hint="Defaults to the request's reference and purpose."
            value={form.title} onInput={set('title')} errors={errors} />
          <TextArea name="summary" label="Summary" labelClass="govuk-label--s" value={form.summary} onInput={set('summary')} errors={errors} />
          <TextInput name="saving" label="Saving it makes, if any" labelClass="govuk-label--s" hint="In pounds, for example 120000.00"
            value={form.saving} onInput={set('saving')} errors={errors} width="10" />
          <TextInput name="wards_affected" label="Wards affected" labelClass="govuk-label--s" hint="Separate wards with commas."
            value={form.wards} onInput={set('wards')} errors={errors} />
          <Checkboxes name="significant_in_wards" label="Effects on the communities in those wards" values={form.significant}
            onChange={(values) => setForm({ ...form, significant: values })} errors={errors}
            options={[{ value: 'yes', text: 'Significant' }]} />
          <button type="submit" class="govuk-button" disabled={busy}>Put it on the forward plan</button>
        </form>
      </div>
    </div>
  )
}

export function ForwardPlanEntryPage({ id }: { id: string }) {
  const entry = useResource(`forward-plan-${id}`, () =>
    load(() => api.GET('/api/v1/forward-plan/{entry_id}', { params: { path: { entry_id: id } } })),
  )
  if (entry.problem) return <ProblemPage problem={entry.problem} onRetry={entry.reload} />
  if (!entry.data) return <Loading />
  const e = entry.data
  return (
    <>
      <span class="govuk-caption-l">Forward plan</span>
      <h1 class="govuk-heading-l">{e.reference}: {e.title}</h1>
      {e.notice_warning && (
        <div class="govuk-warning-text">
          <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
          <strong class="govuk-warning-text__text">
            <span class="govuk-visually-hidden">Warning</span>
            {e.notice_warning}
          </strong>
        </div>
      )}
      <SummaryList
        rows={[
          ['Decision maker', humanise(e.decision_maker)],
          ['Meeting', formatDate(e.meeting_date)],
          ['Published on', formatDate(e.published_on)],
          ['Clear days', String(e.clear_days)],
          ['Key decision', e.key_decision_reason],
          ['Spending', pounds(e.spending)],
          ['Wards affected', e.wards_affected.join(', ') || 'None named'],
          ['May be taken at the meeting', e.may_be_taken ? 'Yes' : 'No'],
          ...(e.exception
            ? ([
                ['Exception', humanise(e.exception)],
                ['Reasons', e.exception_reasons],
                ['Scrutiny chair', `${e.scrutiny_chair_name ?? ''}, ${formatDate(e.scrutiny_chair_date)}`],
                ...(e.exception_notice_published_on
                  ? [['Public notice', `${formatDate(e.exception_notice_published_on)} (${e.exception_notice_clear_days} clear days)`]]
                  : []),
              ] as [string, string][])
            : []),
          ['Draw-down', <a class="govuk-link" href={`/drawdowns/${e.drawdown_id}`}>The request</a>],
        ]}
      />
      {e.allowed_actions.includes('record_exception') && (
        <ExceptionForm entry={e} onDone={entry.reload} />
      )}
    </>
  )
}

function ExceptionForm({ entry, onDone }: { entry: Entry; onDone: () => void }) {
  const [form, setForm] = useState({ kind: '', reasons: '', scrutiny_chair_name: '', scrutiny_chair_date: '', notice_published_on: '' })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(
      () =>
        api.POST('/api/v1/forward-plan/{entry_id}/exception', {
          params: { path: { entry_id: entry.id } },
          body: {
            kind: form.kind as Schemas['NoticeException'],
            reasons: form.reasons,
            scrutiny_chair_name: form.scrutiny_chair_name,
            scrutiny_chair_date: form.scrutiny_chair_date,
            notice_published_on: form.kind === 'general_exception' ? form.notice_published_on : null,
          },
        }),
      {
        kind: 'Exception',
        reasons: 'Reasons',
        scrutiny_chair_name: 'Chair of the scrutiny committee',
        scrutiny_chair_date: 'Date',
        notice_published_on: 'Public notice published on',
      },
    )
    setBusy(false)
    if (result.data) onDone()
    else setErrors(result.errors ?? null)
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <h2 class="govuk-heading-m">Record an exception to the notice rule</h2>
        <ErrorSummary errors={errors} onReload={onDone} />
        <form onSubmit={submit} noValidate>
          <Radios name="kind" label="Exception" value={form.kind} onChange={set('kind')} errors={errors}
            options={[
              { value: 'general_exception', text: 'General exception: the scrutiny chair told in writing, 5 clear days\u2019 public notice' },
              { value: 'special_urgency', text: 'Special urgency: the scrutiny chair agrees it cannot reasonably be deferred' },
            ]} />
          <TextArea name="reasons" label="Reasons" labelClass="govuk-label--s" value={form.reasons} onInput={set('reasons')} errors={errors} />
          <TextInput name="scrutiny_chair_name" label="Chair of the scrutiny committee" labelClass="govuk-label--s"
            value={form.scrutiny_chair_name} onInput={set('scrutiny_chair_name')} errors={errors} />
          <DateInput name="scrutiny_chair_date" label="Date" labelClass="govuk-label--s"
            hint="When the chair was told in writing, or agreed." value={form.scrutiny_chair_date} onInput={set('scrutiny_chair_date')} errors={errors} />
          {form.kind === 'general_exception' && (
            <DateInput name="notice_published_on" label="Public notice published on" labelClass="govuk-label--s"
              value={form.notice_published_on} onInput={set('notice_published_on')} errors={errors} />
          )}
          <button type="submit" class="govuk-button" disabled={busy}>Record the exception</button>
        </form>
      </div>
    </div>
  )
}

// Settings ----------------------------------------------------------------------------------------

export function DecisionSettings() {
  const can = useCan()
  // Kept here: saving reloads the settings, which makes a fresh form (with the new ETag).
  const [saved, setSaved] = useState(false)
  const settings = useResource('decision-settings', async (): Promise<Loaded<{ settings: Schemas['DecisionSettingsPublic']; etag: string }>> => {
    let etag = ''
    const result = await load(async () => {
      const fetched = await api.GET('/api/v1/decision-settings')
      etag = fetched.response.headers.get('ETag') ?? ''
      return fetched
    })
    if (result.problem) return result
    return { data: { settings: result.data, etag } }
  })
  if (settings.problem) return <ProblemPage problem={settings.problem} onRetry={settings.reload} />
  if (!settings.data) return <Loading />
  return (
    <>
      <AdminNav />
      <SettingsForm key={settings.data.etag} settings={settings.data.settings} etag={settings.data.etag}
      canChange={can('organisation:manage')} onReload={settings.reload} saved={saved}
        onSaved={() => { setSaved(true); settings.reload() }} />
    </>
  )
}

function SettingsForm({ settings, etag, canChange, onReload, saved, onSaved }: {
  settings: Schemas['DecisionSettingsPublic']
  etag: string
  canChange: boolean
  onReload: () => void
  saved: boolean
  onSaved: () => void
}) {
  const [form, setForm] = useState({
    spending: settings.key_decision_spending_threshold,
    saving: settings.key_decision_saving_threshold,
    wards: String(settings.key_decision_min_wards),
    published: [
      ...(settings.publish_officer_decisions ? ['officer_decisions'] : []),
      ...(settings.publish_forward_plan ? ['forward_plan'] : []),
    ],
  })
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: 'spending' | 'saving' | 'wards') => (value: string) => setForm({ ...form, [key]: value })
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(
      () =>
        api.PATCH('/api/v1/decision-settings', {
          params: { header: { 'If-Match': etag } },
          body: {
            key_decision_spending_threshold: poundsInput(form.spending),
            key_decision_saving_threshold: poundsInput(form.saving),
            key_decision_min_wards: /^\d+$/.test(form.wards.trim()) ? Number(form.wards.trim()) : (form.wards as unknown as number),
            publish_officer_decisions: form.published.includes('officer_decisions'),
            publish_forward_plan: form.published.includes('forward_plan'),
          },
        }),
      {
        key_decision_spending_threshold: 'Spending threshold',
        key_decision_saving_threshold: 'Saving threshold',
        key_decision_min_wards: 'Wards',
      },
    )
    setBusy(false)
    if (result.data) onSaved()
    else setErrors(result.errors ?? null)
  }
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} onReload={onReload} />
        <h1 class="govuk-heading-l">Key decisions and the public record</h1>
        {saved && (
          <div class="govuk-notification-banner govuk-notification-banner--success" role="alert">
            <div class="govuk-notification-banner__content">
              <p class="govuk-notification-banner__heading">The settings are saved.</p>
            </div>
          </div>
        )}
        <PublicAddresses settings={settings} />
        <form onSubmit={submit} noValidate>
          <fieldset class="govuk-fieldset" disabled={!canChange}>
            <TextInput name="key_decision_spending_threshold" label="Spending threshold" labelClass="govuk-label--s"
              hint="Spending above this is a key decision, in pounds." value={form.spending} onInput={set('spending')} errors={errors} width="10" />
            <TextInput name="key_decision_saving_threshold" label="Saving threshold" labelClass="govuk-label--s"
              hint="A saving above this is a key decision, in pounds." value={form.saving} onInput={set('saving')} errors={errors} width="10" />
            <TextInput name="key_decision_min_wards" label="Wards" labelClass="govuk-label--s"
              hint="A decision significant for the communities of this many wards or more is a key decision." value={form.wards}
              onInput={set('wards')} errors={errors} width="3" />
            <Checkboxes name="published" label="Readable without signing in" values={form.published}
              onChange={(values) => setForm({ ...form, published: values })} errors={errors}
              options={[
                { value: 'officer_decisions', text: 'The record of officer decisions' },
                { value: 'forward_plan', text: 'The forward plan' },
              ]} />
            {canChange && <button type="submit" class="govuk-button" disabled={busy}>Save the settings</button>}
          </fieldset>
        </form>
      </div>
    </div>
  )
}

/** Where the published record is, for the council's website. */
function PublicAddresses({ settings }: { settings: Schemas['DecisionSettingsPublic'] }) {
  const { organisation } = useWho()
  const base = `${location.origin}/api/v1/public/organisations/${organisation.id}`
  const published = [
    ...(settings.publish_officer_decisions ? [['The record of officer decisions', `${base}/officer-decisions`]] : []),
    ...(settings.publish_forward_plan ? [['The forward plan', `${base}/forward-plan`], ['The forward plan (PDF)', `${base}/forward-plan/export.pdf`]] : []),
  ]
  if (published.length === 0) return <p class="govuk-body">Nothing is published: the record and the plan need signing in.</p>
  return (
    <SummaryList rows={published.map(([label, url]) => [label as string, <code data-testid="public-address">{url}</code>])} />
  )
}

// Delegation rules: who approves draw-downs up to what limit. Every change is a new version
// that takes effect on a date; the history of versions says what changed and who changed it.
import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { RecordList } from '../components/RecordList'
import { Checkboxes, DateInput, Loading, ProblemPage, Radios, Scroll, Select, SummaryList, TextArea, TextInput } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { todayIso } from '../lib/dates'
import { formatDate, humanise, NONE_RECORDED, roleLabel } from '../lib/format'
import { useCan } from '../lib/me'
import { pounds, poundsInput } from '../lib/money'
import { versionInForce } from '../lib/rules'
import type { FormErrors } from '../lib/problem'
import { navigate } from '../lib/router'
import { send } from './Drawdowns'
import { FormPage, orNull, withEtag } from './RaidForms'

type Rule = Schemas['RulePublic']
type Version = Schemas['RuleVersionEntry']

const DECIDERS = ['sponsor', 'finance'] as const
const CONSULTEES = ['sponsor', 'finance', 'member'] as const

const LABELS: Record<string, string> = {
  name: 'Name',
  description: 'Description',
  decider_role: 'Who decides',
  decider_directorate_id: 'Directorate of the decider',
  limit: 'Delegated limit',
  limit_basis: 'How the limit is measured',
  funding_source_ids: 'Funding sources',
  consultee_roles: 'Consulted before a decision',
  referral_body: 'Above the limit',
  council_limit: 'Council limit',
  is_active: 'In use',
  effective_from: 'Takes effect on',
}

const BASES: Record<string, string> = {
  per_request: 'Each request on its own',
  cumulative_per_project_per_year: "The project's approved total in the financial year, this request included",
}

export function DelegationRules() {
  const can = useCan()
  const rules = useResource('delegation-rules', () =>
    load(() => api.GET('/api/v1/delegation-rules', { params: { query: { limit: 100, sort: 'name' } } })),
  )
  return (
    <>
      <h1 class="govuk-heading-l">Delegation rules</h1>
      <p class="govuk-body">
        Who may approve a draw-down, up to what limit and after consulting whom; a request above the limit goes to Cabinet
        or Council. A change makes a new version that takes effect on the date you choose; requests keep the version they
        were routed by.
      </p>
      <RecordList
        list={rules}
        noun={['delegation rule', 'delegation rules']}
        create={can('delegation_rules:manage') ? { href: '/delegation-rules/new', text: 'Add a delegation rule' } : null}
        caption="Delegation rules"
        testId="delegation-rules"
        head={
          <>
            <th scope="col" class="govuk-table__header">Rule</th>
            <th scope="col" class="govuk-table__header">Who decides</th>
            <th scope="col" class="govuk-table__header govuk-table__header--numeric">Limit</th>
            <th scope="col" class="govuk-table__header govuk-table__header--numeric">Latest version</th>
            <th scope="col" class="govuk-table__header">In use</th>
          </>
        }
        rowKey={(rule) => rule.id}
        row={(rule) => (
          <>
            <th scope="row" class="govuk-table__header">
              <a class="govuk-link" href={`/delegation-rules/${rule.id}`}>{rule.name}</a>
            </th>
            <td class="govuk-table__cell">{roleLabel(rule.decider_role)}</td>
            <td class="govuk-table__cell govuk-table__cell--numeric app-nowrap">{pounds(rule.limit)}</td>
            <td class="govuk-table__cell govuk-table__cell--numeric">{rule.version}</td>
            <td class="govuk-table__cell">{rule.is_active ? 'Yes' : 'No'}</td>
          </>
        )}
      />
    </>
  )
}

interface RuleView {
  rule: Rule
  etag: string
  versions: Version[]
  directorates: Schemas['DirectoratePublic'][]
  sources: Schemas['FundingSourcePublic'][]
}

async function loadRule(id: string): Promise<Loaded<RuleView>> {
  const path = { rule_id: id }
  const [rule, versions, directorates, sources] = await Promise.all([
    withEtag(() => api.GET('/api/v1/delegation-rules/{rule_id}', { params: { path } })),
    load(() => api.GET('/api/v1/delegation-rules/{rule_id}/versions', { params: { path, query: { limit: 200 } } })),
    load(() => api.GET('/api/v1/directorates', { params: { query: { limit: 200 } } })),
    load(() => api.GET('/api/v1/funding-sources', { params: { query: { limit: 200 } } })),
  ])
  if (rule.problem) return rule
  if (versions.problem) return versions
  if (directorates.problem) return directorates
  if (sources.problem) return sources
  return {
    data: { rule: rule.data.record, etag: rule.data.etag, versions: versions.data.items, directorates: directorates.data.items, sources: sources.data.items },
  }
}

/** A version's rule as words, for the summary and the history. */
function describeRule(rule: Record<string, unknown>, view: RuleView): [string, string][] {
  const directorate = view.directorates.find((d) => d.id === rule.decider_directorate_id)?.name
  const sourceIds = (rule.funding_source_ids as string[] | undefined) ?? []
  const sources = sourceIds.map((id) => view.sources.find((s) => s.id === id)?.name ?? 'A funding source')
  const consultees = ((rule.consultee_roles as string[] | undefined) ?? []).map(roleLabel)
  return [
    ['Who decides', `${roleLabel(rule.decider_role as string)}${directorate ? ` (${directorate})` : ''}`],
    ['Delegated limit', pounds(rule.limit as string)],
    ['How the limit is measured', BASES[rule.limit_basis as string] ?? humanise(rule.limit_basis as string)],
    ['Consulted before a decision', consultees.length ? consultees.join(', ') : 'Nobody'],
    ['Above the limit', humanise(rule.referral_body as string)],
    ['Council limit', rule.council_limit ? pounds(rule.council_limit as string) : 'Not set'],
    ['Funding sources', sources.length ? sources.join(', ') : 'All of them'],
    ['In use', rule.is_active ? 'Yes' : 'No'],
  ]
}

/** What a version changed, in words: "Delegated limit: £50,000.00 to £30,000.00". */
function changesOf(version: Version, previous: Version | undefined, view: RuleView): string[] {
  if (!previous) return ['First version']
  const before = Object.fromEntries(describeRule(previous.rule, view))
  const after = describeRule(version.rule, view)
  const described = after.filter(([label, text]) => before[label] !== text).map(([label, text]) => `${label}: ${before[label]} to ${text}`)
  const named = version.changed.filter((f) => f === 'name' || f === 'description').map((f) => `${LABELS[f]} changed`)
  return [...described, ...named]
}

export function DelegationRulePage({ id }: { id: string }) {
  const view = useResource(`delegation-rule-${id}`, () => loadRule(id))
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading the delegation rule" />
  const { rule, versions } = view.data
  const today = todayIso()
  const inForce = versionInForce(versions, today)
  const scheduled = versions.filter((v) => v.effective_from > today)
  return (
    <>
      <span class="govuk-caption-l">
        <a class="govuk-link" href="/delegation-rules">Delegation rules</a>
      </span>
      <h1 class="govuk-heading-l">{rule.name}</h1>
      {rule.description && <p class="govuk-body">{rule.description}</p>}
      {rule.allowed_actions.includes('edit') && (
        <a class="govuk-button" href={`/delegation-rules/${rule.id}/edit`}>
          Change the rule
        </a>
      )}
      <h2 class="govuk-heading-m">In force today{inForce ? `: version ${inForce.version}` : ''}</h2>
      {inForce ? (
        <SummaryList rows={[['Since', formatDate(inForce.effective_from)], ...describeRule(inForce.rule, view.data)]} />
      ) : (
        <p class="govuk-body">No version is in force yet.</p>
      )}
      {scheduled.map((v) => (
        <div class="govuk-inset-text" key={v.version} data-testid="scheduled-version">
          Version {v.version} takes effect on {formatDate(v.effective_from)}.
        </div>
      ))}
      <h2 class="govuk-heading-m">Versions</h2>
      <Scroll label="Versions of the rule">
        <table class="govuk-table" data-testid="rule-versions">
          <caption class="govuk-table__caption govuk-visually-hidden">Every version of the rule, newest first</caption>
          <thead class="govuk-table__head">
            <tr class="govuk-table__row">
              <th scope="col" class="govuk-table__header">Version</th>
              <th scope="col" class="govuk-table__header">Effective from</th>
              <th scope="col" class="govuk-table__header">What changed</th>
              <th scope="col" class="govuk-table__header">Who</th>
            </tr>
          </thead>
          <tbody class="govuk-table__body">
            {versions.map((v, i) => (
              <tr class="govuk-table__row" key={v.version}>
                <th scope="row" class="govuk-table__header">
                  {v.version}
                  {v === inForce ? ' (in force)' : v.effective_from > today ? ' (scheduled)' : ''}
                </th>
                <td class="govuk-table__cell app-nowrap">{formatDate(v.effective_from)}</td>
                <td class="govuk-table__cell">
                  <ul class="govuk-list">
                    {changesOf(v, versions[i + 1], view.data as RuleView).map((text) => (
                      <li key={text}>{text}</li>
                    ))}
                  </ul>
                </td>
                <td class="govuk-table__cell">
                  {v.created_by_name ?? NONE_RECORDED}
                  <br />
                  <span class="govuk-body-s">{formatDate(v.created_at)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
    </>
  )
}

export function DelegationRuleEdit({ id }: { id: string }) {
  const view = useResource(`delegation-rule-${id}`, () => loadRule(id))
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  const { rule, etag, versions } = view.data
  return (
    <RuleForm key={etag} pickers={view.data} existing={{ rule, etag, latest: versions[0]?.effective_from ?? '' }}
      onReload={view.reload} />
  )
}

type Pickers = Pick<RuleView, 'directorates' | 'sources'>

async function loadPickers(): Promise<Loaded<Pickers>> {
  const [directorates, sources] = await Promise.all([
    load(() => api.GET('/api/v1/directorates', { params: { query: { limit: 200 } } })),
    load(() => api.GET('/api/v1/funding-sources', { params: { query: { limit: 200 } } })),
  ])
  if (directorates.problem) return directorates
  if (sources.problem) return sources
  return { data: { directorates: directorates.data.items, sources: sources.data.items } }
}

export function DelegationRuleNew() {
  const pickers = useResource('delegation-rule-pickers', loadPickers)
  if (pickers.problem) return <ProblemPage problem={pickers.problem} onRetry={pickers.reload} />
  if (!pickers.data) return <Loading />
  return <RuleForm pickers={pickers.data} />
}

/** A new rule (its first version), or a change to one (its next version, under If-Match). */
function RuleForm({ pickers, existing, onReload }: {
  pickers: Pickers
  existing?: { rule: Rule; etag: string; latest: string }
  onReload?: () => void
}) {
  const rule = existing?.rule
  const latest = existing?.latest ?? ''
  const today = todayIso()
  const [form, setForm] = useState({
    name: rule?.name ?? '',
    description: rule?.description ?? '',
    decider_role: (rule?.decider_role as string | undefined) ?? 'sponsor',
    decider_directorate_id: rule?.decider_directorate_id ?? '',
    limit: rule?.limit ?? '',
    limit_basis: (rule?.limit_basis as string | undefined) ?? 'cumulative_per_project_per_year',
    referral_body: (rule?.referral_body as string | undefined) ?? 'cabinet',
    council_limit: rule?.council_limit ?? '',
    is_active: rule && !rule.is_active ? 'no' : 'yes',
    effective_from: latest > today ? latest : today,
  })
  const [consultees, setConsultees] = useState<string[]>(rule?.consultee_roles ?? [])
  const [sources, setSources] = useState<string[]>(rule?.funding_source_ids ?? [])
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value })
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const body = {
      name: form.name,
      description: form.description,
      decider_role: form.decider_role as Schemas['Role'],
      decider_directorate_id: orNull(form.decider_directorate_id),
      limit: poundsInput(form.limit),
      limit_basis: form.limit_basis as Schemas['LimitBasis'],
      funding_source_ids: sources,
      consultee_roles: consultees as Schemas['Role'][],
      referral_body: form.referral_body as Schemas['ReferralBody'],
      council_limit: form.council_limit.trim() ? poundsInput(form.council_limit) : null,
      is_active: form.is_active === 'yes',
      effective_from: form.effective_from || null,
    }
    const result = existing
      ? await send(
          () =>
            api.PATCH('/api/v1/delegation-rules/{rule_id}', {
              params: { path: { rule_id: existing.rule.id }, header: { 'If-Match': existing.etag } },
              body,
            }),
          LABELS,
        )
      : await send(() => api.POST('/api/v1/delegation-rules', { body }), LABELS)
    setBusy(false)
    if (result.data) navigate(`/delegation-rules/${result.data.id}`)
    else setErrors(result.errors ?? null)
  }
  return (
    <FormPage heading={rule ? `Change ${rule.name}` : 'Add a delegation rule'} caption="Delegation rule" errors={errors}
      onReload={onReload} onSubmit={submit} busy={busy} submitText={rule ? 'Save as a new version' : 'Add the rule'}
      back={rule ? `/delegation-rules/${rule.id}` : '/delegation-rules'}>
      {rule ? (
        <p class="govuk-body">
          Saving makes version {rule.version + 1}. The version in force now stays in force until the new one takes effect, and
          requests already submitted keep the version they were routed by.
        </p>
      ) : (
        <p class="govuk-body">The rule starts at version 1 and routes draw-downs from the date it takes effect.</p>
      )}
      <DateInput name="effective_from" label={LABELS.effective_from as string} labelClass="govuk-label--s"
        hint={`Today or later${latest > today ? `, and not before ${formatDate(latest)} (when the latest version takes effect)` : ''}. For example, 1 4 2027`}
        errors={errors} value={form.effective_from} onInput={set('effective_from')} />
      <TextInput name="name" label="Name" labelClass="govuk-label--s" errors={errors} value={form.name} onInput={set('name')} />
      <TextArea name="description" label="Description (optional)" labelClass="govuk-label--s" errors={errors}
        value={form.description} onInput={set('description')} rows={3} />
      <Select name="decider_role" label="Who decides" labelClass="govuk-label--s" errors={errors} value={form.decider_role}
        onChange={set('decider_role')} options={DECIDERS.map((r) => ({ value: r, text: roleLabel(r) }))} />
      <Select name="decider_directorate_id" label="Directorate of the decider (optional)" labelClass="govuk-label--s"
        hint="Only holders of the role for this directorate (or the whole organisation) decide" errors={errors}
        value={form.decider_directorate_id} onChange={set('decider_directorate_id')}
        options={[{ value: '', text: 'Any directorate' }, ...pickers.directorates.map((d) => ({ value: d.id, text: d.name }))]} />
      <TextInput name="limit" label="Delegated limit" labelClass="govuk-label--s"
        hint="In pounds and pence, like 50,000.00: exactly the limit is within it" errors={errors} value={form.limit}
        onInput={set('limit')} width="10" spellcheck={false} />
      <Radios name="limit_basis" label="How the limit is measured" errors={errors} value={form.limit_basis}
        onChange={set('limit_basis')} options={Object.entries(BASES).map(([value, text]) => ({ value, text }))} />
      <Checkboxes name="funding_source_ids" label="Funding sources it covers (none ticked: all of them)" errors={errors}
        values={sources} onChange={setSources} options={pickers.sources.map((s) => ({ value: s.id, text: s.name }))} />
      <Checkboxes name="consultee_roles" label="Consulted before a decision" errors={errors} values={consultees}
        onChange={setConsultees} options={CONSULTEES.map((r) => ({ value: r, text: roleLabel(r) }))} />
      <Radios name="referral_body" label="Above the limit, the request goes to" errors={errors} value={form.referral_body}
        onChange={set('referral_body')} options={[{ value: 'cabinet', text: 'Cabinet' }, { value: 'council', text: 'Council' }]} />
      <TextInput name="council_limit" label="Council limit (optional)" labelClass="govuk-label--s"
        hint="Above this a request goes to Council rather than Cabinet" errors={errors} value={form.council_limit}
        onInput={set('council_limit')} width="10" spellcheck={false} />
      <Radios name="is_active" label="In use" errors={errors} value={form.is_active} onChange={set('is_active')}
        options={[{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No: draw-downs are not routed by it' }]} />
    </FormPage>
  )
}

// The organisation's project lifecycles: the built-in ones and its own, each read with its
// stages and the gates between them; a new one defined (a lifecycle cannot change once made:
// projects and reviews point at it) and one made the default that new projects follow.
import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { Checkboxes, ErrorSummary, Loading, ProblemPage, Radios, Scroll, Select, SummaryList, TextArea, TextInput } from '../components/ui'
import { load, useResource } from '../lib/data'
import { humanise, NONE_RECORDED, roleLabel } from '../lib/format'
import { useCan } from '../lib/me'
import type { FormErrors } from '../lib/problem'
import { blankGate, blankStage, type GateRow, lifecycleBody, type StageRow, toListFields } from '../lib/lifecycle'
import { navigate } from '../lib/router'
import { AdminNav, RowAction, Success, useRowActions } from './Admin'
import { whoChanged } from './AdminUpkeep'
import { send } from './Drawdowns'

type Lifecycle = Schemas['LifecyclePublic']
type Decider = Schemas['DeciderPublic']

const ROLES: Schemas['Role'][] = ['sponsor', 'pmo', 'finance', 'project_manager', 'member', 'democratic_services', 'admin', 'viewer']

export function deciderText(decider: Decider): string {
  if (decider.type === 'governance_body') return "The project's governance body"
  if (decider.type === 'elected_members') return 'Elected members'
  return `Holders of the role ${roleLabel(decider.role)}`
}

const defaulted = (name: string) => `${name} is now the default: new projects follow it. Projects already started keep theirs.`

export function Lifecycles() {
  const can = useCan()
  const lifecycles = useResource('lifecycles', () => load(() => api.GET('/api/v1/lifecycles', { params: { query: { limit: 200, sort: 'name' } } })))
  const actions = useRowActions(lifecycles.reload)
  const manage = can('lifecycles:manage')
  return (
    <>
      <h1 class="govuk-heading-l">Lifecycles</h1>
      <AdminNav />
      <Success text={actions.done} />
      <ErrorSummary errors={actions.errors} />
      <p class="govuk-body">
        A lifecycle is the stages a project goes through and the gate reviews between them. New projects follow the default;
        a project keeps the lifecycle it started with. A lifecycle cannot be changed once made: define a new one instead.
      </p>
      {manage && (
        <a class="govuk-button" href="/admin/lifecycles/new">
          Define a lifecycle
        </a>
      )}
      {lifecycles.problem ? (
        <ProblemPage problem={lifecycles.problem} onRetry={lifecycles.reload} />
      ) : !lifecycles.data ? (
        <Loading what="Loading lifecycles" />
      ) : (
        <Scroll label="Lifecycles">
          <table class="govuk-table" data-testid="lifecycles">
            <caption class="govuk-table__caption govuk-visually-hidden">Lifecycles</caption>
            <thead class="govuk-table__head">
              <tr class="govuk-table__row">
                <th scope="col" class="govuk-table__header">Name</th>
                <th scope="col" class="govuk-table__header">Stages</th>
                <th scope="col" class="govuk-table__header">Made by</th>
                <th scope="col" class="govuk-table__header">New projects</th>
              </tr>
            </thead>
            <tbody class="govuk-table__body">
              {lifecycles.data.items.map((lifecycle) => (
                <tr class="govuk-table__row" key={lifecycle.id}>
                  <th scope="row" class="govuk-table__header">
                    <a class="govuk-link" href={`/admin/lifecycles/${lifecycle.id}`}>{lifecycle.name}</a>
                  </th>
                  <td class="govuk-table__cell">{lifecycle.stages.map((stage) => stage.name).join(', ')}</td>
                  <td class="govuk-table__cell">{lifecycle.builtin_key ? 'Built in' : 'The council'}</td>
                  <td class="govuk-table__cell">
                    {lifecycle.is_default ? (
                      <strong class="govuk-tag govuk-tag--green">Default</strong>
                    ) : manage ? (
                      <RowAction label="Make default" what={lifecycle.name}
                        onAct={() => actions.act(() => makeDefault(lifecycle.id), (made) => {
                          whoChanged()
                          return defaulted(made.name)
                        })} />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </>
  )
}

const makeDefault = (id: string) => api.POST('/api/v1/lifecycles/{lifecycle_id}/make-default', { params: { path: { lifecycle_id: id } } })

export function LifecyclePage({ id }: { id: string }) {
  const can = useCan()
  const view = useResource(`lifecycle-${id}`, () => load(() => api.GET('/api/v1/lifecycles/{lifecycle_id}', { params: { path: { lifecycle_id: id } } })))
  const actions = useRowActions(view.reload)
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading />
  const lifecycle = view.data
  const stageName = (key: string) => lifecycle.stages.find((stage) => stage.key === key)?.name ?? humanise(key)
  return (
    <>
      <span class="govuk-caption-l">
        <a class="govuk-link" href="/admin/lifecycles">Lifecycles</a>
      </span>
      <h1 class="govuk-heading-l">{lifecycle.name}</h1>
      <Success text={actions.done} />
      <ErrorSummary errors={actions.errors} />
      <SummaryList rows={[
        ['Description', lifecycle.description || NONE_RECORDED],
        ['Made by', lifecycle.builtin_key ? 'Built in' : 'The council'],
        ['New projects', lifecycle.is_default ? 'Follow this lifecycle (the default)' : 'Follow another lifecycle'],
      ]} />
      {!lifecycle.is_default && can('lifecycles:manage') && (
        <button type="button" class="govuk-button govuk-button--secondary"
          onClick={() => actions.act(() => makeDefault(lifecycle.id), (made) => {
            whoChanged()
            return defaulted(made.name)
          })}>
          Make it the default
        </button>
      )}
      <h2 class="govuk-heading-m">Stages</h2>
      <ol class="govuk-list govuk-list--number" data-testid="lifecycle-stages">
        {lifecycle.stages.map((stage) => (
          <li key={stage.key}>
            {stage.name}
            {stage.description && <span class="govuk-hint govuk-!-margin-bottom-0">{stage.description}</span>}
          </li>
        ))}
      </ol>
      <h2 class="govuk-heading-m">Gates</h2>
      {lifecycle.gates.length === 0 && <p class="govuk-body">No gates.</p>}
      {lifecycle.gates.map((gate) => (
        <section key={gate.key} class="govuk-!-margin-bottom-6" aria-labelledby={`gate-${gate.key}`}>
          <h3 class="govuk-heading-s" id={`gate-${gate.key}`}>
            {gate.name}: from {stageName(gate.from_stage)} to {stageName(gate.to_stage)}
          </h3>
          <SummaryList rows={[
            ['Who decides', gate.deciders.map(deciderText).join('; ')],
            ['Decided when', gate.approval === 'all' ? 'All of them approve' : 'Any one of them decides'],
            ['Business case sections', gate.business_case_sections.map(humanise).join(', ') || NONE_RECORDED],
          ]} />
          <p class="govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1">Criteria</p>
          <ol class="govuk-list govuk-list--number">
            {gate.criteria.map((criterion) => (
              <li key={criterion.key}>{criterion.text}</li>
            ))}
          </ol>
        </section>
      ))}
    </>
  )
}

// Defining a lifecycle -----------------------------------------------------------------------

export function LifecycleNew() {
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [stages, setStages] = useState<StageRow[]>([blankStage(), blankStage()])
  const [gates, setGates] = useState<GateRow[]>([blankGate()])
  const [errors, setErrors] = useState<FormErrors | null>(null)
  const [busy, setBusy] = useState(false)
  const setStage = (i: number, change: Partial<StageRow>) => setStages(stages.map((stage, n) => (n === i ? { ...stage, ...change } : stage)))
  const setGate = (i: number, change: Partial<GateRow>) => setGates(gates.map((gate, n) => (n === i ? { ...gate, ...change } : gate)))
  const addStage = () => {
    setStages([...stages, blankStage()])
    setGates([...gates, blankGate()])
  }
  const removeStage = (i: number) => {
    setStages(stages.filter((_, n) => n !== i))
    // The gate into the removed stage goes (the first stage's: the gate out of it).
    setGates(gates.filter((_, n) => n !== Math.max(0, i - 1)))
  }
  const submit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    const result = await send(() => api.POST('/api/v1/lifecycles', { body: lifecycleBody(name, description, stages, gates) }), { name: 'Name' })
    setBusy(false)
    if (result.data) navigate(`/admin/lifecycles/${result.data.id}`)
    else setErrors(result.errors ? toListFields(result.errors) : null)
  }
  const stageLabel = (i: number) => stages[i]?.name.trim() || `stage ${i + 1}`
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} />
        <span class="govuk-caption-l">
          <a class="govuk-link" href="/admin/lifecycles">Lifecycles</a>
        </span>
        <h1 class="govuk-heading-l">Define a lifecycle</h1>
        <p class="govuk-body">
          At least two stages in order, and a gate review from each stage to the next: what the project must show, the business
          case sections it brings, and who decides. It cannot be changed once made.
        </p>
        <form onSubmit={submit} noValidate>
          <TextInput name="name" label="Name" labelClass="govuk-label--s" value={name} onInput={setName} errors={errors} />
          <TextArea name="description" label="Description (optional)" labelClass="govuk-label--s" rows={2} value={description}
            onInput={setDescription} errors={errors} />
          <h2 class="govuk-heading-m">Stages</h2>
          {stages.map((stage, i) => (
            <fieldset class="govuk-fieldset app-repeat" key={`stage-${i}`}>
              <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Stage {i + 1}</legend>
              <TextInput name={`stages.${i}.name`} label="Stage name" value={stage.name} onInput={(value) => setStage(i, { name: value })} errors={errors} />
              <TextInput name={`stages.${i}.description`} label="What happens in it (optional)" value={stage.description}
                onInput={(value) => setStage(i, { description: value })} errors={errors} />
              {stages.length > 2 && (
                <button type="button" class="govuk-button govuk-button--secondary" onClick={() => removeStage(i)}>
                  Remove<span class="govuk-visually-hidden"> stage {i + 1}</span>
                </button>
              )}
            </fieldset>
          ))}
          <button type="button" class="govuk-button govuk-button--secondary" onClick={addStage}>
            Add another stage
          </button>
          <h2 class="govuk-heading-m">Gates</h2>
          {gates.map((gate, i) => (
            <fieldset class="govuk-fieldset app-repeat" key={`gate-${i}`}>
              <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">
                Gate {i + 1}: from {stageLabel(i)} to {stageLabel(i + 1)}
              </legend>
              <TextInput name={`gates.${i}.name`} label="Gate name" value={gate.name} onInput={(value) => setGate(i, { name: value })} errors={errors} />
              <TextArea name={`gates.${i}.criteria`} label="Criteria" hint="One a line: what the project must show to pass." rows={3}
                value={gate.criteria} onInput={(value) => setGate(i, { criteria: value })} errors={errors} />
              <TextArea name={`gates.${i}.business_case_sections`} label="Business case sections (optional)" rows={2}
                hint="One a line, like Strategic case: the sections a request for this gate must bring."
                value={gate.sections} onInput={(value) => setGate(i, { sections: value })} errors={errors} />
              <Checkboxes name={`gates.${i}.deciders`} label="Who decides" values={gate.deciders} errors={errors}
                onChange={(values) => setGate(i, { deciders: values })}
                options={[
                  { value: 'governance_body', text: "The project's governance body (its board)" },
                  { value: 'elected_members', text: 'Elected members' },
                  { value: 'role', text: 'Holders of a role' },
                ]} />
              {gate.deciders.includes('role') && (
                <Select name={`gates.${i}.role`} label="The role that decides" value={gate.role} errors={errors}
                  onChange={(value) => setGate(i, { role: value })}
                  options={[{ value: '', text: 'Choose a role' }, ...ROLES.map((role) => ({ value: role, text: roleLabel(role) }))]} />
              )}
              <Radios name={`gates.${i}.approval`} label="Decided when" small value={gate.approval} errors={errors}
                onChange={(value) => setGate(i, { approval: value })}
                options={[
                  { value: 'any', text: 'Any one of them decides' },
                  { value: 'all', text: 'All of them approve' },
                ]} />
            </fieldset>
          ))}
          <div class="govuk-button-group">
            <button type="submit" class="govuk-button" disabled={busy}>
              Define the lifecycle
            </button>
            <a class="govuk-link" href="/admin/lifecycles">
              Cancel
            </a>
          </div>
        </form>
      </div>
    </div>
  )
}

import type { ComponentChildren } from 'preact'
import { HistoryPanel } from '../components/HistoryPanel'
import { api, type Schemas } from '../api/client'
import { ProjectBenefits, ProjectCosts } from '../components/ProjectMoney'
import { Loading, ProblemPage, RagTag, Scroll, StatusTag, SummaryList } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { formatDate, humanise, NONE_RECORDED } from '../lib/format'
import { useCan } from '../lib/me'
import { readQuery } from '../lib/query'
import { useLocation } from '../lib/router'
import { ProjectKpis } from './Kpis'
import { ProjectDrawdowns } from './Drawdowns'
import { ProjectHighlights } from './Highlights'

interface ProjectView {
  project: Schemas['ProjectPublic']
  programme: Schemas['ProgrammePublic']
  lifecycle: Schemas['LifecyclePublic']
  reviews: Schemas['GateReviewPublic'][]
}

async function loadProject(id: string): Promise<Loaded<ProjectView>> {
  const project = await load(() => api.GET('/api/v1/projects/{project_id}', { params: { path: { project_id: id } } }))
  if (project.problem) return project
  const [programme, lifecycle, reviews] = await Promise.all([
    load(() => api.GET('/api/v1/programmes/{programme_id}', { params: { path: { programme_id: project.data.programme_id } } })),
    load(() => api.GET('/api/v1/lifecycles/{lifecycle_id}', { params: { path: { lifecycle_id: project.data.lifecycle_id } } })),
    load(() =>
      api.GET('/api/v1/projects/{project_id}/gate-reviews', {
        params: { path: { project_id: id }, query: { limit: 200, sort: 'requested_at' } },
      }),
    ),
  ])
  if (programme.problem) return programme
  if (lifecycle.problem) return lifecycle
  if (reviews.problem) return reviews
  return { data: { project: project.data, programme: programme.data, lifecycle: lifecycle.data, reviews: reviews.data.items } }
}

const TABS: [string, string, string?][] = [
  ['summary', 'Summary'],
  ['timeline', 'Stages and gate reviews'],
  ['milestones', 'Milestones'],
  ['risks', 'Risks'],
  ['issues', 'Issues'],
  ['assumptions', 'Assumptions'],
  ['dependencies', 'Dependencies'],
  ['kpis', 'KPIs', 'kpis:read'],
  ['highlights', 'Highlight reports', 'highlight_reports:read'],
  ['drawdowns', 'Draw-downs', 'finance:read'],
  ['benefits', 'Benefits', 'finance:read'],
  ['costs', 'Cost lines', 'finance:read'],
  ['history', 'Change history', 'audit:read'],
]

export function Project({ id }: { id: string }) {
  const { path, search } = useLocation()
  const can = useCan()
  const tab = readQuery(search, ['tab']).tab ?? 'summary'
  const view = useResource(`project-${id}`, () => loadProject(id))
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading the project" />
  const { project, programme, lifecycle, reviews } = view.data
  const stageName = (key: string) => lifecycle.stages.find((s) => s.key === key)?.name ?? humanise(key)
  const tabs = TABS.filter(([, , permission]) => !permission || can(permission))
  const current = tabs.find(([key]) => key === tab) ?? tabs[0]
  const pending = reviews.find((r) => r.status === 'pending')
  // The buttons follow what the API says this person may do to the project now.
  const may = (action: Schemas['ProjectAction']) => project.allowed_actions.includes(action)
  return (
    <>
      <span class="govuk-caption-l">
        {project.reference} · <a class="govuk-link govuk-link--no-visited-state" href={`/programmes/${programme.id}`}>{programme.name}</a>
      </span>
      <h1 class="govuk-heading-l">{project.name}</h1>
      <p class="govuk-body">
        Stage: <strong data-testid="project-stage">{stageName(project.stage)}</strong> · Delivery confidence:{' '}
        <RagTag value={project.confidence} />{' '}
        <a class="govuk-link" href={`/projects/${project.id}/confidence`}>
          {may('assess_confidence') ? 'Assess delivery confidence' : 'Delivery confidence history'}
        </a>
      </p>
      <div class="govuk-button-group">
        {may('request_gate_review') && !pending && (
          <a class="govuk-button" href={`/projects/${project.id}/gate-reviews/new`}>
            Request a gate review
          </a>
        )}
        {can('raid:edit') && (
          <a class="govuk-button govuk-button--secondary" href={`/projects/${project.id}/risks/new`}>
            Add a risk
          </a>
        )}
        {may('edit') && (
          <a class="govuk-button govuk-button--secondary" href={`/projects/${project.id}/edit`}>
            Change the project
          </a>
        )}
      </div>
      {pending && (
        <div class="govuk-inset-text">
          A gate review to move to {stageName(pending.to_stage)} is waiting for a decision.{' '}
          <a class="govuk-link" href={`/gate-reviews/${pending.id}`}>
            Read the review
          </a>
        </div>
      )}
      <nav class="moj-sub-navigation" aria-label="Project sections">
        <ul class="moj-sub-navigation__list">
          {tabs.map(([key, label]) => (
            <li class="moj-sub-navigation__item" key={key}>
              <a class="moj-sub-navigation__link" href={`${path}?tab=${key}`} aria-current={current?.[0] === key ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h2 class="govuk-heading-m">{current?.[1]}</h2>
      {current?.[0] === 'summary' && (
        <SummaryList
          rows={[
            ['Reference', project.reference],
            ['Programme', programme.name],
            ['Stage', stageName(project.stage)],
            ['Delivery confidence', <RagTag value={project.confidence} />],
            ['Planned start', formatDate(project.planned_start) || 'Not set'],
            ['Planned end', formatDate(project.planned_end) || 'Not set'],
            ['Description', project.description || NONE_RECORDED],
            ['Ambition', project.ambition || NONE_RECORDED],
          ]}
        />
      )}
      {current?.[0] === 'timeline' && <Timeline project={project} lifecycle={lifecycle} reviews={reviews} />}
      {current?.[0] === 'milestones' && <Milestones projectId={project.id} mayAdd={may('add_milestone')} />}
      {current?.[0] === 'risks' && <Risks projectId={project.id} />}
      {current?.[0] === 'issues' && <Issues projectId={project.id} />}
      {current?.[0] === 'assumptions' && <Assumptions projectId={project.id} />}
      {current?.[0] === 'dependencies' && <Dependencies projectId={project.id} />}
      {current?.[0] === 'kpis' && <ProjectKpis projectId={project.id} />}
      {current?.[0] === 'highlights' && <ProjectHighlights project={project} />}
      {current?.[0] === 'drawdowns' && <ProjectDrawdowns projectId={project.id} mayRequest={may('request_drawdown')} />}
      {current?.[0] === 'benefits' && <ProjectBenefits projectId={project.id} />}
      {current?.[0] === 'costs' && <ProjectCosts projectId={project.id} />}
      {current?.[0] === 'history' && <History projectId={project.id} />}
      <HistoryPanel kind="project" id={id} version={project.updated_at} />
    </>
  )
}

function Timeline({ project, lifecycle, reviews }: Omit<ProjectView, 'programme'>) {
  const at = lifecycle.stages.findIndex((s) => s.key === project.stage)
  const stageName = (key: string) => lifecycle.stages.find((s) => s.key === key)?.name ?? humanise(key)
  return (
    <>
      <ol class="govuk-list govuk-list--number">
        {lifecycle.stages.map((stage, index) => (
          <li key={stage.key}>
            {stage.name}{' '}
            {index < at ? '(passed)' : index === at ? <strong>(current stage)</strong> : ''}
          </li>
        ))}
      </ol>
      <h3 class="govuk-heading-s">Gate reviews</h3>
      {reviews.length === 0 ? (
        <p class="govuk-body">No gate reviews yet.</p>
      ) : (
        <div class="moj-timeline">
          {[...reviews].reverse().map((review) => (
            <div class="moj-timeline__item" key={review.id}>
              <div class="moj-timeline__header">
                <h4 class="moj-timeline__title">
                  <a class="govuk-link" href={`/gate-reviews/${review.id}`}>
                    {stageName(review.from_stage)} to {stageName(review.to_stage)}
                  </a>
                </h4>
              </div>
              <p class="moj-timeline__date">
                Requested <time dateTime={review.requested_at}>{formatDate(review.requested_at)}</time>
                {review.decided_at && (
                  <>
                    , decided <time dateTime={review.decided_at}>{formatDate(review.decided_at)}</time>
                  </>
                )}
              </p>
              <div class="moj-timeline__description">
                <StatusTag value={review.status} /> {review.outcome_reason ?? ''}
              </div>
            </div>
          ))}
        </div>
      )}
    </>
  )
}

function Table({ caption, head, rows, empty }: { caption: string; head: string[]; rows: ComponentChildren[][]; empty: string }) {
  if (rows.length === 0) return <p class="govuk-body">{empty}</p>
  return (
    <Scroll label={caption}>
    <table class="govuk-table">
      <caption class="govuk-table__caption govuk-visually-hidden">{caption}</caption>
      <thead class="govuk-table__head">
        <tr class="govuk-table__row">
          {head.map((h) => (
            <th scope="col" class="govuk-table__header" key={h}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody class="govuk-table__body">
        {rows.map((row, i) => (
          <tr class="govuk-table__row" key={i}>
            {row.map((cell, j) => (
              <td class="govuk-table__cell" key={j}>
                {cell}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
    </Scroll>
  )
}

function Listing<T>({ resource, render }: { resource: { data?: T; problem?: import('../lib/problem').Problem; reload: () => void }; render: (data: T) => ComponentChildren }) {
  if (resource.problem) return <ProblemPage problem={resource.problem} onRetry={resource.reload} />
  if (!resource.data) return <Loading />
  return <>{render(resource.data)}</>
}

function Milestones({ projectId, mayAdd }: { projectId: string; mayAdd: boolean }) {
  const milestones = useResource(`milestones-${projectId}`, () =>
    load(() => api.GET('/api/v1/projects/{project_id}/milestones', { params: { path: { project_id: projectId }, query: { limit: 200 } } })),
  )
  return (
    <>
    {mayAdd && (
      <a class="govuk-button govuk-button--secondary" href={`/projects/${projectId}/milestones/new`}>
        Add a milestone
      </a>
    )}
    <Listing resource={milestones} render={(page) => (
      <Table caption="Milestones" head={['Milestone', 'Baseline', 'Forecast', 'Status']} empty="No milestones yet."
        rows={page.items.map((m) => [<a class="govuk-link" href={`/milestones/${m.id}`}>{m.title}</a>,
          formatDate(m.baseline_date) + (m.baseline_number > 1 ? ` (re-baselined)` : ''),
          m.forecast_date ? formatDate(m.forecast_date) : 'On baseline',
          m.overdue ? <strong class="govuk-tag govuk-tag--red">Overdue</strong> : <StatusTag value={m.status} />])} />
    )} />
    </>
  )
}

/** "Add …" above a RAID log, for who may edit RAID (the API still decides on the project). */
function AddLink({ href, text }: { href: string; text: string }) {
  if (!useCan()('raid:edit')) return null
  return (
    <a class="govuk-button govuk-button--secondary" href={href}>
      {text}
    </a>
  )
}

/** A "Change" link naming its record for screen readers. */
function changeLink(can: boolean, href: string, what: string): ComponentChildren[] {
  if (!can) return []
  return [
    <a class="govuk-link" href={href}>
      Change<span class="govuk-visually-hidden"> {what}</span>
    </a>,
  ]
}

function Risks({ projectId }: { projectId: string }) {
  const risks = useResource(`risks-${projectId}`, () =>
    load(() => api.GET('/api/v1/risks', { params: { query: { project_id: projectId, limit: 200, sort: '-residual_score' } } })),
  )
  // A risk's "Change" link shows when the API lists `edit` for me (closed risks, other projects: no).
  return (
    <Listing resource={risks} render={(page) => {
      const editable = page.items.some((r) => r.allowed_actions.includes('edit'))
      return (
        <Table caption="Risk log" head={['Reference', 'Risk', 'Residual score', 'Status', 'Escalation', ...(editable ? ['Action'] : [])]}
          empty="No risks recorded."
          rows={page.items.map((r) => [r.reference, r.title,
            <>{r.residual_score} <RagTag value={r.residual_band} label={humanise(r.residual_band)} /></>,
            humanise(r.status), humanise(r.escalation_level),
            ...(editable ? (r.allowed_actions.includes('edit') ? changeLink(true, `/risks/${r.id}/edit`, `risk ${r.reference}`) : ['']) : [])])} />
      )
    }} />
  )
}

/** The "Action" column of a RAID log: a link to each item I may act on (its allowed_actions), if any. */
function actionColumn<T extends { id: string; reference: string; allowed_actions: string[] }>(items: T[], path: string, what: string) {
  const any = items.some((i) => i.allowed_actions.length > 0)
  return {
    head: any ? ['Action'] : [],
    cell: (item: T) => (any ? (item.allowed_actions.length > 0 ? changeLink(true, `/${path}/${item.id}/edit`, `${what} ${item.reference}`) : ['']) : []),
  }
}

function Issues({ projectId }: { projectId: string }) {
  const issues = useResource(`issues-${projectId}`, () =>
    load(() => api.GET('/api/v1/issues', { params: { query: { project_id: projectId, limit: 200 } } })),
  )
  return (
    <>
    <AddLink href={`/projects/${projectId}/issues/new`} text="Add an issue" />
    <Listing resource={issues} render={(page) => {
      const action = actionColumn(page.items, 'issues', 'issue')
      return (
        <Table caption="Issue log" head={['Reference', 'Issue', 'Priority', 'Status', 'Due', ...action.head]}
          empty="No issues recorded."
          rows={page.items.map((i) => [i.reference, i.title, humanise(i.priority), humanise(i.status), formatDate(i.due_date),
            ...action.cell(i)])} />
      )
    }} />
    </>
  )
}

function Assumptions({ projectId }: { projectId: string }) {
  const assumptions = useResource(`assumptions-${projectId}`, () =>
    load(() => api.GET('/api/v1/assumptions', { params: { query: { project_id: projectId, limit: 200 } } })),
  )
  return (
    <>
    <AddLink href={`/projects/${projectId}/assumptions/new`} text="Add an assumption" />
    <Listing resource={assumptions} render={(page) => {
      const action = actionColumn(page.items, 'assumptions', 'assumption')
      return (
        <Table caption="Assumptions" head={['Reference', 'Assumption', 'Validate by', 'Status', ...action.head]}
          empty="No assumptions recorded."
          rows={page.items.map((a) => [a.reference, a.statement, formatDate(a.validate_by), humanise(a.status), ...action.cell(a)])} />
      )
    }} />
    </>
  )
}

function Dependencies({ projectId }: { projectId: string }) {
  const dependencies = useResource(`dependencies-${projectId}`, () =>
    load(() => api.GET('/api/v1/projects/{project_id}/dependencies', { params: { path: { project_id: projectId }, query: { limit: 200 } } })),
  )
  return (
    <>
    <AddLink href={`/projects/${projectId}/dependencies/new`} text="Add a dependency" />
    <Listing resource={dependencies} render={(page) => {
      const action = actionColumn(page.items, 'dependencies', 'dependency')
      return (
        <Table caption="Dependencies" head={['Reference', 'Dependency', 'Direction', 'Needed by', 'Status', ...action.head]}
          empty="No dependencies recorded."
          rows={page.items.map((d) => [d.reference, d.title, humanise(d.direction_seen),
            formatDate(d.needed_by), humanise(d.status), ...action.cell(d)])} />
      )
    }} />
    </>
  )
}

function History({ projectId }: { projectId: string }) {
  const events = useResource(`history-${projectId}`, () =>
    load(() => api.GET('/api/v1/audit-events', { params: { query: { record_type: 'project', record_id: projectId, limit: 100, sort: '-seq' } } })),
  )
  return (
    <Listing resource={events} render={(page) => (
      <Table caption="Change history" head={['When', 'Who', 'What']} empty="No changes recorded."
        rows={page.items.map((e) => [formatDate(e.occurred_at), e.actor_label, humanise(e.action)])} />
    )} />
  )
}

import { api, type Schemas } from '../api/client'
import { HistoryPanel } from '../components/HistoryPanel'
import { FinancialSummary } from '../components/FinancialSummary'
import { ProgrammeHighlightPack } from './Highlights'
import { HeatMap } from '../components/HeatMap'
import { ProgrammeKpis } from '../components/KpiScorecard'
import { ProjectsTable } from '../components/ProjectsTable'
import { ReportPacks } from '../components/ReportPacks'
import { BarChart, Loading, ProblemPage, Scroll, SummaryList } from '../components/ui'
import { load, type Loaded, useResource } from '../lib/data'
import { formatDate, humanise, NOT_SET } from '../lib/format'
import { useCan } from '../lib/me'
import { defaultLifecycle } from '../lib/lifecycle'

interface ProgrammeView {
  programme: Schemas['ProgrammePublic']
  dashboard: Schemas['ProgrammeDashboard']
  stages: Schemas['StagePublic'][]
  heatMap: Schemas['HeatMap']
  counts: { label: string; value: number }[]
}

async function loadProgramme(id: string): Promise<Loaded<ProgrammeView>> {
  const path = { programme_id: id }
  const query = { programme_id: id, limit: 1 }
  const [programme, dashboard, lifecycle, heatMap, redRisks, openIssues, assumptions, dependencies] = await Promise.all([
    load(() => api.GET('/api/v1/programmes/{programme_id}', { params: { path } })),
    load(() => api.GET('/api/v1/programmes/{programme_id}/dashboard', { params: { path } })),
    defaultLifecycle(),
    load(() => api.GET('/api/v1/risks/heat-map', { params: { query: { programme_id: id } } })),
    load(() => api.GET('/api/v1/risks', { params: { query: { ...query, band: 'red' } } })),
    load(() => api.GET('/api/v1/issues', { params: { query: { ...query, status: 'open' } } })),
    load(() => api.GET('/api/v1/assumptions', { params: { query } })),
    load(() => api.GET('/api/v1/dependencies', { params: { query } })),
  ])
  for (const result of [programme, dashboard, lifecycle, heatMap, redRisks, openIssues, assumptions, dependencies]) {
    if (result.problem) return { problem: result.problem }
  }
  return {
    data: {
      programme: programme.data as Schemas['ProgrammePublic'],
      dashboard: dashboard.data as Schemas['ProgrammeDashboard'],
      stages: lifecycle.data?.stages ?? [],
      heatMap: heatMap.data as Schemas['HeatMap'],
      counts: [
        { label: 'Open risks', value: (heatMap.data as Schemas['HeatMap']).total },
        { label: 'Red risks', value: redRisks.data?.total ?? 0 },
        { label: 'Open issues', value: openIssues.data?.total ?? 0 },
        { label: 'Assumptions', value: assumptions.data?.total ?? 0 },
        { label: 'Dependencies', value: dependencies.data?.total ?? 0 },
      ],
    },
  }
}

export function Programme({ id }: { id: string }) {
  const view = useResource(`programme-${id}`, () => loadProgramme(id))
  const can = useCan()
  if (view.problem) return <ProblemPage problem={view.problem} onRetry={view.reload} />
  if (!view.data) return <Loading what="Loading the programme" />
  const { programme, dashboard, stages, heatMap, counts } = view.data
  const stageName = (key: string) => stages.find((s) => s.key === key)?.name ?? humanise(key)
  return (
    <>
      <span class="govuk-caption-l">Programme</span>
      <h1 class="govuk-heading-l">{programme.name}</h1>
      <div class="govuk-button-group">
        {can('projects:edit') && programme.status !== 'closed' && (
          <a class="govuk-button" href={`/programmes/${programme.id}/projects/new`}>
            Add a project
          </a>
        )}
        {programme.allowed_actions.includes('edit') && (
          <a class="govuk-button govuk-button--secondary" href={`/programmes/${programme.id}/edit`}>
            Change the programme
          </a>
        )}
      </div>
      {programme.allowed_actions.includes('delete') && (
        <p class="govuk-body">
          <a class="govuk-link" href={`/programmes/${programme.id}/delete`}>
            Delete the programme
          </a>
        </p>
      )}
      <p class="govuk-body">
        <a class="govuk-link" href={`/programmes/${programme.id}/roadmap`}>
          Roadmap: milestones by quarter
        </a>
      </p>
      <SummaryList
        rows={[
          ['Ambition', programme.ambition || 'Not given'],
          ['Status', programme.status === 'closed' ? `Closed on ${formatDate(programme.closed_on)}` : 'Active'],
          ['Phase', humanise(programme.phase) || NOT_SET],
          ['Planned start', formatDate(programme.planned_start) || NOT_SET],
          ['Planned end', formatDate(programme.planned_end) || NOT_SET],
          ['Projects', String(dashboard.projects)],
          ['Milestones', `${dashboard.milestones_overdue.length} overdue, ${dashboard.milestones_due.length} due in 30 days`],
          ['Gate reviews waiting', String(dashboard.gate_reviews_pending.length)],
        ]}
      />
      <BarChart
        caption="Projects by stage"
        unit="Projects"
        rows={Object.entries(dashboard.projects_by_stage).map(([key, value]) => ({ label: stageName(key), value }))}
      />
      <h2 class="govuk-heading-m">Projects</h2>
      <ProjectsTable programmeId={programme.id} stages={stages} />
      <ProgrammeKpis programmeId={programme.id} />
      <ProgrammeHighlightPack programmeId={programme.id} />
      <h2 class="govuk-heading-m">RAID summary</h2>
      <p class="govuk-body">The programme's own items and those of its projects.</p>
      <SummaryList rows={counts.map((c) => [c.label, String(c.value)])} />
      <Scroll label="Risk heat map">
        <HeatMap map={heatMap} caption="Risk heat map" register={`programme_id=${id}`} />
      </Scroll>
      <FinancialSummary scope={{ programmeId: programme.id }} />
      <ReportPacks scope={{ programmeId: programme.id }} />
      <HistoryPanel kind="programme" id={id} version={programme.updated_at} />
    </>
  )
}

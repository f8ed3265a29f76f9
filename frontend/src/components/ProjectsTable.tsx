import { useState } from 'preact/hooks'
import { api, type Schemas } from '../api/client'
import { load, useResource } from '../lib/data'
import { confidenceLabel } from '../lib/format'
import { readQuery, withFilter, writeQuery } from '../lib/query'
import { navigate, useLocation } from '../lib/router'
import { Loading, Pagination, ProblemPage, RagTag, Scroll, SortHeader } from './ui'

const KEYS = ['q', 'stage', 'confidence', 'sort', 'offset'] as const
const LIMIT = 25
const CONFIDENCE = ['green', 'amber_green', 'amber', 'amber_red', 'red'] as const

/** Projects, filtered and sorted by the server; the filters live in the address bar. */
export function ProjectsTable({ programmeId, stages }: { programmeId?: string; stages: Schemas['StagePublic'][] }) {
  const { path, search } = useLocation()
  const query = readQuery(search, KEYS)
  const [text, setText] = useState(query.q ?? '')
  const [stage, setStage] = useState(query.stage ?? '')
  const [confidence, setConfidence] = useState(query.confidence ?? '')
  const key = `${programmeId ?? ''}${writeQuery(query)}`
  const projects = useResource(key, () =>
    load(() =>
      api.GET('/api/v1/projects', {
        params: {
          query: {
            programme_id: programmeId,
            q: query.q,
            stage: query.stage,
            confidence: query.confidence as Schemas['ConfidenceRating'] | undefined,
            sort: query.sort ?? 'reference',
            limit: LIMIT,
            offset: Number(query.offset ?? 0),
          },
        },
      }),
    ),
  )
  const stageName = (key: string) => stages.find((s) => s.key === key)?.name ?? key

  const apply = (event: Event) => {
    event.preventDefault()
    let next = withFilter(query, 'q', text.trim())
    next = withFilter(next, 'stage', stage)
    next = withFilter(next, 'confidence', confidence)
    navigate(path + writeQuery(next))
  }

  // A "Change" column only when this person may change one of the projects listed.
  const editable = projects.data?.items.some((p) => p.allowed_actions.includes('edit')) ?? false
  return (
    <div>
      <form onSubmit={apply} class="govuk-!-margin-bottom-6" role="search" aria-label="Filter projects">
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-one-third">
            <div class="govuk-form-group">
              <label class="govuk-label govuk-label--s" for="filter-q">
                Name or reference
              </label>
              <input class="govuk-input" id="filter-q" name="q" type="search" value={text}
                onInput={(e) => setText((e.target as HTMLInputElement).value)} />
            </div>
          </div>
          <div class="govuk-grid-column-one-third">
            <div class="govuk-form-group">
              <label class="govuk-label govuk-label--s" for="filter-stage">
                Stage
              </label>
              <select class="govuk-select" id="filter-stage" name="stage" value={stage}
                onChange={(e) => setStage((e.target as HTMLSelectElement).value)}>
                <option value="">Any stage</option>
                {stages.map((s) => (
                  <option key={s.key} value={s.key}>{s.name}</option>
                ))}
              </select>
            </div>
          </div>
          <div class="govuk-grid-column-one-third">
            <div class="govuk-form-group">
              <label class="govuk-label govuk-label--s" for="filter-confidence">
                Delivery confidence
              </label>
              <select class="govuk-select" id="filter-confidence" name="confidence" value={confidence}
                onChange={(e) => setConfidence((e.target as HTMLSelectElement).value)}>
                <option value="">Any rating</option>
                {CONFIDENCE.map((c) => (
                  <option key={c} value={c}>{confidenceLabel(c)}</option>
                ))}
              </select>
            </div>
          </div>
        </div>
        <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0">
          Apply filters
        </button>
        {Object.keys(query).some((k) => k !== 'sort' && k !== 'offset') && (
          <a class="govuk-link govuk-!-margin-left-3" href={path}>
            Clear filters
          </a>
        )}
      </form>
      {projects.problem ? (
        <ProblemPage problem={projects.problem} onRetry={projects.reload} />
      ) : !projects.data ? (
        <Loading what="Loading projects" />
      ) : (
        <>
          <p class="govuk-body" role="status">
            {projects.data.total} {projects.data.total === 1 ? 'project' : 'projects'}
          </p>
          {projects.data.items.length > 0 && (
            <Scroll label="Projects">
            <table class="govuk-table" data-testid="projects-table">
              <caption class="govuk-table__caption govuk-table__caption--s govuk-visually-hidden">Projects</caption>
              <thead class="govuk-table__head">
                <tr class="govuk-table__row">
                  <SortHeader label="Reference" column="reference" query={query} path={path} />
                  <SortHeader label="Name" column="name" query={query} path={path} />
                  <SortHeader label="Stage" column="stage" query={query} path={path} />
                  <th scope="col" class="govuk-table__header">Confidence</th>
                  <SortHeader label="Planned end" column="planned_end" query={query} path={path} />
                  {editable && <th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Actions</span></th>}
                </tr>
              </thead>
              <tbody class="govuk-table__body">
                {projects.data.items.map((project) => (
                  <tr class="govuk-table__row" key={project.id}>
                    <td class="govuk-table__cell app-nowrap">{project.reference}</td>
                    <td class="govuk-table__cell">
                      <a class="govuk-link" href={`/projects/${project.id}`}>
                        {project.name}
                      </a>
                    </td>
                    <td class="govuk-table__cell">{stageName(project.stage)}</td>
                    <td class="govuk-table__cell">
                      <RagTag value={project.confidence} />
                    </td>
                    <td class="govuk-table__cell">{project.planned_end ?? ''}</td>
                    {editable && (
                      <td class="govuk-table__cell">
                        {project.allowed_actions.includes('edit') && (
                          <a class="govuk-link" href={`/projects/${project.id}/edit`}>
                            Change<span class="govuk-visually-hidden"> {project.reference}</span>
                          </a>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
            </Scroll>
          )}
          <Pagination total={projects.data.total} limit={LIMIT} offset={Number(query.offset ?? 0)} query={query} path={path} />
        </>
      )}
    </div>
  )
}

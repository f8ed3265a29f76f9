import { ProjectsTable } from '../components/ProjectsTable'
import { Loading, ProblemPage } from '../components/ui'
import { useResource } from '../lib/data'
import { defaultLifecycle } from '../lib/lifecycle'

export function Projects() {
  const lifecycle = useResource('lifecycle', defaultLifecycle)
  return (
    <>
      <h1 class="govuk-heading-l">Projects</h1>
      {lifecycle.problem ? (
        <ProblemPage problem={lifecycle.problem} />
      ) : lifecycle.loading && !lifecycle.data ? (
        <Loading />
      ) : (
        <ProjectsTable stages={lifecycle.data?.stages ?? []} />
      )}
    </>
  )
}

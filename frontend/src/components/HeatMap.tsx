import type { Schemas } from '../api/client'
import { humanise, pointLabel } from '../lib/format'

/** The risk heat map as a table: each cell says its count and band in words. */
/** With `register`, each residual cell links to the RAID register filtered to its risks
 *  (`register` holds the page's own filters, e.g. "programme_id=..."). */
export function HeatMap({ map, caption, register }: { map: Schemas['HeatMap']; caption: string; register?: string }) {
  const points = Array.from({ length: map.points }, (_, i) => i + 1)
  const cell = (likelihood: number, impact: number) =>
    map.cells.find((c) => c.likelihood === likelihood && c.impact === impact)
  return (
    <table class="app-heatmap" data-testid="heat-map">
      <caption class="govuk-table__caption govuk-table__caption--s">
        {caption} ({humanise(map.basis)} scores, {map.total} open risks)
      </caption>
      <thead>
        <tr>
          <td />
          {points.map((impact) => (
            <th scope="col" key={impact}>
              Impact {pointLabel(map.scale, impact)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {[...points].reverse().map((likelihood) => (
          <tr key={likelihood}>
            <th scope="row">Likelihood {pointLabel(map.scale, likelihood)}</th>
            {points.map((impact) => {
              const c = cell(likelihood, impact)
              return (
                <td key={impact} class={c ? `app-heatmap__cell app-heatmap__cell--${c.band}` : ''}>
                  {c && register !== undefined && map.basis === 'residual' && c.count > 0 ? (
                    <a class="govuk-link" href={`/raid-register?${register ? `${register}&` : ''}impact=${impact}&likelihood=${likelihood}&status=open&type=risk`}>
                      {`${c.count} (${humanise(c.band)})`}
                      <span class="govuk-visually-hidden">, likelihood {likelihood}, impact {impact}: show these risks</span>
                    </a>
                  ) : c ? (
                    `${c.count} (${humanise(c.band)})`
                  ) : (
                    '0'
                  )}
                </td>
              )
            })}
          </tr>
        ))}
      </tbody>
    </table>
  )
}

import { kpiNumber, kpiRagLabel } from '../lib/kpi'
import { Chart } from './Chart'
import { Scroll } from './ui'

export interface ChartPoint {
  label: string
  actual: number | null
  target: number | null
  /** The far edge of the amber band (the target is the near one); null with no polarity. */
  edge: number | null
  rag: string | null
}

/**
 * A KPI's trend: published values (line and points), the target (dashed steps) and the amber
 * tolerance band, drawn with Chart.js. The canvas names itself and says what it shows, and the
 * table that follows it holds every figure (the chart is not the only way to read them).
 */
export function KpiChart({ points, unit, title, summary }: { points: ChartPoint[]; unit: string; title: string; summary: string }) {
  if (points.length === 0) return <p class="govuk-body">No values or targets to chart yet.</p>
  return (
    <figure class="govuk-!-margin-0 govuk-!-margin-bottom-4">
      <Scroll label="Trend chart">
        <div class="app-kpi-chart">
          <Chart
            label={`${title}. ${summary}`}
            height={280}
            testId="kpi-chart"
            spec={{
              kind: 'kpi',
              labels: points.map((p) => p.label),
              actual: points.map((p) => p.actual),
              target: points.map((p) => p.target),
              edge: points.map((p) => (p.target === null ? null : p.edge)),
              tick: (value) => kpiNumber(String(value), unit === 'yes_no' ? 'number' : unit),
              point: (i) => {
                const p = points[i]
                return p && p.actual !== null ? `${p.label}: ${kpiNumber(String(p.actual), unit)}, ${kpiRagLabel(p.rag)}` : ''
              },
            }}
          />
        </div>
      </Scroll>
      <ul class="app-kpi-chart__legend" aria-hidden="true">
        <li>
          <span class="app-kpi-chart__key app-kpi-chart__key--actual" />
          Published value
        </li>
        <li>
          <span class="app-kpi-chart__key app-kpi-chart__key--target" />
          Target
        </li>
        <li>
          <span class="app-kpi-chart__key app-kpi-chart__key--band" />
          Tolerance (amber)
        </li>
      </ul>
    </figure>
  )
}

import { kpiNumber, kpiRagLabel, niceTicks } from '../lib/kpi'
import { Scroll } from './ui'

export interface ChartPoint {
  label: string
  actual: number | null
  target: number | null
  /** The far edge of the amber band (the target is the near one); null with no polarity. */
  edge: number | null
  rag: string | null
}

const WIDTH = 720
const HEIGHT = 280
const LEFT = 64
const RIGHT = 16
const TOP = 16
const BOTTOM = 44

/**
 * A KPI's trend: published values (line and points), the target (dashed steps) and the amber
 * tolerance band. Drawn by hand as SVG; it names itself and says what it shows, and the table
 * that follows it holds every figure (the chart is not the only way to read them).
 */
export function KpiChart({ points, unit, title, summary }: { points: ChartPoint[]; unit: string; title: string; summary: string }) {
  if (points.length === 0) return <p class="govuk-body">No values or targets to chart yet.</p>
  const numbers = points.flatMap((p) => [p.actual, p.target, p.edge]).filter((n): n is number => n !== null)
  const ticks = niceTicks(Math.min(...numbers), Math.max(...numbers))
  const low = ticks[0] ?? 0
  const high = ticks[ticks.length - 1] ?? 1
  const step = (WIDTH - LEFT - RIGHT) / points.length
  const x = (i: number) => LEFT + step * (i + 0.5)
  const y = (n: number) => TOP + (HEIGHT - TOP - BOTTOM) * (1 - (n - low) / (high - low || 1))
  const every = Math.ceil(points.length / 8)
  const line = points
    .map((p, i) => (p.actual === null ? null : `${x(i).toFixed(1)},${y(p.actual).toFixed(1)}`))
    .filter(Boolean)
    .join(' ')
  return (
    <figure class="govuk-!-margin-0 govuk-!-margin-bottom-4">
      <Scroll label="Trend chart">
      <svg class="app-kpi-chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="kpi-chart-title kpi-chart-desc"
        data-testid="kpi-chart">
        <title id="kpi-chart-title">{title}</title>
        <desc id="kpi-chart-desc">{summary}</desc>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(t)} y2={y(t)} stroke="#b1b4b6" stroke-width="1" />
            <text x={LEFT - 6} y={y(t) + 4} text-anchor="end" fill="#0b0c0c">
              {kpiNumber(String(t), unit === 'yes_no' ? 'number' : unit)}
            </text>
          </g>
        ))}
        {points.map((p, i) =>
          p.target !== null && p.edge !== null ? (
            <rect key={`band-${p.label}`} x={x(i) - step / 2} width={step} y={Math.min(y(p.target), y(p.edge))}
              height={Math.abs(y(p.edge) - y(p.target))} fill="#ffdd00" fill-opacity="0.45" />
          ) : null,
        )}
        {points.map((p, i) =>
          p.target !== null ? (
            <line key={`target-${p.label}`} x1={x(i) - step / 2} x2={x(i) + step / 2} y1={y(p.target)} y2={y(p.target)}
              stroke="#0b0c0c" stroke-width="2" stroke-dasharray="6 4" />
          ) : null,
        )}
        {line && <polyline points={line} fill="none" stroke="#1d70b8" stroke-width="3" />}
        {points.map((p, i) =>
          p.actual !== null ? (
            <circle key={`point-${p.label}`} cx={x(i)} cy={y(p.actual)} r="5" fill="#1d70b8" stroke="#ffffff" stroke-width="1.5">
              <title>{`${p.label}: ${kpiNumber(String(p.actual), unit)}, ${kpiRagLabel(p.rag)}`}</title>
            </circle>
          ) : null,
        )}
        {points.map((p, i) =>
          i % every === 0 ? (
            <text key={`label-${p.label}`} x={x(i)} y={HEIGHT - BOTTOM + 18} text-anchor="middle" fill="#0b0c0c">
              {p.label}
            </text>
          ) : null,
        )}
        <line x1={LEFT} x2={WIDTH - RIGHT} y1={HEIGHT - BOTTOM} y2={HEIGHT - BOTTOM} stroke="#0b0c0c" stroke-width="1" />
      </svg>
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

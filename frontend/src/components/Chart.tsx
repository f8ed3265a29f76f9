import { useEffect, useRef, useState } from 'preact/hooks'

/** What a chart shows, as plain data: the Chart.js code that draws it is loaded only when needed. */
export type ChartSpec =
  | {
      kind: 'bars'
      labels: string[]
      values: number[]
      /** Written at the end of each bar, so the figure never depends on reading the axis. */
      valueLabels: string[]
      horizontal: boolean
      tick: (value: number) => string
    }
  | {
      kind: 'kpi'
      labels: string[]
      actual: (number | null)[]
      target: (number | null)[]
      /** The far edge of the amber tolerance band (the target is the near one). */
      edge: (number | null)[]
      tick: (value: number) => string
      point: (index: number) => string
    }

/**
 * A Chart.js chart on a canvas that names itself (role="img" and a summary in aria-label).
 * Chart.js is imported on first use, so it is not part of the first load; the figures are
 * always in a table next to the chart as well.
 */
export function Chart({ spec, label, height, testId }: { spec: ChartSpec; label: string; height: number; testId?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const [failed, setFailed] = useState(false)
  // Redrawn when the figures change, not on every render (JSON leaves the functions out).
  const figures = JSON.stringify(spec)
  const latest = useRef(spec)
  latest.current = spec
  useEffect(() => {
    let destroy: (() => void) | null = null
    let cancelled = false
    import('../lib/charts')
      .then(({ drawChart }) => {
        if (!cancelled && canvas.current) destroy = drawChart(canvas.current, latest.current)
      })
      // The chart is a convenience: the table beside it still has every figure.
      .catch(() => setFailed(true))
    return () => {
      cancelled = true
      destroy?.()
    }
  }, [figures])
  if (failed) return <p class="govuk-body">The chart could not be drawn; the table has the same figures.</p>
  return (
    <div class="app-chart__canvas" style={{ height: `${height}px` }}>
      <canvas ref={canvas} role="img" aria-label={label} data-testid={testId}>
        {label}
      </canvas>
    </div>
  )
}

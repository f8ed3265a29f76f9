// The only module that imports Chart.js. It is loaded with import() by components/Chart.tsx,
// so the library stays out of the first load, and only the parts these charts use are
// registered (the rest is left out of the bundle).
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  type Plugin,
  PointElement,
  Tooltip,
} from 'chart.js'
import type { ChartSpec } from '../components/Chart'

Chart.register(BarController, BarElement, CategoryScale, Filler, LinearScale, LineController, LineElement, PointElement, Tooltip)

// The design system's colours and type (Arial: the GDS font is GOV.UK's alone).
const BLACK = '#0b0c0c'
const BLUE = '#1d70b8'
const GREY = '#b1b4b6'
const YELLOW_BAND = 'rgba(255, 221, 0, 0.45)'
Chart.defaults.font.family = 'arial, sans-serif'
Chart.defaults.font.size = 14
Chart.defaults.color = BLACK
// No movement: nothing to wait for, and nothing for people who asked for reduced motion.
Chart.defaults.animation = false

/** Writes each bar's figure at its end: the length of a bar is never the only way to read it. */
function valueLabels(labels: string[], horizontal: boolean): Plugin<'bar'> {
  return {
    id: 'valueLabels',
    afterDatasetsDraw(chart) {
      const { ctx } = chart
      ctx.save()
      ctx.fillStyle = BLACK
      ctx.font = `bold 14px ${Chart.defaults.font.family}`
      ctx.textAlign = horizontal ? 'left' : 'center'
      ctx.textBaseline = horizontal ? 'middle' : 'bottom'
      chart.getDatasetMeta(0).data.forEach((bar, i) => {
        const { x, y } = bar.getProps(['x', 'y'], true) as { x: number; y: number }
        ctx.fillText(labels[i] ?? '', horizontal ? x + 6 : x, horizontal ? y : y - 4)
      })
      ctx.restore()
    },
  }
}

function barsConfig(spec: Extract<ChartSpec, { kind: 'bars' }>): ChartConfiguration<'bar'> {
  const valueAxis = {
    beginAtZero: true,
    // Room for the figure written past the longest bar.
    grace: '15%',
    grid: { color: GREY },
    ticks: { precision: 0, callback: (value: string | number) => spec.tick(Number(value)) },
  }
  const categoryAxis = { grid: { display: false } }
  return {
    type: 'bar',
    data: { labels: spec.labels, datasets: [{ data: spec.values, backgroundColor: BLUE, maxBarThickness: 48 }] },
    options: {
      indexAxis: spec.horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      scales: spec.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      plugins: { tooltip: { callbacks: { label: (item) => spec.valueLabels[item.dataIndex] ?? '' } } },
    },
    plugins: [valueLabels(spec.valueLabels, spec.horizontal)],
  }
}

function kpiConfig(spec: Extract<ChartSpec, { kind: 'kpi' }>): ChartConfiguration<'line'> {
  return {
    type: 'line',
    data: {
      labels: spec.labels,
      datasets: [
        // The tolerance band: filled from its far edge to the target (dataset 1).
        {
          label: 'Tolerance (amber)',
          data: spec.edge,
          stepped: 'middle',
          borderWidth: 0,
          pointRadius: 0,
          backgroundColor: YELLOW_BAND,
          fill: 1,
          order: 3,
        },
        {
          label: 'Target',
          data: spec.target,
          stepped: 'middle',
          borderColor: BLACK,
          borderWidth: 2,
          borderDash: [6, 4],
          pointRadius: 0,
          fill: false,
          order: 2,
        },
        {
          label: 'Published value',
          data: spec.actual,
          borderColor: BLUE,
          backgroundColor: BLUE,
          borderWidth: 3,
          pointRadius: 5,
          pointBorderColor: '#ffffff',
          pointBorderWidth: 1.5,
          fill: false,
          order: 1,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { grid: { display: false }, ticks: { autoSkip: true, maxTicksLimit: 8, maxRotation: 0 } },
        y: { grid: { color: GREY }, ticks: { callback: (value) => spec.tick(Number(value)) } },
      },
      plugins: {
        // Every fill first, so the band lies under the target and the values.
        filler: { drawTime: 'beforeDatasetsDraw' },
        tooltip: {
          filter: (item) => item.datasetIndex === 2,
          callbacks: { label: (item) => spec.point(item.dataIndex) },
        },
      },
    },
  }
}

/** Draws the chart on the canvas; returns what removes it again. */
export function drawChart(canvas: HTMLCanvasElement, spec: ChartSpec): () => void {
  const chart = spec.kind === 'bars' ? new Chart(canvas, barsConfig(spec)) : new Chart(canvas, kpiConfig(spec))
  return () => chart.destroy()
}

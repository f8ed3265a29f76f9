// KPI words and periods, as the API names them (DOMAIN.md section 6). RAG and direction are
// always words as well as colours.

export type Frequency = 'annual' | 'quarterly' | 'monthly'

const DIRECTIONS: Record<string, string> = {
  improving: 'Improving',
  worsening: 'Worsening',
  no_change: 'No change',
  increasing: 'Increasing',
  decreasing: 'Decreasing',
}

export function directionLabel(direction: string | null | undefined): string {
  return direction ? (DIRECTIONS[direction] ?? direction) : 'Not known'
}

/** An arrow beside the words (never instead of them). */
export function directionArrow(direction: string | null | undefined): string {
  if (direction === 'improving' || direction === 'increasing') return '↑'
  if (direction === 'worsening' || direction === 'decreasing') return '↓'
  if (direction === 'no_change') return '→'
  return ''
}

export function kpiRagLabel(rag: string | null | undefined): string {
  if (rag === 'green') return 'Green'
  if (rag === 'amber') return 'Amber'
  if (rag === 'red') return 'Red'
  return 'No RAG'
}

/** A KPI number with its unit: "72.5%", "£1200.00", "Yes". */
export function kpiNumber(value: string | null | undefined, unit: string): string {
  if (value === null || value === undefined || value === '') return ''
  if (unit === 'percentage') return `${value}%`
  if (unit === 'money') return `£${value}`
  if (unit === 'yes_no') return Number(value) === 1 ? 'Yes' : 'No'
  return value
}

export const FREQUENCY_HINT: Record<Frequency, string> = {
  annual: 'A financial year, for example 2023-24',
  quarterly: 'A financial quarter, for example 2023-24-Q2 (Q1 is April to June)',
  monthly: 'A month, for example 2023-04',
}

export interface PeriodChoice {
  code: string
  label: string
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

function yearCode(startYear: number): string {
  return `${startYear}-${String((startYear + 1) % 100).padStart(2, '0')}`
}

/** The period of `frequency` containing the month `month` (0-11) of `year`, as an index that counts up. */
function periodIndex(frequency: Frequency, year: number, month: number): number {
  const monthsSinceApril = year * 12 + month - 3 // financial years start in April
  if (frequency === 'monthly') return year * 12 + month
  if (frequency === 'quarterly') return Math.floor(monthsSinceApril / 3)
  return Math.floor(monthsSinceApril / 12)
}

function periodAt(frequency: Frequency, index: number): PeriodChoice {
  if (frequency === 'monthly') {
    const year = Math.floor(index / 12)
    const month = index % 12
    return { code: `${year}-${String(month + 1).padStart(2, '0')}`, label: `${MONTHS[month]} ${year}` }
  }
  if (frequency === 'quarterly') {
    const startYear = Math.floor(index / 4)
    const quarter = (index % 4) + 1
    const code = yearCode(startYear)
    return { code: `${code}-Q${quarter}`, label: `${code.replace('-', '/')} Q${quarter}` }
  }
  const code = yearCode(index)
  return { code, label: code.replace('-', '/') }
}

/** The last `count` periods of `frequency` that have ended by `today`, newest first. */
export function endedPeriods(frequency: Frequency, today: Date, count: number): PeriodChoice[] {
  const current = periodIndex(frequency, today.getFullYear(), today.getMonth())
  return Array.from({ length: count }, (_, i) => periodAt(frequency, current - 1 - i))
}

/** Tolerance band edges: amber lies between the target and `edge` (below it when higher is better). */
export function toleranceEdge(target: number, tolerancePercent: number, polarity: string): number | null {
  if (polarity === 'none') return null
  const band = (Math.abs(target) * tolerancePercent) / 100
  return polarity === 'higher_is_better' ? target - band : target + band
}

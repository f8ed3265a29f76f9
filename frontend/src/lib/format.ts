// Words for the API's codes. RAG and confidence are always shown as words, never colour alone.

export function humanise(code: string | null | undefined): string {
  if (!code) return ''
  const text = code.replace(/_/g, ' ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

// Roles as people name them: never the API's code (`finance`).
const ROLES: Record<string, string> = {
  admin: 'Administrator',
  pmo: 'PMO officer',
  sponsor: 'Sponsor',
  project_manager: 'Project manager',
  finance: 'Finance officer',
  member: 'Cabinet member',
  democratic_services: 'Democratic services officer',
  viewer: 'Viewer',
}

export function roleLabel(role: string | null | undefined): string {
  return role ? (ROLES[role] ?? humanise(role)) : NOT_SET
}

// What an empty value reads: a setting or figure not given yet, or a list or text with nothing in it.
export const NOT_SET = 'Not set'
export const NONE_RECORDED = 'None recorded'

const CONFIDENCE: Record<string, string> = {
  green: 'Green',
  amber_green: 'Amber/green',
  amber: 'Amber',
  amber_red: 'Amber/red',
  red: 'Red',
}

export function confidenceLabel(rating: string | null | undefined): string {
  return rating ? (CONFIDENCE[rating] ?? humanise(rating)) : 'Not assessed'
}

/** The GOV.UK tag colour for a RAG value (the text says it too). */
export function ragTagClass(value: string | null | undefined): string {
  switch (value) {
    case 'green':
      return 'govuk-tag--green'
    case 'amber_green':
      return 'govuk-tag--turquoise'
    case 'amber':
      return 'govuk-tag--yellow'
    case 'amber_red':
      return 'govuk-tag--orange'
    case 'red':
      return 'govuk-tag--red'
    default:
      return 'govuk-tag--grey'
  }
}

const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' })

export function formatDate(value: string | null | undefined): string {
  if (!value) return ''
  const date = new Date(value.length === 10 ? `${value}T12:00:00Z` : value)
  return Number.isNaN(date.getTime()) ? value : DATE.format(date)
}

const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London',
})

/** A moment as people read it: "6 December 2026, 10:15" (UK time). */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return ''
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? value : DATE_TIME.format(date)
}

/** Risk score and band as the server works them out (raid/scoring.py), for the form preview. */
export function riskScore(scale: string, likelihood: number, impact: number): { score: number; band: string } {
  const score = likelihood * impact
  const [amberFrom, redFrom] = scale === 'hml3' ? [3, 6] : [5, 15]
  return { score, band: score >= redFrom ? 'red' : score >= amberFrom ? 'amber' : 'green' }
}

export function scalePoints(scale: string): number {
  return scale === 'hml3' ? 3 : 5
}

export function pointLabel(scale: string, point: number): string {
  if (scale === 'hml3') return ['Low', 'Medium', 'High'][point - 1] ?? String(point)
  return String(point)
}

import { roleLabel } from './format'
// Money on the page. The API gives pounds as exact decimal strings ("30000.00"); they are
// formatted as text, never through a float, so a penny is never lost.

/** "30000.00" -> "£30,000.00"; "-5.5" -> "-£5.50". */
export function pounds(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return ''
  const negative = value.startsWith('-')
  const [whole = '0', fraction = ''] = value.replace(/^-/, '').split('.')
  const grouped = whole.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${negative ? '-' : ''}£${grouped}.${(fraction + '00').slice(0, 2)}`
}

/** What someone typed as pounds, as the API's decimal string: "£30,000" -> "30000".
 *  Anything else is sent as typed, so the API's own message explains what is wrong. */
export function poundsInput(text: string): string {
  const cleaned = text.trim().replace(/^£/, '').replace(/,/g, '').trim()
  return /^\d+(\.\d{1,2})?$/.test(cleaned) ? cleaned : text.trim()
}

/** Whether typed text is a usable amount (for the route preview; the API still decides). */
export function isAmount(text: string): boolean {
  const value = poundsInput(text)
  return /^\d+(\.\d{1,2})?$/.test(value) && Number(value) > 0
}

/** Pence from a decimal string, exactly (for sums and comparisons on the page). */
export function pence(value: string): number {
  const negative = value.startsWith('-')
  const [whole = '0', fraction = ''] = value.replace(/^-/, '').split('.')
  const result = Number(whole) * 100 + Number((fraction + '00').slice(0, 2))
  return negative ? -result : result
}

/** "2022/23" for the financial year (1 April to 31 March) holding `date`. */
export function financialYearOf(date: Date): string {
  const start = date.getUTCMonth() >= 3 ? date.getUTCFullYear() : date.getUTCFullYear() - 1
  return financialYear(start)
}

export function financialYear(startYear: number): string {
  return `${startYear}/${String((startYear + 1) % 100).padStart(2, '0')}`
}

/** The financial years from `first` to `last` ("2022/23" style), inclusive. */
export function financialYears(first: string, last: string): string[] {
  const from = Number(first.slice(0, 4))
  const to = Number(last.slice(0, 4))
  const years: string[] = []
  for (let year = from; year <= to; year++) years.push(financialYear(year))
  return years
}

// The roles that take part in a draw-down, as a council officer would name them.
const ROLE_NAMES: Record<string, string> = {
  sponsor: 'a Service Director (sponsor)',
  finance: 'the Section 151 officer (finance officer)',
  member: 'the Cabinet Member',
  pmo: 'the PMO',
  democratic_services: 'democratic services',
}

export function roleName(role: string): string {
  return ROLE_NAMES[role] ?? roleLabel(role).toLowerCase()
}

/** "a, b and c" */
export function listOf(items: string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}

const BODY: Record<string, string> = { cabinet: 'Cabinet', council: 'Council' }

/** The route in one sentence: who decides and who is consulted first, or where it is referred. */
export function routeSummary(route: { route: string; decider_role: string | null; consultee_roles: string[] }): string {
  if (route.route === 'delegated') {
    const decider = route.decider_role ? roleName(route.decider_role) : 'the delegated decider'
    const consulted = route.consultee_roles.length ? `, after consulting ${listOf(route.consultee_roles.map(roleName))}` : ''
    return `Delegated: decided by ${decider}${consulted}.`
  }
  return `Referred to ${BODY[route.route] ?? route.route}.`
}

export function bodyName(body: string | null | undefined): string {
  return body ? (BODY[body] ?? body) : ''
}

const STATUS: Record<string, string> = {
  consultation: 'In consultation',
  awaiting_decision: 'Awaiting decision',
  referred: 'Referred',
  approved: 'Approved',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
}

export function drawdownStatus(status: string): string {
  return STATUS[status] ?? status
}

const VIEWS: Record<string, string> = { supports: 'Supports', objects: 'Objects', comment: 'Comment only' }

export function viewName(view: string): string {
  return VIEWS[view] ?? view
}

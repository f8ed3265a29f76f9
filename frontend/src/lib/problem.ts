// problem+json (RFC 9457) from the API, turned into what the GOV.UK error summary shows.

export interface FieldProblem {
  location: (string | number)[]
  message: string
  type?: string
}

export interface Problem {
  type?: string
  title: string
  status: number
  detail?: string | null
  errors?: FieldProblem[] | null
  [key: string]: unknown
}

export interface ErrorItem {
  text: string
  href?: string
}

export interface FormErrors {
  status: number
  summary: ErrorItem[]
  fields: Record<string, string>
}

/** The form field a problem points at: ["body", "answers", 0, "answer"] -> "answers.0.answer". */
export function fieldName(location: (string | number)[]): string | null {
  const [where, ...rest] = location
  if (where !== 'body' && where !== 'query') return null
  return rest.length ? rest.join('.') : null
}

/** The id of a field's input. A form that shares its page with another form gives a prefix
 * (components/ui.tsx's IdPrefix), so the two never share an id. */
export function fieldId(name: string, prefix = ''): string {
  return `${prefix}field-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`
}

function sentence(text: string): string {
  const trimmed = text.trim()
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1)
}

function isSentence(text: string): boolean {
  const first = text.trim().charAt(0)
  return first !== '' && first === first.toUpperCase() && first !== first.toLowerCase()
}

export function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'status' in value && 'title' in value
}

/** What a failed request means for the person: a summary, and a message per field. */
export function toFormErrors(problem: Problem, labels: Record<string, string> = {}): FormErrors {
  const fields: Record<string, string> = {}
  const summary: ErrorItem[] = []
  for (const error of problem.errors ?? []) {
    const name = fieldName(error.location)
    if (name && !(name in fields)) {
      // The API writes its messages as sentences that name the field ("Enter the purpose");
      // a fragment from an older rule ("outside the source's years") gets the label in front.
      const message = isSentence(error.message)
        ? error.message
        : `${labels[name] ?? sentence(name.replace(/[._]/g, ' '))}: ${error.message}`
      fields[name] = message
      summary.push({ text: message, href: `#${fieldId(name)}` })
    } else if (!name) {
      summary.push({ text: sentence(error.message) })
    }
  }
  if (summary.length === 0) summary.push({ text: describe(problem) })
  return { status: problem.status, summary, fields }
}

/** One sentence for a problem without field errors. */
export function describe(problem: Problem): string {
  const detail = problem.detail ?? problem.title
  switch (problem.status) {
    case 403:
      // The API names the permission and the roles that carry it.
      return detail
    case 412:
      return 'Someone else changed this record since you opened it. Reload it to see their changes, then make yours again.'
    case 429:
      return detail
    default:
      return detail
  }
}

export const NETWORK_PROBLEM: Problem = {
  title: 'The service could not be reached',
  status: 0,
  detail: 'The service could not be reached. Check your connection and try again.',
}

/** A Response (or a thrown network error) as a Problem. */
export async function problemFrom(response: Response | undefined, body?: unknown): Promise<Problem> {
  if (!response) return NETWORK_PROBLEM
  if (isProblem(body)) return body
  try {
    const parsed: unknown = await response.clone().json()
    if (isProblem(parsed)) return parsed
  } catch {
    // not JSON
  }
  return { title: response.statusText || 'Error', status: response.status, detail: `The request failed (${response.status}).` }
}

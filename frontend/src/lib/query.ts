// Filters, sort and page live in the address bar, so a view can be shared or bookmarked.

export type QueryState = Record<string, string>

export function readQuery(search: string, keys: readonly string[]): QueryState {
  const params = new URLSearchParams(search)
  const state: QueryState = {}
  for (const key of keys) {
    const value = params.get(key)
    if (value !== null && value !== '') state[key] = value
  }
  return state
}

/** The search string for `state`: empty values dropped, keys in a stable order. */
export function writeQuery(state: QueryState): string {
  const params = new URLSearchParams()
  for (const key of Object.keys(state).sort()) {
    const value = state[key]
    if (value !== undefined && value !== '') params.set(key, value)
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

/** Changing a filter goes back to the first page. */
export function withFilter(state: QueryState, key: string, value: string): QueryState {
  const next: QueryState = { ...state, [key]: value }
  if (key !== 'offset') delete next.offset
  return next
}

/** The next sort for a column: ascending, then descending, then ascending again. */
export function nextSort(current: string | undefined, column: string): string {
  return current === column ? `-${column}` : column
}

export function ariaSort(current: string | undefined, column: string): 'ascending' | 'descending' | 'none' {
  if (current === column) return 'ascending'
  if (current === `-${column}`) return 'descending'
  return 'none'
}

import { useEffect, useState } from 'preact/hooks'

// A small history-API router: the service answers every non-API path with the app.

const listeners = new Set<() => void>()

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  listeners.forEach((listener) => listener())
  if (!replace) window.scrollTo(0, 0)
}

window.addEventListener('popstate', () => listeners.forEach((listener) => listener()))

export function useLocation(): { path: string; search: string } {
  const [, setTick] = useState(0)
  useEffect(() => {
    const listener = () => setTick((tick) => tick + 1)
    listeners.add(listener)
    return () => {
      listeners.delete(listener)
    }
  }, [])
  return { path: location.pathname, search: location.search }
}

/** Matches "/projects/:id" against a path; returns the parameters or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean)
  const have = path.split('/').filter(Boolean)
  if (want.length !== have.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const part = want[i] as string
    const value = have[i] as string
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(value)
    else if (part !== value) return null
  }
  return params
}

/** Internal links go through the router (no page load); others behave as links. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.target as HTMLElement).closest('a')
  if (!anchor || event.defaultPrevented || event.button !== 0) return
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  const href = anchor.getAttribute('href')
  if (!href || !href.startsWith('/') || href.startsWith('/api/') || anchor.target) return
  event.preventDefault()
  navigate(href)
}

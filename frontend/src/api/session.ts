// The browser session: the access token lives in this module's memory only. The refresh token
// is an httpOnly cookie that script never sees; refresh and sign-out echo the CSRF cookie.

export const SESSION_URL = '/api/v1/auth/session'
export const REFRESH_URL = '/api/v1/auth/session/refresh'
const CSRF_COOKIE = '__Host-pmo_csrf'

interface SessionBody {
  access_token: string
  expires_in: number
  csrf_token: string
}

let accessToken: string | null = null
let csrfToken: string | null = null
let refreshing: Promise<boolean> | null = null
const listeners = new Set<(signedIn: boolean) => void>()

export function currentToken(): string | null {
  return accessToken
}

export function onSessionChange(listener: (signedIn: boolean) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

function setSession(body: SessionBody | null): void {
  const was = accessToken !== null
  accessToken = body?.access_token ?? null
  csrfToken = body?.csrf_token ?? null
  if (was !== (accessToken !== null)) listeners.forEach((listener) => listener(accessToken !== null))
}

export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return decodeURIComponent(value.join('='))
  }
  return null
}

function csrf(): string {
  return csrfToken ?? readCookie(document.cookie, CSRF_COOKIE) ?? ''
}

/** Sign in; returns the Response so the caller can show a problem (401, 423-like 429, 422). */
export async function signIn(email: string, password: string): Promise<Response> {
  const response = await fetch(SESSION_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ email, password }),
    credentials: 'same-origin',
  })
  if (response.ok) setSession((await response.clone().json()) as SessionBody)
  return response
}

/** A new access token from the cookie; one request at a time, shared by every caller. */
export function refresh(): Promise<boolean> {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        if (!readCookie(document.cookie, CSRF_COOKIE) && !csrfToken) {
          setSession(null)
          return false
        }
        const response = await fetch(REFRESH_URL, {
          method: 'POST',
          headers: { 'X-CSRF-Token': csrf(), Accept: 'application/json' },
          credentials: 'same-origin',
        })
        setSession(response.ok ? ((await response.json()) as SessionBody) : null)
        return response.ok
      } catch {
        return false // offline: keep what we have; the caller shows the failure
      } finally {
        refreshing = null
      }
    })()
  }
  return refreshing
}

export const SIGN_OUT_URL = '/api/v1/auth/oidc/sign-out'

/** Ends this session; for a council-account (directory) session, answers the identity
 * provider's sign-out page to go to next (RP-initiated logout), else null. */
export async function signOut(): Promise<string | null> {
  try {
    const response = await fetch(SIGN_OUT_URL, {
      method: 'POST',
      headers: { 'X-CSRF-Token': csrf(), Accept: 'application/json' },
      credentials: 'same-origin',
    })
    if (!response.ok) return null
    const body = (await response.json()) as { redirect_to: string | null }
    return body.redirect_to
  } catch {
    return null
  } finally {
    setSession(null)
  }
}

/** Ends every session of this person (other browsers too), then this one. */
export async function signOutEverywhere(): Promise<Response> {
  const response = await fetch('/api/v1/auth/logout-all', {
    method: 'POST',
    headers: { Authorization: `Bearer ${accessToken ?? ''}` },
  })
  if (response.ok) await signOut()
  return response
}

/** fetch with the access token; on a 401, refresh once and try again (form state is untouched). */
export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone()
  const send = (request: Request): Promise<Response> => {
    if (accessToken) request.headers.set('Authorization', `Bearer ${accessToken}`)
    return fetch(request)
  }
  const response = await send(input)
  if (response.status !== 401) return response
  if (!(await refresh())) return response
  return send(retry)
}

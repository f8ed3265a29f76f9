import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

// The session module reads document.cookie; in node there is no document, so give it one.
const cookies = { cookie: '' }
vi.stubGlobal('document', cookies)

const { authFetch, currentToken, readCookie, refresh } = await import('./session')

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

describe('the browser session', () => {
  const calls: { url: string; method: string; headers: Headers; body: string | null }[] = []

  beforeEach(() => {
    calls.length = 0
    cookies.cookie = 'other=1; __Host-pmo_csrf=csrf-from-cookie'
  })
  afterEach(() => vi.unstubAllGlobals())

  it('reads a cookie by name', () => {
    expect(readCookie('a=1; __Host-pmo_csrf=x%3Dy; b=2', '__Host-pmo_csrf')).toBe('x=y')
    expect(readCookie('a=1; pmo_csrf=x', '__Host-pmo_csrf')).toBeNull()
  })

  it('on a 401 refreshes once with the CSRF header and sends the same request again', async () => {
    vi.stubGlobal('document', cookies)
    let first = true
    vi.stubGlobal('fetch', async (input: Request | string, init?: RequestInit) => {
      const request = typeof input === 'string' ? new Request(`http://app${input}`, init) : input
      calls.push({ url: request.url, method: request.method, headers: request.headers, body: await request.clone().text() })
      if (request.url.endsWith('/api/v1/auth/session/refresh')) {
        return json(200, { access_token: 'new-token', expires_in: 900, csrf_token: 'next-csrf' })
      }
      if (first) {
        first = false
        return json(401, { title: 'Not signed in', status: 401 })
      }
      return json(201, { ok: true })
    })

    const response = await authFetch(
      new Request('http://app/api/v1/risks', { method: 'POST', body: JSON.stringify({ title: 'Kept' }) }),
    )

    expect(response.status).toBe(201)
    expect(calls.map((c) => c.url.replace('http://app', ''))).toEqual([
      '/api/v1/risks',
      '/api/v1/auth/session/refresh',
      '/api/v1/risks',
    ])
    expect(calls[1]?.headers.get('X-CSRF-Token')).toBe('csrf-from-cookie')
    expect(calls[2]?.body).toBe('{"title":"Kept"}')
    expect(calls[2]?.headers.get('Authorization')).toBe('Bearer new-token')
    expect(currentToken()).toBe('new-token')
  })

  it('a refused refresh ends the session held in memory', async () => {
    vi.stubGlobal('document', { cookie: '' })
    vi.stubGlobal('fetch', async () => json(401, { title: 'Not signed in', status: 401 }))
    expect(currentToken()).toBe('new-token') // from the test before
    expect(await refresh()).toBe(false)
    expect(currentToken()).toBeNull()
  })

  it('reads the CSRF token from the __Host- cookie, never one without the prefix', async () => {
    // A cookie without the prefix could have been planted by a sibling subdomain.
    vi.stubGlobal('document', { cookie: 'pmo_csrf=planted' })
    const fetchSpy = vi.fn()
    vi.stubGlobal('fetch', fetchSpy)
    expect(await refresh()).toBe(false)
    expect(fetchSpy).not.toHaveBeenCalled()
  })

  it('with no session at all it does not even ask', async () => {
    vi.stubGlobal('document', { cookie: '' })
    const fetchSpy = vi.fn()
    vi.stubGlobal('fetch', fetchSpy)
    expect(await refresh()).toBe(false)
    expect(fetchSpy).not.toHaveBeenCalled()
  })
})

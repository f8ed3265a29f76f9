import { useCallback, useEffect, useState } from 'preact/hooks'
import { type Problem, NETWORK_PROBLEM, problemFrom } from './problem'

/** What openapi-fetch gives back. */
export interface Fetched<T> {
  data?: T
  error?: unknown
  response: Response
}

export type Loaded<T> = { data: T; problem?: undefined } | { data?: undefined; problem: Problem }

/** Runs a request; a failure (including no network) is a Problem, never a throw. */
export async function load<T>(request: () => Promise<Fetched<T>>): Promise<Loaded<T>> {
  try {
    const { data, error, response } = await request()
    if (response.ok && data !== undefined) return { data }
    if (response.ok) return { data: undefined as T }
    return { problem: await problemFrom(response, error) }
  } catch {
    return { problem: NETWORK_PROBLEM }
  }
}

export interface Resource<T> {
  data?: T
  problem?: Problem
  loading: boolean
  reload: () => void
}

/** Loads when `key` changes; keeps the last data while reloading. */
export function useResource<T>(key: string, loader: () => Promise<Loaded<T>>): Resource<T> {
  const [state, setState] = useState<{ data?: T; problem?: Problem; loading: boolean }>({ loading: true })
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let live = true
    setState((previous) => ({ ...previous, loading: true }))
    loader().then((result) => {
      if (live) setState({ data: result.data, problem: result.problem, loading: false })
    })
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  return { ...state, reload }
}

import { api, type Schemas } from '../api/client'
import { load, type Loaded } from './data'

/** The organisation's default lifecycle (stage names for the register's pages). */
export async function defaultLifecycle(): Promise<Loaded<Schemas['LifecyclePublic'] | undefined>> {
  const result = await load(() => api.GET('/api/v1/lifecycles', { params: { query: { limit: 200 } } }))
  if (result.problem) return result
  return { data: result.data.items.find((lifecycle) => lifecycle.is_default) ?? result.data.items[0] }
}

import createClient from 'openapi-fetch'
import type { components, paths } from './schema'
import { authFetch } from './session'

export type Schemas = components['schemas']

// Generated from openapi/openapi.json: `npm run generate:api` (checked by `npm run check:api`).
export const api = createClient<paths>({ baseUrl: '', fetch: authFetch })

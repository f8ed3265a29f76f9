import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { Schemas } from '../api/client'

export interface Who {
  me: Schemas['MePublic']
  organisation: Schemas['OrganisationPublic']
}

export const WhoContext = createContext<Who | null>(null)

export function useWho(): Who {
  const who = useContext(WhoContext)
  if (!who) throw new Error('useWho outside a signed-in page')
  return who
}

/** Whether to offer an action: the API still decides (a button shown is not a permission). */
export function useCan(): (permission: string) => boolean {
  const { me } = useWho()
  return (permission) => me.permissions.includes(permission)
}

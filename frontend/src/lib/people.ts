import type { Schemas } from '../api/client'

/** A person picker's options: active people, and the current one even if no longer active
 * (so saving a form keeps them), after the choice of nobody. */
export function peopleOptions(people: Schemas['UserPublic'][], current: string | null | undefined, none: string) {
  return [
    { value: '', text: none },
    ...people.filter((p) => p.is_active || p.id === current).map((p) => ({ value: p.id, text: p.display_name })),
  ]
}


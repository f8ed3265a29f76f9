import type { Schemas } from '../api/client'

/** The version of a delegation rule in force on `day` (an ISO date): the latest effective on or
 * before it. `versions` come as the API lists them, newest first. */
export function versionInForce(
  versions: Schemas['RuleVersionEntry'][],
  day: string,
): Schemas['RuleVersionEntry'] | undefined {
  return versions.find((v) => v.effective_from <= day)
}

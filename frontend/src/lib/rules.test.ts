import { describe, expect, it } from 'vitest'
import type { Schemas } from '../api/client'
import { versionInForce } from './rules'

function version(number: number, effective_from: string): Schemas['RuleVersionEntry'] {
  return {
    id: `v${number}`, rule_id: 'r', version: number, rule: {}, effective_from, created_at: `${effective_from}T09:00:00Z`,
    created_by_id: null, changed: [], created_by_name: null,
  }
}

// The API lists versions newest first; the one in force is the latest effective on or before the day.
describe('the version of a rule in force on a day', () => {
  const versions = [version(3, '2027-01-01'), version(2, '2026-12-06'), version(1, '2026-04-01')]

  it('is the latest that has taken effect, not a scheduled one', () => {
    expect(versionInForce(versions, '2026-12-31')?.version).toBe(2)
  })

  it('is the scheduled one from its first day', () => {
    expect(versionInForce(versions, '2027-01-01')?.version).toBe(3)
  })

  it('is none before the first version took effect', () => {
    expect(versionInForce(versions, '2026-03-31')).toBeUndefined()
  })
})

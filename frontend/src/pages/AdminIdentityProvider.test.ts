import { describe, expect, it } from 'vitest'
import { formatMappings, parseMappings } from './AdminIdentityProvider'

describe('the groups-to-roles map as text', () => {
  it('reads one mapping a line, with an optional directorate', () => {
    expect(parseMappings('PMO Office = pmo\n\n  finance-team=finance @ 3fa85f64-5717-4562-b3fc-2c963f66afa6 \n')).toEqual([
      { group: 'PMO Office', role: 'pmo', directorate_id: null },
      { group: 'finance-team', role: 'finance', directorate_id: '3fa85f64-5717-4562-b3fc-2c963f66afa6' },
    ])
  })

  it('leaves a line without a role for the API to name', () => {
    expect(parseMappings('just-a-group')).toEqual([{ group: 'just-a-group', role: '', directorate_id: null }])
  })

  it('writes back what it reads', () => {
    const text = 'pmo-office = pmo\nhousing = project_manager @ 3fa85f64-5717-4562-b3fc-2c963f66afa6'
    expect(formatMappings(parseMappings(text))).toBe(text)
  })
})

import { describe, expect, it } from 'vitest'
import { directionLabel, endedPeriods, kpiNumber, kpiRagLabel, toleranceEdge } from './kpi'

describe('KPI periods', () => {
  it('gives the quarters ended, newest first, in financial years from April', () => {
    expect(endedPeriods('quarterly', new Date(2026, 11, 1), 3)).toEqual([
      { code: '2026-27-Q2', label: '2026/27 Q2' },
      { code: '2026-27-Q1', label: '2026/27 Q1' },
      { code: '2025-26-Q4', label: '2025/26 Q4' },
    ])
    expect(endedPeriods('quarterly', new Date(2027, 0, 15), 1)[0]?.code).toBe('2026-27-Q3')
  })

  it('gives years and months', () => {
    expect(endedPeriods('annual', new Date(2026, 2, 31), 1)[0]).toEqual({ code: '2024-25', label: '2024/25' })
    expect(endedPeriods('annual', new Date(2026, 3, 1), 1)[0]?.code).toBe('2025-26')
    expect(endedPeriods('monthly', new Date(2026, 0, 10), 2)).toEqual([
      { code: '2025-12', label: 'December 2025' },
      { code: '2025-11', label: 'November 2025' },
    ])
  })
})

describe('KPI words', () => {
  it('says RAG, direction and units in words', () => {
    expect(kpiRagLabel(null)).toBe('No RAG')
    expect(kpiRagLabel('amber')).toBe('Amber')
    expect(directionLabel('no_change')).toBe('No change')
    expect(directionLabel(null)).toBe('Not known')
    expect(kpiNumber('72.5', 'percentage')).toBe('72.5%')
    expect(kpiNumber('1', 'yes_no')).toBe('Yes')
    expect(kpiNumber(null, 'number')).toBe('')
  })

  it('puts the amber band on the worse side of the target', () => {
    expect(toleranceEdge(80, 5, 'higher_is_better')).toBe(76)
    expect(toleranceEdge(4, 25, 'lower_is_better')).toBe(5)
    expect(toleranceEdge(4, 25, 'none')).toBeNull()
  })
})

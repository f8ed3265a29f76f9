import { describe, expect, it } from 'vitest'
import { financialYearOf, financialYears, isAmount, pence, pounds, poundsInput, routeSummary } from './money'

describe('money on the page', () => {
  it('formats exact pounds strings with the pound sign and thousands', () => {
    expect(pounds('30000.00')).toBe('£30,000.00')
    expect(pounds('1234567.5')).toBe('£1,234,567.50')
    expect(pounds('0.01')).toBe('£0.01')
    expect(pounds('-44000.00')).toBe('-£44,000.00')
    expect(pounds('500')).toBe('£500.00')
  })

  it('reads typed pounds as the API string, and leaves nonsense for the API to explain', () => {
    expect(poundsInput('£30,000.00')).toBe('30000.00')
    expect(poundsInput(' 75000 ')).toBe('75000')
    expect(poundsInput('1.001')).toBe('1.001')
    expect(poundsInput('thirty')).toBe('thirty')
    expect(isAmount('£30,000')).toBe(true)
    expect(isAmount('0')).toBe(false)
    expect(isAmount('1.001')).toBe(false)
  })

  it('counts pence exactly', () => {
    expect(pence('555000.00') - pence('30000.00')).toBe(52500000)
    expect(pence('0.1')).toBe(10)
  })

  it('names financial years from 1 April', () => {
    expect(financialYearOf(new Date('2026-03-31T12:00:00Z'))).toBe('2025/26')
    expect(financialYearOf(new Date('2026-04-01T12:00:00Z'))).toBe('2026/27')
    expect(financialYears('2022/23', '2024/25')).toEqual(['2022/23', '2023/24', '2024/25'])
    expect(financialYears('2099/00', '2099/00')).toEqual(['2099/00'])
  })

  it('says the route in words', () => {
    expect(routeSummary({ route: 'delegated', decider_role: 'sponsor', consultee_roles: ['finance', 'member'] })).toBe(
      'Delegated: decided by a Service Director (sponsor), after consulting the Section 151 officer (finance officer) and the Cabinet Member.',
    )
    expect(routeSummary({ route: 'cabinet', decider_role: null, consultee_roles: [] })).toBe('Referred to Cabinet.')
  })
})

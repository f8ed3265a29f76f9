import { describe, expect, it } from 'vitest'
import { dateParts, isoDate, todayIso } from './dates'

describe('the GOV.UK date input and the API date', () => {
  it('pads the boxes into an ISO date', () => {
    expect(isoDate({ day: '7', month: '3', year: '2026' })).toBe('2026-03-07')
    expect(isoDate({ day: ' 27 ', month: '12', year: '2025' })).toBe('2025-12-27')
  })

  it('sends nothing when every box is empty, and a partial date as typed', () => {
    expect(isoDate({ day: '', month: ' ', year: '' })).toBe('')
    expect(isoDate({ day: '7', month: '', year: '2026' })).toBe('2026--7')
    expect(isoDate({ day: 'x', month: '3', year: '2026' })).toBe('2026-3-x')
  })

  it('reads an ISO date back into the boxes without leading zeros', () => {
    expect(dateParts('2026-03-07')).toEqual({ day: '7', month: '3', year: '2026' })
    expect(dateParts('')).toEqual({ day: '', month: '', year: '' })
    expect(isoDate(dateParts('2026--7'))).toBe('2026--7')
  })

  it('gives today in the local calendar', () => {
    expect(todayIso(new Date(2026, 0, 5, 23, 30))).toBe('2026-01-05')
  })
})

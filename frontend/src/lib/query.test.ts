import { describe, expect, it } from 'vitest'
import { ariaSort, nextSort, readQuery, withFilter, writeQuery } from './query'

describe('filters in the address bar', () => {
  it('reads only the known keys, dropping empty values', () => {
    expect(readQuery('?q=leisure&stage=&offset=25&evil=1', ['q', 'stage', 'offset'])).toEqual({ q: 'leisure', offset: '25' })
  })

  it('writes a stable, shareable search string', () => {
    expect(writeQuery({ stage: 'delivery', q: 'leisure centre', sort: '' })).toBe('?q=leisure+centre&stage=delivery')
    expect(writeQuery({})).toBe('')
  })

  it('round-trips', () => {
    const state = { q: 'a&b=c', confidence: 'amber_red' }
    expect(readQuery(writeQuery(state), ['q', 'confidence'])).toEqual(state)
  })

  it('goes back to the first page when a filter changes', () => {
    expect(withFilter({ q: 'x', offset: '50' }, 'stage', 'delivery')).toEqual({ q: 'x', stage: 'delivery' })
    expect(withFilter({ q: 'x' }, 'offset', '50')).toEqual({ q: 'x', offset: '50' })
  })

  it('toggles sort direction and reports it for aria-sort', () => {
    expect(nextSort(undefined, 'name')).toBe('name')
    expect(nextSort('name', 'name')).toBe('-name')
    expect(nextSort('-name', 'name')).toBe('name')
    expect(ariaSort('-name', 'name')).toBe('descending')
    expect(ariaSort('name', 'stage')).toBe('none')
  })
})

import { describe, expect, it } from 'vitest'
import { blankGate, keyOf, lifecycleBody, toListFields } from './lifecycle'

describe('a lifecycle defined in the form', () => {
  it('makes keys the API accepts from names, each unique', () => {
    const taken = new Set<string>()
    expect(keyOf('Discover & Define', 'stage', taken)).toBe('discover_define')
    expect(keyOf('Discover and  define!', 'stage', taken)).toBe('discover_and_define')
    expect(keyOf('Discover & Define', 'stage', taken)).toBe('discover_define_2')
    expect(keyOf('2. Café build', 'stage', taken)).toBe('stage_2_cafe_build')
    expect(keyOf('', 'stage', taken)).toBe('stage')
    expect(keyOf('x'.repeat(80), 'stage', taken)).toHaveLength(50)
  })

  it('sends one gate for each step from a stage to the next, with its lines as criteria', () => {
    const body = lifecycleBody('Small change', '', [
      { name: 'Idea', description: '' },
      { name: 'Build', description: 'Made' },
      { name: 'Done', description: '' },
    ], [
      { ...blankGate(), name: 'Go', criteria: 'It is worth doing.\n\n  It is affordable. ', sections: 'Strategic case\nScope' },
      { ...blankGate(), name: 'Finish', criteria: 'Delivered', deciders: ['role', 'elected_members'], role: 'sponsor', approval: 'all' },
    ])
    expect(body.stages.map((s) => s.key)).toEqual(['idea', 'build', 'done'])
    expect(body.gates).toEqual([
      {
        key: 'gate_1', name: 'Go', from_stage: 'idea', to_stage: 'build',
        criteria: [{ key: 'criterion_1', text: 'It is worth doing.' }, { key: 'criterion_2', text: 'It is affordable.' }],
        business_case_sections: ['strategic_case', 'scope'], deciders: [{ type: 'governance_body' }], approval: 'any',
      },
      {
        key: 'gate_2', name: 'Finish', from_stage: 'build', to_stage: 'done', criteria: [{ key: 'criterion_1', text: 'Delivered' }],
        business_case_sections: [], deciders: [{ type: 'role', role: 'sponsor' }, { type: 'elected_members' }], approval: 'all',
      },
    ])
  })

  it('puts an error deep in a list by the field that holds it, saying which stage or gate', () => {
    const errors = toListFields({
      status: 422,
      summary: [{ text: 'x', href: '#field-gates-0-criteria-0-text' }, { text: 'The request is not valid' }],
      fields: {
        'stages.1.name': 'Enter the name',
        'gates.0.criteria.0.text': 'Enter the text',
        'gates.1.deciders.0.role': 'Choose the role that decides',
        name: 'Enter the name',
      },
    })
    expect(errors.fields).toEqual({
      'stages.1.name': 'Enter the name for stage 2',
      'gates.0.criteria': 'Enter the text for gate 1',
      'gates.1.role': 'Choose the role that decides for gate 2',
      name: 'Enter the name',
    })
    expect(errors.summary).toEqual([
      { text: 'Enter the name for stage 2', href: '#field-stages-1-name' },
      { text: 'Enter the text for gate 1', href: '#field-gates-0-criteria' },
      { text: 'Choose the role that decides for gate 2', href: '#field-gates-1-role' },
      { text: 'Enter the name', href: '#field-name' },
      { text: 'The request is not valid' },
    ])
  })
})

import { api, type Schemas } from '../api/client'
import { load, type Loaded } from './data'
import { type FormErrors, fieldId } from './problem'

/** The organisation's default lifecycle (stage names for the register's pages). */
export async function defaultLifecycle(): Promise<Loaded<Schemas['LifecyclePublic'] | undefined>> {
  const result = await load(() => api.GET('/api/v1/lifecycles', { params: { query: { limit: 200 } } }))
  if (result.problem) return result
  return { data: result.data.items.find((lifecycle) => lifecycle.is_default) ?? result.data.items[0] }
}

// Defining a lifecycle: the form's rows, and the request they make.

export interface StageRow {
  name: string
  description: string
}

export interface GateRow {
  name: string
  criteria: string
  sections: string
  deciders: string[]
  role: string
  approval: string
}

export const blankStage = (): StageRow => ({ name: '', description: '' })
export const blankGate = (): GateRow => ({ name: '', criteria: '', sections: '', deciders: ['governance_body'], role: '', approval: 'any' })
const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean)

/** A key the API accepts (`^[a-z][a-z0-9_]{0,59}$`) made from words, unique among `taken`. */
export function keyOf(text: string, prefix: string, taken: Set<string>): string {
  let key = text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 50)
  if (!/^[a-z]/.test(key)) key = `${prefix}${key ? `_${key}` : ''}`
  let unique = key
  for (let n = 2; taken.has(unique); n++) unique = `${key}_${n}`
  taken.add(unique)
  return unique
}

/** The request the form's rows make: stage keys from their names, one gate per step. */
export function lifecycleBody(name: string, description: string, stages: StageRow[], gates: GateRow[]): Schemas['LifecycleCreate'] {
  const taken = new Set<string>()
  const keys = stages.map((stage) => keyOf(stage.name, 'stage', taken))
  return {
    name,
    description,
    stages: stages.map((stage, i) => ({ key: keys[i] as string, name: stage.name, description: stage.description })),
    gates: gates.map((gate, i) => {
      const sections = new Set<string>()
      return {
        key: `gate_${i + 1}`,
        name: gate.name,
        from_stage: keys[i] as string,
        to_stage: keys[i + 1] as string,
        criteria: lines(gate.criteria).map((text, n) => ({ key: `criterion_${n + 1}`, text })),
        business_case_sections: lines(gate.sections).map((section) => keyOf(section, 'section', sections)),
        deciders: gate.deciders.map((type) =>
          type === 'role' ? { type: 'role', role: (gate.role || null) as Schemas['Role'] | null } : { type: type as Schemas['DeciderType'] },
        ),
        approval: gate.approval as Schemas['Approval'],
      }
    }),
  }
}

/** The form's field for an error deep in a list: a decider's role is the role chosen, any other
 * part of a list ("gates.0.criteria.2.text") the field that holds the list. */
export function listField(name: string): string {
  return name
    .replace(/^gates\.(\d+)\.deciders\.\d+\.role$/, 'gates.$1.role')
    .replace(/^(gates\.\d+\.(criteria|business_case_sections|deciders))\..*$/, '$1')
}

export function toListFields(errors: FormErrors): FormErrors {
  const fields: Record<string, string> = {}
  const summary = []
  for (const [name, message] of Object.entries(errors.fields)) {
    const field = listField(name)
    if (field in fields) continue
    // Every stage and gate has the same fields: the message says which one it is about.
    const [, part, index] = /^(stages|gates)\.(\d+)\./.exec(field) ?? []
    const text = part ? `${message} for ${part === 'stages' ? 'stage' : 'gate'} ${Number(index) + 1}` : message
    fields[field] = text
    summary.push({ text, href: `#${fieldId(field)}` })
  }
  // Problems about no one field (the request as a whole) stay as they are.
  return { ...errors, fields, summary: [...summary, ...errors.summary.filter((item) => !item.href)] }
}

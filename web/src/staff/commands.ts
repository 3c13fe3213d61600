// What a workflow command asks of the person giving it, read from the server's own workflow
// table (GET /api/v1/workflows/{kind}): a guard "reason" means a written note, "reply" the
// written reply, "unit" a target unit, and so on. The server checks every one of these again;
// the form only asks for them up front and explains.
import type { Transition, Workflow } from '@/api'

export type CommandField = 'note' | 'reply' | 'unit_id' | 'rating' | 'extension_days' | 'target_case' | 'time_limit'
export type PeriodUnit = 'working_days' | 'calendar_days' | 'hours'
/** The units a dispatch's time limit may be given in, the usual first. */
export const timeLimitUnits: PeriodUnit[] = ['working_days', 'calendar_days', 'hours']

export interface CommandForm {
  command: string
  /** The inputs to show, in order. */
  fields: CommandField[]
  /** Those that must be filled in before sending. */
  required: CommandField[]
  /** Commands that cannot be taken back lightly get a warning style. */
  danger: boolean
}

const byGuard: Partial<Record<string, CommandField>> = {
  reason: 'note',
  reply: 'reply',
  unit: 'unit_id',
  rating: 'rating',
  target_case: 'target_case',
}

const dangerous = new Set(['decline', 'close', 'merge', 'return'])

/** The transition command takes from state in workflow, if the table has one. */
export function transitionOf(workflow: Workflow, state: string, command: string): Transition | undefined {
  return workflow.transitions.find((t) => t.from === state && t.command === command)
}

/** The form of command in state: the guards' inputs, days for an extension, and a note. */
export function commandForm(workflow: Workflow | null, state: string, command: string): CommandForm {
  const t = workflow ? transitionOf(workflow, state, command) : undefined
  const required: CommandField[] = []
  for (const g of t?.guards ?? []) {
    const field = byGuard[g]
    if (field && !required.includes(field)) required.push(field)
  }
  // Granting an extension moves the deadline by a number of days (clock effect "extend").
  if (t?.clock === 'extend') required.push('extension_days')
  const fields = [...required]
  // Asking for an extension may say how many days (optional; the unit head reads them).
  if (command === 'request_extension' && !fields.includes('extension_days')) fields.push('extension_days')
  // Dispatch may give the unit less time than the rules (交办 "限 3 个工作日办结"); optional.
  if (t?.takes_time_limit) fields.push('time_limit')
  // Every command may carry a note for the record, even when none is required.
  if (!fields.includes('note')) fields.push('note')
  return { command, fields, required, danger: dangerous.has(command) }
}

export interface CommandValues {
  note: string
  reply: string
  unit_id: number | null
  rating: string
  extension_days: number | null
  target_case: string
  /** The amount of the time limit (null: the rules' own); its unit is time_limit_unit. */
  time_limit: number | null
  time_limit_unit: PeriodUnit
}

export function emptyValues(): CommandValues {
  return {
    note: '',
    reply: '',
    unit_id: null,
    rating: '',
    extension_days: null,
    target_case: '',
    time_limit: null,
    time_limit_unit: 'working_days',
  }
}

/** The required fields left empty (blank text counts as empty), in the form's order. */
export function missingFields(form: CommandForm, v: CommandValues): CommandField[] {
  return form.required.filter((f) => {
    const value = v[f]
    return value === null || (typeof value === 'string' && !value.trim())
  })
}

/** The JSON body of the command: only the fields the form shows, and only those filled in. */
export function commandBody(form: CommandForm, v: CommandValues): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const f of form.fields) {
    const raw = v[f]
    const value = typeof raw === 'string' ? raw.trim() : raw
    if (value === null || value === '') continue
    body[f] = f === 'time_limit' ? { amount: value, unit: v.time_limit_unit } : value
  }
  return body
}

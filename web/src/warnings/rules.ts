// What the warning pages decide before asking the server (docs/SIGNALS.md "Warnings"): which
// roles read warnings and which act on them, the commands a warning's status allows, which of
// them need a note, what the navigation's badge counts, and the "open" list as the newest of the
// new and the acknowledged. The server checks every rule again (app::SignalService); these only
// spare the user a button that would be refused.
import type { EarlyWarning, StaffUser, WarningCommand, WarningLevel, WarningQuery, WarningStatus } from '@/api'

export const levels: WarningLevel[] = ['red', 'orange', 'yellow', 'blue']
export const statuses: WarningStatus[] = ['new', 'acknowledged', 'handled', 'dismissed']

/** The roles GET /api/v1/warnings answers (src/http/api_signals.cc, readers). */
const readers = new Set(['operator', 'handler', 'unit_head', 'grid_worker', 'cadre', 'leader'])
/** The roles that acknowledge, handle and dismiss (app::may_act_on_warnings). */
const actors = new Set(['handler', 'unit_head', 'cadre', 'leader'])

export const readsWarnings = (role: string | undefined): boolean => readers.has(role ?? '')

/** The commands role may give on a warning in status: none once it is handled or dismissed. */
export function commandsFor(role: string | undefined, status: WarningStatus): WarningCommand[] {
  if (!actors.has(role ?? '')) return []
  if (status === 'new') return ['acknowledge', 'handle', 'dismiss']
  if (status === 'acknowledged') return ['handle', 'dismiss']
  return []
}

/** Handling says what was done, dismissing gives the reason; acknowledging needs nothing. */
export const needsNote = (command: WarningCommand): boolean => command !== 'acknowledge'

export const isOpen = (status: WarningStatus): boolean => status === 'new' || status === 'acknowledged'

/**
 * What the navigation's badge counts: the new warnings addressed to the user's unit; for a
 * leader, and for staff of no unit (a village's grid worker or cadre), the new warnings of their
 * whole area. Null for roles that do not read warnings.
 */
export function badgeQuery(user: Pick<StaffUser, 'role' | 'unit_id'> | null, limit: number): WarningQuery | null {
  if (!user || !readsWarnings(user.role)) return null
  const mine = user.role !== 'leader' && user.unit_id !== undefined && user.unit_id !== null
  return mine ? { status: 'new', mine: true, limit } : { status: 'new', limit }
}

/** A count for a badge: "99+" above max. */
export const badgeText = (count: number, max = 99): string => (count > max ? `${max}+` : String(count))

/** Newer first, as the server lists them: raised later, then the higher id. */
function newer(a: EarlyWarning, b: EarlyWarning): number {
  return b.raised_at.localeCompare(a.raised_at) || b.id - a.id
}

/** The newest limit warnings of lists (each newest first, as the server sends them), once each. */
export function newestOf(lists: EarlyWarning[][], limit: number): EarlyWarning[] {
  const seen = new Set<number>()
  const all = lists.flat().filter((w) => !seen.has(w.id) && seen.add(w.id))
  return all.sort(newer).slice(0, limit)
}

/** Whether day (YYYY-MM-DD) lies in the warning's burst. */
export const inBurst = (w: Pick<EarlyWarning, 'first_day' | 'last_day'>, day: string): boolean =>
  day >= w.first_day && day <= w.last_day

// The order of "my queue" and the colour of each row: overdue cases first (the deadline passed,
// or the server marked the case breached), then those warned of their coming deadline, then by
// deadline, soonest first; cases on no clock last, newest first. The server pages the queue in
// deadline order (GET /api/v1/cases?sort=deadline); this orders the rows loaded so far, so that
// a case that fell due since, or that the server marked, moves up without a reload.
import type { ListedCase } from '@/api'

export type Urgency = 'overdue' | 'warned' | 'running' | 'stopped'

export function urgency(c: Pick<ListedCase, 'deadline_at' | 'warned' | 'breached'>, now: number): Urgency {
  if (!c.deadline_at) return c.breached ? 'overdue' : 'stopped'
  if (c.breached || Date.parse(c.deadline_at) <= now) return 'overdue'
  return c.warned ? 'warned' : 'running'
}

const rank: Record<Urgency, number> = { overdue: 0, warned: 1, running: 2, stopped: 3 }

/** The cases in queue order (a new array). */
export function queueOrder(cases: ListedCase[], now: number): ListedCase[] {
  return [...cases].sort((a, b) => {
    const d = rank[urgency(a, now)] - rank[urgency(b, now)]
    if (d) return d
    if (a.deadline_at && b.deadline_at) return Date.parse(a.deadline_at) - Date.parse(b.deadline_at)
    return Date.parse(b.created_at) - Date.parse(a.created_at)
  })
}

// The figures of a cohort for the dashboard's tests: the demo county's shape, any field
// overridden.
import type { StatFigures } from '@/api'

export function figures(over: Partial<StatFigures> = {}): StatFigures {
  return {
    received: 65, merged: 1, responded: 63, accepted: 60, declined: 3, resolved: 56, on_time: 51, closed: 55,
    rated: 48, satisfied: 45, escalations: 8, open: 7, overdue: 3,
    rates: { response: 63 / 64, resolution: 56 / 60, satisfaction: 45 / 48, on_time: 51 / 56 },
    ...over,
  }
}

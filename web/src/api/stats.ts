// The leader's dashboard: GET /api/v1/stats (src/http/api_stats.cc; every figure is defined in
// docs/STATS.md). Staff only: a 401 ends the session like every workbench call.
import type { Level } from './index'
import { signedIn } from './staff'

export type CaseKind = 'demand' | 'petition'
export type StatInterval = 'day' | 'week' | 'month'

/** The rates of a cohort, from 0 to 1; null when there is nothing to divide by. */
export interface StatRates {
  response: number | null
  resolution: number | null
  satisfaction: number | null
  on_time: number | null
}

/** The counters of the cases received in a period, and what has become of them by now. */
export interface StatFigures {
  received: number
  merged: number
  responded: number
  accepted: number
  declined: number
  resolved: number
  on_time: number
  closed: number
  rated: number
  satisfied: number
  escalations: number
  open: number
  overdue: number
  rates: StatRates
}

/** The backlog of an area whenever received. */
export interface StatNow {
  open: number
  overdue: number
}

export interface StatArea {
  code: string
  name: string
  level: Level
}

export interface AreaFigures extends StatArea {
  figures: StatFigures
  now: StatNow
}

export interface TrendPoint extends StatFigures {
  /** The first day of the bucket (YYYY-MM-DD, China time), clipped to the period. */
  start: string
}

export interface CategoryFigures {
  code: string
  name_zh: string
  name_en: string
  figures: StatFigures
}

/** A case in one of the dashboard's lists: where it is and who handles it, no personal data. */
export interface StatCase {
  number: string
  kind: CaseKind
  category: string
  place: string
  place_name: string
  unit_id: number | null
  unit_name: string
}

export interface OverdueCase extends StatCase {
  deadline_at: string
  overdue_hours: number
}

export interface Escalation extends StatCase {
  at: string
  /** Made by the scheduler on a breached handling deadline, not by hand. */
  automatic: boolean
}

export interface Dashboard {
  area: StatArea
  period: { from: string; to: string; interval: StatInterval; kind: CaseKind | null }
  figures: StatFigures
  now: StatNow
  trend: TrendPoint[]
  categories: CategoryFigures[]
  sub_areas: AreaFigures[]
  /** The cases placed on the area's own node (not on any sub-area), when there are any. */
  own_cases: AreaFigures | null
  overdue: OverdueCase[]
  escalations: Escalation[]
}

/** What the dashboard asks for; absent fields take the server's defaults. */
export interface StatsQuery {
  area?: string
  /** YYYY-MM-DD, China time, both ends included. */
  from?: string
  to?: string
  kind?: CaseKind
  interval?: StatInterval
  /** The length of the overdue and escalation lists (at most 100). */
  limit?: number
}

/** The query string of q, its fields in a fixed order. */
export function statsQueryString(q: StatsQuery): string {
  const s = new URLSearchParams()
  for (const key of ['area', 'from', 'to', 'kind', 'interval', 'limit'] as const) {
    const value = q[key]
    if (value !== undefined && value !== '') s.set(key, String(value))
  }
  const text = s.toString()
  return text ? `?${text}` : ''
}

export const statsApi = {
  dashboard: (q: StatsQuery, signal?: AbortSignal) =>
    signedIn<Dashboard>(`/api/v1/stats${statsQueryString(q)}`, { signal }),
}

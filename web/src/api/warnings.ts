// The early warnings of the burst detector and the dashboard's signals (src/http/api_signals.cc;
// docs/SIGNALS.md "Hotspots and warnings"). Staff only: a 401 ends the session like every
// workbench call. The commands carry the warning's version in If-Match; a stale one answers 412.
import { signedIn } from './staff'

export type WarningLevel = 'blue' | 'yellow' | 'orange' | 'red'
export type WarningStatus = 'new' | 'acknowledged' | 'handled' | 'dismissed'
export type WarningCommand = 'acknowledge' | 'handle' | 'dismiss'

export interface EarlyWarning {
  id: number
  /** The division code of the cell's area (village, township or county). */
  area: string
  /** "category" (term: a leaf category's code) or "word" (term: a topic word). */
  dimension: 'category' | 'word'
  term: string
  level: WarningLevel
  level_zh: string
  status: WarningStatus
  status_zh: string
  /** The burst's first and last days, YYYY-MM-DD in China time. */
  first_day: string
  last_day: string
  cases: number
  people: number
  baseline_per_day: number
  p_value: number
  /** The unit the warning is addressed to (村委会, 乡镇政府, 县政府), if the area has one. */
  unit_id: number | null
  raised_at: string
  updated_at: string
  version: number
  /** What was done, or why it was dismissed. */
  note: string
  acted_by: string
}

export interface EvidenceCase {
  number: string
  category: string
  place: string
  place_name: string
  received_at: string
  state: string
  description: string
}

export interface WarningDetail extends EarlyWarning {
  evidence: EvidenceCase[]
  /** The cell's cases per day over the baseline and the burst, oldest first. */
  days: { day: string; cases: number }[]
  /** The topic words that rose in words_area over the burst's days, the most unlikely first. */
  words: RisingWord[]
  /** The warning's area, or a village's township (words are counted down to townships). */
  words_area: string
}

export interface WarningQuery {
  /** A division code in the caller's scope; the server's default is the whole scope. */
  area?: string
  status?: WarningStatus
  level?: WarningLevel
  /** Only those addressed to the caller's unit. */
  mine?: boolean
  /** At most 200. */
  limit?: number
}

export interface RisingCategory {
  category: string
  cases: number
  people: number
  expected: number
  p_value: number
}

/** A topic word (话题词) that rose: counted in counties and townships. */
export interface RisingWord {
  word: string
  cases: number
  people: number
  expected: number
  p_value: number
}

/** The query string of q, its fields in a fixed order; mine only when true. */
export function warningQueryString(q: WarningQuery): string {
  const s = new URLSearchParams()
  for (const key of ['area', 'status', 'level', 'mine', 'limit'] as const) {
    const value = q[key]
    if (value !== undefined && value !== '' && value !== false) s.set(key, String(value))
  }
  const text = s.toString()
  return text ? `?${text}` : ''
}

export const warningsApi = {
  list: (q: WarningQuery, signal?: AbortSignal) =>
    signedIn<{ items: EarlyWarning[] }>(`/api/v1/warnings${warningQueryString(q)}`, { signal }),
  /** One warning with its evidence; the read is audited. The ETag is its version. */
  get: (id: number) => signedIn<WarningDetail>(`/api/v1/warnings/${id}`),
  act: (id: number, command: WarningCommand, note: string, version: number) =>
    signedIn<EarlyWarning>(`/api/v1/warnings/${id}/${command}`, {
      method: 'POST',
      body: { note },
      headers: { 'If-Match': `"${version}"` },
    }),
  /** The categories of the area above what the 28 days before lead one to expect (last 7 days). */
  rising: (area: string | undefined, limit: number, signal?: AbortSignal) =>
    signedIn<{ items: RisingCategory[] }>(
      `/api/v1/signals/rising${warningQueryString({ area, limit })}`,
      { signal },
    ),
  /** The topic words of the area that rose in the last 7 days (none for a village). */
  risingWords: (area: string | undefined, limit: number, signal?: AbortSignal) =>
    signedIn<{ items: RisingWord[] }>(
      `/api/v1/signals/rising${warningQueryString({ area, limit })}&dimension=word`,
      { signal },
    ),
}

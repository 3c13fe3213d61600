// The typed API client: one function per route the UI calls, with the shapes the server sends
// (see /api/v1/openapi.json and src/http/api_*.cc). Every function resolves to an ApiResult.
import { request, type ApiResult } from './http'
import type { RepeatCandidate } from './staff'

export { fieldMessage, keyAlreadyUsed, mayHaveBeenDone, setApiLanguage, setCsrfToken, type ApiError, type ApiResult } from './http'

export type Level = 'province' | 'city' | 'county' | 'township' | 'village'

export interface Jurisdiction {
  code: string
  name: string
  level: Level
  parent_code: string | null
}

export interface JurisdictionDetail extends Jurisdiction {
  ancestors: { code: string; name: string; level: Level }[]
  child_count: number
}

export interface Category {
  code: string
  parent_code: string | null
  name_zh: string
  name_en: string
  time_limit: { amount: number; unit: string }
  routing_level: string
  active: boolean
}

export interface Submission {
  kind?: 'demand' | 'petition'
  category: string
  place: string
  description: string
  address?: string
  anonymous: boolean
  name?: string
  contact?: string
}

export interface Submitted {
  number: string
  tracking_code: string
  state: string
  /** The clock deadline_at belongs to (acceptance, handling, …; none without a deadline). */
  clock?: string
  deadline_at: string | null
  /** The open case the same person already filed about the same matter, which this one joins. */
  repeat_of?: {
    number: string
    state: string
    state_zh: string
    /** The unit handling it ("" when it has none yet). */
    unit: string
    deadline_at: string | null
    /** Where the matter stands, in Chinese, as the new case's history says it. */
    note: string
  }
  /** The new case's version (If-Match of a first command, such as merging it). */
  version?: number
  /** Staff registration only: recent cases this one may repeat, best first. */
  candidates?: RepeatCandidate[]
}

export interface TimelineEvent {
  at: string
  event: string
  state: string
  state_zh: string
  note: string
  /** The note in English when jiceng wrote it (staff's words kept as written), else null. */
  note_en: string | null
}

export type Rating = 'satisfied' | 'basically_satisfied' | 'unsatisfied'

export interface Tracking {
  number: string
  kind: 'demand' | 'petition'
  category: string
  place: string
  state: string
  state_zh: string
  unit: string
  deadline_at: string | null
  /** The deadline is counted on a year whose official holidays are not published or imported
   *  yet (weekends only): it may still move. */
  deadline_provisional?: boolean
  /** For a repeat merged into another person's case: a line that the unit answers them. */
  reply: string
  /** false when reply is that line: the answer was written to another person. */
  reply_shared?: boolean
  /** When the answer was given; null before. */
  answered_at?: string | null
  rating: string
  merged_into: string
  /**
   * The case that carries the matter: the number itself, or for a repeat the case it was merged
   * into (followed to the end of the chain), whose state, unit, deadline and answer these are.
   * Absent where the server does not say (a resident's own case file).
   */
  handled_in?: string
  /** The commands the holder of the tracking code may give now. */
  allowed_commands: string[]
  timeline: TimelineEvent[]
}

/** The resident's commands by tracking code. */
export type ResidentCommand = 'follow_up' | 'request_review' | 'request_re_review' | 'escalate'

export interface CommandInput {
  rating?: Rating
  note?: string
}

export interface Applied {
  number: string
  state: string
  state_zh: string
  version: number
  deadline_at: string | null
}

const enc = encodeURIComponent

export const api = {
  deployment: () => request<{ root: JurisdictionDetail }>('/api/v1/deployment'),
  jurisdiction: (code: string) => request<JurisdictionDetail>(`/api/v1/jurisdictions/${enc(code)}`),
  children: (code: string) =>
    request<{ items: Jurisdiction[] }>(`/api/v1/jurisdictions/${enc(code)}/children`),
  descendants: (code: string) =>
    request<{ items: Jurisdiction[] }>(`/api/v1/jurisdictions/${enc(code)}/descendants`),
  categories: () => request<{ items: Category[] }>('/api/v1/categories'),
  submit: (s: Submission, idempotencyKey: string) =>
    request<Submitted>('/api/v1/cases', {
      method: 'POST',
      body: { kind: 'demand', ...s },
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  track: (code: string) => request<Tracking>(`/api/v1/track/${enc(code.trim())}`),
  trackCommand: (code: string, command: ResidentCommand, input: CommandInput, idempotencyKey: string) =>
    request<Applied>(`/api/v1/track/${enc(code.trim())}/commands/${command}`, {
      method: 'POST',
      body: input,
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
} satisfies Record<string, (...args: never[]) => Promise<ApiResult<unknown>>>

export * from './staff'
export * from './stats'
export * from './my'
export * from './warnings'
export * from './catalogue'

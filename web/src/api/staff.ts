// The staff workbench's routes: the session, the case list and file, workflow commands with the
// case's version in If-Match, registration for residents, units and the workflow tables.
// Shapes follow src/http/api_access.cc, api_cases.cc, api_catalogue.cc and api_workflows.cc.
import { request, type ApiError, type ApiResult, type RequestOptions } from './http'
import type { Applied, Rating, Submitted } from './index'

export interface StaffUser {
  username: string
  display_name: string
  role: string
  role_zh: string
  /** The jurisdiction the account covers (its whole subtree). */
  scope?: string
  unit_id?: number
}

export interface SessionAnswer {
  user: StaffUser
  csrf_token?: string
}

export interface ListedCase {
  number: string
  kind: 'demand' | 'petition'
  category: string
  place: string
  state: string
  state_zh: string
  deadline_at: string | null
  warned: boolean
  breached: boolean
  created_at: string
  unit_id: number | null
}

/** A recent case that a case being registered may repeat (POST /api/v1/cases/similar). */
export interface RepeatCandidate extends ListedCase {
  /** 0..1: how likely the new case repeats this one. */
  score: number
  text_similarity: number
  reasons: Array<'text' | 'person' | 'place' | 'category'>
}

/** What the operator has typed so far. */
export interface SimilarQuery {
  place: string
  category?: string
  description?: string
  contact?: string
  anonymous?: boolean
}

export interface CasePage {
  items: ListedCase[]
  /** The cursor of the next page; absent on the last one. */
  next?: string
}

export interface CaseFilters {
  state?: string
  kind?: string
  category?: string
  unit_id?: number
  place?: string
  overdue?: boolean
  /** Entered jiceng at or after (ISO 8601 UTC). */
  from?: string
  /** Entered jiceng before (ISO 8601 UTC). */
  to?: string
  /** newest (the default), or deadline: the running deadline soonest first, then no clock. */
  sort?: 'newest' | 'deadline'
  limit?: number
  cursor?: string
}

export interface CaseEvent {
  seq: number
  at: string
  /** Login name, "system", "resident", "resident:ID", "resident (NUMBER)", or an app's API key name. */
  actor: string
  /** The staff account's display name; null for the others. */
  actor_name: string | null
  event: string
  from: string | null
  to: string
  note: string
  /** The note in English when jiceng wrote it (staff's words kept as written), else null. */
  note_en: string | null
  public: boolean
  unit_id: number | null
}

export interface CaseFile {
  number: string
  kind: 'demand' | 'petition'
  category: string
  place: string
  address: string
  anonymous: boolean
  /** Masked for roles that need not call back. */
  name: string
  contact: string
  description: string
  channel: string
  state: string
  state_zh: string
  version: number
  received_at: string
  updated_at: string
  clock: string
  /** The limit the running clock counts (the category's, the statute's or a dispatch's); null
   *  without a clock. */
  clock_limit?: { amount: number; unit: 'working_days' | 'calendar_days' | 'hours' } | null
  deadline_at: string | null
  /** A petition its unit may still return as outside its remit (异议, 5 working days from
   *  receipt): when that window ends; null otherwise. */
  objection_until?: string | null
  /** Awaiting approval of an extension: the days the request asked for (null: none named). */
  extension_requested_days?: number | null
  /** When the running clock's warning falls due (80 % of its time), null without a deadline. */
  warn_at: string | null
  /** The deadline is counted on a year whose official holidays are not imported yet: weekends
   *  only, so it may move when they are (docs/CALENDAR.md). */
  deadline_provisional: boolean
  warned: boolean
  breached: boolean
  extensions: number
  reply: string
  rating: string
  merged_into: string
  unit_id: number | null
  /** Only in the resident's own case (GET /api/v1/my/cases/{number}). */
  tracking_code?: string
  /** Links the submitter gave to their photos or files of the matter (media_url), oldest
   *  first: addresses on other sites, never shown on the public pages. */
  media_urls?: string[]
  allowed_commands: string[]
  events: CaseEvent[]
}

export interface Unit {
  id: number
  name: string
  kind: string
  kind_zh: string
  department: string | null
  jurisdiction_code: string
  level: string
  active: boolean
}

export interface Transition {
  from: string
  command: string
  to: string
  /** reason, reply, unit, rating, unsatisfied, first_extension, review_window, target_case, higher_level */
  guards: string[]
  /** none, acceptance, handling, extend, review_reply, stop */
  clock: string
  public: boolean
  /** Whether the command may carry a time limit for the unit (assign, redispatch). */
  takes_time_limit?: boolean
}

export interface Workflow {
  kind: 'demand' | 'petition'
  transitions: Transition[]
}

export interface StaffCommandInput {
  note?: string
  reply?: string
  unit_id?: number
  rating?: Rating
  extension_days?: number
  time_limit?: { amount: number; unit: 'working_days' | 'calendar_days' | 'hours' }
  target_case?: string
}

export type Channel = 'phone' | 'walk_in' | 'letter' | 'mailbox'

export interface Registration {
  kind: 'demand' | 'petition'
  channel: Channel
  category: string
  place: string
  description: string
  address?: string
  anonymous: boolean
  name?: string
  contact?: string
  /** When the call, visit or letter came in (ISO 8601 UTC); the server's now when absent. */
  received_at?: string
}

let onSessionEnded: ((error: ApiError) => void) | null = null

/**
 * Sets what happens when a signed-in call answers 401 (the session ended on the server): the
 * workbench sends the user to sign in and back.
 */
export function whenSessionEnds(handler: ((error: ApiError) => void) | null): void {
  onSessionEnded = handler
}

/** Calls a staff route; a 401 there means the session ended (see whenSessionEnds). */
export async function signedIn<T>(path: string, options: RequestOptions = {}): Promise<ApiResult<T>> {
  const r = await request<T>(path, options)
  if (!r.ok && r.error.status === 401 && onSessionEnded) onSessionEnded(r.error)
  return r
}

function query(filters: CaseFilters): string {
  const q = new URLSearchParams()
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === '' || value === false) continue
    q.set(key, String(value))
  }
  const s = q.toString()
  return s ? `?${s}` : ''
}

const enc = encodeURIComponent

export const staffApi = {
  signIn: (username: string, password: string, totp?: string) =>
    request<SessionAnswer>('/api/v1/session', {
      method: 'POST',
      body: totp ? { username, password, totp } : { username, password },
    }),
  /** Who is signed in; a 401 here only means "nobody", so it does not count as an expiry. */
  session: () => request<SessionAnswer>('/api/v1/session'),
  signOut: () => request<void>('/api/v1/session', { method: 'DELETE' }),
  cases: (filters: CaseFilters) => signedIn<CasePage>(`/api/v1/cases${query(filters)}`),
  /** The case file; the read is audited with purpose. */
  caseFile: (number: string, purpose: string) =>
    signedIn<CaseFile>(`/api/v1/cases/${enc(number)}?purpose=${enc(purpose)}`),
  command: (number: string, command: string, input: StaffCommandInput, version: number) =>
    signedIn<Applied>(`/api/v1/cases/${enc(number)}/commands/${enc(command)}`, {
      method: 'POST',
      body: input,
      headers: { 'If-Match': `"${version}"` },
    }),
  register: (r: Registration, idempotencyKey: string) =>
    signedIn<Submitted>('/api/v1/cases', {
      method: 'POST',
      body: r,
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  /** The repeat candidates of a case being typed in; the reading is audited. */
  similar: (q: SimilarQuery) =>
    signedIn<{ items: RepeatCandidate[] }>('/api/v1/cases/similar', { method: 'POST', body: q }),
  /**
   * The units on a place and above it; with below, then those on its children (dispatch down);
   * with a category, of the county departments only those that may handle it.
   */
  units: (place: string, below = false, category = '') =>
    request<{ items: Unit[] }>(
      `/api/v1/units?place=${enc(place)}${below ? '&below=true' : ''}${category ? `&category=${enc(category)}` : ''}`,
    ),
  unit: (id: number) => request<Unit>(`/api/v1/units/${id}`),
  workflow: (kind: string) => request<Workflow>(`/api/v1/workflows/${enc(kind)}`),
} satisfies Record<string, (...args: never[]) => Promise<ApiResult<unknown>>>

/**
 * The request field an error is about: the one the server names, or the one its message starts
 * with ("note: …", "收到时间（received_at）：…"); undefined when it names none.
 */
export function errorField(error: ApiError): string | undefined {
  if (error.field) return error.field
  const en = /^([a-z_]+): /.exec(error.message)
  if (en) return en[1]
  const zh = /（([a-z_]+)）：/.exec(error.message)
  return zh ? zh[1] : undefined
}

// The signed-in resident's routes: signing up, and their own cases with the commands they may
// give (src/http/api_access.cc and api_cases.cc: /api/v1/residents, /api/v1/my/cases). Signing in
// and out is the session every user shares (staffApi.signIn, stores/session.ts).
import { request, type ApiResult } from './http'
import type { Applied, CommandInput, ResidentCommand } from './index'
import type { CaseFile, CasePage } from './staff'

export interface ResidentAccount {
  id: number
  username: string
  display_name: string
  role: string
}

const enc = encodeURIComponent

export const myApi = {
  /** Signs up; the username is a mobile number or an e-mail address. Sign in afterwards. */
  signUp: (username: string, password: string, displayName: string) =>
    request<{ account: ResidentAccount }>('/api/v1/residents', {
      method: 'POST',
      body: displayName ? { username, password, display_name: displayName } : { username, password },
    }),
  /** The resident's own cases, newest first; cursor is the previous page's `next`. */
  cases: (cursor?: string) =>
    request<CasePage>(`/api/v1/my/cases?limit=20${cursor ? `&cursor=${enc(cursor)}` : ''}`),
  /** One of their own cases: their own data in the clear, the public history. */
  case: (number: string) => request<CaseFile>(`/api/v1/my/cases/${enc(number)}`),
  command: (number: string, command: ResidentCommand, input: CommandInput, idempotencyKey: string) =>
    request<Applied>(`/api/v1/my/cases/${enc(number)}/commands/${command}`, {
      method: 'POST',
      body: input,
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
} satisfies Record<string, (...args: never[]) => Promise<ApiResult<unknown>>>

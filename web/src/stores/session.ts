// Who is signed in: staff at the workbench, or a resident on the portal — one session per
// browser, as the server keeps one session cookie. The session itself lives on the server (an
// HttpOnly cookie); this store holds the user and hands the CSRF token to the API client. A
// reload asks the server (GET /api/v1/session) instead of trusting anything kept in the browser.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { setCsrfToken, staffApi, type ApiError, type ApiResult, type SessionAnswer, type StaffUser } from '@/api'

export const useSession = defineStore('session', () => {
  const user = ref<StaffUser | null>(null)
  /** Whether the server was asked since the page loaded. */
  const checked = ref(false)

  function adopt(answer: SessionAnswer) {
    user.value = answer.user
    setCsrfToken(answer.csrf_token ?? null)
  }

  function forget() {
    user.value = null
    setCsrfToken(null)
  }

  /** Asks the server once per page load whether a session is open. */
  async function restore(): Promise<void> {
    if (checked.value) return
    const r = await staffApi.session()
    checked.value = true
    if (r.ok) adopt(r.value)
    else forget()
  }

  async function signIn(username: string, password: string, totp?: string): Promise<ApiResult<SessionAnswer>> {
    const r = await staffApi.signIn(username, password, totp)
    if (r.ok) {
      adopt(r.value)
      checked.value = true
    }
    return r
  }

  /** Ends the session on the server; the user is forgotten here even if the server is unreachable. */
  async function signOut(): Promise<ApiError | null> {
    const r = await staffApi.signOut()
    forget()
    return r.ok || r.error.status === 401 ? null : r.error
  }

  return { user, checked, restore, signIn, signOut, forget }
})

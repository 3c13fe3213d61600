// Saving one record from a form of the catalogue pages: the server's refusal shown in the form
// in the user's language (the API answers in the Accept-Language), a stale version (412) turned
// into the "someone else changed it" notice while the page reads the record again, and one
// Idempotency-Key per record being created.
import { ref } from 'vue'
import type { ApiError, ApiResult } from '@/api'
import { CreationKey, refusal } from './admin'

export function useSaving() {
  const busy = ref(false)
  const problem = ref<ApiError | null>(null)
  /** Set after a 412: the form's record is out of date; cleared by start() or reloaded(). */
  const stale = ref(false)
  const key = new CreationKey()

  /** A form opened afresh: no message, and a new key for a new record. */
  function start() {
    busy.value = false
    problem.value = null
    stale.value = false
    key.reset()
  }

  /**
   * Sends call (given the creation's key); resolves to the saved record, to 'done' when a retried
   * creation had been done by the earlier try, or to null after a refusal (shown by problem or
   * stale; onStale runs to read the records again).
   */
  async function save<T>(call: (idempotencyKey: string) => Promise<ApiResult<T>>, onStale: () => Promise<void> | void): Promise<T | 'done' | null> {
    if (busy.value) return null
    busy.value = true
    problem.value = null
    const r = await call(key.next())
    key.settle(r)
    busy.value = false
    if (r.ok) return r.value
    switch (refusal(r.error)) {
      case 'done':
        return 'done'
      case 'stale':
        stale.value = true
        await onStale()
        return null
      default:
        problem.value = r.error
        return null
    }
  }

  return { busy, problem, stale, start, save }
}

// The navigation's count of new warnings (docs/SIGNALS.md "Warnings"): those addressed to the
// user's unit, or for a leader (and staff of no unit) those of their area — see badgeQuery. The
// workbench's frame refreshes it every minute and on every navigation; a page that acts on a
// warning refreshes it at once.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { warningsApi, type StaffUser } from '@/api'
import { badgeQuery } from '@/warnings/rules'

/** Counted up to this many; the badge says "99+" long before. */
const countLimit = 200

export const useWarningBadge = defineStore('warningBadge', () => {
  /** New warnings for the user; null before the first answer, for roles without warnings, or after an error. */
  const count = ref<number | null>(null)
  let seq = 0

  async function refresh(user: Pick<StaffUser, 'role' | 'unit_id'> | null): Promise<void> {
    const q = badgeQuery(user, countLimit)
    const mine = ++seq
    if (!q) {
      count.value = null
      return
    }
    const r = await warningsApi.list(q)
    if (mine !== seq) return
    // A failed count shows no badge rather than a wrong one; the next refresh tries again.
    count.value = r.ok ? r.value.items.length : null
  }

  return { count, refresh }
})

// A resident's own case (GET /api/v1/my/cases/{number}) as the tracking page shows a case, so
// that both pages share one view (components/ResidentCase.vue), and the commands a resident may
// give from it.
import type { ApiError, CaseFile, ResidentCommand, Tracking } from '@/api'

/** The commands a resident gives, in the order the page offers them. */
export const residentCommands: ResidentCommand[] = ['follow_up', 'request_review', 'request_re_review', 'escalate']

/** The states in which the case has been answered: no clock runs any more. */
export const finishedStates = ['resolved', 'followed_up', 'closed', 'reviewed']

/**
 * Whether a command was refused because the case moved on since the page was shown (rated from
 * another tab, a review window that closed, a state the staff changed): 409 from a guard, 412
 * from a stale version. The page reloads the case rather than show the guard's words.
 */
export function changedMeanwhile(e: ApiError): boolean {
  return e.status === 409 || e.status === 412
}

/** Why a declined case was declined: the note of its last decline (不予受理), "" if none. */
export function declineReason(t: Pick<Tracking, 'state' | 'timeline'>): string {
  if (t.state !== 'declined') return ''
  return [...t.timeline].reverse().find((e) => e.event === 'decline')?.note ?? ''
}

/**
 * The other case a repeat is handled in (the end of its merge chain), or "" when the case is
 * handled as itself. Without handled_in (a case file), the case it was merged into.
 */
export function handledElsewhere(t: Pick<Tracking, 'number' | 'merged_into' | 'handled_in'>): string {
  const carrier = t.handled_in || t.merged_into
  return carrier && carrier !== t.number ? carrier : ''
}

/** The case file as the tracking page's view; unit is the name of the unit in charge ("" if none). */
export function trackingOf(file: CaseFile, unit: string): Tracking {
  return {
    number: file.number,
    kind: file.kind,
    category: file.category,
    place: file.place,
    state: file.state,
    state_zh: file.state_zh,
    unit,
    deadline_at: file.deadline_at,
    deadline_provisional: file.deadline_provisional,
    reply: file.reply,
    rating: file.rating,
    merged_into: file.merged_into,
    allowed_commands: file.allowed_commands,
    // As the tracking page's timeline: the registration's note is the routing's, not the resident's.
    timeline: file.events.map((e) => ({
      at: e.at,
      event: e.event,
      state: e.to,
      state_zh: e.to,
      note: e.event === 'register' ? '' : e.note,
      note_en: e.event === 'register' ? null : e.note_en,
    })),
  }
}

// The letters a case sends its resident (CaseLetterPage.vue) and the event each one reports:
// the written reply (答复意见书), and for petitions the written notices of acceptance (受理告知书)
// or of not accepting it (不予受理告知书) that 信访工作条例 Art. 23 asks for within 15 days.
import type { CaseEvent, CaseFile } from '@/api'

export const letterKinds = ['reply', 'accept', 'decline'] as const
export type LetterKind = (typeof letterKinds)[number]

/** The events whose reply the file's `reply` holds: the answer, or the review's. */
const replyEvents = ['resolve', 'reply_review', 'reply_re_review']

const last = (file: CaseFile, events: string[]) => [...file.events].reverse().find((e) => events.includes(e.event))

/** What decides whether a petition stands accepted: accepting or declining it, and transferring
 *  it (转送: the body it goes to decides anew, on a clock of its own) or merging it away. */
const decisions = ['accept', 'decline', 'transfer', 'merge']

/** The event a letter of this kind reports, or undefined when the case has none to print: no
 *  written reply; a demand; a petition whose last decision is not this one (not yet decided,
 *  transferred since it was accepted, declined after a return). A reply kept without its event
 *  in the history the reader sees dates from the file's last change. */
export function letterEvent(file: CaseFile, kind: LetterKind): Pick<CaseEvent, 'at' | 'unit_id' | 'note'> | undefined {
  if (kind === 'reply') {
    if (!file.reply) return undefined
    return last(file, replyEvents) ?? { at: file.updated_at, unit_id: file.unit_id, note: '' }
  }
  if (file.kind !== 'petition') return undefined
  const decided = last(file, decisions)
  return decided?.event === kind ? decided : undefined
}

/** The letters this case has to print, in the order the workbench offers them. */
export const lettersOf = (file: CaseFile): LetterKind[] => letterKinds.filter((k) => letterEvent(file, k) !== undefined)

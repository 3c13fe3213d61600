// The label of a case's deadline, by the clock it belongs to (acceptance, handling, review
// reply): a petition on its 15-day acceptance clock shows 受理期限, not 办理期限.
const clocks = ['acceptance', 'handling', 'review_reply'] as const

export function deadlineLabel(t: (key: string) => string, clock: string | undefined, fallback: string): string {
  return clocks.includes(clock as (typeof clocks)[number]) ? t(`staff.deadlineOf.${clock}`) : t(fallback)
}

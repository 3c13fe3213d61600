// How the dashboard writes its figures: counts and rates in the user's language, durations of
// overdue cases, and the headline figures in the order a leader reads them.
import type { StatFigures, StatNow, StatRates } from '@/api'

export type Language = 'zh-CN' | 'en'

/** A count with the language's digit grouping (12,345). */
export function formatCount(n: number, language: Language): string {
  return new Intl.NumberFormat(language).format(n)
}

/** A rate (0 to 1) as a percentage to one decimal (96.9%); a dash when there is none. */
export function formatRate(rate: number | null, language: Language): string {
  if (rate === null || !Number.isFinite(rate)) return '—'
  return new Intl.NumberFormat(language, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(rate)
}

/** A rate as a percentage number for a chart's axis (96.9), null when there is none. */
export function ratePercent(rate: number | null): number | null {
  return rate === null || !Number.isFinite(rate) ? null : Math.round(rate * 1000) / 10
}

/** Whole days and the hours left over in a number of hours (for "overdue 3 days 4 hours"). */
export function daysAndHours(hours: number): { days: number; hours: number } {
  const h = Math.max(0, Math.floor(hours))
  return { days: Math.floor(h / 24), hours: h % 24 }
}

/** One headline figure: its message key, what it shows, and the counts behind a rate. */
export interface Headline {
  /** The figure's name in the API: a counter, a rate (rate.*) or a backlog figure (now.*). */
  key: string
  value: string
  /** For a rate: numerator and denominator, for the figure's explanation. */
  parts?: [number, number]
  /** Worth a warning colour (a backlog of overdue cases). */
  alarm?: boolean
}

/** The dashboard's headline figures, formatted in language (docs/STATS.md defines each). */
export function headlines(f: StatFigures, now: StatNow, language: Language): Headline[] {
  const count = (key: keyof Omit<StatFigures, 'rates'>): Headline => ({ key, value: formatCount(f[key], language) })
  const rate = (key: keyof StatRates, num: number, den: number): Headline => ({
    key: `rate.${key}`,
    value: formatRate(f.rates[key], language),
    parts: [num, den],
  })
  return [
    count('received'),
    count('accepted'),
    count('resolved'),
    rate('on_time', f.on_time, f.resolved),
    rate('response', f.responded, f.received - f.merged),
    rate('resolution', f.resolved, f.accepted),
    rate('satisfaction', f.satisfied, f.rated),
    { key: 'now.open', value: formatCount(now.open, language) },
    { key: 'now.overdue', value: formatCount(now.overdue, language), alarm: now.overdue > 0 },
  ]
}

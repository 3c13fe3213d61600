// The dashboard's period: two China dates (YYYY-MM-DD, both included) and the presets a leader
// picks most — this month, last month, this quarter, this year, the last 7 and 30 days —
// counted from today in China Standard Time, whatever the device's own zone.
import dayjs from 'dayjs'
import { chinaTimeZone } from '@/time'

export interface Period {
  from: string
  to: string
}

export const presets = ['last7', 'last30', 'thisMonth', 'lastMonth', 'thisQuarter', 'thisYear', 'lastYear'] as const
export type Preset = (typeof presets)[number]

const day = 'YYYY-MM-DD'

/** Today's date in China at the instant now (ms since the epoch). */
export function chinaToday(now: number): string {
  return dayjs(now).tz(chinaTimeZone).format(day)
}

/** The period a preset means on the China date today (YYYY-MM-DD). */
export function presetPeriod(preset: Preset, today: string): Period {
  const t = dayjs(today)
  const span = (from: dayjs.Dayjs, to: dayjs.Dayjs): Period => ({ from: from.format(day), to: to.format(day) })
  switch (preset) {
    case 'last7':
      return span(t.subtract(6, 'day'), t)
    case 'last30':
      return span(t.subtract(29, 'day'), t)
    case 'thisMonth':
      return span(t.startOf('month'), t)
    case 'lastMonth': {
      const m = t.subtract(1, 'month')
      return span(m.startOf('month'), m.endOf('month'))
    }
    case 'thisQuarter': {
      const q = t.month() - (t.month() % 3)
      return span(t.month(q).startOf('month'), t)
    }
    case 'thisYear':
      return span(t.startOf('year'), t)
    case 'lastYear': {
      const y = t.subtract(1, 'year')
      return span(y.startOf('year'), y.endOf('year'))
    }
  }
}

/** The preset that means exactly period today, if any (the first in the list when several do). */
export function presetOf(period: Period, today: string): Preset | undefined {
  return presets.find((p) => {
    const q = presetPeriod(p, today)
    return q.from === period.from && q.to === period.to
  })
}

/** Whether text is a real calendar date written YYYY-MM-DD. */
export function isDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && dayjs(text).format(day) === text
}

/**
 * The period in an address's from and to, when both are dates in order; otherwise the
 * default, this year to today (the server's own default, made explicit).
 */
export function periodFrom(from: unknown, to: unknown, today: string): Period {
  if (typeof from === 'string' && typeof to === 'string' && isDate(from) && isDate(to) && from <= to) {
    return { from, to }
  }
  return presetPeriod('thisYear', today)
}

/** The number of days in period, both ends counted. */
export function periodDays(period: Period): number {
  return dayjs(period.to).diff(dayjs(period.from), 'day') + 1
}

/** The longest period (in days) the server splits by each interval (docs/STATS.md). */
export const intervalLimits = { day: 92, week: 732, month: 3660 } as const

/** Whether the server can split period by interval. */
export function intervalFits(interval: keyof typeof intervalLimits, period: Period): boolean {
  return periodDays(period) <= intervalLimits[interval]
}

// Times as residents and staff read them: in China Standard Time (Asia/Shanghai), whatever the
// device's own zone, and countdowns to a deadline.
import dayjs from 'dayjs'
import timezone from 'dayjs/plugin/timezone'
import utc from 'dayjs/plugin/utc'

dayjs.extend(utc)
dayjs.extend(timezone)

export const chinaTimeZone = 'Asia/Shanghai'

/** An instant (ISO 8601) as a date and time in China Standard Time. */
export function formatChinaTime(iso: string, language: 'zh-CN' | 'en'): string {
  const t = dayjs(iso).tz(chinaTimeZone)
  return language === 'en' ? t.format('YYYY-MM-DD HH:mm') : t.format('YYYY年M月D日 HH:mm')
}

/**
 * A deadline in China Standard Time as Chinese law counts a period's end: one at midnight is the
 * last day's 24:00 ("2026年3月5日 24:00", not "3月6日 00:00", which reads as if the 6th still
 * counted), as jiceng's notes and messages write it.
 */
export function formatChinaDeadline(iso: string, language: 'zh-CN' | 'en'): string {
  const t = dayjs(iso).tz(chinaTimeZone)
  if (t.hour() !== 0 || t.minute() !== 0 || t.second() !== 0 || t.millisecond() !== 0) return formatChinaTime(iso, language)
  const day = t.subtract(1, 'day')
  return `${language === 'en' ? day.format('YYYY-MM-DD') : day.format('YYYY年M月D日')} 24:00`
}

/** How far a deadline is from now: whole days, hours and minutes, and whether it has passed. */
export interface Remaining {
  overdue: boolean
  days: number
  hours: number
  minutes: number
}

export function remaining(deadline: string, now: number): Remaining {
  const diff = dayjs(deadline).valueOf() - now
  const total = Math.floor(Math.abs(diff) / 60000)
  return {
    overdue: diff < 0,
    days: Math.floor(total / (24 * 60)),
    hours: Math.floor(total / 60) % 24,
    minutes: total % 60,
  }
}

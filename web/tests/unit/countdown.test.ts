// The deadline countdown: time left or overdue in days, hours and minutes, the deadline in China
// Standard Time whatever the device's zone, and the tone that warns.
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import DeadlineCountdown from '@/components/DeadlineCountdown.vue'
import { i18n, setLanguage } from '@/i18n'
import { formatChinaDeadline, formatChinaTime, remaining } from '@/time'

const deadline = '2026-03-05T16:00:00Z' // 2026-03-06 00:00 in Beijing

function show(now: string) {
  return mount(DeadlineCountdown, { props: { deadline, now: Date.parse(now) }, global: { plugins: [i18n] } })
}

afterEach(() => {
  setLanguage('zh-CN')
  vi.useRealTimers()
})

describe('remaining', () => {
  it('splits the time left into days, hours and minutes', () => {
    expect(remaining(deadline, Date.parse('2026-03-03T12:30:00Z'))).toEqual({ overdue: false, days: 2, hours: 3, minutes: 30 })
  })
  it('counts overdue time the same way', () => {
    expect(remaining(deadline, Date.parse('2026-03-05T21:15:00Z'))).toEqual({ overdue: true, days: 0, hours: 5, minutes: 15 })
  })
})

describe('formatChinaTime', () => {
  it('shows the instant in Asia/Shanghai', () => {
    expect(formatChinaTime(deadline, 'zh-CN')).toBe('2026年3月6日 00:00')
    expect(formatChinaTime('2026-03-05T01:02:00Z', 'en')).toBe('2026-03-05 09:02')
  })
})

describe('formatChinaDeadline', () => {
  it('ends a period at midnight as its last day 24:00, as the law counts it', () => {
    expect(formatChinaDeadline(deadline, 'zh-CN')).toBe('2026年3月5日 24:00')
    expect(formatChinaDeadline(deadline, 'en')).toBe('2026-03-05 24:00')
    expect(formatChinaDeadline('2026-02-28T16:00:00Z', 'zh-CN')).toBe('2026年2月28日 24:00')
  })
  it('shows any other moment as it is', () => {
    expect(formatChinaDeadline('2026-03-05T01:02:00Z', 'en')).toBe('2026-03-05 09:02')
    expect(formatChinaDeadline('2026-03-05T16:00:30Z', 'zh-CN')).toBe('2026年3月6日 00:00')
    expect(formatChinaDeadline('2026-03-05T16:00:00.123Z', 'zh-CN')).toBe('2026年3月6日 00:00')
  })
})

describe('DeadlineCountdown', () => {
  it('says how long is left, and when the deadline is', () => {
    const w = show('2026-03-03T12:30:00Z')
    expect(w.find('.countdown-text').text()).toBe('剩余 2 天 3 小时')
    expect(w.find('.countdown-at').text()).toBe('（2026年3月5日 24:00 前）')
    expect(w.find('.van-tag--success').exists()).toBe(true)
  })

  it('warns within the last day, counting minutes', () => {
    const w = show('2026-03-05T13:20:00Z')
    expect(w.find('.countdown-text').text()).toBe('剩余 2 小时 40 分钟')
    expect(w.find('.van-tag--warning').exists()).toBe(true)
  })

  it('says how long it is overdue, in red', () => {
    const w = show('2026-03-07T18:00:00Z')
    expect(w.find('.countdown-text').text()).toBe('已超期 2 天 2 小时')
    expect(w.find('.van-tag--danger').exists()).toBe(true)
  })

  it('speaks English after the switch', async () => {
    setLanguage('en')
    const w = show('2026-03-05T15:59:30Z')
    expect(w.find('.countdown-text').text()).toBe('under a minute left')
    expect(w.find('.countdown-at').text()).toBe('(due 2026-03-05 24:00)')
  })

  it('shows when a case runs on no clock', () => {
    const w = mount(DeadlineCountdown, { props: { deadline: null }, global: { plugins: [i18n] } })
    expect(w.text()).toBe('不计时限')
  })

  it('ticks with the clock when no time is given', async () => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2026-03-05T15:00:00Z'))
    const w = mount(DeadlineCountdown, { props: { deadline }, global: { plugins: [i18n] } })
    expect(w.find('.countdown-text').text()).toBe('剩余 1 小时')
    vi.setSystemTime(new Date('2026-03-05T16:30:00Z'))
    await vi.advanceTimersByTimeAsync(30_000)
    expect(w.find('.countdown-text').text()).toBe('已超期 30 分钟')
    w.unmount()
  })
})

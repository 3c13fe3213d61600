// The dashboard's periods: the presets counted from today in China (whatever the device's zone),
// recognising a preset from the dates in the address, and which trend intervals fit a period.
import { describe, expect, it } from 'vitest'
import { chinaToday, intervalFits, isDate, periodDays, periodFrom, presetOf, presetPeriod, type Preset } from '@/dashboard/period'

describe('chinaToday', () => {
  it('is the date in Beijing, not in UTC', () => {
    expect(chinaToday(Date.parse('2026-11-30T15:59:59Z'))).toBe('2026-11-30')
    expect(chinaToday(Date.parse('2026-11-30T16:00:00Z'))).toBe('2026-12-01')
  })
})

describe('presetPeriod', () => {
  const cases: [Preset, string, string, string][] = [
    ['last7', '2026-03-15', '2026-03-09', '2026-03-15'],
    ['last30', '2026-03-15', '2026-02-14', '2026-03-15'],
    ['thisMonth', '2026-03-15', '2026-03-01', '2026-03-15'],
    ['lastMonth', '2026-03-15', '2026-02-01', '2026-02-28'],
    ['lastMonth', '2026-01-05', '2025-12-01', '2025-12-31'],
    ['lastMonth', '2028-03-31', '2028-02-01', '2028-02-29'],
    ['thisQuarter', '2026-03-15', '2026-01-01', '2026-03-15'],
    ['thisQuarter', '2026-11-30', '2026-10-01', '2026-11-30'],
    ['thisYear', '2026-03-15', '2026-01-01', '2026-03-15'],
    ['lastYear', '2026-03-15', '2025-01-01', '2025-12-31'],
  ]
  it.each(cases)('%s on %s is %s to %s', (preset, today, from, to) => {
    expect(presetPeriod(preset, today)).toEqual({ from, to })
  })
})

describe('presetOf', () => {
  it('names the preset the dates are', () => {
    expect(presetOf({ from: '2026-01-01', to: '2026-05-15' }, '2026-05-15')).toBe('thisYear')
    expect(presetOf({ from: '2026-02-14', to: '2026-03-15' }, '2026-03-15')).toBe('last30')
  })
  it('names none for other dates', () => {
    expect(presetOf({ from: '2026-01-02', to: '2026-03-15' }, '2026-03-15')).toBeUndefined()
  })
  it('prefers the first preset when two mean the same days', () => {
    // On 1 January "this month" and "this year" are both that one day; the longer-standing choice wins.
    expect(presetOf({ from: '2026-01-01', to: '2026-01-01' }, '2026-01-01')).toBe('thisMonth')
  })
})

describe('periodFrom', () => {
  const today = '2026-03-15'
  it('takes two dates in order', () => {
    expect(periodFrom('2026-02-01', '2026-02-28', today)).toEqual({ from: '2026-02-01', to: '2026-02-28' })
  })
  it.each([
    [undefined, undefined],
    ['2026-02-01', undefined],
    ['2026-03-01', '2026-02-01'],
    ['2026-02-30', '2026-03-01'],
    ['20260201', '2026-03-01'],
    [['2026-02-01'], '2026-03-01'],
  ])('falls back to this year for %j to %j', (from, to) => {
    expect(periodFrom(from, to, today)).toEqual({ from: '2026-01-01', to: today })
  })
})

describe('isDate and periodDays', () => {
  it('knows real dates', () => {
    expect(isDate('2028-02-29')).toBe(true)
    expect(isDate('2026-02-29')).toBe(false)
    expect(isDate('2026-2-1')).toBe(false)
  })
  it('counts both ends', () => {
    expect(periodDays({ from: '2026-03-15', to: '2026-03-15' })).toBe(1)
    expect(periodDays({ from: '2026-01-01', to: '2026-12-31' })).toBe(365)
  })
})

describe('intervalFits', () => {
  it('follows the server\'s limits: 92 days by day, 732 by week', () => {
    expect(intervalFits('day', { from: '2026-01-01', to: '2026-04-02' })).toBe(true) // 92 days
    expect(intervalFits('day', { from: '2026-01-01', to: '2026-04-03' })).toBe(false)
    expect(intervalFits('week', { from: '2025-01-01', to: '2026-12-31' })).toBe(true)
    expect(intervalFits('week', { from: '2024-01-01', to: '2026-12-31' })).toBe(false)
    expect(intervalFits('month', { from: '2024-01-01', to: '2026-12-31' })).toBe(true)
  })
})

// The dashboard's figures as a leader reads them: counts and rates in the UI's language, a dash
// for a rate with nothing to divide, and the headline cards in order with the counts behind
// each rate (docs/STATS.md).
import { describe, expect, it } from 'vitest'
import { daysAndHours, formatCount, formatRate, headlines, ratePercent } from '@/dashboard/figures'
import { figures } from './dashboard-fixtures'

describe('formatRate', () => {
  it('writes a percentage to one decimal', () => {
    expect(formatRate(0.9692307, 'zh-CN')).toBe('96.9%')
    expect(formatRate(1, 'en')).toBe('100.0%')
    expect(formatRate(0, 'zh-CN')).toBe('0.0%')
    expect(formatRate(0.99951, 'en')).toBe('100.0%')
  })
  it('writes a dash when there is nothing to divide', () => {
    expect(formatRate(null, 'zh-CN')).toBe('—')
    expect(formatRate(Number.NaN, 'en')).toBe('—')
  })
})

describe('formatCount and ratePercent', () => {
  it('groups digits', () => {
    expect(formatCount(1234567, 'en')).toBe('1,234,567')
    expect(formatCount(0, 'zh-CN')).toBe('0')
  })
  it('gives charts a percentage or a gap', () => {
    expect(ratePercent(0.857142)).toBe(85.7)
    expect(ratePercent(null)).toBeNull()
  })
})

describe('daysAndHours', () => {
  it('splits hours into days', () => {
    expect(daysAndHours(12746)).toEqual({ days: 531, hours: 2 })
    expect(daysAndHours(5)).toEqual({ days: 0, hours: 5 })
    expect(daysAndHours(-3)).toEqual({ days: 0, hours: 0 })
  })
})

describe('headlines', () => {
  it('gives the figures in reading order, each rate with its counts', () => {
    const h = headlines(figures(), { open: 9, overdue: 5 }, 'zh-CN')
    expect(h.map((c) => [c.key, c.value])).toEqual([
      ['received', '65'],
      ['accepted', '60'],
      ['resolved', '56'],
      ['rate.on_time', '91.1%'],
      ['rate.response', '98.4%'],
      ['rate.resolution', '93.3%'],
      ['rate.satisfaction', '93.8%'],
      ['now.open', '9'],
      ['now.overdue', '5'],
    ])
    expect(h.find((c) => c.key === 'rate.response')?.parts).toEqual([63, 64]) // received − merged
    expect(h.find((c) => c.key === 'rate.on_time')?.parts).toEqual([51, 56])
    expect(h.find((c) => c.key === 'rate.satisfaction')?.parts).toEqual([45, 48])
    expect(h.find((c) => c.key === 'now.overdue')?.alarm).toBe(true)
  })
  it('raises no alarm without overdue cases, and dashes rates of an empty period', () => {
    const empty = figures({
      received: 0, merged: 0, responded: 0, accepted: 0, resolved: 0, on_time: 0, rated: 0, satisfied: 0,
      rates: { response: null, resolution: null, satisfaction: null, on_time: null },
    })
    const h = headlines(empty, { open: 0, overdue: 0 }, 'en')
    expect(h.filter((c) => c.key.startsWith('rate.')).map((c) => c.value)).toEqual(['—', '—', '—', '—'])
    expect(h.find((c) => c.key === 'now.overdue')?.alarm).toBe(false)
  })
})

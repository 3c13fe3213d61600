// The early warnings' rules as the UI applies them: which commands a role may give in each
// status, what the menu's badge counts, the "open" list merged newest first, the query string,
// how days and odds are written, and the chart of the cell's days.
import { describe, expect, it } from 'vitest'
import type { EarlyWarning, WarningCommand, WarningStatus } from '@/api'
import { warningQueryString } from '@/api'
import { daysOption, everyDay, levelColour } from '@/warnings/chart'
import { dayRange, formatChance } from '@/warnings/format'
import { badgeQuery, badgeText, commandsFor, inBurst, needsNote, newestOf } from '@/warnings/rules'

function warning(id: number, raised_at: string, status: WarningStatus = 'new'): EarlyWarning {
  return {
    id, area: '360603101201', dimension: 'category', term: 'env.pollution', level: 'yellow', level_zh: '黄色',
    status, status_zh: '', first_day: '2026-11-26', last_day: '2026-11-28', cases: 12, people: 10,
    baseline_per_day: 0.05, p_value: 1e-12, unit_id: 7, raised_at, updated_at: raised_at, version: 1, note: '', acted_by: '',
  }
}

describe('commandsFor', () => {
  const cases: { role: string; status: WarningStatus; commands: WarningCommand[] }[] = [
    { role: 'handler', status: 'new', commands: ['acknowledge', 'handle', 'dismiss'] },
    { role: 'unit_head', status: 'acknowledged', commands: ['handle', 'dismiss'] },
    { role: 'leader', status: 'new', commands: ['acknowledge', 'handle', 'dismiss'] },
    { role: 'cadre', status: 'acknowledged', commands: ['handle', 'dismiss'] },
    { role: 'handler', status: 'handled', commands: [] },
    { role: 'leader', status: 'dismissed', commands: [] },
    // Readers who do not act: the hotline's operator and the grid worker.
    { role: 'operator', status: 'new', commands: [] },
    { role: 'grid_worker', status: 'acknowledged', commands: [] },
    { role: 'auditor', status: 'new', commands: [] },
  ]
  for (const c of cases) {
    it(`gives ${c.role} in ${c.status}: ${c.commands.join(', ') || 'nothing'}`, () => {
      expect(commandsFor(c.role, c.status)).toEqual(c.commands)
    })
  }
  it('asks a note of handling and dismissing only', () => {
    expect([needsNote('acknowledge'), needsNote('handle'), needsNote('dismiss')]).toEqual([false, true, true])
  })
})

describe('badgeQuery', () => {
  it('counts the new warnings addressed to a unit\'s staff', () => {
    expect(badgeQuery({ role: 'handler', unit_id: 7 }, 200)).toEqual({ status: 'new', mine: true, limit: 200 })
    expect(badgeQuery({ role: 'operator', unit_id: 3 }, 200)).toEqual({ status: 'new', mine: true, limit: 200 })
  })
  it('counts the whole area for a leader, and for staff of no unit', () => {
    expect(badgeQuery({ role: 'leader', unit_id: 9 }, 50)).toEqual({ status: 'new', limit: 50 })
    expect(badgeQuery({ role: 'cadre' }, 50)).toEqual({ status: 'new', limit: 50 })
  })
  it('counts nothing for roles that do not read warnings, or nobody', () => {
    expect(badgeQuery({ role: 'auditor' }, 50)).toBeNull()
    expect(badgeQuery({ role: 'mediator', unit_id: 2 }, 50)).toBeNull()
    expect(badgeQuery(null, 50)).toBeNull()
  })
  it('writes large counts short', () => {
    expect([badgeText(0), badgeText(99), badgeText(100), badgeText(150, 9)]).toEqual(['0', '99', '99+', '9+'])
  })
})

describe('newestOf', () => {
  it('merges lists newest first, each warning once, up to the limit', () => {
    const a = [warning(5, '2026-11-28T03:00:00Z'), warning(2, '2026-11-20T03:00:00Z')]
    const b = [warning(4, '2026-11-28T03:00:00Z', 'acknowledged'), warning(3, '2026-11-25T03:00:00Z', 'acknowledged'), warning(5, '2026-11-28T03:00:00Z')]
    expect(newestOf([a, b], 10).map((w) => w.id)).toEqual([5, 4, 3, 2])
    expect(newestOf([a, b], 2).map((w) => w.id)).toEqual([5, 4])
    expect(newestOf([[], []], 5)).toEqual([])
  })
})

describe('warningQueryString', () => {
  it('writes the set fields in a fixed order, mine only when true', () => {
    expect(warningQueryString({ limit: 5, status: 'new', mine: true, area: '360603' })).toBe('?area=360603&status=new&mine=true&limit=5')
    expect(warningQueryString({ mine: false, level: 'red', area: '' })).toBe('?level=red')
    expect(warningQueryString({})).toBe('')
  })
})

describe('format', () => {
  it('writes a burst\'s days', () => {
    expect(dayRange('2026-11-26', '2026-11-28', 'zh-CN')).toBe('11月26日–11月28日')
    expect(dayRange('2026-11-28', '2026-11-28', 'en')).toBe('11-28')
  })
  it('writes odds for people', () => {
    expect(formatChance(0.5)).toBe('50%')
    expect(formatChance(0.0123)).toBe('1.2%')
    expect(formatChance(3.24e-10)).toBe('3.2 × 10⁻¹⁰')
    expect(formatChance(1e-9)).toBe('10⁻⁹')
    expect(formatChance(0)).toBe('< 10⁻³⁰⁰')
  })
})

describe('daysOption', () => {
  const w = {
    ...warning(1, '2026-11-28T03:00:00Z'),
    level: 'orange' as const,
    baseline_per_day: 0.123,
    days: [
      { day: '2026-11-24', cases: 0 },
      { day: '2026-11-25', cases: 1 },
      { day: '2026-11-26', cases: 6 },
      { day: '2026-11-28', cases: 9 },
    ],
  }
  const texts = { cases: '件数', expected: '平时水平', burst: '预警期间' }

  it('fills the quiet days of the 28-day baseline with zeros', () => {
    const all = everyDay(w)
    expect(all).toHaveLength(28 + 3)
    expect(all[0]).toEqual({ day: '2026-10-29', cases: 0 })
    expect(all.slice(-5)).toEqual([
      { day: '2026-11-24', cases: 0 },
      { day: '2026-11-25', cases: 1 },
      { day: '2026-11-26', cases: 6 },
      { day: '2026-11-27', cases: 0 },
      { day: '2026-11-28', cases: 9 },
    ])
  })

  it('colours the burst\'s days in the level\'s colour and the baseline grey', () => {
    expect(inBurst(w, '2026-11-25')).toBe(false)
    expect(inBurst(w, '2026-11-26')).toBe(true)
    const option = daysOption(w, 'zh-CN', texts)
    const series = option.series as { data: unknown[] }[]
    const bars = series[0].data as { value: number; itemStyle: { color: string } }[]
    expect(bars.map((b) => b.value)).toEqual([0, 1, 6, 9])
    expect(bars[1].itemStyle.color).not.toBe(levelColour.orange)
    expect(bars[2].itemStyle.color).toBe(levelColour.orange)
    expect(bars[3].itemStyle.color).toBe(levelColour.orange)
    expect(series[1].data).toEqual([0.12, 0.12, 0.12, 0.12])
    expect((option.xAxis as { data: string[] }).data).toEqual(['11月24日', '11月25日', '11月26日', '11月28日'])
  })
})

// The dashboard's chart options: the trend's buckets, bars and rate lines (gaps where a rate has
// nothing to divide), the categories busiest on top, tooltips as text-only DOM nodes (the
// Content-Security-Policy refuses ECharts' inline-styled HTML), and the stats query string.
import { describe, expect, it } from 'vitest'
import { statsQueryString, type CategoryFigures, type TrendPoint } from '@/api'
import { bucketLabel, categoryOption, trendOption, tooltipContent, type ChartTexts } from '@/dashboard/charts'
import { figures } from './dashboard-fixtures'

const texts: ChartTexts = {
  received: '收件',
  resolved: '办结',
  onTimeRate: '按期办结率',
  satisfactionRate: '满意率',
  bucketTitle: (label) => `${label}起一周`,
}

function point(start: string, received: number, onTime: number | null): TrendPoint {
  const f = figures({ received, resolved: received - 1 })
  return { ...f, rates: { ...f.rates, on_time: onTime }, start }
}

type Series = { name: string; type: string; data: unknown[]; yAxisIndex?: number }
type Formatter = (params: unknown) => HTMLElement

describe('bucketLabel', () => {
  it('names months and days in the language', () => {
    expect(bucketLabel('2026-03-01', 'month', 'zh-CN', false)).toBe('3月')
    expect(bucketLabel('2026-03-01', 'month', 'zh-CN', true)).toBe('2026年3月')
    expect(bucketLabel('2026-03-01', 'month', 'en', false)).toBe('Mar')
    expect(bucketLabel('2026-03-09', 'week', 'zh-CN', false)).toBe('3月9日')
    expect(bucketLabel('2026-03-09', 'day', 'en', true)).toBe('2026-03-09')
  })
})

describe('trendOption', () => {
  const points = [point('2026-01-01', 4, 0.75), point('2026-02-01', 3, null), point('2026-03-01', 5, 1)]
  const option = trendOption(points, 'month', 'zh-CN', texts)
  const series = option.series as Series[]

  it('has a bucket per point', () => {
    expect((option.xAxis as { data: string[] }).data).toEqual(['1月', '2月', '3月'])
  })
  it('draws received and resolved as bars, the rates as percentages on the right axis', () => {
    expect(series.map((s) => [s.name, s.type, s.yAxisIndex ?? 0])).toEqual([
      ['收件', 'bar', 0],
      ['办结', 'bar', 0],
      ['按期办结率', 'line', 1],
      ['满意率', 'line', 1],
    ])
    expect(series[0].data).toEqual([4, 3, 5])
    expect(series[1].data).toEqual([3, 2, 4])
    expect(series[2].data).toEqual([75, null, 100])
  })
  it('shows the year when the period spans two', () => {
    const across = trendOption([point('2025-12-01', 1, 1), point('2026-01-01', 1, 1)], 'month', 'en', texts)
    expect((across.xAxis as { data: string[] }).data).toEqual(['Dec 2025', 'Jan 2026'])
  })
  it('builds its tooltip from text, never from HTML', () => {
    const formatter = (option.tooltip as { formatter: Formatter }).formatter
    const node = formatter([{ dataIndex: 1 }])
    expect(node.querySelector('.chart-tooltip-title')?.textContent).toBe('2月起一周')
    const rows = [...node.querySelectorAll('.chart-tooltip-row')].map((r) => r.textContent)
    expect(rows).toEqual(['收件3', '办结2', '按期办结率—', '满意率93.8%'])
  })
})

describe('categoryOption', () => {
  const category = (code: string, name: string, received: number): CategoryFigures => ({
    code, name_zh: name, name_en: code, figures: figures({ received, resolved: received }),
  })
  const option = categoryOption([category('env', '环境保护', 7), category('urban', '城乡建设', 20), category('traffic', '交通运输', 0),
    category('market', '市场监管', 9)], 'zh-CN', texts)

  it('leaves out categories without cases and puts the busiest on top (last on the axis)', () => {
    expect((option.yAxis as { data: string[] }).data).toEqual(['环境保护', '市场监管', '城乡建设'])
    expect((option.series as Series[])[0].data).toEqual([7, 9, 20])
  })
  it('names the hovered category in its tooltip', () => {
    const node = (option.tooltip as { formatter: Formatter }).formatter([{ dataIndex: 2 }])
    expect(node.querySelector('.chart-tooltip-title')?.textContent).toBe('城乡建设')
  })
})

describe('tooltipContent', () => {
  it('keeps markup in names as text', () => {
    const node = tooltipContent('<img src=x onerror=alert(1)>', [{ color: '#fff', name: '<b>x</b>', value: '1' }])
    expect(node.querySelector('img')).toBeNull()
    expect(node.querySelector('b')).toBeNull()
    expect(node.textContent).toContain('<b>x</b>')
    expect(node.innerHTML).not.toContain('style="display')
  })
})

describe('statsQueryString', () => {
  it('writes the fields given, in order', () => {
    expect(statsQueryString({ limit: 20, area: '360603', from: '2026-01-01', to: '2026-03-15', kind: 'petition' })).toBe(
      '?area=360603&from=2026-01-01&to=2026-03-15&kind=petition&limit=20',
    )
    expect(statsQueryString({})).toBe('')
  })
})

// The chart of a warning's cell: its cases per day over the 28-day baseline and the burst, the
// burst's days in the warning's colour, the expected cases per day as a dashed line. For the
// workbench's light page; tooltips are DOM nodes (charts.ts), as the CSP refuses inline styles.
import dayjs from 'dayjs'
import { tooltipContent, type ChartOption } from '@/dashboard/charts'
import type { Language } from '@/dashboard/figures'
import type { WarningDetail, WarningLevel } from '@/api'
import { dayLabel } from './format'
import { inBurst } from './rules'

/** The levels' colours (突发事件应对法: red, orange, yellow, blue), dark enough on white. */
export const levelColour: Record<WarningLevel, string> = {
  blue: '#1f6fd1',
  yellow: '#c99a00',
  orange: '#e0650b',
  red: '#d42a2a',
}
const calm = '#a8b3c2'
const expectedColour = '#5b6b80'
const axisText = { color: '#4e5969', fontSize: 12 }

/** The days of baseline before a burst that the detector compares it with (docs/SIGNALS.md). */
export const baselineDays = 28

/**
 * Every day from baselineDays before the burst's first day to its last, with the cell's cases
 * (the server lists only the days that had any).
 */
export function everyDay(w: Pick<WarningDetail, 'days' | 'first_day' | 'last_day'>): WarningDetail['days'] {
  const counted = new Map(w.days.map((d) => [d.day, d.cases]))
  const out: WarningDetail['days'] = []
  const last = dayjs(w.last_day)
  for (let d = dayjs(w.first_day).subtract(baselineDays, 'day'); !d.isAfter(last); d = d.add(1, 'day')) {
    const day = d.format('YYYY-MM-DD')
    out.push({ day, cases: counted.get(day) ?? 0 })
  }
  return out
}

export interface DaysTexts {
  cases: string
  expected: string
  burst: string
}

export function daysOption(w: Pick<WarningDetail, 'days' | 'first_day' | 'last_day' | 'level' | 'baseline_per_day'>,
  language: Language, texts: DaysTexts): ChartOption {
  const labels = w.days.map((d) => dayLabel(d.day, language))
  const colourOf = (day: string) => (inBurst(w, day) ? levelColour[w.level] : calm)
  const expected = Number(w.baseline_per_day.toFixed(2))
  const tooltipAt = (i: number) => {
    const d = w.days[i]
    if (!d) return ''
    const title = inBurst(w, d.day) ? `${labels[i]} · ${texts.burst}` : labels[i]
    return tooltipContent(title, [
      { color: colourOf(d.day), name: texts.cases, value: String(d.cases) },
      { color: expectedColour, name: texts.expected, value: String(expected) },
    ])
  }
  return {
    backgroundColor: 'transparent',
    textStyle: { fontFamily: 'inherit' },
    animationDuration: 300,
    grid: { left: 8, right: 8, top: 16, bottom: 4, containLabel: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      backgroundColor: '#fff',
      borderColor: '#dcdfe6',
      padding: [6, 10],
      className: 'chart-tooltip-box',
      formatter: (params) => {
        const first = (Array.isArray(params) ? params[0] : params) as { dataIndex?: number } | undefined
        return tooltipAt(first?.dataIndex ?? 0)
      },
    },
    xAxis: {
      type: 'category',
      data: labels,
      axisLabel: { ...axisText, hideOverlap: true },
      axisLine: { lineStyle: { color: '#c0c4cc' } },
      axisTick: { alignWithLabel: true },
    },
    yAxis: { type: 'value', minInterval: 1, axisLabel: axisText, splitLine: { lineStyle: { color: '#ebeef5' } } },
    series: [
      {
        name: texts.cases,
        type: 'bar',
        barMaxWidth: 14,
        data: w.days.map((d) => ({ value: d.cases, itemStyle: { color: colourOf(d.day) } })),
      },
      {
        name: texts.expected,
        type: 'line',
        symbol: 'none',
        data: w.days.map(() => expected),
        lineStyle: { color: expectedColour, type: 'dashed', width: 1 },
        itemStyle: { color: expectedColour },
      },
    ],
  }
}

// The dashboard's charts as ECharts options, built from the API's figures: the trend (received
// and resolved per day, week or month, with the on-time and satisfaction rates) and the figures
// by category. Colours suit the dark command-centre screen. Tooltips are DOM nodes built with
// textContent: the page's Content-Security-Policy refuses the inline style attributes of
// ECharts' own HTML tooltips, and names from the server are never parsed as HTML.
import dayjs from 'dayjs'
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts'
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components'
import type { ComposeOption } from 'echarts/core'
import type { CategoryFigures, StatFigures, StatInterval, TrendPoint } from '@/api'
import { formatCount, formatRate, ratePercent, type Language } from './figures'

export type ChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>

/** The series colours: distinct on the dark panels (contrast ≥ 3:1 against #0f2140). */
export const palette = {
  received: '#4fa3ff',
  resolved: '#3ddc97',
  onTime: '#ffc53d',
  satisfaction: '#ff7a9a',
  text: '#c9d6ea',
  axis: '#4a6386',
  split: 'rgba(120, 150, 190, 0.18)',
}

/** The label of a trend bucket starting on start (YYYY-MM-DD). */
export function bucketLabel(start: string, interval: StatInterval, language: Language, withYear: boolean): string {
  const d = dayjs(start)
  if (interval === 'month') {
    if (language === 'en') return d.format(withYear ? 'MMM YYYY' : 'MMM')
    return d.format(withYear ? 'YYYY年M月' : 'M月')
  }
  if (language === 'en') return d.format(withYear ? 'YYYY-MM-DD' : 'MM-DD')
  return d.format(withYear ? 'YYYY年M月D日' : 'M月D日')
}

/** The names the charts' series and axes show, in the UI's language. */
export interface ChartTexts {
  received: string
  resolved: string
  onTimeRate: string
  satisfactionRate: string
  /** The trend tooltip's title for a bucket label: "week of …" for weeks. */
  bucketTitle: (label: string) => string
}

interface TooltipRow {
  color: string
  name: string
  value: string
}

/** A tooltip as DOM nodes: a title, then a coloured marker, a name and a value per row. */
export function tooltipContent(title: string, rows: TooltipRow[]): HTMLElement {
  const box = document.createElement('div')
  box.className = 'chart-tooltip'
  const head = document.createElement('div')
  head.className = 'chart-tooltip-title'
  head.textContent = title
  box.append(head)
  for (const r of rows) {
    const line = document.createElement('div')
    line.className = 'chart-tooltip-row'
    const marker = document.createElement('span')
    marker.className = 'chart-tooltip-marker'
    marker.style.backgroundColor = r.color
    const name = document.createElement('span')
    name.className = 'chart-tooltip-name'
    name.textContent = r.name
    const value = document.createElement('span')
    value.className = 'chart-tooltip-value'
    value.textContent = r.value
    line.append(marker, name, value)
    box.append(line)
  }
  return box
}

const axisText = { color: palette.text, fontSize: 12 }

type Counted = Pick<StatFigures, 'received' | 'resolved' | 'rates'>

/** A tooltip's rows for one bucket or category: received, resolved and the two rates. */
function figureRows(f: Counted, language: Language, texts: ChartTexts): TooltipRow[] {
  return [
    { color: palette.received, name: texts.received, value: formatCount(f.received, language) },
    { color: palette.resolved, name: texts.resolved, value: formatCount(f.resolved, language) },
    { color: palette.onTime, name: texts.onTimeRate, value: formatRate(f.rates.on_time, language) },
    { color: palette.satisfaction, name: texts.satisfactionRate, value: formatRate(f.rates.satisfaction, language) },
  ]
}

/** A rate (%) as a line on the right axis; a bucket with nothing to divide leaves a gap. */
function rateLine(name: string, color: string, rates: (number | null)[]): LineSeriesOption {
  return { name, type: 'line', yAxisIndex: 1, data: rates.map(ratePercent), itemStyle: { color }, symbolSize: 6, connectNulls: false }
}

/** The index of the bucket or category an axis tooltip is about. */
function hovered(params: unknown): number {
  const first = (Array.isArray(params) ? params[0] : params) as { dataIndex?: number } | undefined
  return first?.dataIndex ?? 0
}

/** What the two charts share: the legend, and axis tooltips built by tooltipAt(index). */
function baseOption(legend: string[], tooltipAt: (index: number) => HTMLElement | ''): ChartOption {
  return {
    backgroundColor: 'transparent',
    textStyle: { fontFamily: 'inherit' },
    animationDuration: 400,
    legend: { data: legend, top: 0, textStyle: { color: palette.text, fontSize: 13 }, itemGap: 16 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      backgroundColor: 'rgba(9, 22, 45, 0.96)',
      borderColor: '#2f5b93',
      padding: [8, 12],
      className: 'chart-tooltip-box',
      formatter: (params) => tooltipAt(hovered(params)),
    },
  }
}

/**
 * The trend: received and resolved as bars on the left axis, the on-time and satisfaction
 * rates (%) as lines on the right; a rate with nothing to divide leaves a gap.
 */
export function trendOption(points: TrendPoint[], interval: StatInterval, language: Language, texts: ChartTexts): ChartOption {
  const years = new Set(points.map((p) => p.start.slice(0, 4)))
  const labels = points.map((p) => bucketLabel(p.start, interval, language, years.size > 1))
  const tooltipAt = (i: number) =>
    points[i] ? tooltipContent(texts.bucketTitle(labels[i]), figureRows(points[i], language, texts)) : ''
  return {
    ...baseOption([texts.received, texts.resolved, texts.onTimeRate, texts.satisfactionRate], tooltipAt),
    grid: { left: 8, right: 8, top: 40, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      data: labels,
      axisLabel: { ...axisText, hideOverlap: true },
      axisLine: { lineStyle: { color: palette.axis } },
      axisTick: { alignWithLabel: true },
    },
    yAxis: [
      {
        type: 'value',
        minInterval: 1,
        axisLabel: axisText,
        splitLine: { lineStyle: { color: palette.split } },
      },
      {
        type: 'value',
        min: 0,
        max: 100,
        axisLabel: { ...axisText, formatter: '{value}%' },
        splitLine: { show: false },
      },
    ],
    series: [
      { name: texts.received, type: 'bar', data: points.map((p) => p.received), itemStyle: { color: palette.received }, barMaxWidth: 22 },
      { name: texts.resolved, type: 'bar', data: points.map((p) => p.resolved), itemStyle: { color: palette.resolved }, barMaxWidth: 22 },
      rateLine(texts.onTimeRate, palette.onTime, points.map((p) => p.rates.on_time)),
      rateLine(texts.satisfactionRate, palette.satisfaction, points.map((p) => p.rates.satisfaction)),
    ],
  }
}

/** A category's name in language. */
export function categoryName(c: Pick<CategoryFigures, 'name_zh' | 'name_en'>, language: Language): string {
  return language === 'en' ? c.name_en || c.name_zh : c.name_zh
}

/** The categories that received cases, the busiest first. */
export function busiestCategories(categories: CategoryFigures[]): CategoryFigures[] {
  return categories.filter((c) => c.figures.received > 0).sort((a, b) => b.figures.received - a.figures.received || a.code.localeCompare(b.code))
}

/** The categories as horizontal bars, received beside resolved, the busiest at the top. */
export function categoryOption(categories: CategoryFigures[], language: Language, texts: ChartTexts): ChartOption {
  // ECharts draws a category axis from the bottom up: the busiest goes last to sit on top.
  const shown = busiestCategories(categories).reverse()
  const names = shown.map((c) => categoryName(c, language))
  const tooltipAt = (i: number) => (shown[i] ? tooltipContent(names[i], figureRows(shown[i].figures, language, texts)) : '')
  return {
    ...baseOption([texts.received, texts.resolved], tooltipAt),
    grid: { left: 8, right: 24, top: 40, bottom: 4, containLabel: true },
    xAxis: {
      type: 'value',
      minInterval: 1,
      axisLabel: axisText,
      splitLine: { lineStyle: { color: palette.split } },
    },
    yAxis: {
      type: 'category',
      data: names,
      axisLabel: { ...axisText, width: language === 'en' ? 150 : 96, overflow: 'truncate' },
      axisLine: { lineStyle: { color: palette.axis } },
      axisTick: { show: false },
    },
    series: [
      { name: texts.received, type: 'bar', data: shown.map((c) => c.figures.received), itemStyle: { color: palette.received }, barMaxWidth: 12 },
      { name: texts.resolved, type: 'bar', data: shown.map((c) => c.figures.resolved), itemStyle: { color: palette.resolved }, barMaxWidth: 12 },
    ],
  }
}

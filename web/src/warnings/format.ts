// How the warning pages write a warning's days and odds, in the UI's language.
import dayjs from 'dayjs'
import type { Language } from '@/dashboard/figures'

/** A day (YYYY-MM-DD) as 11-28 or 11月28日. */
export function dayLabel(day: string, language: Language): string {
  return dayjs(day).format(language === 'en' ? 'MM-DD' : 'M月D日')
}

/** A burst's days: one day alone, or first–last. */
export function dayRange(first: string, last: string, language: Language): string {
  const a = dayLabel(first, language)
  return first === last ? a : `${a}–${dayLabel(last, language)}`
}

const superscript: Record<string, string> = {
  '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
}

/** A probability for people: 0.012 → "1.2%", 3.2e-10 → "3.2 × 10⁻¹⁰", 0 → "< 10⁻³⁰⁰". */
export function formatChance(p: number): string {
  if (!(p > 0)) return '< 10⁻³⁰⁰'
  if (p >= 0.001) return `${Number((p * 100).toPrecision(2))}%`
  const [mantissa, exponent] = p.toExponential(1).split('e')
  const power = `10${[...String(Number(exponent))].map((c) => superscript[c]).join('')}`
  return mantissa === '1.0' ? power : `${mantissa} × ${power}`
}

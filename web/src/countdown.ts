// A deadline as people think of it ("剩余 2 天 3 小时", "已超期 5 小时") and its tone, ticking every
// 30 seconds unless a fixed `now` is given. Shared by the resident's and the staff's countdowns.
import { computed, onMounted, onUnmounted, ref, type ComputedRef } from 'vue'
import { useI18n } from 'vue-i18n'
import { formatChinaDeadline, remaining, type Remaining } from '@/time'

export type Tone = 'none' | 'danger' | 'warning' | 'success'

export interface Countdown {
  left: ComputedRef<Remaining | null>
  /** "剩余 2 天 3 小时" / "已超期 5 小时" / "不计时". */
  text: ComputedRef<string>
  /** The deadline itself in China Standard Time, e.g. "截止 2026年3月6日 00:00"; '' without one. */
  at: ComputedRef<string>
  /** Red when late, orange within a day, green otherwise. */
  tone: ComputedRef<Tone>
}

export function useCountdown(props: { deadline: string | null; now?: number }): Countdown {
  const { t, locale } = useI18n()
  const tick = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    if (props.now === undefined) timer = setInterval(() => (tick.value = Date.now()), 30_000)
  })
  onUnmounted(() => clearInterval(timer))

  const left = computed(() => (props.deadline ? remaining(props.deadline, props.now ?? tick.value) : null))
  const text = computed(() => {
    const r = left.value
    if (!r) return t('countdown.none')
    const parts: string[] = []
    if (r.days) parts.push(t('countdown.days', { n: r.days }))
    if (r.hours) parts.push(t('countdown.hours', { n: r.hours }))
    if (!r.days && r.minutes) parts.push(t('countdown.minutes', { n: r.minutes }))
    const time = parts.length ? parts.join(' ') : t('countdown.lessThanMinute')
    return r.overdue ? t('countdown.overdue', { time }) : t('countdown.left', { time })
  })
  const tone = computed<Tone>(() => {
    const r = left.value
    if (!r) return 'none'
    if (r.overdue) return 'danger'
    return r.days < 1 ? 'warning' : 'success'
  })
  const at = computed(() =>
    props.deadline ? t('countdown.at', { time: formatChinaDeadline(props.deadline, locale.value === 'en' ? 'en' : 'zh-CN') }) : '',
  )
  return { left, text, at, tone }
}

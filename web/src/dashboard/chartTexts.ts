// The names the dashboard's charts show, in the UI's language, for the option builders in
// charts.ts.
import { computed, type ComputedRef } from 'vue'
import { useI18n } from 'vue-i18n'
import type { ChartTexts } from './charts'
import type { Language } from './figures'

/** The charts' texts and the UI's language; bucketTitle names a trend bucket in its tooltip. */
export function useChartTexts(bucketTitle: (label: string) => string = (label) => label): {
  texts: ComputedRef<ChartTexts>
  language: ComputedRef<Language>
} {
  const { t, locale } = useI18n()
  return {
    language: computed(() => (locale.value === 'en' ? 'en' : 'zh-CN')),
    texts: computed(() => ({
      received: t('dashboard.series.received'),
      resolved: t('dashboard.series.resolved'),
      onTimeRate: t('dashboard.series.onTimeRate'),
      satisfactionRate: t('dashboard.series.satisfactionRate'),
      bucketTitle,
    })),
  }
}

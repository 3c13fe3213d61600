// Element Plus for the workbench's pages only (the resident portal never loads it): its styles,
// the workbench's colours over them, and its own texts in the UI's language.
import 'element-plus/dist/index.css'
import './workbench.css'
import en from 'element-plus/es/locale/lang/en'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import { computed } from 'vue'
import { useI18n } from 'vue-i18n'

/** Element Plus's locale following the UI's language, for ElConfigProvider. */
export function useElementLocale() {
  const { locale } = useI18n()
  return computed(() => (locale.value === 'en' ? en : zhCn))
}

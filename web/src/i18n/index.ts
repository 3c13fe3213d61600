// The UI's languages: 简体中文 by default, English as a switch. The choice is kept in
// localStorage and also sets the language of the server's messages and of Vant's own texts.
import { Locale } from 'vant'
import vantEn from 'vant/es/locale/lang/en-US'
import vantZh from 'vant/es/locale/lang/zh-CN'
import { createI18n } from 'vue-i18n'
import { setApiLanguage } from '@/api'
import en from './en'
import zh from './zh-CN'
import myEn from './my.en'
import myZh from './my.zh-CN'
import staffEn from './staff.en'
import staffZh from './staff.zh-CN'
import dashboardEn from './dashboard.en'
import dashboardZh from './dashboard.zh-CN'
import warningsEn from './warnings.en'
import warningsZh from './warnings.zh-CN'
import catalogueEn from './catalogue.en'
import catalogueZh from './catalogue.zh-CN'

export type Language = 'zh-CN' | 'en'
export const languages: Language[] = ['zh-CN', 'en']
const storageKey = 'jiceng.language'

function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(storageKey)
    if (saved === 'en' || saved === 'zh-CN') return saved
  } catch {
    // Storage may be unavailable (private mode): the default applies.
  }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: 'zh-CN',
  fallbackLocale: 'zh-CN',
  // The workbench's texts (staff.*.ts) join the few staff keys the portal has; the dashboard's
  // (dashboard.*.ts), the early warnings' (warnings.*.ts), the administrators' catalogue pages'
  // (catalogue.*.ts) and the residents' accounts and cases (my.*.ts) are sections of their own.
  messages: {
    'zh-CN': { ...zh, ...myZh, staff: { ...zh.staff, ...staffZh }, dashboard: dashboardZh, warnings: warningsZh, catalogue: catalogueZh },
    en: { ...en, ...myEn, staff: { ...en.staff, ...staffEn }, dashboard: dashboardEn, warnings: warningsEn, catalogue: catalogueEn },
  },
})

/** Switches the whole UI (and the server's messages) to language. */
export function setLanguage(language: Language): void {
  i18n.global.locale.value = language
  setApiLanguage(language)
  Locale.use(language === 'en' ? 'en-US' : 'zh-CN', language === 'en' ? vantEn : vantZh)
  document.documentElement.lang = language
  try {
    localStorage.setItem(storageKey, language)
  } catch {
    // Not kept across visits then.
  }
}

setLanguage(initialLanguage())

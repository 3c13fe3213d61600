// Every text has both languages: the English messages have exactly the keys of the Chinese, and
// counts read right in both.
import { describe, expect, it } from 'vitest'
import { i18n, setLanguage } from '@/i18n'
import catalogueEn from '@/i18n/catalogue.en'
import catalogueZh from '@/i18n/catalogue.zh-CN'
import dashboardEn from '@/i18n/dashboard.en'
import dashboardZh from '@/i18n/dashboard.zh-CN'
import en from '@/i18n/en'
import myEn from '@/i18n/my.en'
import myZh from '@/i18n/my.zh-CN'
import staffEn from '@/i18n/staff.en'
import staffZh from '@/i18n/staff.zh-CN'
import warningsEn from '@/i18n/warnings.en'
import warningsZh from '@/i18n/warnings.zh-CN'
import zh from '@/i18n/zh-CN'

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

describe('messages', () => {
  it('has the same keys in English and Chinese', () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort())
  })
  it('has the same keys in the workbench\'s English and Chinese', () => {
    expect(keys(staffEn).sort()).toEqual(keys(staffZh).sort())
  })
  it('has the same keys in the dashboard\'s English and Chinese', () => {
    expect(keys(dashboardEn).sort()).toEqual(keys(dashboardZh).sort())
  })
  it('has the same keys in the early warnings\' English and Chinese', () => {
    expect(keys(warningsEn).sort()).toEqual(keys(warningsZh).sort())
  })
  it('has the same keys in the catalogue pages\' English and Chinese', () => {
    expect(keys(catalogueEn).sort()).toEqual(keys(catalogueZh).sort())
  })
  it('counts new warnings in the singular and the plural', () => {
    setLanguage('en')
    expect(i18n.global.t('warnings.badge', { n: 1 }, 1)).toBe('1 new warning')
    expect(i18n.global.t('warnings.badge', { n: 3 }, 3)).toBe('3 new warnings')
    setLanguage('zh-CN')
    expect(i18n.global.t('warnings.badge', { n: 3 }, 3)).toBe('3 条新预警')
  })

  it('has the same keys in the residents\' accounts and cases, in sections of their own', () => {
    expect(keys(myEn).sort()).toEqual(keys(myZh).sort())
    for (const section of Object.keys(myZh)) expect(Object.keys(zh)).not.toContain(section)
  })
})

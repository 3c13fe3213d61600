// Every text has both languages: the English messages have exactly the keys of the Chinese.
import { describe, expect, it } from 'vitest'
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

  it('has the same keys in the residents\' accounts and cases, in sections of their own', () => {
    expect(keys(myEn).sort()).toEqual(keys(myZh).sort())
    for (const section of Object.keys(myZh)) expect(Object.keys(zh)).not.toContain(section)
  })
})

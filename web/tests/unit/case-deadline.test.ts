// The deadline in the case file: the moment in China Standard Time, the "provisional" mark for a
// deadline counted on a year whose official holidays are not imported yet, and the warning time.
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import CaseDeadline from '@/components/staff/CaseDeadline.vue'
import { i18n, setLanguage } from '@/i18n'

const show = (props: { deadline: string | null; warnAt: string | null; provisional: boolean }) =>
  mount(CaseDeadline, { props, global: { plugins: [i18n] } })

afterEach(() => setLanguage('zh-CN'))

describe('CaseDeadline', () => {
  it('shows the deadline and its warning time in China Standard Time', () => {
    setLanguage('zh-CN')
    const w = show({ deadline: '2026-12-18T09:59:59Z', warnAt: '2026-12-15T09:59:59Z', provisional: false })
    expect(w.text()).toContain('2026')
    expect(w.text()).toContain('17:59')
    expect(w.get('.warn-at').text()).toContain('起预警')
    expect(w.find('.provisional').exists()).toBe(false)
  })

  it('marks a deadline counted on a year without official days as provisional', () => {
    setLanguage('en')
    const w = show({ deadline: '2027-02-20T09:59:59Z', warnAt: null, provisional: true })
    expect(w.get('.provisional').text()).toBe('provisional')
    expect(w.find('.warn-at').exists()).toBe(false)
  })

  it('says there is no deadline, and marks nothing, without a running clock', () => {
    setLanguage('zh-CN')
    const w = show({ deadline: null, warnAt: '2026-12-15T09:59:59Z', provisional: true })
    expect(w.text()).toBe(i18n.global.t('countdown.none'))
    expect(w.find('.provisional').exists()).toBe(false)
    expect(w.find('.warn-at').exists()).toBe(false)
  })
})

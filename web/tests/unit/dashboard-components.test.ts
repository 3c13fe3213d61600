// The dashboard's pieces as a leader sees them: the headline cards name each figure and the
// counts behind each rate, in either language; a case list links each number to the case in
// the workbench, and says so when it is empty.
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { OverdueCase } from '@/api'
import CaseList from '@/components/dashboard/CaseList.vue'
import HeadlineFigures from '@/components/dashboard/HeadlineFigures.vue'
import { i18n, setLanguage } from '@/i18n'
import { figures } from './dashboard-fixtures'

afterEach(() => setLanguage('zh-CN'))

function card(w: ReturnType<typeof mount>, key: string) {
  const c = w.get(`[data-figure="${key}"]`)
  return [c.get('.headline-label').text(), c.get('.headline-value').text(), c.get('.headline-help').text()]
}

describe('HeadlineFigures', () => {
  it('shows each figure with what it counts', () => {
    const w = mount(HeadlineFigures, { props: { figures: figures(), now: { open: 9, overdue: 5 } }, global: { plugins: [i18n] } })
    expect(card(w, 'received')).toEqual(['收件量', '65', '期间内收到的全部案件'])
    expect(card(w, 'rate.on_time')).toEqual(['按期办结率', '91.1%', '按期办结 51 / 办结 56'])
    expect(card(w, 'rate.response')).toEqual(['响应率', '98.4%', '作出受理决定 63 / 收件 64'])
    expect(w.get('[data-figure="now.overdue"]').classes()).toContain('is-alarm')
  })
  it('speaks English when asked', () => {
    setLanguage('en')
    const w = mount(HeadlineFigures, { props: { figures: figures(), now: { open: 0, overdue: 0 } }, global: { plugins: [i18n] } })
    expect(card(w, 'rate.satisfaction')).toEqual(['Satisfaction rate', '93.8%', 'Satisfied or fairly satisfied 45 / rated 48'])
    expect(w.get('[data-figure="now.overdue"]').classes()).not.toContain('is-alarm')
  })
})

describe('CaseList', () => {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: { template: '<div />' } },
      { path: '/staff/cases/:number', name: 'staff-case', component: { template: '<div />' } },
    ],
  })
  const overdue: OverdueCase = {
    number: '360603-2025-000019', kind: 'demand', category: 'env.noise', place: '360603205005', place_name: '礼隆社区居民委员会',
    unit_id: 16, unit_name: '余江区信访局', deadline_at: '2025-06-17T16:00:00.000Z', overdue_hours: 12746,
  }
  const list = (items: OverdueCase[]) =>
    mount(CaseList<OverdueCase>, {
      props: { items, list: 'overdue', empty: '没有超期案件', itemKey: (c: OverdueCase) => c.number, categoryName: (code: string) => (code === 'env.noise' ? '噪声扰民' : code) },
      slots: { badge: '<span class="badge">超期</span>', time: '<span>时限</span>' },
      global: { plugins: [i18n, router] },
    })

  it('links each case number to the case in the workbench', () => {
    const w = list([overdue])
    const link = w.get('a.case-number')
    expect(link.attributes('href')).toBe('/staff/cases/360603-2025-000019')
    expect(link.attributes('aria-label')).toBe('打开案件 360603-2025-000019')
    expect(w.get('.case-item-facts').text()).toContain('噪声扰民')
    expect(w.get('.case-item-facts').text()).toContain('余江区信访局')
    expect(w.find('.badge').exists()).toBe(true)
  })
  it('says when there is nothing to list', () => {
    const w = list([])
    expect(w.find('ol').exists()).toBe(false)
    expect(w.get('.panel-empty').text()).toBe('没有超期案件')
  })
})

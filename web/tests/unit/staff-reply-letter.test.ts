// The reply letter goes to the resident: it is in Chinese whatever the workbench's language, and
// can be switched to English for one who wrote in English.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import ReplyLetterPage from '@/pages/staff/ReplyLetterPage.vue'
import { i18n, setLanguage } from '@/i18n'

const file = {
  number: '360603-2026-000384', kind: 'demand', category: 'urban.lighting', place: '360603001001', address: '',
  anonymous: false, name: '张三', contact: '13800138000', description: '路灯坏了', channel: 'phone',
  state: 'resolved', state_zh: '已办结', version: 5, received_at: '2026-03-02T01:00:00Z', updated_at: '2026-03-03T02:00:00Z',
  clock: 'none', deadline_at: null, warn_at: null, deadline_provisional: false, warned: false, breached: false, extensions: 0,
  reply: '经现场核查，路灯已修复。', rating: 'none', merged_into: '', unit_id: null, tracking_code: '', allowed_commands: [],
  events: [],
}

beforeEach(() => {
  setActivePinia(createPinia())
  vi.stubGlobal('fetch', vi.fn(async (url: string) => {
    const body = String(url).includes('/cases/') ? file : { items: [] }
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
  }))
})
afterEach(() => {
  vi.unstubAllGlobals()
  setLanguage('zh-CN')
})

describe('ReplyLetterPage', () => {
  it('writes the letter in Chinese in the English workbench, and in English when asked', async () => {
    setLanguage('en')
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:n', component: { template: '<p/>' } }] })
    const w = mount(ReplyLetterPage, { props: { number: file.number }, global: { plugins: [i18n, router] }, attachTo: document.body })
    await flushPromises()
    expect(w.get('.letter-title').text()).toContain('答复意见书')
    expect(w.get('.addressee').text()).toBe('张三：')
    expect(w.get('.letter').attributes('lang')).toBe('zh-CN')
    expect(w.text()).toContain('Print') // the workbench itself stays in English
    await w.findAll('[data-testid="letter-language"] input')[1].setValue(true)
    await flushPromises()
    expect(w.get('.letter-title').text()).toContain('Reply of')
    expect(w.get('.addressee').text()).toBe('To 张三:')
    w.unmount()
  })
})

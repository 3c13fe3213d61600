// The category picker for the keyboard: what is typed decides what Enter takes, never the
// category chosen before (a fast operator retyping would file the case under the old one).
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import type { Category } from '@/api'
import CategorySelect from '@/components/staff/CategorySelect.vue'
import { i18n, setLanguage } from '@/i18n'
import { useStaffCatalogue } from '@/stores/staffCatalogue'

const category = (code: string, parent: string | null, zh: string, en: string): Category => ({
  code, parent_code: parent, name_zh: zh, name_en: en, time_limit: { amount: 7, unit: 'calendar_days' }, routing_level: 'township', active: true,
})

beforeEach(() => {
  setActivePinia(createPinia())
  setLanguage('zh-CN')
  vi.stubGlobal('fetch', vi.fn())
  useStaffCatalogue().categories = [
    category('urban', null, '城乡建设', 'Urban'),
    category('urban.lighting', 'urban', '路灯照明', 'Street lighting'),
    category('env', null, '环境保护', 'Environment'),
    category('env.noise', 'env', '噪声扰民', 'Noise'),
  ]
})
afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const optionNames = () => [...document.body.querySelectorAll('.el-select-dropdown__item')].map((e) => e.firstElementChild?.textContent)

describe('CategorySelect', () => {
  it('lists the matches of what was typed first, the old choice last', async () => {
    const model = ref('urban.lighting')
    const w = mount(CategorySelect, {
      props: { modelValue: model.value, 'onUpdate:modelValue': (v: string) => (model.value = v) },
      global: { plugins: [i18n] },
      attachTo: document.body,
    })
    await flushPromises()
    const select = w.findComponent({ name: 'ElSelect' })
    ;(select.props('filterMethod') as (q: string) => void)('噪声')
    await flushPromises()
    expect(optionNames()).toEqual(['噪声扰民', '路灯照明'])
  })
})

// Submitting a demand (pages/resident/SubmitPage.vue): every missing answer pointed out at once,
// beside its field, before anything is sent, and the first one scrolled to; a description over
// the limit kept whole and refused with the excess; the confirmation kept across a reload and the
// case added to this device's list; the server's refusal in the UI's own punctuation.
import { enableAutoUnmount, flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRouter, createWebHistory } from 'vue-router'
import type { Category } from '@/api'
import CategoryPicker from '@/components/CategoryPicker.vue'
import PlacePicker from '@/components/PlacePicker.vue'
import { i18n, setLanguage } from '@/i18n'
import SubmitPage from '@/pages/resident/SubmitPage.vue'
import { deviceCases } from '@/resident/device-cases'

const lighting: Category = {
  code: 'urban.lighting',
  parent_code: 'urban',
  name_zh: '路灯照明',
  name_en: 'Street lighting',
  time_limit: { amount: 5, unit: 'working_days' },
  routing_level: 'township',
  active: true,
}
const submitted = { number: '360603-2026-000385', tracking_code: 'ABCD-EFGH-JKMN', state: 'registered', deadline_at: '2026-03-09T15:59:59Z' }

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

let posted: unknown[] = []
let answer: () => Response = () => json(201, submitted)
const scrolledTo: Element[] = []

beforeEach(() => {
  setActivePinia(createPinia())
  localStorage.clear()
  window.history.replaceState(null, '', '/')
  posted = []
  scrolledTo.length = 0
  answer = () => json(201, submitted)
  Element.prototype.scrollIntoView = function (this: Element) {
    scrolledTo.push(this)
  }
  vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
    if (url === '/api/v1/cases') {
      posted.push(JSON.parse(String(init?.body)))
      return answer()
    }
    if (url === '/api/v1/categories') return json(200, { items: [lighting] })
    return json(401, { error: { code: 'unauthenticated', message: '未登录', request_id: 'r' } })
  }))
})
enableAutoUnmount(afterEach)
afterEach(() => {
  setLanguage('zh-CN')
  vi.unstubAllGlobals()
})

/** The page as a fresh load of /submit shows it (a reload too: the history entry is the browser's). */
async function open() {
  const stub = { template: '<p>elsewhere</p>' }
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/submit', name: 'submit', component: SubmitPage },
      { path: '/track/:code', name: 'track', component: stub },
      { path: '/my/:number', name: 'my-case', component: stub },
      { path: '/account/sign-in', name: 'account-sign-in', component: stub },
    ],
  })
  await router.push('/submit')
  const w = mount({ template: '<RouterView />' }, { global: { plugins: [i18n, router] }, attachTo: document.body })
  await flushPromises()
  return w
}

const fieldError = (w: VueWrapper, name: string) =>
  w.find(`.van-field:has([name="${name}"]) .van-field__error-message`).exists()
    ? w.get(`.van-field:has([name="${name}"]) .van-field__error-message`).text()
    : ''

async function fill(w: VueWrapper, { description = '路灯坏了一个星期' } = {}) {
  await w.get('.van-field:has([name="category"])').trigger('click')
  await flushPromises()
  w.getComponent(CategoryPicker).vm.$emit('select', lighting)
  await w.get('.van-field:has([name="place"])').trigger('click')
  await flushPromises()
  w.getComponent(PlacePicker).vm.$emit('select', { code: '360603100001', name: '平定村委会', path: '鹰潭市 / 余江区 / 平定乡 / 平定村委会' })
  await w.get('textarea[name="description"]').setValue(description)
  await w.get('input[name="name"]').setValue('张三')
  await w.get('input[name="contact"]').setValue('13800138000')
}

const send = async (w: VueWrapper) => {
  await w.get('form.submit-form').trigger('submit')
  await flushPromises()
}

describe('the submit form', () => {
  it('points out every missing answer at once, beside its field, sends nothing, and scrolls to the first', async () => {
    const w = await open()
    await send(w)
    expect(posted).toEqual([])
    expect(fieldError(w, 'category')).toBe('请选择诉求分类')
    expect(fieldError(w, 'place')).toBe('请选择发生地点')
    expect(fieldError(w, 'description')).toBe('请填写诉求内容')
    expect(fieldError(w, 'name')).toBe('请填写姓名')
    expect(fieldError(w, 'contact')).toBe('请填写联系方式')
    expect(w.get('[data-testid="form-checks"]').text()).toContain('还有 5 项')
    expect(scrolledTo[0]?.querySelector('[name="category"]')).toBeTruthy()

    // Anonymous: no name or contact is asked for; each answer given clears its own message.
    await w.get('.van-switch').trigger('click')
    await w.get('textarea[name="description"]').setValue('路灯坏了')
    expect(fieldError(w, 'description')).toBe('')
    expect(w.find('input[name="name"]').exists()).toBe(false)
    expect(w.get('[data-testid="form-checks"]').text()).toContain('还有 2 项')
  })

  it('asks for the place in words when only the place is missing, in English too', async () => {
    setLanguage('en')
    const w = await open()
    await w.get('.van-field:has([name="category"])').trigger('click')
    await flushPromises()
    w.getComponent(CategoryPicker).vm.$emit('select', lighting)
    await w.get('textarea[name="description"]').setValue('The street light is broken')
    await w.get('input[name="name"]').setValue('Zhang San')
    await w.get('input[name="contact"]').setValue('13800138000')
    await send(w)
    expect(posted).toEqual([])
    expect(fieldError(w, 'place')).toBe('Choose the place')
    expect(fieldError(w, 'category')).toBe('')
    expect(w.get('[data-testid="form-checks"]').text()).toBe('One field needs your attention; see it marked in red')
    expect(scrolledTo[0]?.querySelector('[name="place"]')).toBeTruthy()
  })

  it('keeps a description over the limit whole and says by how much it is too long', async () => {
    const w = await open()
    await fill(w, { description: '灯'.repeat(4001) })
    expect((w.get('textarea[name="description"]').element as HTMLTextAreaElement).value).toHaveLength(4001)
    expect(w.get('.text-count').text()).toBe('4001/4000')
    expect(fieldError(w, 'description')).toBe('最多 4000 字，已超出 1 字，请删减')
    await send(w)
    expect(posted).toEqual([])
  })

  it('keeps a pasted address, name or contact over its limit whole and says so, sending nothing', async () => {
    const w = await open()
    await fill(w)
    const address = '鹰潭市余江区平定乡平定村'.repeat(17) // 204 characters
    await w.get('input[name="address"]').setValue(address)
    await w.get('input[name="contact"]').setValue('1'.repeat(101))
    expect((w.get('input[name="address"]').element as HTMLInputElement).value).toBe(address)
    expect(fieldError(w, 'address')).toBe('最多 200 字，已超出 4 字，请删减')
    expect(fieldError(w, 'contact')).toBe('最多 100 字，已超出 1 字，请删减')
    expect(fieldError(w, 'name')).toBe('')
    await send(w)
    expect(posted).toEqual([])
  })

  it('writes the server\'s refusal with the punctuation of the UI\'s language', async () => {
    setLanguage('en')
    answer = () => json(503, { error: { code: 'unavailable', message: 'overloaded, retry later', request_id: 'abc123' } })
    const w = await open()
    await fill(w)
    await send(w)
    expect(posted).toHaveLength(1)
    expect(w.get('.form-error').text()).toContain('Not submitted: overloaded, retry later')
    expect(w.get('.form-error').text()).not.toContain('：')
  })
})

describe('after submitting', () => {
  it('keeps the confirmation across a reload and the case on this device, and starts afresh on request', async () => {
    const w = await open()
    await fill(w)
    await send(w)
    expect(posted).toHaveLength(1)
    expect(posted[0]).toMatchObject({ category: 'urban.lighting', place: '360603100001', name: '张三' })
    expect(w.get('[data-testid="tracking-code"]').text()).toBe('ABCD-EFGH-JKMN')
    expect(w.get('[data-testid="saved-on-device"]').text()).toContain('本机')
    expect(deviceCases()).toEqual([
      expect.objectContaining({ number: submitted.number, tracking_code: 'ABCD-EFGH-JKMN', category_zh: '路灯照明', category_en: 'Street lighting' }),
    ])
    expect(JSON.stringify(deviceCases())).not.toContain('张三')

    // A reload: a new page on the same history entry.
    w.unmount()
    const reloaded = await open()
    expect(reloaded.get('[data-testid="tracking-code"]').text()).toBe('ABCD-EFGH-JKMN')

    await reloaded.findAll('button').find((b) => b.text() === '再反映一件')!.trigger('click')
    await flushPromises()
    expect(reloaded.find('form.submit-form').exists()).toBe(true)
    reloaded.unmount()
    const again = await open()
    expect(again.find('[data-testid="tracking-code"]').exists()).toBe(false)
  })
})

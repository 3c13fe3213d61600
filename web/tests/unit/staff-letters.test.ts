// The letters go to the resident: they are in Chinese whatever the workbench's language, and can
// be switched to English for one who wrote in English. A petition's notices of acceptance and of
// non-acceptance (信访工作条例 Art. 23) report their event: its unit, its date, the reasons.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import CaseLetterPage from '@/pages/staff/CaseLetterPage.vue'
import type { CaseFile } from '@/api'
import { lettersOf } from '@/staff/letters'
import { i18n, setLanguage } from '@/i18n'
import { chinaTimeZone } from '@/time'
import dayjs from 'dayjs'

const file: CaseFile = {
  number: '360603-2026-000384', kind: 'demand', category: 'urban.lighting', place: '360603001001', address: '',
  anonymous: false, name: '张三', contact: '13800138000', description: '路灯坏了', channel: 'phone',
  state: 'resolved', state_zh: '已办结', version: 5, received_at: '2026-03-02T01:00:00Z', updated_at: '2026-03-03T02:00:00Z',
  clock: 'none', deadline_at: null, warn_at: null, deadline_provisional: false, warned: false, breached: false, extensions: 0,
  reply: '经现场核查，路灯已修复。', rating: 'none', merged_into: '', unit_id: null, tracking_code: '', allowed_commands: [],
  events: [],
}

const event = (seq: number, name: string, at: string, note = '') => ({
  seq, at, actor: 'demo.operator', actor_name: null, event: name, from: null, to: 'accepted', note, note_en: null, public: true, unit_id: null,
})
// A letter registered on 2 March, accepted on 5 March (China time).
const petition: CaseFile = {
  ...file, kind: 'petition', channel: 'letter', state: 'accepted', state_zh: '已受理', reply: '',
  events: [event(1, 'register', '2026-03-02T01:00:00Z'), event(2, 'accept', '2026-03-05T02:00:00Z', '材料齐全，予以受理')],
}
const declined: CaseFile = {
  ...petition, state: 'declined', state_zh: '不予受理', unit_id: 7,
  events: [
    event(1, 'register', '2026-03-02T01:00:00Z'),
    { ...event(2, 'decline', '2026-03-06T02:00:00Z', '已进入行政复议程序。\n请等待复议决定。'), unit_id: 9 },
  ],
}
let served: CaseFile = file

beforeEach(() => {
  setActivePinia(createPinia())
  served = file
  vi.stubGlobal('fetch', vi.fn(async (url: string) => {
    const unit = /\/api\/v1\/units\/(\d+)$/.exec(String(url))
    const body = String(url).includes('/cases/')
      ? served
      : unit
        ? { id: Number(unit[1]), name: `单位${unit[1]}`, kind: 'petition_bureau', place_code: '360603', active: true, version: 1 }
        : { items: [] }
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
  }))
})

const open = async (kind?: 'reply' | 'accept' | 'decline') => {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:n', component: { template: '<p/>' } }] })
  const w = mount(CaseLetterPage, { props: { number: file.number, kind }, global: { plugins: [i18n, router] }, attachTo: document.body })
  await flushPromises()
  return w
}
afterEach(() => {
  vi.unstubAllGlobals()
  setLanguage('zh-CN')
})

describe('CaseLetterPage', () => {
  it('writes the letter in Chinese in the English workbench, and in English when asked', async () => {
    setLanguage('en')
    const w = await open()
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

  it('offers each letter only once its event happened', () => {
    expect(lettersOf(file)).toEqual(['reply'])
    expect(lettersOf(petition)).toEqual(['accept'])
    expect(lettersOf(declined)).toEqual(['decline'])
    expect(lettersOf({ ...file, events: [event(2, 'accept', '2026-03-05T02:00:00Z')] })).toEqual(['reply'])
    // Transferred after it was accepted: the next body decides anew; declined after a return:
    // only the decision that stands.
    const transferred = { ...petition, events: [...petition.events, event(3, 'transfer', '2026-03-06T02:00:00Z')] }
    expect(lettersOf(transferred)).toEqual([])
    const reaccepted = { ...transferred, events: [...transferred.events, event(4, 'accept', '2026-03-09T02:00:00Z')] }
    expect(lettersOf(reaccepted)).toEqual(['accept'])
    const returned = [event(3, 'assign', '2026-03-06T02:00:00Z'), event(4, 'return', '2026-03-07T02:00:00Z'), event(5, 'decline', '2026-03-08T02:00:00Z')]
    expect(lettersOf({ ...petition, events: [...petition.events, ...returned] })).toEqual(['decline'])
  })

  it('tells a petitioner when it was accepted and the 60 days from then', async () => {
    served = petition
    const w = await open('accept')
    expect(w.get('.letter-title').text()).toBe('承办单位信访事项受理告知书')
    const body = w.findAll('.body').map((p) => p.text())
    expect(body[0]).toContain('2026年3月2日通过来信提出的')
    expect(body[0]).toContain('已于2026年3月5日依法受理')
    expect(body[1]).toContain('六十日内办结')
    // Signed on the day it is printed, not backdated to the decision.
    expect(w.get('.signature').text()).toContain(dayjs().tz(chinaTimeZone).format('YYYY年M月D日'))
    expect(w.text()).not.toContain('材料齐全') // the internal note stays off the letter
    w.unmount()
  })

  it('gives a declined petition its reasons, a paragraph each', async () => {
    served = declined
    const w = await open('decline')
    // Issued by the unit that declined it (the event's), not the case's unit now.
    expect(w.get('.letter-title').text()).toBe('单位9信访事项不予受理告知书')
    expect(w.get('.signature').text()).toContain('单位9')
    const body = w.findAll('.body').map((p) => p.text())
    expect(body[0]).toContain('于2026年3月6日决定不予受理')
    expect(body.slice(1, 3)).toEqual(['已进入行政复议程序。', '请等待复议决定。'])
    expect(body[3]).toBe('特此告知。')
    w.unmount()
  })

  it('says why there is nothing to print yet', async () => {
    served = petition
    const w = await open('decline')
    expect(w.find('.letter').exists()).toBe(false)
    expect(w.text()).toContain('只有决定不予受理的信访事项才有不予受理告知书')
    expect(w.get('button.el-button--primary').attributes('disabled')).toBeDefined()
    w.unmount()
  })
})

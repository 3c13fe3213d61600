// The staff timeline names who acted as people know them: a colleague by display name (the
// login name on hover), the submitter, a repeat's submitter and jiceng itself; an app by its key's name.
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CaseEvent } from '@/api'
import StaffTimeline from '@/components/staff/StaffTimeline.vue'
import { i18n, setLanguage } from '@/i18n'

const event = (seq: number, actor: string, actor_name: string | null = null): CaseEvent => ({
  seq, at: '2026-03-02T01:00:00Z', actor, actor_name, event: 'accept', from: 'registered', to: 'accepted', note: '', note_en: null, public: true, unit_id: null,
})

beforeEach(() => {
  setActivePinia(createPinia())
  vi.stubGlobal('fetch', vi.fn())
})
afterEach(() => {
  vi.unstubAllGlobals()
})

const events = [
  event(1, 'demo.operator', '演示受理员'),
  event(2, 'system'),
  event(3, 'resident'),
  event(4, 'resident:42'),
  event(5, 'resident (360602-2026-000007)'),
  event(6, '微信小程序'),
  event(7, 'gone.user'),
]
const actors = (lang: 'zh-CN' | 'en') => {
  setLanguage(lang)
  const w = mount(StaffTimeline, { props: { events }, global: { plugins: [i18n] } })
  return w.findAll('.event-meta span').map((s) => [s.text(), s.attributes('title')])
}

describe('StaffTimeline', () => {
  it('names staff by display name and the others by what they are, in Chinese', () => {
    expect(actors('zh-CN')).toEqual([
      ['演示受理员', 'demo.operator'],
      ['系统', 'system'],
      ['诉求人', 'resident'],
      ['诉求人', 'resident:42'],
      ['重复件 360602-2026-000007 的诉求人', 'resident (360602-2026-000007)'],
      ['微信小程序', '微信小程序'],
      ['gone.user', 'gone.user'],
    ])
  })
  it("shows jiceng's own notes in the reader's language and staff's notes as written", () => {
    const noted = [
      { ...event(1, 'system'), note: '分派至余家村民委员会', note_en: 'Routed to 余家村民委员会' },
      { ...event(2, 'demo.handler', '演示承办人'), note: '已电话联系群众' },
    ]
    const notes = (lang: 'zh-CN' | 'en') => {
      setLanguage(lang)
      return mount(StaffTimeline, { props: { events: noted }, global: { plugins: [i18n] } }).findAll('.event-note').map((p) => p.text())
    }
    expect(notes('zh-CN')).toEqual(['分派至余家村民委员会', '已电话联系群众'])
    expect(notes('en')).toEqual(['Routed to 余家村民委员会', '已电话联系群众'])
  })
  it('says the state an event left once when the two read the same, as in English', () => {
    const evs = [
      { ...event(1, 'system'), event: 'register', from: null, to: 'registered' },
      { ...event(2, 'system'), event: 'accept', from: 'registered', to: 'accepted' },
      { ...event(3, 'system'), event: 'start', from: 'assigned', to: 'in_progress' },
    ]
    const heads = (lang: 'zh-CN' | 'en') => {
      setLanguage(lang)
      return mount(StaffTimeline, { props: { events: evs }, global: { plugins: [i18n] } }).findAll('.event-head').map((h) => h.text())
    }
    expect(heads('en')).toEqual(['Registered', 'Accepted', expect.stringMatching(/^Work started\s*→ In progress$/)])
    expect(heads('zh-CN').every((h) => h.includes('→'))).toBe(true)
  })
  it('and in English', () => {
    expect(actors('en').map(([text]) => text)).toEqual([
      '演示受理员', 'System', 'Submitter', 'Submitter', 'Submitter of repeat 360602-2026-000007', '微信小程序', 'gone.user',
    ])
  })
})

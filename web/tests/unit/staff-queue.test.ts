// "My queue": overdue cases first, then warned ones, then by deadline; cases on no clock last;
// and the countdown's colour — red when overdue or breached, orange when warned or due within a
// day, green otherwise — with the time left counted live.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ListedCase } from '@/api'
import StaffCountdown from '@/components/staff/StaffCountdown.vue'
import { i18n, setLanguage } from '@/i18n'
import { queueOrder, urgency } from '@/staff/queue'
import { useStaffCatalogue } from '@/stores/staffCatalogue'

const now = Date.parse('2026-03-03T04:00:00Z') // 12:00 in Beijing

function listed(number: string, deadline: string | null, marks: Partial<ListedCase> = {}): ListedCase {
  return {
    number,
    kind: 'demand',
    category: 'urban.lighting',
    place: '360603001001',
    state: 'assigned',
    state_zh: '已交办',
    deadline_at: deadline,
    warned: false,
    breached: false,
    created_at: '2026-03-01T00:00:00Z',
    unit_id: 50,
    ...marks,
  }
}

afterEach(() => {
  setLanguage('zh-CN')
  vi.useRealTimers()
})

describe('urgency', () => {
  const cases: { name: string; c: ListedCase; want: string }[] = [
    { name: 'deadline passed', c: listed('a', '2026-03-03T03:59:00Z'), want: 'overdue' },
    { name: 'marked breached, deadline ahead (clock moved)', c: listed('b', '2026-03-05T00:00:00Z', { breached: true }), want: 'overdue' },
    { name: 'warned', c: listed('c', '2026-03-04T00:00:00Z', { warned: true }), want: 'warned' },
    { name: 'running', c: listed('d', '2026-03-09T00:00:00Z'), want: 'running' },
    { name: 'no clock', c: listed('e', null, { state: 'resolved' }), want: 'stopped' },
  ]
  for (const { name, c, want } of cases) {
    it(`${name} → ${want}`, () => expect(urgency(c, now)).toBe(want))
  }
})

describe('queueOrder', () => {
  it('puts overdue first, then warned, then the soonest deadline, and stopped cases last, newest first', () => {
    const rows = [
      listed('stopped-old', null, { created_at: '2026-01-01T00:00:00Z' }),
      listed('running-late', '2026-03-20T00:00:00Z'),
      listed('overdue-recent', '2026-03-03T02:00:00Z'),
      listed('warned', '2026-03-03T10:00:00Z', { warned: true }),
      listed('stopped-new', null, { created_at: '2026-02-01T00:00:00Z' }),
      listed('running-soon', '2026-03-06T00:00:00Z'),
      listed('overdue-old', '2026-02-20T00:00:00Z', { breached: true }),
    ]
    expect(queueOrder(rows, now).map((r) => r.number)).toEqual([
      'overdue-old', 'overdue-recent', 'warned', 'running-soon', 'running-late', 'stopped-new', 'stopped-old',
    ])
    expect(rows[0].number).toBe('stopped-old') // the input is left alone
  })

  it('moves a case up once its deadline passes', () => {
    const rows = [listed('later', '2026-03-10T00:00:00Z'), listed('soon', '2026-03-03T05:00:00Z')]
    expect(queueOrder(rows, now).map((r) => r.number)).toEqual(['soon', 'later'])
    expect(urgency(rows[1], Date.parse('2026-03-03T05:00:01Z'))).toBe('overdue')
  })
})

describe('StaffCountdown', () => {
  function show(props: { deadline: string | null; warned?: boolean; breached?: boolean; now?: number }) {
    return mount(StaffCountdown, { props, global: { plugins: [i18n] } })
  }
  const tag = (w: ReturnType<typeof show>) => w.get('.countdown-tag')

  it('is red and says how late when overdue', () => {
    const w = show({ deadline: '2026-03-02T16:00:00Z', now })
    expect(tag(w).classes()).toContain('el-tag--danger')
    expect(tag(w).text()).toBe('已超期 12 小时')
  })

  it('is red when the server marked the case breached, whatever the clock says', () => {
    const w = show({ deadline: '2026-03-06T16:00:00Z', breached: true, now })
    expect(tag(w).classes()).toContain('el-tag--danger')
  })

  it('is orange when warned, or due within a day', () => {
    expect(tag(show({ deadline: '2026-03-06T16:00:00Z', warned: true, now })).classes()).toContain('el-tag--warning')
    const soon = show({ deadline: '2026-03-03T16:00:00Z', now })
    expect(tag(soon).classes()).toContain('el-tag--warning')
    expect(tag(soon).text()).toBe('剩余 12 小时')
  })

  it('is green with days to go, and shows the deadline in China Standard Time', () => {
    const w = show({ deadline: '2026-03-05T16:00:00Z', now })
    expect(tag(w).classes()).toContain('el-tag--success')
    expect(tag(w).text()).toBe('剩余 2 天 12 小时')
    expect(w.text()).toContain('2026年3月5日 24:00')
  })

  it('counts down live from the device clock', async () => {
    vi.useFakeTimers()
    vi.setSystemTime(Date.parse('2026-03-03T15:59:00Z'))
    const w = show({ deadline: '2026-03-03T16:00:00Z' })
    expect(tag(w).text()).toBe('剩余 1 分钟')
    vi.setSystemTime(Date.parse('2026-03-03T16:01:00Z'))
    await vi.advanceTimersByTimeAsync(30_000)
    expect(tag(w).text()).toBe('已超期 1 分钟')
    expect(tag(w).classes()).toContain('el-tag--danger')
  })

  it('says when there is no clock, in English too', async () => {
    setLanguage('en')
    const w = show({ deadline: null, now })
    expect(tag(w).classes()).toContain('el-tag--info')
    expect(tag(w).text()).toBe(i18n.global.t('countdown.none'))
  })
})

// The queue's unit column: "…" while a unit's name is on its way, its id once it cannot be read.
describe('the catalogue of units', () => {
  it('tells a unit still coming from one that could not be read', async () => {
    setActivePinia(createPinia())
    vi.stubGlobal('fetch', vi.fn(async (url: string) => (String(url).endsWith('/7')
      ? new Response(JSON.stringify({ id: 7, name: '邓埠街道办事处' }), { status: 200, headers: { 'Content-Type': 'application/json' } })
      : new Response(JSON.stringify({ error: { code: 'not_found', message: 'no unit', request_id: 'r' } }), { status: 404, headers: { 'Content-Type': 'application/json' } }))))
    const catalogue = useStaffCatalogue()
    expect(catalogue.unit(7)).toBeUndefined()
    expect(catalogue.unit(8)).toBeUndefined()
    expect(catalogue.unitMissing(7) || catalogue.unitMissing(8)).toBe(false)
    await flushPromises()
    expect(catalogue.unit(7)?.name).toBe('邓埠街道办事处')
    expect(catalogue.unitMissing(8)).toBe(true)
    vi.unstubAllGlobals()
  })
})

// What a resident sees and does on a case (components/ResidentCase.vue, pages/resident/TrackPage.vue):
// the action chosen looks chosen and its send button names it; a rating must be chosen; a
// review's reason is optional, an escalation's is not, and escalating is confirmed first and
// then said in words naming the unit now in charge; a case that changed meanwhile is reloaded
// and said so; a declined case says why and what to do next; a finished case says why no clock
// runs; and the tracking page offers the cases submitted from this device.
import { enableAutoUnmount, flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Applied, ApiResult, CommandInput, ResidentCommand, Tracking } from '@/api'
import ResidentCase from '@/components/ResidentCase.vue'
import { i18n, setLanguage } from '@/i18n'
import TrackPage from '@/pages/resident/TrackPage.vue'
import { deviceCaseLimit, deviceCases, forgetCase, rememberCase } from '@/resident/device-cases'
import { forgetSubjects } from '@/resident/subject'

const tracking: Tracking = {
  number: '360603-2026-000384',
  kind: 'petition',
  category: 'urban.lighting',
  place: '360603001001',
  state: 'resolved',
  state_zh: '已办结',
  unit: '平定乡人民政府',
  deadline_at: null,
  reply: '已修复',
  rating: 'none',
  merged_into: '',
  handled_in: '360603-2026-000384',
  allowed_commands: ['follow_up', 'request_review', 'escalate'],
  timeline: [{ at: '2026-03-02T01:00:00Z', event: 'register', state: 'registered', state_zh: '已登记', note: '', note_en: null }],
}

const applied: ApiResult<Applied> = { ok: true, value: { number: tracking.number, state: 'x', state_zh: 'x', version: 2, deadline_at: null } }

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

/** The case with a send that records the commands (answering `answer`) and a reload that swaps in `next`. */
function mountCase(t: Tracking = tracking, answer: ApiResult<Applied> = applied, next?: Partial<Tracking>) {
  const sent: [ResidentCommand, CommandInput][] = []
  const send = vi.fn(async (command: ResidentCommand, input: CommandInput) => {
    sent.push([command, input])
    return answer
  })
  const reload = vi.fn(async () => {
    if (next) await w.setProps({ tracking: { ...t, ...next } })
  })
  const w: VueWrapper = mount(ResidentCase, { props: { tracking: t, send, reload }, global: { plugins: [i18n] }, attachTo: document.body })
  return { w, sent, reload }
}

const actionButton = (w: VueWrapper, text: string) => w.findAll('.track-actions button').find((b) => b.text() === text)!
const submit = async (w: VueWrapper) => {
  await w.get('form.track-action-form').trigger('submit')
  await flushPromises()
}
/** Vant's confirmation dialog (one, on the body, hidden between uses) when it is shown. */
function dialog(): HTMLElement | null {
  const d = document.querySelector<HTMLElement>('.van-dialog')
  return d && d.style.display !== 'none' ? d : null
}
async function answerDialog(button: 'confirm' | 'cancel') {
  await vi.waitFor(() => expect(dialog()?.querySelector(`.van-dialog__${button}`)).toBeTruthy())
  dialog()!.querySelector<HTMLElement>(`.van-dialog__${button}`)!.click()
  await flushPromises()
}

enableAutoUnmount(afterEach)

beforeEach(() => {
  setActivePinia(createPinia())
  localStorage.clear()
})
afterEach(() => {
  setLanguage('zh-CN')
  vi.unstubAllGlobals()
  forgetSubjects()
})

describe('what the case is about', () => {
  it('names its category and its place from the county down, in the language shown', async () => {
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      if (url.endsWith('/api/v1/categories')) {
        return json(200, { items: [{ code: 'urban.lighting', parent_code: 'urban', name_zh: '路灯照明', name_en: 'Street lighting', time_limit: { amount: 7, unit: 'calendar_days' }, routing_level: 'village', active: true }] })
      }
      if (url.endsWith('/api/v1/jurisdictions/360603001001')) {
        return json(200, {
          code: '360603001001', name: '站前社区', level: 'village', parent_code: '360603001', child_count: 0,
          ancestors: [{ code: '36', name: '江西省', level: 'province' }, { code: '3606', name: '鹰潭市', level: 'city' }, { code: '360603', name: '余江区', level: 'county' }, { code: '360603001', name: '邓埠街道', level: 'township' }],
        })
      }
      return json(404, { error: { code: 'not_found', message: 'no' } })
    }))
    const { w } = mountCase()
    await flushPromises()
    expect(w.get('[data-testid="case-category"]').text()).toContain('路灯照明')
    expect(w.get('[data-testid="case-place"]').text()).toContain('余江区邓埠街道站前社区')
    setLanguage('en')
    await flushPromises()
    expect(w.get('[data-testid="case-category"]').text()).toContain('Street lighting')
  })

  it('shows the codes when the names cannot be read', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(503, { error: { code: 'unavailable', message: '忙' } })))
    const { w } = mountCase()
    await flushPromises()
    expect(w.get('[data-testid="case-category"]').text()).toContain('urban.lighting')
    expect(w.get('[data-testid="case-place"]').text()).toContain('360603001001')
  })
})

describe('choosing an action', () => {
  it('marks the chosen action and names it on the send button', async () => {
    const { w } = mountCase()
    await actionButton(w, '申请复查').trigger('click')
    const review = actionButton(w, '申请复查')
    expect(review.attributes('aria-pressed')).toBe('true')
    expect(review.classes()).not.toContain('van-button--plain')
    expect(actionButton(w, '评价答复').classes()).toContain('van-button--plain')
    expect(actionButton(w, '评价答复').attributes('aria-pressed')).toBe('false')
    expect(w.get('[data-testid="send-action"]').text()).toBe('提交复查申请')
    await actionButton(w, '申请提级办理').trigger('click')
    expect(w.get('[data-testid="send-action"]').text()).toBe('提交提级申请')
    setLanguage('en')
    await flushPromises()
    expect(w.get('[data-testid="send-action"]').text()).toBe('Send the escalation request')
  })
})

describe('rating the answer', () => {
  it('requires a rating before sending, then thanks the resident', async () => {
    const { w, sent, reload } = mountCase(tracking, applied, { state: 'followed_up', rating: 'satisfied', allowed_commands: [] })
    await actionButton(w, '评价答复').trigger('click')
    await submit(w)
    expect(sent).toEqual([])
    expect(w.get('[data-testid="rating-error"]').text()).toBe('请选择“满意”“基本满意”或“不满意”')
    await w.findAll('.van-radio')[0].trigger('click')
    expect(w.find('[data-testid="rating-error"]').exists()).toBe(false)
    await submit(w)
    expect(sent).toEqual([['follow_up', { rating: 'satisfied', note: undefined }]])
    expect(reload).toHaveBeenCalledTimes(1)
    expect(w.get('[data-testid="case-notice"]').text()).toBe('感谢您的评价！评价已记录，此事项将按程序结案。')
  })

  it('says what happens after 不满意, and that more can be asked below when the server offers it', async () => {
    const { w } = mountCase(tracking, applied, { state: 'followed_up', rating: 'unsatisfied', allowed_commands: ['request_review'] })
    await actionButton(w, '评价答复').trigger('click')
    await w.findAll('.van-radio')[2].trigger('click')
    await submit(w)
    const notice = w.get('[data-testid="case-notice"]').text()
    expect(notice).toContain('您的“不满意”已记录')
    expect(notice).toContain('可以在下方继续申请')
  })
})

describe('asking for a review', () => {
  it('takes an optional reason and says why it helps', async () => {
    const { w, sent } = mountCase(tracking, applied, { state: 'under_review' })
    await actionButton(w, '申请复查').trigger('click')
    expect(w.find('.track-action-form .van-field__label--required').exists()).toBe(false)
    expect(w.get('.action-hint').text()).toContain('有助于复查机关有针对性地复查')
    await submit(w)
    expect(sent).toEqual([['request_review', { note: '' }]])
    expect(w.get('[data-testid="case-notice"]').text()).toContain('复查申请已提交')
  })

  it('refuses a reason over the limit, saying by how much, instead of cutting it', async () => {
    const { w, sent } = mountCase()
    await actionButton(w, '申请复查').trigger('click')
    await w.get('form.track-action-form textarea').setValue('长'.repeat(2003))
    expect((w.get('form.track-action-form textarea').element as HTMLTextAreaElement).value).toHaveLength(2003)
    expect(w.get('.text-count').text()).toBe('2003/2000')
    await submit(w)
    expect(sent).toEqual([])
    expect(w.get('.van-field__error-message').text()).toBe('最多 2000 字，已超出 3 字，请删减')
  })
})

describe('escalating', () => {
  it('needs a reason, asks for confirmation, and then names the unit now in charge', async () => {
    const { w, sent } = mountCase(tracking, applied, { unit: '余江区信访局' })
    await actionButton(w, '申请提级办理').trigger('click')
    expect(w.get('.action-hint').text()).toBe('申请提级后，将由上一级单位办理。')
    await submit(w)
    expect(w.get('.van-field__error-message').text()).toBe('请写明理由')
    expect(dialog()).toBeNull()
    await w.get('form.track-action-form textarea').setValue('超期一个月没有人处理')

    // Cancelled: nothing is sent and the form stays.
    await w.get('form.track-action-form').trigger('submit')
    await flushPromises()
    expect(dialog()?.textContent).toContain('申请提级后，此事项将由上一级单位办理')
    await answerDialog('cancel')
    expect(sent).toEqual([])
    expect(w.find('form.track-action-form').exists()).toBe(true)

    await w.get('form.track-action-form').trigger('submit')
    await flushPromises()
    await answerDialog('confirm')
    await flushPromises()
    expect(sent).toEqual([['escalate', { note: '超期一个月没有人处理' }]])
    expect(w.find('form.track-action-form').exists()).toBe(false)
    expect(w.get('[data-testid="case-notice"]').text()).toBe('已申请提级，此事项现由余江区信访局办理。请留意办理进度和答复，无需重复申请。')
  })
})

describe('a case that changed meanwhile', () => {
  it('is reloaded and said so in plain words, without the server\'s message', async () => {
    const conflict: ApiResult<Applied> = {
      ok: false,
      error: { code: 'failed_precondition', message: '案件已回访，不能回访；现在可以：request_review', status: 409 },
    }
    const { w, reload } = mountCase(tracking, conflict, { state: 'followed_up', rating: 'satisfied', allowed_commands: ['request_review'] })
    await actionButton(w, '评价答复').trigger('click')
    await w.findAll('.van-radio')[1].trigger('click')
    await submit(w)
    expect(reload).toHaveBeenCalledTimes(1)
    expect(w.get('[data-testid="case-notice"]').text()).toBe('该事项状态已更新，页面已刷新，请查看最新状态。')
    expect(w.text()).not.toContain('request_review')
    expect(w.find('form.track-action-form').exists()).toBe(false)
    expect(w.findAll('.track-actions button').map((b) => b.text())).toEqual(['申请复查'])
  })
})

describe('a case without a clock, and a declined one', () => {
  const deadline = (t: Tracking) => mountCase(t).w.get('[data-testid="case-deadline"] .countdown-text').text()

  it('says why no clock runs', () => {
    expect(deadline({ ...tracking, state: 'closed' })).toBe('已办结，不再计时')
    expect(deadline({ ...tracking, state: 'declined' })).toBe('不予受理，不计时')
    expect(deadline({ ...tracking, state: 'registered' })).toBe('暂不计时')
  })

  it('shows the reason beside the state and what the resident can do next', () => {
    const declined: Tracking = {
      ...tracking,
      state: 'declined',
      allowed_commands: [],
      timeline: [
        ...tracking.timeline,
        { at: '2026-03-03T01:00:00Z', event: 'decline', state: 'declined', state_zh: '不予受理', note: '反映的地点不在本区，请向所在地反映', note_en: null },
      ],
    }
    const { w } = mountCase(declined)
    const box = w.get('[data-testid="case-declined"]')
    expect(box.text()).toContain('不予受理的理由')
    expect(box.text()).toContain('反映的地点不在本区，请向所在地反映')
    expect(box.text()).toContain('12345')
    expect(box.get('a[href="tel:12345"]').text()).toBe('拨打 12345 热线')
    expect(mountCase(tracking).w.find('[data-testid="case-declined"]').exists()).toBe(false)
  })
})

describe('the cases submitted from this device', () => {
  const entry = (n: number) => ({
    number: `360603-2026-${String(n).padStart(6, '0')}`,
    tracking_code: `CODE-${n}`,
    category_zh: '路灯照明',
    category_en: 'Street lighting',
    submitted_at: '2026-03-02T01:00:00Z',
  })

  it('keeps the newest ten, once each, and nothing about the person', () => {
    for (let n = 1; n <= 12; n++) rememberCase(entry(n))
    rememberCase({ ...entry(12), name: '张三', contact: '13800138000' } as ReturnType<typeof entry>)
    const list = deviceCases()
    expect(list).toHaveLength(deviceCaseLimit)
    expect(list.map((c) => c.tracking_code).slice(0, 3)).toEqual(['CODE-12', 'CODE-11', 'CODE-10'])
    expect(localStorage.getItem('jiceng.submitted')).not.toContain('13800138000')
    expect(forgetCase(entry(11).number).map((c) => c.tracking_code).slice(0, 2)).toEqual(['CODE-12', 'CODE-10'])
    localStorage.setItem('jiceng.submitted', '{not json')
    expect(deviceCases()).toEqual([])
  })

  async function trackPage(path: string) {
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/track', component: TrackPage },
        { path: '/track/:code', component: TrackPage, props: true },
      ],
    })
    await router.push(path)
    const w = mount({ template: '<RouterView />' }, { global: { plugins: [i18n, router] }, attachTo: document.body })
    await flushPromises()
    return { w, router }
  }

  it('are offered on the tracking page without a code, said to be kept on this device only, and can be removed', async () => {
    rememberCase(entry(1))
    rememberCase(entry(2))
    const { w, router } = await trackPage('/track')
    const list = w.get('[data-testid="device-cases"]')
    expect(list.text()).toContain('本机提交的事项')
    expect(list.text()).toContain('仅保存在这部手机的浏览器中')
    expect(w.findAll('.device-case').map((c) => c.attributes('data-code'))).toEqual(['CODE-2', 'CODE-1'])
    expect(w.get('.device-case').text()).toContain('路灯照明')

    await w.get('.device-case .device-remove').trigger('click')
    await answerDialog('cancel')
    expect(w.findAll('.device-case')).toHaveLength(2)
    await w.get('.device-case .device-remove').trigger('click')
    await answerDialog('confirm')
    expect(w.findAll('.device-case').map((c) => c.attributes('data-code'))).toEqual(['CODE-1'])
    expect(deviceCases().map((c) => c.tracking_code)).toEqual(['CODE-1'])

    vi.stubGlobal('fetch', vi.fn(async () => json(200, tracking)))
    await w.get('.device-link').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/track/CODE-1')
    expect(w.find('[data-testid="device-cases"]').exists()).toBe(false)
  })

  it('looks a code up on Enter (the phone keyboard\'s Go key), not only on the button', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(200, tracking)))
    const { w, router } = await trackPage('/track')
    const input = w.get('.track-lookup input')
    await input.setValue('ABCD-EFGH-JKLM')
    await input.trigger('keypress', { key: 'Enter', keyCode: 13 })
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/track/ABCD-EFGH-JKLM')
  })

  it('keeps the case on the page while it is reloaded after a command, so that the page can say what happened', async () => {
    let reloaded = false
    vi.stubGlobal('fetch', vi.fn(async (_url: string, init?: RequestInit) => {
      if (init?.method === 'POST') {
        reloaded = true
        return json(409, { error: { code: 'failed_precondition', message: '案件已回访，不能回访', request_id: 'r' } })
      }
      return json(200, reloaded ? { ...tracking, state: 'followed_up', rating: 'satisfied', allowed_commands: [] } : tracking)
    }))
    const { w } = await trackPage('/track/ABCD-EFGH-JKMN')
    await actionButton(w, '评价答复').trigger('click')
    await w.findAll('.van-radio')[0].trigger('click')
    await w.get('form.track-action-form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="case-state"]').text()).toBe('已回访')
    expect(w.get('[data-testid="case-notice"]').text()).toContain('该事项状态已更新')
  })
})

// The signed-in resident's pieces: where sign-in leads (never off the portal), their own case
// shown as the tracking page shows a case, the commands offered and sent from it, and the
// workbench's sign-in asking for the second factor when the server answers totp_required.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { showConfirmDialog } from 'vant'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Applied, ApiResult, CaseFile, Tracking } from '@/api'
import ResidentCase from '@/components/ResidentCase.vue'
import { i18n, setLanguage } from '@/i18n'
import AccountPage from '@/pages/resident/AccountPage.vue'
import MyCasePage from '@/pages/resident/MyCasePage.vue'
import SignInPage from '@/pages/staff/SignInPage.vue'
import { handledElsewhere, trackingOf } from '@/resident/cases'
import { afterSignIn } from '@/resident/routes'

vi.mock('vant', async (original) => ({ ...(await original<typeof import('vant')>()), showConfirmDialog: vi.fn() }))

const file: CaseFile = {
  number: '360603-2026-000384',
  kind: 'demand',
  category: 'urban.lighting',
  place: '360603001001',
  address: '建设路 12 号',
  anonymous: false,
  name: '张三',
  contact: '13800138000',
  description: '路灯坏了',
  channel: 'web',
  state: 'resolved',
  state_zh: '已办结',
  version: 5,
  received_at: '2026-03-02T01:00:00Z',
  updated_at: '2026-03-03T02:00:00Z',
  clock: 'none',
  deadline_at: null,
  warn_at: null,
  deadline_provisional: false,
  warned: false,
  breached: false,
  extensions: 0,
  reply: '已修复',
  rating: 'none',
  merged_into: '',
  unit_id: 50,
  tracking_code: 'ABCD-EFGH-JKMN',
  allowed_commands: ['follow_up', 'escalate'],
  events: [
    { seq: 1, at: '2026-03-02T01:00:00Z', actor: '', actor_name: null, event: 'register', from: null, to: 'registered', note: '按规则分派', note_en: null, public: true, unit_id: null },
    { seq: 4, at: '2026-03-03T02:00:00Z', actor: '', actor_name: null, event: 'resolve', from: 'assigned', to: 'resolved', note: '已修复', note_en: null, public: true, unit_id: null },
  ],
}

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

beforeEach(() => {
  setActivePinia(createPinia())
  // Escalation is confirmed in a dialog: confirmed here (resident-case.test.ts checks the dialog).
  vi.mocked(showConfirmDialog).mockResolvedValue('confirm')
})
afterEach(() => {
  setLanguage('zh-CN')
  vi.unstubAllGlobals()
})

describe('afterSignIn', () => {
  const cases: [unknown, string][] = [
    ['/my/360603-2026-000384', '/my/360603-2026-000384'],
    ['/submit', '/submit'],
    [undefined, '/my'],
    [['/submit'], '/my'],
    ['https://evil.example/', '/my'],
    ['//evil.example/', '/my'],
    ['/staff/cases/1', '/my'],
    ['/account/sign-in', '/my'],
  ]
  for (const [redirect, want] of cases) {
    it(`${JSON.stringify(redirect)} → ${want}`, () => expect(afterSignIn(redirect)).toBe(want))
  }
})

describe('trackingOf', () => {
  it('shows the case file as the tracking page does, without the routing note of the registration', () => {
    const v = trackingOf(file, '邓埠街道办事处')
    expect(v).toMatchObject({ number: file.number, state: 'resolved', unit: '邓埠街道办事处', reply: '已修复', allowed_commands: ['follow_up', 'escalate'] })
    expect(v.timeline).toEqual([
      { at: '2026-03-02T01:00:00Z', event: 'register', state: 'registered', state_zh: 'registered', note: '', note_en: null },
      { at: '2026-03-03T02:00:00Z', event: 'resolve', state: 'resolved', state_zh: 'resolved', note: '已修复', note_en: null },
    ])
  })
})

describe('ResidentCase', () => {
  it('offers exactly the commands the server allows, sends the rating and reloads the case', async () => {
    const sent: unknown[] = []
    const send = vi.fn(async (command: string, input: unknown): Promise<ApiResult<Applied>> => {
      sent.push([command, input])
      return { ok: true, value: { number: file.number, state: 'followed_up', state_zh: '已回访', version: 6, deadline_at: null } }
    })
    const reload = vi.fn(async () => {})
    const w = mount(ResidentCase, { props: { tracking: trackingOf(file, '邓埠街道办事处'), send, reload }, global: { plugins: [i18n] } })
    const buttons = w.findAll('.track-actions button').map((b) => b.text())
    expect(buttons).toEqual(['评价答复', '申请提级办理'])
    expect(w.get('[data-testid="case-reply"]').text()).toBe('已修复')
    await w.findAll('.track-actions button')[0].trigger('click')
    await w.findAll('.van-radio')[0].trigger('click')
    await w.get('form.track-action-form').trigger('submit')
    await flushPromises()
    expect(sent).toEqual([['follow_up', { rating: 'satisfied', note: undefined }]])
    expect(reload).toHaveBeenCalledTimes(1)
    expect(w.find('form.track-action-form').exists()).toBe(false)
  })

  it('shows the server\'s refusal beside the form and keeps it open', async () => {
    const send = async (): Promise<ApiResult<Applied>> => ({
      ok: false,
      error: { code: 'invalid_argument', message: '理由（note）：含有不允许的控制字符', status: 400, field: 'note' },
    })
    const reload = vi.fn(async () => {})
    const w = mount(ResidentCase, { props: { tracking: trackingOf(file, ''), send, reload }, global: { plugins: [i18n] } })
    expect(w.text()).toContain('待分派')
    await w.findAll('.track-actions button')[1].trigger('click')
    await w.get('form.track-action-form textarea').setValue('一直没人处理')
    await w.get('form.track-action-form').trigger('submit')
    await flushPromises()
    expect(w.get('.van-field__error-message').text()).toBe('含有不允许的控制字符')
    expect(reload).not.toHaveBeenCalled()
  })

  it('sends a retry after a lost answer under the same idempotency key, and a new command under a new one', async () => {
    const keys: string[] = []
    const answers: ApiResult<Applied>[] = [
      { ok: false, error: { code: 'network', message: '网络异常', status: 0 } },
      { ok: true, value: { number: file.number, state: 'escalated', state_zh: '已提级', version: 6, deadline_at: null } },
      { ok: true, value: { number: file.number, state: 'escalated', state_zh: '已提级', version: 7, deadline_at: null } },
    ]
    const send = async (_command: string, _input: unknown, key: string): Promise<ApiResult<Applied>> => {
      keys.push(key)
      return answers.shift() as ApiResult<Applied>
    }
    const reload = vi.fn(async () => {})
    const w = mount(ResidentCase, { props: { tracking: trackingOf(file, ''), send, reload }, global: { plugins: [i18n] } })
    const escalate = async () => {
      await w.findAll('.track-actions button')[1].trigger('click')
      await w.get('form.track-action-form textarea').setValue('一直没人处理')
    }
    await escalate()
    await w.get('form.track-action-form').trigger('submit')
    await flushPromises()
    expect(w.text()).toContain('网络异常')
    await w.get('form.track-action-form').trigger('submit')
    await flushPromises()
    expect(reload).toHaveBeenCalledTimes(1)
    await escalate()
    await w.get('form.track-action-form').trigger('submit')
    await flushPromises()
    expect(keys).toHaveLength(3)
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/)
    expect(keys[1]).toBe(keys[0])
    expect(keys[2]).not.toBe(keys[0])
  })

  it('keeps the key after a proxy\'s 502 and an edited note, and reloads when the server says the first try was done', async () => {
    const keys: string[] = []
    const answers: ApiResult<Applied>[] = [
      { ok: false, error: { code: 'http_502', message: 'HTTP 502 Bad Gateway', status: 502 } },
      { ok: false, error: { code: 'unprocessable', message: '此请求标识已用于另一次请求，那次请求已经办理', status: 422 } },
      { ok: false, error: { code: 'invalid_argument', message: '必填', status: 400, field: 'note' } },
      { ok: false, error: { code: 'invalid_argument', message: '必填', status: 400, field: 'note' } },
    ]
    const send = async (_command: string, _input: unknown, key: string): Promise<ApiResult<Applied>> => {
      keys.push(key)
      return answers.shift() as ApiResult<Applied>
    }
    const reload = vi.fn(async () => {})
    const w = mount(ResidentCase, { props: { tracking: trackingOf(file, ''), send, reload }, global: { plugins: [i18n] } })
    await w.findAll('.track-actions button')[1].trigger('click')
    await w.get('form.track-action-form textarea').setValue('一直没人处理')
    await w.get('form.track-action-form').trigger('submit')
    await flushPromises()
    expect(reload).not.toHaveBeenCalled()
    // The resident edits the note and tries again: the same key, whose first try had gone through.
    await w.get('form.track-action-form textarea').setValue('一直没人处理，请尽快')
    await w.get('form.track-action-form').trigger('submit')
    await flushPromises()
    expect(keys[1]).toBe(keys[0])
    expect(reload).toHaveBeenCalledTimes(1)
    expect(w.find('form.track-action-form').exists()).toBe(false)
    // A refusal (400) is final: the next try has a new key, and so has the one after it.
    await w.findAll('.track-actions button')[1].trigger('click')
    await w.get('form.track-action-form textarea').setValue('还是没人处理')
    await w.get('form.track-action-form').trigger('submit')
    await flushPromises()
    await w.get('form.track-action-form').trigger('submit')
    await flushPromises()
    expect(keys).toHaveLength(4)
    expect(keys[2]).not.toBe(keys[0])
    expect(keys[3]).not.toBe(keys[2])
  })
})

describe('a provisional deadline', () => {
  const send = async (): Promise<ApiResult<Applied>> => ({ ok: false, error: { code: 'x', message: 'x', status: 500 } })
  const deadlineCell = (tracking: Tracking) =>
    mount(ResidentCase, { props: { tracking, send, reload: async () => {} }, global: { plugins: [i18n] } }).get('[data-testid="case-deadline"]')

  it('tells the resident that it may move, and says nothing otherwise', () => {
    const running = { ...trackingOf(file, ''), deadline_at: '2027-02-05T15:59:59Z' }
    expect(deadlineCell({ ...running, deadline_provisional: true }).text()).toContain('暂按周末计算')
    expect(deadlineCell({ ...running, deadline_provisional: false }).text()).not.toContain('暂按周末计算')
    expect(deadlineCell({ ...running, deadline_at: null, deadline_provisional: true }).text()).not.toContain('暂按周末计算')
  })

  it('is passed on from the resident\'s own case file', () => {
    expect(trackingOf({ ...file, deadline_provisional: true }, '').deadline_provisional).toBe(true)
  })
})

describe('a repeat merged into another case', () => {
  const send = async (): Promise<ApiResult<Applied>> => ({ ok: false, error: { code: 'network', message: '', status: 0 } })

  it('names the case that carries the matter, the end of the merge chain', () => {
    expect(handledElsewhere({ number: 'A', merged_into: 'B', handled_in: 'C' })).toBe('C')
    expect(handledElsewhere({ number: 'A', merged_into: '', handled_in: 'A' })).toBe('')
    // A case file has no handled_in: the case it was merged into.
    expect(handledElsewhere({ number: 'A', merged_into: 'B' })).toBe('B')
  })

  it('says so on the tracking page in Chinese and English, and says nothing for a case handled as itself', async () => {
    const tracking = { ...trackingOf(file, '邓埠街道办事处'), merged_into: '360603-2026-000100', handled_in: '360603-2026-000100' }
    const w = mount(ResidentCase, { props: { tracking, send, reload: async () => {} }, global: { plugins: [i18n] } })
    expect(w.get('[data-testid="case-handled-in"]').text()).toBe('此事项已并入 360603-2026-000100 号案件办理')
    setLanguage('en')
    await w.vm.$nextTick()
    expect(w.get('[data-testid="case-handled-in"]').text()).toBe('Merged into case 360603-2026-000100, which handles this matter')
    setLanguage('zh-CN')
    const itself = mount(ResidentCase, { props: { tracking: { ...tracking, merged_into: '', handled_in: file.number }, send, reload: async () => {} }, global: { plugins: [i18n] } })
    expect(itself.find('[data-testid="case-handled-in"]').exists()).toBe(false)
  })
})

describe('the workbench sign-in', () => {
  it('shows the code field when the server answers totp_required, and sends the code next', async () => {
    const bodies: unknown[] = []
    const fetch = vi.fn(async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)))
      return bodies.length === 1
        ? json(401, { error: { code: 'totp_required', message: '请输入身份验证器中的 6 位动态码', request_id: 'r', field: 'totp' } })
        : json(200, { user: { username: 'admin', display_name: '管理员', role: 'admin', role_zh: '管理员' }, csrf_token: 'c' })
    })
    vi.stubGlobal('fetch', fetch)
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/staff/sign-in', component: SignInPage },
        { path: '/staff', component: { template: '<p>queue</p>' } },
      ],
    })
    await router.push('/staff/sign-in')
    const w = mount(SignInPage, { global: { plugins: [i18n, router] }, attachTo: document.body })
    expect(w.find('input[name="totp"]').exists()).toBe(false)
    await w.get('input[name="username"]').setValue('admin')
    await w.get('input[name="password"]').setValue('correct horse battery staple')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.find('input[name="totp"]').exists()).toBe(true)
    expect(w.find('[role="alert"]').exists()).toBe(false)
    await w.get('input[name="totp"]').setValue('123456')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(bodies[1]).toEqual({ username: 'admin', password: 'correct horse battery staple', totp: '123456' })
    expect(router.currentRoute.value.path).toBe('/staff')
    w.unmount()
  })
})

describe('the resident\'s account page', () => {
  function router() {
    return createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/account/sign-up', name: 'account-sign-up', component: AccountPage, props: { mode: 'sign-up' } },
        { path: '/account/sign-in', name: 'account-sign-in', component: AccountPage, props: { mode: 'sign-in' } },
        { path: '/my', name: 'my-cases', component: { template: '<p>mine</p>' } },
        { path: '/submit', component: { template: '<p>submit</p>' } },
        { path: '/staff', component: { template: '<p>queue</p>' } },
      ],
    })
  }

  it('signs in on Enter in the password field (the phone keyboard\'s Go key)', async () => {
    const calls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      calls.push(url)
      return json(200, { user: { username: '13900000002', display_name: '', role: 'resident', role_zh: '群众' }, csrf_token: 'c' })
    }))
    const r = router()
    await r.push('/account/sign-in')
    const w = mount({ template: '<RouterView />' }, { global: { plugins: [i18n, r] } })
    await flushPromises()
    await w.get('input[name="username"]').setValue('13900000002')
    await w.get('input[name="password"]').setValue('spring rain over yingtan')
    await w.get('input[name="password"]').trigger('keypress', { key: 'Enter', keyCode: 13 })
    await flushPromises()
    expect(calls).toContain('/api/v1/session')
    expect(r.currentRoute.value.path).toBe('/my')
  })

  it('signs up, shows the policy\'s refusal beside the password, then signs in and goes back', async () => {
    const calls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body))
      calls.push(`${url} ${body.password}`)
      if (url === '/api/v1/residents' && body.password === '12345678') {
        return json(400, { error: { code: 'invalid_argument', message: '密码（password）：过于常见，请另选一个', request_id: 'r', field: 'password' } })
      }
      if (url === '/api/v1/residents') return json(201, { account: { id: 7, username: body.username, display_name: '', role: 'resident' } })
      return json(200, { user: { username: body.username, display_name: '', role: 'resident', role_zh: '群众' }, csrf_token: 'c' })
    }))
    const r = router()
    await r.push('/account/sign-up?redirect=/submit')
    const w = mount({ template: '<RouterView />' }, { global: { plugins: [i18n, r] } })
    await flushPromises()
    await w.get('input[name="username"]').setValue('13900000001')
    await w.get('input[name="password"]').setValue('12345678')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('.van-field__error-message').text()).toBe('过于常见，请另选一个')
    expect(r.currentRoute.value.path).toBe('/account/sign-up')
    await w.get('input[name="password"]').setValue('spring rain over yingtan')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls).toEqual(['/api/v1/residents 12345678', '/api/v1/residents spring rain over yingtan', '/api/v1/session spring rain over yingtan'])
    expect(r.currentRoute.value.path).toBe('/submit')
  })

  it('says a wrong password above the button, and forgets it on the way to sign up', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(401, { error: { code: 'unauthenticated', message: '用户名或密码错误', request_id: 'r' } })))
    const r = router()
    await r.push('/account/sign-in')
    const w = mount({ template: '<RouterView />' }, { global: { plugins: [i18n, r] } })
    await flushPromises()
    expect(w.find('input[name="display_name"]').exists()).toBe(false)
    await w.get('input[name="username"]').setValue('13900000001')
    await w.get('input[name="password"]').setValue('wrong password')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[role="alert"]').text()).toBe('用户名或密码错误')
    await r.push('/account/sign-up')
    await flushPromises()
    expect(w.find('input[name="display_name"]').exists()).toBe(true)
    expect(w.find('[role="alert"]').exists()).toBe(false)
    expect((w.get('input[name="username"]').element as HTMLInputElement).value).toBe('13900000001')
  })
})

describe('the resident\'s own case, merged into another', () => {
  it('shows where the matter stands, as its tracking page does, and acts through the own case', async () => {
    const merged: CaseFile = { ...file, state: 'merged', state_zh: '已并单', merged_into: '360603-2026-000100', reply: '', allowed_commands: [] }
    const carrier: Tracking = {
      number: file.number,
      kind: 'demand',
      category: 'urban.lighting',
      place: '360603001001',
      state: 'accepted',
      state_zh: '已受理',
      unit: '邓埠街道办事处',
      deadline_at: '2026-03-09T15:59:59Z',
      reply: '',
      rating: 'none',
      merged_into: '360603-2026-000100',
      handled_in: '360603-2026-000100',
      allowed_commands: ['escalate'],
      timeline: [],
    }
    const calls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
      calls.push(`${init?.method ?? 'GET'} ${url}`)
      if (url === `/api/v1/my/cases/${file.number}`) return json(200, merged)
      if (url === `/api/v1/track/${file.tracking_code}`) return json(200, carrier)
      return json(200, { number: '360603-2026-000100', state: 'escalated', state_zh: '已提级', version: 4, deadline_at: null })
    }))
    const r = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: '/my/:number', name: 'my-case', component: MyCasePage, props: true }],
    })
    await r.push(`/my/${file.number}`)
    const w = mount({ template: '<RouterView />' }, { global: { plugins: [i18n, r] } })
    await flushPromises()
    expect(w.get('[data-testid="case-state"]').text()).toContain('已受理')
    expect(w.get('[data-testid="case-handled-in"]').text()).toContain('360603-2026-000100')
    expect(w.get('[data-testid="case-description"]').text()).toBe('路灯坏了')
    const buttons = w.findAll('.track-actions button')
    expect(buttons.map((b) => b.text())).toEqual(['申请提级办理'])
    await buttons[0].trigger('click')
    await w.get('textarea').setValue('村里一直没处理')
    await w.get('form.track-action-form').trigger('submit')
    await flushPromises()
    expect(calls).toContain(`POST /api/v1/my/cases/${file.number}/commands/escalate`)
    expect(calls).not.toContain(`GET /api/v1/units/50`)
  })
})

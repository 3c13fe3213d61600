// The action bar on a case: exactly the commands the server allows, the inputs each command's
// guards need (read from the workflow table), If-Match on every command, and the messages for a
// stale version (412), a refused command (409) and a missing or rejected field.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CaseFile, Workflow } from '@/api'
import ActionBar from '@/components/staff/ActionBar.vue'
import { i18n, setLanguage } from '@/i18n'
import { commandBody, commandForm, emptyValues, missingFields } from '@/staff/commands'

// The parts of the demand workflow these tests use, as GET /api/v1/workflows/demand gives them.
const workflow: Workflow = {
  kind: 'demand',
  transitions: [
    { from: 'registered', command: 'accept', to: 'accepted', guards: [], clock: 'none', public: true },
    { from: 'registered', command: 'decline', to: 'declined', guards: ['reason'], clock: 'stop', public: true },
    { from: 'registered', command: 'transfer', to: 'registered', guards: ['unit', 'reason'], clock: 'acceptance', public: true },
    { from: 'registered', command: 'merge', to: 'merged', guards: ['target_case'], clock: 'stop', public: true },
    { from: 'accepted', command: 'assign', to: 'assigned', guards: ['unit'], clock: 'handling', public: true, takes_time_limit: true },
    { from: 'assigned', command: 'resolve', to: 'resolved', guards: ['reply'], clock: 'stop', public: true },
    { from: 'assigned', command: 'request_extension', to: 'extension_requested', guards: ['reason', 'first_extension'], clock: 'none', public: false },
    { from: 'extension_requested', command: 'approve_extension', to: 'in_progress', guards: [], clock: 'extend', public: true },
    { from: 'resolved', command: 'follow_up', to: 'followed_up', guards: ['rating'], clock: 'none', public: true },
    { from: 'followed_up', command: 'reopen', to: 'in_progress', guards: ['unsatisfied'], clock: 'handling', public: true },
    { from: 'assigned', command: 'escalate', to: 'assigned', guards: ['reason', 'higher_level'], clock: 'none', public: true },
  ],
}

type Bar = Pick<CaseFile, 'number' | 'kind' | 'category' | 'state' | 'version' | 'place' | 'allowed_commands' | 'extension_requested_days'>
const registered: Bar = {
  number: '360603-2026-000384',
  kind: 'demand',
  category: 'urban.lighting',
  state: 'registered',
  version: 3,
  place: '360603001001',
  allowed_commands: ['accept', 'decline', 'merge'],
}

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function show(caseFile: Bar) {
  return mount(ActionBar, { props: { caseFile, workflow }, global: { plugins: [i18n], stubs: { transition: false, 'transition-group': false } }, attachTo: document.body })
}

/** fetch answering the units list with one township and any command with `answer`; the calls. */
function stubUnitsAndCommand(answer: Response) {
  const calls: { url: string; init?: RequestInit }[] = []
  vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
    calls.push({ url, init })
    if (url.startsWith('/api/v1/units')) {
      return json(200, { items: [{ id: 50, name: '邓埠街道办事处', kind: 'township_government', kind_zh: '乡镇政府', department: null, jurisdiction_code: '360603001', level: 'township', active: true }] })
    }
    // The transfer's place select indexes the deployment's places (not needed here).
    if (!url.includes('/commands/')) return json(404, { error: { code: 'not_found', message: 'not here', request_id: 'r' } })
    return answer
  }))
  return calls
}

async function open(wrapper: ReturnType<typeof show>, command: string) {
  await wrapper.get(`[data-command="${command}"]`).trigger('click')
  await flushPromises()
}

const dialogFields = () => [...document.body.querySelectorAll<HTMLElement>('.command-form [data-field]')].map((e) => e.dataset.field)
const send = async () => {
  document.body.querySelector<HTMLButtonElement>('button.send')!.click()
  await flushPromises()
}
// Element Plus shows a field's error a moment after its state turns to error.
const errorOf = async (field: string) => {
  await new Promise((r) => setTimeout(r, 200))
  return document.body.querySelector(`[data-field="${field}"] .el-form-item__error`)?.textContent
}

beforeEach(() => {
  setActivePinia(createPinia())
  setLanguage('zh-CN')
})
afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('commandForm', () => {
  const cases: { state: string; command: string; fields: string[]; required: string[] }[] = [
    { state: 'registered', command: 'accept', fields: ['note'], required: [] },
    { state: 'registered', command: 'decline', fields: ['note'], required: ['note'] },
    { state: 'registered', command: 'transfer', fields: ['unit_id', 'note'], required: ['unit_id', 'note'] },
    { state: 'registered', command: 'merge', fields: ['target_case', 'note'], required: ['target_case'] },
    { state: 'accepted', command: 'assign', fields: ['unit_id', 'time_limit', 'note'], required: ['unit_id'] },
    { state: 'assigned', command: 'resolve', fields: ['reply', 'note'], required: ['reply'] },
    { state: 'assigned', command: 'request_extension', fields: ['note', 'extension_days'], required: ['note'] },
    { state: 'extension_requested', command: 'approve_extension', fields: ['extension_days', 'note'], required: ['extension_days'] },
    { state: 'resolved', command: 'follow_up', fields: ['rating', 'note'], required: ['rating'] },
    { state: 'followed_up', command: 'reopen', fields: ['note'], required: [] },
    { state: 'assigned', command: 'escalate', fields: ['note'], required: ['note'] },
  ]
  for (const c of cases) {
    it(`asks ${c.command} in ${c.state} for ${c.required.join(', ') || 'nothing'}`, () => {
      const form = commandForm(workflow, c.state, c.command)
      expect(form.fields).toEqual(c.fields)
      expect(form.required).toEqual(c.required)
    })
  }

  it('counts blank text as missing and sends only what is filled in, trimmed', () => {
    const form = commandForm(workflow, 'accepted', 'assign')
    const v = { ...emptyValues(), note: '  ', unit_id: null }
    expect(missingFields(form, v)).toEqual(['unit_id'])
    expect(commandBody(form, { ...v, unit_id: 50, note: ' 请核实 ', reply: 'not shown' })).toEqual({ unit_id: 50, note: '请核实' })
    // A time limit goes as {amount, unit}, only when an amount is given.
    expect(commandBody(form, { ...v, unit_id: 50, time_limit: 3, time_limit_unit: 'calendar_days' })).toEqual({
      unit_id: 50,
      time_limit: { amount: 3, unit: 'calendar_days' },
    })
  })
})

describe('ActionBar', () => {
  it('offers exactly the allowed commands, in the server\'s order', () => {
    const w = show(registered)
    expect(w.findAll('[data-command]').map((b) => b.attributes('data-command'))).toEqual(['accept', 'decline', 'merge'])
    expect(w.text()).toContain('受理')
    expect(w.text()).not.toContain('交办')
  })

  it('names the commands as actions, in English too', () => {
    setLanguage('en')
    const w = show(registered)
    expect(w.get('[data-command="accept"]').text()).toBe('Accept')
    expect(w.get('[data-command="decline"]').text()).toBe('Decline')
  })

  it('says so when nothing is allowed', () => {
    const w = show({ ...registered, allowed_commands: [] })
    expect(w.findAll('[data-command]')).toHaveLength(0)
    expect(w.text()).toContain('当前状态下您没有可办理的操作')
  })

  it('asks for the reason before declining, without sending anything', async () => {
    const fetch = vi.fn()
    vi.stubGlobal('fetch', fetch)
    const w = show(registered)
    await open(w, 'decline')
    expect(dialogFields()).toEqual(['note'])
    await send()
    expect(fetch).not.toHaveBeenCalled()
    expect(await errorOf('note')).toContain('请填写理由或说明')
  })

  it('loads the units of the case\'s place for assign and sends the chosen one with If-Match', async () => {
    const calls = stubUnitsAndCommand(json(200, { number: registered.number, state: 'assigned', state_zh: '已交办', version: 4, deadline_at: null }))
    const w = show({ ...registered, state: 'accepted', allowed_commands: ['assign'] })
    await open(w, 'assign')
    expect(dialogFields()).toEqual(['unit_id', 'time_limit', 'note'])
    expect(calls[0].url).toBe('/api/v1/units?place=360603001001&below=true&category=urban.lighting')
    const select = w.findComponent({ name: 'ElSelect' })
    select.vm.$emit('update:modelValue', 50)
    await flushPromises()
    await send()
    const sent = calls.find((c) => c.url.includes('/commands/'))
    expect(sent?.url).toBe('/api/v1/cases/360603-2026-000384/commands/assign')
    expect((sent?.init?.headers as Record<string, string>)['If-Match']).toBe('"3"')
    expect(JSON.parse(String(sent?.init?.body))).toEqual({ unit_id: 50 })
    expect(w.emitted('applied')?.[0]?.[1]).toBe('assign')
  })

  it('offers an approval the days the request asked for, which the unit head may lower', async () => {
    const calls = stubUnitsAndCommand(json(200, { number: registered.number, state: 'in_progress', state_zh: '办理中', version: 4, deadline_at: null }))
    const w = show({ ...registered, state: 'extension_requested', allowed_commands: ['approve_extension'], extension_requested_days: 20 })
    await open(w, 'approve_extension')
    const days = w.findComponent({ name: 'ElInputNumber' })
    expect(days.props('modelValue')).toBe(20)
    days.vm.$emit('update:modelValue', 12)
    await flushPromises()
    await send()
    const sent = calls.find((c) => c.url.includes('/commands/'))
    expect(JSON.parse(String(sent?.init?.body))).toEqual({ extension_days: 12 })
  })

  it('leaves an approval\'s days empty when the request named none', async () => {
    vi.stubGlobal('fetch', vi.fn())
    const w = show({ ...registered, state: 'extension_requested', allowed_commands: ['approve_extension'], extension_requested_days: null })
    await open(w, 'approve_extension')
    expect(w.findComponent({ name: 'ElInputNumber' }).props('modelValue')).toBeFalsy()
    await send()
    expect(await errorOf('extension_days')).toContain('延期天数')
  })

  it('sends a dispatch\'s time limit in working days and shows its refusal beside it', async () => {
    const calls = stubUnitsAndCommand(
      json(400, {
        error: { code: 'invalid_argument', message: '办理时限（time_limit）：9 个工作日至 2026-03-17 24:00，晚于规定的办理期限（2026-03-11 24:00）', request_id: 'r' },
      }),
    )
    const w = show({ ...registered, state: 'accepted', allowed_commands: ['assign'] })
    await open(w, 'assign')
    expect(document.body.querySelector('[data-field="time_limit"]')?.textContent).toContain('不得晚于规定的办理期限')
    w.findComponent({ name: 'ElSelect' }).vm.$emit('update:modelValue', 50)
    const amount = document.body.querySelector<HTMLInputElement>('#cmd-time_limit')!
    amount.value = '9'
    amount.dispatchEvent(new Event('input'))
    amount.dispatchEvent(new Event('change'))
    await flushPromises()
    await send()
    const sent = calls.find((c) => c.url.includes('/commands/'))
    expect(JSON.parse(String(sent?.init?.body))).toEqual({ unit_id: 50, time_limit: { amount: 9, unit: 'working_days' } })
    expect(await errorOf('time_limit')).toContain('晚于规定的办理期限')
    expect(w.emitted('applied')).toBeUndefined()
  })

  it('lists the units of another place for a transfer (转送) and sends the one chosen there', async () => {
    const calls = stubUnitsAndCommand(json(200, { number: registered.number, state: 'registered', state_zh: '已登记', version: 4, deadline_at: null }))
    const w = show({ ...registered, allowed_commands: ['transfer'] })
    await open(w, 'transfer')
    expect(document.body.querySelector('#cmd-transfer_place')).not.toBeNull()
    const unitLists = () => calls.map((c) => c.url).filter((u) => u.startsWith('/api/v1/units'))
    expect(unitLists()).toEqual(['/api/v1/units?place=360603001001&below=true&category=urban.lighting'])
    // The place select offers the whole deployment, not only the user's scope.
    expect(calls.some((c) => c.url === '/api/v1/deployment')).toBe(true)
    w.findComponent({ name: 'PlaceSelect' }).vm.$emit('update:modelValue', '360681001')
    await flushPromises()
    expect(unitLists()).toEqual(['/api/v1/units?place=360603001001&below=true&category=urban.lighting', '/api/v1/units?place=360681001&below=true&category=urban.lighting'])
    const unitSelect = w.findAllComponents({ name: 'ElSelect' }).find((c) => c.find('#cmd-unit_id').exists())
    unitSelect!.vm.$emit('update:modelValue', 50)
    const note = document.body.querySelector<HTMLTextAreaElement>('#cmd-note')!
    note.value = '属贵溪市花园街道管辖，转送'
    note.dispatchEvent(new Event('input'))
    await flushPromises()
    await send()
    const sent = calls.find((c) => c.url.includes('/commands/'))
    expect(sent?.url).toBe('/api/v1/cases/360603-2026-000384/commands/transfer')
    expect(JSON.parse(String(sent?.init?.body))).toEqual({ unit_id: 50, note: '属贵溪市花园街道管辖，转送' })
    // Opened again, it starts from the case's own place.
    await open(w, 'transfer')
    expect(unitLists().at(-1)).toBe('/api/v1/units?place=360603001001&below=true&category=urban.lighting')
  })

  it('lists the units again for another case on the same page (another category)', async () => {
    const calls = stubUnitsAndCommand(json(200, {}))
    const w = show({ ...registered, state: 'accepted', allowed_commands: ['assign'] })
    await open(w, 'assign')
    document.body.querySelector<HTMLButtonElement>('.el-dialog .el-dialog__headerbtn')!.click()
    await flushPromises()
    await w.setProps({ caseFile: { ...registered, number: '360603-2026-000385', category: 'env.air', state: 'accepted', allowed_commands: ['assign'] } })
    await open(w, 'assign')
    expect(calls.map((c) => c.url)).toEqual([
      '/api/v1/units?place=360603001001&below=true&category=urban.lighting',
      '/api/v1/units?place=360603001001&below=true&category=env.air',
    ])
  })

  it('shows the conflict on 412, keeps what was typed and sends nothing more', async () => {
    const fetch = vi.fn(async () =>
      json(412, { error: { code: 'precondition_failed', message: 'the case is at version 4, not 3: reload it and try again', request_id: 'r' } }),
    )
    vi.stubGlobal('fetch', fetch)
    const w = show(registered)
    await open(w, 'decline')
    const note = document.body.querySelector<HTMLTextAreaElement>('#cmd-note')!
    note.value = '重复来电'
    note.dispatchEvent(new Event('input'))
    await flushPromises()
    await send()
    expect(document.body.querySelector('.conflict')?.textContent).toContain('有人在您打开之后修改了这个案件')
    expect(note.value).toBe('重复来电')
    expect(document.body.querySelector<HTMLButtonElement>('button.send')!.disabled).toBe(true)
    await send()
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(w.emitted('applied')).toBeUndefined()
    document.body.querySelector<HTMLButtonElement>('button.reload')!.click()
    await flushPromises()
    expect(w.emitted('reload')).toHaveLength(1)
  })

  it('explains a refused command (409) with the commands allowed now', async () => {
    vi.stubGlobal('fetch', vi.fn(async () =>
      json(409, { error: { code: 'failed_precondition', message: '该案件当前状态不能办理此操作', request_id: 'r' } }),
    ))
    const w = show(registered)
    await open(w, 'accept')
    await send()
    const refused = document.body.querySelector('.refused')?.textContent ?? ''
    expect(refused).toContain('该案件当前状态不能办理此操作')
    expect(refused).toContain('当前可办理的操作：受理、不予受理、并单')
  })

  it('lists what the server says could succeed after a refusal, not the page\'s older list', async () => {
    vi.stubGlobal('fetch', vi.fn(async () =>
      json(409, { error: { code: 'failed_precondition', message: '案件已受理，不能受理', request_id: 'r', allowed: ['assign', 'transfer'] } }),
    ))
    const w = show(registered)
    await open(w, 'accept')
    await send()
    expect(document.body.querySelector('.refused')?.textContent).toContain('当前可办理的操作：交办、转送')
  })

  it('puts the server\'s input error beside the field it names', async () => {
    vi.stubGlobal('fetch', vi.fn(async () =>
      json(400, { error: { code: 'invalid_argument', message: 'target_case: no open case has this number', request_id: 'r' } }),
    ))
    const w = show(registered)
    await open(w, 'merge')
    const input = document.body.querySelector<HTMLInputElement>('#cmd-target_case')!
    input.value = '360603-2026-999999'
    input.dispatchEvent(new Event('input'))
    await flushPromises()
    await send()
    expect(await errorOf('target_case')).toContain('no open case has this number')
  })
})

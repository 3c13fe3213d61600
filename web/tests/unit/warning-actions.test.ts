// The commands on a warning: only those the role and status allow, a note asked before handling
// or dismissing, If-Match with the warning's version, and a stale version (412) handed to the
// page to reload.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import WarningActions from '@/components/warnings/WarningActions.vue'
import { i18n, setLanguage } from '@/i18n'
import { useSession } from '@/stores/session'

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function show(role: string, status: 'new' | 'acknowledged' | 'handled' = 'new') {
  useSession().user = { username: 'u', display_name: 'U', role, role_zh: '', unit_id: 7 }
  return mount(WarningActions, {
    props: { warning: { id: 42, status, version: 3 } },
    global: { plugins: [i18n], stubs: { transition: false, 'transition-group': false } },
    attachTo: document.body,
  })
}

const commands = (w: ReturnType<typeof show>) => w.findAll('[data-warning-command]').map((b) => b.attributes('data-warning-command'))
const send = async () => {
  document.body.querySelector<HTMLButtonElement>('button.send')!.click()
  await flushPromises()
}

beforeEach(() => {
  setActivePinia(createPinia())
  setLanguage('zh-CN')
})
afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('WarningActions', () => {
  it('offers what the role and status allow', () => {
    expect(commands(show('handler'))).toEqual(['acknowledge', 'handle', 'dismiss'])
    expect(commands(show('leader', 'acknowledged'))).toEqual(['handle', 'dismiss'])
    expect(commands(show('handler', 'handled'))).toEqual([])
    expect(commands(show('operator'))).toEqual([])
  })

  it('asks for the reason before dismissing, and sends nothing without it', async () => {
    const fetch = vi.fn()
    vi.stubGlobal('fetch', fetch)
    const w = show('handler')
    await w.get('[data-warning-command="dismiss"]').trigger('click')
    await flushPromises()
    await send()
    await new Promise((r) => setTimeout(r, 200))
    expect(document.body.querySelector('.el-form-item__error')?.textContent).toContain('排除理由')
    expect(fetch).not.toHaveBeenCalled()
  })

  it('handles with the note and the version in If-Match', async () => {
    const fetch = vi.fn(async () => json(200, { id: 42, status: 'handled', version: 4 }))
    vi.stubGlobal('fetch', fetch)
    const w = show('unit_head', 'acknowledged')
    await w.get('[data-warning-command="handle"]').trigger('click')
    await flushPromises()
    const note = document.body.querySelector<HTMLTextAreaElement>('#warning-note')!
    note.value = '  已到村召开座谈会 '
    note.dispatchEvent(new Event('input'))
    await send()
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/warnings/42/handle')
    expect((init.headers as Record<string, string>)['If-Match']).toBe('"3"')
    expect(JSON.parse(String(init.body))).toEqual({ note: '已到村召开座谈会' })
    expect(w.emitted('applied')?.[0]?.[0]).toMatchObject({ status: 'handled', version: 4 })
  })

  it('hands a stale version (412) to the page and closes the form', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(412, { error: { code: 'precondition_failed', message: 'stale' } })))
    const w = show('handler')
    await w.get('[data-warning-command="acknowledge"]').trigger('click')
    await flushPromises()
    await send()
    expect(w.emitted('stale')).toHaveLength(1)
    expect(w.emitted('applied')).toBeUndefined()
  })

  it('shows another refusal in the form', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(409, { error: { code: 'failed_precondition', message: '预警当前状态为已处置，不能执行此操作' } })))
    const w = show('handler')
    await w.get('[data-warning-command="acknowledge"]').trigger('click')
    await flushPromises()
    await send()
    expect(document.body.querySelector('.el-alert')?.textContent).toContain('不能执行此操作')
    expect(w.emitted('stale')).toBeUndefined()
  })
})

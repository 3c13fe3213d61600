// The administrators' catalogue pages: the tree, the forms as new records and as patches of only
// what changed, the rule filter, the unit kinds a place can hold, one Idempotency-Key per
// creation, the requests' If-Match, and the category page's answer to a stale version (412): the
// conflict notice in the user's language, the tree read again, the latest version in the form.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { catalogueApi, setApiLanguage, type AdminCategory, type RoutingRule } from '@/api'
import {
  CreationKey, categoryForm, categoryPatch, categoryTree, editsCatalogue, filterRules, newCategory, newRule, newUnit, noRuleFilter,
  parseKeywords, placeCovers, refusal, ruleForm, rulePatch, unitKindsFor,
} from '@/catalogue/admin'
import CategoryAdmin from '@/components/catalogue/CategoryAdmin.vue'
import { i18n, setLanguage } from '@/i18n'
import { adminOnly, casework } from '@/staff/routes'
import { useSession } from '@/stores/session'
import { useStaffCatalogue } from '@/stores/staffCatalogue'

const env: AdminCategory = {
  code: 'env', parent_code: null, name_zh: '环境保护', name_en: 'Environment', time_limit: { amount: 15, unit: 'working_days' },
  routing_level: 'township', active: true, sort_order: 1, version: 1,
}
const noise: AdminCategory = {
  code: 'env.noise', parent_code: 'env', name_zh: '噪声扰民', name_en: 'Noise', time_limit: { amount: 5, unit: 'working_days' },
  routing_level: 'township', active: true, sort_order: 0, version: 4,
}
const light: AdminCategory = {
  code: 'urban.light', parent_code: 'urban', name_zh: '路灯', name_en: 'Street lights', time_limit: { amount: 72, unit: 'hours' },
  routing_level: 'village', active: false, sort_order: 0, version: 2,
}

const rule = (r: Partial<RoutingRule>): RoutingRule => ({
  id: 1, kind: null, category_code: null, place_code: null, keywords: [], level: 'township', department: null, priority: 0, version: 1, ...r,
})

describe('who edits the catalogue', () => {
  it('is the administrator only', () => {
    expect(editsCatalogue('admin')).toBe(true)
    for (const role of ['operator', 'handler', 'leader', 'auditor', 'resident', undefined]) expect(editsCatalogue(role)).toBe(false)
  })
})

describe('the workbench\'s guards', () => {
  const signedInAs = (role: string) => {
    setActivePinia(createPinia())
    useSession().user = { username: 'u', display_name: '', role, role_zh: '' }
  }

  it('let only administrators into the catalogue, and send them there instead of the case list', () => {
    signedInAs('admin')
    expect(adminOnly()).toBe(true)
    expect(casework()).toEqual({ name: 'staff-catalogue' })
    for (const role of ['operator', 'handler', 'leader']) {
      signedInAs(role)
      expect(adminOnly()).toEqual({ name: 'staff-queue' })
      expect(casework()).toBe(true)
    }
  })
})

describe('categoryTree', () => {
  it('puts children under their parent and keeps an orphan at the top', () => {
    const tree = categoryTree([env, noise, light])
    expect(tree.map((r) => r.code)).toEqual(['env', 'urban.light'])
    expect(tree[0].children?.map((r) => r.code)).toEqual(['env.noise'])
    expect(tree[1].children).toBeUndefined()
  })
})

describe('category forms', () => {
  it('starts a subcategory from its parent\'s time limit and level, under the parent\'s code', () => {
    const f = categoryForm(undefined, env)
    expect(f).toMatchObject({ code: 'env.', parent_code: 'env', amount: 15, unit: 'working_days', routing_level: 'township', active: true })
    expect(newCategory({ ...f, code: ' env.dust ', name_zh: ' 扬尘 ', name_en: 'Dust' })).toEqual({
      code: 'env.dust', parent_code: 'env', name_zh: '扬尘', name_en: 'Dust', time_limit: { amount: 15, unit: 'working_days' },
      routing_level: 'township', sort_order: 0,
    })
    expect(newCategory({ ...categoryForm(), code: 'top' }).parent_code).toBeNull()
  })

  it('patches only what changed, the time limit whole', () => {
    expect(categoryPatch(noise, categoryForm(noise))).toEqual({})
    expect(categoryPatch(noise, { ...categoryForm(noise), name_zh: '噪声' })).toEqual({ name_zh: '噪声' })
    expect(categoryPatch(noise, { ...categoryForm(noise), unit: 'calendar_days' })).toEqual({ time_limit: { amount: 5, unit: 'calendar_days' } })
    expect(categoryPatch(noise, { ...categoryForm(noise), active: false, routing_level: 'county' })).toEqual({ active: false, routing_level: 'county' })
  })
})

describe('routing rule forms', () => {
  it('reads keywords separated by commas, 、, semicolons or spaces, without repeats', () => {
    expect(parseKeywords(' 噪音，广场舞、夜间; 噪音 ,音响；')).toEqual(['噪音', '广场舞', '夜间', '音响'])
    expect(parseKeywords('   ')).toEqual([])
  })

  it('sends "any" as null and a department only with the county level', () => {
    const f = { ...ruleForm(), keywords: '欠薪、工资', level: 'county' as const, department: ' 人社局 ' }
    expect(newRule(f)).toEqual({ kind: null, category_code: null, place_code: null, keywords: ['欠薪', '工资'], level: 'county', department: '人社局', priority: 0 })
    expect(newRule({ ...f, level: 'township' }).department).toBeNull()
  })

  it('patches only what changed, null setting a field back to any', () => {
    const before = rule({ kind: 'demand', category_code: 'env.noise', place_code: '360603', keywords: ['噪音'], version: 3 })
    expect(rulePatch(before, ruleForm(before))).toEqual({})
    expect(rulePatch(before, { ...ruleForm(before), kind: '', place_code: '' })).toEqual({ kind: null, place_code: null })
    expect(rulePatch(before, { ...ruleForm(before), keywords: '噪音、夜间' })).toEqual({ keywords: ['噪音', '夜间'] })
  })
})

describe('filterRules', () => {
  const rules = [
    rule({ id: 1 }),
    rule({ id: 2, kind: 'petition', category_code: 'env' }),
    rule({ id: 3, kind: 'demand', category_code: 'env.noise', place_code: '360603001', keywords: ['广场舞'] }),
    rule({ id: 4, category_code: 'urban.light', place_code: '360602', level: 'county', department: '城管局' }),
  ]
  const ids = (f: Partial<typeof noRuleFilter>) => filterRules(rules, { ...noRuleFilter, ...f }, [env, noise, light]).map((r) => r.id)

  it('lists the rules that apply to a case of the chosen kind, category and place, "any" ones too', () => {
    expect(ids({})).toEqual([1, 2, 3, 4])
    expect(ids({ category: 'env.noise' })).toEqual([1, 2, 3])
    expect(ids({ category: 'env' })).toEqual([1, 2])
    expect(ids({ kind: 'demand' })).toEqual([1, 3, 4])
    expect(ids({ place: '360603001001' })).toEqual([1, 2, 3])
    expect(ids({ place: '360603' })).toEqual([1, 2])
  })

  it('matches the level, and part of a keyword or the department', () => {
    expect(ids({ level: 'county' })).toEqual([4])
    expect(ids({ text: '广场' })).toEqual([3])
    expect(ids({ text: '城管' })).toEqual([4])
  })

  it('treats a division as covering the divisions whose codes it starts', () => {
    expect(placeCovers('3606', '360603001001')).toBe(true)
    expect(placeCovers('360603001', '360603002001')).toBe(false)
    expect(placeCovers(null, '36')).toBe(true)
  })
})

describe('units', () => {
  it('offers the kinds the division\'s level can hold', () => {
    expect(unitKindsFor('village')).toEqual(['village_committee'])
    expect(unitKindsFor('township')).toEqual(['township_government'])
    expect(unitKindsFor('county')).toEqual(['county_department', 'petition_bureau', 'hotline_center'])
    expect(unitKindsFor('city')).toEqual(['petition_bureau', 'hotline_center'])
    expect(unitKindsFor(undefined)).toEqual([])
  })

  it('sends a department only for a county department', () => {
    const f = { name: ' 余江区人社局 ', kind: 'county_department' as const, department: '人社局', jurisdiction_code: '360603', active: true }
    expect(newUnit(f)).toEqual({ name: '余江区人社局', kind: 'county_department', department: '人社局', jurisdiction_code: '360603' })
    expect(newUnit({ ...f, kind: 'petition_bureau' }).department).toBeNull()
  })
})

describe('CreationKey', () => {
  it('keeps the key while the outcome is unknown and takes a new one after an answer', () => {
    let n = 0
    const key = new CreationKey(() => `k${++n}`)
    expect(key.next()).toBe('k1')
    key.settle({ ok: false, error: { code: 'network', message: '', status: 0 } })
    expect(key.next()).toBe('k1')
    key.settle({ ok: false, error: { code: 'internal', message: '', status: 502 } })
    expect(key.next()).toBe('k1')
    key.settle({ ok: false, error: { code: 'invalid_argument', message: '', status: 400 } })
    expect(key.next()).toBe('k2')
    key.settle({ ok: true, value: {} })
    expect(key.next()).toBe('k3')
    key.reset()
    expect(key.next()).toBe('k4')
  })

  it('reads a refusal: 412 stale, 422 on a key already used done, the rest a problem', () => {
    expect(refusal({ code: 'precondition_failed', message: '', status: 412 })).toBe('stale')
    expect(refusal({ code: 'unprocessable', message: '', status: 422 })).toBe('done')
    expect(refusal({ code: 'permission_denied', message: '', status: 403 })).toBe('problem')
  })
})

// ---- Requests

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } })
}

interface Sent {
  method: string
  url: string
  headers: Record<string, string>
  body: unknown
}

function server(answer: (s: Sent) => Response) {
  const sent: Sent[] = []
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit) => {
    const s = { method: init.method ?? 'GET', url, headers: init.headers as Record<string, string>, body: init.body ? JSON.parse(init.body as string) : undefined }
    sent.push(s)
    return answer(s)
  }))
  return sent
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
  setApiLanguage('zh-CN')
})

describe('catalogueApi', () => {
  it('sends the version as If-Match on edits and deletions, and the key on creations', async () => {
    const sent = server((s) => (s.method === 'DELETE' ? json(204, null) : json(200, {})))
    await catalogueApi.updateCategory('env.noise', { name_zh: '噪声' }, 4)
    await catalogueApi.deleteRule(7, 2)
    await catalogueApi.createRule(newRule(ruleForm()), 'key-1')
    await catalogueApi.updateUnit(12, { active: false }, 9)
    expect(sent.map((s) => [s.method, s.url, s.headers['If-Match'], s.headers['Idempotency-Key']])).toEqual([
      ['PATCH', '/api/v1/categories/env.noise', '"4"', undefined],
      ['DELETE', '/api/v1/routing-rules/7', '"2"', undefined],
      ['POST', '/api/v1/routing-rules', undefined, 'key-1'],
      ['PATCH', '/api/v1/units/12', '"9"', undefined],
    ])
    expect(sent[0].body).toEqual({ name_zh: '噪声' })
  })
})

// Mounting Element Plus's table and dialog takes seconds on a busy machine.
describe('CategoryAdmin', { timeout: 30_000 }, () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    setLanguage('zh-CN')
  })

  function page() {
    return mount(CategoryAdmin, { props: { narrow: false }, global: { plugins: [i18n], stubs: { transition: false } }, attachTo: document.body })
  }
  const dialog = () => document.body.querySelector<HTMLElement>('.category-dialog')!
  const fill = async (id: string, value: string) => {
    const input = document.body.querySelector<HTMLInputElement>(`#${id}`)!
    input.value = value
    input.dispatchEvent(new Event('input'))
    await flushPromises()
  }
  const save = async () => {
    dialog().querySelector<HTMLButtonElement>('button.send')!.click()
    await flushPromises()
  }

  it('shows the tree, retired categories marked, and hands the list to the workbench', async () => {
    server(() => json(200, { items: [env, noise, light] }))
    const w = page()
    await flushPromises()
    const text = w.get('.category-table').text()
    expect(text).toContain('环境保护')
    expect(text).toContain('噪声扰民')
    expect(text).toContain('72 小时')
    expect(text).toContain('已停用')
    expect(useStaffCatalogue().categories.map((c) => c.code)).toEqual(['env', 'env.noise', 'urban.light'])
  })

  it('on a stale version says someone else changed it, reads the tree again and offers the latest', async () => {
    const changed = { ...noise, name_zh: '噪声污染', version: 5 }
    let reads = 0
    const sent = server((s) => {
      if (s.method === 'GET') return json(200, { items: [env, reads++ === 0 ? noise : changed] })
      return json(412, { error: { code: 'precondition_failed', message: '该分类已被修改', request_id: 'r1' } })
    })
    const w = page()
    await flushPromises()
    await w.get('[data-edit="env.noise"]').trigger('click')
    await flushPromises()
    await fill('cat-name_zh', '夜间噪声')
    await save()
    const patch = sent.find((s) => s.method === 'PATCH')!
    expect(patch.headers['If-Match']).toBe('"4"')
    expect(patch.body).toEqual({ name_zh: '夜间噪声' })
    expect(dialog().querySelector('.conflict')?.textContent).toContain('在您打开之后，有人修改了这条记录')
    expect(reads).toBe(2)
    dialog().querySelector<HTMLButtonElement>('button.reload')!.click()
    await flushPromises()
    expect(document.body.querySelector<HTMLInputElement>('#cat-name_zh')!.value).toBe('噪声污染')
    expect(dialog().querySelector('.conflict')).toBeNull()
  })

  it('says it in English too, and shows other refusals in the server\'s words', async () => {
    setLanguage('en')
    server((s) => {
      if (s.method === 'GET') return json(200, { items: [env] })
      return json(400, { error: { code: 'invalid_argument', message: 'code: already taken', request_id: 'r2' } })
    })
    const w = page()
    await flushPromises()
    await w.get('.add-category').trigger('click')
    await flushPromises()
    await fill('cat-code', 'env')
    await fill('cat-name_zh', '环境')
    await fill('cat-name_en', 'Environment')
    await save()
    expect(dialog().querySelector('.problem')?.textContent).toContain('code: already taken')
    setLanguage('zh-CN')
  })

  it('creates a category with one Idempotency-Key, the same again after a lost answer', async () => {
    const answers = [json(502, {}), json(201, { ...noise, code: 'env.dust' })]
    const sent = server((s) => (s.method === 'GET' ? json(200, { items: [env] }) : answers.shift()!))
    const w = page()
    await flushPromises()
    await w.get('[data-add-child="env"]').trigger('click')
    await flushPromises()
    expect(document.body.querySelector<HTMLInputElement>('#cat-code')!.value).toBe('env.')
    await fill('cat-code', 'env.dust')
    await fill('cat-name_zh', '扬尘')
    await fill('cat-name_en', 'Dust')
    await save()
    await save()
    const posts = sent.filter((s) => s.method === 'POST')
    expect(posts).toHaveLength(2)
    expect(posts[0].headers['Idempotency-Key']).toBeTruthy()
    expect(posts[1].headers['Idempotency-Key']).toBe(posts[0].headers['Idempotency-Key'])
    expect(posts[0].body).toMatchObject({ code: 'env.dust', parent_code: 'env', name_zh: '扬尘', time_limit: { amount: 15, unit: 'working_days' } })
  })
})

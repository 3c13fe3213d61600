// The place picker: drilling down the deployment's tree as the API gives it, choosing a village or
// a whole township, and finding places by name or pinyin initials ("yt" finds 鹰潭市).
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import PlacePicker from '@/components/PlacePicker.vue'
import { i18n } from '@/i18n'

const node = (code: string, name: string, level: string, parent_code: string | null) => ({ code, name, level, parent_code })
const root = node('3606', '鹰潭市', 'city', '36')
const counties = [node('360602', '月湖区', 'county', '3606'), node('360603', '余江区', 'county', '3606'), node('360681', '贵溪市', 'county', '3606')]
const townships = [node('360603100', '平定乡', 'township', '360603'), node('360603101', '洪湖乡', 'township', '360603')]
const villages = [node('360603100001', '平定村委会', 'village', '360603100'), node('360603100002', '蓝田村委会', 'village', '360603100')]
const tree: Record<string, unknown[]> = { '3606': counties, '360603': townships, '360603100': villages, '360603101': [] }

let calls: string[] = []

beforeEach(() => {
  calls = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      calls.push(url)
      const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
      if (url === '/api/v1/deployment') return json({ root: { ...root, ancestors: [], child_count: 3 } })
      const children = /^\/api\/v1\/jurisdictions\/(\d+)\/children$/.exec(url)
      if (children) return json({ items: tree[children[1]] ?? [] })
      if (url === '/api/v1/jurisdictions/3606/descendants') return json({ items: [...counties, ...townships, ...villages] })
      return json({ error: { code: 'not_found', message: '没有此资源', request_id: 'x' } }, 404)
    }),
  )
})

afterEach(() => vi.unstubAllGlobals())

async function picker() {
  const w = mount(PlacePicker, { global: { plugins: [i18n] } })
  await flushPromises()
  return w
}

const rows = (w: Awaited<ReturnType<typeof picker>>, cls: string) => w.findAll(cls).map((r) => r.find('.van-cell__title > span').text())

async function click(w: Awaited<ReturnType<typeof picker>>, cls: string, title: string) {
  const row = w.findAll(cls).find((r) => r.find('.van-cell__title > span').text().startsWith(title))
  if (!row) throw new Error(`no row ${title} in ${rows(w, cls).join(', ')}`)
  await row.trigger('click')
  await flushPromises()
}

describe('PlacePicker', () => {
  it('starts at the deployment root with its counties', async () => {
    const w = await picker()
    expect(rows(w, '.place-child')).toEqual(['月湖区', '余江区', '贵溪市'])
    expect(w.find('.trail-step').text()).toBe('鹰潭市')
    // A city is too large for one case: there is no "choose here" at the root.
    expect(w.find('.picker-here').exists()).toBe(false)
  })

  it('drills down to a village and chooses it with its path', async () => {
    const w = await picker()
    await click(w, '.place-child', '余江区')
    expect(rows(w, '.place-child')).toEqual(['平定乡', '洪湖乡'])
    await click(w, '.place-child', '平定乡')
    expect(rows(w, '.place-child')).toEqual(['平定村委会', '蓝田村委会'])
    expect(w.findAll('.trail-step').map((s) => s.text())).toEqual(['鹰潭市', '余江区', '平定乡'])
    await click(w, '.place-child', '蓝田村委会')
    expect(w.emitted('select')).toEqual([[{ code: '360603100002', name: '蓝田村委会', path: '鹰潭市 / 余江区 / 平定乡 / 蓝田村委会' }]])
  })

  it('chooses a whole township, and goes back up by the trail', async () => {
    const w = await picker()
    await click(w, '.place-child', '余江区')
    await click(w, '.place-child', '洪湖乡')
    expect(w.text()).toContain('没有下级区划')
    await w.find('.picker-here button').trigger('click')
    expect(w.emitted('select')?.[0]).toEqual([{ code: '360603101', name: '洪湖乡', path: '鹰潭市 / 余江区 / 洪湖乡' }])
    await w.findAll('.trail-step')[0].trigger('click')
    await flushPromises()
    expect(rows(w, '.place-child')).toEqual(['月湖区', '余江区', '贵溪市'])
  })

  it('finds places by pinyin initials, loading the deployment once', async () => {
    const w = await picker()
    await w.find('input').setValue('yt')
    await flushPromises()
    expect(rows(w, '.place-result')[0]).toBe('鹰潭市')
    await w.find('input').setValue('yj')
    await flushPromises()
    expect(rows(w, '.place-result')).toEqual(['余江区'])
    await w.find('input').setValue('yujiang')
    await flushPromises()
    expect(rows(w, '.place-result')).toEqual(['余江区'])
    expect(calls.filter((c) => c.endsWith('/descendants'))).toHaveLength(1)
  })

  it('finds places by Chinese name; a village found is chosen at once', async () => {
    const w = await picker()
    await w.find('input').setValue('蓝田')
    await flushPromises()
    expect(rows(w, '.place-result')).toEqual(['蓝田村委会'])
    expect(w.find('.place-result .van-cell__label').text()).toBe('鹰潭市 / 余江区 / 平定乡 / 蓝田村委会')
    await click(w, '.place-result', '蓝田村委会')
    expect(w.emitted('select')?.[0]).toEqual([{ code: '360603100002', name: '蓝田村委会', path: '鹰潭市 / 余江区 / 平定乡 / 蓝田村委会' }])
  })

  it('drills to a township found by search', async () => {
    const w = await picker()
    await w.find('input').setValue('pdx')
    await flushPromises()
    await click(w, '.place-result', '平定乡')
    expect(w.findAll('.trail-step').map((s) => s.text())).toEqual(['鹰潭市', '余江区', '平定乡'])
    expect(rows(w, '.place-child')).toEqual(['平定村委会', '蓝田村委会'])
  })

  it('says when nothing matches, and shows API errors', async () => {
    const w = await picker()
    await w.find('input').setValue('zzz')
    await flushPromises()
    expect(w.text()).toContain('没有找到符合的地点')
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('offline'))))
    await w.find('input').setValue('')
    await w.findAll('.trail-step')[0].trigger('click')
    await flushPromises()
    expect(w.find('[role="alert"]').text()).toContain('无法连接服务')
  })
})

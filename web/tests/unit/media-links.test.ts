// A submitter's photo links (media_url) are links only when they are web addresses, open in a
// new window without the opener or the referrer, and say which site they lead to.
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import MediaLinks from '@/components/MediaLinks.vue'
import { i18n, setLanguage } from '@/i18n'

const render = (urls: string[], own = false) => mount(MediaLinks, { props: { urls, own }, global: { plugins: [i18n] } })

describe('MediaLinks', () => {
  it('links web addresses safely and names their site', () => {
    setLanguage('zh-CN')
    const w = render(['https://img.example.cn/a.jpg?w=800', 'http://10.0.0.8:8080/b.png'])
    const links = w.findAll('a[data-testid="media-link"]')
    expect(links).toHaveLength(2)
    expect(links[0]!.attributes('href')).toBe('https://img.example.cn/a.jpg?w=800')
    expect(links[0]!.attributes('target')).toBe('_blank')
    expect(links[0]!.attributes('rel')).toBe('noopener noreferrer nofollow')
    expect(links[0]!.text()).toContain('图片或附件 1')
    expect(links[0]!.text()).toContain('img.example.cn')
    expect(links[1]!.text()).toContain('10.0.0.8:8080')
    expect(w.text()).toContain('指向其他网站')
  })

  it('shows anything else as text, never as a link', () => {
    setLanguage('en')
    const w = render(['javascript:alert(1)', 'not a url'])
    expect(w.findAll('a')).toHaveLength(0)
    expect(w.text()).toContain('javascript:alert(1)')
    expect(w.text()).toContain('another site')
  })

  it('tells the submitter the links are the ones they gave', () => {
    setLanguage('en')
    const w = render(['https://img.example.cn/a.jpg'], true)
    expect(w.text()).toContain('Links you gave')
    expect(w.find('a').text()).toBe('Photo or file 1 (img.example.cn)')
    setLanguage('zh-CN')
  })
})

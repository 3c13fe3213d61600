import { describe, expect, it } from 'vitest'
import { i18n, setLanguage } from '@/i18n'
import { deadlineLabel } from '@/staff/deadlineLabel'

describe('deadlineLabel', () => {
  const t = (key: string) => i18n.global.t(key)

  it('names the clock the deadline belongs to', () => {
    setLanguage('zh-CN')
    expect(deadlineLabel(t, 'acceptance', 'staff.caseFile.deadline')).toBe('受理期限')
    expect(deadlineLabel(t, 'handling', 'staff.register.deadline')).toBe('办理期限')
    expect(deadlineLabel(t, 'review_reply', 'staff.caseFile.deadline')).toBe('复查答复期限')
    setLanguage('en')
    expect(deadlineLabel(t, 'acceptance', 'staff.caseFile.deadline')).toBe('Acceptance deadline')
  })

  it('falls back to the page\'s own label without a running clock', () => {
    setLanguage('zh-CN')
    expect(deadlineLabel(t, 'none', 'staff.caseFile.deadline')).toBe('办理时限')
    expect(deadlineLabel(t, undefined, 'staff.register.deadline')).toBe('受理时限')
  })
})

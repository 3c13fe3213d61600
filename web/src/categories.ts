// The categories a case can be filed under (the leaves of the catalogue), each with the text a
// search matches: its Chinese and English names, its code and the pinyin initials of its Chinese
// name ("ld" finds 路灯). Shared by the resident's and the staff's category pickers.
import { pinyin } from 'pinyin-pro'
import type { Category } from '@/api'

export interface CategoryLeaf {
  category: Category
  parent: Category | undefined
  haystack: string
}

/** The active leaf categories of all, in catalogue order. */
export function categoryLeaves(all: Category[]): CategoryLeaf[] {
  const byCode = new Map(all.map((c) => [c.code, c]))
  const parents = new Set(all.map((c) => c.parent_code).filter(Boolean))
  return all
    .filter((c) => c.active && !parents.has(c.code))
    .map((c) => {
      const initials = pinyin(c.name_zh, { pattern: 'first', toneType: 'none', type: 'array' }).join('')
      return {
        category: c,
        parent: c.parent_code ? byCode.get(c.parent_code) : undefined,
        haystack: [c.name_zh, c.name_en, c.code, initials].join(' ').toLowerCase(),
      }
    })
}

/** The leaves whose names, code or pinyin initials contain query; all of them for a blank one. */
export function searchCategories(leaves: CategoryLeaf[], query: string): CategoryLeaf[] {
  const q = query.trim().toLowerCase()
  return q ? leaves.filter((l) => l.haystack.includes(q)) : leaves
}

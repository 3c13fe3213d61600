// Drilling down the dashboard's areas: the breadcrumb runs from the user's scope to the area
// shown (never above the scope), villages have nothing below them, and the address's area is
// asked for as typed (the server judges it).
import { describe, expect, it } from 'vitest'
import type { JurisdictionDetail } from '@/api'
import { areaFrom, breadcrumb, drillable, withinScope } from '@/dashboard/drill'

const village: JurisdictionDetail = {
  code: '360603001001',
  name: '站前社区居民委员会',
  level: 'village',
  parent_code: '360603001',
  child_count: 0,
  ancestors: [
    { code: '36', name: '江西省', level: 'province' },
    { code: '3606', name: '鹰潭市', level: 'city' },
    { code: '360603', name: '余江区', level: 'county' },
    { code: '360603001', name: '邓埠街道', level: 'township' },
  ],
}

describe('breadcrumb', () => {
  it('runs from the scope down to the area', () => {
    expect(breadcrumb(village, '360603')).toEqual([
      { code: '360603', name: '余江区' },
      { code: '360603001', name: '邓埠街道' },
      { code: '360603001001', name: '站前社区居民委员会' },
    ])
  })
  it('is the area alone when the area is the scope', () => {
    const township = { ...village, code: '360603001', name: '邓埠街道', level: 'township' as const, ancestors: village.ancestors.slice(0, 3) }
    expect(breadcrumb(township, '360603001')).toEqual([{ code: '360603001', name: '邓埠街道' }])
  })
  it('makes do with the area the figures name when its ancestors are unknown', () => {
    expect(breadcrumb({ code: '360603', name: '余江区', level: 'county' }, '3606')).toEqual([{ code: '360603', name: '余江区' }])
  })
})

describe('withinScope and drillable', () => {
  it('nests division codes by prefix', () => {
    expect(withinScope('360603001', '360603')).toBe(true)
    expect(withinScope('360602001', '360603')).toBe(false)
  })
  it('stops at villages', () => {
    expect(drillable('county')).toBe(true)
    expect(drillable('township')).toBe(true)
    expect(drillable('village')).toBe(false)
  })
})

describe('areaFrom', () => {
  it('defaults to the scope', () => {
    expect(areaFrom(undefined, '360603')).toBe('360603')
    expect(areaFrom('', '360603')).toBe('360603')
    expect(areaFrom(['360603001'], '360603')).toBe('360603')
  })
  it('asks for the area typed, even outside the scope: the server answers "not found"', () => {
    expect(areaFrom('360603001', '360603')).toBe('360603001')
    expect(areaFrom('3601', '360603')).toBe('3601')
  })
})

// Finding a place of the deployment by name or by pinyin ("yt" or "yingtan" finds 鹰潭市): the
// deployment's few hundred places are indexed once on the client, with their pinyin from
// pinyin-pro, so every keystroke answers at once without a round trip.
import { pinyin } from 'pinyin-pro'
import type { Jurisdiction } from '@/api'

export interface Place {
  node: Jurisdiction
  /** The nodes from the deployment's root down to this one. */
  trail: Jurisdiction[]
  initials: string
  spelled: string
}

export interface PlaceIndex {
  places: Place[]
  byCode: Map<string, Place>
}

function romanize(name: string): { initials: string; spelled: string } {
  const syllables = pinyin(name, { toneType: 'none', type: 'array' })
  return {
    initials: syllables.map((s) => s.charAt(0)).join('').toLowerCase(),
    spelled: syllables.join('').toLowerCase(),
  }
}

/** Indexes root and its descendants (parents before children, as the API orders them). */
export function buildPlaceIndex(root: Jurisdiction, descendants: Jurisdiction[]): PlaceIndex {
  const byCode = new Map<string, Place>()
  const places: Place[] = []
  for (const node of [root, ...descendants]) {
    const parent = node.parent_code ? byCode.get(node.parent_code) : undefined
    const place: Place = { node, trail: [...(parent?.trail ?? []), node], ...romanize(node.name) }
    byCode.set(node.code, place)
    places.push(place)
  }
  return { places, byCode }
}

const levelRank: Record<string, number> = { province: 0, city: 1, county: 2, township: 3, village: 4 }

/**
 * The places whose name contains query, or whose pinyin initials or spelling (without tones or
 * spaces) starts or contains it; those that start with it first, then higher levels first.
 */
export function searchPlaces(index: PlaceIndex, query: string, limit = 30): Place[] {
  const q = query.trim().toLowerCase().replace(/\s+/g, '')
  if (!q) return []
  const latin = /^[a-z]+$/.test(q)
  const scored: { place: Place; score: number }[] = []
  for (const place of index.places) {
    let score = -1
    if (latin) {
      if (place.initials.startsWith(q) || place.spelled.startsWith(q)) score = 0
      else if (place.initials.includes(q) || place.spelled.includes(q)) score = 1
    } else if (place.node.name.startsWith(q)) {
      score = 0
    } else if (place.node.name.includes(q)) {
      score = 1
    }
    if (score >= 0) scored.push({ place, score: score * 10 + (levelRank[place.node.level] ?? 5) })
  }
  scored.sort((a, b) => a.score - b.score || a.place.node.code.localeCompare(b.place.node.code))
  return scored.slice(0, limit).map((s) => s.place)
}

// What a case is about, in words, for a resident who follows several: its category and its
// place by name ("道路维修", "余江区邓埠街道站前社区"), where the tracking answer gives their codes.
// The catalogue is read once per page load and each place once; a lookup that fails leaves the
// code to show.
import { api, type Category } from '@/api'

let catalogue: Promise<Category[]> | null = null
const places = new Map<string, Promise<string | null>>()

/** The category with this code, or null when it cannot be read. */
export async function categoryOf(code: string): Promise<Category | null> {
  catalogue ??= api.categories().then((r) => {
    if (!r.ok) catalogue = null // try again next time
    return r.ok && Array.isArray(r.value?.items) ? r.value.items : []
  })
  return (await catalogue).find((c) => c.code === code) ?? null
}

/** The place's name from its county down ("余江区邓埠街道站前社区"), or null when it cannot be read. */
export function placeNameOf(code: string): Promise<string | null> {
  let found = places.get(code)
  if (!found) {
    found = api.jurisdiction(code).then((r) => {
      if (!r.ok) {
        places.delete(code)
        return null
      }
      // An answer of another shape (a proxy's, an older server's) names nothing.
      const { ancestors, name } = r.value ?? {}
      if (!Array.isArray(ancestors) || typeof name !== 'string') return null
      const below = ancestors.filter((a) => a.level === 'county' || a.level === 'township')
      return [...below.map((a) => a.name), name].join('')
    })
    places.set(code, found)
  }
  return found
}

/** Forgets what was read (for tests). */
export function forgetSubjects(): void {
  catalogue = null
  places.clear()
}

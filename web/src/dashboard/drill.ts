// Drilling down the areas of the dashboard: from the user's scope (the default area) down to a
// township and its villages, with a breadcrumb back up that never rises above the scope.
import type { JurisdictionDetail, Level, StatArea } from '@/api'

export interface Crumb {
  code: string
  name: string
}

/** Whether code is scope or lies under it (division codes nest by prefix). */
export function withinScope(code: string, scope: string): boolean {
  return code.startsWith(scope)
}

/**
 * The breadcrumb to area: its ancestors from the scope down (those above the scope are not the
 * user's to open), then the area itself.
 */
export function breadcrumb(area: JurisdictionDetail | StatArea, scope: string): Crumb[] {
  const above = 'ancestors' in area ? area.ancestors : []
  return [...above.filter((a) => withinScope(a.code, scope)), area].map(({ code, name }) => ({ code, name }))
}

/** Whether an area of this level has sub-areas to drill into (villages are the last level). */
export function drillable(level: Level): boolean {
  return level !== 'village'
}

/**
 * The area the address asks for, or the scope when it asks for none. An area outside the scope
 * or not a division code at all is asked for all the same: the server answers "not found" or
 * says what is wrong, and the page shows it.
 */
export function areaFrom(query: unknown, scope: string): string {
  return typeof query === 'string' && query !== '' ? query : scope
}

// The administrators' edits of the catalogue (src/http/api_catalogue_admin.cc) and the reads
// they start from (src/http/api_catalogue.cc): categories (retired, never deleted), routing
// rules and units. Every record carries its version: an edit sends it back in If-Match (the
// server answers 412 when someone changed the record since, 428 without it), and every creation
// sends an Idempotency-Key so that a retry after a lost answer cannot create it twice.
import type { ApiResult } from './http'
import type { Category, Level } from './index'
import { signedIn, type Unit } from './staff'

export type PeriodUnit = 'hours' | 'calendar_days' | 'working_days'
export type RoutingLevel = Extract<Level, 'county' | 'township' | 'village'>
export type UnitKind = 'village_committee' | 'township_government' | 'county_department' | 'petition_bureau' | 'hotline_center'

/** A category as GET /api/v1/categories gives it, retired ones (active false) included. */
export interface AdminCategory extends Category {
  time_limit: { amount: number; unit: PeriodUnit }
  routing_level: RoutingLevel
  sort_order: number
  version: number
}

export interface NewCategory {
  code: string
  parent_code: string | null
  name_zh: string
  name_en: string
  time_limit: { amount: number; unit: PeriodUnit }
  routing_level: RoutingLevel
  sort_order?: number
  active?: boolean
}

export type CategoryPatch = Partial<Omit<NewCategory, 'code' | 'parent_code'>>

/** A rule of the dispatch catalogue (派单目录); null is "any" kind, category or place, and no department. */
export interface RoutingRule {
  id: number
  kind: 'demand' | 'petition' | null
  category_code: string | null
  place_code: string | null
  keywords: string[]
  level: RoutingLevel
  /** The county department the case goes to (county level only), e.g. 人社局. */
  department: string | null
  priority: number
  version: number
}

export type NewRoutingRule = Omit<RoutingRule, 'id' | 'version'>
export type RoutingRulePatch = Partial<NewRoutingRule>

export interface AdminUnit extends Unit {
  kind: UnitKind
  version: number
}

export interface NewUnit {
  name: string
  kind: UnitKind
  department: string | null
  jurisdiction_code: string
  active?: boolean
}

export type UnitPatch = Partial<NewUnit>

const enc = encodeURIComponent
const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` })
const once = (key: string) => ({ 'Idempotency-Key': key })

export const catalogueApi = {
  categories: () => signedIn<{ items: AdminCategory[] }>('/api/v1/categories'),
  createCategory: (c: NewCategory, idempotencyKey: string) =>
    signedIn<AdminCategory>('/api/v1/categories', { method: 'POST', body: c, headers: once(idempotencyKey) }),
  updateCategory: (code: string, patch: CategoryPatch, version: number) =>
    signedIn<AdminCategory>(`/api/v1/categories/${enc(code)}`, { method: 'PATCH', body: patch, headers: ifMatch(version) }),

  rules: () => signedIn<{ items: RoutingRule[] }>('/api/v1/routing-rules'),
  createRule: (r: NewRoutingRule, idempotencyKey: string) =>
    signedIn<RoutingRule>('/api/v1/routing-rules', { method: 'POST', body: r, headers: once(idempotencyKey) }),
  updateRule: (id: number, patch: RoutingRulePatch, version: number) =>
    signedIn<RoutingRule>(`/api/v1/routing-rules/${id}`, { method: 'PATCH', body: patch, headers: ifMatch(version) }),
  deleteRule: (id: number, version: number) =>
    signedIn<void>(`/api/v1/routing-rules/${id}`, { method: 'DELETE', headers: ifMatch(version) }),

  /** The units on a place and on the places above it, from the top down, retired ones too. */
  units: (place: string) => signedIn<{ items: AdminUnit[] }>(`/api/v1/units?place=${enc(place)}&include_retired=true`),
  createUnit: (u: NewUnit, idempotencyKey: string) =>
    signedIn<AdminUnit>('/api/v1/units', { method: 'POST', body: u, headers: once(idempotencyKey) }),
  updateUnit: (id: number, patch: UnitPatch, version: number) =>
    signedIn<AdminUnit>(`/api/v1/units/${id}`, { method: 'PATCH', body: patch, headers: ifMatch(version) }),
} satisfies Record<string, (...args: never[]) => Promise<ApiResult<unknown>>>

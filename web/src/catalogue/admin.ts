// What the administrators' catalogue pages decide before and after talking to the server: who
// sees them, the category tree as rows, the forms' values as a new record or as a patch of only
// what changed, the routing rules a filter keeps, the unit kinds a place can hold, one
// Idempotency-Key per creation, and what a refused edit means for the page.
import type {
  AdminCategory, AdminUnit, ApiError, ApiResult, CategoryPatch, Level, NewCategory, NewRoutingRule, NewUnit, PeriodUnit,
  RoutingLevel, RoutingRule, RoutingRulePatch, UnitKind, UnitPatch,
} from '@/api'
import { keyAlreadyUsed, mayHaveBeenDone } from '@/api'

/** Only administrators edit the catalogue (the server answers everyone else 403). */
export function editsCatalogue(role: string | undefined): boolean {
  return role === 'admin'
}

/** The catalogue page's tabs, each at /staff/catalogue/{section}. */
export const catalogueSections = ['categories', 'rules', 'units'] as const
export type CatalogueSection = (typeof catalogueSections)[number]

export const routingLevels: RoutingLevel[] = ['village', 'township', 'county']
export const periodUnits: PeriodUnit[] = ['working_days', 'calendar_days', 'hours']

// ---- Categories

export interface CategoryRow extends AdminCategory {
  children?: CategoryRow[]
}

/**
 * The categories as a tree for a table, in the server's order (parents first, then sort order):
 * each parent with its children; a category whose parent is missing stays at the top.
 */
export function categoryTree(all: AdminCategory[]): CategoryRow[] {
  const rows = new Map<string, CategoryRow>(all.map((c) => [c.code, { ...c }]))
  const top: CategoryRow[] = []
  for (const c of all) {
    const row = rows.get(c.code)!
    const parent = c.parent_code ? rows.get(c.parent_code) : undefined
    if (parent) (parent.children ??= []).push(row)
    else top.push(row)
  }
  return top
}

/** The categories in tree order, each with its depth (0 at the top), for a select. */
export function categoryOptions(all: AdminCategory[]): { category: AdminCategory; depth: number }[] {
  const out: { category: AdminCategory; depth: number }[] = []
  const walk = (rows: CategoryRow[], depth: number) => {
    for (const r of rows) {
      out.push({ category: all.find((c) => c.code === r.code)!, depth })
      if (r.children) walk(r.children, depth + 1)
    }
  }
  walk(categoryTree(all), 0)
  return out
}

/** The code a new category under parent would likely take: the parent's code and a dot. */
export function childCodePrefix(parent: string | null): string {
  return parent ? `${parent}.` : ''
}

export interface CategoryForm {
  code: string
  parent_code: string
  name_zh: string
  name_en: string
  amount: number
  unit: PeriodUnit
  routing_level: RoutingLevel
  sort_order: number
  active: boolean
}

export function categoryForm(c?: AdminCategory, parent?: AdminCategory): CategoryForm {
  if (c) {
    return {
      code: c.code, parent_code: c.parent_code ?? '', name_zh: c.name_zh, name_en: c.name_en,
      amount: c.time_limit.amount, unit: c.time_limit.unit, routing_level: c.routing_level,
      sort_order: c.sort_order, active: c.active,
    }
  }
  // A child starts from its parent's time limit and level, the usual case.
  return {
    code: childCodePrefix(parent?.code ?? null), parent_code: parent?.code ?? '', name_zh: '', name_en: '',
    amount: parent?.time_limit.amount ?? 15, unit: parent?.time_limit.unit ?? 'working_days',
    routing_level: parent?.routing_level ?? 'township', sort_order: 0, active: true,
  }
}

export function newCategory(f: CategoryForm): NewCategory {
  return {
    code: f.code.trim(),
    parent_code: f.parent_code || null,
    name_zh: f.name_zh.trim(),
    name_en: f.name_en.trim(),
    time_limit: { amount: f.amount, unit: f.unit },
    routing_level: f.routing_level,
    sort_order: f.sort_order,
  }
}

/** Only the fields the form changed: an edit must not overwrite what it did not touch. */
export function categoryPatch(before: AdminCategory, f: CategoryForm): CategoryPatch {
  const p: CategoryPatch = {}
  if (f.name_zh.trim() !== before.name_zh) p.name_zh = f.name_zh.trim()
  if (f.name_en.trim() !== before.name_en) p.name_en = f.name_en.trim()
  if (f.amount !== before.time_limit.amount || f.unit !== before.time_limit.unit) p.time_limit = { amount: f.amount, unit: f.unit }
  if (f.routing_level !== before.routing_level) p.routing_level = f.routing_level
  if (f.sort_order !== before.sort_order) p.sort_order = f.sort_order
  if (f.active !== before.active) p.active = f.active
  return p
}

// ---- Routing rules

/** Keywords as typed: separated by commas (half or full width), 、, ；or spaces; no repeats. */
export function parseKeywords(text: string): string[] {
  const out: string[] = []
  for (const k of text.split(/[\s,，、;；]+/)) {
    if (k && !out.includes(k)) out.push(k)
  }
  return out
}

export interface RuleForm {
  kind: '' | 'demand' | 'petition'
  category_code: string
  place_code: string
  keywords: string
  level: RoutingLevel
  department: string
  priority: number
}

export function ruleForm(r?: RoutingRule): RuleForm {
  return {
    kind: r?.kind ?? '',
    category_code: r?.category_code ?? '',
    place_code: r?.place_code ?? '',
    keywords: (r?.keywords ?? []).join('、'),
    level: r?.level ?? 'township',
    department: r?.department ?? '',
    priority: r?.priority ?? 0,
  }
}

/** The rule the form describes; a department only goes with the county level. */
export function newRule(f: RuleForm): NewRoutingRule {
  return {
    kind: f.kind || null,
    category_code: f.category_code || null,
    place_code: f.place_code || null,
    keywords: parseKeywords(f.keywords),
    level: f.level,
    department: f.level === 'county' && f.department.trim() ? f.department.trim() : null,
    priority: f.priority,
  }
}

export function rulePatch(before: RoutingRule, f: RuleForm): RoutingRulePatch {
  const after = newRule(f)
  const p: RoutingRulePatch = {}
  if (after.kind !== before.kind) p.kind = after.kind
  if (after.category_code !== before.category_code) p.category_code = after.category_code
  if (after.place_code !== before.place_code) p.place_code = after.place_code
  if (after.keywords.join('\n') !== before.keywords.join('\n')) p.keywords = after.keywords
  if (after.level !== before.level) p.level = after.level
  if (after.department !== before.department) p.department = after.department
  if (after.priority !== before.priority) p.priority = after.priority
  return p
}

export interface RuleFilter {
  kind: '' | 'demand' | 'petition'
  /** A category: the rules for it, for a category above it (they cover it) and for any category. */
  category: string
  /** A place: the rules for it, for a place above it and for anywhere. */
  place: string
  level: '' | RoutingLevel
  /** Part of a keyword or of the department. */
  text: string
}

export const noRuleFilter: RuleFilter = { kind: '', category: '', place: '', level: '', text: '' }

/** Whether a rule's category covers the chosen one: the same, one above it, or any (null). */
function categoryCovers(ruleCode: string | null, chosen: string, byCode: Map<string, AdminCategory>): boolean {
  if (!chosen || ruleCode === null) return true
  for (let c: string | undefined = chosen; c; c = byCode.get(c)?.parent_code ?? undefined) {
    if (c === ruleCode) return true
  }
  return false
}

/** The rules that would apply to a case of the filter's kind, category and place, and match the rest. */
export function filterRules(rules: RoutingRule[], f: RuleFilter, categories: AdminCategory[]): RoutingRule[] {
  const byCode = new Map(categories.map((c) => [c.code, c]))
  const text = f.text.trim().toLowerCase()
  return rules.filter(
    (r) =>
      (!f.kind || r.kind === null || r.kind === f.kind) &&
      categoryCovers(r.category_code, f.category, byCode) &&
      placeCovers(r.place_code, f.place) &&
      (!f.level || r.level === f.level) &&
      (!text || r.keywords.some((k) => k.toLowerCase().includes(text)) || !!r.department?.toLowerCase().includes(text)),
  )
}

/**
 * Whether a rule's place covers the chosen place: anywhere (null), the same node or one above it.
 * Division codes grow by level (36, 3606, 360603, 360603001, 360603001001): a node's code is a
 * prefix of the codes below it.
 */
export function placeCovers(ruleCode: string | null, chosen: string): boolean {
  return !chosen || ruleCode === null || chosen.startsWith(ruleCode)
}

// ---- Units

/** The kinds of unit a place of level can hold (the server checks the same, src/domain/catalogue.cc). */
export function unitKindsFor(level: Level | undefined): UnitKind[] {
  switch (level) {
    case 'village':
      return ['village_committee']
    case 'township':
      return ['township_government']
    case 'county':
      return ['county_department', 'petition_bureau', 'hotline_center']
    case 'city':
    case 'province':
      return ['petition_bureau', 'hotline_center']
    default:
      return []
  }
}

export interface UnitForm {
  name: string
  kind: UnitKind | ''
  department: string
  jurisdiction_code: string
  active: boolean
}

export function unitForm(u?: AdminUnit, place = ''): UnitForm {
  return {
    name: u?.name ?? '',
    kind: u?.kind ?? '',
    department: u?.department ?? '',
    jurisdiction_code: u?.jurisdiction_code ?? place,
    active: u?.active ?? true,
  }
}

/** The unit the form describes; a department only goes with a county department. */
export function newUnit(f: UnitForm): NewUnit {
  return {
    name: f.name.trim(),
    kind: f.kind as UnitKind,
    department: f.kind === 'county_department' && f.department.trim() ? f.department.trim() : null,
    jurisdiction_code: f.jurisdiction_code,
  }
}

export function unitPatch(before: AdminUnit, f: UnitForm): UnitPatch {
  const after = newUnit(f)
  const p: UnitPatch = {}
  if (after.name !== before.name) p.name = after.name
  if (after.kind !== before.kind) p.kind = after.kind
  if (after.department !== before.department) p.department = after.department
  if (after.jurisdiction_code !== before.jurisdiction_code) p.jurisdiction_code = after.jurisdiction_code
  if (f.active !== before.active) p.active = f.active
  return p
}

// ---- Talking to the server

/**
 * One Idempotency-Key per record being created: the same key for every try of the same form
 * while the outcome of the last try is unknown (no answer, a 5xx), so that a retry cannot create
 * the record twice; a new one once an answer came, or when the form starts afresh.
 */
export class CreationKey {
  private key = ''
  constructor(private readonly make: () => string = () => crypto.randomUUID()) {}

  /** The key for the next try. */
  next(): string {
    if (!this.key) this.key = this.make()
    return this.key
  }

  /** After a try: keeps the key only when the try may have been done without an answer. */
  settle(result: ApiResult<unknown>): void {
    if (result.ok || !mayHaveBeenDone(result.error)) this.key = ''
  }

  /** A new form: a new record. */
  reset(): void {
    this.key = ''
  }
}

/**
 * What a refused edit means for the page: stale (412: someone else changed the record since it
 * was read; read it again), done (422 on a retried creation: the first try did it), or a problem
 * to show with the server's own message.
 */
export function refusal(error: ApiError): 'stale' | 'done' | 'problem' {
  if (error.status === 412) return 'stale'
  if (keyAlreadyUsed(error)) return 'done'
  return 'problem'
}

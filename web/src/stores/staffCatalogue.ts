// What the workbench looks up again and again, fetched once per page load: the categories, the
// places of the user's scope (indexed for name and pinyin search; the whole deployment's for a
// transfer), units by id, and the workflow table of each kind of case.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, staffApi, type ApiError, type ApiResult, type Category, type Jurisdiction, type Unit, type Workflow } from '@/api'
import { buildPlaceIndex, type PlaceIndex } from '@/places'

/**
 * The nodes under root, parents before children: from /descendants when the server has it,
 * otherwise by walking /children one level at a time.
 */
async function descendantsOf(root: Jurisdiction): Promise<ApiResult<Jurisdiction[]>> {
  const all = await api.descendants(root.code)
  if (all.ok) return { ok: true, value: all.value.items }
  if (all.error.status !== 404) return all
  const items: Jurisdiction[] = []
  let level = [root]
  while (level.length) {
    const answers = await Promise.all(level.filter((n) => n.level !== 'village').map((n) => api.children(n.code)))
    level = []
    for (const a of answers) {
      if (!a.ok) return a
      level.push(...a.value.items)
    }
    items.push(...level)
  }
  return { ok: true, value: items }
}

/** The search index of a node and everything under it. */
async function indexUnder(root: ApiResult<Jurisdiction>): Promise<ApiResult<PlaceIndex>> {
  if (!root.ok) return root
  const node: Jurisdiction = { code: root.value.code, name: root.value.name, level: root.value.level, parent_code: root.value.parent_code }
  const below = await descendantsOf(node)
  return below.ok ? { ok: true, value: buildPlaceIndex(node, below.value) } : below
}

export const useStaffCatalogue = defineStore('staffCatalogue', () => {
  const categories = ref<Category[]>([])
  const categoryError = ref<ApiError | null>(null)
  const places = ref<PlaceIndex | null>(null)
  const placeError = ref<ApiError | null>(null)
  const placesLoading = ref(false)
  const units = ref(new Map<number, Unit>())
  const workflows = ref(new Map<string, Workflow>())

  async function loadCategories(): Promise<void> {
    if (categories.value.length) return
    const r = await api.categories()
    if (r.ok) categories.value = r.value.items
    categoryError.value = r.ok ? null : r.error
  }

  /** Indexes the places of scope (a division code) once. */
  async function loadPlaces(scope: string): Promise<void> {
    if (places.value || placesLoading.value) return
    placesLoading.value = true
    const r = await indexUnder(await api.jurisdiction(scope))
    placesLoading.value = false
    placeError.value = r.ok ? null : r.error
    if (r.ok) places.value = r.value
  }

  // The whole deployment's places, for a transfer (转送) to a body outside the user's scope.
  const deploymentPlaces = ref<PlaceIndex | null>(null)
  const deploymentError = ref<ApiError | null>(null)
  const deploymentLoading = ref(false)

  /** Indexes the places of the whole deployment once. */
  async function loadDeploymentPlaces(): Promise<void> {
    if (deploymentPlaces.value || deploymentLoading.value) return
    deploymentLoading.value = true
    const d = await api.deployment()
    const r = await indexUnder(d.ok ? { ok: true, value: d.value.root } : d)
    deploymentLoading.value = false
    deploymentError.value = r.ok ? null : r.error
    if (r.ok) deploymentPlaces.value = r.value
  }

  /** The unit with id, fetched once; undefined until it arrives, and for no id (null, or a
   *  field absent from an answer: never asked for as /units/undefined). */
  function unit(id: number | null | undefined): Unit | undefined {
    if (id === null || id === undefined || !Number.isInteger(id)) return undefined
    const known = units.value.get(id)
    if (!known) void fetchUnit(id)
    return known
  }
  const pendingUnits = new Set<number>()
  /** Units whose fetch failed: shown by their id, not as still coming. */
  const missingUnits = ref(new Set<number>())
  async function fetchUnit(id: number) {
    if (pendingUnits.has(id)) return
    pendingUnits.add(id)
    const r = await staffApi.unit(id)
    if (r.ok) units.value.set(id, r.value)
    else missingUnits.value.add(id)
  }
  const unitMissing = (id: number) => missingUnits.value.has(id)

  async function workflow(kind: string): Promise<Workflow | ApiError> {
    const known = workflows.value.get(kind)
    if (known) return known
    const r = await staffApi.workflow(kind)
    if (!r.ok) return r.error
    workflows.value.set(kind, r.value)
    return r.value
  }

  function categoryName(code: string, language: string): string {
    const c = categories.value.find((x) => x.code === code)
    if (!c) return code
    return language === 'en' ? c.name_en : c.name_zh
  }

  function placeName(code: string): string {
    return places.value?.byCode.get(code)?.node.name ?? code
  }

  /** The names from the scope down to the place, e.g. 余江区 / 邓埠镇 / 东门村. */
  function placePath(code: string): string {
    const p = places.value?.byCode.get(code)
    return p ? p.trail.map((n) => n.name).join(' / ') : code
  }

  return {
    categories, categoryError, places, placeError, placesLoading, units, workflows,
    deploymentPlaces, deploymentError, deploymentLoading,
    loadCategories, loadPlaces, loadDeploymentPlaces, unit, unitMissing, workflow, categoryName, placeName, placePath,
  }
})

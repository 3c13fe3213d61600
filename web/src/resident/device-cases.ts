// The cases submitted from this device (本机提交的事项): their number, tracking code, category and
// date, newest first, kept in localStorage so that someone who lost the note of a tracking code
// still finds it on the tracking page. Nothing about the person (name, contact, description) is
// kept: the list is readable by anyone who uses the same browser.

export interface DeviceCase {
  number: string
  tracking_code: string
  /** The category's names, so that the list reads in either language. */
  category_zh: string
  category_en: string
  /** When it was submitted (ISO 8601). */
  submitted_at: string
}

const storageKey = 'jiceng.submitted'
/** Enough for the cases a household files; older ones are dropped. */
export const deviceCaseLimit = 10

function isDeviceCase(v: unknown): v is DeviceCase {
  const c = v as Record<string, unknown> | null
  return (
    typeof c === 'object' &&
    c !== null &&
    ['number', 'tracking_code', 'category_zh', 'category_en', 'submitted_at'].every((k) => typeof c[k] === 'string')
  )
}

/** The list, newest first; empty when storage is unavailable or holds something else. */
export function deviceCases(): DeviceCase[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(storageKey) ?? '[]')
    return Array.isArray(v) ? v.filter(isDeviceCase).slice(0, deviceCaseLimit) : []
  } catch {
    return []
  }
}

function save(list: DeviceCase[]): DeviceCase[] {
  try {
    localStorage.setItem(storageKey, JSON.stringify(list))
  } catch {
    // Storage unavailable (private mode) or full: the confirmation page still shows the code.
  }
  return list
}

/** Adds a case at the head of the list (once: a retried submission is the same case). */
export function rememberCase(c: DeviceCase): DeviceCase[] {
  const pick = ({ number, tracking_code, category_zh, category_en, submitted_at }: DeviceCase) =>
    ({ number, tracking_code, category_zh, category_en, submitted_at })
  return save([pick(c), ...deviceCases().filter((d) => d.number !== c.number)].slice(0, deviceCaseLimit))
}

/** Removes a case from the list; returns what is left. */
export function forgetCase(number: string): DeviceCase[] {
  return save(deviceCases().filter((d) => d.number !== number))
}

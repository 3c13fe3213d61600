// What the end-to-end tests share: Debian's Chromium (never a downloaded browser) with the
// viewports of a phone and of a desk, numbered screenshots, the demo accounts' passwords, the
// staff workbench's sign-in and command dialogs, and a record of script errors and
// Content-Security-Policy violations.
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

/** A resident's phone (CSS pixels of a common handset). */
export const phone = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
}

/** A desk in a county office. */
export const desk = { viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }

/** Headless Chromium: $CHROMIUM or /usr/bin/chromium. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  })
}

export function check(condition, message) {
  if (!condition) throw new Error(message)
}

/** Saves numbered screenshots ("07-my-case.png") into dir; returns shot(page, name, fullPage). */
export function screenshots(dir) {
  mkdirSync(dir, { recursive: true })
  let n = 0
  return async (page, name, fullPage = false) => {
    n += 1
    const path = join(dir, `${String(n).padStart(2, '0')}-${name}.png`)
    // From the top: a full page scrolled down shows fixed bars where the scroll left them.
    if (fullPage) await page.evaluate(() => window.scrollTo(0, 0))
    await page.screenshot({ path, fullPage })
    console.log(`  screenshot ${path}`)
    return path
  }
}

/**
 * Collects what must never happen on a page: script errors and console errors (a 4xx answer the
 * page handles is expected and not counted) — Content-Security-Policy violations among them.
 */
export function watchProblems(page, problems) {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`)
  })
}

/** The password of a demo account: from $variable, or from the file `jiceng demo` wrote. */
export function demoPassword(user, variable, accountsFile = process.env.JICENG_ACCOUNTS) {
  if (variable && process.env[variable]) return process.env[variable]
  if (!accountsFile) throw new Error(`set ${variable} or JICENG_ACCOUNTS`)
  const line = readFileSync(accountsFile, 'utf8').split('\n').find((l) => l.trim().startsWith(`${user} `))
  const m = line && /password\s+(\S+)/.exec(line)
  if (!m) throw new Error(`no password for ${user} in ${accountsFile}`)
  return m[1]
}

/** Signs in on the workbench's sign-in page (already open); expectFailure waits for the message. */
export async function staffSignIn(page, username, pass, { expectFailure = false } = {}) {
  await page.fill('input[name="username"]', username)
  await page.fill('input[name="password"]', pass)
  await page.keyboard.press('Enter')
  if (expectFailure) {
    await page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor()
    return
  }
  await page.waitForURL((u) => !u.pathname.startsWith('/staff/sign-in'))
}

/** On a workbench case page: opens the command's form, fills it with fill(dialog), confirms. */
export async function staffCommand(page, name, fill = async () => {}) {
  await page.click(`[data-command="${name}"]`)
  const dialog = page.locator('.el-dialog').filter({ has: page.locator('.command-form') })
  await dialog.waitFor()
  await fill(dialog)
  await dialog.locator('button.send').click()
  return dialog
}

/**
 * On a workbench case page: assigns the case to the unit whose name starts with `search` and
 * contains `unit`, with a note; beforeSend(dialog) runs on the filled form.
 */
export async function staffAssign(page, { search, unit, note }, beforeSend = async () => {}) {
  return staffCommand(page, 'assign', async (d) => {
    await d.locator('#cmd-unit_id').click()
    await page.keyboard.type(search)
    await page.locator('.el-select-dropdown__item').filter({ hasText: unit }).first().waitFor()
    await page.keyboard.press('Enter')
    await d.locator('#cmd-note').fill(note)
    await beforeSend(d)
  })
}

/** Waits until the workbench's case page shows the state label. */
export async function staffStateIs(page, label) {
  await page.locator('.state-tag').filter({ hasText: label }).waitFor()
}

/** The "Cookie" header of a session opened over the API, for calls from the test itself. */
export async function apiSession(base, username, password) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (!res.ok) throw new Error(`${username} could not sign in over the API: ${res.status} ${await res.text()}`)
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.includes('session='))
  check(cookie, `${username}: no session cookie`)
  return { cookie, user: (await res.json()).user }
}

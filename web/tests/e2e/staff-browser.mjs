// What the staff end-to-end tests (staff.e2e.mjs, dashboard.e2e.mjs) share: the demo accounts'
// passwords, Debian's Chromium (never a downloaded browser), numbered screenshots, and signing
// in on the workbench's sign-in page.
//
// Environment:
//   JICENG_URL        the web UI with /api behind it (jiceng serve, or `npm run dev` proxying)
//   JICENG_ACCOUNTS   the text `jiceng demo` printed (var/demo-accounts.txt); a test may also take
//                     passwords from variables of its own (see password())
//   JICENG_ARTIFACTS  where screenshots go (default: a new directory under the system's tmp)
//   CHROMIUM          the browser (default /usr/bin/chromium)
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

/** The web UI's address from JICENG_URL, without a trailing slash; exits 2 when unset. */
export function baseUrl() {
  const base = (process.env.JICENG_URL ?? '').replace(/\/$/, '')
  if (!base) {
    console.error('set JICENG_URL to the web UI, e.g. http://127.0.0.1:8080')
    process.exit(2)
  }
  return base
}

/** The password of a demo account: from the variable if set, else from JICENG_ACCOUNTS. */
export function password(user, variable) {
  if (process.env[variable]) return process.env[variable]
  const file = process.env.JICENG_ACCOUNTS
  if (!file) throw new Error(`set ${variable} or JICENG_ACCOUNTS`)
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.trim().startsWith(`${user} `))
  const m = line && /password\s+(\S+)/.exec(line)
  if (!m) throw new Error(`no password for ${user} in ${file}`)
  return m[1]
}

/** The directory screenshots go to (JICENG_ARTIFACTS, or a new one named after prefix). */
export function artifactsDir(prefix) {
  const dir = process.env.JICENG_ARTIFACTS ?? mkdtempSync(join(tmpdir(), prefix))
  mkdirSync(dir, { recursive: true })
  return dir
}

/** Headless Chromium from Debian. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  })
}

/** A function that saves numbered screenshots (01-name.png, …) into dir. */
export function screenshots(dir) {
  let step = 0
  return async function shot(page, name, fullPage = false) {
    step += 1
    const path = join(dir, `${String(step).padStart(2, '0')}-${name}.png`)
    await page.screenshot({ path, fullPage })
    console.log(`  screenshot ${path}`)
  }
}

export function check(condition, message) {
  if (!condition) throw new Error(message)
}

/** A page in a new browser context in Chinese and China time, its errors logged. */
export async function newPage(browser, viewport) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error(`  page error: ${e.message}`))
  return page
}

/**
 * Signs in on the sign-in page page shows; waits until it has left it, or with expectFailure
 * until the wrong-password message appears.
 */
export async function signIn(page, username, pass, { expectFailure = false } = {}) {
  await page.fill('input[name="username"]', username)
  await page.fill('input[name="password"]', pass)
  await page.keyboard.press('Enter')
  if (expectFailure) {
    await page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor()
    return
  }
  await page.waitForURL((u) => !u.pathname.startsWith('/staff/sign-in'))
}

/**
 * Runs scenario, then closes the browser and exits: 0 when it passed, 1 when it threw (after a
 * screenshot of every open page, named "failure").
 */
export async function runScenario(name, browser, shot, scenario) {
  let failed = false
  try {
    await scenario()
    console.log(`${name}: passed`)
  } catch (e) {
    failed = true
    console.error(`${name}: FAILED: ${e.stack ?? e}`)
    for (const context of browser.contexts()) {
      for (const page of context.pages()) await shot(page, 'failure').catch(() => {})
    }
  } finally {
    await browser.close()
  }
  process.exit(failed ? 1 : 0)
}

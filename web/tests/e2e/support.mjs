// What the end-to-end tests share: where the server and the screenshots are, Debian's Chromium
// (never a downloaded browser) with the viewports of a phone and of a desk, numbered screenshots,
// the demo accounts' passwords, a record of script errors and Content-Security-Policy violations,
// the staff workbench's sign-in and command dialogs, the leader dashboard's headline figures, and
// running a scenario to an exit status.
//
// Environment (staff.e2e.mjs and dashboard.e2e.mjs, run by demo-server.mjs):
//   JICENG_URL        the web UI with /api behind it (jiceng serve, or `npm run dev` proxying)
//   JICENG_ACCOUNTS   the text `jiceng demo` printed (var/demo-accounts.txt); a test may also take
//                     passwords from variables of its own (see demoPassword())
//   JICENG_ARTIFACTS  where screenshots go (default: a new directory under the system's tmp)
//   CHROMIUM          the browser (default /usr/bin/chromium)
import { createHmac } from 'node:crypto'
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

/** The directory screenshots go to (JICENG_ARTIFACTS, or a new one named after prefix). */
export function artifactsDir(prefix) {
  const dir = process.env.JICENG_ARTIFACTS ?? mkdtempSync(join(tmpdir(), prefix))
  mkdirSync(dir, { recursive: true })
  return dir
}

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

/**
 * A page in a new browser context with options (phone, desk, or a viewport of its own in
 * Chinese and China time). With problems, the page's script errors and console errors are
 * collected there (watchProblems); without, script errors are logged.
 */
export async function newPage(browser, options, problems) {
  const page = await (await browser.newContext({ ...desk, ...options })).newPage()
  if (problems) watchProblems(page, problems)
  else page.on('pageerror', (e) => console.error(`  page error: ${e.message}`))
  return page
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

/** The second-factor (TOTP) secret `jiceng demo` gave an account (administrators have one). */
export function demoTotpSecret(user, accountsFile = process.env.JICENG_ACCOUNTS) {
  const lines = readFileSync(accountsFile, 'utf8').split('\n')
  const at = lines.findIndex((l) => l.trim().startsWith(`${user} `))
  const m = at >= 0 && /second factor \(TOTP\) secret (\S+)/.exec(lines[at + 1] ?? '')
  if (!m) throw new Error(`no TOTP secret for ${user} in ${accountsFile}`)
  return m[1]
}

/** The 6-digit code of a base32 TOTP secret now (RFC 6238: HMAC-SHA1, 30-second steps). */
export function totpCode(secret, now = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0')
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)))
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30000)))
  const h = createHmac('sha1', key).update(counter).digest()
  const o = h[h.length - 1] & 0xf
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1e6).padStart(6, '0')
}

/**
 * Signs in on the workbench's sign-in page (already open); expectFailure waits for the message.
 * With totpSecret (an administrator), the code the page then asks for is given too.
 */
export async function staffSignIn(page, username, pass, { expectFailure = false, totpSecret } = {}) {
  await page.fill('input[name="username"]', username)
  await page.fill('input[name="password"]', pass)
  await page.keyboard.press('Enter')
  if (totpSecret) {
    await page.locator('input[name="totp"]').waitFor()
    await page.fill('input[name="totp"]', totpCode(totpSecret))
    await page.keyboard.press('Enter')
  }
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
export async function staffAssign(page, { search, unit, note, limit }, beforeSend = async () => {}) {
  return staffCommand(page, 'assign', async (d) => {
    await d.locator('#cmd-unit_id').click()
    await page.keyboard.type(search)
    await page.locator('.el-select-dropdown__item').filter({ hasText: unit }).first().waitFor()
    await page.keyboard.press('Enter')
    if (limit) {
      // { amount, unitLabel }: the time limit's number and its unit as the select shows it.
      await d.locator('#cmd-time_limit').fill(String(limit.amount))
      // The unit's select, once the unit picker's dropdown has closed, and again until it shows
      // the label: on a loaded machine a click during that dropdown's closing once left the
      // select at its default (个工作日), and once clicked an option that was fading away.
      await page.locator('.el-select-dropdown__item:visible').filter({ hasText: unit }).first().waitFor({ state: 'hidden' })
      const unitSelect = d.locator('[data-field="time_limit"] .limit-unit')
      for (let attempt = 1; ; attempt++) {
        try {
          await unitSelect.click({ timeout: 5000 })
          await page.locator('.el-select-dropdown__item:visible').filter({ hasText: limit.unitLabel }).first().click({ timeout: 5000 })
          await unitSelect.filter({ hasText: limit.unitLabel }).waitFor({ timeout: 3000 })
          break
        } catch (e) {
          if (attempt === 3) throw e
          await page.waitForTimeout(500)
        }
      }
    }
    await d.locator('#cmd-note').fill(note)
    await beforeSend(d)
  })
}

/** Waits until the workbench's case page shows the state label. */
export async function staffStateIs(page, label) {
  await page.locator('.state-tag').filter({ hasText: label }).waitFor()
}

/** POSTs body as JSON with a session of apiSession's (cookie and CSRF token); checks the answer is
 *  2xx and returns its JSON. */
export async function apiPost(base, session, path, body, headers = {}) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: session.cookie, 'X-CSRF-Token': session.csrf, ...headers },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  check(res.ok, `${path}: ${res.status} ${text}`)
  return JSON.parse(text)
}

/**
 * A session opened over the API, for calls from the test itself: the "Cookie" header, the user
 * and the CSRF token that writes send as X-CSRF-Token.
 */
export async function apiSession(base, username, password) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (!res.ok) throw new Error(`${username} could not sign in over the API: ${res.status} ${await res.text()}`)
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.includes('session='))
  check(cookie, `${username}: no session cookie`)
  const body = await res.json()
  return { cookie, user: body.user, csrf: body.csrf_token }
}

/** The leader dashboard's headline figures as shown: { received: { value, help }, … }. */
export async function dashboardHeadlines(page) {
  return page.locator('[data-figure]').evaluateAll((els) =>
    Object.fromEntries(els.map((e) => [e.dataset.figure, {
      value: e.querySelector('.headline-value').textContent.trim(),
      help: e.querySelector('.headline-help').textContent.trim(),
    }])),
  )
}

/** Waits until the leader dashboard has shown the figures of its address, areaName in the breadcrumb. */
export async function dashboardSettled(page, areaName) {
  await page.locator('.dashboard-content[aria-busy="false"] .headline-figures').waitFor()
  await page.locator('.dashboard-crumb-current').filter({ hasText: areaName }).waitFor()
}

/** A count as the dashboard writes it in Chinese (12,345). */
export const dashboardCount = (n) => new Intl.NumberFormat('zh-CN').format(n)

/** A rate as the dashboard writes it in Chinese (96.9%), a dash for none. */
export const dashboardRate = (r) =>
  r === null ? '—' : new Intl.NumberFormat('zh-CN', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(r)

/** The headline values the dashboard must show for a GET /api/v1/stats answer (docs/STATS.md). */
export function expectedHeadlines(stats) {
  const f = stats.figures
  return {
    received: dashboardCount(f.received),
    accepted: dashboardCount(f.accepted),
    resolved: dashboardCount(f.resolved),
    'rate.on_time': dashboardRate(f.rates.on_time),
    'rate.response': dashboardRate(f.rates.response),
    'rate.resolution': dashboardRate(f.rates.resolution),
    'rate.satisfaction': dashboardRate(f.rates.satisfaction),
    'now.open': dashboardCount(stats.now.open),
    'now.overdue': dashboardCount(stats.now.overdue),
  }
}

/**
 * Runs scenario, then closes the browser, stops the server when there is one, and exits: 0 when
 * it passed, 1 when it threw — after a full-page screenshot named "failure" of every open page,
 * and the server's log.
 */
export async function runScenario(name, { browser, shot, server }, scenario) {
  let failed = false
  try {
    await scenario()
    console.log(`${name}: passed`)
  } catch (e) {
    failed = true
    console.error(`${name}: FAILED: ${e instanceof Error ? e.stack : e}`)
    for (const context of browser.contexts()) {
      for (const page of context.pages()) await shot(page, 'failure', true).catch(() => {})
    }
    if (server) console.error(`server log:\n${server.log()}`)
  } finally {
    await browser.close()
    await server?.stop()
  }
  process.exit(failed ? 1 : 0)
}

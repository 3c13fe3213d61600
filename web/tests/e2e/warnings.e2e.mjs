// The early warnings end to end in Debian's Chromium against the real `jiceng` binary on a fresh
// SQLite database (`jiceng demo --cases 300`: two years of cases, so the detector has its
// 28-day baseline):
//   the hotline's operator registers eight calls from eight people about one matter on the
//   township of the demo handler, today, over the API; `jiceng serve`'s scheduler runs the burst
//   detector (every 30 s) and raises a warning addressed to the township's government. The
//   township's handler sees the badge in the menu, finds the warning in the list, opens it
//   (the cases per day, the cases behind it); the leader sees it on the dashboard's warnings
//   panel; the handler acknowledges it and handles it with a note, and the badge goes; a second
//   tab opened before that tries to dismiss it and gets the "someone else changed it" message
//   and the warning as it is now. The list and the warning on a phone too. No script error and
//   no Content-Security-Policy violation on any page.
//
//   node tests/e2e/warnings.e2e.mjs JICENG_BINARY ARTIFACTS_DIR
//
// Screenshots at 1366×768 and 390×844 go to ARTIFACTS_DIR (look at them).
import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { startDemoServer } from './demo-server.mjs'
import {
  apiSession, check, demoPassword, desk, launchBrowser, newPage as newPageOf, phone, runScenario, screenshots, staffSignIn,
} from './support.mjs'

const [binaryArg, artifactsArg] = process.argv.slice(2)
if (!binaryArg || !artifactsArg) {
  console.error('usage: warnings.e2e.mjs JICENG_BINARY ARTIFACTS_DIR')
  process.exit(2)
}
const shot = screenshots(resolve(artifactsArg))
const browser = await launchBrowser()
const server = await startDemoServer(resolve(binaryArg), { cases: 300 })
const base = server.base
const password = (user) => demoPassword(user, undefined, server.accounts)
const laptop = { ...desk, viewport: { width: 1366, height: 768 } }

const problems = []
const newPage = async (options) => {
  const page = await newPageOf(browser, options, problems)
  page.setDefaultTimeout(20_000)
  return page
}

async function api(session, path, { method = 'GET', body, headers = {} } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      Cookie: session.cookie, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...(method === 'GET' ? {} : { 'X-CSRF-Token': session.csrf }), ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return res.json()
}

/** A leaf category where group matters arise (pollution, wages, land …), else the first leaf. */
async function groupCategory() {
  const { items } = await (await fetch(`${base}/api/v1/categories`)).json()
  const leaves = items.filter((c) => c.active && !items.some((d) => d.parent_code === c.code))
  return leaves.find((c) => /pollution|wage|land/.test(c.code)) ?? leaves[0]
}

/** Polls the handler's new warnings until the detector has raised one (it runs every 30 s). */
async function raisedWarning(handler) {
  for (let i = 0; i < 60; i++) {
    const { items } = await api(handler, '/api/v1/warnings?status=new&mine=true')
    if (items.length) return items
    await new Promise((r) => setTimeout(r, 2000))
  }
  throw new Error('the burst detector raised no warning in 120 s')
}

await runScenario('warnings e2e', { browser, shot, server }, async () => {
  const operator = await apiSession(base, 'demo.operator', password('demo.operator'))
  const handler = await apiSession(base, 'demo.handler', password('demo.handler'))
  const township = handler.user.scope
  check(/^\d{9}$/.test(township ?? ''), `the handler's scope is a township: ${township}`)
  const category = await groupCategory()
  check(category, 'a leaf category')

  console.log(`operator: eight calls from eight people about ${category.name_zh} in township ${township}`)
  for (let i = 0; i < 8; i++) {
    await api(operator, '/api/v1/cases', {
      method: 'POST',
      headers: { 'Idempotency-Key': randomUUID() },
      body: {
        kind: 'demand', channel: 'phone', category: category.code, place: township, anonymous: false,
        name: `村民${i + 1}`, contact: `1390000100${i}`,
        description: `镇上工业园的同一家企业，这几天有${category.name_zh}的问题，我们第${i + 1}户也遇到了，要求尽快查处`,
      },
    })
  }
  const raised = await raisedWarning(handler)
  const warning = raised[0]
  check(warning.area === township && warning.people >= 8, `the warning: ${JSON.stringify(warning)}`)
  console.log(`  warning ${warning.id}: ${warning.level}, ${warning.people} people, ${warning.cases} cases`)

  console.log('handler: the badge in the menu, the list, the warning')
  const h = await newPage(laptop)
  await h.goto(`${base}/staff`)
  await h.waitForURL(/\/staff\/sign-in\?redirect=/)
  await staffSignIn(h, 'demo.handler', password('demo.handler'))
  const badge = h.locator('[data-badge="warnings"] [aria-hidden="true"]')
  await badge.filter({ hasText: String(raised.length) }).waitFor()
  await shot(h, 'badge')
  await h.locator('.workbench-menu').getByText('预警', { exact: true }).click()
  await h.waitForURL(/\/staff\/warnings$/)
  const row = h.locator('.warnings-table .el-table__row').first()
  await row.locator('[data-level]').waitFor()
  const rowText = await row.textContent()
  check(rowText.includes(category.name_zh) && rowText.includes('新预警'), `the list's row: ${rowText}`)
  await shot(h, 'warnings-list')
  await row.locator('.warning-link').click()
  await h.waitForURL(new RegExp(`/staff/warnings/${warning.id}$`))
  await h.locator('.warning-status[data-status="new"]').waitFor()
  await h.locator('.dashboard-chart canvas').waitFor()
  const evidence = await h.locator('.evidence .case-link').count()
  check(evidence === warning.cases, `the evidence: ${evidence} cases, the warning counts ${warning.cases}`)
  const words = await h.locator('[data-list="warning-words"] li strong').allTextContents()
  check(words.includes('企业'), `the words that rose name the matter: ${words}`)
  const buttons = await h.locator('[data-warning-command]').evaluateAll((els) => els.map((e) => e.dataset.warningCommand))
  check(buttons.join() === 'acknowledge,handle,dismiss', `a new warning offers ${buttons}`)
  await shot(h, 'warning-new', true)

  console.log('handler: a second tab on the same warning, left stale')
  const stale = await h.context().newPage()
  await stale.goto(`${base}/staff/warnings/${warning.id}`)
  await stale.locator('.warning-status[data-status="new"]').waitFor()

  console.log('leader: the warning on the dashboard\'s panel')
  const l = await newPage(laptop)
  await l.goto(`${base}/dashboard`)
  await l.waitForURL(/\/staff\/sign-in\?redirect=/)
  await staffSignIn(l, 'demo.leader', password('demo.leader'))
  await l.waitForURL(/\/dashboard/)
  const item = l.locator('[data-list="warnings"]').first()
  await item.waitFor()
  const itemText = await item.textContent()
  check(itemText.includes(category.name_zh), `the panel's warning: ${itemText}`)
  const topics = l.locator('[data-list="rising-words"] li').filter({ hasText: '企业' })
  await topics.waitFor()
  await shot(l, 'dashboard-panel')
  await item.locator('a').click()
  await l.waitForURL(new RegExp(`/staff/warnings/${warning.id}$`))
  await l.locator('.warning-status').waitFor()

  console.log('handler: acknowledges, then handles with a note; the badge goes')
  await h.click('[data-warning-command="acknowledge"]')
  await h.locator('.el-dialog button.send').click()
  await h.locator('.warning-status[data-status="acknowledged"]').waitFor()
  await h.click('[data-warning-command="handle"]')
  await h.locator('.el-dialog button.send').click()
  await h.locator('.el-dialog .el-form-item__error').filter({ hasText: '请填写处置情况' }).waitFor()
  await shot(h, 'handle-note-required')
  await h.locator('#warning-note').fill('已会同生态环境分局到工业园现场检查，责令涉事企业停产整改，并向来电群众逐一回复。')
  await h.locator('.el-dialog button.send').click()
  await h.locator('.warning-status[data-status="handled"]').waitFor()
  await h.locator('[data-badge="warnings"]').waitFor({ state: 'detached' })
  check((await h.locator('[data-warning-command]').count()) === 0, 'a handled warning offers no command')
  await shot(h, 'warning-handled', true)

  console.log('handler: the stale tab tries to dismiss and is told someone else changed it')
  await stale.click('[data-warning-command="dismiss"]')
  await stale.locator('#warning-note').fill('误报')
  await stale.locator('.el-dialog button.send').click()
  await stale.locator('.warning-conflict').filter({ hasText: '预警已被他人更新' }).waitFor()
  await stale.locator('.warning-status[data-status="handled"]').waitFor()
  check((await stale.locator('[data-warning-command]').count()) === 0, 'the reloaded warning offers no command')
  await shot(stale, 'warning-conflict')
  const after = await api(handler, `/api/v1/warnings/${warning.id}`)
  check(after.status === 'handled' && after.note.startsWith('已会同'), `the warning after: ${after.status} ${after.note}`)

  console.log('handler on a phone: the list and the warning')
  const p = await newPage(phone)
  await p.goto(`${base}/staff/warnings?status=all`)
  await p.waitForURL(/\/staff\/sign-in\?redirect=/)
  await staffSignIn(p, 'demo.handler', password('demo.handler'))
  await p.locator('.warnings-table .el-table__row [data-level]').first().waitFor()
  await shot(p, 'phone-warnings-list')
  await p.goto(`${base}/staff/warnings/${warning.id}`)
  await p.locator('.warning-status[data-status="handled"]').waitFor()
  await p.locator('.dashboard-chart canvas').waitFor()
  await shot(p, 'phone-warning', true)

  check(problems.length === 0, `problems on the pages:\n${problems.join('\n')}`)
})

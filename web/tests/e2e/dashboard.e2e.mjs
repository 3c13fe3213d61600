// End to end through the leader's dashboard in Debian's Chromium, against a real jiceng server
// with demo cases (`jiceng demo --cases N`): the leader opens /dashboard, signs in and comes
// back to it; the figures, the sub-area table and the two lists shown equal what
// GET /api/v1/stats answers for the same choice; a township is opened by keyboard from the
// table and the breadcrumb leads back up; a preset period and the kind filter reload the
// figures; a chart's tooltip shows; an overdue case's number opens the case in the workbench,
// whose menu leads back to the dashboard; an area outside the scope typed into the address
// shows the server's "not found"; the page in English on a laptop. No Content-Security-Policy violation may happen on the way.
// Screenshots at 1920×1080, 1366×768 and 1440×900 go to $JICENG_ARTIFACTS (look at them).
//
// Environment: JICENG_URL, JICENG_ACCOUNTS (or JICENG_LEADER_PASSWORD), JICENG_ARTIFACTS and
// CHROMIUM, as in support.mjs.
import {
  artifactsDir, baseUrl, check, dashboardCount as count, dashboardHeadlines, dashboardRate as rate,
  dashboardSettled as settled, demoPassword, expectedHeadlines, launchBrowser, newPage, runScenario, screenshots,
  staffSignIn as signIn,
} from './support.mjs'

const base = baseUrl()
const leaderPassword = demoPassword('demo.leader', 'JICENG_LEADER_PASSWORD')
const artifacts = artifactsDir('jiceng-dashboard-e2e-')
const browser = await launchBrowser()
const shot = screenshots(artifacts)

/** What the API answers for the choice in the page's address (the page's own question). */
async function statsOfPage(page) {
  const url = new URL(page.url())
  const q = new URLSearchParams({ limit: '20' })
  for (const k of ['area', 'from', 'to', 'kind', 'interval']) {
    const v = url.searchParams.get(k)
    if (v) q.set(k, v)
  }
  return page.evaluate(async (query) => {
    const r = await fetch(`/api/v1/stats?${query}`, { headers: { Accept: 'application/json' } })
    return { status: r.status, body: await r.json() }
  }, q.toString())
}

/** Checks that the page shows what the API answers for its address; resolves to the answer. */
async function figuresMatchApi(page) {
  const { status, body } = await statsOfPage(page)
  check(status === 200, `GET /api/v1/stats answered ${status}: ${JSON.stringify(body)}`)
  await settled(page, body.area.name)
  const shown = Object.fromEntries(Object.entries(await dashboardHeadlines(page)).map(([k, v]) => [k, v.value]))
  const want = expectedHeadlines(body)
  check(JSON.stringify(shown) === JSON.stringify(want), `headline figures ${JSON.stringify(shown)}, the API's ${JSON.stringify(want)}`)
  const rows = await page.locator('.sub-area-table .el-table__body-wrapper tr.el-table__row').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
  )
  const wantRows = body.sub_areas.map((a) => [a.name, count(a.figures.received), count(a.figures.accepted), count(a.figures.resolved),
    rate(a.figures.rates.on_time), rate(a.figures.rates.satisfaction), count(a.now.open), count(a.now.overdue)])
  const gotRows = rows.slice(0, wantRows.length)
  check(JSON.stringify(gotRows) === JSON.stringify(wantRows), `sub-areas ${JSON.stringify(gotRows)}, the API's ${JSON.stringify(wantRows)}`)
  const overdue = await page.locator('[data-list="overdue"] .case-number').allTextContents()
  check(JSON.stringify(overdue.map((s) => s.trim())) === JSON.stringify(body.overdue.map((c) => c.number)), `overdue list ${overdue}`)
  const escalations = await page.locator('[data-list="escalation"] .case-number').allTextContents()
  check(JSON.stringify(escalations.map((s) => s.trim())) === JSON.stringify(body.escalations.map((e) => e.number)), `escalations ${escalations}`)
  console.log(`  ${body.area.name} ${body.period.from}…${body.period.to} ${body.period.kind ?? 'all'}: received ${body.figures.received}, ` +
    `${body.sub_areas.length} sub-areas, ${body.overdue.length} overdue, ${body.escalations.length} escalations — as shown`)
  return body
}

async function cspViolations(page) {
  return page.evaluate(() => window.cspViolations ?? [])
}

await runScenario('dashboard e2e', { browser, shot }, async () => {
  console.log('leader: /dashboard asks to sign in, then comes back')
  const page = await newPage(browser, { viewport: { width: 1920, height: 1080 } })
  await page.addInitScript(() => {
    window.cspViolations = []
    document.addEventListener('securitypolicyviolation', (e) =>
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`))
  })
  await page.goto(`${base}/dashboard`)
  await page.waitForURL((u) => u.pathname === '/staff/sign-in' && u.searchParams.get('redirect') === '/dashboard')
  await signIn(page, 'demo.leader', leaderPassword)
  await page.waitForURL((u) => u.pathname === '/dashboard')

  console.log('leader: the county\'s figures are the API\'s')
  const county = await figuresMatchApi(page)
  check(county.figures.received > 0, 'the demo county received no cases this year')
  check(county.sub_areas.length > 1, 'the county has no townships')
  await page.locator('.panel-trend canvas').first().waitFor()
  await page.locator('.panel-categories canvas').first().waitFor()
  await shot(page, 'dashboard-county-1920x1080')

  console.log('leader: a chart\'s tooltip')
  const trend = page.locator('.panel-trend .dashboard-chart')
  const box = await trend.boundingBox()
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.6)
  await page.locator('.chart-tooltip').filter({ hasText: '收件' }).waitFor()
  await shot(page, 'dashboard-tooltip')
  await page.mouse.move(0, 0)

  console.log('leader: opens the busiest township by keyboard, and back by the breadcrumb')
  const township = [...county.sub_areas].sort((a, b) => b.figures.received - a.figures.received)[0]
  const link = page.locator('.sub-area-link').filter({ hasText: township.name })
  await link.focus()
  await page.keyboard.press('Enter')
  await page.waitForURL((u) => u.searchParams.get('area') === township.code)
  const town = await figuresMatchApi(page)
  check(town.area.code === township.code && town.figures.received === township.figures.received,
    `${township.name} received ${town.figures.received} on its own page, ${township.figures.received} in the county's table`)
  const crumbs = (await page.locator('.dashboard-crumbs li').allTextContents()).map((s) => s.trim())
  check(JSON.stringify(crumbs) === JSON.stringify([county.area.name, township.name]), `breadcrumb ${crumbs}`)
  await shot(page, 'dashboard-township-1920x1080')
  await page.locator('.dashboard-crumbs a').filter({ hasText: county.area.name }).click()
  await page.waitForURL((u) => !u.searchParams.has('area'))
  await figuresMatchApi(page)

  console.log('leader: the last 30 days, then petitions only')
  await page.locator('.dashboard-presets').getByText('近30天').click()
  await page.waitForURL((u) => u.searchParams.has('from'))
  const month = await figuresMatchApi(page)
  check(month.period.interval === 'day', `the last 30 days are split by ${month.period.interval}`)
  await page.locator('.dashboard-select').first().click()
  await page.locator('.el-select-dropdown__item').filter({ hasText: '信访' }).click()
  await page.waitForURL((u) => u.searchParams.get('kind') === 'petition')
  await figuresMatchApi(page)
  await shot(page, 'dashboard-petitions-last-30-days')

  console.log('leader: an overdue case\'s number opens the case')
  await page.goto(`${base}/dashboard`)
  await figuresMatchApi(page)
  const first = page.locator('[data-list="overdue"] .case-number').first()
  if (await first.count()) {
    const number = (await first.textContent()).trim()
    await first.click()
    await page.waitForURL(new RegExp(`/staff/cases/${number}$`))
    await page.getByText(number).first().waitFor()
    console.log('leader: back to the dashboard from the workbench\'s menu')
    await page.getByRole('menuitem', { name: '数据驾驶舱' }).click()
    await page.waitForURL((u) => u.pathname === '/dashboard')
    await figuresMatchApi(page)
  } else {
    console.log('  (no overdue case in the demo county)')
  }

  console.log('leader: an area outside the scope typed by hand')
  await page.goto(`${base}/dashboard?area=3601`)
  await page.getByRole('alert').filter({ hasText: '您的辖区内没有区划 3601' }).waitFor()
  check((await page.locator('[data-figure]').count()) === 0, 'figures shown beside the error')
  await shot(page, 'dashboard-out-of-scope')

  console.log('leader: on a laptop, 1366×768 and 1440×900 in English')
  await page.setViewportSize({ width: 1366, height: 768 })
  await page.goto(`${base}/dashboard`)
  await figuresMatchApi(page)
  await shot(page, 'dashboard-county-1366x768')
  await shot(page, 'dashboard-county-1366x768-full', true)
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.getByRole('button', { name: 'English', exact: true }).click()
  await page.locator('[data-figure="received"] .headline-label').filter({ hasText: 'Received' }).waitFor()
  await shot(page, 'dashboard-county-1440x900-en')
  await page.getByRole('button', { name: '中文', exact: true }).click()
  await page.locator('[data-figure="received"] .headline-label').filter({ hasText: '收件量' }).waitFor()

  const violations = await cspViolations(page)
  check(violations.length === 0, `Content-Security-Policy violations: ${violations.join('; ')}`)
})

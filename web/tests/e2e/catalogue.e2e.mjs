// The administrators' catalogue pages end to end in Debian's Chromium against the real `jiceng`
// binary on a fresh SQLite database (`jiceng demo`, no demo cases):
//   an operator sees no catalogue in the menu and is turned away from its address; the
//   administrator signs in with the second factor and lands on it, adds a subcategory and a
//   routing rule for it (county level, a department, two keywords), finds the rule by keyword;
//   edits the subcategory in one tab while a second tab of the same record, now stale, is refused
//   with the conflict message (412), loads the latest version and saves; retires it; sees the
//   pages in English; and at a phone's width, the tables and a form. Every write checked over
//   the API too. No script error and no Content-Security-Policy violation on any page.
//
//   node tests/e2e/catalogue.e2e.mjs JICENG_BINARY ARTIFACTS_DIR
//
// Screenshots go to ARTIFACTS_DIR (look at them). Exits 1 on the first failure.
import { resolve } from 'node:path'
import { startDemoServer } from './demo-server.mjs'
import { check, demoPassword, demoTotpSecret, desk, launchBrowser, newPage, runScenario, screenshots, staffSignIn } from './support.mjs'

const [binaryArg, artifactsArg] = process.argv.slice(2)
if (!binaryArg || !artifactsArg) {
  console.error('usage: catalogue.e2e.mjs JICENG_BINARY ARTIFACTS_DIR')
  process.exit(2)
}
const shot = screenshots(resolve(artifactsArg))
const browser = await launchBrowser()
const server = await startDemoServer(resolve(binaryArg), { cases: 0 })
const base = server.base
const password = (user) => demoPassword(user, undefined, server.accounts)
const problems = []

async function getJson(path) {
  const res = await fetch(`${base}${path}`, { headers: { Accept: 'application/json' } })
  check(res.ok, `GET ${path}: ${res.status}`)
  return res.json()
}

/** Opens the Element Plus select at selector (its input or itself), types typed, picks the option with
 *  text, and waits until the select shows it (a pick that did not take fails here, by name). */
async function choose(page, selector, text, typed) {
  const target = page.locator(selector).first()
  const isSelect = await target.evaluate((e) => e.classList.contains('el-select'))
  const select = isSelect ? target : page.locator('.el-select').filter({ has: target }).first()
  await select.click()
  if (typed) await page.keyboard.type(typed)
  const option = page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first()
  await option.waitFor()
  await settled(page) // an option clicked while the list still zooms in can be lost
  await option.click()
  await settled(page)
  try {
    await select.filter({ hasText: text }).waitFor({ timeout: 5000 })
  } catch {
    throw new Error(`${selector} shows "${await select.textContent()}" after choosing ${text}`)
  }
}

/** Waits until the page's transitions have ended (a dialog opening: a select clicked while it
 *  still moves may open and close again at once). Endless animations (spinners) are left out. */
const settled = (page) =>
  page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime))
        .map((a) => a.finished.catch(() => undefined)),
    ),
  )

/** Waits for the dialog to be open and still. */
async function opened(page, dialog) {
  await dialog.waitFor()
  await settled(page)
}

/** Records which request a 5xx answered (the console only says that one did). */
const watchServerErrors = (page) =>
  page.on('response', (r) => r.status() >= 500 && problems.push(`${r.status()} from ${r.request().method()} ${r.url()}`))

/** The open catalogue dialog with class kind (category-dialog, rule-dialog, unit-dialog). */
const dialogOf = (page, kind) => page.locator(`.el-dialog.${kind}`)

await runScenario('catalogue e2e', { browser, shot, server }, async () => {
  console.log('operator: no catalogue in the menu, and its address leads to the case list')
  const op = await newPage(browser, desk, problems)
  watchServerErrors(op)
  await op.goto(`${base}/staff/sign-in`)
  await staffSignIn(op, 'demo.operator', password('demo.operator'))
  await op.locator('.workbench-menu').waitFor()
  check((await op.locator('[data-menu="catalogue"]').count()) === 0, 'the operator sees the catalogue in the menu')
  await op.goto(`${base}/staff/catalogue/rules`)
  await op.waitForURL((u) => u.pathname === '/staff')
  await op.locator('.queue-table').waitFor()
  check((await op.locator('.catalogue-page').count()) === 0, 'the operator reached the catalogue page')
  await shot(op, 'operator-no-catalogue')
  await op.context().close()

  console.log('admin: signs in with the second factor and lands on the catalogue')
  const admin = await newPage(browser, desk, problems)
  watchServerErrors(admin)
  await admin.goto(`${base}/staff`)
  await admin.waitForURL(/\/staff\/sign-in/)
  await staffSignIn(admin, 'demo.admin', password('demo.admin'), { totpSecret: demoTotpSecret('demo.admin', server.accounts) })
  await admin.waitForURL(/\/staff\/catalogue$/)
  await admin.locator('.category-table .el-table__row').first().waitFor()
  check((await admin.locator('[data-menu="catalogue"]').count()) === 1, 'the administrator has no catalogue menu entry')
  check((await admin.locator('.workbench-menu').getByText('我的待办').count()) === 0, 'the administrator is offered the case list')
  await shot(admin, 'categories', true)

  const before = (await getJson('/api/v1/categories')).items
  const parent = before.find((c) => c.parent_code === null && c.active)
  const code = `${parent.code}.e2e${String(Date.now() % 1e6)}`
  console.log(`admin: adds ${code} under ${parent.name_zh}`)
  await admin.click(`[data-add-child="${parent.code}"]`)
  const cd = dialogOf(admin, 'category-dialog')
  await opened(admin, cd)
  check((await cd.locator('#cat-code').inputValue()) === `${parent.code}.`, 'a subcategory\'s code does not start with its parent\'s')
  await cd.locator('#cat-code').fill(code)
  await cd.locator('#cat-name_zh').fill('夜间施工噪声')
  await cd.locator('#cat-name_en').fill('Night-time building noise')
  await cd.locator('#cat-amount').fill('3')
  await choose(admin, '.category-dialog .limit-unit', '自然日')
  await choose(admin, '#cat-level', '县（区）')
  await shot(admin, 'category-form')
  await cd.locator('button.send').click()
  await cd.waitFor({ state: 'hidden' })
  const row = admin.locator('.category-table .el-table__row').filter({ hasText: '夜间施工噪声' })
  await row.waitFor()
  check((await row.textContent()).includes('3 自然日'), `the new row: ${await row.textContent()}`)
  const made = await getJson(`/api/v1/categories/${code}`)
  check(made.parent_code === parent.code && made.time_limit.amount === 3 && made.time_limit.unit === 'calendar_days' && made.routing_level === 'county',
    `the category as stored: ${JSON.stringify(made)}`)

  console.log('admin: adds a routing rule for it')
  await admin.getByRole('tab', { name: '派单规则' }).click()
  await admin.waitForURL(/\/staff\/catalogue\/rules$/)
  await admin.locator('.rule-table').waitFor()
  const rulesBefore = (await getJson('/api/v1/routing-rules')).items.length
  await admin.click('.add-rule')
  const rd = dialogOf(admin, 'rule-dialog')
  await opened(admin, rd)
  await choose(admin, '#rule-kind', '群众诉求')
  await choose(admin, '#rule-category', '夜间施工噪声', '夜间施工')
  await choose(admin, '#rule-level', '县（区）')
  await rd.locator('#rule-keywords').fill('工地，凌晨')
  await rd.locator('#rule-department').fill('住建局')
  await shot(admin, 'rule-form')
  await rd.locator('button.send').click()
  await rd.waitFor({ state: 'hidden' })
  const rules = (await getJson('/api/v1/routing-rules')).items
  check(rules.length === rulesBefore + 1, `${rules.length} rules after adding one to ${rulesBefore}`)
  const rule = rules.find((r) => r.category_code === code)
  check(rule && rule.kind === 'demand' && rule.level === 'county' && rule.department === '住建局' && rule.keywords.join() === '工地,凌晨',
    `the rule as stored: ${JSON.stringify(rule)}`)
  await admin.fill('#rf-text', '凌晨')
  const ruleRow = admin.locator('.rule-table .el-table__row')
  await ruleRow.filter({ hasText: '住建局' }).waitFor()
  check((await ruleRow.count()) === 1, `the keyword filter shows ${await ruleRow.count()} rules`)
  await shot(admin, 'rules-filtered', true)

  console.log('admin: a stale second tab of the category is refused with the conflict message')
  await admin.getByRole('tab', { name: '事项分类' }).click()
  await admin.locator(`[data-edit="${code}"]`).click()
  await opened(admin, cd)
  const other = await admin.context().newPage()
  await other.goto(`${base}/staff/catalogue/categories`)
  await other.locator(`[data-edit="${code}"]`).click()
  const od = dialogOf(other, 'category-dialog')
  await opened(other, od)
  await od.locator('#cat-name_zh').fill('夜间施工扰民')
  await od.locator('button.send').click()
  await od.waitFor({ state: 'hidden' })
  await other.close()
  await cd.locator('#cat-name_en').fill('Building noise at night')
  await cd.locator('button.send').click()
  await cd.locator('.conflict').filter({ hasText: '在您打开之后，有人修改了这条记录' }).waitFor()
  await shot(admin, 'category-conflict')
  check((await getJson(`/api/v1/categories/${code}`)).name_en === 'Night-time building noise', 'the stale edit was saved')
  await cd.locator('button.reload').click()
  check((await cd.locator('#cat-name_zh').inputValue()) === '夜间施工扰民', 'the form did not take the latest version')
  await cd.locator('#cat-name_en').fill('Building noise at night')
  await cd.locator('button.send').click()
  await cd.waitFor({ state: 'hidden' })
  const edited = await getJson(`/api/v1/categories/${code}`)
  check(edited.name_zh === '夜间施工扰民' && edited.name_en === 'Building noise at night', `after both edits: ${JSON.stringify(edited)}`)

  console.log('admin: retires it')
  await admin.locator(`[data-retire="${code}"]`).click()
  await admin.locator('.el-message-box').waitFor()
  await admin.locator('.el-message-box__btns .el-button--primary').click()
  await admin.locator(`[data-restore="${code}"]`).waitFor()
  check((await getJson(`/api/v1/categories/${code}`)).active === false, 'the category is still active')

  console.log('admin: retires a unit, still finds it in the list, and brings it back')
  await admin.getByRole('tab', { name: '承办单位' }).click()
  await choose(admin, '#unit-place', '邓埠', '邓埠')
  const unitRow = admin.locator('.unit-table .el-table__row').filter({ hasText: '邓埠街道办事处' })
  await unitRow.waitFor()
  const unitId = await unitRow.locator('[data-edit-unit]').getAttribute('data-edit-unit')
  const ud = dialogOf(admin, 'unit-dialog')
  const toggleUnit = async () => {
    await unitRow.locator('[data-edit-unit]').click()
    await opened(admin, ud)
    await ud.locator('.el-switch').click()
    await ud.locator('button.send').click()
    await ud.waitFor({ state: 'hidden' })
  }
  await toggleUnit()
  await unitRow.filter({ hasText: '已停用' }).waitFor()
  check((await getJson(`/api/v1/units/${unitId}`)).active === false, 'the unit is still active')
  await shot(admin, 'unit-retired')
  await toggleUnit()
  await unitRow.filter({ hasText: '启用' }).waitFor()
  check((await getJson(`/api/v1/units/${unitId}`)).active === true, 'the unit was not brought back')
  await admin.getByRole('tab', { name: '事项分类' }).click()

  console.log('admin: the pages in English')
  await admin.getByRole('button', { name: 'English', exact: true }).click()
  await admin.getByRole('tab', { name: 'Categories' }).waitFor()
  await admin.locator('.category-table').getByText('Retired').first().waitFor()
  await shot(admin, 'categories-en')
  await admin.getByRole('tab', { name: 'Routing rules' }).click()
  await admin.locator('.rule-table .el-table__row').first().waitFor()
  await admin.waitForTimeout(400) // the tabs' bar slides to the new tab
  await shot(admin, 'rules-en')
  await admin.getByRole('button', { name: '中文', exact: true }).click()

  console.log('admin: at a phone\'s width')
  await admin.setViewportSize({ width: 390, height: 844 })
  await admin.goto(`${base}/staff/catalogue/categories`)
  await admin.locator('.category-table .el-table__row').first().waitFor()
  await shot(admin, 'phone-categories')
  await admin.getByRole('tab', { name: '派单规则' }).click()
  await admin.locator('.rule-table .el-table__row').first().waitFor()
  await admin.waitForTimeout(400)
  await shot(admin, 'phone-rules')
  await admin.click('.add-rule')
  await opened(admin, rd)
  await shot(admin, 'phone-rule-form')
  await rd.getByRole('button', { name: '取消' }).click()
  await admin.getByRole('tab', { name: '承办单位' }).click()
  await choose(admin, '#unit-place', '邓埠', '邓埠')
  await admin.locator('.unit-table .el-table__row').first().waitFor()
  await shot(admin, 'phone-units')
  await admin.locator('[data-edit-unit]').first().click()
  await opened(admin, dialogOf(admin, 'unit-dialog'))
  await shot(admin, 'phone-unit-form')

  check(problems.length === 0, `problems on the pages:\n${problems.join('\n')}`)
})

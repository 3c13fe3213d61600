// End to end through the staff workbench in Debian's Chromium (never a downloaded browser),
// against a real jiceng server with the demo accounts (`jiceng demo`):
//   the operator signs in (after a wrong password), registers a phone call by keyboard, finds it
//   in the queue, opens it, accepts it — while a second, stale tab of the same case is refused
//   with the conflict message — and assigns it to 邓埠街道办事处 within 48 hours; the township handler opens it,
//   is refused a case outside the township ("not found"), resolves it with a written reply, sees
//   the page in English, signs in again when the session ends and lands back on the case, and
//   opens the print view of the reply letter (saved as an A4 PDF too). Then a petition letter,
//   registered and accepted over the API, gets its written notice of acceptance (受理告知书,
//   信访工作条例 Art. 23) from the case page, printed to PDF.
// Screenshots of every main page go to $JICENG_ARTIFACTS (look at them).
//
// Environment: JICENG_URL, JICENG_ACCOUNTS (or JICENG_OPERATOR_PASSWORD and
// JICENG_HANDLER_PASSWORD), JICENG_ARTIFACTS and CHROMIUM, as in support.mjs.
import { join } from 'node:path'
import {
  apiPost, apiSession, artifactsDir, baseUrl, check, demoPassword, desk, launchBrowser, newPage, runScenario, screenshots, staffAssign,
  staffCommand as command, staffSignIn as signIn, staffStateIs as stateIs,
} from './support.mjs'

const base = baseUrl()
const operatorPassword = demoPassword('demo.operator', 'JICENG_OPERATOR_PASSWORD')
const handlerPassword = demoPassword('demo.handler', 'JICENG_HANDLER_PASSWORD')
const artifacts = artifactsDir('jiceng-staff-e2e-')
const shot = screenshots(artifacts)
const browser = await launchBrowser()

await runScenario('staff e2e', { browser, shot }, async () => {
  console.log('operator: sign-in, wrong password first')
  const op = await newPage(browser, desk)
  await op.goto(`${base}/staff`)
  await op.waitForURL(/\/staff\/sign-in/)
  await shot(op, 'sign-in')
  await signIn(op, 'demo.operator', 'not-the-password', { expectFailure: true })
  await shot(op, 'sign-in-wrong-password')
  await signIn(op, 'demo.operator', operatorPassword)
  await op.locator('.queue-table .el-table__row').first().waitFor()
  const started = Date.now()
  await op.waitForFunction(() => !document.body.innerText.includes('正在读取辖区地名'))
  console.log(`  the places of the scope indexed in ${Date.now() - started} ms`)
  await shot(op, 'queue')
  // On a 1,366 px laptop the queue shows every column without sideways scrolling, each deadline's
  // moment under its countdown.
  await op.setViewportSize({ width: 1366, height: 768 })
  const overflow = () => op.evaluate(() => {
    const wrap = document.querySelector('.queue-table .el-table__body-wrapper .el-scrollbar__wrap')
    return wrap ? wrap.scrollWidth - wrap.clientWidth : -1
  })
  // The table lays itself out again a moment after the window changes size.
  const deadline = Date.now() + 5000
  while ((await overflow()) !== 0 && Date.now() < deadline) await op.waitForTimeout(100)
  check((await overflow()) === 0, `the queue scrolls sideways at 1,366 px by ${await overflow()} px`)
  const deadlines = await op.locator('.queue-table [data-testid=deadline]').allInnerTexts()
  check(deadlines.length > 0 && deadlines.every((d) => /^\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d$/.test(d)),
    `deadlines under the countdowns: ${deadlines.slice(0, 3).join(', ')}`)
  await shot(op, 'queue-1366')
  await op.setViewportSize(desk.viewport)

  console.log('operator: registers a call by keyboard')
  await op.click('text=来件登记')
  await op.waitForURL(/\/staff\/register/)
  await op.locator('.register-form').waitFor()
  await op.click('#r-category')
  await op.keyboard.type('ld')
  await op.locator('.el-select-dropdown__item').filter({ hasText: '路灯' }).first().waitFor()
  await op.keyboard.press('Enter')
  await op.click('#r-place')
  await op.keyboard.type('yj zqsq')
  await op.locator('.el-select-dropdown__item').filter({ hasText: '邓埠街道' }).first().waitFor()
  await op.keyboard.press('Enter')
  await op.click('#r-description')
  await op.keyboard.type('来电反映：站前社区建设路 12 号门前路灯已连续三晚不亮，夜间出行不便，请尽快维修。')
  await op.keyboard.press('Tab')
  await op.keyboard.press('Tab')
  await op.keyboard.type('建设路 12 号')
  await op.keyboard.press('Tab')
  await op.keyboard.press('Tab')
  await op.keyboard.type('李建国')
  await op.keyboard.press('Tab')
  // A new caller each run: the same person reporting the same matter again joins the open case.
  await op.keyboard.type(`139${String(Date.now() % 1e8).padStart(8, '0')}`)
  await shot(op, 'register-filled')
  await op.keyboard.press('Enter')
  await op.getByText('登记成功').waitFor()
  const number = (await op.locator('.done-facts .mono').first().textContent()).trim()
  check(/^\d{6}-\d{4}-\d{6}$/.test(number), `no case number after registering: ${number}`)
  console.log(`  registered ${number}`)
  await shot(op, 'register-done')

  console.log('operator: finds it in the queue and opens it')
  await op.goto(`${base}/staff?state=registered&place=360603001001`)
  const row = op.locator('.queue-table .el-table__row').filter({ hasText: number })
  await row.waitFor()
  await shot(op, 'queue-filtered')
  await row.click()
  await op.waitForURL(new RegExp(`/staff/cases/${number}$`))
  await stateIs(op, '已登记')
  const buttons = await op.locator('[data-command]').evaluateAll((els) => els.map((e) => e.dataset.command))
  check(buttons.includes('accept') && buttons.includes('assign') === false, `registered case offers ${buttons}`)
  await shot(op, 'case-registered', true)

  console.log('operator: a stale second tab is refused with the conflict message')
  const stale = await op.context().newPage()
  await stale.goto(`${base}/staff/cases/${number}`)
  await stateIs(stale, '已登记')
  await command(op, 'accept')
  await stateIs(op, '已受理')
  const staleDialog = await command(stale, 'decline', async (d) => {
    await d.locator('#cmd-note').fill('重复来电')
  })
  await staleDialog.locator('.conflict').filter({ hasText: '有人在您打开之后修改了这个案件' }).waitFor()
  await shot(stale, 'case-conflict')
  await staleDialog.locator('button.reload').click()
  await stateIs(stale, '已受理')
  await stale.close()

  // 转送 goes to the competent body of another place: the form lists that place's units.
  console.log('operator: a transfer lists the units of the place chosen, then is cancelled')
  await op.click('[data-command="transfer"]')
  const transfer = op.locator('.el-dialog').filter({ has: op.locator('.command-form') })
  await transfer.waitFor()
  await transfer.locator('#cmd-transfer_place').click()
  await op.keyboard.type('花园街道')
  await op.locator('.el-select-dropdown__item:visible').filter({ hasText: '花园街道' }).first().click()
  await transfer.locator('#cmd-unit_id').click()
  await op.locator('.el-select-dropdown__item:visible').filter({ hasText: '花园街道' }).first().waitFor()
  await shot(op, 'transfer-other-place')
  await op.keyboard.press('Escape')
  if (await transfer.isVisible()) await transfer.getByRole('button', { name: '取消' }).click()
  await transfer.waitFor({ state: 'hidden' })

  // 48 hours always end before the category's 7 calendar days, whatever holiday is near.
  console.log('operator: assigns it to 邓埠街道办事处 within 48 hours')
  await staffAssign(
    op,
    { search: '邓埠街道', unit: '邓埠街道办事处', note: '请属地核实后维修', limit: { amount: 48, unitLabel: '小时' } },
    () => shot(op, 'assign-form'),
  )
  await stateIs(op, '已交办')
  await op.locator('.staff-timeline').getByText('交办').first().waitFor()
  await op.locator('.staff-timeline').getByText('限 48 小时内办结').first().waitFor()
  await op.locator('.clock-limit').filter({ hasText: '48 小时' }).waitFor()
  await shot(op, 'case-assigned', true)

  console.log('handler: a case outside the township is "not found"')
  const h = await newPage(browser, desk)
  await h.goto(`${base}/staff/cases/${encodeURIComponent(number)}`)
  await h.waitForURL(/\/staff\/sign-in\?redirect=/)
  await signIn(h, 'demo.handler', handlerPassword)
  await h.waitForURL(new RegExp(`/staff/cases/${number}$`))
  await stateIs(h, '已交办')
  await h.goto(`${base}/staff/cases/360681-2026-000001`)
  await h.getByText('没有找到该案件，或不在您的管辖范围内').waitFor()
  await shot(h, 'case-out-of-scope')

  console.log('handler: resolves with a written reply')
  await h.goto(`${base}/staff/cases/${number}`)
  await stateIs(h, '已交办')
  const empty = await command(h, 'resolve')
  await empty.locator('[data-field="reply"] .el-form-item__error').waitFor()
  await shot(h, 'resolve-reply-required')
  await empty.locator('#cmd-reply').fill(
    '经我街道办事处会同城管所现场核查，建设路 12 号门前路灯因线路老化短路熄灭。\n' +
      '我办已于当日安排维修人员更换线缆和灯具，路灯现已恢复正常照明。\n' +
      '感谢您对城市管理工作的关心和支持。',
  )
  await empty.locator('button.send').click()
  await stateIs(h, '已办结')
  await shot(h, 'case-resolved', true)

  console.log('handler: the same page in English')
  await h.getByRole('button', { name: 'English', exact: true }).click()
  await h.getByRole('heading', { name: /Case file/ }).waitFor()
  await stateIs(h, 'Answered')
  await shot(h, 'case-resolved-en', true)
  await h.getByRole('button', { name: '中文', exact: true }).click()
  await stateIs(h, '已办结')

  console.log('handler: the session ends; sign in again and come back')
  await h.context().clearCookies()
  await h.getByRole('button', { name: '刷新' }).click()
  await h.waitForURL(/\/staff\/sign-in\?.*expired=1/)
  await h.getByText('登录已过期，请重新登录').first().waitFor()
  await shot(h, 'session-expired')
  await signIn(h, 'demo.handler', handlerPassword)
  await h.waitForURL(new RegExp(`/staff/cases/${number}$`))
  await stateIs(h, '已办结')

  console.log('handler: the reply letter, printed')
  await h.click('text=打印答复意见书')
  await h.waitForURL(new RegExp(`/staff/cases/${number}/letter$`))
  await h.locator('.letter-title').waitFor()
  const title = await h.locator('.letter-title').textContent()
  check(title.includes('邓埠街道办事处') && title.includes('答复意见书'), `letter title: ${title}`)
  await shot(h, 'reply-letter', true)
  // The printable width of A4 inside the GB/T 9704 margins (156 mm at 96 dpi).
  await h.setViewportSize({ width: 590, height: 850 })
  await h.emulateMedia({ media: 'print' })
  await shot(h, 'reply-letter-print-media')
  await h.pdf({ path: join(artifacts, 'reply-letter.pdf'), format: 'A4', preferCSSPageSize: true })
  console.log(`  pdf ${join(artifacts, 'reply-letter.pdf')}`)

  console.log('operator: a petition letter, accepted, and its written notice of acceptance')
  const api = await apiSession(base, 'demo.operator', operatorPassword)
  const post = (path, body, headers) => apiPost(base, api, path, body, headers)
  const petition = await post('/api/v1/cases', {
    kind: 'petition', channel: 'letter', category: 'land.compensation', place: '360603001001',
    name: '李信访', contact: '江西省鹰潭市余江区邓埠镇建设路 8 号', description: '征地补偿款至今未发放到户。',
  })
  await post(`/api/v1/cases/${petition.number}/commands/accept`, { note: '材料齐全，予以受理' }, { 'If-Match': `"${petition.version}"` })
  await op.goto(`${base}/staff/cases/${petition.number}`)
  await op.getByTestId('print-accept').click()
  await op.waitForURL(new RegExp(`/staff/cases/${petition.number}/letter/accept$`))
  const notice = op.locator('.letter[data-kind="accept"]')
  await notice.waitFor()
  const noticeText = await notice.textContent()
  check(noticeText.includes('信访事项受理告知书') && noticeText.includes('李信访：') && noticeText.includes('六十日内办结'),
    `notice of acceptance: ${noticeText}`)
  check(!noticeText.includes('材料齐全'), 'the acceptance note is internal, not part of the notice')
  await shot(op, 'notice-of-acceptance', true)
  await op.pdf({ path: join(artifacts, 'notice-of-acceptance.pdf'), format: 'A4', preferCSSPageSize: true })
})

// The whole way of one demand, end to end in Debian's Chromium against the real `jiceng` binary
// on a fresh SQLite database (`jiceng demo`, no demo cases):
//   a resident on a phone is refused a wrong password, signs up (a common password refused
//   beside its field), submits a demand signed in and finds it under "my cases" — and a case
//   that is not theirs, typed by hand, reads "not found"; an operator at a desk accepts it and
//   assigns it to the township (邓埠街道办事处); the township's handler resolves it with a
//   written reply; the resident rates the answer 满意 from "my cases"; and the leader's
//   dashboard (/dashboard?area= the township, today) counts it: its headline figures show one
//   more received, resolved and satisfied case than before the demand, as GET /api/v1/stats
//   does. No script error and no Content-Security-Policy violation on any page.
//
//   node tests/e2e/flow.e2e.mjs JICENG_BINARY ARTIFACTS_DIR
//
// Screenshots of every page go to ARTIFACTS_DIR (look at them). Exits 1 on the first failure.
import { resolve } from 'node:path'
import { startDemoServer } from './demo-server.mjs'
import {
  apiSession, check, dashboardHeadlines, dashboardSettled, demoPassword, desk, expectedHeadlines, launchBrowser,
  newPage as newPageOf, phone, runScenario, screenshots, staffAssign, staffCommand, staffSignIn, staffStateIs,
} from './support.mjs'

const [binaryArg, artifactsArg] = process.argv.slice(2)
if (!binaryArg || !artifactsArg) {
  console.error('usage: flow.e2e.mjs JICENG_BINARY ARTIFACTS_DIR')
  process.exit(2)
}
const shot = screenshots(resolve(artifactsArg))
const browser = await launchBrowser()
const server = await startDemoServer(resolve(binaryArg), { cases: 0 })
const base = server.base
const password = (user) => demoPassword(user, undefined, server.accounts)

/** Today in China Standard Time, as the dashboard's periods are given. */
const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' })

/** GET /api/v1/stats of an area for today, as the leader's dashboard asks it. */
async function statsOf(leader, area) {
  const res = await fetch(`${base}/api/v1/stats?area=${area}&from=${today}&to=${today}`, {
    headers: { Cookie: leader.cookie, Accept: 'application/json' },
  })
  if (!res.ok) throw new Error(`GET /api/v1/stats: ${res.status} ${await res.text()}`)
  return res.json()
}

/**
 * Checks that the dashboard page shows the headline figures of stats; resolves to the received,
 * resolved and satisfied counts it shows (the last from the satisfaction rate's explanation).
 */
async function dashboardShows(page, stats) {
  await dashboardSettled(page, stats.area.name)
  const shown = await dashboardHeadlines(page)
  const want = expectedHeadlines(stats)
  for (const [key, value] of Object.entries(want)) {
    check(shown[key]?.value === value, `the dashboard's ${key}: ${shown[key]?.value}, the API's ${value}`)
  }
  const number = (text) => Number(text.replaceAll(',', ''))
  const satisfied = /满意和基本满意 ([\d,]+) \/ 评价 ([\d,]+)/.exec(shown['rate.satisfaction'].help)
  check(satisfied, `the satisfaction rate's explanation: ${shown['rate.satisfaction'].help}`)
  return { received: number(shown.received.value), resolved: number(shown.resolved.value), satisfied: number(satisfied[1]) }
}

const problems = []
const newPage = async (options) => {
  const page = await newPageOf(browser, options, problems)
  page.setDefaultTimeout(20_000)
  return page
}

await runScenario('flow e2e', { browser, shot, server }, async () => {
  const leader = await apiSession(base, 'demo.leader', password('demo.leader'))
  const township = (await apiSession(base, 'demo.handler', password('demo.handler'))).user.scope
  check(/^\d{9}$/.test(township ?? ''), `the handler's scope is a township: ${township}`)
  const before = await statsOf(leader, township)

  console.log('leader: the township on the dashboard, today, before the demand')
  const l = await newPage(desk)
  const dashboard = `${base}/dashboard?area=${township}&from=${today}&to=${today}`
  await l.goto(dashboard)
  await l.waitForURL(/\/staff\/sign-in\?redirect=/)
  await staffSignIn(l, 'demo.leader', password('demo.leader'))
  await l.waitForURL((u) => u.pathname === '/dashboard' && u.searchParams.get('area') === township)
  const shownBefore = await dashboardShows(l, before)
  console.log(`  shown: ${JSON.stringify(shownBefore)}`)
  await shot(l, 'leader-dashboard-township-before')

  // Someone else's case, filed without an account in another county (月湖区).
  const foreign = await fetch(`${base}/api/v1/cases`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'demand', category: 'urban.road', place: '360602', description: '别人反映的道路坑洼问题', anonymous: true }),
  })
  if (foreign.status !== 201) throw new Error(`an anonymous case: ${foreign.status} ${await foreign.text()}`)
  const foreignNumber = (await foreign.json()).number

  console.log('resident: "my cases" asks to sign in; a wrong password is refused')
  const phonePage = await newPage(phone)
  const r = phonePage
  await r.goto(`${base}/my`)
  await r.waitForURL(/\/account\/sign-in\?redirect=/)
  await r.locator('input[name="username"]').fill('13800138000')
  await r.locator('input[name="password"]').fill('not-the-password')
  await r.getByRole('button', { name: '登录' }).click()
  await r.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor()
  await shot(r, 'resident-sign-in-wrong-password', true)

  console.log('resident: signs up (a common password is refused beside its field)')
  await r.getByRole('link', { name: '注册一个' }).click()
  await r.waitForURL(/\/account\/sign-up\?redirect=/)
  const username = `139${String(Date.now() % 1e8).padStart(8, '0')}`
  await r.locator('input[name="username"]').fill(username)
  await r.locator('input[name="password"]').fill('12345678')
  await r.locator('input[name="display_name"]').fill('李秀英')
  await r.getByRole('button', { name: '注册并登录' }).click()
  const passwordError = r.locator('.van-field', { has: r.locator('input[name="password"]') }).locator('.van-field__error-message')
  await passwordError.waitFor()
  check((await passwordError.textContent()).includes('常见'), `the password's error: ${await passwordError.textContent()}`)
  await shot(r, 'resident-sign-up-common-password', true)
  await r.locator('input[name="password"]').fill('Spring rain over Yingtan 2026')
  await r.getByRole('button', { name: '注册并登录' }).click()
  await r.waitForURL(`${base}/my`)
  await r.getByText('李秀英，您好').waitFor()
  await r.getByText('您还没有登录后提交过诉求').waitFor()
  await shot(r, 'resident-my-cases-empty', true)

  console.log('resident: a case that is not theirs, typed by hand, is "not found"')
  await r.goto(`${base}/my/${foreignNumber}`)
  await r.getByText('没有找到这件诉求，或它不是您的账号提交的。').waitFor()
  await shot(r, 'resident-my-case-not-found', true)

  console.log('resident: submits a demand, signed in')
  await r.goto(`${base}/my`)
  await r.locator('.van-empty').getByRole('button', { name: '我要反映' }).click()
  await r.waitForURL(`${base}/submit`)
  await r.getByTestId('signed-in-note').filter({ hasText: '李秀英' }).waitFor()
  await r.locator('.van-field', { has: r.locator('input[name="category"]') }).click()
  await r.getByPlaceholder('搜索分类').fill('路灯')
  await r.locator('.category-option', { hasText: '路灯照明' }).click()
  await r.locator('.van-field', { has: r.locator('textarea[name="place"]') }).click()
  await r.getByPlaceholder('输入地名或拼音首字母').fill('站前社区')
  await r.locator('.place-result', { hasText: '邓埠街道' }).first().click()
  const place = await r.locator('textarea[name="place"]').inputValue()
  check(place.includes('邓埠街道 / 站前社区'), `the place: ${place}`)
  await r.locator('textarea[name="description"]').fill('站前社区建设路 12 号门前的路灯已经三个晚上不亮了，老人晚上出门很不方便，请尽快修理。')
  await r.locator('input[name="name"]').fill('李秀英')
  await r.locator('input[name="contact"]').fill(username)
  await r.locator('.van-popup').waitFor({ state: 'hidden' })
  await shot(r, 'resident-submit-signed-in', true)
  await r.getByRole('button', { name: '提交' }).click()
  await r.getByText('提交成功').waitFor()
  const number = (await r.locator('.done-number .van-cell__value').textContent()).trim()
  check(/^360603-\d{4}-\d{6}$/.test(number), `the case number: ${number}`)
  console.log(`  submitted ${number}`)
  await shot(r, 'resident-submitted', true)
  await r.getByRole('button', { name: '在“我的诉求”中查看' }).click()
  await r.waitForURL(`${base}/my/${number}`)
  await r.getByTestId('case-state').filter({ hasText: '已登记' }).waitFor()
  await r.getByTestId('case-description').filter({ hasText: '三个晚上不亮' }).waitFor()
  await shot(r, 'resident-my-case-registered', true)
  await r.goto(`${base}/my`)
  await r.locator(`.my-case[data-number="${number}"]`).waitFor()
  await shot(r, 'resident-my-cases', true)

  console.log('operator: accepts it and assigns it to the township')
  const op = await newPage(desk)
  await op.goto(`${base}/staff/cases/${number}`)
  await op.waitForURL(/\/staff\/sign-in\?redirect=/)
  await staffSignIn(op, 'demo.operator', password('demo.operator'))
  await op.waitForURL(new RegExp(`/staff/cases/${number}$`))
  await staffStateIs(op, '已登记')
  await staffCommand(op, 'accept')
  await staffStateIs(op, '已受理')
  await staffAssign(op, { search: '邓埠街道', unit: '邓埠街道办事处', note: '请属地核实后维修' })
  await staffStateIs(op, '已交办')
  await shot(op, 'operator-case-assigned', true)

  console.log('handler: resolves it with a written reply')
  const h = await newPage(desk)
  await h.goto(`${base}/staff/cases/${number}`)
  await h.waitForURL(/\/staff\/sign-in\?redirect=/)
  await staffSignIn(h, 'demo.handler', password('demo.handler'))
  await h.waitForURL(new RegExp(`/staff/cases/${number}$`))
  await staffStateIs(h, '已交办')
  const reply = '经现场核查，建设路 12 号门前路灯因线路老化熄灭，我办已安排更换线缆和灯具，现已恢复照明。感谢您的监督。'
  await staffCommand(h, 'resolve', async (d) => {
    await d.locator('#cmd-reply').fill(reply)
  })
  await staffStateIs(h, '已办结')
  await shot(h, 'handler-case-resolved', true)

  console.log('resident: sees the reply under "my cases" and rates it 满意')
  await r.goto(`${base}/my/${number}`)
  await r.getByTestId('case-state').filter({ hasText: '已办结' }).waitFor()
  await r.getByTestId('case-reply').filter({ hasText: '线路老化' }).waitFor()
  await r.getByRole('button', { name: '评价答复' }).click()
  await r.locator('.van-radio', { hasText: /^满意$/ }).click()
  await shot(r, 'resident-rating', true)
  await r.getByRole('button', { name: '提交评价' }).click()
  await r.getByTestId('case-state').filter({ hasText: '已回访' }).waitFor()
  await r.getByTestId('case-rating').filter({ hasText: '满意' }).waitFor()
  await r.getByTestId('case-notice').filter({ hasText: '感谢您的评价' }).waitFor()
  await shot(r, 'resident-rated', true)

  console.log('leader: the township\'s figures count it, in the API and on the dashboard')
  const after = await statsOf(leader, township)
  for (const counter of ['received', 'resolved', 'rated', 'satisfied']) {
    const [was, is] = [before.figures[counter], after.figures[counter]]
    check(is === was + 1, `${counter}: ${was} before, ${is} after`)
  }
  check(after.figures.rates.satisfaction === 1 || before.figures.rated > 0, `satisfaction rate: ${after.figures.rates.satisfaction}`)
  await l.reload()
  const shownAfter = await dashboardShows(l, after)
  console.log(`  shown: ${JSON.stringify(shownAfter)}`)
  for (const counter of ['received', 'resolved', 'satisfied']) {
    check(shownAfter[counter] === shownBefore[counter] + 1,
      `the dashboard's ${counter}: ${shownBefore[counter]} before, ${shownAfter[counter]} after`)
  }
  await shot(l, 'leader-dashboard-township-after')

  check(problems.length === 0, problems.join('\n'))
})

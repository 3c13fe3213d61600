// End to end, in headless Chromium (Debian's, driven by playwright-core; no browser is ever
// downloaded): the real `jiceng` binary on a fresh SQLite database set up with `jiceng demo`,
// serving web/dist, and a resident on a phone-sized screen who submits a demand, sees its number
// and tracking code — kept across a reload of the confirmation, and offered on the tracking page
// as submitted from this device — and follows it on the tracking page; the English switch; every
// missing answer pointed out beside its field before sending; a repeat (the same caller about the same matter, which
// the server merges) names the case it is handled in; no Content-Security-Policy violation
// anywhere.
//
//   node tests/e2e/resident.e2e.mjs JICENG_BINARY ARTIFACTS_DIR
//
// Screenshots of every page go to ARTIFACTS_DIR. Prints "N passed, N failed" and exits 1 on a
// failure.
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startDemoServer } from './demo-server.mjs'
import { apiSession, check, demoPassword, launchBrowser, newPage, phone, runScenario, screenshots } from './support.mjs'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const [binaryArg, artifactsArg] = process.argv.slice(2)
if (!binaryArg) {
  console.error('usage: resident.e2e.mjs JICENG_BINARY [ARTIFACTS_DIR]')
  process.exit(2)
}
const artifacts = resolve(artifactsArg ?? join(repo, 'build/web-artifacts'))

const results = []
async function step(name, fn) {
  const started = Date.now()
  try {
    await fn()
    results.push({ name, ok: true })
    console.log(`ok   ${name} (${Date.now() - started} ms)`)
  } catch (e) {
    results.push({ name, ok: false })
    console.log(`FAIL ${name}: ${e instanceof Error ? e.stack : e}`)
  }
}

const numbered = screenshots(artifacts)
const browser = await launchBrowser()
const server = await startDemoServer(resolve(binaryArg))
const base = server.base

await runScenario('resident e2e', { browser, shot: numbered, server }, async () => {
  // Any script error or policy violation fails the run; a 4xx the page handles is expected.
  const problems = []
  const page = await newPage(browser, phone, problems)
  page.setDefaultTimeout(15_000)
  const shot = (name) => numbered(page, name, true)

  await step('home page in Chinese', async () => {
    await page.goto(`${base}/`)
    await page.getByText('您好，有事您说话').waitFor()
    await page.getByText('鹰潭市 群众诉求服务平台').waitFor()
    await shot('home')
  })

  let trackingCode = ''
  const fieldError = (p, selector) => p.locator('.van-field', { has: p.locator(selector) }).locator('.van-field__error-message')

  await step('every missing answer is pointed out beside its field before sending', async () => {
    await page.getByRole('link', { name: /我要反映/ }).first().click()
    await page.waitForURL(`${base}/submit`)
    await page.getByRole('button', { name: '提交' }).click()
    const expected = {
      'input[name="category"]': '请选择诉求分类',
      'textarea[name="place"]': '请选择发生地点',
      'textarea[name="description"]': '请填写诉求内容',
      'input[name="name"]': '请填写姓名',
      'input[name="contact"]': '请填写联系方式',
    }
    for (const [selector, message] of Object.entries(expected)) {
      const error = fieldError(page, selector)
      await error.waitFor()
      check((await error.textContent()) === message, `${selector}'s error: ${await error.textContent()}`)
    }
    await shot('submit-missing')
    await page.locator('.van-field', { has: page.locator('input[name="category"]') }).click()
    await page.getByPlaceholder('搜索分类').fill('路灯')
    await page.locator('.category-option', { hasText: '路灯照明' }).click()
    await page.locator('.van-field', { has: page.locator('textarea[name="place"]') }).click()
    // Pinyin initials find the city; then drill down to a village.
    await page.getByPlaceholder('输入地名或拼音首字母').fill('yt')
    await page.locator('.place-result', { hasText: '鹰潭市' }).first().waitFor()
    await shot('place-search')
    await page.locator('.place-result', { hasText: '鹰潭市' }).first().click()
    await page.locator('.place-child', { hasText: '月湖区' }).click()
    await page.locator('.place-child').first().waitFor()
    await shot('place-drill')
    await page.locator('.place-child').first().click()
    await page.locator('.place-child').first().waitFor()
    await page.locator('.place-child').first().click()
    const place = await page.locator('textarea[name="place"]').inputValue()
    check(place.startsWith('鹰潭市 / 月湖区 / '), `place shows its path: ${place}`)
    await page.locator('input[name="name"]').fill('张三')
    await page.locator('input[name="contact"]').fill('13800138000')
    await page.getByRole('button', { name: '提交' }).click()
    const error = fieldError(page, 'textarea[name="description"]')
    await error.waitFor()
    check((await error.textContent()) === '请填写诉求内容', `the description's error: ${await error.textContent()}`)
    check(!(await fieldError(page, 'textarea[name="place"]').count()), 'the place, now chosen, has no error')
    await shot('submit-error')
  })

  await step('a resident submits a demand and gets its number and tracking code', async () => {
    await page.locator('textarea[name="description"]').fill('小区门口的路灯坏了一个多星期，晚上出行很不方便，请尽快修理。')
    await page.getByText('30/4000').waitFor()
    await page.getByRole('button', { name: '提交' }).click()
    await page.getByText('提交成功').waitFor()
    trackingCode = (await page.getByTestId('tracking-code').textContent()).trim()
    check(/^[0-9A-Z-]{12,16}$/.test(trackingCode), `tracking code: ${trackingCode}`)
    check(await page.getByText(/^3606\d\d-\d{4}-\d{6}$/).isVisible(), 'the case number is shown')
    await shot('submitted')
  })

  await step('the confirmation survives a reload', async () => {
    await page.reload()
    await page.getByText('提交成功').waitFor()
    const code = (await page.getByTestId('tracking-code').textContent()).trim()
    check(code === trackingCode, `the tracking code after a reload: ${code}`)
    await page.getByTestId('saved-on-device').waitFor()
  })

  await step('the tracking page offers the cases submitted from this device', async () => {
    await page.locator('.van-tabbar-item', { hasText: '进度查询' }).click()
    await page.waitForURL(`${base}/track`)
    const list = page.getByTestId('device-cases')
    await list.getByText('本机提交的事项').waitFor()
    await list.getByText('仅保存在这部手机的浏览器中').waitFor()
    const item = page.locator(`.device-case[data-code="${trackingCode}"]`)
    check((await item.textContent()).includes('路灯照明'), `the device's case: ${await item.textContent()}`)
    await shot('track-device-cases')
    await page.goBack()
    await page.getByText('提交成功').waitFor()
  })

  await step('the tracking page shows the state and the timeline', async () => {
    await page.getByRole('button', { name: '查看办理进度' }).click()
    await page.waitForURL(`${base}/track/${trackingCode}`)
    await page.getByTestId('case-state').waitFor()
    check((await page.getByTestId('case-state').textContent()).trim() === '已登记', 'state 已登记')
    await page.locator('.case-timeline').getByText('登记').first().waitFor()
    await page.locator('.countdown-text').waitFor()
    await page.getByRole('button', { name: '申请提级办理' }).waitFor()
    await shot('track')
  })

  await step('English switch', async () => {
    await page.getByRole('button', { name: 'English', exact: true }).click()
    await page.getByTestId('case-state').getByText('Registered').waitFor()
    await page.getByText('Progress').first().waitFor()
    await page.getByText('Handled by').waitFor()
    await shot('track-en')
    await page.goto(`${base}/submit`)
    await page.getByRole('button', { name: 'Submit' }).click()
    const error = fieldError(page, 'input[name="category"]')
    await error.waitFor()
    check((await error.textContent()) === 'Choose a category', `the category's error: ${await error.textContent()}`)
    await shot('submit-en')
    await page.getByRole('button', { name: '中文', exact: true }).click()
    await page.getByRole('button', { name: '提交' }).waitFor()
  })

  await step('a repeat names the case it is handled in', async () => {
    // An operator registers the same caller's call about the same street light twice: the
    // second joins the first (merged), and its tracking page says where it is handled.
    const op = await apiSession(base, 'demo.operator', demoPassword('demo.operator', undefined, server.accounts))
    const register = async () => {
      const res = await fetch(`${base}/api/v1/cases`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: op.cookie, 'X-CSRF-Token': op.csrf, 'Idempotency-Key': crypto.randomUUID() },
        body: JSON.stringify({
          kind: 'demand', channel: 'phone', category: 'urban.lighting', place: '360603001001', anonymous: false,
          name: '王五', contact: '13912345678', description: '来电反映：建设路 8 号门前路灯不亮，已经三天了，请尽快维修。',
        }),
      })
      const body = await res.text()
      check(res.status === 201, `registering: ${res.status} ${body}`)
      return JSON.parse(body)
    }
    const first = await register()
    const repeat = await register()
    check(repeat.repeat_of?.number === first.number, `the second call is not a repeat of ${first.number}: ${JSON.stringify(repeat)}`)
    await page.goto(`${base}/track/${repeat.tracking_code}`)
    const line = page.getByTestId('case-handled-in')
    await line.waitFor()
    check((await line.textContent()).includes(`此事项已并入 ${first.number} 号案件办理`), `the repeat's line: ${await line.textContent()}`)
    await shot('track-repeat')
  })

  await step('an unknown tracking code and an unknown page', async () => {
    await page.goto(`${base}/track/0000-0000-0000`)
    await page.getByText('没有找到这个查询码对应的诉求').waitFor()
    await shot('track-unknown')
    await page.goto(`${base}/no/such/page`)
    await page.getByText('您访问的页面不存在或已移动。').waitFor()
  })

  await step('no script error and no Content-Security-Policy violation', async () => {
    check(problems.length === 0, problems.join('\n'))
  })

  const failed = results.filter((r) => !r.ok).length
  console.log(`screenshots: ${artifacts}`)
  console.log(`${results.length - failed} passed, ${failed} failed`)
  check(failed === 0, `${failed} of ${results.length} steps failed`)
})

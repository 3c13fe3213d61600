// TESTS.md S10, stored XSS, in Debian's headless Chromium against the real `jiceng` binary on a
// fresh demo database: an operator registers a call whose description, address and caller's
// name are attack strings, and accepts it with an attack string as the note (over the API, as
// any client could). Then the pages that show them are opened: the resident's tracking page, the
// staff queue and the case file. No injected script runs (each string would set window.__xss or
// open a dialog), the strings show as the text that was typed, and no script error or
// Content-Security-Policy violation occurs.
//
//   node tests/e2e/xss.e2e.mjs JICENG_BINARY ARTIFACTS_DIR
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startDemoServer } from './demo-server.mjs'
import {
  apiPost, apiSession, check, demoPassword, desk, launchBrowser, newPage, phone, runScenario, screenshots, staffSignIn,
} from './support.mjs'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const [binaryArg, artifactsArg] = process.argv.slice(2)
if (!binaryArg) {
  console.error('usage: xss.e2e.mjs JICENG_BINARY [ARTIFACTS_DIR]')
  process.exit(2)
}
const shot = screenshots(resolve(artifactsArg ?? join(repo, 'build/web-artifacts/xss')))
const browser = await launchBrowser()
const server = await startDemoServer(resolve(binaryArg))
const base = server.base

// Each would set window.__xss, or open a dialog, if it ran.
const description = [
  '路灯不亮',
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=2</script>',
  '"><svg onload="window.__xss=3">',
  "{{constructor.constructor('window.__xss=4')()}}",
  'javascript:window.__xss=5',
].join(' ')
const address = '<iframe src="javascript:window.__xss=6"></iframe>建设路8号'
const name = '<b onmouseover="alert(7)">王五</b>'
const note = '受理。<img src=x onerror="window.__xss=8"> <a href="javascript:alert(9)">点我</a>'
// The photo link: as hostile as a web address can be (the server refuses anything but http and
// https, and characters a URL may not hold); shown as a link that leaves the opener alone.
const mediaUrl = 'https://example.cn/x.jpg?q=%3Cscript%3Ewindow.__xss%3D10%3C%2Fscript%3E#%22onmouseover'

await runScenario('xss e2e', { browser, shot, server }, async () => {
  const op = await apiSession(base, 'demo.operator', demoPassword('demo.operator', undefined, server.accounts))
  const send = (path, body, headers) => apiPost(base, op, path, body, headers)
  const created = await send('/api/v1/cases', {
    kind: 'demand', channel: 'phone', category: 'urban.lighting', place: '360603001001', anonymous: false,
    name, contact: '13912340000', address, description, media_url: mediaUrl,
  })
  const refused = await fetch(`${base}/api/v1/cases`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: op.cookie, 'X-CSRF-Token': op.csrf },
    body: JSON.stringify({
      kind: 'demand', channel: 'phone', category: 'urban.lighting', place: '360603001001', anonymous: true,
      description: '路灯不亮', media_url: 'javascript:window.__xss=11',
    }),
  })
  check(refused.status === 400, `a javascript: media_url: ${refused.status}, not 400`)
  await send(`/api/v1/cases/${created.number}/commands/accept`, { note }, { 'If-Match': `"${created.version}"` })
  console.log(`registered and accepted ${created.number} with attack strings`)

  // What must never happen on a page that shows them.
  const visit = async (page, problems, url, shown, label) => {
    await page.goto(url)
    for (const text of shown) await page.getByText(text, { exact: false }).first().waitFor()
    await page.waitForTimeout(300) // an onerror fires once the broken image has failed
    await shot(page, label, true)
    const ran = await page.evaluate(() => window.__xss)
    check(ran === undefined, `${label}: injected script ${ran} ran`)
    const violations = await page.evaluate(() => window.cspViolations)
    check(violations.length === 0, `${label}: CSP violations: ${violations.join('; ')}`)
    check(problems.length === 0, `${label}: ${problems.join('; ')}`)
  }
  const open = async (options) => {
    const problems = []
    const page = await newPage(browser, options, problems)
    page.on('dialog', async (d) => {
      problems.push(`a dialog opened: ${d.message()}`)
      await d.dismiss()
    })
    await page.addInitScript(() => {
      window.cspViolations = []
      document.addEventListener('securitypolicyviolation', (e) =>
        window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`))
    })
    return { page, problems }
  }

  const resident = await open(phone)
  await visit(resident.page, resident.problems, `${base}/track/${created.tracking_code}`,
    ['<img src=x onerror="window.__xss=8">'], 'track')

  const staff = await open(desk)
  await staff.page.goto(`${base}/staff`)
  await staff.page.waitForURL(/\/staff\/sign-in/)
  await staffSignIn(staff.page, 'demo.operator', demoPassword('demo.operator', undefined, server.accounts))
  await visit(staff.page, staff.problems, `${base}/staff`, [created.number], 'queue')
  await visit(staff.page, staff.problems, `${base}/staff/cases/${created.number}`,
    ['<script>window.__xss=2</script>', '<iframe src="javascript:window.__xss=6">', '<b onmouseover="alert(7)">王五</b>',
      '<img src=x onerror="window.__xss=8">'],
    'case')
  // The caller's name and the note's link, hovered and clicked, stay text.
  await staff.page.getByText('<b onmouseover="alert(7)">王五</b>').first().hover()
  await staff.page.getByText('点我', { exact: false }).first().click()
  await staff.page.waitForTimeout(300)
  check(staff.problems.length === 0, `after hovering and clicking: ${staff.problems.join('; ')}`)
  check((await staff.page.evaluate(() => window.__xss)) === undefined, 'a script ran on hover or click')
  // The photo link: exactly the address given, in a new window without opener or referrer.
  const link = staff.page.locator('a[data-testid="media-link"]')
  check((await link.count()) === 1, `${await link.count()} photo links on the case file, not 1`)
  check((await link.getAttribute('href')) === mediaUrl, `the photo link is ${await link.getAttribute('href')}`)
  check((await link.getAttribute('target')) === '_blank', 'the photo link opens in the same window')
  check((await link.getAttribute('rel')) === 'noopener noreferrer nofollow', `the photo link's rel: ${await link.getAttribute('rel')}`)
  await link.hover()
  await staff.page.waitForTimeout(300)
  check((await staff.page.evaluate(() => window.__xss)) === undefined, 'a script ran on hovering the photo link')
})

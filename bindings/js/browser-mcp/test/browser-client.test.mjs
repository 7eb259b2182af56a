// The browser MCP client: `vite build` of this directory, served on 127.0.0.1, opened in headless
// Chromium with ?server=<the TS test MCP server over Streamable HTTP>; the page verifies the server
// with mcp-attest/mcp and the SDK's StreamableHTTPClientTransport (cross-origin: the server's
// CORS). Honest server → verified; `--tamper description` → the changed tool rejected.
// Run through ../scripts/test-browser-mcp.sh (installs, packs mcp-attest into node_modules).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, serve } from '../../browser/server.mjs'

const app = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SERVER = resolve(app, '../test-mcp/server.mjs')
const SHOT = process.env.BROWSER_MCP_SCREENSHOT_DIR ?? '/tmp'

/** Starts the TS test MCP server over Streamable HTTP; resolves { child, url, did }. */
function startServer(flags = []) {
  const child = spawn(process.execPath, [SERVER, '--transport', 'http', '--port', '0', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => { stderr += d })
  return new Promise((ok, fail) => {
    let out = ''
    const timer = setTimeout(() => { child.kill(); fail(new Error(`server did not start: ${stderr}`)) }, 15_000)
    child.stdout.on('data', (d) => {
      out += d
      const m = /LISTENING (\S+) (\S+)/.exec(out)
      if (m) { clearTimeout(timer); ok({ child, url: m[1], did: m[2] }) }
    })
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited ${code}: ${stderr}`)) })
  })
}

function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((ok) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 3000)
    child.once('exit', () => { clearTimeout(t); ok() })
    child.kill('SIGTERM')
  })
}

let site, browser

before(async () => {
  assert.ok(existsSync(join(app, 'node_modules/mcp-attest/package.json')), 'mcp-attest is not installed in browser-mcp: run bindings/js/scripts/test-browser-mcp.sh')
  execFileSync(join(app, 'node_modules/.bin/vite'), ['build'], { cwd: app, stdio: ['ignore', 'inherit', 'inherit'] })
  site = await serve({ '/': join(app, 'dist') })
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
})

after(async () => {
  await browser?.close()
  if (site) { site.server.close(); site.server.closeAllConnections?.() }
})

/** Opens the page against a fresh server; returns { result, dom, did, errors }; always stops the server. */
async function runPage(flags, shot) {
  const { child, url, did } = await startServer(flags)
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } })
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  try {
    await page.goto(`${site.url}/index.html?server=${encodeURIComponent(url)}`)
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 })
    const result = await page.evaluate(() => window.__result)
    const dom = await page.evaluate(() => ({
      verdict: document.getElementById('verdict')?.textContent ?? '',
      did: document.getElementById('did')?.textContent ?? '',
      passport: document.getElementById('passport')?.textContent ?? '',
      rows: [...document.querySelectorAll('#tools tr[data-tool]')].map((r) => ({ tool: r.dataset.tool, status: r.dataset.status, text: r.textContent })),
    }))
    if (shot) await page.screenshot({ path: join(SHOT, shot), fullPage: true })
    return { result, dom, did, errors }
  } finally {
    await page.close()
    await stopServer(child)
  }
}

test('honest server: verified in Chromium, tools shown', async () => {
  const { result, dom, did, errors } = await runPage([], 'mcp-attest-browser-honest.png')
  assert.deepEqual(errors, [])
  assert.equal(result.error, null, JSON.stringify(result))
  assert.equal(result.verified, true)
  assert.equal(result.serverDid, did)
  assert.equal(result.challenge, 'verified')
  assert.equal(result.report.version, 1)
  assert.equal(result.passport.issuer, did)
  assert.ok(Date.parse(result.passport.expiresAt) > Date.now())
  assert.deepEqual(result.tools.map((t) => t.name).sort(), ['add', 'echo'])
  assert.deepEqual(result.rejected, [])
  assert.match(dom.verdict, /Server verified/)
  assert.equal(dom.did, did)
  assert.match(dom.passport, new RegExp(`expires ${result.passport.expiresAt}`))
  assert.deepEqual(dom.rows.map((r) => [r.tool, r.status]).sort(), [['add', 'verified'], ['echo', 'verified']])
})

test('tampered description: the tool is rejected in Chromium', async () => {
  const { result, dom, did, errors } = await runPage(['--tamper', 'description'], 'mcp-attest-browser-tampered.png')
  assert.deepEqual(errors, [])
  assert.equal(result.verified, false)
  assert.equal(result.serverDid, did)
  assert.deepEqual(result.tools.map((t) => t.name), ['add'])
  assert.equal(result.rejected.length, 1)
  const [bad] = result.rejected
  assert.equal(bad.name, 'echo')
  assert.equal(bad.status, 'tampered')
  assert.ok(bad.code && bad.message, JSON.stringify(bad))
  assert.match(dom.verdict, /NOT fully verified/)
  const row = dom.rows.find((r) => r.tool === 'echo')
  assert.equal(row.status, 'rejected')
  assert.ok(row.text.includes(bad.code), row.text)
  assert.deepEqual(dom.rows.find((r) => r.tool === 'add')?.status, 'verified')
})

// Every example of docs/guide-browser.md, built and run in headless Chromium. An example is the
// set of fenced blocks after `<!-- browser-example: <name> file: <path> -->` markers: the files
// are written to .guide/<name>/ (inside browser-mcp, so `mcp-attest` is the packed package,
// Vite and the SDK are this app's and esbuild the package's dev dependency), `build.sh` runs
// there, dist/ is served on 127.0.0.1 and dist/index.html opened; the page must set
// `window.__result.ok` to true with no page errors. The mcp-client example gets ?server= the
// TS test MCP server over Streamable HTTP. Each bundle's size (minified, gzip -9 of every .js
// and .wasm in dist) is printed as a diagnostic.
// Run through ../scripts/test-browser-mcp.sh (installs, packs mcp-attest into node_modules).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, serve } from '../../browser/server.mjs'

const app = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const js = resolve(app, '..')
const guide = resolve(js, '../../docs/guide-browser.md')
const work = join(app, '.guide')

/** The examples of the guide: name → { path → text }, in the order they appear. */
export function extractExamples(markdown) {
  const examples = new Map()
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^<!-- browser-example: ([a-z0-9-]+) file: ([\w./-]+) -->$/.exec(lines[i])
    if (!m) continue
    if (!/^```\w+\s*$/.test(lines[i + 1] ?? '')) throw new Error(`${m[1]}/${m[2]}: no fenced block right after the marker (line ${i + 1})`)
    const body = []
    let j = i + 2
    for (; j < lines.length && !/^```\s*$/.test(lines[j]); j++) body.push(lines[j])
    if (j === lines.length) throw new Error(`${m[1]}/${m[2]}: unterminated block`)
    if (!examples.has(m[1])) examples.set(m[1], {})
    examples.get(m[1])[m[2]] = body.join('\n') + '\n'
    i = j
  }
  return examples
}

const md = readFileSync(guide, 'utf8')
const examples = extractExamples(md)
let browser

before(async () => {
  rmSync(work, { recursive: true, force: true })
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
})

after(async () => {
  await browser?.close()
  rmSync(work, { recursive: true, force: true })
})

test('the guide has its examples, and every code block belongs to one', () => {
  assert.deepEqual([...examples.keys()], ['vite-verify', 'esbuild-verify', 'esbuild-default', 'mcp-client'])
  const fences = md.split('\n').filter((l) => /^```(js|html|sh)\s*$/.test(l)).length
  const files = [...examples.values()].reduce((n, e) => n + Object.keys(e).length, 0)
  // The install line at the top is the one block outside an example.
  assert.equal(fences, files + 1)
  for (const [name, files] of examples) assert.ok(files['build.sh'] && files['index.html'], `${name} needs build.sh and index.html`)
})

/** Starts the TS test MCP server over Streamable HTTP; resolves { child, url }. */
function startServer() {
  const child = spawn(process.execPath, [join(js, 'test-mcp/server.mjs'), '--transport', 'http', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((ok, fail) => {
    let out = ''
    const timer = setTimeout(() => { child.kill(); fail(new Error('server did not start')) }, 15_000)
    child.stdout.on('data', (d) => {
      out += d
      const m = /LISTENING (\S+) /.exec(out)
      if (m) { clearTimeout(timer); ok({ child, url: m[1] }) }
    })
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited ${code}`)) })
  })
}

const walk = (dir) => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]))

for (const [name, files] of examples) {
  test(`docs/guide-browser.md: ${name} in Chromium`, async (t) => {
    const dir = join(work, name)
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), text)
    }
    const PATH = [join(app, 'node_modules/.bin'), join(js, 'node_modules/.bin'), process.env.PATH].join(':')
    const b = spawnSync('bash', ['-euo', 'pipefail', 'build.sh'], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, PATH } })
    assert.equal(b.status, 0, `build.sh exited ${b.status}\n${b.stdout}\n${b.stderr}`)

    const shipped = walk(join(dir, 'dist')).filter((f) => ['.js', '.wasm'].includes(extname(f)))
    const gz = shipped.reduce((n, f) => n + gzipSync(readFileSync(f), { level: 9 }).length, 0)
    const raw = shipped.reduce((n, f) => n + statSync(f).size, 0)
    t.diagnostic(`${name}: ${raw} B minified, ${gz} B gzip (${shipped.map((f) => f.slice(dir.length + 6)).join(', ')})`)

    const site = await serve({ '/': join(dir, 'dist') })
    const server = name === 'mcp-client' ? await startServer() : undefined
    const page = await browser.newPage()
    const errors = []
    page.on('pageerror', (e) => errors.push(String(e)))
    try {
      await page.goto(`${site.url}/index.html${server ? `?server=${encodeURIComponent(server.url)}` : ''}`)
      try {
        await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 })
      } finally {
        assert.deepEqual(errors, []) // a page error says more than the timeout it causes
      }
      const result = await page.evaluate(() => window.__result)
      assert.equal(result.ok, true, JSON.stringify(result))
      t.diagnostic(`${name}: ${JSON.stringify(result)}`)
    } finally {
      await page.close()
      server?.child.kill()
      site.server.close()
      site.server.closeAllConnections?.()
    }
  })
}

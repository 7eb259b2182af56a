// The vector suite inside headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core), loading the default browser entry dist/web.js.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, serve } from './server.mjs'

const js = resolve(dirname(fileURLToPath(import.meta.url)), '..')
let srv
let browser
let result

before(async () => {
  srv = await serve({ '/': js, '/project/': resolve(js, '../../tests/vectors'), '/shared/': resolve(js, '../../../shared/vectors') })
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
  const page = await browser.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(`${srv.url}/browser/index.html`)
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 120_000 })
  result = await page.evaluate(() => window.__result)
  assert.deepEqual(errors, [])
})

after(async () => {
  await browser?.close()
  srv?.server.close()
})

test('the suite loaded in Chromium', () => {
  assert.equal(result.fatal, undefined, result.fatal)
  assert.ok(result.results.length >= 24)
})

test('every vector runner passes in Chromium', (t) => {
  const failed = result.results.filter((r) => !r.ok)
  for (const r of result.results) t.diagnostic(`chromium: ${r.ok ? 'ok' : 'FAIL'} ${r.name}${r.summary ? `: ${r.summary}` : ''}`)
  assert.deepEqual(failed, [])
})

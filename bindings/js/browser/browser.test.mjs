// The vector suite inside headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core), loading the default browser entry dist/web.js, then again with the
// verify-only entry dist/verify.js (and its own, cut-down wasm).
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
let verifyResult

async function runPage(path) {
  const page = await browser.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(`${srv.url}${path}`)
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 120_000 })
  const r = await page.evaluate(() => window.__result)
  assert.deepEqual(errors, [])
  await page.close()
  return r
}

before(async () => {
  srv = await serve({ '/': js, '/project/': resolve(js, '../../tests/vectors'), '/shared/': resolve(js, '../../../shared/vectors') })
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS })
  result = await runPage('/browser/index.html')
  verifyResult = await runPage('/browser/verify.html')
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

// What the verify entry is for; each of these runners must pass on its cut-down wasm.
const VERIFY_RUNNERS = [
  'refused before initialize',
  'a missing .wasm is refused',
  'bytes that are not the module are refused',
  'error_codes.json: codes and classes match the core',
  'did_key.json: documents, DID URLs and refusals',
  'records.json',
  'jcs.json',
  'tools.json: per tool, and lists under both policies',
  'passports.json: passports and revocation lists',
  'identity.json: identity documents',
  'trust_store.json: pins, revocation and persistence',
  'wycheproof/ed25519_test.json',
  'ed25519-speccheck: recommended_expect',
  'cctv/ed25519vectors.json: dalek verify_strict verdicts',
  'multibase: base58btc.json and the CSV files',
  'jcs: reference files and ES6 number serialisation',
  'tool-tamper.json: canonical bytes and signature verdicts',
  'jws-attacks.json: parse, key, signature and claim steps',
  'wrong type gives a code',
  'no signing in this entry',
]

test('mcp-attest/verify in Chromium: its runners pass, the others miss only what it leaves out', (t) => {
  assert.equal(verifyResult.fatal, undefined, verifyResult.fatal)
  const byName = new Map(verifyResult.results.map((r) => [r.name, r]))
  for (const name of VERIFY_RUNNERS) {
    const r = byName.get(name)
    assert.ok(r, `runner ${name} did not run`)
    assert.ok(r.ok, `${name}: ${r.error}`)
  }
  // The rest sign, run sessions, caller proofs, evidence or interop readers: they must stop at
  // a missing export, not at a wrong result or a missing wasm function.
  for (const r of verifyResult.results.filter((x) => !VERIFY_RUNNERS.includes(x.name))) {
    t.diagnostic(`verify entry: ${r.ok ? 'ok' : 'not in this entry'} ${r.name}`)
    if (!r.ok) assert.match(r.error, /TypeError: (lib\.\w+ is not a (function|constructor)|Cannot read properties of undefined \(reading '\w+'\))/, r.name)
  }
})

// Start-up as a Node user feels it: the wall time of a fresh process that imports the library
// and verifies one passport, against a bare `node -e 0` and against jose doing the same, all
// in one run with the contenders interleaved (so machine load hits each alike). Reports each
// contender's median and spread, its cost over bare node, and the ratio to jose's.
// STARTUP_RUNS=n (default 15; BENCH_QUICK=1: 5). peers.mjs runs it too (`startupSamples`), for
// the start-up rows of `just bench-peers`.
import { spawnSync } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import * as mi from 'mcp-attest'

const now = new Date()
const sk = mi.SigningKey.fromBytes(new Uint8Array(32).fill(7))
const token = mi.issueSelfPassport(sk, { name: 'weather', version: '1.0.0' }, { currentDate: now, expiresIn: 3600 })
const jwk = JSON.parse(sk.verifyingKey().toJwk())
const at = now.getTime()

export const BARE = 'node -e 0'
export const OURS = 'mcp-attest (import + verifyPassport)'
export const JOSE = 'jose (import + jwtVerify)'

// Each program fails loudly if its verify fails, so a broken contender cannot look fast.
const programs = {
  [BARE]: ['-e', '0'],
  [OURS]: ['--input-type=module', '-e', `import { verifyPassport } from 'mcp-attest'
if (!verifyPassport(${JSON.stringify(token)}, { currentDate: new Date(${at}) }).subject.startsWith('did:key:')) process.exit(3)`],
  [JOSE]: ['--input-type=module', '-e', `import { jwtVerify, importJWK } from 'jose'
const { payload } = await jwtVerify(${JSON.stringify(token)}, await importJWK(${JSON.stringify(jwk)}, 'EdDSA'), { currentDate: new Date(${at}) })
if (!payload.sub.startsWith('did:key:')) process.exit(3)`],
}

/** Wall ms of `runs` fresh processes per program, interleaved, after one warm-up round. */
export function startupSamples(runs) {
  const samples = Object.fromEntries(Object.keys(programs).map((n) => [n, []]))
  for (let r = -1; r < runs; r++) {
    for (const [name, args] of Object.entries(programs)) {
      const t0 = process.hrtime.bigint()
      const p = spawnSync(process.execPath, args, { cwd: import.meta.dirname, stdio: ['ignore', 'ignore', 'inherit'] })
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      if (p.status !== 0) throw new Error(`${name} exited with ${p.status}`)
      if (r >= 0) samples[name].push(ms) // round -1 warms the file cache
    }
  }
  return samples
}

export const med = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = Number(process.env.STARTUP_RUNS ?? (process.env.BENCH_QUICK === '1' ? 5 : 15))
  const samples = startupSamples(runs)
  const bare = med(samples[BARE])
  const jose = med(samples[JOSE]) - bare
  console.log(`Start-up: fresh process wall time, ${runs} interleaved runs each (median [min–max])`)
  for (const [name, xs] of Object.entries(samples)) {
    const m = med(xs)
    const over = name === BARE ? '' : `; +${(m - bare).toFixed(1)} ms over bare node`
    const ratio = name === OURS ? `; ${((m - bare) / jose).toFixed(2)}× jose's cost over bare node` : ''
    console.log(`  ${name.padEnd(38)} ${m.toFixed(1)} ms [${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}]${over}${ratio}`)
  }
}

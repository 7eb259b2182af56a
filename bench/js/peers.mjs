// The Node rows of `just bench-peers`, in one process: every ratio measured RUNS times
// (default 5), each run interleaving ours with the peer, so the median and the spread over
// runs come from the same conditions.
//   passport  mcp-attest verifyPassport (key from the did:key; and with a pinned subject) vs
//             jose jwtVerify with a pre-imported KeyObject (the goal row)
//             and the floor: jose against our bare signature check of the same token
//   ed25519   mcp-attest vk.verify vs node:crypto verify with a KeyObject (for reference)
//   mcp       connect + tools/list of a 100-tool server, identity (default verifyServer) vs
//             plain: SDK 1.x (the goal row) and SDK 2.x, in memory (see bench/mcp/sdks.mjs)
//   start-up  fresh processes: import + first verify over bare `node -e 0`, ours and jose's
//             (startup.mjs), STARTUP_PER_RUN of each per run, interleaved
//   size      gzip bytes of each browser entry (bindings/js/scripts/size.mjs), once: the
//             bytes do not vary between runs
// Prints its rows and, with BENCH_JSON=path, writes {row: [ratio per run]} for bench/peers.
// BENCH_QUICK=1: a smoke run (seconds). BENCH_RUNS=n: runs (≥ 3 for a spread).
import crypto from 'node:crypto'
import { writeFileSync } from 'node:fs'
import * as jose from 'jose'
import * as mi from 'mcp-attest'
import { makeCell, median, sample, sdk1, sdk2 } from '../mcp/sdks.mjs'
import { entrySizes } from '../../bindings/js/scripts/size.mjs'
import { BARE, JOSE, OURS, med, startupSamples } from './startup.mjs'

const QUICK = process.env.BENCH_QUICK === '1'
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 3 : 5))
const SLICES = QUICK ? 3 : 7 // interleaved slices per contender in one run
const SLICE_MS = QUICK ? 30 : 120
const MCP_SAMPLES = QUICK ? 5 : 25
const STARTUP_PER_RUN = QUICK ? 3 : 7 // odd: the median is a sample

/** µs per call of each contender: SLICES interleaved time slices each; the median slice. */
async function race(contenders) {
  const names = Object.keys(contenders)
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  for (let r = 0; r < SLICES; r++) {
    for (const n of r % 2 ? [...names].reverse() : names) {
      const f = contenders[n]
      let ops = 0
      const t0 = performance.now()
      let t = t0
      while (t - t0 < SLICE_MS) {
        for (let i = 0; i < 16; i++) await f()
        ops += 16
        t = performance.now()
      }
      samples[n].push(((t - t0) * 1000) / ops)
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n])]))
}

// ---- fixtures ----------------------------------------------------------------------------
const sk = mi.SigningKey.fromBytes(new Uint8Array(32).map((_, i) => i + 1))
const vk = sk.verifyingKey()
const nodePub = crypto.createPublicKey({ key: JSON.parse(vk.toJwk()), format: 'jwk' })
const now = new Date()
const token = mi.issueSelfPassport(sk, { name: 'weather', version: '1.0.0', endpoints: ['https://weather.example/mcp'] }, { currentDate: now, expiresIn: 3600 })
// The floor of the passport rows: our bare signature check of the same token (its signing
// input and signature), with nothing else a passport verification does.
const [h, pl, sg] = token.split('.')
const signingInput = new TextEncoder().encode(`${h}.${pl}`)
const tokenSig = Buffer.from(sg, 'base64url')
const msg = new TextEncoder().encode('x'.repeat(256))
const sig = sk.sign(msg)

const passport = {
  ours: () => {
    if (mi.verifyPassport(token, { currentDate: now }).mcp?.name !== 'weather') throw new Error('mcp')
  },
  oursPinned: () => {
    if (mi.verifyPassport(token, { currentDate: now, subject: vk }).mcp?.name !== 'weather') throw new Error('mcp')
  },
  signatureOnly: () => vk.verify(signingInput, tokenSig),
  jose: async () => {
    const { payload } = await jose.jwtVerify(token, nodePub, { typ: 'mcp-passport+jwt', algorithms: ['EdDSA', 'Ed25519'], currentDate: now, clockTolerance: 60, requiredClaims: ['exp', 'iat'] })
    if (payload.mcp.name !== 'weather') throw new Error('mcp')
  },
}
const ed25519 = {
  ours: () => vk.verify(msg, sig),
  node: () => {
    if (!crypto.verify(null, msg, nodePub, sig)) throw new Error('x')
  },
}
// Each contender must accept before it is timed (a rejecting one would be timing an error path).
for (const f of [...Object.values(passport), ...Object.values(ed25519)]) await f()

const lines = [await sdk1(), await sdk2()]
const cells = lines.map((l) => makeCell(l, 100))
async function mcpRatios() {
  for (const c of cells) c.samples = { plain: [], identity: [] }
  for (let r = 0; r < MCP_SAMPLES + 2; r++) {
    for (const c of cells) {
      for (const mode of r % 2 ? ['identity', 'plain'] : ['plain', 'identity']) {
        const s = await sample(c.line, c, mode)
        if (r >= 2) c.samples[mode].push(s.total)
      }
    }
  }
  return cells.map((c) => median(c.samples.identity) / median(c.samples.plain))
}

// ---- runs --------------------------------------------------------------------------------
const rows = {
  node_passport_vs_jose: [],
  node_passport_pinned_vs_jose: [],
  node_passport_floor_vs_jose: [],
  node_ed25519_vs_node_crypto: [],
  mcp_sdk1_100_identity_over_plain: [],
  mcp_sdk2_100_identity_over_plain: [],
  node_startup_over_bare_ms: [],
  node_startup_cost_over_jose: [],
}
// The size rows are in KB (1,000 bytes), as the goal is stated.
for (const { name, gzip } of entrySizes()) rows[`npm_size_gzip_kb ${name}`] = [gzip / 1000]
const started = performance.now()
for (let run = 0; run < RUNS; run++) {
  const p = await race(passport)
  rows.node_passport_vs_jose.push(p.jose / p.ours)
  rows.node_passport_pinned_vs_jose.push(p.jose / p.oursPinned)
  rows.node_passport_floor_vs_jose.push(p.jose / p.signatureOnly)
  const e = await race(ed25519)
  rows.node_ed25519_vs_node_crypto.push(e.node / e.ours)
  const [m1, m2] = await mcpRatios()
  rows.mcp_sdk1_100_identity_over_plain.push(m1)
  rows.mcp_sdk2_100_identity_over_plain.push(m2)
  const st = startupSamples(STARTUP_PER_RUN)
  const oursMs = med(st[OURS]) - med(st[BARE])
  const joseMs = med(st[JOSE]) - med(st[BARE])
  rows.node_startup_over_bare_ms.push(oursMs)
  rows.node_startup_cost_over_jose.push(oursMs / joseMs)
  console.error(`run ${run + 1}/${RUNS}: passport ${p.ours.toFixed(1)} µs (jose ${p.jose.toFixed(1)}), ed25519 ${e.ours.toFixed(1)} µs (node ${e.node.toFixed(1)}), mcp 100 tools ${m1.toFixed(2)}x / ${m2.toFixed(2)}x, start-up +${oursMs.toFixed(1)} ms (jose +${joseMs.toFixed(1)})`)
}
console.error(`node ${process.version}, ${RUNS} runs, ${((performance.now() - started) / 1000).toFixed(1)} s${QUICK ? ' (BENCH_QUICK: indicative only)' : ''}`)
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ runtime: `node ${process.version}`, quick: QUICK, rows }, null, 2))
else console.log(JSON.stringify(rows))

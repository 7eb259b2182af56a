// mcp-attest (Rust → wasm) against what a Node user would pick instead, in one run:
// jose (passport/JWT verify), node:crypto and @noble/ed25519 (Ed25519 verify), and a
// 100-tool list (ours: manifest path and per-tool batch path; theirs: one jose JWS per tool),
// plus start-up (import + first verify, fresh process). Printed as ratios (>1: ours faster).
// BENCH_QUICK=1: a few seconds, figures indicative only.
import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import * as ed from '@noble/ed25519'
import * as jose from 'jose'
import * as mi from 'mcp-attest'

const QUICK = process.env.BENCH_QUICK === '1'
const ROUNDS = QUICK ? 3 : 9
const SLICE_MS = QUICK ? 60 : 250

ed.hashes.sha512 = (m) => new Uint8Array(crypto.createHash('sha512').update(m).digest())

/** Median µs/op over interleaved slices of each contender. */
async function race(contenders) {
  const names = Object.keys(contenders)
  const samples = Object.fromEntries(names.map((n) => [n, []]))
  for (const n of names) await contenders[n]() // warm-up / correctness
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of names) {
      const f = contenders[n]
      let ops = 0
      const t0 = performance.now()
      let t = t0
      while (t - t0 < SLICE_MS) {
        for (let i = 0; i < 8; i++) await f()
        ops += 8
        t = performance.now()
      }
      samples[n].push(((t - t0) * 1000) / ops)
    }
  }
  const med = (a) => a.sort((x, y) => x - y)[a.length >> 1]
  return Object.fromEntries(names.map((n) => [n, med(samples[n])]))
}

const fmt = (us) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`)
function report(title, res, ours, theirs, goal) {
  console.log(`\n${title}`)
  for (const [n, us] of Object.entries(res)) console.log(`  ${n.padEnd(44)} ${fmt(us).padStart(10)}/op`)
  for (const t of theirs) {
    const ratio = res[t] / res[ours]
    console.log(`  ratio ${t} / ${ours}: ${ratio.toFixed(2)}×${goal ? ` (goal ≥ ${goal}×: ${ratio >= goal ? 'met' : 'NOT met'})` : ''}`)
  }
}

// ---- keys -------------------------------------------------------------------------------
const seed = new Uint8Array(32).map((_, i) => i + 1)
const sk = mi.SigningKey.fromBytes(seed)
const vk = sk.verifyingKey()
const msg = new TextEncoder().encode('x'.repeat(256))
const sig = sk.sign(msg)
const jwkPub = JSON.parse(vk.toJwk())
const jwkPriv = JSON.parse(sk.toJwk())
const nodePub = crypto.createPublicKey({ key: jwkPub, format: 'jwk' })
const nodePriv = crypto.createPrivateKey({ key: jwkPriv, format: 'jwk' })
const rawPub = vk.toBytes()

// ---- 1. Ed25519 verify -----------------------------------------------------------------
{
  const res = await race({
    'mcp-attest vk.verify (wasm)': () => vk.verify(msg, sig),
    'node:crypto verify (KeyObject)': () => { if (!crypto.verify(null, msg, nodePub, sig)) throw new Error('x') },
    '@noble/ed25519 verify (sync)': () => { if (!ed.verify(sig, msg, rawPub)) throw new Error('x') },
  })
  report('Ed25519 verify (256-byte message)', res, 'mcp-attest vk.verify (wasm)', ['node:crypto verify (KeyObject)', '@noble/ed25519 verify (sync)'])
}

// ---- 2. passport / JWT verify ----------------------------------------------------------
const now = new Date()
const token = mi.issueSelfPassport(sk, { name: 'weather', version: '1.0.0', endpoints: ['https://weather.example/mcp'] }, { currentDate: now, expiresIn: 3600 })
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
function base58(s) {
  let n = 0n
  for (const c of s) { const i = B58.indexOf(c); if (i < 0) throw new Error('b58'); n = n * 58n + BigInt(i) }
  const out = []
  while (n > 0n) { out.unshift(Number(n & 255n)); n >>= 8n }
  for (const c of s) { if (c !== '1') break; out.unshift(0) }
  return Uint8Array.from(out)
}
// What a jose user writes for a self-issued passport: read sub, decode the did:key, import, verify.
async function joseSelfIssued() {
  const claims = jose.decodeJwt(token)
  const mb = claims.sub.slice('did:key:'.length)
  if (mb[0] !== 'z') throw new Error('mb')
  const bytes = base58(mb.slice(1))
  if (bytes[0] !== 0xed || bytes[1] !== 0x01 || bytes.length !== 34) throw new Error('multicodec')
  const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(bytes.subarray(2)).toString('base64url') }, format: 'jwk' })
  const { payload } = await jose.jwtVerify(token, key, { typ: 'mcp-passport+jwt', algorithms: ['EdDSA', 'Ed25519'], issuer: claims.sub, subject: claims.sub, clockTolerance: 60, requiredClaims: ['exp', 'iat'] })
  if (payload.mcp.name !== 'weather') throw new Error('mcp')
}
async function josePinned() {
  const { payload } = await jose.jwtVerify(token, nodePub, { typ: 'mcp-passport+jwt', algorithms: ['EdDSA', 'Ed25519'], clockTolerance: 60, requiredClaims: ['exp', 'iat'] })
  if (payload.mcp.name !== 'weather') throw new Error('mcp')
}
{
  const res = await race({
    'mcp-attest verifyPassport (key from did:key)': () => { mi.verifyPassport(token, { currentDate: now }) },
    'mcp-attest verifyPassport (pinned subject)': () => { mi.verifyPassport(token, { currentDate: now, subject: vk }) },
    'jose jwtVerify + did:key decode + import': joseSelfIssued,
    'jose jwtVerify (pre-imported KeyObject)': josePinned,
  })
  report('Passport (self-issued JWT) verify', res, 'mcp-attest verifyPassport (key from did:key)', ['jose jwtVerify + did:key decode + import', 'jose jwtVerify (pre-imported KeyObject)'], 1.5)
}

// ---- 3. 100-tool list ------------------------------------------------------------------
const tools = Array.from({ length: 100 }, (_, i) => ({
  name: `tool_${String(i).padStart(3, '0')}`,
  title: `Tool ${i}`,
  description: `Does thing number ${i}. `.repeat(4),
  inputSchema: { type: 'object', properties: { city: { type: 'string', description: 'City name' }, days: { type: 'integer', minimum: 1, maximum: 14 } }, required: ['city'] },
  annotations: { readOnlyHint: true },
}))
const signedList = JSON.stringify(mi.signToolsList(sk, { tools }, { currentDate: now }))
const perToolJws = []
for (const t of tools) {
  const payload = new TextEncoder().encode(mi.canonicalize(t))
  perToolJws.push(await new jose.CompactSign(payload).setProtectedHeader({ alg: 'EdDSA' }).sign(nodePriv))
}
{
  const res = await race({
    'mcp-attest verifyToolsList (manifest)': () => { if (!mi.verifyToolsList(signedList, vk, { currentDate: now }).verified) throw new Error('x') },
    'mcp-attest verifyToolsList (every tool, batch)': () => { if (!mi.verifyToolsList(signedList, vk, { currentDate: now, toolSignatures: 'always' }).verified) throw new Error('x') },
    'jose compactVerify per tool (100 JWS)': async () => {
      for (let i = 0; i < perToolJws.length; i++) {
        const { payload } = await jose.compactVerify(perToolJws[i], nodePub, { algorithms: ['EdDSA'] })
        if (payload.length === 0) throw new Error('x')
      }
    },
  })
  report('100-tool tools/list verify', res, 'mcp-attest verifyToolsList (manifest)', ['jose compactVerify per tool (100 JWS)'], 20)
  const batchRatio = res['jose compactVerify per tool (100 JWS)'] / res['mcp-attest verifyToolsList (every tool, batch)']
  console.log(`  ratio jose per tool / mcp-attest per-tool batch path: ${batchRatio.toFixed(2)}×`)
}

// ---- 4. start-up: import + first verify (fresh process each) ---------------------------
{
  const runs = QUICK ? 3 : 7
  const oursSrc = `const t0=performance.now();const m=await import('mcp-attest');m.verifyPassport(${JSON.stringify(token)},{currentDate:new Date(${now.getTime()})});console.log(performance.now()-t0)`
  const joseSrc = `const t0=performance.now();const jose=await import('jose');const c=await import('node:crypto');const k=c.createPublicKey({key:${JSON.stringify(jwkPub)},format:'jwk'});await jose.jwtVerify(${JSON.stringify(token)},k,{currentDate:new Date(${now.getTime()})});console.log(performance.now()-t0)`
  const time = (src) => {
    const xs = []
    for (let i = 0; i < runs; i++) xs.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', src], { cwd: import.meta.dirname }).toString()))
    return xs.sort((a, b) => a - b)[xs.length >> 1]
  }
  const o = time(oursSrc); const j = time(joseSrc)
  console.log('\nStart-up (fresh process: import + first passport verify, median)')
  console.log(`  mcp-attest ${o.toFixed(1)} ms, jose ${j.toFixed(1)} ms; ratio jose / ours ${(j / o).toFixed(2)}×`)
}

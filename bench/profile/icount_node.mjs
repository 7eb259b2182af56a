// Runs one binding call n times for bench/profile/icount.sh (instructions under callgrind).
// `node icount_node.mjs <op> <n>`; op: ed25519 (vk.verify), passport (verifyPassport, key from
// the did:key, with audience), passport_pinned (subject), or the glue alone without the
// TypeScript layer: ed25519_glue, passport_glue. The fixtures are
// bench/rust/src/bin/icount.rs's: the same key, message, passport and clock. A warm-up of
// WARM calls comes first in both runs, so the JIT's tiering is not part of the difference.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
// ICOUNT_JS_DIST: another build of the package (a copy of bindings/js/dist), for before/after;
// ICOUNT_JS_GLUE: that build's Node glue (a copy of target/wasm-stage/node-glue).
const dist = process.env.ICOUNT_JS_DIST || join(root, 'bindings', 'js', 'dist')
const mi = await import(pathToFileURL(join(dist, 'node.js')).href)
// The wasm-bindgen glue itself, for the ops that leave the TypeScript layer out: node.js
// bundles it, so scripts/build.mjs keeps a copy beside the wasm stage; a second instance of
// the same module.
const glueDir = process.env.ICOUNT_JS_GLUE || join(root, 'target', 'wasm-stage', 'node-glue')
const glue = await import(pathToFileURL(join(glueDir, 'mcp_attest_wasm.js')).href)
glue.initSync({ module: readFileSync(join(dist, 'wasm', 'node', 'mcp_attest_wasm_bg.wasm')) })

const [op, nText] = process.argv.slice(2)
const n = Number(nText)
const WARM = 300
const AUD = 'https://mcp.example.com/mcp'
const now = new Date(1_800_000_000 * 1000)
const sk = mi.SigningKey.fromBytes(new Uint8Array(32).map((_, i) => i))
const vk = sk.verifyingKey()
const msg = new Uint8Array(64).fill(0x6d)
const sig = sk.sign(msg)
const token = mi.issueSelfPassport(sk, { name: 'bench', version: '1.0.0', endpoints: [AUD] }, { currentDate: now, expiresIn: 86400, audience: AUD })
const wv = new glue.WasmVerifier()
const wvk = glue.WasmVerifyingKey.fromBytes(vk.toBytes())
const secs = now.getTime() / 1000
const ops = {
  // The glue alone: the passport verified and its result serialised to JSON text, not parsed.
  passport_glue: () => wv.verifyPassport(token, secs, undefined, AUD, undefined, undefined, undefined),
  ed25519_glue: () => wvk.verify(msg, sig),
  ed25519: () => vk.verify(msg, sig),
  passport: () => mi.verifyPassport(token, { currentDate: now, audience: AUD }),
  passport_pinned: () => mi.verifyPassport(token, { currentDate: now, audience: AUD, subject: vk }),
}
const f = ops[op]
if (f === undefined) throw new Error(`unknown op ${op}`)
for (let i = 0; i < WARM + n; i++) f()

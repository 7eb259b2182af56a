#!/usr/bin/env node
// Build: cargo (wasm32, twice) → wasm-bindgen (nodejs + web) → wasm-opt -Oz (npm binaryen) →
// the default browser entry's module inlined → tsc (declarations) → esbuild (node ESM + CJS, web,
// slim, verify) → the verify entry's own wasm, cut down to the exports its bundle reaches.
// Generated glue is never edited; it is referenced from dist/wasm/ as written.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import binaryen from 'binaryen'

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const root = resolve(here, '../..')
const dist = join(here, 'dist')
const bin = (name) => join(here, 'node_modules/.bin', name)
const run = (cmd, args, opts = {}) => {
  console.log(`$ ${cmd} ${args.join(' ')}`)
  execFileSync(cmd, args, { stdio: 'inherit', ...opts })
}
const wasmOpt = (file, level = '-Oz', multivalue = true) =>
  run(bin('wasm-opt'), [level, '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', ...(multivalue ? ['--enable-multivalue'] : []), file, '-o', file])

// Marks multivalue as disallowed in Node's module's `target_features` section, which is what
// wasm-bindgen reads to choose how exports return more than one value. Rust's wasm32 target
// enables the feature (so the section says `+multivalue`), and wasm-bindgen then rewrites every
// export that returns a pair or a Result into a function with several results. V8 11.3
// (Node.js 20) cannot call those through its generic JS-to-wasm wrapper, so compiling the
// module builds one optimised wrapper per such signature, eagerly: with 74 distinct export
// signatures that was 11 of the 14 ms Node spent compiling the module, most of our start-up
// over jose's. Without the mark, wasm-bindgen keeps Rust's return-pointer ABI (the glue
// reads the results from linear memory), every export signature has at most one result, and
// the compile takes 3 ms. The code itself never uses multivalue: LLVM's C ABI returns
// aggregates through a pointer, and wasm-opt validates the module without the feature.
// The browsers' builds keep multivalue: Chromium 156 here compiles either form of the module
// in 2-4 ms, and the return-pointer glue costs 1.2 KB more gzip per entry.
function disallowMultivalue(file) {
  const bytes = readFileSync(file)
  // A feature entry is a prefix byte (`+`, `-` or `=`), the name's length, the name.
  const entry = Buffer.from('\x2b\x0amultivalue', 'latin1')
  const at = bytes.indexOf(entry)
  if (at < 0 || bytes.indexOf(entry, at + 1) >= 0) throw new Error(`${file}: expected one +multivalue entry in target_features`)
  bytes[at] = 0x2d // '-'
  writeFileSync(file, bytes)
}

// 1. The browsers' wasm in the workspace's `wasm-release` profile (fat LTO, size-optimised
//    outside the crypto crates), Node's in `wasm-node` (the same at opt-level 3); no `strip` (wasm-opt needs the target_features section). Three builds:
//    Node's with curve25519-dalek's precomputed tables (servers sign; Node reads the file from
//    disk), the browsers' without (38 KB of tables gzip cannot shrink, for signing 2.6× and
//    verifying 1.08× slower; figures in docs/guide-browser.md), and `mcp-attest/verify`'s with
//    only the glue's verify-side exports (the glue crate without its `full` feature). Cargo
//    keeps each feature set's artifacts, so switching only relinks.
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target')
const cargoOut = (profile) => join(targetDir, `wasm32-unknown-unknown/${profile}/mcp_attest_wasm.wasm`)
const stage = join(targetDir, 'wasm-stage')
mkdirSync(stage, { recursive: true })
// Node's in the `wasm-node` profile (opt-level 3: a client verifies a 100-tool list 1.8×
// faster; Node reads the file from disk, so its 18 % more bytes cost no download).
const builds = {
  web: ['wasm-release'],
  node: ['wasm-node', '--features', 'precomputed-tables'],
  verify: ['wasm-release', '--no-default-features'],
}
for (const [name, [profile, ...features]] of Object.entries(builds)) {
  run('cargo', ['build', '--profile', profile, '-p', 'mcp-attest-wasm', '--target', 'wasm32-unknown-unknown', ...features], { cwd: root })
  mkdirSync(join(stage, name), { recursive: true })
  // wasm-bindgen names its outputs after the input file, so each copy keeps the crate's name.
  copyFileSync(cargoOut(profile), join(stage, name, 'mcp_attest_wasm.wasm'))
  if (name === 'node') disallowMultivalue(join(stage, name, 'mcp_attest_wasm.wasm'))
}

// 2. wasm-bindgen, 3. wasm-opt.
rmSync(dist, { recursive: true, force: true })
// Node gets the `web` target's glue too: it is ESM, so the ESM entry bundles it instead of
// importing CommonJS glue, which cost Node about 25 ms more at start-up (bench/js/startup.mjs).
for (const out of ['node', 'web']) {
  const dir = join(dist, 'wasm', out)
  run('wasm-bindgen', ['--target', 'web', '--typescript', '--weak-refs', '--out-dir', dir, join(stage, out, 'mcp_attest_wasm.wasm')])
  wasmOpt(join(dir, 'mcp_attest_wasm_bg.wasm'), out === 'node' ? '-O3' : '-Oz', out !== 'node')
}
// The verify build's glue is bundled into verify.js (section 6), so it stays outside dist.
const verifyBindgen = join(stage, 'verify-bindgen')
run('wasm-bindgen', ['--target', 'web', '--weak-refs', '--out-dir', verifyBindgen, join(stage, 'verify', 'mcp_attest_wasm.wasm')])

// 4. The default browser entry's inlined module, as a string of one character per byte (each
//    byte's code point, UTF-8 in the file). Base64 is larger raw and gzips 24 % worse: its
//    6-bit groups hide the repeats gzip finds in the bytes (823 vs 704 KB raw, 335 vs 271 KB
//    gzip here; the .wasm file itself: 257 KB). Escaped: what a string literal cannot hold (quote, backslash, line
//    breaks) and NUL, which some tools take for binary; as \xNN, never \0 (a digit after it
//    would make a legacy octal escape, a SyntaxError in modules).
const inline = (wasmFile, out) => {
  const bytes = readFileSync(wasmFile)
  let text = ''
  for (const b of bytes) text += b === 0x22 || b === 0x5c || b === 0x0a || b === 0x0d || b === 0 ? `\\x${b.toString(16).padStart(2, '0')}` : String.fromCharCode(b)
  writeFileSync(out, `export default "${text}"\n`, 'utf8')
}
inline(join(dist, 'wasm/web/mcp_attest_wasm_bg.wasm'), join(dist, 'wasm/web-inline.js'))

// 5. Declarations.
run(process.execPath, [join(here, 'node_modules/typescript/bin/tsc'), '-p', join(here, 'tsconfig.json')])
// The CommonJS entries need CommonJS declarations: in a "type": "module" package a `.d.ts` is
// ESM, and TypeScript (node16/nodenext) refuses it to a `require` caller ("masquerading as
// ESM"). Each `.d.ts` of the TS layer gets a `.d.cts` twin whose relative imports name `.cjs`.
const dcts = (dir) => {
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, name.name)
    if (name.isDirectory()) {
      if (p !== join(dist, 'wasm')) dcts(p)
    } else if (name.name.endsWith('.d.ts')) {
      const text = readFileSync(p, 'utf8').replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]*)\.js\2/g, '$1$2$3.cjs$2')
      writeFileSync(p.replace(/\.d\.ts$/, '.d.cts'), text)
    }
  }
}
dcts(dist)

// 6. Bundles of the TS layer. Node and slim import the glue as an untouched file; the
//    inline-wasm browser entries bundle a private copy of it, tree-shaken to what they use (no
//    `import.meta.url` left for bundlers to warn about or to copy a second .wasm for).
const alias = {
  '#wasm/web': './wasm/web/mcp_attest_wasm.js',
  '#wasm/inline': './wasm/web-inline.js',
}
const wasmAlias = (overrides = {}) => ({
  name: 'wasm-alias',
  setup(build) {
    build.onResolve({ filter: /^#wasm\// }, (a) => overrides[a.path] ? { path: overrides[a.path] } : { path: alias[a.path], external: true })
  },
})
const common = { bundle: true, target: 'es2022', plugins: [wasmAlias()], logLevel: 'warning', legalComments: 'none' }
await esbuild.build({ ...common, entryPoints: [join(here, 'ts/entry/slim.ts')], outfile: join(dist, 'slim.js'), format: 'esm', platform: 'neutral' })

// The glue's exports an entry reaches: every export name that its tree-shaken TS layer names
// after a `.` (the layer calls `g.verifyToolsList(…)`, `g.WasmVerifyingKey.fromDidKey(…)`).
// A name the layer merely mentions keeps its export: the set can only be too large.
const exportsOf = (glueJs) => [...readFileSync(glueJs, 'utf8').matchAll(/^export (?:function|class) ([\w$]+)/gm)].map((m) => m[1])
const reachedGlue = async (entry, glueJs) => {
  const r = await esbuild.build({ ...common, entryPoints: [entry], write: false, format: 'esm', platform: 'neutral', external: ['node:*'] })
  const named = new Set([...r.outputFiles[0].text.matchAll(/\.\s*([\w$]+)/g)].map((m) => m[1]))
  return exportsOf(glueJs).filter((n) => named.has(n))
}
const browserEntry = async (name, glueJs, inlineJs) => {
  const shim = join(dist, `wasm/${name}-glue.js`)
  writeFileSync(shim, `export { ${[...(await reachedGlue(join(here, `ts/entry/${name}.ts`), glueJs)), 'initSync'].join(', ')} } from ${JSON.stringify(glueJs)}\n`)
  const out = join(dist, `${name}.js`)
  // charset utf8: esbuild's default (ASCII) would escape every byte over 0x7f of the inlined
  // module as \xNN, 2.4× the raw size.
  await esbuild.build({ ...common, plugins: [wasmAlias(inlineJs ? { '#wasm/web': shim, '#wasm/inline': inlineJs } : { '#wasm/web': shim })], entryPoints: [join(here, `ts/entry/${name}.ts`)], outfile: out, format: 'esm', platform: 'neutral', charset: 'utf8' })
  rmSync(shim)
  return out
}
await browserEntry('web', join(dist, 'wasm/web/mcp_attest_wasm.js'), join(dist, 'wasm/web-inline.js'))
// Node: ESM and CommonJS bundles of the TS layer and the glue; the .wasm stays a file, read
// on the first call. The CommonJS build has no import.meta: its URL comes from __filename.
{
  const glueJs = join(dist, 'wasm/node/mcp_attest_wasm.js')
  const shim = join(dist, 'wasm/node-glue.js')
  writeFileSync(shim, `export { ${[...(await reachedGlue(join(here, 'ts/entry/node.ts'), glueJs)), 'initSync'].join(', ')} } from ${JSON.stringify(glueJs)}\n`)
  const node = { ...common, plugins: [wasmAlias({ '#wasm/node': shim })], entryPoints: [join(here, 'ts/entry/node.ts')], platform: 'node' }
  await esbuild.build({ ...node, outfile: join(dist, 'node.js'), format: 'esm' })
  await esbuild.build({
    ...node,
    outfile: join(dist, 'node.cjs'),
    format: 'cjs',
    define: { 'import.meta.url': '__mcp_attest_url' },
    // The directive first, or the module would not be strict (esbuild puts its own after).
    banner: { js: "'use strict';\nconst __mcp_attest_url = require('node:url').pathToFileURL(__filename).href;" },
  })
  rmSync(shim)
  // Kept outside dist for bench/profile/icount_node.mjs, which counts the glue without the
  // TypeScript layer.
  mkdirSync(join(stage, 'node-glue'), { recursive: true })
  copyFileSync(glueJs, join(stage, 'node-glue', 'mcp_attest_wasm.js'))
  rmSync(glueJs)
}
rmSync(join(dist, 'wasm/web-inline.js'))

// `mcp-attest/verify`: its own build's glue, bundled, then that build's wasm with the exports
// the bundle does not call (`wasm.name`) removed, after which wasm-opt drops the code only
// they reached. It is a file of its own, not inlined: inlined it would cost 5–10 % more gzip,
// and a file can be compiled while it streams in. (The TS layer's SigningKey stays in the
// bundle, its static initialiser being a side effect to esbuild, but this glue has no
// WasmSigningKey for it to reach and the entry exports nothing that makes one.)
const verifyGlue = join(verifyBindgen, 'mcp_attest_wasm.js')
const verifyJs = await browserEntry('verify', verifyGlue)
// esbuild keeps every glue class (each one's `Symbol.dispose` assignment is a side effect),
// so the exports are counted per class: a class's methods only when the TS layer names the
// class or reached code wraps a pointer in it (`Class.__wrap`), which is how the glue returns
// instances. Everything outside class bodies counts as it is.
const bundle = readFileSync(verifyJs, 'utf8')
const classBodies = new Map([...bundle.matchAll(/^var (\w+) = class[^\n]*\n([\s\S]*?)^};$/gm)].map((m) => [m[1], m[2]]))
let outside = bundle
for (const [, body] of classBodies) outside = outside.replace(body, '')
const wrapped = (text) => [...text.matchAll(/\b_?(\w+)\.__wrap\b/g)].map((m) => m[1]).filter((c) => classBodies.has(c))
const namedByLayer = (await reachedGlue(join(here, 'ts/entry/verify.ts'), verifyGlue)).filter((n) => classBodies.has(n))
const liveClasses = new Set([...namedByLayer, ...wrapped(outside)])
for (const c of liveClasses) for (const w of wrapped(classBodies.get(c))) liveClasses.add(w)
const wasmCalls = (text) => [...text.matchAll(/\bwasm\.([\w$]+)/g)].map((m) => m[1])
const called = new Set(['memory', ...wasmCalls(outside), ...[...liveClasses].flatMap((c) => wasmCalls(classBodies.get(c)))])
// A dead class's finaliser is registered but never runs: no instance of it can exist.
for (const c of classBodies.keys()) if (!liveClasses.has(c)) called.delete(`__wbg_${c.toLowerCase()}_free`)
await binaryen.ready
const mod = binaryen.readBinary(readFileSync(join(verifyBindgen, 'mcp_attest_wasm_bg.wasm')))
const exports = Array.from({ length: mod.getNumExports() }, (_, i) => binaryen.getExportInfo(mod.getExportByIndex(i)).name)
const missing = [...called].filter((c) => !exports.includes(c))
if (missing.length) throw new Error(`the verify bundle calls exports the wasm lacks: ${missing.join(', ')}`)
for (const e of exports) if (!called.has(e)) mod.removeExport(e)
const verifyWasm = join(dist, 'wasm/verify.wasm')
writeFileSync(verifyWasm, mod.emitBinary())
mod.dispose()
wasmOpt(verifyWasm)
console.log(`verify entry: ${called.size} of ${exports.length} wasm exports kept (glue classes: ${[...liveClasses].join(', ')})`)

// 7. `mcp-attest/mcp` (the MCP SDK adapter): the core is imported from the package itself
//    (one wasm instance per program); the SDK and zod are the user's (optional peers).
const selfImport = {
  name: 'self-import',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({ path: 'mcp-attest', external: true }))
  },
}
const mcpCommon = { ...common, plugins: [selfImport], external: ['zod', '@modelcontextprotocol/sdk', '@modelcontextprotocol/sdk/*'], platform: 'neutral' }
await esbuild.build({ ...mcpCommon, entryPoints: [join(here, 'ts/mcp/index.ts')], outfile: join(dist, 'mcp.js'), format: 'esm' })
await esbuild.build({ ...mcpCommon, entryPoints: [join(here, 'ts/mcp/index.ts')], outfile: join(dist, 'mcp.cjs'), format: 'cjs' })
// 8. `mcp-attest/mcp/v2` (the split SDK 2.x packages): built like `mcp`, sharing its logic.
const mcpV2Common = { ...mcpCommon, external: ['zod', '@modelcontextprotocol/server', '@modelcontextprotocol/server/*', '@modelcontextprotocol/client', '@modelcontextprotocol/client/*'] }
await esbuild.build({ ...mcpV2Common, entryPoints: [join(here, 'ts/mcp-v2/index.ts')], outfile: join(dist, 'mcp-v2.js'), format: 'esm' })
await esbuild.build({ ...mcpV2Common, entryPoints: [join(here, 'ts/mcp-v2/index.ts')], outfile: join(dist, 'mcp-v2.cjs'), format: 'cjs' })
// 9. `mcp-attest/fs` (Node only): the trust store in a file; node:* stay imports.
const fsCommon = { ...common, plugins: [selfImport], platform: 'node' }
await esbuild.build({ ...fsCommon, entryPoints: [join(here, 'ts/fs/index.ts')], outfile: join(dist, 'fs.js'), format: 'esm' })
await esbuild.build({ ...fsCommon, entryPoints: [join(here, 'ts/fs/index.ts')], outfile: join(dist, 'fs.cjs'), format: 'cjs' })
console.log('built', dist)

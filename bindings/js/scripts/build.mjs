#!/usr/bin/env node
// Build: cargo (wasm32) → wasm-bindgen (nodejs + web) → wasm-opt -Oz (npm binaryen) → inline
// base64 for the default entry → tsc (declarations) → esbuild (node ESM + CJS, web, slim).
// Generated glue is never edited; it is referenced from dist/wasm/ as written.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const root = resolve(here, '../..')
const dist = join(here, 'dist')
const bin = (name) => join(here, 'node_modules/.bin', name)
const run = (cmd, args, opts = {}) => {
  console.log(`$ ${cmd} ${args.join(' ')}`)
  execFileSync(cmd, args, { stdio: 'inherit', ...opts })
}

// 1. The wasm, in the workspace's `wasm-release` profile: fat LTO, size-optimised outside the
//    crypto crates; no `strip` (wasm-opt needs the target_features section).
run('cargo', ['build', '--profile', 'wasm-release', '-p', 'mcp-attest-wasm', '--target', 'wasm32-unknown-unknown'], { cwd: root })
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target')
const wasm = join(targetDir, 'wasm32-unknown-unknown/wasm-release/mcp_attest_wasm.wasm')

// 2. wasm-bindgen, 3. wasm-opt.
rmSync(dist, { recursive: true, force: true })
for (const [target, out] of [['nodejs', 'node'], ['web', 'web']]) {
  const dir = join(dist, 'wasm', out)
  run('wasm-bindgen', ['--target', target, '--typescript', '--weak-refs', '--out-dir', dir, wasm])
  const bg = join(dir, 'mcp_attest_wasm_bg.wasm')
  run(bin('wasm-opt'), ['-Oz', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue', bg, '-o', bg])
}
// The nodejs glue is CommonJS; the package is "type": "module".
writeFileSync(join(dist, 'wasm/node/package.json'), '{ "type": "commonjs" }\n')

// 4. The default entry's inlined module.
const b64 = readFileSync(join(dist, 'wasm/web/mcp_attest_wasm_bg.wasm')).toString('base64')
writeFileSync(join(dist, 'wasm/web-inline.js'), `export default ${JSON.stringify(b64)}\n`)
writeFileSync(join(dist, 'wasm/web-inline.d.ts'), 'declare const base64: string\nexport default base64\n')

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

// 6. Bundles of the TS layer; the glue stays a separate, untouched file.
const alias = {
  '#wasm/node': './wasm/node/mcp_attest_wasm.js',
  '#wasm/web': './wasm/web/mcp_attest_wasm.js',
  '#wasm/inline': './wasm/web-inline.js',
}
const wasmAlias = {
  name: 'wasm-alias',
  setup(build) {
    build.onResolve({ filter: /^#wasm\// }, (a) => ({ path: alias[a.path], external: true }))
  },
}
const common = { bundle: true, target: 'es2022', plugins: [wasmAlias], logLevel: 'warning', legalComments: 'none' }
await esbuild.build({ ...common, entryPoints: [join(here, 'ts/entry/node.ts')], outfile: join(dist, 'node.js'), format: 'esm', platform: 'node' })
await esbuild.build({ ...common, entryPoints: [join(here, 'ts/entry/node.ts')], outfile: join(dist, 'node.cjs'), format: 'cjs', platform: 'node' })
await esbuild.build({ ...common, entryPoints: [join(here, 'ts/entry/web.ts')], outfile: join(dist, 'web.js'), format: 'esm', platform: 'neutral' })
await esbuild.build({ ...common, entryPoints: [join(here, 'ts/entry/slim.ts')], outfile: join(dist, 'slim.js'), format: 'esm', platform: 'neutral' })
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

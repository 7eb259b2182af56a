#!/usr/bin/env node
// The npm package as its ecosystem checks it, after `node scripts/build.mjs`:
//   publint --strict; attw --pack for the node10, node16 (require and import) and bundler
//   resolutions of every entry; the public types compiled with skipLibCheck: false for a Node
//   program (no DOM), a browser program (no @types/node), a Node MCP program and CommonJS
//   users; `npm publish --dry-run` clean, packing only what the entries need.
// The tools come from tools/ (its own lockfile; scripts/setup-tools.sh installs them).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const tool = (name) => join(here, 'tools/node_modules/.bin', name)
const failures = []
const run = (label, cmd, args) => {
  console.log(`==> ${label}`)
  const r = spawnSync(cmd, args, { cwd: here, stdio: 'inherit' })
  if (r.status !== 0) failures.push(label)
}

run('publint --strict', tool('publint'), ['run', '--strict', '.'])
// `mcp_attest.wasm` and `verify.wasm` are binary assets, not modules. `mcp-attest/slim` and
// `mcp-attest/verify` are ESM only on purpose (browsers and bundlers; each finds its .wasm
// through import.meta.url): attw's warning that a `require` of them gets ESM is the one rule
// waived, and for those entries alone.
run('attw --pack (every entry but slim and verify)', tool('attw'), ['--pack', '.', '--exclude-entrypoints', 'mcp_attest.wasm', 'verify.wasm', 'slim', 'verify'])
run('attw --pack (slim and verify, ESM only)', tool('attw'), ['--pack', '.', '--entrypoints', 'slim', 'verify', '--ignore-rules', 'cjs-resolves-to-esm'])
for (const config of ['node', 'browser', 'adapters']) {
  run(`types test: tsc -p types-test/tsconfig.${config}.json (skipLibCheck: false)`, process.execPath, [
    join(here, 'node_modules/typescript/bin/tsc'),
    '-p',
    join(here, `types-test/tsconfig.${config}.json`),
  ])
}

console.log('==> npm publish --dry-run')
const pub = spawnSync('npm', ['publish', '--dry-run', '--json'], { cwd: here, encoding: 'utf8' })
if (pub.status !== 0) {
  process.stderr.write(pub.stderr)
  failures.push('npm publish --dry-run')
} else {
  // The only expected complaint is that nobody is logged in to a registry.
  const warnings = pub.stderr.split('\n').filter((l) => /\bnpm (warn|error)\b/i.test(l) && !/requires you to be logged in/.test(l))
  if (warnings.length) failures.push(`npm publish --dry-run warned:\n  ${warnings.join('\n  ')}`)
  const out = JSON.parse(pub.stdout)
  const info = out.files ? out : Object.values(out)[0]
  const packed = new Set(info.files.map((f) => f.path))
  const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'))
  // Every file an entry point names is packed…
  const targets = []
  const walk = (v) => (typeof v === 'string' ? targets.push(v) : Object.values(v).forEach(walk))
  walk(pkg.exports)
  walk(pkg.typesVersions)
  targets.push(pkg.main, pkg.types)
  for (const t of targets) {
    const p = t.replace(/^\.\//, '')
    if (!packed.has(p)) failures.push(`npm pack: ${p} (named by package.json) is not packed`)
  }
  // …and nothing else but what those files load: declarations, the wasm glue and modules,
  // the licences and the README.
  const allowed = [
    /^package\.json$/,
    /^README\.md$/,
    /^LICENSE-(MIT|APACHE)$/,
    /^dist\/[a-z0-9-]+\.(js|cjs)$/,
    /^dist\/([a-z0-9-]+\/)?[a-z0-9-]+\.d\.c?ts$/,
    /^dist\/wasm\/(node|web)\/mcp_attest_wasm(_bg\.wasm|\.js)$/,
    /^dist\/wasm\/node\/package\.json$/,
    /^dist\/wasm\/verify\.wasm$/,
  ]
  const extra = [...packed].filter((p) => !allowed.some((re) => re.test(p)))
  if (extra.length) failures.push(`npm pack: unexpected files: ${extra.join(', ')}`)
  for (const lic of ['LICENSE-MIT', 'LICENSE-APACHE']) if (!packed.has(lic)) failures.push(`npm pack: ${lic} missing`)
  console.log(`${info.filename}: ${info.files.length} files, ${info.size} bytes packed, ${info.unpackedSize} unpacked`)
}

if (failures.length) {
  console.error(`\npackage checks failed:\n- ${failures.join('\n- ')}`)
  process.exit(1)
}
console.log('package checks: publint, attw, types (node, browser, adapters, cjs), npm publish --dry-run all clean')

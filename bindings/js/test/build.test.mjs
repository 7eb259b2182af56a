// Properties of the built modules that no API test would notice losing.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import binaryen from 'binaryen'

const exportSignatures = (url) => {
  const mod = binaryen.readBinary(readFileSync(new URL(url, import.meta.url)))
  try {
    const out = []
    for (let i = 0; i < mod.getNumExports(); i++) {
      const e = binaryen.getExportInfo(mod.getExportByIndex(i))
      if (e.kind !== binaryen.ExternalFunction) continue
      const f = binaryen.getFunctionInfo(mod.getFunction(e.value))
      out.push({ name: e.name, results: binaryen.expandType(f.results).length })
    }
    return out
  } finally {
    mod.dispose()
  }
}

// Node 20's V8 compiles an optimised JS-to-wasm wrapper, eagerly, for every export signature
// with more than one result; wasm-bindgen's multivalue returns made that 11 ms of start-up
// (scripts/build.mjs, disallowMultivalue).
test("Node's module: no export returns more than one value", () => {
  const exports = exportSignatures('../dist/wasm/node/mcp_attest_wasm_bg.wasm')
  assert.ok(exports.length > 100, `only ${exports.length} function exports read`)
  assert.deepEqual(exports.filter((e) => e.results > 1).map((e) => e.name), [])
})

// The check above must be able to see a multivalue export: the browsers' module keeps them.
test("the browsers' module: pairs and Results are returned as multiple values", () => {
  const multi = exportSignatures('../dist/wasm/web/mcp_attest_wasm_bg.wasm').filter((e) => e.results > 1)
  assert.ok(multi.some((e) => e.name === 'canonicalize'), `multivalue exports: ${multi.map((e) => e.name).join(', ')}`)
})

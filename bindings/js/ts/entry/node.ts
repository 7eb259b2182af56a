// Node.js entry (ESM and CommonJS builds): the glue is bundled in; the module is read and
// compiled on the first call into the library, so importing does no work (a program that
// imports but never calls pays nothing) and every call is synchronous.
import { readFileSync } from 'node:fs'
import * as glue from '#wasm/node'
import { setLoader } from '../native.js'

setLoader(() => {
  glue.initSync({ module: readFileSync(new URL('./wasm/node/mcp_attest_wasm_bg.wasm', import.meta.url)) })
  return glue
})

export * from '../index.js'

// Default entry for browsers, bundlers and web workers: the wasm is inlined as base64 and
// instantiated once, with one top-level await; every call is synchronous afterwards.
import * as glue from '#wasm/web'
import wasmBase64 from '#wasm/inline'
import { setNative } from '../native.js'

function decode(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

await glue.default({ module_or_path: decode(wasmBase64) })
setNative(glue)

export * from '../index.js'

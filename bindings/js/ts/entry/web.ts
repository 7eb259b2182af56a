// Default entry for browsers, bundlers and web workers: the wasm is inlined (a string) and
// instantiated on the first call (synchronously; see lazy.ts), so every call is synchronous
// and the module has no top-level await: it bundles for any target and output format.
import * as glue from '#wasm/web'
import wasmBytes from '#wasm/inline'
import { lazyEntry } from './lazy.js'

lazyEntry(glue, wasmBytes)

export * from '../index.js'

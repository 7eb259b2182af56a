// Shared by the browser entries that carry their wasm inline (`mcp-attest` for browsers and
// bundlers, `mcp-attest/verify`): nothing happens at import; the first call decodes and
// compiles the module synchronously, or `initialize()` compiles it off the main thread first.
import { isInitialized, setLoader, setNative, type GlueModule } from '../native.js'

function decode(b64: string): Uint8Array<ArrayBuffer> {
  // Native where the engine has it (Chrome 140+, Firefox 133+, Safari 18.2+); atob otherwise.
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> }).fromBase64
  if (fromBase64 !== undefined) return fromBase64(b64)
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** Installs the loader and returns the entry's `initialize`. */
export function lazyEntry(glue: GlueModule, base64: string): () => Promise<void> {
  setLoader(() => {
    glue.initSync({ module: decode(base64) })
    return glue
  })
  let pending: Promise<void> | undefined
  return () => {
    if (isInitialized()) return Promise.resolve()
    pending ??= WebAssembly.compile(decode(base64)).then(
      (module) => {
        // A synchronous call may have instantiated the module meanwhile: one instance only.
        if (isInitialized()) return
        glue.initSync({ module })
        setNative(glue)
      },
      (e: unknown) => {
        pending = undefined
        throw e
      },
    )
    return pending
  }
}

// The default browser entry carries its wasm inline: nothing happens at import; the first call
// decodes and compiles the module synchronously (Chromium allows that up to 8 MB on the main
// thread; 5–10 ms in headless Chromium here), so no top-level `await` is needed and every call stays sync.
import { setLoader, type GlueModule } from '../native.js'

function decode(b64: string): Uint8Array<ArrayBuffer> {
  // Native where the engine has it (Chrome 140+, Firefox 133+, Safari 18.2+); atob otherwise.
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array<ArrayBuffer> }).fromBase64
  if (fromBase64 !== undefined) return fromBase64(b64)
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** Instantiates `glue` from the base64 module on the first call into the library. */
export function lazyEntry(glue: GlueModule, base64: string): void {
  setLoader(() => {
    glue.initSync({ module: decode(base64) })
    return glue
  })
}

// The default browser entry carries its wasm inline: nothing happens at import; the first call
// decodes and compiles the module synchronously (Chromium allows that up to 8 MB on the main
// thread; 5–10 ms in headless Chromium here), so no top-level `await` is needed and every call
// stays synchronous.
import { setLoader, type GlueModule } from '../native.js'

/** The module's bytes from its inlined form: one character per byte (scripts/build.mjs). */
function decode(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i)
  return out
}

/** Instantiates `glue` from the inlined module on the first call into the library. */
export function lazyEntry(glue: GlueModule & { initSync(init: { module: BufferSource }): unknown }, inlined: string): void {
  setLoader(() => {
    glue.initSync({ module: decode(inlined) })
    return glue
  })
}

// The loaded wasm glue. Each entry (node, web, slim) installs it; every API call reaches it
// through `native()`, which throws `not_initialized` before that.
import type * as Glue from '#wasm/types'
import { errorFor, fromNative } from './errors.js'

/** The wasm-bindgen glue module. @internal */
export type GlueModule = typeof Glue

let glue: GlueModule | undefined

/** @internal */
export function setNative(g: GlueModule): void {
  glue = g
}

/** @internal */
export function isInitialized(): boolean {
  return glue !== undefined
}

/** @internal */
export function native(): GlueModule {
  if (glue === undefined) {
    throw errorFor('not_initialized', 'mcp-attest/slim: call `await initialize()` before using the library')
  }
  return glue
}

/** Runs a glue call, turning its errors into the class for their code. @internal */
export function call<T>(f: (g: GlueModule) => T): T {
  const g = native()
  try {
    return f(g)
  } catch (e) {
    throw fromNative(e)
  }
}

// Node.js entry (ESM and CommonJS builds): the nodejs-target glue instantiates the module
// synchronously at load, so the library is ready at import.
import * as glue from '#wasm/node'
import { setNative, type GlueModule } from '../native.js'

setNative(glue as unknown as GlueModule)

export * from '../index.js'

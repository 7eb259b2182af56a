// Writes what a real SDK 1.x server with an identity sends for `n` tools — the tools/list
// result and the identity/get result, as JSON text — into `dir`, for the core-only `session`
// op of bench/rust/src/bin/icount.rs (instructions of the client's verification with no
// binding or SDK around it). `node capture.mjs <n> <dir>`; prints the server time used.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { makeCell, sdk1, z } from '../mcp/sdks.mjs'

const [n, dir] = [Number(process.argv[2]), process.argv[3]]
const line = await sdk1()
const cell = makeCell(line, n)
const [a, b] = line.pair()
const client = line.client()
await cell.identity.connect(a)
await client.connect(b)
// The results as the adapter's client receives them: through a passthrough schema.
const raw = z.object({}).passthrough()
const page = await client.request({ method: 'tools/list', params: {} }, raw)
const identity = await client.request({ method: 'identity/get', params: {} }, raw)
await client.close()
await cell.identity.close()
writeFileSync(join(dir, 'page.json'), JSON.stringify(page))
writeFileSync(join(dir, 'identity.json'), JSON.stringify(identity))
console.log(Math.floor(Date.now() / 1000))

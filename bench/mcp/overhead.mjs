// Overhead of server identity on connect + tools/list for a 100-tool MCP server (SDK 1.x).
//
// One process, real SDK objects over the SDK's InMemoryTransport. Each round, for each mode:
// build a fresh McpServer with 100 tools (untimed), then time connect (server + client, the
// initialize handshake) plus listing the tools:
//   plain            no identity; client.listTools()
//   verify           attachIdentity on the server (signs the 100 tools + manifest per list);
//                    verifyServer(client, { challenge: false })
//                    (passport, identity/get, every tool signature and the manifest)
//   verify+challenge the same with identity/challenge (proof of possession)
// Modes are interleaved round by round; the median of each is reported with its ratio to plain.
// BENCH_QUICK=1: a smoke run (a few seconds). BENCH_ROUNDS=n overrides the round count.
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const js = join(here, '..', '..', 'bindings', 'js')
// The SDK (a devDependency of bindings/js) and our package, by their ESM entry files, so the
// SDK objects here are the same module instances the adapter uses.
const nm = join(js, 'node_modules')
const load = (...p) => import(pathToFileURL(join(...p)).href)
const { McpServer } = await load(nm, '@modelcontextprotocol/sdk/dist/esm/server/mcp.js')
const { Client } = await load(nm, '@modelcontextprotocol/sdk/dist/esm/client/index.js')
const { InMemoryTransport } = await load(nm, '@modelcontextprotocol/sdk/dist/esm/inMemory.js')
const { z } = await load(nm, 'zod/index.js')
const { SigningKey } = await load(js, 'dist/node.js')
const { attachIdentity, verifyServer } = await load(js, 'dist/mcp.js')

const QUICK = process.env.BENCH_QUICK === '1'
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 15 : 150))
const WARMUP = QUICK ? 3 : 15
const N_TOOLS = 100

const key = SigningKey.generate()
const domains = ['github', 'jira', 'slack', 'calendar', 'drive', 'billing', 'crm', 'search', 'weather', 'db']
const verbs = [
  ['list', 'Lists {d} items visible to the current user, newest first, with optional filters and pagination.'],
  ['get', 'Fetches one {d} item by its identifier, including metadata, owner and timestamps.'],
  ['create', 'Creates a new {d} item from the given fields and returns its identifier and URL.'],
  ['update', 'Updates fields of an existing {d} item; fields not given are left unchanged.'],
  ['delete', 'Deletes a {d} item permanently. Requires confirm=true; cannot be undone.'],
  ['search', 'Full-text search over {d} items; supports quoted phrases and field:value filters.'],
  ['comment', 'Adds a comment to a {d} item, optionally mentioning users by handle.'],
  ['assign', 'Assigns a {d} item to a user or team and notifies them.'],
  ['export', 'Exports {d} items matching a query as CSV or JSON and returns a download link.'],
  ['stats', 'Returns aggregate statistics for {d} items over a date range, grouped by a field.'],
]

function buildServer(identity) {
  const s = new McpServer({ name: 'bench-100', version: '1.0.0' })
  for (const d of domains) {
    for (const [v, desc] of verbs) {
      s.registerTool(
        `${d}_${v}`,
        {
          title: `${v[0].toUpperCase()}${v.slice(1)} ${d}`,
          description: desc.replaceAll('{d}', d),
          inputSchema: {
            id: z.string().describe(`The ${d} item identifier`).optional(),
            query: z.string().max(500).describe('Filter or search expression').optional(),
            fields: z.array(z.string()).describe('Fields to return').optional(),
            limit: z.number().int().min(1).max(100).default(20).describe('Page size'),
            cursor: z.string().optional().describe('Opaque pagination cursor'),
            format: z.enum(['json', 'csv', 'markdown']).optional(),
            confirm: z.boolean().optional().describe('Required for destructive operations'),
          },
          annotations: { readOnlyHint: ['list', 'get', 'search', 'stats', 'export'].includes(v), destructiveHint: v === 'delete' },
        },
        async () => ({ content: [{ type: 'text', text: 'ok' }] }),
      )
    }
  }
  if (identity) attachIdentity(s, { key })
  return s
}

const modes = {
  plain: { identity: false, list: async (c) => (await c.listTools()).tools.length },
  verify: { identity: true, list: async (c) => check(await verifyServer(c, { challenge: false })) },
  'verify+challenge': { identity: true, list: async (c) => check(await verifyServer(c, { challenge: true })) },
}

function check(r) {
  // r is the core's ServerReport: every tool verified, or the bench measured a failure.
  const ok = r.tools.filter((t) => t.status === 'verified').length
  if (!r.verified || ok !== N_TOOLS) throw new Error(`verification failed: ${r.code}: ${r.message}`)
  return ok
}

async function once(mode) {
  const m = modes[mode]
  const server = buildServer(m.identity)
  const client = new Client({ name: 'bench-client', version: '1.0.0' })
  const [a, b] = InMemoryTransport.createLinkedPair()
  const t0 = performance.now()
  await server.connect(a)
  await client.connect(b)
  const n = await m.list(client)
  const dt = performance.now() - t0
  await client.close()
  await server.close()
  if (n !== N_TOOLS) throw new Error(`${mode}: ${n} tools`)
  return dt
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y)
  const k = s.length >> 1
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2
}

const names = Object.keys(modes)
const times = Object.fromEntries(names.map((n) => [n, []]))
const started = performance.now()
for (let r = 0; r < WARMUP + ROUNDS; r++) {
  // Rotate the order so no mode always runs first (GC, caches).
  for (let i = 0; i < names.length; i++) {
    const mode = names[(r + i) % names.length]
    const dt = await once(mode)
    if (r >= WARMUP) times[mode].push(dt)
  }
}
const base = median(times.plain)
console.log(`connect + tools/list, ${N_TOOLS}-tool McpServer (SDK 1.x, in-memory transport), node ${process.version}`)
console.log(`${ROUNDS} rounds after ${WARMUP} warm-up${QUICK ? ' (BENCH_QUICK)' : ''}; median per flow`)
console.log('')
console.log(`${'flow'.padEnd(20)}${'median ms'.padStart(11)}${'p90 ms'.padStart(10)}${'ratio'.padStart(9)}`)
for (const n of names) {
  const s = [...times[n]].sort((x, y) => x - y)
  const p90 = s[Math.min(s.length - 1, Math.floor(s.length * 0.9))]
  const med = median(times[n])
  console.log(`${n.padEnd(20)}${med.toFixed(2).padStart(11)}${p90.toFixed(2).padStart(10)}${(med / base).toFixed(2).padStart(8)}x`)
}
console.log('')
console.log(`identity (server signing + client verification) adds ${(median(times.verify) - base).toFixed(2)} ms (x${(median(times.verify) / base).toFixed(2)}); with the challenge ${(median(times['verify+challenge']) - base).toFixed(2)} ms (x${(median(times['verify+challenge']) / base).toFixed(2)})`)
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`)

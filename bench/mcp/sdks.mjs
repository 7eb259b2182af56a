// The MCP servers and clients of the identity-overhead benchmarks (overhead.mjs, and the
// 100-tool row of bench/js/peers.mjs): SDK 1.x and 2.x lines, N realistic tools, one timed
// sample of connect + list (plain) or connect + verifyServer with the default policy.
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const js = join(here, '..', '..', 'bindings', 'js')
// The SDKs (devDependencies of bindings/js) and our package, by their ESM entry files, so the
// SDK objects here are the module instances the adapters see.
const nm = join(js, 'node_modules')
const load = (...p) => import(pathToFileURL(join(...p)).href)
export const { SigningKey } = await load(js, 'dist/node.js')
export const { z } = await load(nm, 'zod/index.js')

export const key = SigningKey.generate()
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

/** `n` realistic tool definitions (name, title, description, a 7-property input schema, annotations). */
export function toolDefs(n) {
  const out = []
  for (let i = 0; out.length < n; i++) {
    const d = domains[i % domains.length]
    const [v, desc] = verbs[Math.floor(i / domains.length) % verbs.length]
    const suffix = i < 100 ? '' : `_${Math.floor(i / 100)}`
    out.push({
      name: `${d}_${v}${suffix}`,
      title: `${v[0].toUpperCase()}${v.slice(1)} ${d}`,
      description: desc.replaceAll('{d}', d),
      shape: {
        id: z.string().describe(`The ${d} item identifier`).optional(),
        query: z.string().max(500).describe('Filter or search expression').optional(),
        fields: z.array(z.string()).describe('Fields to return').optional(),
        limit: z.number().int().min(1).max(100).default(20).describe('Page size'),
        cursor: z.string().optional().describe('Opaque pagination cursor'),
        format: z.enum(['json', 'csv', 'markdown']).optional(),
        confirm: z.boolean().optional().describe('Required for destructive operations'),
      },
      annotations: { readOnlyHint: ['list', 'get', 'search', 'stats', 'export'].includes(v), destructiveHint: v === 'delete' },
    })
  }
  return out
}

/** One SDK line: how to build its servers and clients and what its adapter exports. */
export async function sdk1() {
  const { McpServer } = await load(nm, '@modelcontextprotocol/sdk/dist/esm/server/mcp.js')
  const { Client } = await load(nm, '@modelcontextprotocol/sdk/dist/esm/client/index.js')
  const { InMemoryTransport } = await load(nm, '@modelcontextprotocol/sdk/dist/esm/inMemory.js')
  const adapter = await load(js, 'dist/mcp.js')
  return {
    name: 'SDK 1.x',
    adapter,
    pair: () => InMemoryTransport.createLinkedPair(),
    client: () => new Client({ name: 'bench-client', version: '1.0.0' }),
    server(n) {
      const s = new McpServer({ name: `bench-${n}`, version: '1.0.0' })
      for (const t of toolDefs(n)) {
        s.registerTool(t.name, { title: t.title, description: t.description, inputSchema: t.shape, annotations: t.annotations }, async () => ({ content: [{ type: 'text', text: 'ok' }] }))
      }
      return s
    },
  }
}

export async function sdk2() {
  const { McpServer } = await load(nm, '@modelcontextprotocol/server/dist/index.mjs')
  const { Client, InMemoryTransport } = await load(nm, '@modelcontextprotocol/client/dist/index.mjs')
  const adapter = await load(js, 'dist/mcp-v2.js')
  return {
    name: 'SDK 2.x',
    adapter,
    pair: () => InMemoryTransport.createLinkedPair(),
    client: () => new Client({ name: 'bench-client', version: '1.0.0' }),
    server(n) {
      const s = new McpServer({ name: `bench-${n}`, version: '1.0.0' }, { capabilities: { tools: {} } })
      for (const t of toolDefs(n)) {
        s.registerTool(t.name, { title: t.title, description: t.description, inputSchema: z.object(t.shape), annotations: t.annotations }, async () => ({ content: [{ type: 'text', text: 'ok' }] }))
      }
      return s
    },
  }
}

/** A client whose SDK requests are timed, per method, into `rt` (ms). */
function timed(client, rt) {
  return new Proxy(client, {
    get(target, prop) {
      if (prop !== 'request') {
        const v = Reflect.get(target, prop, target)
        return typeof v === 'function' ? v.bind(target) : v
      }
      return async (...args) => {
        const t0 = performance.now()
        try {
          return await target.request(...args)
        } finally {
          rt[args[0].method] = (rt[args[0].method] ?? 0) + performance.now() - t0
        }
      }
    },
  })
}

/** One sample on a long-lived server: a fresh client connects, then lists or verifies. */
export async function sample(line, cell, mode) {
  const server = mode === 'plain' ? cell.plain : cell.identity
  const [a, b] = line.pair()
  const client = line.client()
  const t0 = performance.now()
  await server.connect(a)
  await client.connect(b)
  const t1 = performance.now()
  const rt = {}
  let n
  if (mode === 'plain') {
    rt['tools/list'] = 0
    n = (await client.listTools()).tools.length
    rt['tools/list'] = performance.now() - t1
  } else {
    const r = await line.adapter.verifyServer(timed(client, rt))
    // The core's report: every tool verified, or the bench would be timing a failure.
    const ok = r.tools.filter((t) => t.status === 'verified').length
    if (!r.verified || ok !== cell.n) throw new Error(`${line.name} ${cell.n}: not verified: ${r.code}: ${r.message}`)
    n = ok
  }
  const t2 = performance.now()
  await client.close()
  await server.close()
  if (n !== cell.n) throw new Error(`${line.name} ${mode}: ${n} tools, not ${cell.n}`)
  return { total: t2 - t0, connect: t1 - t0, rt, work: t2 - t1 - Object.values(rt).reduce((x, y) => x + y, 0) }
}

export const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y)
  const k = s.length >> 1
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2
}


/** The two long-lived servers of one (SDK line, tool count): plain, and with the identity attached. */
export function makeCell(line, n) {
  const identity = line.server(n)
  line.adapter.attachIdentity(identity, { key })
  return { line, n, plain: line.server(n), identity, samples: { plain: [], identity: [] } }
}

// The README's main job (`just demo`): a real Python MCP server (the `mcp` SDK with
// mcp_attest.mcp) and a real TypeScript MCP client (@modelcontextprotocol/sdk with
// mcp-attest/mcp) over stdio. The client verifies the server and prints what it found, then
// meets a tampered tool, a rug pull (what changed between two listings) and an impostor key,
// and refuses each.
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { TrustStore } from 'mcp-attest'
import { verifyServer, watchServer } from 'mcp-attest/mcp'

// The report printed is the core's ServerReport: the same JSON a Python client would get.
// MCP_ATTEST_PYTHON / MCP_ATTEST_PY_SERVER point the demo at another checkout's Python side.
const root = fileURLToPath(new URL('../../../', import.meta.url))
const python = process.env.MCP_ATTEST_PYTHON ?? `${root}.venv/bin/python`
const server = process.env.MCP_ATTEST_PY_SERVER ?? `${root}bindings/python/tests_mcp/server.py`
if (!existsSync(python)) {
  console.error(`demo: ${python} is missing; run \`just demo\` (it sets up the Python package first)`)
  process.exit(2)
}
const SERVER_SEED = '5e'.repeat(32)
const IMPOSTOR_SEED = '1a'.repeat(32)
// One trust store for the whole demo: the client pins the server on first use and remembers
// the tools it accepted, so a later listing is compared with them.
const trust = TrustStore.create()
const policy = { serverId: 'stdio:weather-demo', trustStore: trust }

async function connect(flags) {
  const client = new Client({ name: 'demo-client', version: '1.0.0' })
  const args = [server, '--transport', 'stdio', ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])]
  await client.connect(new StdioClientTransport({ command: python, args, stderr: 'ignore' }))
  return client
}

const PIN = { first_use: 'first use: key pinned', match: 'matches the pinned key', rotated: 'rotated: the pinned key signed the new one', changed: 'CHANGED: not the pinned key' }

/** Prints the core's report for a human. */
function print(title, r) {
  console.log(`\n== ${title}`)
  if (r.server) console.log(`server          ${r.server.did}`)
  if (r.passport) console.log(`passport        ${r.passport.selfIssued ? 'self-issued' : r.passport.issuer}, expires ${new Date(r.passport.expiresAt * 1000).toISOString()}`)
  for (const p of r.publishers) console.log(`publisher       ${p.name} (${p.did})${p.trusted ? ', trusted' : ''}`)
  if (r.pin) console.log(`pin             ${PIN[r.pin]}`)
  console.log(`challenge       ${{ verified: 'answered: the server holds the key', failed: 'FAILED', skipped: 'not asked' }[r.challenge]}`)
  if (!r.verified) console.log(`refused         ${r.code}: ${r.message}`)
  for (const t of r.tools) {
    const why = t.status === 'verified' ? 'verified' : `${t.status} (${t.code})${t.changedFields.length ? `: ${t.changedFields.join(', ')} changed` : ''}`
    console.log(`  [${t.status === 'verified' ? 'ok ' : 'BAD'}] ${String(t.name).padEnd(10)} ${why}`)
  }
  if (r.changes) {
    const c = r.changes
    const parts = [...c.added.map((n) => `+${n}`), ...c.removed.map((n) => `-${n}`), ...c.changed.map((x) => `~${x.name} (${x.fields.join(', ')})`)]
    console.log(`since accepted  ${parts.length ? parts.join('  ') : 'nothing changed'}`)
  }
  console.log(`verdict         ${r.verified ? 'VERIFIED: tools may reach the model' : 'REFUSED: only the [ok] tools may reach the model'}`)
  return r
}

async function run(title, flags, check) {
  const client = await connect(flags)
  try {
    const r = print(title, await verifyServer(client, policy))
    if (!check(r)) throw new Error(`demo: unexpected outcome for "${title}"`)
    return client
  } catch (e) {
    await client.close().catch(() => {})
    throw e
  }
}

// 1. The honest server: identity, passport, challenge, every tool.
let client = await run('1. Honest Python server, TypeScript client', { seed: SERVER_SEED }, (r) => r.verified && r.pin === 'first_use')
await client.close()

// 2. A description rewritten after signing, on the wire (tool poisoning).
client = await run('2. A tool description changed after signing', { seed: SERVER_SEED, tamper: 'description' }, (r) => !r.verified && r.tools.some((t) => t.status === 'tampered'))
await client.close()

// 3. A rug pull: the server swaps a tool's definition (re-signed with its own key!) and
//    announces list_changed. The watcher re-lists; the trust store remembers what was accepted.
client = await run('3a. Before the rug pull (the second listing: nothing changed)', { seed: SERVER_SEED }, (r) => r.verified && r.pin === 'match')
const after = await new Promise((resolve, reject) => {
  watchServer(client, policy, resolve).then(async (w) => {
    await client.callTool({ name: 'rug_pull', arguments: {} })
    // A server that sends no notification: re-verify explicitly after a moment.
    setTimeout(() => w.refresh().then(resolve, reject), 3000)
  }, reject)
})
print('3b. After notifications/tools/list_changed (rug pull)', after)
if (!after.tools.some((t) => t.status === 'changed' && t.code === 'tool_changed')) throw new Error('demo: the rug pull was not caught')
await client.close()

// 4. Another key under the same server name: the pin refuses it.
client = await run('4. An impostor with another key', { seed: IMPOSTOR_SEED }, (r) => !r.verified && r.code === 'pinned_key_changed')
await client.close()

console.log('\nEvery attack was refused; the trust store holds the pin and the tools accepted:')
console.log(trust.toJson())

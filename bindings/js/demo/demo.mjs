// The README's main job (`just demo`): a real Python MCP server (the `mcp` SDK with
// mcp_attest.mcp) and a real TypeScript MCP client (@modelcontextprotocol/sdk with
// mcp-attest/mcp) over stdio. The client verifies the server and prints what it found, then
// meets a tampered tool, a rug pull and an impostor key, and refuses each.
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { TrustStore } from 'mcp-attest'
import { verifyServer, watchServer } from 'mcp-attest/mcp'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const python = `${root}.venv/bin/python`
const server = `${root}bindings/python/tests_mcp/server.py`
if (!existsSync(python)) {
  console.error(`demo: ${python} is missing; run \`just demo\` (it sets up the Python package first)`)
  process.exit(2)
}
const SERVER_SEED = '5e'.repeat(32)
const IMPOSTOR_SEED = '1a'.repeat(32)
// One trust store for the whole demo: the client pins the server on first use.
const trust = TrustStore.create()
const policy = { serverId: 'stdio:weather-demo', trustStore: trust }

async function connect(flags) {
  const client = new Client({ name: 'demo-client', version: '1.0.0' })
  const args = [server, '--transport', 'stdio', ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])]
  await client.connect(new StdioClientTransport({ command: python, args, stderr: 'ignore' }))
  return client
}

function report(title, v) {
  console.log(`\n== ${title}`)
  if (v.serverDid) console.log(`server          ${v.serverDid}`)
  if (v.passport) {
    const issuer = v.passport.selfIssued ? 'self-issued' : v.passport.issuer
    console.log(`passport        ${issuer}, expires ${v.passport.expiresAt.toISOString?.() ?? v.passport.expiresAt}`)
  }
  if (v.pin) console.log(`pin             ${v.pin === 'first_use' ? 'first use: key pinned' : 'matches the pinned key'}`)
  if (v.challenge !== null) console.log(`challenge       ${v.challenge ? 'answered: the server holds the key' : 'FAILED'}`)
  if (v.error) console.log(`server refused  ${v.error.code}: ${v.error.message}`)
  for (const t of v.tools) console.log(`  [ok ] ${String(t.name).padEnd(10)} verified`)
  if (v.error) console.log(`  every tool withheld (${v.rejected.length}): the server itself is not verified`)
  else for (const r of v.rejected) console.log(`  [BAD] ${String(r.name).padEnd(10)} ${r.status} (${r.code}): ${r.message}`)
  console.log(`verdict         ${v.verified ? 'VERIFIED: tools may reach the model' : 'REFUSED: only the [ok] tools may reach the model'}`)
  return v
}

async function run(title, flags, check) {
  const client = await connect(flags)
  try {
    const v = report(title, await verifyServer(client, policy))
    if (!check(v)) throw new Error(`demo: unexpected outcome for "${title}"`)
    return { client, v }
  } catch (e) {
    await client.close().catch(() => {})
    throw e
  }
}

// 1. The honest server: identity, passport, challenge, every tool.
let { client } = await run('1. Honest Python server, TypeScript client', { seed: SERVER_SEED }, (v) => v.verified && v.pin === 'first_use')
await client.close()

// 2. A description rewritten after signing, on the wire (tool poisoning).
;({ client } = await run('2. A tool description changed after signing', { seed: SERVER_SEED, tamper: 'description' }, (v) => !v.verified && v.rejected.length > 0))
await client.close()

// 3. A rug pull: the server swaps a tool's definition (re-signed with its own key!) and
//    announces list_changed. The watcher re-verifies and refuses the changed tool.
;({ client } = await run('3a. Before the rug pull', { seed: SERVER_SEED }, (v) => v.verified))
const changed = new Promise((resolve) => {
  watchServer(client, { ...policy, knownTools: new Map() }, resolve).then(async (w) => {
    await client.callTool({ name: 'rug_pull', arguments: {} })
    // Some eras deliver no notification on stdio; refresh explicitly then.
    setTimeout(() => w.refresh().then(resolve), 1500)
  })
})
const after = await changed
report('3b. After notifications/tools/list_changed (rug pull)', after)
if (!after.rejected.some((r) => r.code === 'tool_changed' || r.status === 'tampered')) throw new Error('demo: the rug pull was not caught')
await client.close()

// 4. Another key under the same server name: the pin refuses it.
;({ client } = await run('4. An impostor with another key', { seed: IMPOSTOR_SEED }, (v) => !v.verified && v.error?.code === 'pinned_key_changed'))
await client.close()

console.log('\nEvery attack was refused; the trust store now holds the pin:')
console.log(trust.toJson())

// The session through the npm API: a rug pull is refused until the host accepts the changed
// tool, and then verifies; the store remembers the accepted version. Uses the recorded
// transcripts of tests/vectors/sessions.json, so the server side is the core's own.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import * as lib from 'mcp-attest'

const file = JSON.parse(readFileSync(fileURLToPath(new URL('../../../tests/vectors/sessions.json', import.meta.url)), 'utf8'))
const byId = (id) => file.cases.find((c) => c.id === id)
const hex = (s) => Uint8Array.from(s.match(/../g), (b) => parseInt(b, 16))

function replay(c, store) {
  const s = new lib.ClientSession(JSON.parse(c.policy), { trustStore: store, currentDate: new Date(c.now * 1000), random: hex(c.random_hex) })
  for (const x of c.exchanges) {
    assert.equal(s.nextRequest().method, x.method)
    if (x.result !== undefined) s.receiveResult(x.result)
    else s.receiveError(x.error.code, x.error.message, x.error.data === null ? undefined : JSON.parse(x.error.data))
  }
  assert.equal(s.nextRequest(), null)
  s.saveTrustStore()
  return s.report
}

test('a changed tool stays refused until the host accepts it', () => {
  const c = byId('session/rug-pull-description')
  const store = lib.TrustStore.fromJson(c.store)
  const first = replay(c, store)
  assert.equal(first.verified, false)
  assert.equal(first.code, 'tool_changed')
  const changed = first.tools.find((t) => t.status === 'changed')
  assert.deepEqual(changed.changedFields, ['description'])
  // Refused again on the next listing: nothing was accepted behind the user's back.
  assert.equal(replay(c, store).code, 'tool_changed')
  // The user approved it: accept the tool exactly as listed.
  const listed = JSON.parse(c.exchanges[0].result).tools.find((t) => t.name === changed.name)
  store.acceptTool('stdio:weather', listed)
  const after = replay(c, store)
  assert.equal(after.verified, true, after.message)
  assert.deepEqual(after.changes.changed, [])
  assert.ok(store.acceptedToolNames('stdio:weather').includes(changed.name))
  assert.equal(store.forgetTool('stdio:weather', changed.name), true)
  assert.throws(() => store.acceptTool('stdio:weather', { description: 'no name' }), (e) => e.code === 'malformed_tool_definition')
})

test('a trust store without serverId, or a misspelt option, is a configuration error', () => {
  assert.throws(() => new lib.ClientSession({}, { trustStore: lib.TrustStore.create() }), (e) => e.code === 'invalid_policy')
  assert.throws(() => new lib.ClientSession({ serverId: 'x', challange: false }), (e) => e.code === 'invalid_policy')
  assert.throws(() => new lib.ClientSession({ serverId: 'x', maxPages: 'ten' }), (e) => e.code === 'invalid_policy')
})

test('the server presentation answers what the session asks, end to end in one process', () => {
  const key = lib.SigningKey.fromBytes(new Uint8Array(32).fill(3))
  const server = new lib.ServerPresentation(key, { name: 'calc', version: '1.0.0' })
  const tools = { tools: [{ name: 'add', description: 'Adds.', inputSchema: { type: 'object' } }] }
  const store = lib.TrustStore.create()
  const s = new lib.ClientSession({ serverId: 'stdio:calc' }, { trustStore: store })
  for (let r = s.nextRequest(); r !== null; r = s.nextRequest()) {
    if (r.method === 'tools/list') s.receiveResult(server.signToolsList(tools, { cursor: r.params.cursor }))
    else if (r.method === 'identity/get') s.receiveResult(server.identityGet())
    else {
      const a = server.answerChallenge(r.params, 'client-1')
      if ('result' in a) s.receiveResult(a.result)
      else s.receiveError(a.error.code, a.error.message, a.error.data)
    }
  }
  s.saveTrustStore()
  const report = s.report
  assert.equal(report.verified, true, report.message)
  assert.equal(report.pin, 'first_use')
  assert.equal(report.server.did, server.did)
  assert.deepEqual(store.acceptedToolNames('stdio:calc'), ['add'])
})

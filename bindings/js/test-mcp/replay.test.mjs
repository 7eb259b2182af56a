// issue #10 item 5: one client cannot deny the others' challenges, clients retry once on a full
// replay cache, and replicas sharing a RedisReplayStore refuse a challenge answer replayed
// against another replica. Real SDK 1.x servers and clients (InMemoryTransport) and a real
// redis-server started here on a free port of 127.0.0.1 (never 6379), killed afterwards.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import { createClient } from 'redis'
import { z } from 'zod'
import { SigningKey, createChallenge, prepareCall } from 'mcp-attest'
import { attachIdentity, verifyServer, RedisReplayStore, METHOD_CHALLENGE } from 'mcp-attest/mcp'

const loose = z.object({}).passthrough()
const REDIS = process.env.REDIS_SERVER ?? '/usr/bin/redis-server'

async function link(server) {
  const [a, b] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'c', version: '1' })
  await server.connect(a)
  await client.connect(b)
  return { client, close: async () => { await client.close(); await server.close() } }
}

function serverWith(key, identity = {}) {
  const s = new McpServer({ name: 'replay', version: '1.0.0' })
  s.registerTool('t', { description: 'a tool' }, async () => ({ content: [] }))
  attachIdentity(s, { key, ...identity })
  return s
}

/** The JSON-RPC error of a refused identity/challenge, or null when it was answered. */
async function challenge(client, params) {
  try {
    await client.request({ method: METHOD_CHALLENGE, params: { ...params } }, loose)
    return null
  } catch (e) {
    assert.ok(e instanceof McpError, String(e))
    return { code: e.code, reason: e.data?.reason }
  }
}

describe('one client flooding identity/challenge', () => {
  it('cannot deny another client (issue: 10 000 challenges at now + 300 s)', async () => {
    // One key, one responder shared by both connections (the adapter's default), as in the issue.
    const key = SigningKey.fromBytes(new Uint8Array(32).fill(51))
    const flooder = await link(serverWith(key))
    const honest = await link(serverWith(key))
    try {
      const flood = async (offsetSeconds) => {
        const reasons = new Map()
        const at = new Date(Date.now() + offsetSeconds * 1000)
        for (let batch = 0; batch < 10; batch++) {
          const results = await Promise.all(Array.from({ length: 1000 }, () => challenge(flooder.client, createChallenge({ currentDate: at }))))
          for (const r of results) reasons.set(r?.reason ?? 'answered', (reasons.get(r?.reason ?? 'answered') ?? 0) + 1)
        }
        return Object.fromEntries(reasons)
      }
      // Far-future timestamps are no longer admitted (they pinned the cache for 10 minutes).
      assert.deepEqual(await flood(300), { stale_timestamp: 10_000 })
      // At the largest admitted skew the flood stops at the flooder's quota (10 000 / 16).
      assert.deepEqual(await flood(55), { answered: 625, challenge_rate_limited: 9_375 })
      const refused = await challenge(flooder.client, createChallenge())
      assert.deepEqual(refused, { code: -32029, reason: 'challenge_rate_limited' })
      // Meanwhile the other client verifies, challenge included.
      const v = await verifyServer(honest.client, {})
      assert.equal(v.verified, true, JSON.stringify(v))
      assert.equal(v.challenge, 'verified')
    } finally {
      await flooder.close()
      await honest.close()
    }
  })
})

describe('the client retries once on nonce_cache_full', () => {
  /** A server whose identity/challenge refuses the first `fullTimes` calls as a full cache. */
  async function flaky(fullTimes, data = { code: 'nonce_cache_full', reason: 'nonce_cache_full' }, code = -32603) {
    const key = SigningKey.fromBytes(new Uint8Array(32).fill(52))
    const s = serverWith(key)
    const handlers = s.server._requestHandlers
    const real = handlers.get(METHOD_CHALLENGE)
    const calls = []
    handlers.set(METHOD_CHALLENGE, async (request, extra) => {
      calls.push(request.params.challenge)
      if (calls.length <= fullTimes) throw new McpError(code, 'the challenge replay cache is full', data)
      return real(request, extra)
    })
    return { ...(await link(s)), calls }
  }

  it('once, with a fresh challenge, and then verifies', async () => {
    const c = await flaky(1)
    try {
      const v = await verifyServer(c.client, {})
      assert.equal(v.verified, true, JSON.stringify(v))
      assert.equal(v.challenge, 'verified')
      assert.equal(c.calls.length, 2)
      assert.notEqual(c.calls[0], c.calls[1], 'the retry sends a fresh challenge')
    } finally {
      await c.close()
    }
  })

  it('only once', async () => {
    const c = await flaky(2)
    try {
      const v = await verifyServer(c.client, {})
      assert.equal(v.verified, false)
      assert.equal(v.challenge, 'failed')
      assert.equal(v.code, 'nonce_cache_full')
      assert.equal(c.calls.length, 2)
    } finally {
      await c.close()
    }
  })

  it('decided by data.reason, not by the JSON-RPC code', async () => {
    // -32603 without the reason (any internal error) is not retried.
    const c = await flaky(1, { code: 'invalid_challenge' })
    try {
      const v = await verifyServer(c.client, {})
      assert.equal(v.verified, false)
      assert.equal(c.calls.length, 1)
    } finally {
      await c.close()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Replicas sharing a Redis replay store.

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

describe('replicas sharing a RedisReplayStore', { skip: existsSync(REDIS) ? false : `no ${REDIS} (apt-get install redis-server)` }, () => {
  let proc
  let redis
  before(async () => {
    const port = await freePort()
    assert.notEqual(port, 6379)
    proc = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    redis = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } })
    redis.on('error', () => {})
    for (let i = 0; ; i++) {
      try {
        await redis.connect()
        break
      } catch (e) {
        if (i > 100) throw e
        await new Promise((r) => setTimeout(r, 50))
        redis = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } })
        redis.on('error', () => {})
      }
    }
  })
  after(async () => {
    await redis?.quit().catch(() => {})
    proc?.kill('SIGKILL')
  })

  // Two replicas: separate processes in production, so each has its own presentation (cache).
  // In one process the adapter shares one presentation per key and options, so each replica
  // here is reached at its own URL (its own `endpoints`) to get its own.
  const key = SigningKey.fromBytes(new Uint8Array(32).fill(53))
  let replicas = 0
  const replica = (store) => serverWith(key, { endpoints: [`https://replica-${++replicas}.test/mcp`], replayStore: store })

  it('refuses a challenge answer replayed against another replica', async () => {
    const store = new RedisReplayStore(redis, { prefix: 'test:replica:' })
    const a = await link(replica(store))
    const b = await link(replica(store))
    try {
      const params = createChallenge()
      assert.equal(await challenge(a.client, params), null)
      assert.deepEqual(await challenge(b.client, params), { code: -32002, reason: 'replayed_nonce' })
      assert.deepEqual(await challenge(a.client, params), { code: -32002, reason: 'replayed_nonce' })
      // Stored with an expiry: timestamp + 300 s (+1: EXAT removes the key at that second).
      const keys = await redis.keys('test:replica:*')
      assert.equal(keys.length, 1)
      assert.match(keys[0], /^test:replica:[0-9a-f]{32}$/)
      const ttl = await redis.ttl(keys[0])
      assert.ok(ttl > 290 && ttl <= 302, `ttl ${ttl}`)
      // Both replicas still verify honest clients end to end.
      for (const r of [a, b]) {
        const v = await verifyServer(r.client, {})
        assert.equal(v.verified, true, JSON.stringify(v))
      }
    } finally {
      await a.close()
      await b.close()
    }
  })

  /** `data.reason` of a refused tools/call with exactly these params, or null when it ran. */
  async function callRaw(client, params) {
    try {
      await client.request({ method: 'tools/call', params }, loose)
      return null
    } catch (e) {
      assert.ok(e instanceof McpError, String(e))
      return e.data?.reason ?? `jsonrpc_${e.code}`
    }
  }

  for (const shared of [true, false]) {
    it(shared ? 'refuses a caller proof replayed against another replica' : 'without the store a caller proof replays on another replica (the control)', async () => {
      const store = shared ? new RedisReplayStore(redis, { prefix: 'test:calls:' }) : undefined
      const a = await link(replica(store))
      const b = await link(replica(store))
      try {
        const report = await verifyServer(a.client, {})
        assert.equal(report.verified, true, JSON.stringify(report))
        const caller = SigningKey.fromBytes(new Uint8Array(32).fill(54))
        const { params } = prepareCall({ name: 't', arguments: {} }, { report, key: caller })
        assert.equal(await callRaw(a.client, params), null)
        // Replica b's own cache never saw the proof; only the shared store did.
        assert.equal(await callRaw(b.client, params), shared ? 'replayed_nonce' : null)
        if (shared) {
          const keys = await redis.keys('test:calls:*')
          assert.equal(keys.length, 2, 'the session challenge and the proof')
          for (const k of keys) assert.match(k, /^test:calls:[0-9a-f]{32}$/)
        }
      } finally {
        await a.close()
        await b.close()
      }
    })
  }

  it('without the shared store the replay would be answered (the control)', async () => {
    const a = await link(replica(undefined))
    const b = await link(replica(undefined))
    try {
      const params = createChallenge()
      assert.equal(await challenge(a.client, params), null)
      assert.equal(await challenge(b.client, params), null)
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('a store that cannot answer refuses the challenge (fails closed)', async () => {
    const broken = { insertIfAbsent: async () => { throw new Error('redis is down') } }
    const a = await link(replica(broken))
    try {
      const r = await challenge(a.client, createChallenge())
      assert.equal(r.code, -32603)
      assert.equal(r.reason, undefined)
      const v = await verifyServer(a.client, {})
      assert.equal(v.verified, false)
    } finally {
      await a.close()
    }
  })

  it('works with a raw ioredis-style client (call) as well as node-redis (sendCommand)', async () => {
    const ioredisLike = { call: (...args) => redis.sendCommand(args.map(String)) }
    const store = new RedisReplayStore(ioredisLike, { prefix: 'test:io:' })
    assert.equal(await store.insertIfAbsent('0'.repeat(32), Math.floor(Date.now() / 1000) + 60), true)
    assert.equal(await store.insertIfAbsent('0'.repeat(32), Math.floor(Date.now() / 1000) + 60), false)
    await assert.rejects(store.insertIfAbsent('not hex', 1), { code: 'invalid_challenge' })
    assert.throws(() => new RedisReplayStore({}), TypeError)
  })
})

// What server identity adds to connect + tools/list, for real MCP SDK servers and clients in
// one process over each SDK's in-memory transport: SDK 1.x (@modelcontextprotocol/sdk) and
// SDK 2.x (@modelcontextprotocol/server + /client), with 10, 100 and 1,000 tools.
//
// Each (SDK, tool count) has two long-lived servers, built once (untimed) as a deployed server
// is: one plain, one with attachIdentity. A sample is one fresh client: connect (the initialize
// handshake) and then
//   plain     client.listTools() on the plain server
//   identity  verifyServer(client) with the default policy on the identity server: tools/list,
//             identity/get, identity/challenge, then the core's verdict (passport, identity
//             document, challenge answer, the manifest: one signature plus N hashes)
// The identity sample's client is wrapped so each SDK request is timed: the report splits its
// time into connect, the tools/list round trip, the identity/get and identity/challenge round
// trips (the extra round trips of the default policy) and the client-side work of the adapter
// and core (parsing and verifying; what is left once the round trips are taken out).
// Modes and tool counts are interleaved sample by sample; medians per cell.
//
// BENCH_QUICK=1: a smoke run (seconds). BENCH_ROUNDS=n: samples per cell. BENCH_SDK=1|2: one
// SDK line. BENCH_TOOLS=10,100: other tool counts. BENCH_JSON=path: the medians as JSON.
import { writeFileSync } from 'node:fs'
import { makeCell, median, sample, sdk1, sdk2 } from './sdks.mjs'

const QUICK = process.env.BENCH_QUICK === '1'
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 5 : 40))
const WARMUP = QUICK ? 2 : 5
const COUNTS = (process.env.BENCH_TOOLS ?? '10,100,1000').split(',').map(Number)
const LINES = (process.env.BENCH_SDK ?? '1,2').split(',')

const lines = []
if (LINES.includes('1')) lines.push(await sdk1())
if (LINES.includes('2')) lines.push(await sdk2())
const cells = []
for (const line of lines) {
  for (const n of COUNTS) cells.push(makeCell(line, n))
}

const started = performance.now()
for (let r = 0; r < WARMUP + ROUNDS; r++) {
  // Alternate which mode goes first, so neither always pays for the other's garbage.
  for (const cell of cells) {
    for (const mode of r % 2 ? ['identity', 'plain'] : ['plain', 'identity']) {
      const s = await sample(cell.line, cell, mode)
      if (r >= WARMUP) cell.samples[mode].push(s)
    }
  }
}

const results = {}
const f = (ms) => ms.toFixed(2).padStart(8)
console.log(`connect + tools/list with and without identity (default verifyServer policy), in-memory, node ${process.version}`)
console.log(`${ROUNDS} samples per cell after ${WARMUP} warm-up${QUICK ? ' (BENCH_QUICK: indicative only)' : ''}; medians in ms; long-lived servers, a fresh client per sample`)
console.log('identity = connect + tools/list + identity/get + identity/challenge + client-side verification')
console.log('')
console.log(`${'SDK'.padEnd(9)}${'tools'.padStart(6)}${'plain'.padStart(9)}${'identity'.padStart(9)}${'ratio'.padStart(8)} |${'connect'.padStart(8)}${'list rt'.padStart(9)}${'(plain)'.padStart(9)}${'get rt'.padStart(8)}${'chal rt'.padStart(8)}${'client'.padStart(8)}`)
for (const c of cells) {
  const P = c.samples.plain
  const I = c.samples.identity
  const m = {
    plain: median(P.map((s) => s.total)),
    identity: median(I.map((s) => s.total)),
    connect: median(I.map((s) => s.connect)),
    list: median(I.map((s) => s.rt['tools/list'])),
    plainList: median(P.map((s) => s.rt['tools/list'])),
    get: median(I.map((s) => s.rt['identity/get'])),
    challenge: median(I.map((s) => s.rt['identity/challenge'])),
    client: median(I.map((s) => s.work)),
  }
  m.ratio = m.identity / m.plain
  results[`${c.line.name} ${c.n}`] = m
  console.log(`${c.line.name.padEnd(9)}${String(c.n).padStart(6)}${f(m.plain)} ${f(m.identity)}${`${m.ratio.toFixed(2)}x`.padStart(8)} |${f(m.connect)} ${f(m.list)} ${f(m.plainList)}${f(m.get)}${f(m.challenge)}${f(m.client)}`)
}
console.log('')
console.log('list rt: the identity server\'s tools/list round trip (signing, the larger result, the SDK\'s parse); (plain): the plain one\'s;')
console.log('get rt / chal rt: the round trips the default policy adds; client: the adapter\'s and core\'s work between requests.')
console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`)
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2))

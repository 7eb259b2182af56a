// The caller-identity half of the test servers (test-mcp/server.mjs for SDK 1.x,
// test-mcp-v2/server.mjs for 2.x): guards, trusted caller issuers, an evidence log and a count of
// handler runs, from flags:
//   --min-level N              attachIdentity's minTrustLevel (every tool)
//   --tool-levels JSON         attachIdentity's toolTrustLevels, e.g. {"transfer":3}
//   --caller-issuer-seed N     trust the caller issuer CALLER_ISSUER (key: 32 bytes of N) …
//   --caller-issuer-max L      … granting at most level L (default: the core's)
//   --evidence DIR             record every tools/call in an evidence log in DIR
//   --handled FILE             append "<tool>\n" to FILE each time a tool's handler runs
//   --set-level NAME=L         a test hook tool `raise` that calls setToolTrustLevel(NAME, L)
// With any of them the server also has the tool `transfer` ({ amount: number }).
import { appendFileSync } from 'node:fs'
import { SigningKey, TrustStore, TrustedIssuer } from 'mcp-attest'
import { openEvidenceLog } from 'mcp-attest/fs'

export const CALLER_ISSUER = 'https://callers.test'
const FLAGS = ['min-level', 'tool-levels', 'caller-issuer-seed', 'caller-issuer-max', 'evidence', 'handled', 'set-level']

/** `flag(name, default)` reads the server's command line; `key` signs the evidence log. */
export function callerSetup(flag, key) {
  const enabled = FLAGS.some((f) => flag(f, undefined) !== undefined)
  const options = {}
  if (flag('min-level', undefined) !== undefined) options.minTrustLevel = Number(flag('min-level'))
  if (flag('tool-levels', undefined) !== undefined) options.toolTrustLevels = JSON.parse(flag('tool-levels'))
  if (flag('caller-issuer-seed', undefined) !== undefined) {
    let issuer = TrustedIssuer.fromKey(CALLER_ISSUER, SigningKey.fromBytes(new Uint8Array(32).fill(Number(flag('caller-issuer-seed')))).verifyingKey())
    if (flag('caller-issuer-max', undefined) !== undefined) issuer = issuer.withMaxLevel(Number(flag('caller-issuer-max')))
    const store = TrustStore.create()
    store.addIssuer(issuer)
    options.callerTrust = store
  }
  // One log per process: every per-request server object appends to the same chain.
  if (flag('evidence', undefined) !== undefined) options.evidenceLog = openEvidenceLog({ dir: flag('evidence'), key })
  const handledFile = flag('handled', undefined)
  const handled = (tool) => {
    if (handledFile !== undefined) appendFileSync(handledFile, `${tool}\n`)
  }
  const setLevel = flag('set-level', undefined)?.split('=')
  return { enabled, options, handled, setLevel: setLevel && { name: setLevel[0], level: Number(setLevel[1]) } }
}

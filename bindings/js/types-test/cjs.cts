// A CommonJS user (`require`) under module nodenext gets the `.d.cts` declarations, not the
// ESM ones (TypeScript refuses those to `require`: "masquerading as ESM").
import attest = require('mcp-attest')
import fs = require('mcp-attest/fs')

export function cjs(path: string): string | undefined {
  const store: attest.TrustStore = fs.loadTrustStore(path)
  void store
  const e: unknown = undefined
  if (e instanceof attest.McpAttestError) return e.code
  return attest.SigningKey.generate().verifyingKey().toDidKey()
}

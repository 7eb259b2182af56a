// `mcp-attest/fs` (Node only), compiled under tsconfig.node.json: Node's types, no DOM.
import { loadTrustStore, saveTrustStore } from 'mcp-attest/fs'
import type { TrustStore } from 'mcp-attest'

export function fs(path: string): TrustStore {
  const store = loadTrustStore(path)
  saveTrustStore(store, path)
  // @ts-expect-error: the path comes second
  saveTrustStore(path, store)
  return store
}

// The declarations of `mcp-attest/mcp` accept the real SDK 1.x McpServer, Server and Client
// (structural types that must not name the SDK's private members).
import { it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

it('a TypeScript consumer type-checks (nodenext, strict)', () => {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const fixture = fileURLToPath(new URL('./fixtures/consumer.ts', import.meta.url))
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url))
  let out = ''
  try {
    execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', fixture], { cwd: root, encoding: 'utf8' })
  } catch (e) {
    out = `${e.stdout ?? ''}${e.stderr ?? ''}`
  }
  assert.equal(out, '')
})

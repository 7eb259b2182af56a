// Reading the core's ServerReport in tests (shared by the SDK 1.x, 2.x and cross-language tests).
import assert from 'node:assert/strict'

/** The names of the tools the report lets a model use, sorted. */
export const usable = (r) => r.tools.filter((t) => t.status === 'verified').map((t) => t.name).sort()
/** The report's line for the tool `name` (fails the test when there is none). */
export function line(r, name) {
  const l = r.tools.find((t) => t.name === name)
  assert.ok(l, `no line for ${name}: ${JSON.stringify(r.tools)}`)
  return l
}
/** The server is unverified and no tool is usable, each refused with the report's code. */
export function allRefused(r) {
  assert.equal(r.verified, false)
  assert.deepEqual(usable(r), [])
  for (const t of r.tools) assert.equal(t.status, 'server_unverified', JSON.stringify(t))
}

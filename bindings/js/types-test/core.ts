// The public types of `mcp-attest` and `mcp-attest/slim` as a user's program sees them,
// compiled (never run) by scripts/check-package.sh under tsconfig.node.json and
// tsconfig.browser.json, both with `skipLibCheck: false`. An assertion that stops holding is
// a compile error; so is a `@ts-expect-error` line that starts compiling.
import {
  ChallengeError,
  ClientSession,
  ERROR_CODES,
  McpAttestError,
  SigningKey,
  TokenExpiredError,
  TrustStore,
  VerifyingKey,
  verifyToolsList,
  type ErrorCode,
  type ManifestReport,
  type ServerReport,
  type ToolsReport,
} from 'mcp-attest'
import { initialize, type InitInput } from 'mcp-attest/slim'
import * as slim from 'mcp-attest/slim'

export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
export function assert<_T extends true>(): void {}

// Errors: real Error subclasses, narrowed by instanceof, with a code from the closed set.
export function errors(e: unknown): ErrorCode | undefined {
  if (e instanceof TokenExpiredError) {
    assert<Equal<typeof e.code, ErrorCode>>()
    const base: McpAttestError = e
    const err: Error = base
    return err instanceof ChallengeError ? err.code : e.code
  }
  // @ts-expect-error: `code` is read-only
  if (e instanceof McpAttestError) e.code = 'revoked'
  // @ts-expect-error: not an error code
  const wrong: ErrorCode = 'no_such_code'
  void wrong
  assert<Equal<typeof ERROR_CODES, readonly ErrorCode[]>>()
  return undefined
}

// Keys: `using` needs `Symbol.dispose` in the user's program, from our declarations alone.
export function keys(): string {
  using key = SigningKey.generate()
  const vk: VerifyingKey = key.verifyingKey()
  // @ts-expect-error: keys come from the static constructors only
  void new SigningKey()
  return vk.toDidKey()
}

// Reports: the tools report and the session's server report, field by field where it matters.
export function reports(signed: string, key: VerifyingKey, session: ClientSession): void {
  const r: ToolsReport = verifyToolsList(signed, key)
  assert<Equal<typeof r.verified, boolean>>()
  assert<Equal<typeof r.verifiedNames, string[]>>()
  const m: ManifestReport = r.manifest
  if (m.status === 'verified') assert<Equal<typeof m.expiresAt, number>>()
  // @ts-expect-error: only a verified manifest has dates
  if (m.status === 'absent') void m.expiresAt
  const report = session.report
  // @ts-expect-error: null until the session is done
  void report.verified
  if (report !== null) {
    assert<Equal<typeof report, ServerReport>>()
    assert<Equal<typeof report.version, 1>>()
    assert<Equal<typeof report.pin, 'first_use' | 'match' | 'rotated' | 'changed' | null>>()
    assert<Equal<typeof report.code, ErrorCode | null>>()
    assert<Equal<(typeof report.tools)[number]['changedFields'], string[]>>()
  }
  const store = TrustStore.create()
  // @ts-expect-error: stores come from create() or fromJson()
  void new TrustStore()
  void new ClientSession({ serverId: 'https://example.test/mcp' }, { trustStore: store })
}

// `mcp-attest/slim`: the same API plus initialize().
export async function slimEntry(bytes: Uint8Array): Promise<void> {
  const input: InitInput = bytes
  await initialize(input)
  assert<Equal<ReturnType<typeof initialize>, Promise<void>>>()
  assert<Equal<typeof slim.SigningKey, typeof SigningKey>>()
}

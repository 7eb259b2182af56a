/**
 * identity/get documents and attestations, and the identity/challenge proof of possession.
 *
 * @module
 */
import type { WasmChallengeResponder } from '#wasm/types'
import { errorFor, McpAttestError } from './errors.js'
import { signingKeyArg, verifyingKeyArg, type SigningKey, type VerifyingKey } from './keys.js'
import { call } from './native.js'
import { bytes, date, jsonText, optDuration, optText, opts, seconds, text } from './util.js'
import type { JsonObject } from './tools.js'

/** A publisher attestation for `server`: signed by the publisher key, bound to the server key's thumbprint. */
export function publisherAttestation(
  publisher: { key: SigningKey; name: string; url?: string; kid?: string },
  server: VerifyingKey,
  options?: { currentDate?: Date; expiresIn?: number },
): JsonObject {
  if (publisher === null || typeof publisher !== 'object') throw errorFor('malformed_identity', 'publisher must be an object')
  const k = signingKeyArg(publisher.key, 'publisher.key')
  const name = text(publisher.name, 'publisher.name', 'malformed_identity')
  const url = optText(publisher.url, 'publisher.url', 'malformed_identity')
  const kid = optText(publisher.kid, 'publisher.kid', 'malformed_identity')
  const s = verifyingKeyArg(server, 'server')
  const o = opts(options, 'malformed_identity')
  const now = seconds(o.currentDate)
  const ttl = optDuration(o.expiresIn, 'expiresIn')
  return JSON.parse(call((g) => g.publisherAttestation(k, name, url, kid, s, now, ttl))) as JsonObject
}

/**
 * A revocation attestation signed by the OLD key, announcing a rotation to `replacementKey`
 * (named by its derived kid and thumbprint, so it vouches for that key only). Without
 * `replacementKey` it says "revoked, no successor" and vouches for no key.
 */
export function revocationAttestation(
  oldKey: SigningKey,
  revokedKid: string,
  options?: { replacementKey?: VerifyingKey; reason?: string; currentDate?: Date },
): JsonObject {
  const k = signingKeyArg(oldKey, 'oldKey')
  const r = text(revokedKid, 'revokedKid', 'malformed_identity')
  const o = opts(options, 'malformed_identity')
  const rep = o.replacementKey === undefined ? undefined : verifyingKeyArg(o.replacementKey, 'replacementKey').toBytes()
  const reason = optText(o.reason, 'reason', 'malformed_identity')
  const now = seconds(o.currentDate)
  return JSON.parse(call((g) => g.revocationAttestation(k, r, rep, reason, now))) as JsonObject
}

/** The identity/get result for `server`: served JWK, a fresh self attestation, and `attestations`. */
export function identityDocument(
  server: SigningKey,
  options?: { kid?: string; currentDate?: Date; attestations?: JsonObject[] },
): JsonObject {
  const k = signingKeyArg(server, 'server')
  const o = opts(options, 'malformed_identity')
  const kid = optText(o.kid, 'kid', 'malformed_identity')
  const now = seconds(o.currentDate)
  const extra = jsonText(o.attestations ?? [], 'attestations', 'malformed_identity')
  return JSON.parse(call((g) => g.identityDocument(k, kid, now, extra))) as JsonObject
}

/** A verified identity document. */
export interface VerifiedIdentity {
  /** The server's did:key. */
  did: string
  /** The served kid. */
  kid: string
  /** When the self attestation was signed. */
  selfSignedAt: Date
  /** Publisher attestations. */
  publishers: { name: string; url: string | null; did: string; kid: string | null; signedAt: Date; expiresAt: Date | null; bound: boolean; trusted: boolean }[]
  /** Rotations announced. */
  rotations: { revokedKid: string; replacementKid: string | null; reason: string | null; verified: boolean }[]
}

/** Verifies an identity/get result. @throws IdentityError `malformed_identity`, `attestation_expired`, `invalid_signature`, `untrusted_issuer`. */
export function verifyIdentityDocument(
  document: JsonObject | string,
  options?: { currentDate?: Date; trustedPublishers?: VerifyingKey[]; requireTrustedPublisher?: boolean; previousKey?: VerifyingKey },
): VerifiedIdentity {
  const d = jsonText(document, 'document', 'malformed_identity')
  const o = opts(options, 'malformed_identity')
  const now = seconds(o.currentDate)
  const trusted = o.trustedPublishers ?? []
  if (!Array.isArray(trusted)) throw errorFor('malformed_identity', 'trustedPublishers must be an array of VerifyingKey')
  const keys = new Uint8Array(32 * trusted.length)
  trusted.forEach((k, i) => keys.set(verifyingKeyArg(k, 'trustedPublishers[]').toBytes(), 32 * i))
  const require = o.requireTrustedPublisher === true
  const prev = o.previousKey === undefined ? undefined : call((g) => g.WasmVerifyingKey.fromBytes(verifyingKeyArg(o.previousKey, 'previousKey').toBytes()))
  const v = JSON.parse(call((g) => g.verifyIdentityDocument(d, now, keys, require, prev)))
  return {
    ...v,
    selfSignedAt: new Date(v.selfSignedAt * 1000),
    publishers: v.publishers.map((p: { signedAt: number; expiresAt: number | null }) => ({ ...p, signedAt: new Date(p.signedAt * 1000), expiresAt: date(p.expiresAt) })),
  } as VerifiedIdentity
}

/** identity/challenge params. */
export interface ChallengeParams {
  /** base64url of ≥ 32 random bytes. */
  challenge: string
  /** RFC 3339 extended form. */
  timestamp: string
}

/** An identity/challenge result. */
export interface ChallengeResult {
  /** base64url signature. */
  signature: string
  /** The key id. */
  kid: string
}

/**
 * Client side: new challenge params from 32 bytes of `crypto.getRandomValues` (or `random`, ≥ 32 bytes).
 * @throws ChallengeError `invalid_challenge`.
 */
export function createChallenge(options?: { random?: Uint8Array; currentDate?: Date }): ChallengeParams {
  const o = opts(options, 'invalid_challenge')
  const random = o.random === undefined ? globalThis.crypto.getRandomValues(new Uint8Array(32)) : bytes(o.random, 'random', 'invalid_challenge')
  const now = seconds(o.currentDate)
  return JSON.parse(call((g) => g.challengeRequest(random, now))) as ChallengeParams
}

/** The bytes a challenge response signs: challenge bytes ‖ timestamp. @throws ChallengeError `invalid_challenge`. */
export function challengeSigningInput(params: ChallengeParams | string): Uint8Array {
  const p = jsonText(params, 'params', 'invalid_challenge')
  return call((g) => g.challengeSigningInput(p))
}

/**
 * Client side: checks a challenge response against the request and the server key.
 * @throws `kid_mismatch`, `invalid_signature`, `invalid_challenge`.
 */
export function verifyChallengeResponse(
  params: ChallengeParams | string,
  result: ChallengeResult | string,
  key: VerifyingKey,
  options?: { kid?: string },
): void {
  const p = jsonText(params, 'params', 'invalid_challenge')
  const r = jsonText(result, 'result', 'invalid_challenge')
  const k = verifyingKeyArg(key)
  const kid = optText(opts(options, 'invalid_challenge').kid, 'kid', 'invalid_challenge')
  call((g) => g.verifyChallengeResponse(p, r, k, kid))
}

/** The JSON-RPC error object for a failed challenge (`{code, message, data: {code, reason}}`). */
export function challengeErrorToJsonRpc(error: McpAttestError): { code: number; message: string; data: { code: string; reason: string } } {
  const code = error instanceof McpAttestError ? error.code : 'invalid_challenge'
  const message = error instanceof Error ? error.message : 'invalid challenge'
  return JSON.parse(call((g) => g.challengeErrorJson(code, message)))
}

/**
 * Server side: answers identity/challenge requests with a bounded replay cache.
 *
 * @example
 * ```ts
 * const responder = new ChallengeResponder({ kid: sk.verifyingKey().kid() })
 * try { return responder.respond(sk, params) } catch (e) { return { error: challengeErrorToJsonRpc(e) } }
 * ```
 */
export class ChallengeResponder {
  readonly #inner: WasmChallengeResponder
  /** `kid`: the key id put in responses; `capacity`: nonces remembered (default 10000). */
  constructor(options: { kid: string; capacity?: number }) {
    const o = opts(options, 'invalid_challenge')
    const kid = text(o.kid, 'kid', 'invalid_challenge')
    const cap = optDuration(o.capacity, 'capacity')
    this.#inner = call((g) => new g.WasmChallengeResponder(kid, cap))
  }
  /**
   * Checks `params` and signs them with `key`.
   * @throws ChallengeError `invalid_challenge`, `stale_timestamp`, `replayed_nonce`, `nonce_cache_full`.
   */
  respond(key: SigningKey, params: ChallengeParams | string, options?: { currentDate?: Date }): ChallengeResult {
    const k = signingKeyArg(key)
    const p = jsonText(params, 'params', 'invalid_challenge')
    const now = seconds(opts(options, 'invalid_challenge').currentDate)
    return JSON.parse(call(() => this.#inner.respond(k, p, now))) as ChallengeResult
  }
  /** The key id. */
  get kid(): string {
    return call(() => this.#inner.kid())
  }
  /** Nonces currently remembered. */
  get cacheSize(): number {
    return call(() => this.#inner.cacheLength())
  }
  /** The replay cache's capacity. */
  get cacheCapacity(): number {
    return call(() => this.#inner.cacheCapacity())
  }
}

/**
 * identity/get documents and attestations, and the identity/challenge proof of possession.
 *
 * @module
 */
import type { WasmAdmittedChallenge, WasmChallengeResponder } from '#wasm/types'
import { errorFor, McpAttestError } from './errors.js'
import { signingKeyArg, verifyingKeyArg, type Signer, type SigningKey, type VerifyingKey } from './keys.js'
import { call } from './native.js'
import { bytes, date, jsonText, optDuration, optText, opts, seconds, text } from './util.js'
import type { JsonObject } from './tools.js'

/** A publisher attestation for `server`: signed by the publisher key, bound to the server key's thumbprint. */
export function publisherAttestation(
  publisher: { key: SigningKey | Signer; name: string; url?: string; kid?: string },
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
  oldKey: SigningKey | Signer,
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
  server: SigningKey | Signer,
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
 * A store of answered challenge nonces shared by the replicas of a server (behind a load
 * balancer), so that an answer obtained from one replica cannot be replayed against another.
 * The in-memory default is the responder's own cache; {@link RedisReplayStore} shares one set
 * through Redis. Implementations must be atomic.
 */
export interface ReplayStore {
  /**
   * Records `key` (32 hex characters) until `expiresAt` (Unix seconds, inclusive) if it is
   * absent. Returns true when it was inserted (answer the challenge), false when present (a
   * replay). Throwing or rejecting refuses the challenge: a store that cannot tell must never
   * lead to an answer.
   */
  insertIfAbsent(key: string, expiresAt: number): boolean | Promise<boolean>
}

/** Options of {@link ChallengeResponder.respond} and {@link ChallengeResponder.respondAsync}. */
export interface RespondOptions {
  /** The server's clock (default `new Date()`). */
  currentDate?: Date
  /**
   * Who sent the challenge (a connection or session id, a remote address, an authenticated
   * principal): the nonce is charged to this client's quota, and a client over its quota is
   * refused with `challenge_rate_limited` while other clients are still answered. Without it
   * no quota applies (a server with a single client).
   */
  clientKey?: string
  /** A shared store of answered nonces (replicas); `respondAsync` only. */
  replayStore?: ReplayStore
}

/**
 * Server side: answers identity/challenge requests with a bounded replay cache and per-client
 * quotas (one client may hold at most `clientQuota` of the `capacity` nonces; default 1/16).
 *
 * @example
 * ```ts
 * const responder = new ChallengeResponder({ kid: sk.verifyingKey().kid() })
 * try { return responder.respond(sk, params, { clientKey: sessionId }) } catch (e) { return { error: challengeErrorToJsonRpc(e) } }
 * ```
 */
export class ChallengeResponder {
  readonly #inner: WasmChallengeResponder
  /** `kid`: the key id put in responses; `capacity`: nonces remembered (default 10000); `clientQuota`: most of them one client may hold (default capacity/16). */
  constructor(options: { kid: string; capacity?: number; clientQuota?: number }) {
    const o = opts(options, 'invalid_challenge')
    const kid = text(o.kid, 'kid', 'invalid_challenge')
    const cap = optDuration(o.capacity, 'capacity')
    const quota = optDuration(o.clientQuota, 'clientQuota')
    this.#inner = call((g) => new g.WasmChallengeResponder(kid, cap, quota))
  }
  /**
   * Checks `params` and signs them with `key`.
   * @throws ChallengeError `invalid_challenge`, `stale_timestamp`, `replayed_nonce`, `challenge_rate_limited`, `nonce_cache_full`.
   */
  respond(key: SigningKey | Signer, params: ChallengeParams | string, options?: RespondOptions): ChallengeResult {
    const k = signingKeyArg(key)
    const p = jsonText(params, 'params', 'invalid_challenge')
    const o = opts(options, 'invalid_challenge')
    if (o.replayStore !== undefined) throw errorFor('invalid_challenge', 'a replayStore needs respondAsync')
    const now = seconds(o.currentDate)
    const client = optText(o.clientKey, 'clientKey', 'invalid_challenge')
    return JSON.parse(call(() => this.#inner.respond(k, p, now, client))) as ChallengeResult
  }
  /**
   * As {@link ChallengeResponder.respond}, with an optional shared {@link ReplayStore}: the core
   * checks and admits the challenge (window, quota, this replica's cache), the store inserts its
   * key if absent, then the core signs. A key already in the store is `replayed_nonce`.
   * @throws ChallengeError as `respond`; whatever the store throws when it cannot answer.
   */
  async respondAsync(key: SigningKey | Signer, params: ChallengeParams | string, options?: RespondOptions): Promise<ChallengeResult> {
    const o = opts(options, 'invalid_challenge')
    const store = o.replayStore
    if (store === undefined) return this.respond(key, params, options)
    if (store === null || typeof store !== 'object' || typeof store.insertIfAbsent !== 'function') {
      throw errorFor('invalid_challenge', 'replayStore must have an insertIfAbsent method')
    }
    signingKeyArg(key) // checked before the store is touched
    const admitted = this.admit(params, o)
    const inserted = await store.insertIfAbsent(admitted.storeKey, admitted.expiresAt)
    if (inserted !== true) throw errorFor('replayed_nonce', 'this challenge nonce was already answered (by another replica)')
    return this.sign(key, admitted)
  }
  /**
   * The first half of `respondAsync`, for a store of your own: every check and the client's
   * quota, with the nonce recorded in this responder's cache. Insert `storeKey` into the store
   * if absent until `expiresAt`; then {@link ChallengeResponder.sign}. Without `clientKey` the
   * challenge is charged to one shared anonymous client (so the quota still applies).
   * @throws ChallengeError as `respond`.
   */
  admit(params: ChallengeParams | string, options?: Omit<RespondOptions, 'replayStore'>): AdmittedChallenge {
    const p = jsonText(params, 'params', 'invalid_challenge')
    const o = opts(options, 'invalid_challenge')
    const now = seconds(o.currentDate)
    const client = optText(o.clientKey, 'clientKey', 'invalid_challenge') ?? ''
    const inner = call(() => this.#inner.admit(p, client, now))
    const admitted = new AdmittedChallenge(call(() => inner.storeKey()), call(() => inner.expiresAt()))
    admitted[INNER] = inner
    return admitted
  }
  /** Signs a challenge this responder admitted (the result to send). */
  sign(key: SigningKey | Signer, admitted: AdmittedChallenge): ChallengeResult {
    const k = signingKeyArg(key)
    const inner = admitted instanceof AdmittedChallenge ? admitted[INNER] : undefined
    if (inner === undefined) throw errorFor('invalid_challenge', 'admitted must come from ChallengeResponder.admit')
    return JSON.parse(call(() => this.#inner.sign(k, inner))) as ChallengeResult
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
  /** The most nonces one client may hold. */
  get clientQuota(): number {
    return call(() => this.#inner.clientQuota())
  }
}

const INNER = Symbol('inner')

/** A challenge admitted by {@link ChallengeResponder.admit}, waiting for a store's insert-if-absent. */
export class AdmittedChallenge {
  /** @internal */
  [INNER]?: WasmAdmittedChallenge
  /** @internal */
  constructor(
    /** The key to insert: 32 hex characters (the first 16 bytes of SHA-256 of the challenge bytes). */
    readonly storeKey: string,
    /** Until when (Unix seconds, inclusive) the store must keep it. */
    readonly expiresAt: number,
  ) {}
}

/** A node-redis (v4+) or ioredis client: only its raw-command method is used. */
export type RedisLikeClient =
  | { sendCommand(args: string[]): Promise<unknown> }
  | { call(command: string, ...args: (string | number)[]): Promise<unknown> }

/**
 * A {@link ReplayStore} in Redis (≥ 6.2), for replicas behind a load balancer: one
 * `SET <prefix><key> 1 NX EXAT <expiresAt + 1>` per challenge, atomic on the Redis server.
 * Accepts a connected node-redis (`redis` on npm) or ioredis client; neither is a dependency of
 * this package. Entries expire by themselves, so Redis holds at most what the replicas' caches
 * admitted.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * const redis = await createClient({ url: 'redis://127.0.0.1:6379' }).connect()
 * attachIdentity(server, { key, replayStore: new RedisReplayStore(redis) })
 * ```
 */
export class RedisReplayStore implements ReplayStore {
  readonly #client: RedisLikeClient
  readonly #prefix: string
  /** `prefix`: put before every key (default `mcp-attest:nonce:`); give servers with different keys different prefixes if they must not share nonces. */
  constructor(client: RedisLikeClient, options?: { prefix?: string }) {
    const c = client as { sendCommand?: unknown; call?: unknown } | null
    if (c === null || typeof c !== 'object' || (typeof c.sendCommand !== 'function' && typeof c.call !== 'function')) {
      throw new TypeError('RedisReplayStore: expected a node-redis or ioredis client')
    }
    this.#client = client
    this.#prefix = optText(opts(options, 'invalid_challenge').prefix, 'prefix', 'invalid_challenge') ?? 'mcp-attest:nonce:'
  }
  async insertIfAbsent(key: string, expiresAt: number): Promise<boolean> {
    if (!/^[0-9a-f]{32}$/.test(key) || !Number.isSafeInteger(expiresAt) || expiresAt < 0) {
      throw errorFor('invalid_challenge', 'replay store key or expiry is malformed')
    }
    // EXAT removes the key at that second; the nonce must stay through expiresAt inclusive.
    const args = ['SET', this.#prefix + key, '1', 'NX', 'EXAT', String(expiresAt + 1)]
    const c = this.#client as { call?: (...a: string[]) => Promise<unknown>; sendCommand?: (a: string[]) => Promise<unknown> }
    // ioredis has `call`; node-redis has `sendCommand` (ioredis' own sendCommand takes a Command object).
    const reply = typeof c.call === 'function' ? await c.call(...args) : await c.sendCommand!(args)
    return reply === 'OK'
  }
}

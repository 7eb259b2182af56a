/**
 * Verify-only readers of two other schemes (spec §21): AI Identity passports and CapiscIO
 * trust badges, each by its own rules; keys come from you (a JWKS, a trust store), never from
 * the token. ES256 badges are refused (`unsupported_algorithm`).
 *
 * @module
 */
import { call } from './native.js'
import { storeInner, TrustStore } from './trust.js'
import { errorFor } from './errors.js'
import { jsonText, opts, seconds, text } from './util.js'

/** The header and initialize-`_meta` member AI Identity's MCP binding uses. */
export const AI_IDENTITY_HEADER = 'X-AI-Identity'
/** The HTTP header CapiscIO servers disclose their badge in (RFC-007). */
export const CAPISCIO_SERVER_BADGE_HEADER = 'Capiscio-Server-Badge'

/** A verified AI Identity passport. */
export interface AiIdentityPassport {
  issuer: string
  subject: string
  tier: 'issued' | 'identity_verified' | 'creator_verified' | 'business_verified'
  operator: string | null
  keyId: string | null
  capabilities: string[]
  surfaces: string[]
  issuedAt: number
  expiresAt: number
}

/** A verified CapiscIO trust badge, with the level it vouches for on our scale. */
export interface CapiscioBadge {
  issuer: string
  subject: string
  jti: string
  audience: string[]
  issuedAt: number
  expiresAt: number
  ial: '0' | '1'
  /** Their level, a string "0"–"4". */
  level: string
  domain: string | null
  /** The did:key of the badge's `key`. */
  did: string
  /** Our level (spec §20.1) the issuer vouches for, capped by the trust store; null for "0". */
  vouched: number | null
}

/**
 * Verifies an AI Identity passport under the registry's JWKS (fetched by you, e.g. from
 * `https://aiidentity.org/.well-known/jwks.json`).
 */
export function verifyAiIdentityPassport(token: string, registry: { id: string; jwks: string | object }, options?: { currentDate?: Date }): AiIdentityPassport {
  const t = text(token, 'token', 'malformed_token')
  const r = opts(registry, 'invalid_policy')
  const id = text(r.id, 'registry.id', 'invalid_policy')
  const jwks = jsonText(r.jwks, 'registry.jwks', 'malformed_jwk')
  const now = seconds(opts(options, 'invalid_policy').currentDate)
  return JSON.parse(call((g) => g.verifyAiIdentityPassport(t, id, jwks, now))) as AiIdentityPassport
}

/** The AI Identity passport an initialize result carries (`_meta` or `metadata` `x-ai-identity`), if any. */
export function findAiIdentityPassport(initializeResult: unknown): string | null {
  const j = jsonText(initializeResult, 'initializeResult')
  return call((g) => g.findAiIdentityPassport(j)) ?? null
}

/** Verifies a CapiscIO trust badge; issuers (and their `maxLevel`) come from `trustStore`. */
export function verifyCapiscioBadge(token: string, options: { trustStore: TrustStore; audience?: string; currentDate?: Date }): CapiscioBadge {
  const t = text(token, 'token', 'malformed_token')
  const o = opts(options, 'invalid_policy')
  if (!(o.trustStore instanceof TrustStore)) throw errorFor('invalid_policy', 'trustStore must be a TrustStore')
  const store = storeInner(o.trustStore)
  const now = seconds(o.currentDate)
  return JSON.parse(call((g) => g.verifyCapiscioBadge(t, store, o.audience, now))) as CapiscioBadge
}

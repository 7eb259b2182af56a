//! The ext-auth `identity/challenge` method: proof that the server holds its key, now.
//!
//! The client sends `{"challenge": <base64url of ≥ 32 random bytes>, "timestamp": <RFC 3339>}`;
//! the server answers `{"signature": <base64url Ed25519>, "kid": …}` where the signature is over
//! the *decoded* challenge bytes followed by the UTF-8 bytes of the timestamp string exactly as
//! received. The wire format is the ext-auth draft's, byte for byte.
//!
//! What this module adds, as the draft's MUSTs leave room for:
//!
//! - **Strict params.** The challenge must be canonical unpadded base64url of 32..=512 bytes and
//!   the timestamp the RFC 3339 *extended* form (`2027-01-15T06:00:00Z`, with colons). The draft
//!   signs `nonce ‖ timestamp` with no domain-separation prefix and the nonce is chosen by the
//!   client, so the timestamp's shape is what keeps this signing input apart from every other
//!   payload the same key signs: those are JCS objects (which end in `}`, while a timestamp ends
//!   in `Z` or a digit) or JWS signing inputs (base64url and `.` only, while a timestamp contains
//!   `:`).
//! - **A window of 5 minutes back and 60 s ahead** ([`WINDOW_SECONDS`],
//!   [`MAX_FUTURE_SKEW_SECONDS`]) of the server's clock: a challenge is only ever answered for
//!   "now", and a nonce need be remembered for at most 360 s.
//! - **A replay cache with a hard memory ceiling** ([`NonceCache`]): a nonce is refused while it
//!   could still be fresh, and a full cache refuses new challenges rather than forgetting a live
//!   nonce. The set of answered nonces is one set for the whole server.
//! - **Per-client admission quotas** ([`ChallengeResponder::respond_for`]): one client may hold at
//!   most a share of the cache ([`DEFAULT_CLIENT_QUOTA_DIVISOR`]); past it only that client is
//!   refused (`challenge_rate_limited`), so no single client can fill the cache for the others.
//! - **A split for shared stores** ([`ChallengeResponder::admit`], [`AdmittedChallenge`]): the
//!   core checks and admits, an external store (Redis, shared by replicas) does the atomic
//!   insert-if-absent of [`AdmittedChallenge::store_key`], then the core signs.
//! - **JSON-RPC errors a client can act on** ([`jsonrpc_error`]): the draft's codes plus a
//!   `data.reason`, because the MCP SDKs raise -32000/-32001 locally as well.
//!
//! The core has no clock and no randomness: `now` (Unix seconds) and the random challenge bytes
//! are parameters.
//!
//! ```
//! use mcp_attest::challenge::{verify_response, ChallengeRequest, ChallengeResponder};
//! use mcp_attest::SigningKey;
//!
//! let now = 1_800_000_000;
//! let server_key = SigningKey::from_bytes(&[7u8; 32]);
//! let server_public = server_key.verifying_key();
//! let mut responder = ChallengeResponder::new(server_public.kid(), 10_000);
//!
//! // Client: fresh random bytes (from the host's RNG) and the client's clock.
//! let request = ChallengeRequest::new(&[0x5a; 32], now);
//! let params = request.to_json(); // send as the params of `identity/challenge`
//!
//! // Server: check and sign.
//! let response = responder.respond(&server_key, &params, now + 2)?;
//!
//! // Client: check the answer against the key it expects (pinned, or from identity/get).
//! verify_response(&request, &response, &server_public, None)?;
//!
//! // The same challenge again is a replay.
//! let replay = responder.respond(&server_key, &params, now + 3).unwrap_err();
//! assert_eq!(replay.code(), mcp_attest::ErrorCode::ReplayedNonce);
//! # Ok::<(), mcp_attest::Error>(())
//! ```

use alloc::collections::{BTreeMap, BinaryHeap};
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Reverse;
use core::fmt;
use core::mem::size_of;

use sha2::{Digest, Sha256};

use crate::encoding::{base64url_decode, base64url_encode};
use crate::error::{err, excerpt, Error, ErrorCode, Result};
use crate::json::{parse_with_limits, Limits, Number, Object, Value};
use crate::keys::{Signature, SigningKey, VerifyingKey};
use crate::signer::{sign_checked, Signer};
use crate::time::{format_rfc3339, parse_rfc3339};

/// The JSON-RPC method name.
pub const METHOD: &str = "identity/challenge";
/// Fewest random bytes a challenge may carry (the draft's "≥ 32").
pub const MIN_CHALLENGE_BYTES: usize = 32;
/// Most bytes a challenge may carry; longer ones are refused before they are signed.
pub const MAX_CHALLENGE_BYTES: usize = 512;
/// Largest age, in seconds, of a challenge timestamp behind the server's clock.
pub const WINDOW_SECONDS: u64 = 300;
/// Largest distance, in seconds, a challenge timestamp may be *ahead* of the server's clock:
/// clock skew only. A far-future timestamp would keep its nonce in the cache for longer
/// (timestamp + [`WINDOW_SECONDS`]), so a flood of them would pin the cache longest; with 60 s
/// an entry lives at most 360 s.
pub const MAX_FUTURE_SKEW_SECONDS: u64 = 60;
/// The default per-client quota is the cache capacity divided by this (at least 1): one client
/// may hold at most 1/16 of the replay cache (625 of the default 10 000 nonces, far more than
/// an honest client's one challenge per connection).
pub const DEFAULT_CLIENT_QUOTA_DIVISOR: usize = 16;
/// Default [`NonceCache`] capacity: 10 000 live nonces, under 2 MiB (see
/// [`NonceCache::memory_ceiling_bytes`]).
pub const DEFAULT_NONCE_CACHE_CAPACITY: usize = 10_000;
/// Largest params (or result) text accepted, in bytes; checked before parsing.
pub const MAX_PARAMS_BYTES: usize = 4096;
/// JSON-RPC code for malformed params (JSON-RPC 2.0 "Invalid params", as the draft uses it).
pub const JSONRPC_INVALID_PARAMS: i64 = -32602;
/// JSON-RPC code the draft gives a stale timestamp.
pub const JSONRPC_STALE_TIMESTAMP: i64 = -32001;
/// JSON-RPC code the draft gives a replayed nonce.
pub const JSONRPC_REPLAYED_NONCE: i64 = -32002;
/// JSON-RPC "Internal error", used when the replay cache is full.
pub const JSONRPC_INTERNAL_ERROR: i64 = -32603;
/// JSON-RPC code (implementation-defined server error range) for a client over its quota;
/// clients decide on `data.reason` (`challenge_rate_limited`), never on this number.
pub const JSONRPC_RATE_LIMITED: i64 = -32029;

/// Longest base64url text that can decode to [`MAX_CHALLENGE_BYTES`] (⌈512 · 4 / 3⌉).
const MAX_CHALLENGE_CHARS: usize = (MAX_CHALLENGE_BYTES * 4).div_ceil(3);
/// Nesting allowed in params (unknown members such as `_meta` are ignored, not refused).
const PARAMS_MAX_DEPTH: usize = 16;

/// The params of an `identity/challenge` request (client side, and what a server parses).
///
/// Both members are kept as the exact text sent, because the signature covers the timestamp
/// string as received; the challenge has exactly one accepted spelling (canonical unpadded
/// base64url) so its text and bytes correspond one to one.
///
/// ```
/// use mcp_attest::challenge::ChallengeRequest;
///
/// let request = ChallengeRequest::new(&[1u8; 32], 1_800_000_000);
/// assert_eq!(request.timestamp(), "2027-01-15T08:00:00Z");
/// assert_eq!(request.challenge().len(), 43);
/// assert_eq!(ChallengeRequest::from_json(&request.to_json())?, request);
/// # Ok::<(), mcp_attest::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeRequest {
    challenge: String,
    timestamp: String,
}

impl ChallengeRequest {
    /// A request for 32 fresh random bytes (from the host's RNG) at the client's time `now`
    /// (Unix seconds), with the timestamp in the form `YYYY-MM-DDTHH:MM:SSZ`.
    ///
    /// ```
    /// use mcp_attest::challenge::ChallengeRequest;
    ///
    /// let request = ChallengeRequest::new(&[0u8; 32], 0);
    /// assert_eq!(request.to_json(),
    ///     r#"{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","timestamp":"1970-01-01T00:00:00Z"}"#);
    /// ```
    #[must_use]
    pub fn new(random: &[u8; 32], now: u64) -> ChallengeRequest {
        ChallengeRequest {
            challenge: base64url_encode(random),
            timestamp: format_rfc3339(now),
        }
    }

    /// A request for [`MIN_CHALLENGE_BYTES`]..=[`MAX_CHALLENGE_BYTES`] random bytes.
    ///
    /// # Errors
    /// `invalid_challenge` for any other length.
    ///
    /// ```
    /// use mcp_attest::challenge::ChallengeRequest;
    /// use mcp_attest::ErrorCode;
    ///
    /// assert!(ChallengeRequest::from_random(&[9u8; 64], 1_800_000_000).is_ok());
    /// let short = ChallengeRequest::from_random(&[9u8; 31], 1_800_000_000).unwrap_err();
    /// assert_eq!(short.code(), ErrorCode::InvalidChallenge);
    /// ```
    pub fn from_random(random: &[u8], now: u64) -> Result<ChallengeRequest> {
        check_challenge_length(random.len())?;
        Ok(ChallengeRequest {
            challenge: base64url_encode(random),
            timestamp: format_rfc3339(now),
        })
    }

    /// The challenge as sent: canonical unpadded base64url.
    #[must_use]
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// The timestamp as sent (an RFC 3339 date-time in the extended form).
    #[must_use]
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// The params as JSON text, `{"challenge":…,"timestamp":…}` in JCS form.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut params = Object::new();
        params.insert("challenge", Value::from(self.challenge.as_str()));
        params.insert("timestamp", Value::from(self.timestamp.as_str()));
        Value::from(params).to_jcs()
    }

    /// Parses `identity/challenge` params and checks their structure, in this order: size
    /// (at most [`MAX_PARAMS_BYTES`], before parsing), JSON object, `challenge` and
    /// `timestamp` present as strings, the challenge canonical unpadded base64url of
    /// 32..=512 bytes, the timestamp an RFC 3339 date-time in the extended form. Other
    /// members are ignored. Freshness and replay need a clock and state: see
    /// [`ChallengeResponder::respond`].
    ///
    /// # Errors
    /// `invalid_challenge`, with a message saying which check failed.
    ///
    /// ```
    /// use mcp_attest::challenge::ChallengeRequest;
    /// use mcp_attest::ErrorCode;
    ///
    /// let ok = r#"{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","timestamp":"2027-01-15T06:00:00Z","_meta":{}}"#;
    /// assert_eq!(ChallengeRequest::from_json(ok)?.timestamp(), "2027-01-15T06:00:00Z");
    ///
    /// let basic = r#"{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","timestamp":"20270115T060000Z"}"#;
    /// assert_eq!(ChallengeRequest::from_json(basic).unwrap_err().code(), ErrorCode::InvalidChallenge);
    /// # Ok::<(), mcp_attest::Error>(())
    /// ```
    pub fn from_json(params: &str) -> Result<ChallengeRequest> {
        parse_params(params).map(|parsed| parsed.request)
    }

    /// The bytes the server signs: the decoded challenge followed by the UTF-8 bytes of the
    /// timestamp string.
    ///
    /// # Errors
    /// `invalid_challenge` (not for a request built by this module, whose challenge is
    /// always valid).
    ///
    /// ```
    /// use mcp_attest::challenge::ChallengeRequest;
    ///
    /// let request = ChallengeRequest::new(&[0xff; 32], 1_800_000_000);
    /// let input = request.signing_input()?;
    /// assert_eq!(&input[..32], &[0xff; 32]);
    /// assert_eq!(&input[32..], b"2027-01-15T08:00:00Z");
    /// # Ok::<(), mcp_attest::Error>(())
    /// ```
    pub fn signing_input(&self) -> Result<Vec<u8>> {
        let mut input = decode_challenge(&self.challenge)?;
        input.extend_from_slice(self.timestamp.as_bytes());
        Ok(input)
    }
}

/// The result of an `identity/challenge` request.
///
/// Parsing checks only the shape; [`verify_response`] checks the content.
///
/// ```
/// use mcp_attest::challenge::ChallengeResponse;
///
/// let response = ChallengeResponse { signature: "c2ln".into(), kid: "k1".into() };
/// assert_eq!(response.to_json(), r#"{"kid":"k1","signature":"c2ln"}"#);
/// assert_eq!(ChallengeResponse::from_json(&response.to_json())?, response);
/// # Ok::<(), mcp_attest::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeResponse {
    /// The Ed25519 signature, unpadded base64url of 64 bytes.
    pub signature: String,
    /// The key id the server signed with.
    pub kid: String,
}

impl ChallengeResponse {
    /// The result as JSON text, `{"kid":…,"signature":…}` in JCS form.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut result = Object::new();
        result.insert("kid", Value::from(self.kid.as_str()));
        result.insert("signature", Value::from(self.signature.as_str()));
        Value::from(result).to_jcs()
    }

    /// Parses a result: a JSON object of at most [`MAX_PARAMS_BYTES`] with string members
    /// `signature` and `kid` (others are ignored). The signature text is not decoded here, so
    /// that every bad signature fails the same way, in [`verify_response`].
    ///
    /// # Errors
    /// `malformed_identity`.
    ///
    /// ```
    /// use mcp_attest::challenge::ChallengeResponse;
    /// use mcp_attest::ErrorCode;
    ///
    /// let missing = ChallengeResponse::from_json(r#"{"signature":"c2ln"}"#).unwrap_err();
    /// assert_eq!(missing.code(), ErrorCode::MalformedIdentity);
    /// ```
    pub fn from_json(result: &str) -> Result<ChallengeResponse> {
        if result.len() > MAX_PARAMS_BYTES {
            return Err(err!(
                MalformedIdentity,
                "identity/challenge result is {} bytes, more than the limit of {}",
                result.len(),
                MAX_PARAMS_BYTES
            ));
        }
        let limits = Limits {
            max_bytes: MAX_PARAMS_BYTES,
            max_depth: PARAMS_MAX_DEPTH,
        };
        let value = parse_with_limits(result, limits).map_err(|e| {
            err!(
                MalformedIdentity,
                "identity/challenge result is not valid JSON: {}",
                e.message()
            )
        })?;
        let object = value.as_object().ok_or(err!(
            MalformedIdentity,
            "identity/challenge result must be a JSON object"
        ))?;
        let member = |name: &str| -> Result<String> {
            match object.get(name) {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(_) => Err(err!(
                    MalformedIdentity,
                    "identity/challenge result member {:?} must be a string",
                    name
                )),
                None => Err(err!(
                    MalformedIdentity,
                    "identity/challenge result lacks the member {:?}",
                    name
                )),
            }
        };
        Ok(ChallengeResponse {
            signature: member("signature")?,
            kid: member("kid")?,
        })
    }
}

/// Checks the server's answer to `request` (client side).
///
/// The response's `kid` must equal `expected_kid`, by default [`VerifyingKey::kid`]; then the
/// signature must verify strictly under `key` over [`ChallengeRequest::signing_input`]. Pass
/// `expected_kid` when the server uses a kid of its own choosing (as the draft's examples do).
/// Freshness is the client's own: it made the request and knows when.
///
/// # Errors
/// `kid_mismatch`; `invalid_signature` for any signature that does not verify, including one
/// that is not 64 bytes of canonical base64url (deliberately opaque).
///
/// ```
/// use mcp_attest::challenge::{verify_response, ChallengeRequest, ChallengeResponder};
/// use mcp_attest::{ErrorCode, SigningKey};
///
/// let sk = SigningKey::from_bytes(&[7u8; 32]);
/// let mut server = ChallengeResponder::new("srv-1", 16);
/// let request = ChallengeRequest::new(&[3u8; 32], 1_800_000_000);
/// let response = server.respond(&sk, &request.to_json(), 1_800_000_000)?;
///
/// verify_response(&request, &response, &sk.verifying_key(), Some("srv-1"))?;
/// let other = SigningKey::from_bytes(&[8u8; 32]).verifying_key();
/// let err = verify_response(&request, &response, &other, Some("srv-1")).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::InvalidSignature);
/// let err = verify_response(&request, &response, &sk.verifying_key(), None).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::KidMismatch); // "srv-1" is not the key's derived kid
/// # Ok::<(), mcp_attest::Error>(())
/// ```
pub fn verify_response(
    request: &ChallengeRequest,
    response: &ChallengeResponse,
    key: &VerifyingKey,
    expected_kid: Option<&str>,
) -> Result<()> {
    let derived;
    let expected = match expected_kid {
        Some(kid) => kid,
        None => {
            derived = key.kid();
            derived.as_str()
        }
    };
    if response.kid != expected {
        return Err(err!(
            KidMismatch,
            "the challenge response names key id \"{}\", expected \"{}\"",
            excerpt(&response.kid),
            excerpt(expected)
        ));
    }
    let signature =
        Signature::from_base64url(&response.signature).map_err(|_| Error::invalid_signature())?;
    key.verify(&request.signing_input()?, &signature)
}

/// A replay cache for challenge nonces with a hard memory ceiling and per-client quotas
/// (server side).
///
/// Each nonce is stored as the first 16 bytes of its SHA-256, so an entry has a fixed size
/// whatever the nonce length, with its expiry time and the client that sent it. Expired entries
/// are evicted first on every call, earliest expiry first. When the cache holds `capacity`
/// unexpired nonces it refuses new ones ([`NonceCacheFull`](ErrorCode::NonceCacheFull)) instead
/// of evicting one: forgetting a live nonce would let it be replayed.
///
/// **Quotas.** The nonces form one set whoever sent them (a replay is a replay on any
/// connection), but each entry is charged to a client: [`NonceCache::check_and_insert_for`]
/// refuses a client that already holds [`NonceCache::client_quota`] unexpired entries with
/// [`ChallengeRateLimited`](ErrorCode::ChallengeRateLimited), before the capacity check, so a
/// flooding client exhausts its own quota and not the cache. [`NonceCache::check_and_insert`]
/// charges no client (the caller vouches for its callers).
///
/// Sizing: a responder remembers a nonce until its timestamp + [`WINDOW_SECONDS`], and the
/// timestamp may be up to [`MAX_FUTURE_SKEW_SECONDS`] ahead of the server's clock, so an entry
/// lives at most 360 s. The capacity should cover the peak challenge rate × 360 s
/// ([`DEFAULT_NONCE_CACHE_CAPACITY`] sustains about 27 challenges a second).
///
/// Data structure: a `BTreeMap<[u8; 16], u64>` (nonce hash → expiry) for lookups, a binary
/// min-heap of `(expiry, nonce hash, client hash)` for eviction order and a
/// `BTreeMap<[u8; 16], usize>` (client hash → live entries) for quotas; every operation is
/// O(log n), and nothing depends on a hash function an attacker could flood.
///
/// ```
/// use mcp_attest::challenge::NonceCache;
/// use mcp_attest::ErrorCode;
///
/// let mut cache = NonceCache::new(2);
/// cache.check_and_insert(b"nonce-a", 1_300, 1_000)?;
/// cache.check_and_insert(b"nonce-b", 1_100, 1_000)?;
/// assert_eq!(cache.check_and_insert(b"nonce-a", 1_300, 1_050).unwrap_err().code(), ErrorCode::ReplayedNonce);
/// assert_eq!(cache.check_and_insert(b"nonce-c", 1_300, 1_050).unwrap_err().code(), ErrorCode::NonceCacheFull);
/// // At 1_101 nonce-b has expired and is evicted, which makes room.
/// cache.check_and_insert(b"nonce-c", 1_300, 1_101)?;
/// assert_eq!(cache.len(), 2);
/// assert!(cache.memory_ceiling_bytes() < 2_000);
/// # Ok::<(), mcp_attest::Error>(())
/// ```
pub struct NonceCache {
    capacity: usize,
    client_quota: usize,
    /// Nonce hash → expiry: membership.
    by_nonce: BTreeMap<NonceKey, u64>,
    /// `(expiry, nonce hash, client hash)`, earliest first: eviction order. Holds exactly the
    /// entries of `by_nonce`; its buffer is grown by hand and never beyond `capacity`.
    by_expiry: BinaryHeap<Reverse<(u64, NonceKey, ClientKey)>>,
    /// Client hash → unexpired entries charged to it (never 0; the anonymous client is not
    /// counted).
    by_client: BTreeMap<ClientKey, usize>,
}

/// The first 16 bytes of SHA-256(nonce).
type NonceKey = [u8; 16];
/// The first 16 bytes of SHA-256("mcp-attest client\0" ‖ client key); all zeros is the
/// anonymous client of [`NonceCache::check_and_insert`], which is charged no quota.
type ClientKey = [u8; 16];
const ANONYMOUS: ClientKey = [0u8; 16];

/// The bytes one eviction-heap slot takes: 40.
const HEAP_SLOT_BYTES: usize = size_of::<Reverse<(u64, NonceKey, ClientKey)>>();

/// An upper bound on the bytes of one node of the standard library's `BTreeMap<[u8; 16], u64>`
/// or `BTreeMap<[u8; 16], usize>` (B = 6): 11 keys and 11 values (11 × 24 at most), a parent
/// pointer and 12 child-edge pointers (13 pointers; leaves have no edges, so this bounds both
/// kinds), the parent index and length (2 × u16) and padding (8 covers both). 376 bytes on
/// 64-bit targets, exactly an internal node; 324 on 32-bit ones (an internal node there is 320).
const TREE_NODE_BYTES: usize =
    11 * (size_of::<NonceKey>() + size_of::<u64>()) + 13 * size_of::<usize>() + 8;

/// The fewest entries a non-root node of the standard `BTreeMap` holds (B − 1): insertion
/// splits a full node of 11 into 5 and 6 around the median it moves up, and removal merges or
/// refills any non-root node that falls below 5. So n entries occupy at most 1 + n / 5 nodes
/// (the root, which may hold as few as 0, plus at most n / 5 others).
const TREE_MIN_ENTRIES_PER_NODE: usize = 5;

impl NonceCache {
    /// An empty cache that holds at most `capacity` unexpired nonces (0 is treated as 1), with
    /// the default per-client quota (`capacity / 16`, at least 1). Nothing is allocated until
    /// the first nonce is recorded.
    #[must_use]
    pub fn new(capacity: usize) -> NonceCache {
        let capacity = capacity.max(1);
        NonceCache::with_client_quota(capacity, capacity / DEFAULT_CLIENT_QUOTA_DIVISOR)
    }

    /// An empty cache of `capacity` nonces of which one client may hold at most `client_quota`
    /// (each clamped to 1..=capacity).
    ///
    /// ```
    /// use mcp_attest::challenge::NonceCache;
    ///
    /// let cache = NonceCache::with_client_quota(100, 500);
    /// assert_eq!((cache.capacity(), cache.client_quota()), (100, 100));
    /// assert_eq!(NonceCache::new(10_000).client_quota(), 625);
    /// ```
    #[must_use]
    pub fn with_client_quota(capacity: usize, client_quota: usize) -> NonceCache {
        let capacity = capacity.max(1);
        NonceCache {
            capacity,
            client_quota: client_quota.clamp(1, capacity),
            by_nonce: BTreeMap::new(),
            by_expiry: BinaryHeap::new(),
            by_client: BTreeMap::new(),
        }
    }

    /// The most nonces the cache holds.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The most unexpired nonces one client may hold ([`NonceCache::check_and_insert_for`]).
    #[must_use]
    pub fn client_quota(&self) -> usize {
        self.client_quota
    }

    /// The number of nonces held (some may have expired since the last call that evicted).
    #[must_use]
    pub fn len(&self) -> usize {
        self.by_nonce.len()
    }

    /// Whether no nonce is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_nonce.is_empty()
    }

    /// The number of nonces held for `client` (as passed to
    /// [`NonceCache::check_and_insert_for`]).
    ///
    /// ```
    /// use mcp_attest::challenge::NonceCache;
    ///
    /// let mut cache = NonceCache::new(100);
    /// cache.check_and_insert_for("session-1", b"nonce-a", 1_300, 1_000)?;
    /// assert_eq!(cache.client_len("session-1"), 1);
    /// assert_eq!(cache.client_len("session-2"), 0);
    /// # Ok::<(), mcp_attest::Error>(())
    /// ```
    #[must_use]
    pub fn client_len(&self, client: &str) -> usize {
        self.by_client
            .get(&client_key(client))
            .copied()
            .unwrap_or(0)
    }

    /// An upper bound on the heap bytes the cache holds, whatever the calls made:
    ///
    /// `capacity × 40 + 2 × (1 + capacity / 5) × N`
    ///
    /// where 40 is one slot of the eviction heap (whose buffer is never grown past `capacity`
    /// slots) and N bounds one node of the two B-trees (376 bytes on 64-bit targets, 324 on
    /// 32-bit), of which `capacity` entries occupy at most `1 + capacity / 5` each (the client
    /// tree has at most one entry per nonce). For the default 10 000 entries on a 64-bit
    /// target: 400 000 + 2 × 2 001 × 376 = 1 904 752 bytes (under 2 MiB).
    ///
    /// The B-tree part rests on how the standard library's `BTreeMap` lays out and rebalances
    /// its nodes (B = 6, every non-root node at least 5 entries); the crate's tests measure it
    /// with a counting allocator under fills in random, ascending and descending order and
    /// under churn.
    ///
    /// ```
    /// use mcp_attest::challenge::NonceCache;
    ///
    /// let ceiling = NonceCache::new(10_000).memory_ceiling_bytes();
    /// assert!(ceiling < 2 << 20);
    /// ```
    #[must_use]
    pub fn memory_ceiling_bytes(&self) -> usize {
        let nodes = (self.capacity / TREE_MIN_ENTRIES_PER_NODE).saturating_add(1);
        self.capacity
            .saturating_mul(HEAP_SLOT_BYTES)
            .saturating_add(nodes.saturating_mul(TREE_NODE_BYTES).saturating_mul(2))
    }

    /// Records `nonce` as answered until `expires_at` (Unix seconds), after evicting every
    /// entry with `expires_at < now`, charging no client. An entry is unexpired while
    /// `now <= expires_at`.
    ///
    /// A nonce whose `expires_at` is already before `now` is not recorded (it would be evicted
    /// on the next call): `Ok(())`.
    ///
    /// # Errors
    /// `replayed_nonce` if the nonce is held and unexpired; `nonce_cache_full` if the cache
    /// holds `capacity` unexpired nonces (nothing is evicted to make room).
    ///
    /// ```
    /// use mcp_attest::challenge::NonceCache;
    /// use mcp_attest::ErrorCode;
    ///
    /// let mut cache = NonceCache::new(100);
    /// cache.check_and_insert(&[1u8; 32], 2_000, 1_700)?;
    /// let again = cache.check_and_insert(&[1u8; 32], 2_000, 2_000).unwrap_err();
    /// assert_eq!(again.code(), ErrorCode::ReplayedNonce);
    /// cache.check_and_insert(&[1u8; 32], 2_301, 2_001)?; // expired at 2_001, so new again
    /// # Ok::<(), mcp_attest::Error>(())
    /// ```
    pub fn check_and_insert(&mut self, nonce: &[u8], expires_at: u64, now: u64) -> Result<()> {
        self.insert_key(ANONYMOUS, nonce_key(nonce), expires_at, now)
    }

    /// As [`NonceCache::check_and_insert`], charging the entry to `client` (any text naming
    /// the client: a session id, a remote address, an authenticated principal; only a hash of
    /// it is kept). The checks run in this order: replay (whoever sent the nonce first), then
    /// the client's quota, then the capacity.
    ///
    /// # Errors
    /// `replayed_nonce`; `challenge_rate_limited` if `client` holds
    /// [`NonceCache::client_quota`] unexpired nonces; `nonce_cache_full`.
    ///
    /// ```
    /// use mcp_attest::challenge::NonceCache;
    /// use mcp_attest::ErrorCode;
    ///
    /// let mut cache = NonceCache::with_client_quota(100, 2);
    /// cache.check_and_insert_for("flooder", b"n1", 1_300, 1_000)?;
    /// cache.check_and_insert_for("flooder", b"n2", 1_300, 1_000)?;
    /// let over = cache.check_and_insert_for("flooder", b"n3", 1_300, 1_000).unwrap_err();
    /// assert_eq!(over.code(), ErrorCode::ChallengeRateLimited);
    /// // Another client is unaffected, and a replay is a replay from any client.
    /// cache.check_and_insert_for("honest", b"n3", 1_300, 1_000)?;
    /// let replay = cache.check_and_insert_for("honest", b"n1", 1_300, 1_000).unwrap_err();
    /// assert_eq!(replay.code(), ErrorCode::ReplayedNonce);
    /// # Ok::<(), mcp_attest::Error>(())
    /// ```
    pub fn check_and_insert_for(
        &mut self,
        client: &str,
        nonce: &[u8],
        expires_at: u64,
        now: u64,
    ) -> Result<()> {
        self.insert_key(client_key(client), nonce_key(nonce), expires_at, now)
    }

    fn insert_key(
        &mut self,
        client: ClientKey,
        key: NonceKey,
        expires_at: u64,
        now: u64,
    ) -> Result<()> {
        self.evict_expired(now);
        if self.by_nonce.contains_key(&key) {
            return Err(err!(
                ReplayedNonce,
                "this challenge nonce was already answered"
            ));
        }
        if expires_at < now {
            return Ok(());
        }
        let held = if client == ANONYMOUS {
            0
        } else {
            self.by_client.get(&client).copied().unwrap_or(0)
        };
        // The quota before the capacity: a client over its share is told so, and is refused
        // even when the cache has room, so that it can never take the room of others.
        if client != ANONYMOUS && held >= self.client_quota {
            return Err(err!(
                ChallengeRateLimited,
                "this client already has {} answered challenges in the replay cache, its quota; retry after they expire",
                held
            ));
        }
        if self.by_nonce.len() >= self.capacity {
            return Err(err!(
                NonceCacheFull,
                "the challenge replay cache holds {} unexpired nonces; try again later",
                self.capacity
            ));
        }
        self.reserve_slot();
        self.by_nonce.insert(key, expires_at);
        self.by_expiry.push(Reverse((expires_at, key, client)));
        if client != ANONYMOUS {
            self.by_client.insert(client, held.saturating_add(1));
        }
        Ok(())
    }

    /// Evicts every entry with `expires_at < now`, earliest first, and releases the quota it
    /// was charged to.
    fn evict_expired(&mut self, now: u64) {
        while let Some(&Reverse((expires_at, key, client))) = self.by_expiry.peek() {
            if expires_at >= now {
                break;
            }
            self.by_expiry.pop();
            self.by_nonce.remove(&key);
            if client != ANONYMOUS {
                match self.by_client.get_mut(&client) {
                    Some(held) if *held > 1 => *held -= 1,
                    _ => {
                        self.by_client.remove(&client);
                    }
                }
            }
        }
    }

    /// Makes room for one more heap slot, doubling the buffer but never past `capacity`
    /// slots (the default amortised growth could reach twice that). Called only when
    /// `len < capacity`.
    fn reserve_slot(&mut self) {
        let (len, allocated) = (self.by_expiry.len(), self.by_expiry.capacity());
        if len < allocated {
            return;
        }
        let target = allocated.saturating_mul(2).max(16).min(self.capacity);
        self.by_expiry.reserve_exact(target.saturating_sub(len));
    }
}

impl fmt::Debug for NonceCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NonceCache")
            .field("capacity", &self.capacity)
            .field("client_quota", &self.client_quota)
            .field("len", &self.len())
            .finish()
    }
}

/// Answers `identity/challenge` (server side): checks the params, remembers the nonce, signs.
///
/// Keep one responder per server key for the process, behind a lock if handlers run
/// concurrently, and answer each request with [`ChallengeResponder::respond_for`] naming the
/// client that sent it, so that one client's flood is refused at its quota instead of filling
/// the cache for everyone. With several replicas behind a load balancer, share the set of
/// answered nonces through an external store: [`ChallengeResponder::admit`], then the store's
/// insert-if-absent, then [`ChallengeResponder::sign`].
///
/// ```
/// use mcp_attest::challenge::{jsonrpc_error_json, ChallengeResponder, DEFAULT_NONCE_CACHE_CAPACITY};
/// use mcp_attest::SigningKey;
///
/// let sk = SigningKey::from_bytes(&[7u8; 32]);
/// let mut responder = ChallengeResponder::new(sk.verifying_key().kid(), DEFAULT_NONCE_CACHE_CAPACITY);
///
/// // In the `identity/challenge` handler: params text in, result or error object out.
/// let mut handle = |client: &str, params: &str, now: u64| match responder.respond_for(&sk, params, client, now) {
///     Ok(result) => Ok(result.to_json()),
///     Err(e) => Err(jsonrpc_error_json(&e)),
/// };
/// let params = r#"{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","timestamp":"2027-01-15T08:00:00Z"}"#;
/// assert!(handle("session-1", params, 1_800_000_010).unwrap().contains(r#""signature":"#));
/// assert!(handle("session-2", params, 1_800_000_011).unwrap_err().contains(r#""reason":"replayed_nonce""#));
/// ```
#[derive(Debug)]
pub struct ChallengeResponder {
    cache: NonceCache,
    kid: String,
}

/// A challenge that passed the checks and was admitted (charged to its client's quota in the
/// responder's cache), waiting for an external store's insert-if-absent before it is signed.
///
/// The store key is fixed-size (32 lowercase hex characters: the first 16 bytes of SHA-256 of
/// the decoded challenge), whatever the challenge length, so a store entry costs the same for
/// every request; the store keeps it until [`AdmittedChallenge::expires_at`], exactly as long
/// as the same params could pass the window check again.
///
/// ```
/// use mcp_attest::challenge::{ChallengeRequest, ChallengeResponder};
/// use mcp_attest::SigningKey;
/// use std::collections::HashSet;
///
/// let sk = SigningKey::from_bytes(&[7u8; 32]);
/// let now = 1_800_000_000;
/// // Two replicas, each with its own responder, sharing one store (here a set).
/// let (mut replica_a, mut replica_b) = (ChallengeResponder::new("k", 100), ChallengeResponder::new("k", 100));
/// let mut store = HashSet::new();
/// let params = ChallengeRequest::new(&[1u8; 32], now).to_json();
///
/// let admitted = replica_a.admit(&params, "client-1", now)?;
/// assert_eq!(admitted.store_key().len(), 32);
/// assert_eq!(admitted.expires_at(), now + 300);
/// assert!(store.insert(admitted.store_key())); // absent: answer
/// let response = replica_a.sign(&sk, &admitted);
///
/// // The same params replayed against the other replica: admitted locally, refused by the store.
/// let again = replica_b.admit(&params, "client-2", now + 1)?;
/// assert!(!store.insert(again.store_key()));
/// # let _ = response;
/// # Ok::<(), mcp_attest::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdmittedChallenge {
    signing_input: Vec<u8>,
    key: NonceKey,
    expires_at: u64,
}

impl AdmittedChallenge {
    /// The key to insert into the shared store: 32 lowercase hex characters.
    #[must_use]
    pub fn store_key(&self) -> String {
        crate::encoding::hex_encode(&self.key)
    }

    /// Until when (Unix seconds, inclusive) the store must remember the key.
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl ChallengeResponder {
    /// A responder that answers with key id `kid` and remembers up to `cache_capacity`
    /// nonces, with the default per-client quota (see [`NonceCache::new`];
    /// [`DEFAULT_NONCE_CACHE_CAPACITY`] is a good start).
    #[must_use]
    pub fn new(kid: impl Into<String>, cache_capacity: usize) -> ChallengeResponder {
        ChallengeResponder {
            cache: NonceCache::new(cache_capacity),
            kid: kid.into(),
        }
    }

    /// A responder whose cache holds `cache_capacity` nonces of which one client may hold
    /// `client_quota` (see [`NonceCache::with_client_quota`]).
    ///
    /// ```
    /// use mcp_attest::challenge::ChallengeResponder;
    ///
    /// let responder = ChallengeResponder::with_client_quota("k", 1_000, 10);
    /// assert_eq!(responder.cache().client_quota(), 10);
    /// ```
    #[must_use]
    pub fn with_client_quota(
        kid: impl Into<String>,
        cache_capacity: usize,
        client_quota: usize,
    ) -> ChallengeResponder {
        ChallengeResponder {
            cache: NonceCache::with_client_quota(cache_capacity, client_quota),
            kid: kid.into(),
        }
    }

    /// The key id put in every response.
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The replay cache (for metrics: [`NonceCache::len`], [`NonceCache::capacity`]).
    #[must_use]
    pub fn cache(&self) -> &NonceCache {
        &self.cache
    }

    /// Checks `params_json` and signs it with `key` at server time `now` (Unix seconds),
    /// charging no client's quota: for a server with one client, or whose caller limits its
    /// clients itself. A server reachable by several clients should use
    /// [`ChallengeResponder::respond_for`].
    ///
    /// The checks run in this order and the first failure is returned: size, shape,
    /// base64url, challenge length and timestamp form (as [`ChallengeRequest::from_json`]),
    /// then the window (now − [`WINDOW_SECONDS`] ≤ timestamp ≤ now +
    /// [`MAX_FUTURE_SKEW_SECONDS`]), then replay, then the cache's capacity. The nonce is
    /// remembered until timestamp + [`WINDOW_SECONDS`]: exactly as long as the same params
    /// could pass the window check again. Only then is the signature made, over the decoded
    /// challenge followed by the timestamp text as received.
    ///
    /// Turn an error into the JSON-RPC error object with [`jsonrpc_error`] or
    /// [`jsonrpc_error_json`].
    ///
    /// # Errors
    /// `invalid_challenge`, `stale_timestamp`, `replayed_nonce`, `nonce_cache_full`.
    ///
    /// ```
    /// use mcp_attest::challenge::{ChallengeRequest, ChallengeResponder};
    /// use mcp_attest::{ErrorCode, SigningKey};
    ///
    /// let sk = SigningKey::from_bytes(&[7u8; 32]);
    /// let mut responder = ChallengeResponder::new(sk.verifying_key().kid(), 100);
    /// let params = ChallengeRequest::new(&[4u8; 32], 1_800_000_000).to_json();
    ///
    /// let stale = responder.respond(&sk, &params, 1_800_000_301).unwrap_err();
    /// assert_eq!(stale.code(), ErrorCode::StaleTimestamp);
    /// // 61 s ahead of the server's clock is more than clock skew.
    /// let early = responder.respond(&sk, &params, 1_799_999_939).unwrap_err();
    /// assert_eq!(early.code(), ErrorCode::StaleTimestamp);
    /// let response = responder.respond(&sk, &params, 1_800_000_300)?;
    /// assert_eq!(response.signature.len(), 86);
    /// # Ok::<(), mcp_attest::Error>(())
    /// ```
    pub fn respond<S: Signer + ?Sized>(
        &mut self,
        key: &S,
        params_json: &str,
        now: u64,
    ) -> Result<ChallengeResponse> {
        let admitted = self.admit_as(ANONYMOUS, params_json, now)?;
        self.sign_with(key, &admitted)
    }

    /// As [`ChallengeResponder::respond`], charging the nonce to `client`'s quota: a client
    /// holding [`NonceCache::client_quota`] unexpired nonces is refused with
    /// `challenge_rate_limited`, which leaves every other client's challenges answerable.
    ///
    /// `client` names the sender (a connection or session id, a remote address, an
    /// authenticated principal); docs/spec.md discusses which to choose.
    ///
    /// # Errors
    /// `invalid_challenge`, `stale_timestamp`, `replayed_nonce`, `challenge_rate_limited`,
    /// `nonce_cache_full`.
    ///
    /// ```
    /// use mcp_attest::challenge::{ChallengeRequest, ChallengeResponder};
    /// use mcp_attest::{ErrorCode, SigningKey};
    ///
    /// let sk = SigningKey::from_bytes(&[7u8; 32]);
    /// let now = 1_800_000_000;
    /// let mut responder = ChallengeResponder::with_client_quota("k", 100, 1);
    /// let params = |b: u8| ChallengeRequest::new(&[b; 32], now).to_json();
    /// responder.respond_for(&sk, &params(1), "flooder", now)?;
    /// let over = responder.respond_for(&sk, &params(2), "flooder", now).unwrap_err();
    /// assert_eq!(over.code(), ErrorCode::ChallengeRateLimited);
    /// responder.respond_for(&sk, &params(2), "honest", now)?;
    /// # Ok::<(), mcp_attest::Error>(())
    /// ```
    pub fn respond_for<S: Signer + ?Sized>(
        &mut self,
        key: &S,
        params_json: &str,
        client: &str,
        now: u64,
    ) -> Result<ChallengeResponse> {
        let admitted = self.admit(params_json, client, now)?;
        self.sign_with(key, &admitted)
    }

    /// The first half of [`ChallengeResponder::respond_for`], for a server whose replicas
    /// share an external store of answered nonces: every check and the quota, with the nonce
    /// recorded in this responder's cache (which keeps enforcing the quota and the capacity,
    /// and refuses replays to this replica without a round trip). The caller then inserts
    /// [`AdmittedChallenge::store_key`] into the store if absent, until
    /// [`AdmittedChallenge::expires_at`], atomically (Redis: `SET key 1 NX EXAT expires_at`):
    /// present means `replayed_nonce` (`Error::with_message(ErrorCode::ReplayedNonce, …)`); inserted means
    /// sign with [`ChallengeResponder::sign`]. A store that cannot answer must lead to a
    /// refusal, never to an answer.
    ///
    /// # Errors
    /// As [`ChallengeResponder::respond_for`].
    pub fn admit(
        &mut self,
        params_json: &str,
        client: &str,
        now: u64,
    ) -> Result<AdmittedChallenge> {
        self.admit_as(client_key(client), params_json, now)
    }

    /// Signs an admitted challenge: the decoded challenge followed by the timestamp text as
    /// received, under `key`, with this responder's kid.
    #[must_use]
    pub fn sign(&self, key: &SigningKey, admitted: &AdmittedChallenge) -> ChallengeResponse {
        ChallengeResponse {
            signature: key.sign(&admitted.signing_input).to_base64url(),
            kid: self.kid.clone(),
        }
    }

    /// [`ChallengeResponder::sign`] with any [`Signer`]; its signature is checked before use.
    ///
    /// # Errors
    /// The signer's error, or `signer_failed`.
    pub fn sign_with<S: Signer + ?Sized>(
        &self,
        key: &S,
        admitted: &AdmittedChallenge,
    ) -> Result<ChallengeResponse> {
        Ok(ChallengeResponse {
            signature: sign_checked(key, &admitted.signing_input)?.to_base64url(),
            kid: self.kid.clone(),
        })
    }

    fn admit_as(
        &mut self,
        client: ClientKey,
        params_json: &str,
        now: u64,
    ) -> Result<AdmittedChallenge> {
        let ParsedParams {
            request,
            challenge_bytes,
            timestamp,
        } = parse_params(params_json)?;
        if timestamp < now.saturating_sub(WINDOW_SECONDS) {
            return Err(err!(
                StaleTimestamp,
                "challenge timestamp {} is {} s behind the server's clock; at most {} s is allowed",
                request.timestamp,
                now - timestamp,
                WINDOW_SECONDS
            ));
        }
        if timestamp > now.saturating_add(MAX_FUTURE_SKEW_SECONDS) {
            return Err(err!(
                StaleTimestamp,
                "challenge timestamp {} is {} s ahead of the server's clock; at most {} s of clock skew is allowed",
                request.timestamp,
                timestamp - now,
                MAX_FUTURE_SKEW_SECONDS
            ));
        }
        let key = nonce_key(&challenge_bytes);
        let expires_at = timestamp.saturating_add(WINDOW_SECONDS);
        self.cache.insert_key(client, key, expires_at, now)?;
        let mut signing_input = challenge_bytes;
        signing_input.extend_from_slice(request.timestamp.as_bytes());
        Ok(AdmittedChallenge {
            signing_input,
            key,
            expires_at,
        })
    }
}

/// The JSON-RPC error for a failed challenge: `(error.code, error.data.reason)`.
///
/// | error | code | reason |
/// | --- | --- | --- |
/// | `stale_timestamp` | -32001 | `stale_timestamp` |
/// | `replayed_nonce` | -32002 | `replayed_nonce` |
/// | `nonce_cache_full` | -32603 | `nonce_cache_full` |
/// | `challenge_rate_limited` | -32029 | `challenge_rate_limited` |
/// | anything else (`invalid_challenge`, …) | -32602 | `invalid_params` |
///
/// The first three codes are the ext-auth draft's, kept so its clients interoperate. But the
/// MCP SDKs also raise -32000 (connection closed) and -32001 (request timeout) locally, so a
/// client must decide on `data.reason`, never on the code alone. A full replay cache is the
/// server's condition, not a replay and not the client's fault: it gets JSON-RPC's "Internal
/// error" rather than -32002, which the draft tells clients to treat as a replayed nonce (and,
/// by its advice, to end the connection over).
///
/// ```
/// use mcp_attest::challenge::{jsonrpc_error, ChallengeResponder};
/// use mcp_attest::SigningKey;
///
/// let sk = SigningKey::from_bytes(&[7u8; 32]);
/// let mut responder = ChallengeResponder::new("srv", 100);
/// let err = responder.respond(&sk, r#"{"challenge":"c2hvcnQ","timestamp":"2027-01-15T08:00:00Z"}"#, 0).unwrap_err();
/// assert_eq!(jsonrpc_error(&err), (-32602, "invalid_params"));
/// ```
#[must_use]
pub fn jsonrpc_error(error: &Error) -> (i64, &'static str) {
    match error.code() {
        ErrorCode::StaleTimestamp => (JSONRPC_STALE_TIMESTAMP, "stale_timestamp"),
        ErrorCode::ReplayedNonce => (JSONRPC_REPLAYED_NONCE, "replayed_nonce"),
        ErrorCode::NonceCacheFull => (JSONRPC_INTERNAL_ERROR, "nonce_cache_full"),
        ErrorCode::ChallengeRateLimited => (JSONRPC_RATE_LIMITED, "challenge_rate_limited"),
        _ => (JSONRPC_INVALID_PARAMS, "invalid_params"),
    }
}

/// The JSON-RPC error object for a failed challenge as JSON text (for bindings and
/// adapters): `{"code":…,"data":{"code":"<our error code>","reason":…},"message":…}` in JCS
/// form, with `code` and `reason` from [`jsonrpc_error`] and the error's message.
///
/// ```
/// use mcp_attest::challenge::{jsonrpc_error_json, ChallengeResponder, ChallengeRequest};
/// use mcp_attest::SigningKey;
///
/// let sk = SigningKey::from_bytes(&[7u8; 32]);
/// let mut responder = ChallengeResponder::new("srv", 100);
/// let params = ChallengeRequest::new(&[4u8; 32], 1_800_000_000).to_json();
/// let err = responder.respond(&sk, &params, 1_800_001_000).unwrap_err();
/// let json = jsonrpc_error_json(&err);
/// assert!(json.starts_with(r#"{"code":-32001,"data":{"code":"stale_timestamp","reason":"stale_timestamp"},"message":"#));
/// ```
#[must_use]
pub fn jsonrpc_error_json(error: &Error) -> String {
    let (code, reason) = jsonrpc_error(error);
    let mut data = Object::new();
    data.insert("reason", Value::from(reason));
    data.insert("code", Value::from(error.code().as_str()));
    let mut object = Object::new();
    // The codes are small constants, always representable; `Null` is unreachable.
    object.insert(
        "code",
        Number::from_i64(code).map_or(Value::Null, Value::from),
    );
    object.insert("message", Value::from(error.message()));
    object.insert("data", Value::from(data));
    Value::from(object).to_jcs()
}

/// Params that passed the structural checks, with what the checks computed.
struct ParsedParams {
    request: ChallengeRequest,
    challenge_bytes: Vec<u8>,
    timestamp: u64,
}

fn parse_params(params: &str) -> Result<ParsedParams> {
    if params.len() > MAX_PARAMS_BYTES {
        return Err(err!(
            InvalidChallenge,
            "identity/challenge params are {} bytes, more than the limit of {}",
            params.len(),
            MAX_PARAMS_BYTES
        ));
    }
    let limits = Limits {
        max_bytes: MAX_PARAMS_BYTES,
        max_depth: PARAMS_MAX_DEPTH,
    };
    let value = parse_with_limits(params, limits).map_err(|e| {
        err!(
            InvalidChallenge,
            "identity/challenge params are not valid JSON: {}",
            e.message()
        )
    })?;
    let object = value.as_object().ok_or(err!(
        InvalidChallenge,
        "identity/challenge params must be a JSON object"
    ))?;
    let member = |name: &str| -> Result<&str> {
        match object.get(name) {
            Some(Value::String(s)) => Ok(s.as_str()),
            Some(_) => Err(err!(
                InvalidChallenge,
                "identity/challenge member {:?} must be a string",
                name
            )),
            None => Err(err!(
                InvalidChallenge,
                "identity/challenge params lack the member {:?}",
                name
            )),
        }
    };
    let (challenge, timestamp_text) = (member("challenge")?, member("timestamp")?);
    let challenge_bytes = decode_challenge(challenge)?;
    let timestamp = parse_rfc3339(timestamp_text).map_err(|e| {
        err!(
            InvalidChallenge,
            "challenge timestamp: {} (the extended form, with colons, is required)",
            e.message()
        )
    })?;
    Ok(ParsedParams {
        request: ChallengeRequest {
            challenge: String::from(challenge),
            timestamp: String::from(timestamp_text),
        },
        challenge_bytes,
        timestamp,
    })
}

/// Decodes a challenge: canonical unpadded base64url of 32..=512 bytes.
fn decode_challenge(text: &str) -> Result<Vec<u8>> {
    if text.len() > MAX_CHALLENGE_CHARS {
        return Err(err!(
            InvalidChallenge,
            "challenge is {} characters; at most {} bytes ({} characters) are accepted",
            text.len(),
            MAX_CHALLENGE_BYTES,
            MAX_CHALLENGE_CHARS
        ));
    }
    let bytes = base64url_decode(text).map_err(|_| {
        err!(
            InvalidChallenge,
            "challenge is not canonical unpadded base64url (no padding, no +/, no whitespace)"
        )
    })?;
    check_challenge_length(bytes.len())?;
    Ok(bytes)
}

fn check_challenge_length(len: usize) -> Result<()> {
    if (MIN_CHALLENGE_BYTES..=MAX_CHALLENGE_BYTES).contains(&len) {
        Ok(())
    } else {
        Err(err!(
            InvalidChallenge,
            "challenge is {} bytes; {}..={} random bytes are required",
            len,
            MIN_CHALLENGE_BYTES,
            MAX_CHALLENGE_BYTES
        ))
    }
}

fn client_key(client: &str) -> ClientKey {
    let digest = Sha256::new()
        .chain_update(b"mcp-attest client\0")
        .chain_update(client.as_bytes())
        .finalize();
    let mut key = [0u8; 16];
    for (out, byte) in key.iter_mut().zip(digest.iter()) {
        *out = *byte;
    }
    // All zeros is the anonymous client; a real client never maps there (one in 2^128).
    if key == ANONYMOUS {
        key[0] = 1;
    }
    key
}

fn nonce_key(nonce: &[u8]) -> NonceKey {
    let digest = Sha256::digest(nonce);
    let mut key = [0u8; 16];
    for (out, byte) in key.iter_mut().zip(digest.iter()) {
        *out = *byte;
    }
    key
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;
    use alloc::vec;

    /// The expiries held, earliest first, read from the eviction heap.
    fn expiries(cache: &NonceCache) -> Vec<u64> {
        let mut held: Vec<u64> = cache.by_expiry.iter().map(|r| r.0 .0).collect();
        held.sort_unstable();
        held
    }

    fn assert_consistent(cache: &NonceCache) {
        assert_eq!(cache.by_nonce.len(), cache.by_expiry.len());
        let mut charged: BTreeMap<ClientKey, usize> = BTreeMap::new();
        for Reverse((expires_at, key, client)) in cache.by_expiry.iter() {
            assert_eq!(cache.by_nonce.get(key), Some(expires_at));
            if *client != ANONYMOUS {
                *charged.entry(*client).or_default() += 1;
            }
        }
        assert_eq!(charged, cache.by_client);
        assert!(cache.by_expiry.capacity() <= cache.capacity);
    }

    #[test]
    fn evicts_in_expiry_order_not_insertion_order() {
        let mut cache = NonceCache::new(10);
        for (i, expires_at) in [50u64, 10, 30, 20, 40].into_iter().enumerate() {
            cache
                .check_and_insert(&[i as u8; 32], expires_at, 0)
                .unwrap();
        }
        assert_eq!(expiries(&cache), vec![10, 20, 30, 40, 50]);
        // An entry is live while now <= expires_at.
        cache.check_and_insert(b"probe-1", 0, 10).unwrap(); // already expired: not stored
        assert_eq!(expiries(&cache), vec![10, 20, 30, 40, 50]);
        cache.check_and_insert(b"probe-2", 0, 11).unwrap();
        assert_eq!(expiries(&cache), vec![20, 30, 40, 50]);
        cache.check_and_insert(b"probe-3", 0, 31).unwrap();
        assert_eq!(expiries(&cache), vec![40, 50]);
        // The nonce that expired at 10 (index 1) is new again; the one at 40 (index 4) is not.
        cache.check_and_insert(&[1u8; 32], 100, 31).unwrap();
        assert_eq!(
            cache
                .check_and_insert(&[4u8; 32], 100, 31)
                .unwrap_err()
                .code(),
            ErrorCode::ReplayedNonce
        );
        assert_eq!(expiries(&cache), vec![40, 50, 100]);
        assert_consistent(&cache);
        cache.check_and_insert(b"probe-4", 0, 101).unwrap();
        assert!(cache.is_empty());
        assert_consistent(&cache);
    }

    #[test]
    fn full_cache_never_evicts_a_live_nonce() {
        let mut cache = NonceCache::new(3);
        for i in 0..3u8 {
            cache
                .check_and_insert(&[i; 32], 100 + u64::from(i), 0)
                .unwrap();
        }
        let full = cache.check_and_insert(&[9; 32], 1_000, 100).unwrap_err();
        assert_eq!(full.code(), ErrorCode::NonceCacheFull);
        assert_eq!(expiries(&cache), vec![100, 101, 102]);
        // A replay on a full cache is still reported as a replay.
        let replay = cache.check_and_insert(&[0; 32], 1_000, 100).unwrap_err();
        assert_eq!(replay.code(), ErrorCode::ReplayedNonce);
        // One second later the earliest has expired: exactly one slot frees up.
        cache.check_and_insert(&[9; 32], 1_000, 101).unwrap();
        assert_eq!(expiries(&cache), vec![101, 102, 1_000]);
        assert_eq!(
            cache
                .check_and_insert(&[10; 32], 1_000, 101)
                .unwrap_err()
                .code(),
            ErrorCode::NonceCacheFull
        );
        assert_consistent(&cache);
    }

    #[test]
    fn zero_capacity_means_one_and_heap_never_outgrows_capacity() {
        let mut cache = NonceCache::new(0);
        assert_eq!(cache.capacity(), 1);
        cache.check_and_insert(b"a", 10, 0).unwrap();
        assert_eq!(
            cache.check_and_insert(b"b", 10, 0).unwrap_err().code(),
            ErrorCode::NonceCacheFull
        );
        assert_eq!(cache.by_expiry.capacity(), 1);

        for capacity in [1usize, 5, 16, 17, 100, 1_000] {
            let mut cache = NonceCache::new(capacity);
            for i in 0..capacity as u64 {
                cache.check_and_insert(&i.to_le_bytes(), 10, 0).unwrap();
                assert!(cache.by_expiry.capacity() <= capacity, "{capacity}");
            }
            assert_eq!(cache.len(), capacity);
            assert_consistent(&cache);
        }
    }

    #[test]
    fn entries_are_fixed_size_hashes() {
        let mut cache = NonceCache::new(4);
        cache.check_and_insert(&[7u8; 4096], 10, 0).unwrap();
        let key = nonce_key(&[7u8; 4096]);
        assert_eq!(&key[..], &Sha256::digest([7u8; 4096])[..16]);
        assert_eq!(cache.by_nonce.get(&key), Some(&10));
    }

    #[test]
    fn quota_is_per_client_and_released_on_expiry() {
        let mut cache = NonceCache::with_client_quota(10, 3);
        for i in 0..3u8 {
            cache
                .check_and_insert_for("flooder", &[i; 32], 100 + u64::from(i), 0)
                .unwrap();
        }
        // Over quota: refused with the client's own code although the cache has room.
        let over = cache
            .check_and_insert_for("flooder", &[9; 32], 200, 0)
            .unwrap_err();
        assert_eq!(over.code(), ErrorCode::ChallengeRateLimited);
        assert_eq!(cache.len(), 3);
        // Others are answered; a replay of the flooder's nonce by anyone is still a replay.
        cache
            .check_and_insert_for("honest", &[9; 32], 200, 0)
            .unwrap();
        assert_eq!(
            cache
                .check_and_insert_for("honest", &[0; 32], 200, 0)
                .unwrap_err()
                .code(),
            ErrorCode::ReplayedNonce
        );
        assert_eq!(
            cache
                .check_and_insert_for("flooder", &[9; 32], 200, 0)
                .unwrap_err()
                .code(),
            ErrorCode::ReplayedNonce
        );
        assert_eq!(
            (cache.client_len("flooder"), cache.client_len("honest")),
            (3, 1)
        );
        assert_consistent(&cache);
        // The earliest flooder entry expires: exactly one quota slot comes back.
        cache
            .check_and_insert_for("flooder", &[10; 32], 200, 101)
            .unwrap();
        assert_eq!(
            cache
                .check_and_insert_for("flooder", &[11; 32], 200, 101)
                .unwrap_err()
                .code(),
            ErrorCode::ChallengeRateLimited
        );
        assert_consistent(&cache);
        // Everything expires: the client map is empty again (no memory kept per client).
        cache.check_and_insert(b"probe", 0, 1_000).unwrap();
        assert!(cache.is_empty() && cache.by_client.is_empty());
        // Anonymous entries are charged to no one.
        for i in 0..10u8 {
            cache.check_and_insert(&[i; 32], 2_000, 1_000).unwrap();
        }
        assert!(cache.by_client.is_empty());
        assert_consistent(&cache);
    }

    #[test]
    fn default_quota_is_a_sixteenth_at_least_one() {
        assert_eq!(NonceCache::new(10_000).client_quota(), 625);
        assert_eq!(NonceCache::new(15).client_quota(), 1);
        assert_eq!(NonceCache::new(0).client_quota(), 1);
        assert_eq!(NonceCache::with_client_quota(5, 0).client_quota(), 1);
        assert_eq!(NonceCache::with_client_quota(5, 99).client_quota(), 5);
        assert_ne!(client_key(""), ANONYMOUS);
    }

    #[test]
    fn ceiling_formula_on_this_target() {
        assert_eq!(HEAP_SLOT_BYTES, 40);
        if size_of::<usize>() == 8 {
            assert_eq!(TREE_NODE_BYTES, 376);
            assert_eq!(NonceCache::new(10_000).memory_ceiling_bytes(), 1_904_752);
        }
        assert_eq!(
            NonceCache::new(usize::MAX).memory_ceiling_bytes(),
            usize::MAX
        );
        assert_eq!(MAX_CHALLENGE_CHARS, 683);
    }
}

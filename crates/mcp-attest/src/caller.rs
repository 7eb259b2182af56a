//! Caller identity (spec §20): trust levels, and the proof a client attaches to a request so
//! the server knows who calls.
//!
//! **Levels**, computed here for both directions (the server's level in a client's report,
//! the caller's level on a server):
//!
//! | level | meaning |
//! |---|---|
//! | 0 | anonymous: no key proven |
//! | 1 | a key proven by a signature made for this exchange (a caller proof, a challenge) |
//! | 2 | that key is also named by the DNS record of a domain (`_mcp-identity.<domain>`) |
//! | 3 | vouched for by a trusted issuer's passport for that key |
//! | 4 | vouched for by an issuer the trust store allows to grant 4, whose passport claims 4 |
//!
//! An issuer never grants more than [`TrustedIssuer::max_level`] (default 3), whatever its
//! passport claims.
//!
//! **Caller proofs.** On every `tools/call`, a client with a key signs a compact JWS
//! (`typ` [`CALLER_PROOF_TYP`]) whose claims bind the method, a hash of the tool name and
//! arguments (not the `_meta` SDKs add), the server it is meant for, the time and a nonce. It
//! travels in `params._meta["org.mcp-attest/caller"]` (with the caller's passport, if any)
//! and, over HTTP, also in the [`HTTP_HEADER`] header. The server's [`CallerVerifier`] checks
//! it with a replay cache and returns the caller's DID and level.
//!
//! ```
//! use mcp_attest::caller::{self, CallerVerifier};
//! use mcp_attest::SigningKey;
//!
//! let client = SigningKey::from_bytes(&[3; 32]);
//! let server_did = SigningKey::from_bytes(&[4; 32]).verifying_key().to_did_key();
//! let now = 1_800_000_000;
//! let params = r#"{"name":"echo","arguments":{"text":"hi"}}"#;
//! let sent = caller::attach(&client, None, &server_did, "tools/call", params, now, &[9; 16])?;
//!
//! let mut verifier = CallerVerifier::new(&server_did, 1_000, 100);
//! let who = verifier.identify("tools/call", &sent.params, None, "conn-1", now)?.unwrap();
//! assert_eq!(who.did, client.verifying_key().to_did_key());
//! assert_eq!(who.level, 1);
//! // The same request again is a replay.
//! let again = verifier.identify("tools/call", &sent.params, None, "conn-1", now).unwrap_err();
//! assert_eq!(again.code(), mcp_attest::ErrorCode::ReplayedNonce);
//! # Ok::<(), mcp_attest::Error>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use crate::challenge::{NonceCache, MAX_FUTURE_SKEW_SECONDS, WINDOW_SECONDS};
use crate::error::{err, excerpt, Error, ErrorCode, Result};
use crate::issuer::{TrustedIssuer, DEFAULT_MAX_LEVEL};
use crate::json::{self, Number, Object, Value};
use crate::keys::VerifyingKey;
use crate::passport::{self, Passport};
use crate::revocation::RevocationList;
use crate::signer::Signer;
use crate::{encoding, jws};

/// Level 0: anonymous.
pub const LEVEL_ANONYMOUS: u8 = 0;
/// Level 1: a key proven for this exchange.
pub const LEVEL_KEY_PROVEN: u8 = 1;
/// Level 2: the key is named by a domain's DNS record.
pub const LEVEL_DOMAIN_PROVEN: u8 = 2;
/// Level 3: vouched for by a trusted issuer.
pub const LEVEL_VOUCHED: u8 = 3;
/// Level 4: vouched for at the highest level by an issuer allowed to grant it.
pub const LEVEL_VOUCHED_HIGH: u8 = 4;

/// The JWS `typ` of a caller proof.
pub const CALLER_PROOF_TYP: &str = "mcp-caller-proof+jwt";
/// The `_meta` member that carries `{"proof", "passport"}` on a request.
pub const META_KEY: &str = "org.mcp-attest/caller";
/// The HTTP header that carries the proof over Streamable HTTP (the same JWS).
pub const HTTP_HEADER: &str = "MCP-Attest-Caller";
/// Largest accepted proof, in bytes: a proof is about 500 bytes.
pub const MAX_PROOF_BYTES: usize = 2048;
/// Largest request `params` a proof is checked against (4 MiB, as tools lists).
pub const MAX_PARAMS_BYTES: usize = 4 << 20;
/// Default capacity of a verifier's replay cache.
pub const DEFAULT_CACHE_CAPACITY: usize = 100_000;
/// Default number of live proofs one client (connection) may hold in the replay cache.
pub const DEFAULT_CLIENT_QUOTA: usize = 10_000;

/// JSON-RPC `error.code` for a call refused for its caller's level (outside the
/// -32000…-32099 range the SDKs use for their own conditions).
pub const JSONRPC_INSUFFICIENT_LEVEL: i64 = -31001;
/// JSON-RPC `error.code` for a call refused because its caller proof or passport failed.
pub const JSONRPC_CALLER_REFUSED: i64 = -31002;

/// What a peer has shown, from which [`level`] follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LevelBasis {
    /// A signature made for this exchange proved the key (a caller proof, a challenge).
    pub key_proven: bool,
    /// The domain's DNS record names the proven key.
    pub domain_proven: bool,
    /// The level a trusted issuer vouches for ([`vouched_level`]), if any.
    pub vouched: Option<u8>,
}

/// The trust level (0–4) of what a peer has shown. Nothing counts without a proven key: a
/// passport or a DNS record names a key, but only a signature shows the peer holds it.
///
/// ```
/// use mcp_attest::caller::{level, LevelBasis};
/// assert_eq!(level(&LevelBasis { key_proven: false, domain_proven: true, vouched: Some(4) }), 0);
/// assert_eq!(level(&LevelBasis { key_proven: true, ..Default::default() }), 1);
/// assert_eq!(level(&LevelBasis { key_proven: true, domain_proven: true, vouched: Some(1) }), 2);
/// assert_eq!(level(&LevelBasis { key_proven: true, domain_proven: false, vouched: Some(3) }), 3);
/// ```
#[must_use]
pub fn level(basis: &LevelBasis) -> u8 {
    if !basis.key_proven {
        return LEVEL_ANONYMOUS;
    }
    let own = if basis.domain_proven {
        LEVEL_DOMAIN_PROVEN
    } else {
        LEVEL_KEY_PROVEN
    };
    own.max(basis.vouched.unwrap_or(0).min(LEVEL_VOUCHED_HIGH))
}

/// The level a verified passport vouches for under `issuers`: its `level` claim (default 3)
/// capped at the issuer's [`TrustedIssuer::max_level`]. `None` for a self-issued passport
/// (it vouches for nothing but its own key) or an issuer not in `issuers`.
#[must_use]
pub fn vouched_level(passport: &Passport, issuers: &[TrustedIssuer]) -> Option<u8> {
    if passport.self_issued {
        return None;
    }
    // An id listed twice is trusted with every key listed (issuer::candidates); it may grant
    // the highest level any of its entries allows.
    let max = issuers
        .iter()
        .filter(|i| i.id() == passport.issuer)
        .map(TrustedIssuer::max_level)
        .max()?;
    let vouched = passport.level.unwrap_or(DEFAULT_MAX_LEVEL).min(max);
    (vouched > 0).then_some(vouched)
}

/// The hash a proof binds: `sha256-` + b64u(SHA-256(JCS(…))) of `{"method", "name",
/// "arguments"}` for `tools/call` (absent arguments as `{}`), else of `{"method", "params"}`
/// with `params._meta` removed — the parts of a request its sender chose, not what SDKs add.
///
/// # Errors
/// `invalid_json` and the strict parser's errors; `caller_proof_mismatch` when `tools/call`
/// params lack a string `name` or have non-object `arguments`.
pub fn request_hash(method: &str, params_json: &str) -> Result<String> {
    let params = parse_params(params_json)?;
    request_hash_value(method, &params)
}

/// Request params, parsed strictly within [`MAX_PARAMS_BYTES`].
pub(crate) fn parse_params(params_json: &str) -> Result<Value> {
    json::parse_with_limits(
        params_json,
        json::Limits {
            max_bytes: MAX_PARAMS_BYTES,
            ..json::Limits::default()
        },
    )
}

fn request_hash_value(method: &str, params: &Value) -> Result<String> {
    let empty = Object::new();
    let p = match params {
        Value::Object(o) => o,
        Value::Null => &empty,
        _ => return Err(err!(CallerProofMismatch, "request params are an object")),
    };
    let mut bound = Object::new();
    bound.insert("method", Value::from(method));
    if method == "tools/call" {
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| err!(CallerProofMismatch, "tools/call params have a string name"))?;
        let args = match p.get("arguments") {
            None | Some(Value::Null) => Value::Object(Object::new()),
            Some(a @ Value::Object(_)) => a.clone(),
            Some(_) => {
                return Err(err!(
                    CallerProofMismatch,
                    "tools/call arguments are an object"
                ))
            }
        };
        bound.insert("name", Value::from(name));
        bound.insert("arguments", args);
    } else {
        let mut rest = p.clone();
        rest.remove("_meta");
        bound.insert("params", Value::Object(rest));
    }
    let mut tag = String::from("sha256-");
    tag.push_str(&encoding::base64url_encode(&Sha256::digest(
        Value::Object(bound).to_jcs().as_bytes(),
    )));
    Ok(tag)
}

/// Signs (with any [`Signer`]: an in-memory key or one in a KMS) a caller proof for one request to the server whose DID is `audience`, at `now`,
/// with a fresh 16-byte `nonce` from the caller's RNG.
///
/// # Errors
/// As [`request_hash`]; a [`Signer`]'s error, or `signer_failed`.
pub fn prove<S: Signer + ?Sized>(
    key: &S,
    audience: &str,
    method: &str,
    params_json: &str,
    now: u64,
    nonce: &[u8; 16],
) -> Result<String> {
    let req = request_hash(method, params_json)?;
    sign_proof(key, audience, method, &req, now, nonce)
}

fn sign_proof<S: Signer + ?Sized>(
    key: &S,
    audience: &str,
    method: &str,
    req: &str,
    now: u64,
    nonce: &[u8; 16],
) -> Result<String> {
    let vk = key.verifying_key();
    let mut c = Object::new();
    c.insert("iss", Value::from(vk.to_did_key()));
    c.insert("aud", Value::from(audience));
    c.insert("iat", Value::from_u64(now));
    c.insert("jti", Value::from(encoding::base64url_encode(nonce)));
    c.insert("method", Value::from(method));
    c.insert("req", Value::from(req));
    jws::sign_with(key, Some(CALLER_PROOF_TYP), Some(&vk.to_did_key_url()), &c)
}

/// A request's params with the caller's identity attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attached {
    /// The params JSON with `_meta["org.mcp-attest/caller"] = {"proof", "passport"?}`; other
    /// `_meta` members are kept.
    pub params: String,
    /// The proof alone, for the [`HTTP_HEADER`] header.
    pub proof: String,
}

/// Signs a proof for a request and puts it, with the caller's `passport` if any, in the
/// params' `_meta`. What adapters call on every outgoing `tools/call`.
///
/// # Errors
/// As [`request_hash`]; `caller_proof_mismatch` when `_meta` is not an object; a
/// [`Signer`]'s error, or `signer_failed`.
pub fn attach<S: Signer + ?Sized>(
    key: &S,
    passport: Option<&str>,
    audience: &str,
    method: &str,
    params_json: &str,
    now: u64,
    nonce: &[u8; 16],
) -> Result<Attached> {
    let params = parse_params(params_json)?;
    let req = request_hash_value(method, &params)?;
    let proof = sign_proof(key, audience, method, &req, now, nonce)?;
    with_carrier(params, proof, passport)
}

/// `params` with `_meta["org.mcp-attest/caller"] = {"proof", "passport"?}` (other `_meta`
/// members kept).
fn with_carrier(params: Value, proof: String, passport: Option<&str>) -> Result<Attached> {
    let mut o = match params {
        Value::Object(o) => o,
        _ => Object::new(),
    };
    let mut meta = match o.remove("_meta") {
        None | Some(Value::Null) => Object::new(),
        Some(Value::Object(m)) => m,
        Some(_) => return Err(err!(CallerProofMismatch, "params._meta is an object")),
    };
    let mut carrier = Object::new();
    carrier.insert("proof", Value::from(proof.as_str()));
    if let Some(p) = passport {
        carrier.insert("passport", Value::from(p));
    }
    meta.insert(META_KEY, Value::Object(carrier));
    o.insert("_meta", Value::Object(meta));
    Ok(Attached {
        params: Value::Object(o).to_jcs(),
        proof,
    })
}

/// The highest level a client can show with what it holds: 0 without a key, 1 with one,
/// and with a passport from another issuer its `level` claim (absent: 3). Optimistic by
/// design: whether the server trusts that issuer, and up to which `maxLevel`, only the
/// server knows, so a client refuses a call only when it is sure to fail.
#[must_use]
pub fn claimed_level(has_key: bool, passport: Option<&str>) -> u8 {
    if !has_key {
        return LEVEL_ANONYMOUS;
    }
    let vouched = passport
        .and_then(|p| jws::parse(p, jws::MAX_TOKEN_BYTES).ok())
        .and_then(|p| {
            let c = p.unverified_claims();
            let iss = c.get("iss").and_then(Value::as_str)?;
            let sub = c.get("sub").and_then(Value::as_str)?;
            if iss == sub {
                return None; // self-issued: vouches for its own key only
            }
            match c.get("level") {
                None => Some(LEVEL_VOUCHED),
                Some(l) => l
                    .as_number()
                    .and_then(Number::as_u64)
                    .and_then(|l| u8::try_from(l).ok())
                    .filter(|l| (1..=LEVEL_VOUCHED_HIGH).contains(l)),
            }
        });
    level(&LevelBasis {
        key_proven: true,
        domain_proven: false,
        vouched,
    })
}

/// What a client does before sending a `tools/call` (spec §20.4): reads the tool's
/// `requiredLevel` from the server `report` (JSON text of the session report), refuses
/// locally — nothing is sent — when it exceeds [`claimed_level`], and with a `key` attaches
/// a proof for the server the report established ([`attach`]). `None` without a key: the
/// call goes out anonymous, unchanged. An adapter making many calls builds a
/// [`CallerContext`] once per report instead, so a call costs the proof, not a parse of the
/// report.
///
/// ```
/// use mcp_attest::caller;
/// use mcp_attest::SigningKey;
/// let client = SigningKey::from_bytes(&[3; 32]);
/// let server_did = SigningKey::from_bytes(&[4; 32]).verifying_key().to_did_key();
/// let report = format!(r#"{{"server":{{"did":"{server_did}"}},"code":null,
///   "tools":[{{"name":"delete","status":"verified","requiredLevel":3}}]}}"#);
/// let params = r#"{"name":"delete","arguments":{}}"#;
/// // A key alone shows level 1: the call is refused before it is sent.
/// let e = caller::prepare_call(Some(&client), None, &report, params, 1_800_000_000, &[7; 16]).unwrap_err();
/// assert_eq!(e.code(), mcp_attest::ErrorCode::InsufficientTrustLevel);
/// # Ok::<(), mcp_attest::Error>(())
/// ```
///
/// # Errors
/// `insufficient_trust_level`; the report's code when it established no server and a key is
/// given; `malformed_token` for a report that is not one; as [`attach`].
pub fn prepare_call<S: Signer + ?Sized>(
    key: Option<&S>,
    passport: Option<&str>,
    report_json: &str,
    params_json: &str,
    now: u64,
    nonce: &[u8; 16],
) -> Result<Option<Attached>> {
    CallerContext::new(report_json, key.is_some(), passport)?.prepare(key, params_json, now, nonce)
}

/// What [`prepare_call`] reads from a session report and a caller's credentials, read once:
/// the server's DID (the proofs' audience), each tool's required level, and the level this
/// caller can show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerContext {
    audience: Result<String>,
    levels: alloc::collections::BTreeMap<String, u8>,
    claimed: u8,
    passport: Option<String>,
}

impl CallerContext {
    /// From the report (JSON text), whether the caller has a key, and its passport.
    ///
    /// # Errors
    /// JSON errors; `malformed_token` for a report that is not an object.
    pub fn new(report_json: &str, has_key: bool, passport: Option<&str>) -> Result<CallerContext> {
        // A report is bounded like request params (4 MiB): it lists at most the tools of one.
        let report = parse_params(report_json)?;
        if report.as_object().is_none() {
            return Err(err!(MalformedToken, "a server report is a JSON object"));
        }
        let mut levels = alloc::collections::BTreeMap::new();
        for t in report.get("tools").and_then(Value::as_array).unwrap_or(&[]) {
            if let Some(name) = t.get("name").and_then(Value::as_str) {
                let l = t
                    .get("requiredLevel")
                    .and_then(Value::as_number)
                    .and_then(Number::as_u64)
                    .map_or(0, |l| u8::try_from(l).unwrap_or(u8::MAX));
                // The first entry of a name decides, as a lookup in list order would.
                levels.entry(String::from(name)).or_insert(l);
            }
        }
        let audience = report
            .get("server")
            .and_then(|s| s.get("did"))
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| {
                let code = report
                    .get("code")
                    .and_then(Value::as_str)
                    .and_then(ErrorCode::from_code)
                    .unwrap_or(ErrorCode::ServerError);
                Error::with_message(
                    code,
                    String::from(
                        "the server is not verified: no identity to address a caller proof to",
                    ),
                )
            });
        Ok(CallerContext {
            audience,
            levels,
            claimed: claimed_level(has_key, passport),
            passport: passport.map(String::from),
        })
    }

    /// The level the report says `tool` requires (0 for a tool it does not list).
    #[must_use]
    pub fn required_level(&self, tool: &str) -> u8 {
        self.levels.get(tool).copied().unwrap_or(0)
    }

    /// [`prepare_call`] for one request. `key` must be the key the context was made for
    /// (`has_key`), or `None`.
    ///
    /// # Errors
    /// As [`prepare_call`].
    pub fn prepare<S: Signer + ?Sized>(
        &self,
        key: Option<&S>,
        params_json: &str,
        now: u64,
        nonce: &[u8; 16],
    ) -> Result<Option<Attached>> {
        let params = parse_params(params_json)?;
        let name = params
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| err!(CallerProofMismatch, "tools/call params have a string name"))?;
        let required = self.required_level(name);
        let can = if key.is_some() {
            self.claimed
        } else {
            LEVEL_ANONYMOUS
        };
        if can < required {
            return Err(err!(
                InsufficientTrustLevel,
                "the server requires trust level {} for {:?}; this client can show at most {}",
                required,
                excerpt(name),
                can
            ));
        }
        let Some(key) = key else { return Ok(None) };
        let audience = self.audience.as_ref().map_err(Clone::clone)?;
        let req = request_hash_value("tools/call", &params)?;
        let proof = sign_proof(key, audience, "tools/call", &req, now, nonce)?;
        with_carrier(params, proof, self.passport.as_deref()).map(Some)
    }
}

/// How a call a client made ended, for its own evidence log ([`client_call_evidence`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientOutcome<'a> {
    /// The server answered with this `CallToolResult` (JSON text).
    Result(&'a str),
    /// The server answered with this JSON-RPC error object (JSON text).
    Error(&'a str),
    /// The client refused to send it, with this contract code ([`prepare_call`]).
    RefusedLocally(&'a str),
}

/// The record a client keeps of a call it made (spec §19.6), as the call JSON an evidence
/// log's `append_call_json` takes: `caller` is the server called (`report.server.did`) and
/// `level` its level in the report; the log's own key — the client's — signs it and is its
/// `server`. A call refused locally, or refused by the server's gate (-31001/-31002), is a
/// `deny` with that code as `reason`; any other outcome is an `allow` with the result's hash
/// or the error's code ([`crate::gate::error_code_of`]).
///
/// # Errors
/// JSON errors; `caller_proof_mismatch` for params without a string `name`.
pub fn client_call_evidence(
    report_json: &str,
    params_json: &str,
    outcome: ClientOutcome<'_>,
) -> Result<String> {
    let report = parse_params(report_json)?;
    let params = parse_params(params_json)?;
    let name = params
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| err!(CallerProofMismatch, "tools/call params have a string name"))?;
    let tool_hash = report
        .get("tools")
        .and_then(Value::as_array)
        .and_then(|t| {
            t.iter()
                .find(|t| t.get("name").and_then(Value::as_str) == Some(name))
        })
        .and_then(|t| t.get("hash"))
        .cloned()
        .unwrap_or(Value::Null);
    let mut o = Object::new();
    o.insert(
        "caller",
        report
            .get("server")
            .and_then(|s| s.get("did"))
            .cloned()
            .unwrap_or(Value::Null),
    );
    o.insert(
        "level",
        report.get("level").cloned().unwrap_or(Value::from_u64(0)),
    );
    o.insert("tool", Value::from(name));
    o.insert("toolHash", tool_hash);
    o.insert(
        "arguments",
        params
            .get("arguments")
            .filter(|a| !a.is_null())
            .cloned()
            .unwrap_or(Value::Object(Object::new())),
    );
    let deny = |o: &mut Object, code: &str| {
        o.insert("decision", Value::from("deny"));
        o.insert("reason", Value::from(code));
    };
    match outcome {
        ClientOutcome::Result(r) => {
            o.insert(
                "result",
                json::parse_with_limits(
                    r,
                    json::Limits {
                        max_bytes: MAX_PARAMS_BYTES,
                        ..json::Limits::default()
                    },
                )?,
            );
            o.insert("decision", Value::from("allow"));
        }
        ClientOutcome::RefusedLocally(code) => deny(&mut o, code),
        ClientOutcome::Error(e) => {
            let code = crate::gate::error_code_of(e);
            let refused = json::parse(e)
                .ok()
                .and_then(|v| {
                    v.get("code")
                        .and_then(Value::as_number)
                        .and_then(Number::as_i64)
                })
                .is_some_and(|c| c == JSONRPC_INSUFFICIENT_LEVEL || c == JSONRPC_CALLER_REFUSED);
            if refused {
                deny(&mut o, &code);
            } else {
                o.insert("error", Value::from(code));
                o.insert("decision", Value::from("allow"));
            }
        }
    }
    Ok(Value::Object(o).to_jcs())
}

/// A caller the server identified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCaller {
    /// The caller's did:key.
    pub did: String,
    /// The caller's key.
    pub key: VerifyingKey,
    /// Its trust level (1–4).
    pub level: u8,
    /// The issuer of the passport that raised the level, if one did.
    pub issuer: Option<String>,
    /// The proof's key for a replay store shared by replicas (32 hex characters, from the
    /// audience and the nonce), remembered until [`VerifiedCaller::expires_at`].
    pub replay_key: String,
    /// Until when (Unix seconds) a shared store must remember [`VerifiedCaller::replay_key`].
    pub expires_at: u64,
}

impl VerifiedCaller {
    /// `{"did", "level", "issuer"}` as canonical JSON, for bindings.
    #[must_use]
    pub fn to_json(&self) -> String {
        self.to_value().to_jcs()
    }

    /// [`VerifiedCaller::to_json`] as a value, for documents that embed it.
    #[must_use]
    pub fn to_value(&self) -> Value {
        let mut o = Object::new();
        o.insert("did", Value::from(self.did.as_str()));
        o.insert("level", Value::from_u64(u64::from(self.level)));
        o.insert(
            "issuer",
            self.issuer.as_deref().map_or(Value::Null, Value::from),
        );
        Value::Object(o)
    }
}

/// The server side: identifies the caller of each request.
#[derive(Debug)]
pub struct CallerVerifier {
    audience: String,
    cache: NonceCache,
    issuers: Vec<TrustedIssuer>,
    revocations: Vec<RevocationList>,
}

impl CallerVerifier {
    /// A verifier for the server whose DID is `audience`, with a replay cache of
    /// `cache_capacity` proofs of which one client may hold `client_quota`.
    #[must_use]
    pub fn new(audience: &str, cache_capacity: usize, client_quota: usize) -> CallerVerifier {
        CallerVerifier {
            audience: String::from(audience),
            cache: NonceCache::with_client_quota(cache_capacity, client_quota),
            issuers: Vec::new(),
            revocations: Vec::new(),
        }
    }

    /// Issuers whose passports raise a caller's level, and whose revocation lists apply.
    pub fn set_trust(&mut self, issuers: Vec<TrustedIssuer>, revocations: Vec<RevocationList>) {
        self.issuers = issuers;
        self.revocations = revocations;
    }

    /// The DID proofs must name in `aud`.
    #[must_use]
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Identifies the caller of a request: `Ok(None)` when it carries no proof (an anonymous
    /// caller, level 0), the caller when its proof holds, an error when a proof is present
    /// but fails — a bad proof is refused, never downgraded to anonymous, so an attack shows.
    ///
    /// `header` is the [`HTTP_HEADER`] value, if the request came over HTTP; a request with
    /// both must carry the same proof in each. `client` names the connection for the replay
    /// cache's quota.
    ///
    /// Checks, in order: the carrier's shape; size, JWS structure and `typ`; `iss` a did:key
    /// and the signature under its key; `aud` equal to this server's DID; `method` and `req`
    /// equal to this request's; `iat` within 300 s back and 60 s ahead; revocation of the key
    /// and DID; the passport, if any (for this key; issuer-signed by a trusted issuer, or
    /// self-issued); last the nonce (`jti`), so a refused proof does not use up its nonce.
    ///
    /// # Errors
    /// `malformed_token`, `wrong_token_type`, `invalid_signature`, did:key errors,
    /// `missing_claim`, `invalid_claim`, `audience_mismatch`, `caller_proof_mismatch`,
    /// `stale_timestamp`, `revoked`, the passport's errors, `replayed_nonce`,
    /// `challenge_rate_limited`, `nonce_cache_full`.
    pub fn identify(
        &mut self,
        method: &str,
        params_json: &str,
        header: Option<&str>,
        client: &str,
        now: u64,
    ) -> Result<Option<VerifiedCaller>> {
        let params = parse_params(params_json)?;
        self.identify_value(method, &params, header, client, now)
    }

    /// [`identify`](Self::identify) for params the caller has parsed already (the call gate),
    /// so a request is parsed once.
    pub(crate) fn identify_value(
        &mut self,
        method: &str,
        params: &Value,
        header: Option<&str>,
        client: &str,
        now: u64,
    ) -> Result<Option<VerifiedCaller>> {
        let carrier = params
            .get("_meta")
            .and_then(|m| m.get(META_KEY))
            .filter(|c| !c.is_null());
        let (meta_proof, passport) = match carrier {
            None => (None, None),
            Some(Value::Object(c)) => {
                let proof = match c.get("proof") {
                    Some(Value::String(p)) => Some(p.as_str()),
                    _ => {
                        return Err(err!(
                            MalformedToken,
                            "the caller carrier has a string proof"
                        ))
                    }
                };
                let passport = match c.get("passport") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(p)) => Some(p.as_str()),
                    Some(_) => return Err(err!(MalformedToken, "the caller passport is a string")),
                };
                (proof, passport)
            }
            Some(_) => return Err(err!(MalformedToken, "the caller carrier is an object")),
        };
        let proof = match (meta_proof, header) {
            (None, None) => return Ok(None),
            (Some(p), None) | (None, Some(p)) => p,
            (Some(p), Some(h)) if p == h => p,
            (Some(_), Some(_)) => {
                return Err(err!(
                    CallerProofMismatch,
                    "the {} header and the request's _meta carry different proofs",
                    HTTP_HEADER
                ))
            }
        };
        let parsed = jws::parse(proof, MAX_PROOF_BYTES)?;
        parsed.expect_typ(CALLER_PROOF_TYP)?;
        let iss = match parsed.unverified_claims().get("iss") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(err!(InvalidClaim, "claim iss must be a string")),
            None => return Err(err!(MissingClaim, "the caller proof has no iss")),
        };
        let key = VerifyingKey::from_did_key(&iss)?;
        let verified = parsed.verify(&key)?;
        let c = &verified.claims;
        let text = |name: &str| -> Result<&str> {
            match c.get(name) {
                Some(Value::String(s)) => Ok(s.as_str()),
                Some(_) => Err(err!(InvalidClaim, "claim {} must be a string", name)),
                None => Err(err!(MissingClaim, "the caller proof has no {}", name)),
            }
        };
        if text("aud")? != self.audience {
            return Err(err!(
                AudienceMismatch,
                "the caller proof is for {:?}, not this server",
                excerpt(text("aud")?)
            ));
        }
        if text("method")? != method {
            return Err(err!(
                CallerProofMismatch,
                "the caller proof is for method {:?}, not {:?}",
                excerpt(text("method")?),
                excerpt(method)
            ));
        }
        if text("req")? != request_hash_value(method, params)? {
            return Err(err!(
                CallerProofMismatch,
                "the caller proof was made for another tool or other arguments"
            ));
        }
        let iat = c
            .get("iat")
            .and_then(Value::as_number)
            .and_then(Number::as_u64)
            .ok_or_else(|| err!(InvalidClaim, "claim iat must be a whole number of seconds"))?;
        if iat < now.saturating_sub(WINDOW_SECONDS)
            || iat > now.saturating_add(MAX_FUTURE_SKEW_SECONDS)
        {
            return Err(err!(
                StaleTimestamp,
                "the caller proof was made at {}, outside {} s back and {} s ahead of {}",
                iat,
                WINDOW_SECONDS,
                MAX_FUTURE_SKEW_SECONDS,
                now
            ));
        }
        let nonce = encoding::base64url_decode(text("jti")?)
            .ok()
            .filter(|n| (16..=64).contains(&n.len()))
            .ok_or_else(|| err!(InvalidClaim, "claim jti must be 16–64 bytes of base64url"))?;
        for list in &self.revocations {
            list.check_key(&key)?;
            list.check_did(&iss)?;
        }
        let mut issuer = None;
        let mut vouched = None;
        if let Some(token) = passport {
            let p = passport::verify(
                token,
                &passport::VerifyOptions {
                    now,
                    issuers: &self.issuers,
                    allow_self_issued: Some(true),
                    revocations: &self.revocations,
                    subject: Some(&key),
                    ..Default::default()
                },
            )?;
            vouched = vouched_level(&p, &self.issuers);
            if vouched.is_some() {
                issuer = Some(p.issuer);
            }
        }
        self.cache
            .check_and_insert_for(client, &nonce, iat.saturating_add(WINDOW_SECONDS), now)
            .map_err(|e| match e.code() {
                // The cache's own message speaks of challenges; a caller sees its proof named.
                ErrorCode::ReplayedNonce => err!(
                    ReplayedNonce,
                    "this caller proof was already used (a replayed request)"
                ),
                _ => e,
            })?;
        let digest = Sha256::new()
            .chain_update(b"mcp-attest caller proof\0")
            .chain_update(self.audience.as_bytes())
            .chain_update(b"\0")
            .chain_update(&nonce)
            .finalize();
        // 32 hex characters, the shape replay stores take for challenges too; the hash's
        // domain separation keeps the two kinds of keys apart.
        let replay_key = encoding::hex_encode(digest.get(..16).unwrap_or_default());
        Ok(Some(VerifiedCaller {
            replay_key,
            expires_at: iat.saturating_add(WINDOW_SECONDS),
            did: iss,
            key,
            level: level(&LevelBasis {
                key_proven: true,
                domain_proven: false,
                vouched,
            }),
            issuer,
        }))
    }
}

/// Refuses a caller below `required`: `insufficient_trust_level` naming both levels.
///
/// # Errors
/// `insufficient_trust_level`.
pub fn guard(required: u8, caller: Option<&VerifiedCaller>) -> Result<()> {
    guard_level(required, caller.map_or(LEVEL_ANONYMOUS, |c| c.level))
}

/// [`guard`] for a caller known by its level alone (bindings hold the level, not the caller).
///
/// # Errors
/// `insufficient_trust_level`.
pub fn guard_level(required: u8, have: u8) -> Result<()> {
    if have >= required {
        return Ok(());
    }
    Err(err!(
        InsufficientTrustLevel,
        "this tool requires trust level {}; the caller has {}",
        required,
        have
    ))
}

/// The JSON-RPC error object for a call refused by [`guard`] or [`CallerVerifier::identify`]:
/// `{"code", "message", "data": {"code", "reason", "required"?, "level"?}}` in JCS form, with
/// `code` [`JSONRPC_INSUFFICIENT_LEVEL`] for a level refusal and [`JSONRPC_CALLER_REFUSED`]
/// otherwise; `data.reason` is the contract code (clients decide on it, never on `code`).
#[must_use]
pub fn refusal_json(error: &Error, required: Option<u8>, level: Option<u8>) -> String {
    let code = if error.code() == ErrorCode::InsufficientTrustLevel {
        JSONRPC_INSUFFICIENT_LEVEL
    } else {
        JSONRPC_CALLER_REFUSED
    };
    let mut data = Object::new();
    data.insert("code", Value::from(error.code().as_str()));
    data.insert("reason", Value::from(error.code().as_str()));
    if let Some(r) = required {
        data.insert("required", Value::from_u64(u64::from(r)));
    }
    if let Some(l) = level {
        data.insert("level", Value::from_u64(u64::from(l)));
    }
    let mut o = Object::new();
    o.insert(
        "code",
        Number::from_i64(code).map_or(Value::Null, Value::from),
    );
    o.insert("message", Value::from(error.message()));
    o.insert("data", Value::Object(data));
    Value::Object(o).to_jcs()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::passport::{IssueOptions, McpInfo};
    use crate::revocation::{self, Entry};
    use crate::SigningKey;

    const NOW: u64 = 1_800_000_000;

    fn client() -> SigningKey {
        SigningKey::from_bytes(&[3; 32])
    }
    fn server_did() -> String {
        SigningKey::from_bytes(&[4; 32])
            .verifying_key()
            .to_did_key()
    }
    fn verifier() -> CallerVerifier {
        CallerVerifier::new(&server_did(), 100, 10)
    }
    const PARAMS: &str = r#"{"name":"echo","arguments":{"text":"hi"}}"#;

    fn sent(params: &str, nonce: u8, now: u64) -> Attached {
        attach(
            &client(),
            None,
            &server_did(),
            "tools/call",
            params,
            now,
            &[nonce; 16],
        )
        .unwrap()
    }

    fn code(r: Result<Option<VerifiedCaller>>) -> ErrorCode {
        r.unwrap_err().code()
    }

    #[test]
    fn honest_call_is_level_one_and_sdk_meta_does_not_matter() {
        let s = sent(PARAMS, 1, NOW);
        // An SDK adds a progress token and reorders members: the proof still holds.
        let mut v: Value = json::parse(&s.params).unwrap();
        if let Value::Object(o) = &mut v {
            if let Some(Value::Object(m)) = o.get("_meta").cloned().as_ref() {
                let mut m = m.clone();
                m.insert("progressToken", Value::from_u64(7));
                o.insert("_meta", Value::Object(m));
            }
        }
        let who = verifier()
            .identify("tools/call", &v.to_jcs(), None, "c", NOW)
            .unwrap()
            .unwrap();
        assert_eq!(who.level, 1);
        assert_eq!(who.did, client().verifying_key().to_did_key());
        assert_eq!(who.issuer, None);
    }

    #[test]
    fn no_proof_is_anonymous_and_guards_refuse_it() {
        let mut v = verifier();
        assert_eq!(
            v.identify("tools/call", PARAMS, None, "c", NOW).unwrap(),
            None
        );
        assert_eq!(guard(0, None), Ok(()));
        let e = guard(1, None).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InsufficientTrustLevel);
        let j = refusal_json(&e, Some(1), Some(0));
        assert!(j.starts_with(r#"{"code":-31001,"data":{"code":"insufficient_trust_level","level":0,"reason":"insufficient_trust_level","required":1}"#), "{j}");
    }

    #[test]
    fn proofs_cannot_move_to_another_request_server_or_time() {
        let s = sent(PARAMS, 2, NOW);
        // Another tool, other arguments, another method.
        let moved = s.params.replace("\"echo\"", "\"delete\"");
        assert_eq!(
            code(verifier().identify("tools/call", &moved, None, "c", NOW)),
            ErrorCode::CallerProofMismatch
        );
        let changed = s.params.replace("\"hi\"", "\"rm -rf\"");
        assert_eq!(
            code(verifier().identify("tools/call", &changed, None, "c", NOW)),
            ErrorCode::CallerProofMismatch
        );
        assert_eq!(
            code(verifier().identify("resources/read", &s.params, None, "c", NOW)),
            ErrorCode::CallerProofMismatch
        );
        // Another server.
        let mut other = CallerVerifier::new("did:key:z6MkOther", 10, 10);
        assert_eq!(
            code(other.identify("tools/call", &s.params, None, "c", NOW)),
            ErrorCode::AudienceMismatch
        );
        // Another time.
        assert_eq!(
            code(verifier().identify("tools/call", &s.params, None, "c", NOW + 301)),
            ErrorCode::StaleTimestamp
        );
        assert_eq!(
            code(verifier().identify("tools/call", &s.params, None, "c", NOW - 61)),
            ErrorCode::StaleTimestamp
        );
        assert!(verifier()
            .identify("tools/call", &s.params, None, "c", NOW + 300)
            .unwrap()
            .is_some());
        // Replayed, even from another connection.
        let mut v = verifier();
        v.identify("tools/call", &s.params, None, "c", NOW).unwrap();
        assert_eq!(
            code(v.identify("tools/call", &s.params, None, "d", NOW + 1)),
            ErrorCode::ReplayedNonce
        );
    }

    #[test]
    fn refused_proofs_keep_their_nonce_unused() {
        let s = sent(PARAMS, 3, NOW);
        let mut v = verifier();
        let moved = s.params.replace("\"echo\"", "\"delete\"");
        assert!(v.identify("tools/call", &moved, None, "c", NOW).is_err());
        assert!(v
            .identify("tools/call", &s.params, None, "c", NOW)
            .unwrap()
            .is_some());
    }

    #[test]
    fn header_and_meta_must_agree() {
        let a = sent(PARAMS, 4, NOW);
        let b = sent(PARAMS, 5, NOW);
        let mut v = verifier();
        assert_eq!(
            code(v.identify("tools/call", &a.params, Some(&b.proof), "c", NOW)),
            ErrorCode::CallerProofMismatch
        );
        // The header alone identifies a caller whose SDK dropped the _meta.
        let who = v
            .identify("tools/call", PARAMS, Some(&a.proof), "c", NOW)
            .unwrap()
            .unwrap();
        assert_eq!(who.level, 1);
    }

    #[test]
    fn forged_or_malformed_proofs_are_refused() {
        let s = sent(PARAMS, 6, NOW);
        let mut parts: Vec<&str> = s.proof.split('.').collect();
        let other = sent(r#"{"name":"x"}"#, 7, NOW);
        let other_parts: Vec<&str> = other.proof.split('.').collect();
        parts[2] = other_parts[2];
        let forged = parts.join(".");
        assert_eq!(
            code(verifier().identify("tools/call", PARAMS, Some(&forged), "c", NOW)),
            ErrorCode::InvalidSignature
        );
        for bad in [
            r#"{"_meta":{"org.mcp-attest/caller":"x"}}"#,
            r#"{"_meta":{"org.mcp-attest/caller":{"proof":1}}}"#,
        ] {
            assert_eq!(
                code(verifier().identify("tools/call", bad, None, "c", NOW)),
                ErrorCode::MalformedToken
            );
        }
        // A passport is not a proof.
        let p = passport::issue_self(
            &client(),
            &McpInfo {
                name: "c".into(),
                ..Default::default()
            },
            &IssueOptions {
                now: NOW,
                ..Default::default()
            },
        );
        assert_eq!(
            code(verifier().identify("tools/call", PARAMS, Some(&p), "c", NOW)),
            ErrorCode::WrongTokenType
        );
    }

    #[test]
    fn issuers_raise_the_level_only_as_far_as_the_store_allows() {
        let registry = SigningKey::from_bytes(&[5; 32]);
        let caller_key = client().verifying_key();
        let mcp = McpInfo {
            name: "agent".into(),
            ..Default::default()
        };
        let opts = IssueOptions {
            now: NOW,
            ..Default::default()
        };
        let plain = passport::issue(&registry, "https://reg", None, &caller_key, &mcp, &opts);
        let high =
            passport::issue_with_level(&registry, "https://reg", None, &caller_key, &mcp, 4, &opts)
                .unwrap();
        let low =
            passport::issue_with_level(&registry, "https://reg", None, &caller_key, &mcp, 2, &opts)
                .unwrap();
        let stranger_key = SigningKey::from_bytes(&[6; 32]).verifying_key();
        let for_other = passport::issue(&registry, "https://reg", None, &stranger_key, &mcp, &opts);
        let check = |token: &str, max: u8, nonce: u8| {
            let mut v = verifier();
            v.set_trust(
                alloc::vec![
                    TrustedIssuer::new("https://reg", registry.verifying_key()).with_max_level(max)
                ],
                Vec::new(),
            );
            let s = attach(
                &client(),
                Some(token),
                &server_did(),
                "tools/call",
                PARAMS,
                NOW,
                &[nonce; 16],
            )
            .unwrap();
            v.identify("tools/call", &s.params, None, "c", NOW)
        };
        assert_eq!(check(&plain, 3, 1).unwrap().unwrap().level, 3);
        assert_eq!(
            check(&high, 3, 2).unwrap().unwrap().level,
            3,
            "capped at the store's 3"
        );
        assert_eq!(check(&high, 4, 3).unwrap().unwrap().level, 4);
        assert_eq!(check(&low, 4, 4).unwrap().unwrap().level, 2);
        assert_eq!(
            check(&plain, 0, 5).unwrap().unwrap().level,
            1,
            "max 0 grants nothing"
        );
        assert_eq!(
            check(&plain, 4, 6).unwrap().unwrap().issuer.as_deref(),
            Some("https://reg")
        );
        assert_eq!(code(check(&for_other, 3, 7)), ErrorCode::SubjectMismatch);
        // Revoked callers are refused.
        let list = revocation::issue(
            &registry,
            "https://reg",
            &[Entry::key(&caller_key, None)],
            NOW,
            None,
        );
        let list = RevocationList::verify(
            &list,
            &[TrustedIssuer::new("https://reg", registry.verifying_key())],
            Some(NOW),
        )
        .unwrap();
        let mut v = verifier();
        v.set_trust(Vec::new(), alloc::vec![list]);
        assert_eq!(
            code(v.identify("tools/call", &sent(PARAMS, 8, NOW).params, None, "c", NOW)),
            ErrorCode::Revoked
        );
    }

    #[test]
    fn request_hash_ignores_meta_and_absent_arguments() {
        let a = request_hash("tools/call", r#"{"name":"t"}"#).unwrap();
        let b = request_hash(
            "tools/call",
            r#"{"arguments":{},"name":"t","_meta":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!(a, b);
        assert_ne!(a, request_hash("tools/call", r#"{"name":"u"}"#).unwrap());
        assert_eq!(
            request_hash("tools/call", r#"{"arguments":[]}"#)
                .unwrap_err()
                .code(),
            ErrorCode::CallerProofMismatch
        );
    }
}

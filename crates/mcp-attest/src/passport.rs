//! Passports: compact JWS tokens that say which server a key belongs to.
//!
//! Header `{"alg":"EdDSA","typ":"mcp-passport+jwt","kid":…}` (`Ed25519` is accepted too, per
//! RFC 9864). Claims: `iss`, `sub` (the server's did:key), `aud`, `iat`, `nbf`, `exp`
//! (required), `jti`, `cnf.jwk` (the server key, when the issuer is not the server) and `mcp`
//! (`name`, `version`, `endpoints`, `toolsHash`).
//!
//! Two kinds: **self-issued** (`iss = sub =` the server's did:key, signed by the server key,
//! which the DID itself names) and **issuer-signed** (a publisher or registry signs for the
//! server; its key comes from the caller's [`TrustedIssuer`]s — never from the token).
//! A self-issued passport proves only possession of the key its DID names; what makes it
//! useful is the caller's pin of that DID (see the trust store) or an `expected subject`.
//!
//! ```
//! use mcp_attest::{passport::{self, McpInfo, IssueOptions, VerifyOptions}, SigningKey};
//! let server = SigningKey::from_bytes(&[1u8; 32]);
//! let mcp = McpInfo { name: "weather".into(), version: Some("1.2.0".into()), ..Default::default() };
//! let now = 1_800_000_000;
//! let token = passport::issue_self(&server, &mcp, &IssueOptions { now, audience: Some("https://mcp.example.com"), ..Default::default() });
//! let p = passport::verify(&token, &VerifyOptions { now, audience: Some("https://mcp.example.com"), ..Default::default() }).unwrap();
//! assert!(p.self_issued);
//! assert_eq!(p.subject_key, server.verifying_key());
//! assert_eq!(p.mcp.unwrap().name, "weather");
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{err, excerpt, Result};
use crate::issuer::{self, TrustedIssuer};
use crate::json::{Object, Value};
use crate::jws;
use crate::keys::{SigningKey, VerifyingKey};
use crate::revocation::RevocationList;
use crate::signer::{infallible, Checked, Sign, Signer};

/// The JWS `typ` of a passport.
pub const PASSPORT_TYP: &str = "mcp-passport+jwt";
/// Default passport lifetime: one day.
pub const DEFAULT_PASSPORT_TTL: u64 = 86_400;

/// The MCP server a passport describes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct McpInfo {
    /// The server's name.
    pub name: String,
    /// Its version.
    pub version: Option<String>,
    /// Where it can be reached (URLs; empty for stdio servers).
    pub endpoints: Vec<String>,
    /// The hash of its tools manifest entries ([`crate::tool::tools_hash`]).
    pub tools_hash: Option<String>,
}

/// Options for issuing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IssueOptions<'a> {
    /// Issue time, Unix seconds.
    pub now: u64,
    /// Lifetime in seconds (`exp = now + ttl`).
    pub ttl: u64,
    /// The audience (`aud`), if the passport is for one verifier.
    pub audience: Option<&'a str>,
    /// A token id (`jti`), so that the passport can be revoked on its own.
    pub jti: Option<&'a str>,
    /// `nbf`, when the passport should not be valid at once.
    pub not_before: Option<u64>,
}

impl Default for IssueOptions<'_> {
    fn default() -> Self {
        IssueOptions {
            now: 0,
            ttl: DEFAULT_PASSPORT_TTL,
            audience: None,
            jti: None,
            not_before: None,
        }
    }
}

/// Default for [`VerifyOptions::max_lifetime`]: 30 days.
///
/// Our own servers issue 24-hour passports and renew them; registries that vouch for a
/// server re-issue far more often than monthly. A token valid for longer than this is far
/// more likely a mistake or an attack (`exp: 1e300` once meant "valid forever") than a
/// deliberate choice, and a caller who wants it raises the limit.
pub const DEFAULT_MAX_LIFETIME: u64 = 30 * 86_400;

/// Options for verifying.
#[derive(Clone, Copy, Debug)]
pub struct VerifyOptions<'a> {
    /// The verifier's clock, Unix seconds.
    pub now: u64,
    /// Allowed clock skew (default 60 s).
    pub leeway: u64,
    /// The audience this verifier is (see [`jws::ClaimRules::audience`]).
    pub audience: Option<&'a str>,
    /// Publishers and registries whose passports are accepted.
    pub issuers: &'a [TrustedIssuer],
    /// Whether self-issued passports are accepted. `None` (the default): only when no
    /// trusted issuers are configured — a caller who names issuers wants passports vouched
    /// for by one of them, and a self-issued token vouches for nothing but its own key.
    pub allow_self_issued: Option<bool>,
    /// The largest accepted age (`now − iat`), if any. A passport without `iat` is refused
    /// (`missing_claim`) when this is set: its age is unknown.
    pub max_age: Option<u64>,
    /// The longest validity accepted (default [`DEFAULT_MAX_LIFETIME`]), measured as `exp`
    /// minus the token's start: `iat` when present, else `nbf`, else the verifier's `now`
    /// (then leeway is added, as `now` is the verifier's clock). `u64::MAX` removes the limit.
    pub max_lifetime: u64,
    /// Revocation lists to consult.
    pub revocations: &'a [RevocationList],
    /// The server key the caller expects (a pin), if any.
    pub subject: Option<&'a VerifyingKey>,
}

impl Default for VerifyOptions<'_> {
    fn default() -> Self {
        VerifyOptions {
            now: 0,
            leeway: jws::DEFAULT_LEEWAY,
            audience: None,
            issuers: &[],
            allow_self_issued: None,
            max_age: None,
            max_lifetime: DEFAULT_MAX_LIFETIME,
            revocations: &[],
            subject: None,
        }
    }
}

/// A verified passport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passport {
    /// `iss`.
    pub issuer: String,
    /// `sub`: the server's did:key.
    pub subject: String,
    /// The server key (from `sub`, and `cnf.jwk` when issuer-signed).
    pub subject_key: VerifyingKey,
    /// The key that signed the passport.
    pub issuer_key: VerifyingKey,
    /// Whether `iss = sub`.
    pub self_issued: bool,
    /// `aud`, as a list.
    pub audience: Vec<String>,
    /// `iat`.
    pub issued_at: Option<u64>,
    /// `nbf`.
    pub not_before: Option<u64>,
    /// `exp`.
    pub expires_at: u64,
    /// `jti`.
    pub jti: Option<String>,
    /// The `mcp` claim.
    pub mcp: Option<McpInfo>,
    /// The `level` claim: the trust level (1–4, spec §20) the issuer vouches for. A verifier
    /// grants at most the level its trust store allows the issuer (`TrustedIssuer::max_level`).
    pub level: Option<u8>,
}

/// Issues a self-issued passport: `iss = sub =` the server's did:key, `kid` = its DID URL.
#[must_use]
pub fn issue_self(server: &SigningKey, mcp: &McpInfo, options: &IssueOptions<'_>) -> String {
    infallible(issue_self_by(server, mcp, options))
}

/// [`issue_self`] with any [`Signer`]; its signature is checked before use.
///
/// # Errors
/// The signer's error, or `signer_failed`.
pub fn issue_self_with<S: Signer + ?Sized>(
    server: &S,
    mcp: &McpInfo,
    options: &IssueOptions<'_>,
) -> Result<String> {
    issue_self_by(&Checked(server), mcp, options)
}

pub(crate) fn issue_self_by<K: Sign>(
    server: &K,
    mcp: &McpInfo,
    options: &IssueOptions<'_>,
) -> core::result::Result<String, K::Error> {
    let vk = server.public();
    let did = vk.to_did_key();
    let claims = claims(&did, &did, None, mcp, options);
    jws::sign_by(
        server,
        Some(PASSPORT_TYP),
        Some(&vk.to_did_key_url()),
        &claims,
    )
}

/// Issues a passport for `server` signed by a publisher or registry `issuer_key` as
/// `issuer_id`, binding the server key in `cnf.jwk`.
#[must_use]
pub fn issue(
    issuer_key: &SigningKey,
    issuer_id: &str,
    issuer_kid: Option<&str>,
    server: &VerifyingKey,
    mcp: &McpInfo,
    options: &IssueOptions<'_>,
) -> String {
    let claims = claims(issuer_id, &server.to_did_key(), Some(server), mcp, options);
    jws::sign(issuer_key, Some(PASSPORT_TYP), issuer_kid, &claims)
}

/// [`issue`] with any [`Signer`] as the issuer; its signature is checked before use.
///
/// # Errors
/// The signer's error, or `signer_failed`.
pub fn issue_with<S: Signer + ?Sized>(
    issuer: &S,
    issuer_id: &str,
    issuer_kid: Option<&str>,
    server: &VerifyingKey,
    mcp: &McpInfo,
    options: &IssueOptions<'_>,
) -> Result<String> {
    let claims = claims(issuer_id, &server.to_did_key(), Some(server), mcp, options);
    jws::sign_with(issuer, Some(PASSPORT_TYP), issuer_kid, &claims)
}

/// Issues a passport for `subject` (a server or a caller) signed by `issuer_key` as
/// `issuer_id`, like [`issue`], with a `level` claim: the trust level (1–4, spec §20) the
/// issuer vouches for. Verifiers cap it at the level their trust store allows this issuer.
///
/// # Errors
/// `invalid_claim` when `level` is not 1–4; the signer's error, or `signer_failed`.
pub fn issue_with_level<S: Signer + ?Sized>(
    issuer: &S,
    issuer_id: &str,
    issuer_kid: Option<&str>,
    subject: &VerifyingKey,
    mcp: &McpInfo,
    level: u8,
    options: &IssueOptions<'_>,
) -> Result<String> {
    if !(1..=4).contains(&level) {
        return Err(err!(InvalidClaim, "a vouched level is 1–4, not {}", level));
    }
    let mut claims = claims(
        issuer_id,
        &subject.to_did_key(),
        Some(subject),
        mcp,
        options,
    );
    claims.insert("level", Value::from_u64(u64::from(level)));
    jws::sign_with(issuer, Some(PASSPORT_TYP), issuer_kid, &claims)
}

fn claims(
    iss: &str,
    sub: &str,
    cnf: Option<&VerifyingKey>,
    mcp: &McpInfo,
    o: &IssueOptions<'_>,
) -> Object {
    let mut c = Object::new();
    c.insert("iss", Value::from(iss));
    c.insert("sub", Value::from(sub));
    if let Some(aud) = o.audience {
        c.insert("aud", Value::from(aud));
    }
    c.insert("iat", Value::from_u64(o.now));
    if let Some(nbf) = o.not_before {
        c.insert("nbf", Value::from_u64(nbf));
    }
    c.insert("exp", Value::from_u64(o.now.saturating_add(o.ttl)));
    if let Some(jti) = o.jti {
        c.insert("jti", Value::from(jti));
    }
    if let Some(key) = cnf {
        let mut cnf = Object::new();
        cnf.insert("jwk", key.to_jwk_value(None));
        c.insert("cnf", Value::Object(cnf));
    }
    let mut m = Object::new();
    m.insert("name", Value::from(mcp.name.as_str()));
    if let Some(v) = &mcp.version {
        m.insert("version", Value::from(v.as_str()));
    }
    if !mcp.endpoints.is_empty() {
        m.insert(
            "endpoints",
            Value::Array(
                mcp.endpoints
                    .iter()
                    .map(|e| Value::from(e.as_str()))
                    .collect(),
            ),
        );
    }
    if let Some(h) = &mcp.tools_hash {
        m.insert("toolsHash", Value::from(h.as_str()));
    }
    c.insert("mcp", Value::Object(m));
    c
}

/// Verifies a passport, in this order: structure, `typ`, `iss`/`sub`, whether the issuer is
/// accepted (self-issued allowed, or a trusted issuer), the subject DID, the signature (under
/// the DID's key for self-issued, a trusted issuer's key otherwise), the registered claims
/// (types, `exp`, `nbf`, `iat`, `aud`), `max_age` (which needs `iat`), the subject binding
/// (`cnf.jwk`), the `mcp` claim, the expected subject and revocation.
///
/// # Errors
/// JWS errors (`input_too_large`, `malformed_token`, `invalid_base64`, JSON errors,
/// `unsupported_algorithm`, `unsupported_critical`), `wrong_token_type`, `missing_claim`,
/// `invalid_claim`, `untrusted_issuer`, `invalid_signature`, `token_expired`,
/// `token_not_yet_valid`, `token_issued_in_future`, `audience_mismatch`, did:key errors for
/// `sub`, `key_mismatch` (`cnf.jwk` is not the subject's key), `subject_mismatch`, `revoked`.
pub fn verify(token: &str, options: &VerifyOptions<'_>) -> Result<Passport> {
    let parsed = jws::parse(token, jws::MAX_TOKEN_BYTES)?;
    parsed.expect_typ(PASSPORT_TYP)?;
    let unverified = parsed.unverified_claims();
    let iss = string_claim(unverified, "iss")?
        .ok_or_else(|| err!(MissingClaim, "the passport has no iss"))?;
    let sub = string_claim(unverified, "sub")?
        .ok_or_else(|| err!(MissingClaim, "the passport has no sub"))?;
    let self_issued = iss == sub;
    let kid = parsed
        .header()
        .get("kid")
        .and_then(Value::as_str)
        .map(String::from);

    // The subject's key, decoded once. When the caller pinned the server key and the DID is
    // that key's, the pin is used as is: decoding a did:key costs a point decompression, a
    // fifth of the signature check this function is otherwise made of.
    let trusted = if self_issued {
        if !options
            .allow_self_issued
            .unwrap_or(options.issuers.is_empty())
        {
            return Err(err!(
                UntrustedIssuer,
                "self-issued passports are not accepted by this verifier (it names trusted \
                 issuers; set allow_self_issued to accept them too)"
            ));
        }
        None
    } else {
        Some(
            issuer::candidates(options.issuers, &iss, kid.as_deref()).ok_or_else(|| {
                err!(
                    UntrustedIssuer,
                    "passport issuer {:?} is not a trusted issuer",
                    excerpt(&iss)
                )
            })?,
        )
    };
    let subject_key = match options.subject {
        Some(expected) if expected.to_did_key() == sub => *expected,
        _ => VerifyingKey::from_did_key(&sub)?,
    };
    let (verified, issuer_key) = if let Some(trusted) = trusted {
        parsed.verify_any(trusted)?
    } else {
        // The DID is the key: a self-issued passport is checked under the key its own
        // subject names, and is worth what the caller's pin of that DID is worth.
        let v = parsed.verify(&subject_key)?;
        (v, subject_key)
    };
    let c = &verified.claims;
    jws::check_claims(
        c,
        &jws::ClaimRules {
            now: options.now,
            leeway: options.leeway,
            audience: options.audience,
            ..Default::default()
        },
    )?;
    let number = |name: &str| -> Result<Option<u64>> {
        match c.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_number()
                .and_then(|n| n.as_f64().is_finite().then(|| n.as_f64()))
                .filter(|f| *f >= 0.0)
                .map(|f| {
                    // NumericDate may carry a fraction; whole seconds are what we report.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let secs = f as u64;
                    Some(secs)
                })
                .ok_or_else(|| err!(InvalidClaim, "claim {} must be a non-negative number", name)),
        }
    };
    let issued_at = number("iat")?;
    let not_before = number("nbf")?;
    let expires_at = number("exp")?.ok_or_else(|| err!(MissingClaim, "the passport has no exp"))?;
    let (start, from, leeway) = match (issued_at, not_before) {
        (Some(iat), _) => (iat, "iat", 0),
        (None, Some(nbf)) => (nbf, "nbf", 0),
        (None, None) => (options.now, "now", options.leeway),
    };
    let lifetime = expires_at.saturating_sub(start);
    if lifetime > options.max_lifetime.saturating_add(leeway) {
        return Err(err!(
            LifetimeTooLong,
            "the passport is valid for {} s after {}; this verifier accepts at most {} s \
             (max_lifetime)",
            lifetime,
            from,
            options.max_lifetime
        ));
    }
    if let Some(max_age) = options.max_age {
        // Without iat a passport's age is unknown, so a verifier with a maximum age refuses it.
        let iat = issued_at.ok_or_else(|| {
            err!(
                MissingClaim,
                "the passport has no iat, so its age is unknown"
            )
        })?;
        if options.now.saturating_sub(iat) > max_age.saturating_add(options.leeway) {
            return Err(err!(
                TokenExpired,
                "the passport is older than the accepted {} seconds",
                max_age
            ));
        }
    }

    match c.get("cnf").map(|cnf| cnf.get("jwk")) {
        None if self_issued => {}
        None => {
            return Err(err!(
                MissingClaim,
                "an issuer-signed passport binds the server key in cnf.jwk"
            ))
        }
        // The common case, compared without decoding a key: exactly the subject's JWK.
        Some(Some(jwk)) if is_jwk_of(jwk, &subject_key) => {}
        Some(Some(jwk)) => {
            let bound = VerifyingKey::from_jwk_value(jwk).map_err(|e| {
                err!(
                    InvalidClaim,
                    "cnf.jwk is not a valid Ed25519 public JWK: {}",
                    e.message()
                )
            })?;
            if bound != subject_key {
                return Err(err!(
                    KeyMismatch,
                    "cnf.jwk is not the key of the subject {}",
                    sub
                ));
            }
        }
        Some(None) => {
            return Err(err!(
                InvalidClaim,
                "cnf must be an object with a jwk member"
            ))
        }
    }
    let mcp = match c.get("mcp") {
        None => None,
        Some(m) => Some(mcp_info(m)?),
    };
    if let Some(expected) = options.subject {
        if *expected != subject_key {
            return Err(err!(
                SubjectMismatch,
                "the passport is for {}, not the expected server {}",
                sub,
                expected.to_did_key()
            ));
        }
    }
    let jti = string_claim(c, "jti")?;
    let level = match c.get("level") {
        None => None,
        Some(v) => Some(
            v.as_number()
                .and_then(crate::json::Number::as_u64)
                .and_then(|l| u8::try_from(l).ok())
                .filter(|l| (1..=4).contains(l))
                .ok_or_else(|| err!(InvalidClaim, "claim level must be an integer 1–4"))?,
        ),
    };
    for list in options.revocations {
        list.check_key(&subject_key)?;
        list.check_did(&sub)?;
        list.check_key(&issuer_key)?;
        // A passport id is unique only within its issuer: another issuer's list naming the
        // same jti is about another passport.
        if let Some(j) = jti.as_ref().filter(|_| list.issuer() == iss) {
            list.check_jti(j)?;
        }
    }
    let audience = match c.get("aud") {
        Some(Value::String(a)) => alloc::vec![a.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    };
    Ok(Passport {
        issuer: iss,
        subject: sub,
        subject_key,
        issuer_key,
        self_issued,
        audience,
        issued_at,
        not_before,
        expires_at,
        jti,
        mcp,
        level,
    })
}

/// Whether `jwk` is a public OKP Ed25519 JWK whose `x` is `key` (other members as
/// [`VerifyingKey::from_jwk`] allows are ignored there too; `d` is not allowed).
fn is_jwk_of(jwk: &Value, key: &VerifyingKey) -> bool {
    jwk.get("kty").and_then(Value::as_str) == Some("OKP")
        && jwk.get("crv").and_then(Value::as_str) == Some("Ed25519")
        && jwk.get("d").is_none()
        && matches!(jwk.get("alg"), None | Some(Value::String(_)))
        && jwk
            .get("alg")
            .and_then(Value::as_str)
            .is_none_or(|a| a == "EdDSA" || a == "Ed25519")
        && jwk
            .get("use")
            .and_then(Value::as_str)
            .is_none_or(|u| u == "sig")
        && matches!(jwk.get("use"), None | Some(Value::String(_)))
        && jwk.get("x").and_then(Value::as_str)
            == Some(crate::encoding::base64url_encode(key.as_bytes()).as_str())
}

fn string_claim(c: &Object, name: &str) -> Result<Option<String>> {
    match c.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(err!(InvalidClaim, "claim {} must be a string", name)),
    }
}

fn mcp_info(m: &Value) -> Result<McpInfo> {
    let bad = |what: &str| err!(InvalidClaim, "the mcp claim's {} has the wrong type", what);
    let o = m.as_object().ok_or_else(|| bad("value"))?;
    let name = o
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("name"))?;
    let opt_str = |k: &str| -> Result<Option<String>> {
        match o.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(k)),
        }
    };
    let endpoints = match o.get("endpoints") {
        None => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|e| e.as_str().map(String::from).ok_or_else(|| bad("endpoints")))
            .collect::<Result<_>>()?,
        Some(_) => return Err(bad("endpoints")),
    };
    Ok(McpInfo {
        name: String::from(name),
        version: opt_str("version")?,
        endpoints,
        tools_hash: opt_str("toolsHash")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revocation::{self, Entry};
    use crate::ErrorCode;

    const NOW: u64 = 1_800_000_000;

    fn mcp() -> McpInfo {
        McpInfo {
            name: "srv".into(),
            version: Some("1".into()),
            endpoints: alloc::vec!["https://a".into()],
            tools_hash: None,
        }
    }

    #[test]
    fn issuer_signed_passport_needs_a_trusted_issuer_and_binds_the_key() {
        let reg = SigningKey::from_bytes(&[9; 32]);
        let server = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let token = issue(
            &reg,
            "https://reg",
            Some("k1"),
            &server,
            &mcp(),
            &IssueOptions {
                now: NOW,
                jti: Some("p1"),
                ..Default::default()
            },
        );
        let trusted = [TrustedIssuer::new("https://reg", reg.verifying_key())];
        let opts = VerifyOptions {
            now: NOW,
            issuers: &trusted,
            ..Default::default()
        };
        let p = verify(&token, &opts).unwrap();
        assert!(!p.self_issued);
        assert_eq!(p.subject_key, server);
        assert_eq!(p.mcp, Some(mcp()));
        assert_eq!(
            verify(
                &token,
                &VerifyOptions {
                    now: NOW,
                    ..Default::default()
                }
            )
            .unwrap_err()
            .code(),
            ErrorCode::UntrustedIssuer
        );
        let impostor = [TrustedIssuer::new(
            "https://reg",
            SigningKey::from_bytes(&[8; 32]).verifying_key(),
        )];
        assert_eq!(
            verify(
                &token,
                &VerifyOptions {
                    issuers: &impostor,
                    ..opts
                }
            )
            .unwrap_err()
            .code(),
            ErrorCode::InvalidSignature
        );
        let other = SigningKey::from_bytes(&[2; 32]).verifying_key();
        assert_eq!(
            verify(
                &token,
                &VerifyOptions {
                    subject: Some(&other),
                    ..opts
                }
            )
            .unwrap_err()
            .code(),
            ErrorCode::SubjectMismatch
        );
        let rl = revocation::issue(
            &reg,
            "https://reg",
            &[Entry::jti("p1", Some("superseded"))],
            NOW,
            None,
        );
        let lists = [RevocationList::verify(&rl, &trusted, Some(NOW)).unwrap()];
        let e = verify(
            &token,
            &VerifyOptions {
                revocations: &lists,
                ..opts
            },
        )
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Revoked);
        assert!(e.message().contains("p1"), "{e}");
    }

    #[test]
    fn self_issued_rules() {
        let server = SigningKey::from_bytes(&[1; 32]);
        let token = issue_self(
            &server,
            &mcp(),
            &IssueOptions {
                now: NOW,
                ..Default::default()
            },
        );
        let p = verify(
            &token,
            &VerifyOptions {
                now: NOW + 10,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(p.self_issued);
        let no_self = VerifyOptions {
            now: NOW,
            allow_self_issued: Some(false),
            ..Default::default()
        };
        assert_eq!(
            verify(&token, &no_self).unwrap_err().code(),
            ErrorCode::UntrustedIssuer
        );
        let old = VerifyOptions {
            now: NOW + 3600,
            max_age: Some(600),
            ..Default::default()
        };
        assert_eq!(
            verify(&token, &old).unwrap_err().code(),
            ErrorCode::TokenExpired
        );
        let expired = VerifyOptions {
            now: NOW + DEFAULT_PASSPORT_TTL + 61,
            ..Default::default()
        };
        assert_eq!(
            verify(&token, &expired).unwrap_err().code(),
            ErrorCode::TokenExpired
        );
        // A passport signed by another key than its own DID names.
        let forger = SigningKey::from_bytes(&[2; 32]);
        let mut c = claims(
            &server.verifying_key().to_did_key(),
            &server.verifying_key().to_did_key(),
            None,
            &mcp(),
            &IssueOptions {
                now: NOW,
                ..Default::default()
            },
        );
        c.insert("jti", Value::from("x"));
        let forged = jws::sign(&forger, Some(PASSPORT_TYP), None, &c);
        assert_eq!(
            verify(
                &forged,
                &VerifyOptions {
                    now: NOW,
                    ..Default::default()
                }
            )
            .unwrap_err()
            .code(),
            ErrorCode::InvalidSignature
        );
        let wrong_typ = jws::sign(&server, Some("JWT"), None, &c);
        assert_eq!(
            verify(
                &wrong_typ,
                &VerifyOptions {
                    now: NOW,
                    ..Default::default()
                }
            )
            .unwrap_err()
            .code(),
            ErrorCode::WrongTokenType
        );
    }
}

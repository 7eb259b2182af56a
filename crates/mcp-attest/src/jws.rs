//! Strict compact JWS (RFC 7515) with EdDSA, and the registered-claim checks of JWT
//! (RFC 7519). The passport and the tools manifest are built on it; third-party EdDSA tokens
//! can be checked with it too.
//!
//! Verification is two steps, in the order that makes each failure report its first cause:
//! [`parse`] checks size, structure, base64url, JSON, `alg` and `crit`; then
//! [`UnverifiedJws::verify`] checks the signature with a key *the caller* supplies. Keys named
//! in the header (`jwk`, `jku`, `x5u`, `x5c`, `kid`) are never used to find a key. Last,
//! [`check_claims`] applies the time and audience rules.
//!
//! Policy: `alg` is `EdDSA` or `Ed25519` (RFC 9864) and nothing else — there is no HMAC path,
//! so no algorithm confusion; any `crit` and `b64: false` are refused; header and payload are
//! I-JSON objects (no duplicate names, no lone surrogates, depth ≤ 64); base64url is unpadded
//! and canonical.
//!
//! ```
//! use mcp_attest::{jws, json::{Object, Value}, SigningKey};
//! let sk = SigningKey::from_bytes(&[7u8; 32]);
//! let mut claims = Object::new();
//! claims.insert("aud", Value::from("https://mcp.example.com"));
//! claims.insert("exp", Value::Number(mcp_attest::json::Number::from_i64(2_000_000_000).unwrap()));
//! let token = jws::sign(&sk, Some("example+jwt"), None, &claims);
//! let verified = jws::parse(&token, jws::MAX_TOKEN_BYTES).unwrap().verify(&sk.verifying_key()).unwrap();
//! let rules = jws::ClaimRules { now: 1_900_000_000, audience: Some("https://mcp.example.com"), ..Default::default() };
//! jws::check_claims(&verified.claims, &rules).unwrap();
//! ```

use alloc::string::String;

use crate::encoding;
use crate::error::{err, excerpt, Error, Result};
use crate::json::{self, Limits, Object, Value};
use crate::keys::{Signature, SigningKey, VerifyingKey, SIGNATURE_LENGTH};
use crate::signer::{infallible, Checked, Sign, Signer};

/// Default largest token accepted (8 KiB), checked before any decoding.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// Deepest JSON nesting accepted in a header or payload.
pub const MAX_JSON_DEPTH: usize = 64;
/// Default clock-skew allowance in seconds.
pub const DEFAULT_LEEWAY: u64 = 60;

/// A JWS whose structure, `alg` and `crit` were checked, but whose signature was not.
#[derive(Debug)]
pub struct UnverifiedJws<'a> {
    header: Object,
    payload: Object,
    signing_input: &'a str,
    signature: alloc::vec::Vec<u8>,
}

/// A JWS whose signature verified under the caller's key.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedJws {
    /// The protected header.
    pub header: Object,
    /// The payload (claims).
    pub claims: Object,
}

/// Parses a compact JWS and checks everything that needs no key.
///
/// # Errors
/// `input_too_large`, `malformed_token` (segments, non-object JSON), `invalid_base64`, JSON
/// errors (`invalid_json`, `duplicate_key`, `invalid_unicode`, `json_too_deep`),
/// `unsupported_algorithm`, `unsupported_critical`.
pub fn parse(token: &str, max_bytes: usize) -> Result<UnverifiedJws<'_>> {
    if token.len() > max_bytes {
        return Err(err!(
            InputTooLarge,
            "token is {} bytes; the limit is {}",
            token.len(),
            max_bytes
        ));
    }
    let mut parts = token.splitn(4, '.');
    let (h, p, s) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) => (h, p, s),
        _ => {
            return Err(err!(
                MalformedToken,
                "a compact JWS has exactly three base64url segments separated by '.'"
            ))
        }
    };
    let signing_input = token.get(..h.len() + 1 + p.len()).unwrap_or_default();
    let header_bytes = segment(h, "header")?;
    let payload_bytes = segment(p, "payload")?;
    let signature = segment(s, "signature")?;
    let limits = Limits {
        max_bytes,
        max_depth: MAX_JSON_DEPTH,
    };
    let header = into_object(json::parse_bytes(&header_bytes, limits)?, "header")?;
    let payload = into_object(json::parse_bytes(&payload_bytes, limits)?, "payload")?;

    match header.get("alg") {
        Some(Value::String(a)) if a == "EdDSA" || a == "Ed25519" => {}
        Some(Value::String(a)) => {
            return Err(err!(
                UnsupportedAlgorithm,
                "alg {:?} is not accepted; only EdDSA and Ed25519 are",
                excerpt(a)
            ))
        }
        Some(_) => return Err(err!(UnsupportedAlgorithm, "alg must be a string")),
        None => return Err(err!(UnsupportedAlgorithm, "the header has no alg")),
    }
    if header.get("crit").is_some() {
        return Err(err!(
            UnsupportedCritical,
            "the header has crit; no JWS extensions are understood"
        ));
    }
    if header.get("b64").is_some() {
        return Err(err!(
            UnsupportedCritical,
            "b64 (RFC 7797 unencoded payload) is not supported"
        ));
    }
    Ok(UnverifiedJws {
        header,
        payload,
        signing_input,
        signature,
    })
}

impl UnverifiedJws<'_> {
    /// The protected header (not yet authenticated).
    #[must_use]
    pub fn header(&self) -> &Object {
        &self.header
    }

    /// The payload (not yet authenticated): for choosing a key by `iss`, never for trusting.
    #[must_use]
    pub fn unverified_claims(&self) -> &Object {
        &self.payload
    }

    /// Checks the signature under `key` (strict Ed25519).
    ///
    /// # Errors
    /// `invalid_signature` (also for a signature that is not 64 bytes).
    pub fn verify(self, key: &VerifyingKey) -> Result<VerifiedJws> {
        self.check_signature(key)?;
        Ok(VerifiedJws {
            header: self.header,
            claims: self.payload,
        })
    }

    /// Checks the signature under `key` without consuming the token.
    ///
    /// # Errors
    /// `invalid_signature`.
    pub fn check_signature(&self, key: &VerifyingKey) -> Result<()> {
        if self.signature.len() != SIGNATURE_LENGTH {
            return Err(Error::invalid_signature());
        }
        key.verify_slice(self.signing_input.as_bytes(), &self.signature)
    }

    /// Verifies under the first of `keys` the signature matches (the keys of one trusted
    /// issuer, in turn), and returns that key too.
    ///
    /// # Errors
    /// `invalid_signature` when none does.
    pub fn verify_any<'k>(
        self,
        keys: impl IntoIterator<Item = &'k VerifyingKey>,
    ) -> Result<(VerifiedJws, VerifyingKey)> {
        for key in keys {
            if self.check_signature(key).is_ok() {
                let key = *key;
                return Ok((
                    VerifiedJws {
                        header: self.header,
                        claims: self.payload,
                    },
                    key,
                ));
            }
        }
        Err(Error::invalid_signature())
    }

    /// Checks that the header's `typ` is `expected` (compared case-insensitively, as RFC 7515
    /// §4.1.9 advises for media types).
    ///
    /// # Errors
    /// `wrong_token_type`.
    pub fn expect_typ(&self, expected: &str) -> Result<()> {
        match self.header.get("typ") {
            Some(Value::String(t)) if t.eq_ignore_ascii_case(expected) => Ok(()),
            Some(Value::String(t)) => Err(err!(
                WrongTokenType,
                "typ is {:?}; expected {:?}",
                excerpt(t),
                expected
            )),
            _ => Err(err!(
                WrongTokenType,
                "the header has no typ; expected {:?}",
                expected
            )),
        }
    }
}

/// Signs `claims` as a compact JWS with `alg: EdDSA` and the given `typ` and `kid`. Header and
/// payload are serialised in RFC 8785 canonical form, so the same inputs always give the same
/// token in every language.
#[must_use]
pub fn sign(key: &SigningKey, typ: Option<&str>, kid: Option<&str>, claims: &Object) -> String {
    infallible(sign_by(key, typ, kid, claims))
}

/// [`sign`] with any [`Signer`] (a key in a KMS, an HSM, a keychain); the signature is
/// verified under the signer's public key before it is used.
///
/// # Errors
/// The signer's error, or `signer_failed`.
pub fn sign_with<S: Signer + ?Sized>(
    signer: &S,
    typ: Option<&str>,
    kid: Option<&str>,
    claims: &Object,
) -> Result<String> {
    sign_by(&Checked(signer), typ, kid, claims)
}

pub(crate) fn sign_by<K: Sign>(
    key: &K,
    typ: Option<&str>,
    kid: Option<&str>,
    claims: &Object,
) -> core::result::Result<String, K::Error> {
    let mut header = Object::new();
    header.insert("alg", Value::from("EdDSA"));
    if let Some(t) = typ {
        header.insert("typ", Value::from(t));
    }
    if let Some(k) = kid {
        header.insert("kid", Value::from(k));
    }
    let mut token = encoding::base64url_encode(Value::Object(header).to_jcs().as_bytes());
    token.push('.');
    let mut payload = String::new();
    Value::Object(claims.clone()).write_jcs(&mut payload);
    token.push_str(&encoding::base64url_encode(payload.as_bytes()));
    let sig: Signature = key.sign_bytes(token.as_bytes())?;
    token.push('.');
    token.push_str(&sig.to_base64url());
    Ok(token)
}

/// The time and audience rules of [`check_claims`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimRules<'a> {
    /// The verifier's clock, Unix seconds.
    pub now: u64,
    /// Allowed clock skew in seconds (default 60).
    pub leeway: u64,
    /// The audience this verifier is. `Some`: `aud` is required and must equal it or, as an
    /// array, contain it (exact code-point comparison). `None`: a token with `aud` is refused
    /// (RFC 7519 §4.1.3: a recipient that does not identify itself with the audience must
    /// reject).
    pub audience: Option<&'a str>,
    /// Whether `exp` is required (default true).
    pub require_exp: bool,
    /// The largest accepted `exp − iat` span, if any.
    pub max_lifetime: Option<u64>,
}

impl Default for ClaimRules<'_> {
    fn default() -> Self {
        ClaimRules {
            now: 0,
            leeway: DEFAULT_LEEWAY,
            audience: None,
            require_exp: true,
            max_lifetime: None,
        }
    }
}

/// Checks the registered claims: types first (a wrongly typed claim is an error, never
/// treated as absent), then `exp`, `nbf`, `iat`, then `aud`.
///
/// # Errors
/// `invalid_claim`, `missing_claim`, `token_expired`, `token_not_yet_valid`,
/// `token_issued_in_future`, `audience_mismatch`.
pub fn check_claims(claims: &Object, rules: &ClaimRules<'_>) -> Result<()> {
    let exp = numeric_date(claims, "exp")?;
    let nbf = numeric_date(claims, "nbf")?;
    let iat = numeric_date(claims, "iat")?;
    for name in ["iss", "sub", "jti"] {
        if let Some(v) = claims.get(name) {
            if v.as_str().is_none() {
                return Err(err!(InvalidClaim, "claim {} must be a string", name));
            }
        }
    }
    let aud = audience(claims)?;

    // Compared in f64: NumericDate may have a fraction, and u64 → f64 is exact far beyond
    // any real timestamp.
    #[allow(clippy::cast_precision_loss)]
    let (now, skew) = (rules.now as f64, rules.leeway as f64);
    match exp {
        Some(exp) if now >= exp + skew => {
            return Err(err!(TokenExpired, "the token has expired (exp)"))
        }
        Some(_) => {}
        None if rules.require_exp => return Err(err!(MissingClaim, "the token has no exp")),
        None => {}
    }
    if let Some(nbf) = nbf {
        if nbf > now + skew {
            return Err(err!(TokenNotYetValid, "the token is not valid yet (nbf)"));
        }
    }
    if let Some(iat) = iat {
        if iat > now + skew {
            return Err(err!(
                TokenIssuedInFuture,
                "the token was issued in the future (iat)"
            ));
        }
    }
    if let (Some(max), Some(exp), Some(iat)) = (rules.max_lifetime, exp, iat) {
        #[allow(clippy::cast_precision_loss)]
        if exp - iat > max as f64 {
            return Err(err!(
                InvalidClaim,
                "the token lives longer than the allowed {} seconds",
                max
            ));
        }
    }
    match (rules.audience, aud) {
        (Some(expected), Some(list)) => {
            if !list.contains(&expected) {
                return Err(err!(
                    AudienceMismatch,
                    "the token is not for audience {:?}",
                    excerpt(expected)
                ));
            }
        }
        (Some(_), None) => return Err(err!(MissingClaim, "the token has no aud")),
        (None, Some(_)) => {
            return Err(err!(
                AudienceMismatch,
                "the token names an audience but this verifier was given none to match"
            ))
        }
        (None, None) => {}
    }
    Ok(())
}

fn numeric_date(claims: &Object, name: &str) -> Result<Option<f64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(Some(n.as_f64())),
        Some(_) => Err(err!(
            InvalidClaim,
            "claim {} must be a number (seconds since 1970)",
            name
        )),
    }
}

fn audience(claims: &Object) -> Result<Option<alloc::vec::Vec<&str>>> {
    match claims.get("aud") {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(alloc::vec![s.as_str()])),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| err!(InvalidClaim, "every aud entry must be a string"))
            })
            .collect::<Result<_>>()
            .map(Some),
        Some(_) => Err(err!(
            InvalidClaim,
            "claim aud must be a string or an array of strings"
        )),
    }
}

fn segment(text: &str, what: &str) -> Result<alloc::vec::Vec<u8>> {
    encoding::base64url_decode(text).map_err(|_| {
        err!(
            InvalidBase64,
            "the JWS {} is not canonical unpadded base64url",
            what
        )
    })
}

fn into_object(v: Value, what: &str) -> Result<Object> {
    match v {
        Value::Object(o) => Ok(o),
        _ => Err(err!(
            MalformedToken,
            "the JWS {} must be a JSON object",
            what
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Number;
    use crate::ErrorCode;

    fn claims(exp: i64) -> Object {
        let mut c = Object::new();
        c.insert("exp", Value::Number(Number::from_i64(exp).unwrap()));
        c
    }

    #[test]
    fn sign_then_verify_and_tamper() {
        let sk = SigningKey::from_bytes(&[9; 32]);
        let token = sign(&sk, Some("t+jwt"), Some("k"), &claims(100));
        let v = parse(&token, MAX_TOKEN_BYTES).unwrap();
        v.expect_typ("T+JWT").unwrap();
        assert_eq!(
            v.expect_typ("other").unwrap_err().code(),
            ErrorCode::WrongTokenType
        );
        let verified = v.verify(&sk.verifying_key()).unwrap();
        assert_eq!(
            verified.header.get("kid").and_then(Value::as_str),
            Some("k")
        );
        let other = SigningKey::from_bytes(&[8; 32]).verifying_key();
        let e = parse(&token, MAX_TOKEN_BYTES)
            .unwrap()
            .verify(&other)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidSignature);
    }

    #[test]
    fn claim_rules() {
        let rules = ClaimRules {
            now: 100,
            leeway: 0,
            ..Default::default()
        };
        assert_eq!(
            check_claims(&claims(100), &rules).unwrap_err().code(),
            ErrorCode::TokenExpired
        );
        assert!(check_claims(&claims(101), &rules).is_ok());
        let with_skew = ClaimRules {
            leeway: 60,
            ..rules
        };
        assert!(check_claims(&claims(41), &with_skew).is_ok());
        assert_eq!(
            check_claims(&Object::new(), &rules).unwrap_err().code(),
            ErrorCode::MissingClaim
        );
        let mut c = claims(200);
        c.insert("aud", Value::from("a"));
        assert_eq!(
            check_claims(&c, &rules).unwrap_err().code(),
            ErrorCode::AudienceMismatch
        );
        assert!(check_claims(
            &c,
            &ClaimRules {
                audience: Some("a"),
                ..rules
            }
        )
        .is_ok());
        assert_eq!(
            check_claims(
                &c,
                &ClaimRules {
                    audience: Some("b"),
                    ..rules
                }
            )
            .unwrap_err()
            .code(),
            ErrorCode::AudienceMismatch
        );
        c.insert("iat", Value::from("0"));
        assert_eq!(
            check_claims(&c, &rules).unwrap_err().code(),
            ErrorCode::InvalidClaim
        );
    }
}

//! Verify-only readers of two schemes our users meet next to ours (spec §21): AI Identity
//! passports and CapiscIO trust badges. Each keeps its own token rules (lifetime, audience,
//! levels); keys always come from the caller (a JWKS, a trusted issuer), never from the token.
//! Both use EdDSA in practice; a token in another algorithm (CapiscIO allows ES256) is refused
//! with `unsupported_algorithm` — we read the schemes, we do not grow the core's algorithms.
//!
//! ```
//! use mcp_attest::interop::{capiscio_level, find_ai_identity_passport};
//! assert_eq!(capiscio_level("3", 4), Some(3));
//! assert_eq!(capiscio_level("4", 3), Some(3)); // capped at what the trust store allows
//! assert_eq!(capiscio_level("0", 4), None); // self-signed: vouches for nothing
//! let init = r#"{"_meta":{"x-ai-identity":{"id":"aii_1","passport":"a.b.c"}}}"#;
//! assert_eq!(find_ai_identity_passport(init).unwrap().as_deref(), Some("a.b.c"));
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::{err, excerpt, Result};
use crate::issuer::{self, TrustedIssuer};
use crate::json::{self, Object, Value};
use crate::jws::{self, ClaimRules};
use crate::keys::VerifyingKey;

/// The initialize-result member AI Identity's MCP binding puts its passport under.
pub const AI_IDENTITY_META_KEY: &str = "x-ai-identity";
/// The HTTP header AI Identity's MCP binding sends its passport in.
pub const AI_IDENTITY_HEADER: &str = "X-AI-Identity";
/// The fixed `aud` of AI Identity passports.
pub const AI_IDENTITY_AUDIENCE: &str = "verifier";
/// AI Identity's tiers, weakest first.
pub const AI_IDENTITY_TIERS: &[&str] = &[
    "issued",
    "identity_verified",
    "creator_verified",
    "business_verified",
];
/// The HTTP header CapiscIO servers disclose their badge in (RFC-007).
pub const CAPISCIO_SERVER_BADGE_HEADER: &str = "Capiscio-Server-Badge";

fn claim_str<'a>(c: &'a Object, name: &str) -> Result<&'a str> {
    match c.get(name) {
        Some(Value::String(s)) => Ok(s.as_str()),
        Some(_) => Err(err!(InvalidClaim, "claim {} must be a string", name)),
        None => Err(err!(MissingClaim, "the token has no {}", name)),
    }
}

fn opt_claim_str(c: &Object, name: &str) -> Result<Option<String>> {
    match c.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(err!(InvalidClaim, "claim {} must be a string", name)),
    }
}

fn claim_strings(c: &Object, name: &str) -> Result<Vec<String>> {
    match c.get(name) {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(String::from)
                    .ok_or_else(|| err!(InvalidClaim, "claim {} must be an array of strings", name))
            })
            .collect(),
        Some(_) => Err(err!(
            InvalidClaim,
            "claim {} must be an array of strings",
            name
        )),
    }
}

fn seconds(c: &Object, name: &str) -> Result<u64> {
    c.get(name)
        .and_then(Value::as_number)
        .and_then(|n| {
            let f = n.as_f64();
            (f.is_finite() && f >= 0.0).then_some(f)
        })
        .map(|f| {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let s = f as u64;
            s
        })
        .ok_or_else(|| err!(MissingClaim, "the token has no numeric {}", name))
}

/// A `typ` header, when present, is `JWT` (both schemes issue plain JWTs).
fn expect_jwt_typ(header: &Object) -> Result<()> {
    match header.get("typ") {
        None => Ok(()),
        Some(Value::String(t)) if t.eq_ignore_ascii_case("JWT") => Ok(()),
        Some(_) => Err(err!(WrongTokenType, "the token's typ is not JWT")),
    }
}

/// A verified AI Identity passport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AiIdentityPassport {
    /// `iss`: the registry.
    pub issuer: String,
    /// `sub`: the AI identity id (`aii_…`).
    pub subject: String,
    /// `tier`, one of [`AI_IDENTITY_TIERS`].
    pub tier: String,
    /// `operator`, if given.
    pub operator: Option<String>,
    /// `key_id`, if given.
    pub key_id: Option<String>,
    /// `capabilities`.
    pub capabilities: Vec<String>,
    /// `surfaces` (where the identity is verified, e.g. `mcp://host/path`).
    pub surfaces: Vec<String>,
    /// `iat`.
    pub issued_at: u64,
    /// `exp`.
    pub expires_at: u64,
}

impl AiIdentityPassport {
    /// Canonical JSON of the passport's fields, for bindings.
    #[must_use]
    pub fn to_json(&self) -> String {
        let strings =
            |v: &[String]| Value::Array(v.iter().map(|s| Value::from(s.as_str())).collect());
        let mut o = Object::new();
        o.insert("issuer", Value::from(self.issuer.as_str()));
        o.insert("subject", Value::from(self.subject.as_str()));
        o.insert("tier", Value::from(self.tier.as_str()));
        o.insert(
            "operator",
            self.operator.as_deref().map_or(Value::Null, Value::from),
        );
        o.insert(
            "keyId",
            self.key_id.as_deref().map_or(Value::Null, Value::from),
        );
        o.insert("capabilities", strings(&self.capabilities));
        o.insert("surfaces", strings(&self.surfaces));
        o.insert("issuedAt", Value::from_u64(self.issued_at));
        o.insert("expiresAt", Value::from_u64(self.expires_at));
        Value::Object(o).to_jcs()
    }
}

/// Verifies an AI Identity passport under `registry` (its id is the `iss` the passport must
/// carry, e.g. `https://aiidentity.org`, and its keys come from the JWKS the caller fetched).
///
/// Their rules, not ours: `aud` is the fixed string `verifier`; `exp` and `iat` are required
/// and checked with 60 s of skew; lifetimes of a year are normal, so no maximum lifetime is
/// applied. The key is the one whose `kid` matches the header's `kid`, else the `key_id`
/// claim, else any of the registry's keys.
///
/// # Errors
/// JWS errors (`malformed_token`, `unsupported_algorithm`, …), `wrong_token_type`,
/// `untrusted_issuer`, `invalid_signature`, `missing_claim`, `invalid_claim` (an unknown
/// tier), `token_expired`, `token_not_yet_valid`, `token_issued_in_future`,
/// `audience_mismatch`.
pub fn verify_ai_identity_passport(
    token: &str,
    registry: &TrustedIssuer,
    now: u64,
) -> Result<AiIdentityPassport> {
    let parsed = jws::parse(token, jws::MAX_TOKEN_BYTES)?;
    expect_jwt_typ(parsed.header())?;
    let c = parsed.unverified_claims();
    let iss = claim_str(c, "iss")?.to_string();
    if iss != registry.id() {
        return Err(err!(
            UntrustedIssuer,
            "the passport is from {:?}, not the registry given",
            excerpt(&iss)
        ));
    }
    let kid = parsed
        .header()
        .get("kid")
        .or_else(|| c.get("key_id"))
        .and_then(Value::as_str)
        .map(String::from);
    let keys = issuer::candidates(core::slice::from_ref(registry), &iss, kid.as_deref())
        .ok_or_else(|| err!(UntrustedIssuer, "the registry has no key for this passport"))?;
    let (v, _) = parsed.verify_any(keys)?;
    let c = &v.claims;
    jws::check_claims(
        c,
        &ClaimRules {
            now,
            audience: Some(AI_IDENTITY_AUDIENCE),
            ..Default::default()
        },
    )?;
    let tier = claim_str(c, "tier")?;
    if !AI_IDENTITY_TIERS.contains(&tier) {
        return Err(err!(
            InvalidClaim,
            "unknown AI Identity tier {:?}",
            excerpt(tier)
        ));
    }
    Ok(AiIdentityPassport {
        issuer: iss,
        subject: claim_str(c, "sub")?.to_string(),
        tier: tier.to_string(),
        operator: opt_claim_str(c, "operator")?,
        key_id: opt_claim_str(c, "key_id")?,
        capabilities: claim_strings(c, "capabilities")?,
        surfaces: claim_strings(c, "surfaces")?,
        issued_at: seconds(c, "iat")?,
        expires_at: seconds(c, "exp")?,
    })
}

/// The AI Identity passport an initialize result carries, if any: under
/// `_meta["x-ai-identity"].passport` or (as their snippets write it) `metadata["x-ai-identity"]`.
///
/// # Errors
/// JSON errors; `invalid_claim` when the member is there but not `{…, "passport": string}`.
pub fn find_ai_identity_passport(initialize_result_json: &str) -> Result<Option<String>> {
    let v = json::parse(initialize_result_json)?;
    let found = ["_meta", "metadata"]
        .iter()
        .find_map(|m| v.get(m).and_then(|o| o.get(AI_IDENTITY_META_KEY)));
    match found {
        None | Some(Value::Null) => Ok(None),
        Some(o) => match o.get("passport") {
            Some(Value::String(p)) => Ok(Some(p.clone())),
            _ => Err(err!(
                InvalidClaim,
                "x-ai-identity has no string passport member"
            )),
        },
    }
}

/// Maps a CapiscIO level (a string `"0"`–`"4"`, compared as text as RFC-002 requires) onto
/// our scale (spec §20.1), capped at `max_level`: 1 Registered → 1, 2 Domain Validated → 2,
/// 3 Organization Validated → 3, 4 Extended Validated → 4. Level `"0"` (self-signed) vouches
/// for nothing (`None`); an unknown string is `None` too.
#[must_use]
pub fn capiscio_level(level: &str, max_level: u8) -> Option<u8> {
    let ours = match level {
        "1" => 1,
        "2" => 2,
        "3" => 3,
        "4" => 4,
        _ => return None,
    };
    let capped = core::cmp::min(ours, max_level);
    (capped > 0).then_some(capped)
}

/// A verified CapiscIO trust badge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapiscioBadge {
    /// `iss`.
    pub issuer: String,
    /// `sub`: the agent's or server's DID.
    pub subject: String,
    /// `jti`.
    pub jti: String,
    /// `aud` (always an array in a badge).
    pub audience: Vec<String>,
    /// `iat`.
    pub issued_at: u64,
    /// `exp`.
    pub expires_at: u64,
    /// `ial`: `"0"` account-attested or `"1"` proof of possession.
    pub ial: String,
    /// Their level, as the string it is (`vc.credentialSubject.level`).
    pub level: String,
    /// `vc.credentialSubject.domain`, if any.
    pub domain: Option<String>,
    /// The subject's key (`key`).
    pub key: VerifyingKey,
    /// Our level the issuer vouches for ([`capiscio_level`], capped by the trust store).
    pub vouched: Option<u8>,
}

impl CapiscioBadge {
    /// Canonical JSON of the badge's fields, for bindings.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut o = Object::new();
        o.insert("issuer", Value::from(self.issuer.as_str()));
        o.insert("subject", Value::from(self.subject.as_str()));
        o.insert("jti", Value::from(self.jti.as_str()));
        o.insert(
            "audience",
            Value::Array(
                self.audience
                    .iter()
                    .map(|s| Value::from(s.as_str()))
                    .collect(),
            ),
        );
        o.insert("issuedAt", Value::from_u64(self.issued_at));
        o.insert("expiresAt", Value::from_u64(self.expires_at));
        o.insert("ial", Value::from(self.ial.as_str()));
        o.insert("level", Value::from(self.level.as_str()));
        o.insert(
            "domain",
            self.domain.as_deref().map_or(Value::Null, Value::from),
        );
        o.insert("did", Value::from(self.key.to_did_key()));
        o.insert(
            "vouched",
            self.vouched
                .map_or(Value::Null, |l| Value::from_u64(u64::from(l))),
        );
        Value::Object(o).to_jcs()
    }
}

/// Verifies a CapiscIO trust badge (RFC-002 §8.1, offline steps).
///
/// Their rules: `alg` EdDSA; `aud` must be an array (a string is refused) and, when this
/// verifier names its `audience`, contain it; `jti`, `iss`, `sub`, `iat`, `exp`, `ial`,
/// `key` and `vc.credentialSubject.level` are required; 60 s of skew; no lifetime maximum of
/// ours (their issuers use 5 minutes). Level `"0"` is self-signed: `iss` = `sub` = a did:key
/// whose key signed the badge. Other levels need `iss` among `issuers` (keys by `kid`). With
/// `ial` `"1"`, `cnf.kid` must name the key in `key`: a did:key URL is compared here; a
/// did:web needs a resolver and is refused (`unsupported_did_method`). Revocation and agent
/// status are online checks against the issuer and are the caller's.
///
/// # Errors
/// JWS errors (ES256 badges: `unsupported_algorithm`), `wrong_token_type`, `missing_claim`,
/// `invalid_claim`, `untrusted_issuer`, `invalid_signature`, `token_expired`,
/// `token_not_yet_valid`, `token_issued_in_future`, `audience_mismatch`, `key_mismatch`,
/// `subject_mismatch`, did:key errors, `unsupported_did_method`.
pub fn verify_capiscio_badge(
    token: &str,
    issuers: &[TrustedIssuer],
    audience: Option<&str>,
    now: u64,
) -> Result<CapiscioBadge> {
    let parsed = jws::parse(token, jws::MAX_TOKEN_BYTES)?;
    expect_jwt_typ(parsed.header())?;
    let c = parsed.unverified_claims();
    let iss = claim_str(c, "iss")?.to_string();
    let sub = claim_str(c, "sub")?.to_string();
    let level = c
        .get("vc")
        .and_then(|vc| vc.get("credentialSubject"))
        .and_then(|s| s.get("level"))
        .ok_or_else(|| err!(MissingClaim, "the badge has no vc.credentialSubject.level"))?
        .as_str()
        .ok_or_else(|| err!(InvalidClaim, "a badge level is a string \"0\"–\"4\""))?
        .to_string();
    if !["0", "1", "2", "3", "4"].contains(&level.as_str()) {
        return Err(err!(InvalidClaim, "a badge level is a string \"0\"–\"4\""));
    }
    let key_jwk = c
        .get("key")
        .ok_or_else(|| err!(MissingClaim, "the badge has no key"))?;
    let key = VerifyingKey::from_jwk_value(key_jwk).map_err(|e| {
        err!(
            InvalidClaim,
            "the badge key is not an Ed25519 JWK: {}",
            e.message()
        )
    })?;
    let (verified, max_level) = if level == "0" {
        // Self-signed: the DID is the key, and nothing vouches for it.
        if iss != sub {
            return Err(err!(
                SubjectMismatch,
                "a level-0 badge is self-signed: iss = sub"
            ));
        }
        let did_key = VerifyingKey::from_did_key(&sub)?;
        if did_key != key {
            return Err(err!(
                KeyMismatch,
                "the badge key is not the key of its did:key"
            ));
        }
        (parsed.verify(&did_key)?, 0)
    } else {
        let kid = parsed
            .header()
            .get("kid")
            .and_then(Value::as_str)
            .map(String::from);
        let keys = issuer::candidates(issuers, &iss, kid.as_deref()).ok_or_else(|| {
            err!(
                UntrustedIssuer,
                "badge issuer {:?} is not trusted",
                excerpt(&iss)
            )
        })?;
        let max = issuers
            .iter()
            .filter(|i| i.id() == iss)
            .map(TrustedIssuer::max_level)
            .max()
            .unwrap_or(0);
        (parsed.verify_any(keys)?.0, max)
    };
    let c = &verified.claims;
    let aud = match c.get("aud") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(String::from)
                    .ok_or_else(|| err!(InvalidClaim, "aud must be an array of strings"))
            })
            .collect::<Result<Vec<_>>>()?,
        Some(_) => {
            return Err(err!(
                InvalidClaim,
                "a badge's aud must be an array (RFC-002)"
            ))
        }
        None => return Err(err!(MissingClaim, "the badge has no aud")),
    };
    if let Some(a) = audience {
        if !aud.iter().any(|x| x == a) {
            return Err(err!(
                AudienceMismatch,
                "the badge is not for {:?}",
                excerpt(a)
            ));
        }
    }
    // Their audience rule is the one above; the registered-claim checks run without one.
    let mut no_aud = c.clone();
    no_aud.remove("aud");
    jws::check_claims(
        &no_aud,
        &ClaimRules {
            now,
            ..Default::default()
        },
    )?;
    let ial = claim_str(c, "ial")?.to_string();
    match ial.as_str() {
        "0" => {}
        "1" => {
            let cnf_kid = c
                .get("cnf")
                .and_then(|v| v.get("kid"))
                .and_then(Value::as_str)
                .ok_or_else(|| err!(MissingClaim, "an ial \"1\" badge has cnf.kid"))?;
            if !cnf_kid.starts_with("did:key:") {
                return Err(err!(
                    UnsupportedDidMethod,
                    "cnf.kid {:?} needs a DID resolver (only did:key is checked offline)",
                    excerpt(cnf_kid)
                ));
            }
            if crate::did_key::parse_did_url(cnf_kid)?.key != key {
                return Err(err!(
                    KeyMismatch,
                    "cnf.kid names another key than the badge key"
                ));
            }
        }
        _ => return Err(err!(InvalidClaim, "ial is \"0\" or \"1\"")),
    }
    let domain = c
        .get("vc")
        .and_then(|vc| vc.get("credentialSubject"))
        .and_then(|s| s.get("domain"))
        .and_then(Value::as_str)
        .map(String::from);
    Ok(CapiscioBadge {
        issuer: iss,
        subject: sub,
        jti: claim_str(c, "jti")?.to_string(),
        audience: aud,
        issued_at: seconds(c, "iat")?,
        expires_at: seconds(c, "exp")?,
        vouched: capiscio_level(&level, max_level),
        ial,
        level,
        domain,
        key,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::json::Number;
    use crate::{ErrorCode, SigningKey};

    const NOW: u64 = 1_800_000_000;

    fn obj(pairs: &[(&str, Value)]) -> Object {
        let mut o = Object::new();
        for (k, v) in pairs {
            o.insert(*k, v.clone());
        }
        o
    }
    fn s(x: &str) -> Value {
        Value::from(x)
    }
    fn n(x: u64) -> Value {
        Value::from_u64(x)
    }

    fn registry() -> SigningKey {
        SigningKey::from_bytes(&[61; 32])
    }

    fn aii_claims() -> Object {
        obj(&[
            ("iss", s("https://aiidentity.org")),
            ("sub", s("aii_01H")),
            ("aud", s("verifier")),
            ("iat", n(NOW - 100)),
            ("exp", n(NOW + 365 * 86_400)),
            ("tier", s("creator_verified")),
            ("operator", s("anon")),
            ("key_id", s("k_1")),
            (
                "capabilities",
                Value::Array(alloc::vec![s("customer-support")]),
            ),
        ])
    }

    fn registry_issuer() -> TrustedIssuer {
        let jwks = alloc::format!(
            r#"{{"keys":[{}]}}"#,
            registry()
                .verifying_key()
                .to_jwk_value(Some("k_1"))
                .to_jcs()
        );
        TrustedIssuer::from_jwks("https://aiidentity.org", &jwks).unwrap()
    }

    #[test]
    fn ai_identity_passports_by_their_rules() {
        let t = jws::sign(&registry(), Some("JWT"), None, &aii_claims());
        let p = verify_ai_identity_passport(&t, &registry_issuer(), NOW).unwrap();
        assert_eq!(
            (p.subject.as_str(), p.tier.as_str()),
            ("aii_01H", "creator_verified")
        );
        // A year-long passport is theirs to issue; an expired one is refused.
        let code = |t: &str| {
            verify_ai_identity_passport(t, &registry_issuer(), NOW)
                .unwrap_err()
                .code()
        };
        let mut c = aii_claims();
        c.insert("exp", n(NOW - 61));
        assert_eq!(
            code(&jws::sign(&registry(), None, None, &c)),
            ErrorCode::TokenExpired
        );
        let mut c = aii_claims();
        c.insert("aud", s("someone"));
        assert_eq!(
            code(&jws::sign(&registry(), None, None, &c)),
            ErrorCode::AudienceMismatch
        );
        let mut c = aii_claims();
        c.insert("tier", s("god_mode"));
        assert_eq!(
            code(&jws::sign(&registry(), None, None, &c)),
            ErrorCode::InvalidClaim
        );
        let other = SigningKey::from_bytes(&[62; 32]);
        assert_eq!(
            code(&jws::sign(&other, None, None, &aii_claims())),
            ErrorCode::InvalidSignature
        );
        let mut c = aii_claims();
        c.insert("iss", s("https://evil.example"));
        assert_eq!(
            code(&jws::sign(&registry(), None, None, &c)),
            ErrorCode::UntrustedIssuer
        );
        assert_eq!(
            code(&jws::sign(
                &registry(),
                Some("mcp-passport+jwt"),
                None,
                &aii_claims()
            )),
            ErrorCode::WrongTokenType
        );
    }

    fn badge(level: &str, ial: &str, subject: &SigningKey) -> Object {
        let mut cs = Object::new();
        cs.insert("level", s(level));
        cs.insert("domain", s("finance.example.com"));
        let mut vc = Object::new();
        vc.insert("credentialSubject", Value::Object(cs));
        let sub_did = subject.verifying_key().to_did_key();
        let iss = if level == "0" {
            sub_did.clone()
        } else {
            String::from("https://registry.capisc.io")
        };
        let mut o = obj(&[
            ("jti", s("b-1")),
            ("iss", Value::from(iss)),
            ("sub", Value::from(sub_did)),
            (
                "aud",
                Value::Array(alloc::vec![s("https://api.example.com")]),
            ),
            ("iat", n(NOW - 10)),
            ("exp", n(NOW + 290)),
            ("ial", s(ial)),
            ("key", subject.verifying_key().to_jwk_value(None)),
            ("vc", Value::Object(vc)),
        ]);
        if ial == "1" {
            let mut cnf = Object::new();
            cnf.insert("kid", Value::from(subject.verifying_key().to_did_key_url()));
            o.insert("cnf", Value::Object(cnf));
        }
        o
    }

    #[test]
    fn capiscio_badges_by_their_rules_mapped_onto_our_levels() {
        let ca = SigningKey::from_bytes(&[63; 32]);
        let agent = SigningKey::from_bytes(&[64; 32]);
        let issuers = |max: u8| {
            alloc::vec![
                TrustedIssuer::new("https://registry.capisc.io", ca.verifying_key())
                    .with_max_level(max)
            ]
        };
        let aud = Some("https://api.example.com");
        let ok = |t: &str, max: u8| verify_capiscio_badge(t, &issuers(max), aud, NOW);
        let t = jws::sign(&ca, Some("JWT"), None, &badge("4", "1", &agent));
        assert_eq!(ok(&t, 3).unwrap().vouched, Some(3));
        assert_eq!(ok(&t, 4).unwrap().vouched, Some(4));
        let self_signed = jws::sign(&agent, None, None, &badge("0", "0", &agent));
        let b = verify_capiscio_badge(&self_signed, &[], aud, NOW).unwrap();
        assert_eq!((b.vouched, b.level.as_str()), (None, "0"));
        let code = |t: &str| ok(t, 4).unwrap_err().code();
        // A string aud, a numeric level, a did:web cnf, a badge for another key.
        let mut c = badge("2", "0", &agent);
        c.insert("aud", s("https://api.example.com"));
        assert_eq!(
            code(&jws::sign(&ca, None, None, &c)),
            ErrorCode::InvalidClaim
        );
        let mut c = badge("2", "0", &agent);
        let mut cs = Object::new();
        cs.insert("level", Value::Number(Number::from_i64(2).unwrap()));
        let mut vc = Object::new();
        vc.insert("credentialSubject", Value::Object(cs));
        c.insert("vc", Value::Object(vc));
        assert_eq!(
            code(&jws::sign(&ca, None, None, &c)),
            ErrorCode::InvalidClaim
        );
        let mut c = badge("2", "1", &agent);
        let mut cnf = Object::new();
        cnf.insert("kid", s("did:web:registry.capisc.io:agents:a#key-1"));
        c.insert("cnf", Value::Object(cnf));
        assert_eq!(
            code(&jws::sign(&ca, None, None, &c)),
            ErrorCode::UnsupportedDidMethod
        );
        let stranger = SigningKey::from_bytes(&[65; 32]);
        let mut c = badge("2", "1", &agent);
        let mut cnf = Object::new();
        cnf.insert(
            "kid",
            Value::from(stranger.verifying_key().to_did_key_url()),
        );
        c.insert("cnf", Value::Object(cnf));
        assert_eq!(
            code(&jws::sign(&ca, None, None, &c)),
            ErrorCode::KeyMismatch
        );
        // Untrusted issuer, another audience, a forged self-signed badge.
        assert_eq!(
            verify_capiscio_badge(&t, &[], aud, NOW).unwrap_err().code(),
            ErrorCode::UntrustedIssuer
        );
        assert_eq!(
            verify_capiscio_badge(&t, &issuers(4), Some("https://other"), NOW)
                .unwrap_err()
                .code(),
            ErrorCode::AudienceMismatch
        );
        let forged = jws::sign(&stranger, None, None, &badge("0", "0", &agent));
        assert_eq!(
            verify_capiscio_badge(&forged, &[], aud, NOW)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidSignature
        );
        assert_eq!(
            verify_capiscio_badge(&t, &issuers(4), aud, NOW + 400)
                .unwrap_err()
                .code(),
            ErrorCode::TokenExpired
        );
        // An ES256 badge (RFC-002 allows it): refused, not verified with a new algorithm.
        let es256 = alloc::format!(
            "{}.{}",
            crate::encoding::base64url_encode(br#"{"alg":"ES256","typ":"JWT"}"#),
            t.split_once('.').unwrap().1
        );
        assert_eq!(code(&es256), ErrorCode::UnsupportedAlgorithm);
    }
}

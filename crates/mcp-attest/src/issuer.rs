//! Trusted issuers: the publisher and registry keys a verifier accepts passports and
//! revocation lists from. Keys always come from the caller — a trust store, a DID the caller
//! chose, or a JWKS the caller fetched — never from the token being verified.
//!
//! ```
//! use mcp_attest::{issuer::TrustedIssuer, SigningKey};
//! let registry = SigningKey::from_bytes(&[9u8; 32]).verifying_key();
//! let jwks = format!(r#"{{"keys":[{}]}}"#, registry.to_jwk());
//! let issuer = TrustedIssuer::from_jwks("https://registry.example.com", &jwks).unwrap();
//! assert_eq!(issuer.keys().len(), 1);
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{err, Result};
use crate::json::{self, Limits, Object, Value};
use crate::keys::VerifyingKey;

/// Largest JWKS text accepted.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;

/// An issuer identifier (the `iss` it signs with) and the keys it signs with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedIssuer {
    id: String,
    keys: Vec<(Option<String>, VerifyingKey)>,
    max_level: u8,
}

/// The highest trust level an issuer may grant unless the trust store says otherwise: 3,
/// "vouched for by a trusted issuer" (spec §20). Level 4 is granted only to issuers the
/// store marks with `maxLevel: 4`.
pub const DEFAULT_MAX_LEVEL: u8 = 3;

impl TrustedIssuer {
    /// An issuer with one key.
    #[must_use]
    pub fn new(id: impl Into<String>, key: VerifyingKey) -> TrustedIssuer {
        TrustedIssuer {
            id: id.into(),
            keys: alloc::vec![(None, key)],
            max_level: DEFAULT_MAX_LEVEL,
        }
    }

    /// An issuer identified by its did:key, whose key is the one the DID encodes.
    ///
    /// # Errors
    /// did:key errors.
    pub fn from_did_key(did: &str) -> Result<TrustedIssuer> {
        Ok(TrustedIssuer::new(did, VerifyingKey::from_did_key(did)?))
    }

    /// An issuer from a JWKS (`{"keys":[…]}`). Ed25519 keys are taken with their `kid`;
    /// keys of other types are skipped (a JWKS may hold several algorithms); a JWKS with no
    /// usable key is an error.
    ///
    /// # Errors
    /// `input_too_large`, JSON errors, `malformed_jwk`, key errors of an Ed25519 key.
    pub fn from_jwks(id: impl Into<String>, jwks: &str) -> Result<TrustedIssuer> {
        let v = json::parse_with_limits(
            jwks,
            Limits {
                max_bytes: MAX_JWKS_BYTES,
                max_depth: 8,
            },
        )?;
        let list = v
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| err!(MalformedJwk, "a JWKS is an object with a keys array"))?;
        let mut keys = Vec::new();
        for k in list {
            let is_ed25519 = k.get("kty").and_then(Value::as_str) == Some("OKP")
                && k.get("crv").and_then(Value::as_str) == Some("Ed25519");
            if !is_ed25519 {
                continue;
            }
            let mut public = k.as_object().cloned().unwrap_or_default();
            // A JWKS key may carry its private part by mistake; only the public half is used.
            public.remove("d");
            let key = VerifyingKey::from_jwk_value(&Value::Object(public))?;
            keys.push((k.get("kid").and_then(Value::as_str).map(String::from), key));
        }
        if keys.is_empty() {
            return Err(err!(MalformedJwk, "the JWKS holds no Ed25519 key"));
        }
        Ok(TrustedIssuer {
            id: id.into(),
            keys,
            max_level: DEFAULT_MAX_LEVEL,
        })
    }

    /// Adds another key (key rotation), optionally with its `kid`.
    pub fn add_key(&mut self, kid: Option<&str>, key: VerifyingKey) {
        self.keys.push((kid.map(String::from), key));
    }

    /// The highest trust level (spec §20) a passport from this issuer can grant, whatever
    /// level the passport claims.
    #[must_use]
    pub const fn max_level(&self) -> u8 {
        self.max_level
    }

    /// Sets [`TrustedIssuer::max_level`] (0–4; larger values are taken as 4). 0 trusts the
    /// issuer's revocation lists but grants nothing through its passports.
    #[must_use]
    pub fn with_max_level(mut self, level: u8) -> TrustedIssuer {
        self.max_level = level.min(4);
        self
    }

    /// The issuer identifier.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The keys with their optional `kid`s.
    #[must_use]
    pub fn keys(&self) -> &[(Option<String>, VerifyingKey)] {
        &self.keys
    }

    /// The issuer as JSON (`{"id":…,"keys":[JWK with optional kid]}`), for trust stores.
    #[must_use]
    pub fn to_value(&self) -> Value {
        let mut o = Object::new();
        o.insert("id", Value::from(self.id.as_str()));
        let keys = self
            .keys
            .iter()
            .map(|(kid, k)| k.to_jwk_value(kid.as_deref()))
            .collect();
        o.insert("keys", Value::Array(keys));
        // Written only when not the default, so stores that never set it stay byte-identical.
        if self.max_level != DEFAULT_MAX_LEVEL {
            o.insert("maxLevel", Value::from_u64(u64::from(self.max_level)));
        }
        Value::Object(o)
    }

    /// The inverse of [`TrustedIssuer::to_value`].
    ///
    /// # Errors
    /// `malformed_trust_store`, key errors.
    pub fn from_value(v: &Value) -> Result<TrustedIssuer> {
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| err!(MalformedTrustStore, "a trusted issuer has a string id"))?;
        let jwks = v
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| err!(MalformedTrustStore, "a trusted issuer has a keys array"))?;
        let mut keys = Vec::with_capacity(jwks.len());
        for k in jwks {
            let mut public = k.as_object().cloned().unwrap_or_default();
            let kid = public
                .remove("kid")
                .and_then(|v| v.as_str().map(String::from));
            keys.push((kid, VerifyingKey::from_jwk_value(&Value::Object(public))?));
        }
        if keys.is_empty() {
            return Err(err!(
                MalformedTrustStore,
                "a trusted issuer has at least one key"
            ));
        }
        let max_level = match v.get("maxLevel") {
            None => DEFAULT_MAX_LEVEL,
            Some(l) => l
                .as_number()
                .and_then(json::Number::as_u64)
                .and_then(|l| u8::try_from(l).ok())
                .filter(|l| *l <= 4)
                .ok_or_else(|| {
                    err!(
                        MalformedTrustStore,
                        "an issuer's maxLevel is an integer 0–4"
                    )
                })?,
        };
        Ok(TrustedIssuer {
            id: String::from(id),
            keys,
            max_level,
        })
    }
}

/// The keys to try for a token from `iss` whose header names `kid`, across every entry of
/// `issuers` with that id (`None`: no such issuer).
///
/// An id may be listed twice in a caller's slice (a [`TrustStore`](crate::trust::TrustStore)
/// refuses that on load and replaces on add). Taking the first entry would make the verdict
/// depend on the slice's order and silently drop keys the caller listed; every key listed
/// under the id is trusted for it instead. `kid` selects as in one issuer: the keys with that
/// kid if any entry has it, else all of them.
pub(crate) fn candidates<'a>(
    issuers: &'a [TrustedIssuer],
    iss: &str,
    kid: Option<&str>,
) -> Option<Vec<&'a VerifyingKey>> {
    let mut keys: Vec<&(Option<String>, VerifyingKey)> = issuers
        .iter()
        .filter(|i| i.id == iss)
        .flat_map(|i| i.keys.iter())
        .collect();
    if !issuers.iter().any(|i| i.id == iss) {
        return None;
    }
    if kid.is_some_and(|k| keys.iter().any(|(id, _)| id.as_deref() == Some(k))) {
        keys.retain(|(id, _)| id.as_deref() == kid);
    }
    Some(keys.into_iter().map(|(_, key)| key).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorCode, SigningKey};

    #[test]
    fn jwks_skips_other_key_types_and_selects_by_kid() {
        let a = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let b = SigningKey::from_bytes(&[2; 32]).verifying_key();
        let jwks = alloc::format!(
            r#"{{"keys":[{{"kty":"EC","crv":"P-256","x":"a","y":"b"}},{},{}]}}"#,
            a.to_jwk_value(Some("a")).to_jcs(),
            b.to_jwk_value(Some("b")).to_jcs()
        );
        let i = TrustedIssuer::from_jwks("iss", &jwks).unwrap();
        let issuers = core::slice::from_ref(&i);
        assert_eq!(candidates(issuers, "iss", Some("b")).unwrap(), [&b]);
        assert_eq!(candidates(issuers, "iss", Some("zzz")).unwrap().len(), 2);
        assert_eq!(candidates(issuers, "iss", None).unwrap().len(), 2);
        assert!(candidates(issuers, "other", None).is_none());
        assert_eq!(TrustedIssuer::from_value(&i.to_value()).unwrap(), i);
        let e = TrustedIssuer::from_jwks("iss", r#"{"keys":[]}"#).unwrap_err();
        assert_eq!(e.code(), ErrorCode::MalformedJwk);
    }

    /// Two entries with one id: every key listed under the id is tried, in either order (the
    /// old tree used the first entry only, so the verdict depended on the slice's order).
    #[test]
    fn a_repeated_id_trusts_every_key_listed_under_it() {
        let a = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let b = SigningKey::from_bytes(&[2; 32]).verifying_key();
        let both = [TrustedIssuer::new("iss", a), TrustedIssuer::new("iss", b)];
        assert_eq!(candidates(&both, "iss", None).unwrap(), [&a, &b]);
        let reversed = [both[1].clone(), both[0].clone()];
        assert_eq!(candidates(&reversed, "iss", None).unwrap(), [&b, &a]);
    }
}

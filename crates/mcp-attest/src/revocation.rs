//! Issuer-signed revocation lists: a compact JWS (`typ: mcp-revocation+jwt`) naming revoked
//! keys (by RFC 7638 thumbprint), DIDs and passport ids (`jti`).
//!
//! Payload: `{"iss", "iat", "exp"?, "revoked": [{"type": "key"|"did"|"jti", "value", "reason"?,
//! "revokedAt"?}]}`. A list is accepted only under a key of a trusted issuer. Passport and
//! manifest verification consult the lists they are given and say which entry revoked what.
//!
//! ```
//! use mcp_attest::{issuer::TrustedIssuer, revocation::{self, Entry, RevocationList}, SigningKey};
//! let registry = SigningKey::from_bytes(&[9u8; 32]);
//! let server = SigningKey::from_bytes(&[1u8; 32]).verifying_key();
//! let token = revocation::issue(&registry, "https://registry.example.com",
//!     &[Entry::key(&server, Some("key-compromise"))], 1_800_000_000, None);
//! let trusted = [TrustedIssuer::new("https://registry.example.com", registry.verifying_key())];
//! let list = RevocationList::verify(&token, &trusted, Some(1_800_000_100)).unwrap();
//! assert_eq!(list.check_key(&server).unwrap_err().code(), mcp_attest::ErrorCode::Revoked);
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{err, excerpt, Result};
use crate::issuer::{self, TrustedIssuer};
use crate::json::{Number, Object, Value};
use crate::jws;
use crate::keys::{SigningKey, VerifyingKey};
use crate::signer::Signer;

/// The JWS `typ` of a revocation list.
pub const REVOCATION_TYP: &str = "mcp-revocation+jwt";
/// Largest revocation list accepted (1 MiB: about 8,000 entries).
pub const MAX_REVOCATION_BYTES: usize = 1 << 20;

/// What an entry revokes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryKind {
    /// A public key, by RFC 7638 JWK thumbprint.
    Key,
    /// A DID.
    Did,
    /// A passport (`jti`).
    Jti,
}

impl EntryKind {
    /// The kind whose wire name is `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<EntryKind> {
        [EntryKind::Key, EntryKind::Did, EntryKind::Jti]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

impl EntryKind {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            EntryKind::Key => "key",
            EntryKind::Did => "did",
            EntryKind::Jti => "jti",
        }
    }
}

/// One revocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// What kind of thing is revoked.
    pub kind: EntryKind,
    /// The thumbprint, DID or jti.
    pub value: String,
    /// Why (e.g. `key-compromise`, `superseded`).
    pub reason: Option<String>,
    /// When, Unix seconds.
    pub revoked_at: Option<u64>,
}

impl Entry {
    /// Revokes a key (by thumbprint).
    #[must_use]
    pub fn key(key: &VerifyingKey, reason: Option<&str>) -> Entry {
        Entry {
            kind: EntryKind::Key,
            value: key.jwk_thumbprint(),
            reason: reason.map(String::from),
            revoked_at: None,
        }
    }
    /// Revokes a DID.
    #[must_use]
    pub fn did(did: &str, reason: Option<&str>) -> Entry {
        Entry {
            kind: EntryKind::Did,
            value: String::from(did),
            reason: reason.map(String::from),
            revoked_at: None,
        }
    }
    /// Revokes a passport id.
    #[must_use]
    pub fn jti(jti: &str, reason: Option<&str>) -> Entry {
        Entry {
            kind: EntryKind::Jti,
            value: String::from(jti),
            reason: reason.map(String::from),
            revoked_at: None,
        }
    }
}

/// Signs a revocation list as issuer `issuer_id`. `ttl`: seconds until `exp` (none: no `exp`).
#[must_use]
pub fn issue(
    key: &SigningKey,
    issuer_id: &str,
    entries: &[Entry],
    now: u64,
    ttl: Option<u64>,
) -> String {
    jws::sign(
        key,
        Some(REVOCATION_TYP),
        None,
        &list_claims(issuer_id, entries, now, ttl),
    )
}

/// [`issue`] with any [`Signer`]; its signature is checked before use.
///
/// # Errors
/// The signer's error, or `signer_failed`.
pub fn issue_with<S: Signer + ?Sized>(
    signer: &S,
    issuer_id: &str,
    entries: &[Entry],
    now: u64,
    ttl: Option<u64>,
) -> Result<String> {
    jws::sign_with(
        signer,
        Some(REVOCATION_TYP),
        None,
        &list_claims(issuer_id, entries, now, ttl),
    )
}

fn list_claims(issuer_id: &str, entries: &[Entry], now: u64, ttl: Option<u64>) -> Object {
    let mut claims = Object::new();
    claims.insert("iss", Value::from(issuer_id));
    claims.insert("iat", Value::from_u64(now));
    if let Some(ttl) = ttl {
        claims.insert("exp", Value::from_u64(now.saturating_add(ttl)));
    }
    let list = entries
        .iter()
        .map(|e| {
            let mut o = Object::new();
            o.insert("type", Value::from(e.kind.as_str()));
            o.insert("value", Value::from(e.value.as_str()));
            if let Some(r) = &e.reason {
                o.insert("reason", Value::from(r.as_str()));
            }
            if let Some(t) = e.revoked_at {
                o.insert("revokedAt", Value::from_u64(t));
            }
            Value::Object(o)
        })
        .collect();
    claims.insert("revoked", Value::Array(list));
    claims
}

/// The order of a list's entries: by kind, then by value.
fn order(e: &Entry) -> (EntryKind, &str) {
    (e.kind, e.value.as_str())
}

/// A verified revocation list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationList {
    issuer: String,
    issued_at: u64,
    expires_at: Option<u64>,
    /// Sorted by (kind, value), one entry per pair. A sorted vector rather than a map: the
    /// list never changes once verified, and every `BTreeMap` key and value type is a copy of
    /// the standard library's B-tree code in the wasm the browsers download (issue #14).
    entries: Vec<Entry>,
}

impl RevocationList {
    /// Verifies a revocation list under the keys of the trusted issuer it names. With
    /// `now`, `iat`/`exp` are checked (60 s leeway); without, only the signature and shape
    /// (for lists loaded from a trust store: revocations never lapse).
    ///
    /// # Errors
    /// JWS errors, `untrusted_issuer`, `invalid_signature`, claim errors, `malformed_token`
    /// for a malformed entry.
    pub fn verify(
        token: &str,
        issuers: &[TrustedIssuer],
        now: Option<u64>,
    ) -> Result<RevocationList> {
        let parsed = jws::parse(token, MAX_REVOCATION_BYTES)?;
        parsed.expect_typ(REVOCATION_TYP)?;
        let iss = match parsed.unverified_claims().get("iss") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(err!(InvalidClaim, "claim iss must be a string")),
            None => return Err(err!(MissingClaim, "the revocation list has no iss")),
        };
        let kid = parsed
            .header()
            .get("kid")
            .and_then(Value::as_str)
            .map(String::from);
        let keys = issuer::candidates(issuers, &iss, kid.as_deref()).ok_or_else(|| {
            err!(
                UntrustedIssuer,
                "revocation list issuer {:?} is not trusted",
                excerpt(&iss)
            )
        })?;
        let (verified, _) = parsed.verify_any(keys)?;
        let claims = verified.claims;
        if claims.get("aud").is_some() {
            // A list is for every verifier; refusing aud whether or not the clock is checked
            // keeps the verdict independent of how the list is loaded.
            return Err(err!(InvalidClaim, "a revocation list has no aud"));
        }
        if let Some(now) = now {
            jws::check_claims(
                &claims,
                &jws::ClaimRules {
                    now,
                    require_exp: false,
                    ..Default::default()
                },
            )?;
        }
        let int_claim = |n: &str| {
            claims
                .get(n)
                .and_then(Value::as_number)
                .and_then(Number::as_u64)
        };
        let issued_at = match claims.get("iat") {
            None => return Err(err!(MissingClaim, "the revocation list has no iat")),
            Some(_) => int_claim("iat").ok_or_else(|| {
                err!(
                    InvalidClaim,
                    "the revocation list's iat must be a whole number"
                )
            })?,
        };
        let mut entries = Vec::new();
        let list = claims
            .get("revoked")
            .and_then(Value::as_array)
            .ok_or_else(|| err!(MalformedToken, "the revocation list has no revoked array"))?;
        for e in list {
            let kind = match e.get("type").and_then(Value::as_str) {
                Some("key") => EntryKind::Key,
                Some("did") => EntryKind::Did,
                Some("jti") => EntryKind::Jti,
                _ => {
                    return Err(err!(
                        MalformedToken,
                        "a revocation entry's type is key, did or jti"
                    ))
                }
            };
            let value = e
                .get("value")
                .and_then(Value::as_str)
                .ok_or_else(|| err!(MalformedToken, "a revocation entry has a string value"))?;
            let reason = e.get("reason").and_then(Value::as_str).map(String::from);
            let revoked_at = e
                .get("revokedAt")
                .and_then(Value::as_number)
                .and_then(Number::as_u64);
            let entry = Entry {
                kind,
                value: String::from(value),
                reason,
                revoked_at,
            };
            entries.push(entry);
        }
        // A pair listed twice keeps its last entry: reversed, a stable sort puts the last one
        // first in its run, and `dedup_by` keeps the first.
        entries.reverse();
        entries.sort_by(|a, b| order(a).cmp(&order(b)));
        entries.dedup_by(|later, kept| order(later) == order(kept));
        Ok(RevocationList {
            issuer: iss,
            issued_at,
            expires_at: int_claim("exp"),
            entries,
        })
    }

    /// The issuer that signed the list.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `iat`, Unix seconds.
    #[must_use]
    pub fn issued_at(&self) -> u64 {
        self.issued_at
    }

    /// `exp`, if the list has one.
    #[must_use]
    pub fn expires_at(&self) -> Option<u64> {
        self.expires_at
    }

    /// The entries, ordered by kind and value.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// The entry revoking `value` of `kind`, if any.
    #[must_use]
    pub fn find(&self, kind: EntryKind, value: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| order(e).cmp(&(kind, value)))
            .ok()
            .and_then(|i| self.entries.get(i))
    }

    /// # Errors
    /// `revoked`, naming the entry and the list's issuer.
    pub fn check_key(&self, key: &VerifyingKey) -> Result<()> {
        self.check(EntryKind::Key, &key.jwk_thumbprint())
    }

    /// # Errors
    /// `revoked`.
    pub fn check_did(&self, did: &str) -> Result<()> {
        self.check(EntryKind::Did, did)
    }

    /// # Errors
    /// `revoked`.
    pub fn check_jti(&self, jti: &str) -> Result<()> {
        self.check(EntryKind::Jti, jti)
    }

    fn check(&self, kind: EntryKind, value: &str) -> Result<()> {
        match self.find(kind, value) {
            None => Ok(()),
            Some(e) => Err(err!(
                Revoked,
                "{} {} is revoked by {} ({})",
                kind.as_str(),
                excerpt(value),
                excerpt(&self.issuer),
                e.reason
                    .as_deref()
                    .map_or(String::from("no reason given"), excerpt)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    // The entries are a sorted vector, deduplicated by (kind, value): a pair listed twice
    // keeps its last entry, as the map that held them before did.
    #[test]
    fn entries_are_ordered_by_kind_and_value_and_a_repeated_pair_keeps_its_last_entry() {
        let reg = SigningKey::from_bytes(&[9; 32]);
        let token = issue(
            &reg,
            "reg",
            &[
                Entry::jti("p2", Some("first")),
                Entry::did("did:key:b", None),
                Entry::jti("p1", None),
                Entry::did("did:key:a", None),
                Entry::jti("p2", Some("last")),
            ],
            100,
            None,
        );
        let list = RevocationList::verify(
            &token,
            &[TrustedIssuer::new("reg", reg.verifying_key())],
            None,
        )
        .unwrap();
        let order: Vec<(EntryKind, &str)> = list.entries().map(order).collect();
        assert_eq!(
            order,
            [
                (EntryKind::Did, "did:key:a"),
                (EntryKind::Did, "did:key:b"),
                (EntryKind::Jti, "p1"),
                (EntryKind::Jti, "p2"),
            ]
        );
        assert_eq!(
            list.find(EntryKind::Jti, "p2").unwrap().reason.as_deref(),
            Some("last")
        );
        assert!(list.find(EntryKind::Key, "p2").is_none());
        assert!(list.find(EntryKind::Did, "did:key:c").is_none());
        assert!(list.check_did("did:key:a").is_err() && list.check_jti("p3").is_ok());
    }

    #[test]
    fn untrusted_or_foreign_lists_are_refused() {
        let reg = SigningKey::from_bytes(&[9; 32]);
        let token = issue(
            &reg,
            "reg",
            &[
                Entry::did("did:key:x", None),
                Entry::jti("p1", Some("superseded")),
            ],
            100,
            Some(50),
        );
        let trusted = [TrustedIssuer::new("reg", reg.verifying_key())];
        let list = RevocationList::verify(&token, &trusted, Some(120)).unwrap();
        assert_eq!(list.entries().count(), 2);
        let e = list.check_jti("p1").unwrap_err();
        assert!(
            e.message().contains("superseded") && e.message().contains("reg"),
            "{e}"
        );
        assert!(list.check_jti("p2").is_ok());
        assert_eq!(
            RevocationList::verify(&token, &trusted, Some(500))
                .unwrap_err()
                .code(),
            ErrorCode::TokenExpired
        );
        assert!(RevocationList::verify(&token, &trusted, None).is_ok());
        let other = [TrustedIssuer::new("other", reg.verifying_key())];
        assert_eq!(
            RevocationList::verify(&token, &other, None)
                .unwrap_err()
                .code(),
            ErrorCode::UntrustedIssuer
        );
        let wrong_key = [TrustedIssuer::new(
            "reg",
            SigningKey::from_bytes(&[8; 32]).verifying_key(),
        )];
        assert_eq!(
            RevocationList::verify(&token, &wrong_key, None)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidSignature
        );
    }
}

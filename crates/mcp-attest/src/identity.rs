//! The ext-auth `identity/get` document: the server key and its attestations.
//!
//! ```json
//! {"publicKey": {"kty":"OKP","crv":"Ed25519","x":"…","kid":"…","use":"sig"},
//!  "attestations": [
//!    {"type":"self","signedAt":"…","signature":"…"},
//!    {"type":"publisher","issuer":{"name":"…","publicKey":{…},"url":"…"},
//!     "signedAt":"…","expiresAt":"…","serverKeyThumbprint":"…","signature":"…"},
//!    {"type":"revocation","revokedKid":"…","replacementKid":"…","reason":"…","signedAt":"…","signature":"…"}]}
//! ```
//!
//! Signing inputs follow the draft: the self attestation signs
//! JCS(`{"type":"self","publicKey":<the JWK exactly as served>,"signedAt"}`); publisher and
//! revocation attestations sign JCS of the attestation without `signature`. The draft's
//! publisher attestation names no server key, so one could be replayed onto any server; ours
//! adds `serverKeyThumbprint` (RFC 7638) *inside* the signed object — draft verifiers, which
//! sign whatever members are present, still pass, and our verifier reports the binding.
//!
//! ```
//! use mcp_attest::{identity::{self, Publisher, VerifyOptions}, SigningKey};
//! let server = SigningKey::from_bytes(&[1u8; 32]);
//! let publisher = SigningKey::from_bytes(&[2u8; 32]);
//! let now = 1_800_000_000;
//! let att = identity::publisher_attestation(
//!     &Publisher { key: &publisher, name: "Example Corp", url: Some("https://example.com"), kid: None },
//!     &server.verifying_key(), now, Some(86_400 * 365));
//! let doc = identity::identity_document(&server, None, now, &[att]);
//! let trusted = [publisher.verifying_key()];
//! let id = identity::verify_document(&doc, &VerifyOptions { now, trusted_publishers: &trusted, ..Default::default() }).unwrap();
//! assert_eq!(id.key, server.verifying_key());
//! assert!(id.publishers[0].trusted && id.publishers[0].bound);
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{err, excerpt, Error, Result};
use crate::json::{self, Limits, Object, Value};
use crate::keys::{Signature, SigningKey, VerifyingKey};
use crate::signer::{infallible, Checked, Sign, Signer};
use crate::time;

/// Largest identity document accepted.
pub const MAX_IDENTITY_BYTES: usize = 64 * 1024;

/// A publisher signing an attestation for a server.
#[derive(Debug)]
pub struct Publisher<'a> {
    /// The publisher's key.
    pub key: &'a SigningKey,
    /// Its display name.
    pub name: &'a str,
    /// Its URL.
    pub url: Option<&'a str>,
    /// The `kid` of its key (default: the ext-auth kid).
    pub kid: Option<&'a str>,
}

/// The server JWK as `identity/get` serves it: `{kty, crv, x, kid, use: "sig"}`.
#[must_use]
pub fn served_jwk(key: &VerifyingKey, kid: &str) -> Value {
    let mut jwk = match key.to_jwk_value(Some(kid)) {
        Value::Object(o) => o,
        _ => Object::new(),
    };
    jwk.insert("use", Value::from("sig"));
    Value::Object(jwk)
}

/// A publisher attestation for `server`, valid for `ttl` seconds (none: no `expiresAt`).
#[must_use]
pub fn publisher_attestation(
    publisher: &Publisher<'_>,
    server: &VerifyingKey,
    now: u64,
    ttl: Option<u64>,
) -> Value {
    let info = PublisherDetails {
        name: publisher.name,
        url: publisher.url,
        kid: publisher.kid,
    };
    infallible(publisher_attestation_by(
        publisher.key,
        &info,
        server,
        now,
        ttl,
    ))
}

/// Who a publisher is, for [`publisher_attestation_with`]: [`Publisher`] without the key.
#[derive(Clone, Copy, Debug, Default)]
pub struct PublisherDetails<'a> {
    /// Its display name.
    pub name: &'a str,
    /// Its URL.
    pub url: Option<&'a str>,
    /// The `kid` of its key (default: the ext-auth kid).
    pub kid: Option<&'a str>,
}

/// [`publisher_attestation`] signed by any [`Signer`]; its signature is checked before use.
///
/// # Errors
/// The signer's error, or `signer_failed`.
pub fn publisher_attestation_with<S: Signer + ?Sized>(
    signer: &S,
    publisher: &PublisherDetails<'_>,
    server: &VerifyingKey,
    now: u64,
    ttl: Option<u64>,
) -> Result<Value> {
    publisher_attestation_by(&Checked(signer), publisher, server, now, ttl)
}

fn publisher_attestation_by<K: Sign>(
    key: &K,
    publisher: &PublisherDetails<'_>,
    server: &VerifyingKey,
    now: u64,
    ttl: Option<u64>,
) -> core::result::Result<Value, K::Error> {
    let pk = key.public();
    let default_kid = pk.kid();
    let mut issuer = Object::new();
    issuer.insert("name", Value::from(publisher.name));
    issuer.insert(
        "publicKey",
        served_jwk(&pk, publisher.kid.unwrap_or(&default_kid)),
    );
    if let Some(url) = publisher.url {
        issuer.insert("url", Value::from(url));
    }
    let mut att = Object::new();
    att.insert("type", Value::from("publisher"));
    att.insert("issuer", Value::Object(issuer));
    att.insert("signedAt", Value::from(time::format_rfc3339(now)));
    if let Some(ttl) = ttl {
        att.insert(
            "expiresAt",
            Value::from(time::format_rfc3339(now.saturating_add(ttl))),
        );
    }
    att.insert("serverKeyThumbprint", Value::from(server.jwk_thumbprint()));
    sign_object(key, att)
}

/// A revocation attestation, signed by the *old* key, announcing a planned rotation to
/// `replacement` (or, with `None`, that the old key is revoked with no successor).
///
/// The successor is named by its derived ext-auth kid (`replacementKid`, the draft's member)
/// and, additively, by its RFC 7638 thumbprint (`replacementKeyThumbprint`): both are computed
/// from the key itself, never a label the server chooses, so the attestation vouches for one
/// key only.
#[must_use]
pub fn revocation_attestation(
    old: &SigningKey,
    revoked_kid: &str,
    replacement: Option<&VerifyingKey>,
    reason: Option<&str>,
    now: u64,
) -> Value {
    infallible(revocation_attestation_by(
        old,
        revoked_kid,
        replacement,
        reason,
        now,
    ))
}

/// [`revocation_attestation`] signed by any [`Signer`] (the old key); its signature is
/// checked before use.
///
/// # Errors
/// The signer's error, or `signer_failed`.
pub fn revocation_attestation_with<S: Signer + ?Sized>(
    old: &S,
    revoked_kid: &str,
    replacement: Option<&VerifyingKey>,
    reason: Option<&str>,
    now: u64,
) -> Result<Value> {
    revocation_attestation_by(&Checked(old), revoked_kid, replacement, reason, now)
}

fn revocation_attestation_by<K: Sign>(
    old: &K,
    revoked_kid: &str,
    replacement: Option<&VerifyingKey>,
    reason: Option<&str>,
    now: u64,
) -> core::result::Result<Value, K::Error> {
    let mut att = Object::new();
    att.insert("type", Value::from("revocation"));
    att.insert("revokedKid", Value::from(revoked_kid));
    if let Some(r) = replacement {
        att.insert("replacementKid", Value::from(r.kid()));
        att.insert("replacementKeyThumbprint", Value::from(r.jwk_thumbprint()));
    }
    if let Some(r) = reason {
        att.insert("reason", Value::from(r));
    }
    att.insert("signedAt", Value::from(time::format_rfc3339(now)));
    sign_object(old, att)
}

fn sign_object<K: Sign>(key: &K, mut att: Object) -> core::result::Result<Value, K::Error> {
    let sig = key.sign_bytes(Value::Object(att.clone()).to_jcs().as_bytes())?;
    att.insert("signature", Value::from(sig.to_base64url()));
    Ok(Value::Object(att))
}

/// The `identity/get` result for `server`: its served JWK (with `kid`, default the ext-auth
/// kid), a fresh self attestation, and `extra` attestations (publisher, revocation).
#[must_use]
pub fn identity_document(
    server: &SigningKey,
    kid: Option<&str>,
    now: u64,
    extra: &[Value],
) -> String {
    infallible(identity_document_by(server, kid, now, extra))
}

/// [`identity_document`] signed by any [`Signer`]; its signature is checked before use.
///
/// # Errors
/// The signer's error, or `signer_failed`.
pub fn identity_document_with<S: Signer + ?Sized>(
    server: &S,
    kid: Option<&str>,
    now: u64,
    extra: &[Value],
) -> Result<String> {
    identity_document_by(&Checked(server), kid, now, extra)
}

fn identity_document_by<K: Sign>(
    server: &K,
    kid: Option<&str>,
    now: u64,
    extra: &[Value],
) -> core::result::Result<String, K::Error> {
    let vk = server.public();
    let default_kid = vk.kid();
    let jwk = served_jwk(&vk, kid.unwrap_or(&default_kid));
    let signed_at = time::format_rfc3339(now);
    let mut input = Object::new();
    input.insert("type", Value::from("self"));
    input.insert("publicKey", jwk.clone());
    input.insert("signedAt", Value::from(signed_at.as_str()));
    let sig = server.sign_bytes(Value::Object(input).to_jcs().as_bytes())?;
    let mut selfatt = Object::new();
    selfatt.insert("type", Value::from("self"));
    selfatt.insert("signedAt", Value::from(signed_at));
    selfatt.insert("signature", Value::from(sig.to_base64url()));
    let mut atts = alloc::vec![Value::Object(selfatt)];
    atts.extend(extra.iter().cloned());
    let mut doc = Object::new();
    doc.insert("publicKey", jwk);
    doc.insert("attestations", Value::Array(atts));
    Ok(Value::Object(doc).to_jcs())
}

/// Options for [`verify_document`].
#[derive(Clone, Copy, Debug, Default)]
pub struct VerifyOptions<'a> {
    /// The verifier's clock, Unix seconds.
    pub now: u64,
    /// Publisher keys the caller trusts.
    pub trusted_publishers: &'a [VerifyingKey],
    /// Require a trusted publisher attestation bound to the server key.
    pub require_trusted_publisher: bool,
    /// The key previously pinned for this server, to verify revocation attestations with.
    pub previous_key: Option<&'a VerifyingKey>,
}

/// A verified publisher attestation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublisherInfo {
    /// The publisher's name.
    pub name: String,
    /// Its URL.
    pub url: Option<String>,
    /// Its key.
    pub key: VerifyingKey,
    /// Its key's `kid`.
    pub kid: Option<String>,
    /// `signedAt`, Unix seconds.
    pub signed_at: u64,
    /// `expiresAt`, Unix seconds.
    pub expires_at: Option<u64>,
    /// Whether the attestation names this server's key (`serverKeyThumbprint`).
    pub bound: bool,
    /// Whether the publisher key is among the caller's trusted publishers.
    pub trusted: bool,
}

/// A revocation attestation in the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// The revoked key id.
    pub revoked_kid: String,
    /// Its replacement.
    pub replacement_kid: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// Whether it verified under the caller's previously pinned key.
    pub verified: bool,
}

/// A verified identity document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedIdentity {
    /// The server key.
    pub key: VerifyingKey,
    /// Its `kid`.
    pub kid: String,
    /// The self attestation's `signedAt`, Unix seconds.
    pub self_signed_at: u64,
    /// Publisher attestations (all verified; see `trusted` and `bound`).
    pub publishers: Vec<PublisherInfo>,
    /// Revocation attestations.
    pub rotations: Vec<Rotation>,
}

/// Verifies an `identity/get` result: the key, the self attestation, every publisher
/// attestation (signature, `expiresAt`, server binding) and, with `previous_key`, the
/// revocation attestations. Attestations of unknown types (such as `dns`, which carries no
/// signature) are skipped.
///
/// # Errors
/// `input_too_large`, JSON errors, `malformed_identity`, key errors, `invalid_signature`,
/// `attestation_expired`, `key_mismatch` (a publisher attestation bound to another key),
/// `untrusted_issuer` (no trusted bound publisher when one is required).
pub fn verify_document(doc: &str, options: &VerifyOptions<'_>) -> Result<VerifiedIdentity> {
    let v = json::parse_with_limits(
        doc,
        Limits {
            max_bytes: MAX_IDENTITY_BYTES,
            max_depth: 16,
        },
    )?;
    verify_document_value(&v, options)
}

/// [`verify_document`] on a document already parsed within its limits (64 KiB, depth 16),
/// so a caller that had to parse the result (to drop an SDK's `_meta`) does not parse twice.
///
/// # Errors
/// As [`verify_document`], less the parsing errors.
pub fn verify_document_value(v: &Value, options: &VerifyOptions<'_>) -> Result<VerifiedIdentity> {
    let bad = |what: &str| err!(MalformedIdentity, "identity document: {}", what);
    let jwk = v.get("publicKey").ok_or_else(|| bad("no publicKey"))?;
    let (key, kid) = served_key(jwk)?;
    let atts = v
        .get("attestations")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no attestations array"))?;
    let mut self_signed_at = None;
    let mut publishers = Vec::new();
    let mut rotations = Vec::new();
    for a in atts {
        let o = a
            .as_object()
            .ok_or_else(|| bad("an attestation is not an object"))?;
        // The draft: reject any attestation whose expiresAt has passed, whatever its type.
        match o.get("expiresAt") {
            None => {}
            Some(Value::String(t)) if timestamp(t)? <= options.now => {
                return Err(err!(
                    AttestationExpired,
                    "an attestation in the identity document has expired"
                ))
            }
            Some(Value::String(_)) => {}
            Some(_) => return Err(bad("an attestation's expiresAt is not a string")),
        }
        match o.get("type").and_then(Value::as_str) {
            Some("self") => {
                let signed_at = str_member(o, "signedAt")?;
                let mut input = Object::new();
                input.insert("type", Value::from("self"));
                input.insert("publicKey", jwk.clone());
                input.insert("signedAt", Value::from(signed_at));
                key.verify(Value::Object(input).to_jcs().as_bytes(), &signature(o)?)?;
                if self_signed_at.replace(timestamp(signed_at)?).is_some() {
                    return Err(bad("more than one self attestation"));
                }
            }
            Some("publisher") => publishers.push(publisher(o, &key, options)?),
            Some("revocation") => {
                let revoked_kid = String::from(str_member(o, "revokedKid")?);
                let replacement_kid = o
                    .get("replacementKid")
                    .and_then(Value::as_str)
                    .map(String::from);
                let replacement_thumbprint = match o.get("replacementKeyThumbprint") {
                    None => None,
                    Some(Value::String(t)) => Some(t.as_str()),
                    Some(_) => return Err(bad("replacementKeyThumbprint is not a string")),
                };
                // A rotation counts only when the caller's previous key signed it, it names
                // that key as revoked, and it names the key this document serves as the
                // successor: by that key's thumbprint or derived kid, computed here from the
                // key itself. The served `kid` is a label the server picks, so comparing with
                // it would let an impostor label its own key with the successor's kid and
                // borrow the attestation. No successor means "revoked", never "vouched for
                // whatever key is served". Others are kept, unverified, for display.
                let verified = match options.previous_key {
                    Some(prev) if revoked_kid == prev.kid() => {
                        prev.verify(unsigned_jcs(o).as_bytes(), &signature(o)?)?;
                        let names_served_key = match (replacement_thumbprint, &replacement_kid) {
                            (Some(t), r) => {
                                t == key.jwk_thumbprint()
                                    && r.as_deref().is_none_or(|r| r == key.kid())
                            }
                            (None, Some(r)) => *r == key.kid(),
                            (None, None) => false,
                        };
                        names_served_key
                    }
                    _ => false,
                };
                rotations.push(Rotation {
                    revoked_kid,
                    replacement_kid,
                    reason: o.get("reason").and_then(Value::as_str).map(String::from),
                    verified,
                });
            }
            _ => {}
        }
    }
    let self_signed_at =
        self_signed_at.ok_or_else(|| bad("no self attestation (it is required)"))?;
    if options.require_trusted_publisher && !publishers.iter().any(|p| p.trusted && p.bound) {
        return Err(err!(
            UntrustedIssuer,
            "no trusted publisher attests this server key"
        ));
    }
    Ok(VerifiedIdentity {
        key,
        kid,
        self_signed_at,
        publishers,
        rotations,
    })
}

fn publisher(
    o: &Object,
    server: &VerifyingKey,
    options: &VerifyOptions<'_>,
) -> Result<PublisherInfo> {
    let bad = |what: &str| err!(MalformedIdentity, "publisher attestation: {}", what);
    let issuer = o
        .get("issuer")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("no issuer object"))?;
    let (pk, kid) = served_key(
        issuer
            .get("publicKey")
            .ok_or_else(|| bad("no issuer.publicKey"))?,
    )?;
    pk.verify(unsigned_jcs(o).as_bytes(), &signature(o)?)?;
    let signed_at = timestamp(str_member(o, "signedAt")?)?;
    let expires_at = match o.get("expiresAt") {
        None => None,
        Some(Value::String(t)) => Some(timestamp(t)?),
        Some(_) => return Err(bad("expiresAt is not a string")),
    };
    if expires_at.is_some_and(|e| e <= options.now) {
        return Err(err!(
            AttestationExpired,
            "the publisher attestation has expired"
        ));
    }
    let bound = match o.get("serverKeyThumbprint") {
        None => false,
        Some(Value::String(t)) if *t == server.jwk_thumbprint() => true,
        Some(_) => {
            return Err(err!(
                KeyMismatch,
                "the publisher attestation is for another server key"
            ))
        }
    };
    Ok(PublisherInfo {
        name: String::from(
            issuer
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("no issuer.name"))?,
        ),
        url: issuer.get("url").and_then(Value::as_str).map(String::from),
        kid: Some(kid).filter(|k| !k.is_empty()),
        key: pk,
        signed_at,
        expires_at,
        bound,
        trusted: options.trusted_publishers.contains(&pk),
    })
}

/// The key and `kid` of a served JWK (`kid` and `use: "sig"` allowed on top of RFC 8037).
fn served_key(jwk: &Value) -> Result<(VerifyingKey, String)> {
    let mut o = jwk
        .as_object()
        .cloned()
        .ok_or_else(|| err!(MalformedIdentity, "publicKey is not a JWK object"))?;
    let kid = match o.remove("kid") {
        None => String::new(),
        Some(Value::String(k)) => k,
        Some(_) => return Err(err!(MalformedIdentity, "publicKey kid is not a string")),
    };
    Ok((VerifyingKey::from_jwk_value(&Value::Object(o))?, kid))
}

fn unsigned_jcs(o: &Object) -> String {
    let mut copy = o.clone();
    copy.remove("signature");
    Value::Object(copy).to_jcs()
}

fn signature(o: &Object) -> Result<Signature> {
    let s = str_member(o, "signature")?;
    Signature::from_base64url(s).map_err(|_: Error| Error::invalid_signature())
}

fn str_member<'a>(o: &'a Object, name: &str) -> Result<&'a str> {
    o.get(name).and_then(Value::as_str).ok_or_else(|| {
        err!(
            MalformedIdentity,
            "attestation member {} is missing or not a string",
            excerpt(name)
        )
    })
}

fn timestamp(t: &str) -> Result<u64> {
    time::parse_rfc3339(t).map_err(|_| {
        err!(
            MalformedIdentity,
            "{:?} is not an RFC 3339 time",
            excerpt(t)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    const NOW: u64 = 1_800_000_000;

    fn keys() -> (SigningKey, SigningKey) {
        (
            SigningKey::from_bytes(&[1; 32]),
            SigningKey::from_bytes(&[2; 32]),
        )
    }

    #[test]
    fn publisher_attestation_is_bound_and_expires() {
        let (server, publisher) = keys();
        let p = Publisher {
            key: &publisher,
            name: "P",
            url: None,
            kid: Some("pub-1"),
        };
        let att = publisher_attestation(&p, &server.verifying_key(), NOW, Some(100));
        let doc = identity_document(&server, Some("srv-1"), NOW, core::slice::from_ref(&att));
        let id = verify_document(
            &doc,
            &VerifyOptions {
                now: NOW + 50,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(id.kid, "srv-1");
        assert!(id.publishers[0].bound && !id.publishers[0].trusted);
        let late = VerifyOptions {
            now: NOW + 100,
            ..Default::default()
        };
        assert_eq!(
            verify_document(&doc, &late).unwrap_err().code(),
            ErrorCode::AttestationExpired
        );
        let strict = VerifyOptions {
            now: NOW,
            require_trusted_publisher: true,
            ..Default::default()
        };
        assert_eq!(
            verify_document(&doc, &strict).unwrap_err().code(),
            ErrorCode::UntrustedIssuer
        );
        // The same attestation replayed onto another server.
        let other = SigningKey::from_bytes(&[3; 32]);
        let replayed = identity_document(&other, None, NOW, &[att]);
        assert_eq!(
            verify_document(
                &replayed,
                &VerifyOptions {
                    now: NOW,
                    ..Default::default()
                }
            )
            .unwrap_err()
            .code(),
            ErrorCode::KeyMismatch
        );
    }

    #[test]
    fn self_attestation_covers_the_served_jwk() {
        let (server, _) = keys();
        let doc = identity_document(&server, None, NOW, &[]);
        assert!(verify_document(&doc, &VerifyOptions::default()).is_ok());
        let changed_kid = doc.replace(&server.verifying_key().kid(), "other-kid");
        assert_eq!(
            verify_document(&changed_kid, &VerifyOptions::default())
                .unwrap_err()
                .code(),
            ErrorCode::InvalidSignature
        );
        let no_self = r#"{"publicKey":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},"attestations":[]}"#;
        assert_eq!(
            verify_document(no_self, &VerifyOptions::default())
                .unwrap_err()
                .code(),
            ErrorCode::MalformedIdentity
        );
    }

    #[test]
    fn rotation_verifies_under_the_previous_key_only() {
        let (old, _) = keys();
        let new = SigningKey::from_bytes(&[4; 32]);
        let rot = revocation_attestation(
            &old,
            &old.verifying_key().kid(),
            Some(&new.verifying_key()),
            Some("superseded"),
            NOW,
        );
        let doc = identity_document(&new, None, NOW, &[rot]);
        let prev = old.verifying_key();
        let id = verify_document(
            &doc,
            &VerifyOptions {
                previous_key: Some(&prev),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(id.rotations[0].verified);
        // Checked against a key it does not name: kept, but not verified.
        let unrelated = new.verifying_key();
        let id = verify_document(
            &doc,
            &VerifyOptions {
                previous_key: Some(&unrelated),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(!id.rotations[0].verified);
        // Naming the previous key but signed by another: refused.
        let forged = revocation_attestation(
            &new,
            &old.verifying_key().kid(),
            Some(&new.verifying_key()),
            None,
            NOW,
        );
        let doc = identity_document(&new, None, NOW, &[forged]);
        let e = verify_document(
            &doc,
            &VerifyOptions {
                previous_key: Some(&prev),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidSignature);
    }

    fn rotation_verified(doc: &str, prev: &VerifyingKey) -> bool {
        let id = verify_document(
            doc,
            &VerifyOptions {
                previous_key: Some(prev),
                ..Default::default()
            },
        )
        .unwrap();
        id.rotations[0].verified
    }

    /// Regression (issue #10.4): the old tree compared `replacementKid` with the served
    /// `kid` label, so an impostor serving its own key under the successor's kid, with the
    /// honest attestation copied, got `verified = true`; and an attestation without a
    /// successor verified in any document. Both asserts below failed on the old tree.
    #[test]
    fn a_rotation_vouches_for_the_successor_key_only() {
        let (old, _) = keys();
        let new = SigningKey::from_bytes(&[4; 32]);
        let impostor = SigningKey::from_bytes(&[5; 32]);
        let prev = old.verifying_key();
        let rot = revocation_attestation(&old, &prev.kid(), Some(&new.verifying_key()), None, NOW);
        let honest = identity_document(&new, None, NOW, core::slice::from_ref(&rot));
        assert!(rotation_verified(&honest, &prev));
        // The honest successor under a custom kid label is still the successor.
        let relabelled =
            identity_document(&new, Some("server-2027"), NOW, core::slice::from_ref(&rot));
        assert!(rotation_verified(&relabelled, &prev));
        let forged = identity_document(&impostor, Some(&new.verifying_key().kid()), NOW, &[rot]);
        assert!(!rotation_verified(&forged, &prev));
        let revoked_only = revocation_attestation(&old, &prev.kid(), None, None, NOW);
        let forged = identity_document(&impostor, None, NOW, &[revoked_only]);
        assert!(!rotation_verified(&forged, &prev));
    }

    /// A draft-only attestation (`replacementKid`, no thumbprint) binds by the kid derived
    /// from the served key, not by the served label.
    #[test]
    fn a_draft_rotation_binds_by_the_derived_kid() {
        let (old, _) = keys();
        let new = SigningKey::from_bytes(&[4; 32]);
        let impostor = SigningKey::from_bytes(&[5; 32]);
        let prev = old.verifying_key();
        let mut att = Object::new();
        att.insert("type", Value::from("revocation"));
        att.insert("revokedKid", Value::from(prev.kid()));
        att.insert("replacementKid", Value::from(new.verifying_key().kid()));
        att.insert("signedAt", Value::from(time::format_rfc3339(NOW)));
        let rot = infallible(sign_object(&old, att));
        let honest = identity_document(&new, Some("label"), NOW, core::slice::from_ref(&rot));
        assert!(rotation_verified(&honest, &prev));
        let forged = identity_document(&impostor, Some(&new.verifying_key().kid()), NOW, &[rot]);
        assert!(!rotation_verified(&forged, &prev));
    }
}

//! `did:key` for Ed25519 (w3c-ccg did:key v0.9): parsing, formatting, DID URLs and DID
//! documents.
//!
//! A did:key is `did:key:z` + base58btc(`0xed 0x01` ‖ 32-byte public key), so every Ed25519
//! did:key starts with `did:key:z6Mk`. Parsing is strict: one spelling per key, no version
//! component, only the base58btc (`z`) multibase form, and the key must pass the same checks
//! as [`VerifyingKey::from_bytes`] (canonical, not small order).
//!
//! ```
//! use mcp_attest::{did_key, SigningKey, VerifyingKey};
//! let vk = SigningKey::from_bytes(&[7u8; 32]).verifying_key();
//! let did = vk.to_did_key();
//! assert!(did.starts_with("did:key:z6Mk"));
//! assert_eq!(VerifyingKey::from_did_key(&did).unwrap(), vk);
//! let doc = did_key::document(&vk, did_key::DocumentFormat::Multikey);
//! assert!(doc.contains("\"type\":\"Multikey\""));
//! ```

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::encoding;
use crate::error::{err, Result};
use crate::json::{Object, Value};
use crate::keys::{strip_multicodec, VerifyingKey};

/// Longest DID or DID URL accepted (an Ed25519 did:key is 56 characters; a DID URL with a
/// key fragment 105). Checked before base58 decoding, whose cost grows quadratically.
pub const MAX_DID_LENGTH: usize = 256;

/// The multicodec prefix of an X25519 public key (`x25519-pub`, 0xec as a varint).
pub const X25519_PUB_MULTICODEC: [u8; 2] = [0xec, 0x01];

/// Which verification-method style a DID document uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DocumentFormat {
    /// did:key v0.9: `Multikey` with `publicKeyMultibase`, context `did/v1.1`.
    #[default]
    Multikey,
    /// did:key v0.7: `Ed25519VerificationKey2020` / `X25519KeyAgreementKey2020`.
    Ed25519VerificationKey2020,
    /// `JsonWebKey` with `publicKeyJwk` (RFC 8037 OKP keys).
    JsonWebKey,
}

impl DocumentFormat {
    /// The stable snake_case name bindings use: `multikey`, `ed25519_verification_key_2020`,
    /// `json_web_key`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            DocumentFormat::Multikey => "multikey",
            DocumentFormat::Ed25519VerificationKey2020 => "ed25519_verification_key_2020",
            DocumentFormat::JsonWebKey => "json_web_key",
        }
    }

    /// The format named `name` (see [`DocumentFormat::as_str`]).
    #[must_use]
    pub fn from_name(name: &str) -> Option<DocumentFormat> {
        [
            DocumentFormat::Multikey,
            DocumentFormat::Ed25519VerificationKey2020,
            DocumentFormat::JsonWebKey,
        ]
        .into_iter()
        .find(|f| f.as_str() == name)
    }
}

/// What a DID URL's fragment names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DidUrlFragment {
    /// No fragment: the DID itself.
    None,
    /// `#z6Mk…`: the Ed25519 verification method.
    VerificationMethod,
    /// `#z6LS…`: the derived X25519 key-agreement method.
    KeyAgreement,
}

impl DidUrlFragment {
    /// The stable snake_case name: `none`, `verification_method`, `key_agreement`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            DidUrlFragment::None => "none",
            DidUrlFragment::VerificationMethod => "verification_method",
            DidUrlFragment::KeyAgreement => "key_agreement",
        }
    }
}

/// A parsed did:key DID URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DidUrl {
    /// The key the DID encodes.
    pub key: VerifyingKey,
    /// What the fragment names.
    pub fragment: DidUrlFragment,
}

impl VerifyingKey {
    /// The did:key of this key: `did:key:z6Mk…`.
    #[must_use]
    pub fn to_did_key(&self) -> String {
        let mut s = String::from("did:key:");
        s.push_str(&self.to_multibase());
        s
    }

    /// The verification-method id `did:key:z6Mk…#z6Mk…`, which is also the `kid` that JWS
    /// headers conventionally carry for a did:key signer.
    #[must_use]
    pub fn to_did_key_url(&self) -> String {
        let mb = self.to_multibase();
        alloc::format!("did:key:{mb}#{mb}")
    }

    /// The key a did:key encodes. A DID URL (with `#fragment`) is refused here; use
    /// [`parse_did_url`] for those.
    ///
    /// # Errors
    /// `malformed_did`, `unsupported_did_method`, `unsupported_key_type`,
    /// `invalid_key_length`, `invalid_key`, `weak_key`.
    pub fn from_did_key(did: &str) -> Result<VerifyingKey> {
        if did.contains(['#', '?', '/']) {
            return Err(err!(
                MalformedDid,
                "a DID has no path, query or fragment; use parse_did_url for DID URLs"
            ));
        }
        parse_did(did)
    }
}

/// The multibase form of the X25519 key derived from `key` (`z6LS…`).
#[must_use]
pub fn x25519_multibase(key: &VerifyingKey) -> String {
    let mut bytes = [0u8; 34];
    bytes[..2].copy_from_slice(&X25519_PUB_MULTICODEC);
    bytes[2..].copy_from_slice(&key.to_x25519());
    encoding::multibase_encode(&bytes)
}

/// Parses a did:key DID URL: the DID, optionally followed by `#` and the fragment of one of
/// its own verification methods.
///
/// ```
/// use mcp_attest::did_key::{parse_did_url, DidUrlFragment};
/// let url = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
/// assert_eq!(parse_did_url(url).unwrap().fragment, DidUrlFragment::VerificationMethod);
/// ```
///
/// # Errors
/// As [`VerifyingKey::from_did_key`], plus `invalid_did_url` for a path, a query or a
/// fragment that names no method of this DID (a resolver must never hand out another key's
/// method under this DID).
pub fn parse_did_url(url: &str) -> Result<DidUrl> {
    let (did, fragment) = match url.split_once('#') {
        Some((d, f)) => (d, Some(f)),
        None => (url, None),
    };
    if did.contains(['?', '/']) {
        return Err(err!(InvalidDidUrl, "did:key URLs have no path or query"));
    }
    let key = parse_did(did)?;
    let fragment = match fragment {
        None => DidUrlFragment::None,
        Some(f) if f == key.to_multibase() => DidUrlFragment::VerificationMethod,
        Some(f) if f == x25519_multibase(&key) => DidUrlFragment::KeyAgreement,
        Some(_) => {
            return Err(err!(
                InvalidDidUrl,
                "the fragment names no verification method of this DID (expected #{})",
                key.to_multibase()
            ))
        }
    };
    Ok(DidUrl { key, fragment })
}

fn parse_did(did: &str) -> Result<VerifyingKey> {
    if did.len() > MAX_DID_LENGTH {
        return Err(err!(
            MalformedDid,
            "DID is {} bytes; the limit is {}",
            did.len(),
            MAX_DID_LENGTH
        ));
    }
    let rest = did
        .strip_prefix("did:")
        .ok_or_else(|| err!(MalformedDid, "a DID starts with \"did:\""))?;
    let (method, id) = rest
        .split_once(':')
        .ok_or_else(|| err!(MalformedDid, "a DID is did:<method>:<method-specific-id>"))?;
    if method.is_empty()
        || !method
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        if method.eq_ignore_ascii_case("key") {
            return Err(err!(
                UnsupportedDidMethod,
                "DID method names are lowercase: did:key, not did:{}",
                method
            ));
        }
        return Err(err!(
            MalformedDid,
            "a DID method name is lowercase letters and digits"
        ));
    }
    if method != "key" {
        return Err(err!(
            UnsupportedDidMethod,
            "only did:key is supported, not did:{}",
            method
        ));
    }
    if id.is_empty() {
        return Err(err!(
            MalformedDid,
            "did:key has an empty method-specific id"
        ));
    }
    if id.contains(':') {
        return Err(err!(
            MalformedDid,
            "did:key version components are not supported; use did:key:z6Mk…"
        ));
    }
    let mb = id.strip_prefix('z').ok_or_else(|| {
        err!(
            MalformedDid,
            "a did:key value starts with 'z' (multibase base58btc)"
        )
    })?;
    let bytes = encoding::base58_decode(mb).map_err(|_| {
        err!(
            MalformedDid,
            "a did:key value is base58btc; it has a character outside that alphabet"
        )
    })?;
    let raw = strip_multicodec(&bytes)?;
    let key = VerifyingKey::from_slice(raw)?;
    Ok(key)
}

/// The DID document of `key` in the given style, as compact JSON (RFC 8785 canonical form).
#[must_use]
pub fn document(key: &VerifyingKey, format: DocumentFormat) -> String {
    document_value(key, format).to_jcs()
}

/// The DID document of `key` as a JSON value.
#[must_use]
pub fn document_value(key: &VerifyingKey, format: DocumentFormat) -> Value {
    let did = key.to_did_key();
    let mb = key.to_multibase();
    let xmb = x25519_multibase(key);
    let vm_id = alloc::format!("{did}#{mb}");
    let ka_id = alloc::format!("{did}#{xmb}");

    let (context, vm_type, ka_type): (Vec<&str>, &str, &str) = match format {
        DocumentFormat::Multikey => (
            vec!["https://www.w3.org/ns/did/v1.1"],
            "Multikey",
            "Multikey",
        ),
        DocumentFormat::Ed25519VerificationKey2020 => (
            vec![
                "https://www.w3.org/ns/did/v1",
                "https://w3id.org/security/suites/ed25519-2020/v1",
                "https://w3id.org/security/suites/x25519-2020/v1",
            ],
            "Ed25519VerificationKey2020",
            "X25519KeyAgreementKey2020",
        ),
        DocumentFormat::JsonWebKey => (
            vec!["https://www.w3.org/ns/did/v1.1"],
            "JsonWebKey",
            "JsonWebKey",
        ),
    };

    let method = |id: &str, ty: &str, material: (&str, Value)| -> Value {
        let mut o = Object::new();
        o.insert("id", Value::from(id));
        o.insert("type", Value::from(ty));
        o.insert("controller", Value::from(did.as_str()));
        o.insert(material.0, material.1);
        Value::Object(o)
    };
    let (vm, ka) = match format {
        DocumentFormat::JsonWebKey => (
            method(
                &vm_id,
                vm_type,
                ("publicKeyJwk", okp_jwk("Ed25519", key.as_bytes())),
            ),
            method(
                &ka_id,
                ka_type,
                ("publicKeyJwk", okp_jwk("X25519", &key.to_x25519())),
            ),
        ),
        _ => (
            method(
                &vm_id,
                vm_type,
                ("publicKeyMultibase", Value::from(mb.as_str())),
            ),
            method(
                &ka_id,
                ka_type,
                ("publicKeyMultibase", Value::from(xmb.as_str())),
            ),
        ),
    };

    let refs = || Value::Array(vec![Value::from(vm_id.as_str())]);
    let mut doc = Object::new();
    doc.insert(
        "@context",
        Value::Array(context.into_iter().map(Value::from).collect()),
    );
    doc.insert("id", Value::from(did.as_str()));
    doc.insert("verificationMethod", Value::Array(vec![vm]));
    doc.insert("authentication", refs());
    doc.insert("assertionMethod", refs());
    doc.insert("capabilityDelegation", refs());
    doc.insert("capabilityInvocation", refs());
    doc.insert("keyAgreement", Value::Array(vec![ka]));
    Value::Object(doc)
}

fn okp_jwk(crv: &str, x: &[u8]) -> Value {
    let mut o = Object::new();
    o.insert("kty", Value::from("OKP"));
    o.insert("crv", Value::from(crv));
    o.insert("x", Value::from(encoding::base64url_encode(x)));
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    const DID: &str = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";

    #[test]
    fn round_trip_and_x25519() {
        let vk = VerifyingKey::from_did_key(DID).unwrap();
        assert_eq!(vk.to_did_key(), DID);
        assert_eq!(
            x25519_multibase(&vk),
            "z6LSj72tK8brWgZja8NLRwPigth2T9QRiG1uH9oKZuKjdh9p"
        );
    }

    #[test]
    fn rejects_other_methods_versions_and_fragments() {
        let code = |s: &str| VerifyingKey::from_did_key(s).unwrap_err().code();
        assert_eq!(code("did:web:example.com"), ErrorCode::UnsupportedDidMethod);
        assert_eq!(code("did:KEY:z6Mk"), ErrorCode::UnsupportedDidMethod);
        assert_eq!(
            code("did:key:1:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
            ErrorCode::MalformedDid
        );
        assert_eq!(code("did:key"), ErrorCode::MalformedDid);
        assert_eq!(code(&alloc::format!("{DID}#x")), ErrorCode::MalformedDid);
        assert_eq!(code(&"did:key:z".repeat(100)), ErrorCode::MalformedDid);
        let e = parse_did_url(&alloc::format!(
            "{DID}#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
        ))
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidDidUrl);
        assert_eq!(
            parse_did_url(&alloc::format!("{DID}?x=1"))
                .unwrap_err()
                .code(),
            ErrorCode::InvalidDidUrl
        );
        let ka = parse_did_url(&alloc::format!(
            "{DID}#z6LSj72tK8brWgZja8NLRwPigth2T9QRiG1uH9oKZuKjdh9p"
        ))
        .unwrap();
        assert_eq!(ka.fragment, DidUrlFragment::KeyAgreement);
    }

    #[test]
    fn documents_name_the_key_in_every_format() {
        let vk = VerifyingKey::from_did_key(DID).unwrap();
        for f in [
            DocumentFormat::Multikey,
            DocumentFormat::Ed25519VerificationKey2020,
            DocumentFormat::JsonWebKey,
        ] {
            let doc = document_value(&vk, f);
            assert_eq!(doc.get("id").and_then(Value::as_str), Some(DID));
            let text = document(&vk, f);
            assert_eq!(crate::json::parse(&text).unwrap().to_jcs(), doc.to_jcs());
        }
    }
}

//! DNS and registry records that publish a server key.
//!
//! Two formats, both generated and parsed:
//!
//! - the ext-auth DNS record, `_mcp-identity.<domain> TXT "v=mcp1; kid=<kid>; fp=<fp>"`,
//!   where `fp` = base64url(SHA-256(raw public key)) and `kid` defaults to the ext-auth key id;
//! - the MCP Registry proof, `v=MCPv1; k=ed25519; p=<standard base64 of the raw key>`, which the
//!   registry reads at the domain apex or at `/.well-known/mcp-registry-auth`.
//!
//! Mismatch errors print the exact record that was expected, because the common failure in
//! practice is a stale or misplaced record, and the fix is to paste the right one.
//!
//! ```
//! use mcp_attest::{records, SigningKey};
//! let vk = SigningKey::from_bytes(&[7u8; 32]).verifying_key();
//! let txt = records::dns_record(&vk);
//! let parsed = records::DnsRecord::parse(&txt).unwrap();
//! assert!(parsed.verify(&vk, None).is_ok());
//! let proof = records::registry_record(&vk);
//! assert!(proof.starts_with("v=MCPv1; k=ed25519; p="));
//! assert_eq!(records::RegistryRecord::parse(&proof).unwrap().verifying_key().unwrap(), vk);
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::encoding;
use crate::error::{err, excerpt, Error, Result};
use crate::keys::VerifyingKey;

/// Longest record text accepted (a TXT record's strings add up to far less in practice).
pub const MAX_RECORD_LENGTH: usize = 2048;

/// The DNS name that holds the ext-auth record for `domain`: `_mcp-identity.<domain>`.
///
/// # Errors
/// `malformed_record` if `domain` is not a plausible host name.
pub fn dns_record_name(domain: &str) -> Result<String> {
    let d = domain.strip_suffix('.').unwrap_or(domain);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if d.is_empty() || d.len() > 253 || !d.split('.').all(label_ok) {
        return Err(err!(
            MalformedRecord,
            "{:?} is not a DNS host name",
            excerpt(domain)
        ));
    }
    Ok(alloc::format!("_mcp-identity.{}", d.to_ascii_lowercase()))
}

/// The ext-auth DNS TXT record value for `key`, with the default key id.
#[must_use]
pub fn dns_record(key: &VerifyingKey) -> String {
    dns_record_with_kid(key, &key.kid())
}

/// The ext-auth DNS TXT record value for `key` with a caller-chosen key id.
#[must_use]
pub fn dns_record_with_kid(key: &VerifyingKey, kid: &str) -> String {
    alloc::format!("v=mcp1; kid={}; fp={}", kid, key.fingerprint())
}

/// What the TXT records at a domain's `_mcp-identity` name say about `key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsVerdict {
    /// A `v=mcp1` record names the key: the index of the first that does (during a
    /// rotation both keys' records are published, so one match is enough).
    Match(usize),
    /// No `v=mcp1` record: the domain publishes no key.
    Absent,
    /// `v=mcp1` records exist and none names the key: the first one's error.
    Mismatch(Error),
}

/// Judges the TXT records found at [`dns_record_name`] (each record's strings joined): other
/// TXT records may share the name (verification tokens and the like), so only `v=mcp1`
/// records count. The one rule for the CLI's `dns check` and the client session.
///
/// ```
/// use mcp_attest::records::{self, DnsVerdict};
/// use mcp_attest::SigningKey;
/// let vk = SigningKey::from_bytes(&[1; 32]).verifying_key();
/// let other = SigningKey::from_bytes(&[2; 32]).verifying_key();
/// let txt = [String::from("google-site-verification=x"), records::dns_record(&vk)];
/// assert_eq!(records::judge_dns_records(&txt, &vk, None), DnsVerdict::Match(1));
/// assert!(matches!(records::judge_dns_records(&txt, &other, None), DnsVerdict::Mismatch(_)));
/// assert_eq!(records::judge_dns_records(&txt[..1], &vk, None), DnsVerdict::Absent);
/// ```
#[must_use]
pub fn judge_dns_records<T: AsRef<str>>(
    found: &[T],
    key: &VerifyingKey,
    kid: Option<&str>,
) -> DnsVerdict {
    let mut first_err = None;
    for (i, text) in found.iter().map(AsRef::as_ref).enumerate() {
        if !text
            .trim_start()
            .trim_start_matches('"')
            .starts_with("v=mcp1")
        {
            continue;
        }
        match DnsRecord::parse(text).and_then(|r| r.verify(key, kid)) {
            Ok(()) => return DnsVerdict::Match(i),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    first_err.map_or(DnsVerdict::Absent, DnsVerdict::Mismatch)
}

/// A parsed ext-auth DNS record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsRecord {
    /// The key id the record names.
    pub kid: String,
    /// base64url(SHA-256(raw public key)).
    pub fp: String,
}

impl DnsRecord {
    /// Parses a TXT record value. Accepts it as DNS tools print it too: wrapped in quotes, or
    /// split into several quoted strings (`"v=mcp1; " "kid=…"`), which are concatenated.
    ///
    /// # Errors
    /// `input_too_large`, `malformed_record` (wrong version, missing, repeated or empty
    /// fields, or an `fp` that is not 32 bytes of base64url).
    pub fn parse(text: &str) -> Result<DnsRecord> {
        let joined = unquote_txt(text)?;
        let fields = split_fields(&joined)?;
        match fields.first() {
            Some(("v", "mcp1")) => {}
            Some(("v", v)) => {
                return Err(err!(
                    MalformedRecord,
                    "unsupported record version v={}; expected v=mcp1",
                    excerpt(v)
                ))
            }
            _ => return Err(err!(MalformedRecord, "the record must start with v=mcp1")),
        }
        let kid = required(&fields, "kid")?;
        let fp = required(&fields, "fp")?;
        if encoding::base64url_decode_array::<32>(fp).is_err() {
            return Err(err!(
                MalformedRecord,
                "fp must be base64url (unpadded) of the 32-byte SHA-256 of the raw public key, got {:?}",
                excerpt(fp)
            ));
        }
        Ok(DnsRecord {
            kid: String::from(kid),
            fp: String::from(fp),
        })
    }

    /// Checks that the record names `key` (and `kid`, or the key's default ext-auth kid).
    ///
    /// # Errors
    /// `record_mismatch`, with the expected record in the message.
    pub fn verify(&self, key: &VerifyingKey, kid: Option<&str>) -> Result<()> {
        let default_kid = key.kid();
        let kid = kid.unwrap_or(&default_kid);
        let expected = dns_record_with_kid(key, kid);
        if self.fp != key.fingerprint() {
            return Err(err!(
                RecordMismatch,
                "the DNS record's fp is for another key (a stale record after rotation?); expected TXT \"{}\"",
                expected
            ));
        }
        if self.kid != kid {
            return Err(err!(
                RecordMismatch,
                "the DNS record names kid {:?}; expected TXT \"{}\"",
                excerpt(&self.kid),
                expected
            ));
        }
        Ok(())
    }
}

/// The MCP Registry proof record for `key`: `v=MCPv1; k=ed25519; p=<base64>`.
#[must_use]
pub fn registry_record(key: &VerifyingKey) -> String {
    alloc::format!(
        "v=MCPv1; k=ed25519; p={}",
        encoding::base64_encode(key.as_bytes())
    )
}

/// A parsed MCP Registry proof record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryRecord {
    /// The `k=` algorithm (`ed25519`, or `ecdsap384`, which parses but cannot be used here).
    pub algorithm: String,
    /// The decoded `p=` key bytes.
    pub public_key: Vec<u8>,
}

impl RegistryRecord {
    /// Parses a registry proof record with the registry's own grammar
    /// (`v=MCPv1;\s*k=([^;]+);\s*p=([A-Za-z0-9+/=]+)`), also accepting TXT quoting.
    ///
    /// # Errors
    /// `input_too_large`, `malformed_record` (a hex `p=`, a common mistake, is named as such).
    pub fn parse(text: &str) -> Result<RegistryRecord> {
        let joined = unquote_txt(text)?;
        let rest = joined
            .trim()
            .strip_prefix("v=MCPv1;")
            .ok_or_else(|| err!(MalformedRecord, "a registry proof starts with v=MCPv1;"))?;
        let rest = rest.trim_start().strip_prefix("k=").ok_or_else(|| {
            err!(
                MalformedRecord,
                "a registry proof has k=<algorithm> after v=MCPv1;"
            )
        })?;
        let (alg, rest) = rest
            .split_once(';')
            .ok_or_else(|| err!(MalformedRecord, "a registry proof has p=<key> after k=…;"))?;
        let p = rest
            .trim_start()
            .strip_prefix("p=")
            .ok_or_else(|| err!(MalformedRecord, "a registry proof has p=<key> after k=…;"))?
            .trim_end();
        let alg = alg.trim();
        if alg.is_empty() {
            return Err(err!(MalformedRecord, "empty k= in registry proof"));
        }
        if p.len() == 64 && p.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(err!(
                MalformedRecord,
                "p= looks like hex; the registry reads standard base64 of the raw key (p={} for that key)",
                encoding::hex_decode(p).map(|b| encoding::base64_encode(&b)).unwrap_or_default()
            ));
        }
        if !p
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
            || p.is_empty()
        {
            return Err(err!(
                MalformedRecord,
                "p= must be standard base64 (A-Z a-z 0-9 + / =)"
            ));
        }
        let public_key = encoding::base64_decode(p)
            .map_err(|_| err!(MalformedRecord, "p= is not canonical padded base64"))?;
        Ok(RegistryRecord {
            algorithm: String::from(alg),
            public_key,
        })
    }

    /// The Ed25519 key the record publishes.
    ///
    /// # Errors
    /// `unsupported_key_type` for `k=ecdsap384` or another algorithm; key errors otherwise.
    pub fn verifying_key(&self) -> Result<VerifyingKey> {
        if self.algorithm != "ed25519" {
            return Err(err!(
                UnsupportedKeyType,
                "registry proof uses k={}; this library verifies k=ed25519 only",
                excerpt(&self.algorithm)
            ));
        }
        VerifyingKey::from_slice(&self.public_key)
    }

    /// Checks that the record publishes `key`.
    ///
    /// # Errors
    /// `record_mismatch` (also for another algorithm than ed25519), with the expected record
    /// in the message.
    pub fn verify(&self, key: &VerifyingKey) -> Result<()> {
        if self.algorithm != "ed25519" || self.public_key.as_slice() != key.as_bytes() {
            return Err(err!(
                RecordMismatch,
                "the registry proof publishes another key; expected \"{}\"",
                registry_record(key)
            ));
        }
        Ok(())
    }
}

/// Joins a TXT value given either bare or as one or more quoted character-strings.
fn unquote_txt(text: &str) -> Result<String> {
    if text.len() > MAX_RECORD_LENGTH {
        return Err(err!(
            InputTooLarge,
            "record is {} bytes; the limit is {}",
            text.len(),
            MAX_RECORD_LENGTH
        ));
    }
    let t = text.trim();
    if !t.starts_with('"') {
        return Ok(String::from(t));
    }
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(r) = rest.strip_prefix('"') {
        let end = r
            .find('"')
            .ok_or_else(|| err!(MalformedRecord, "unterminated quoted TXT string"))?;
        out.push_str(r.get(..end).unwrap_or(""));
        rest = r.get(end + 1..).unwrap_or("").trim_start();
    }
    if !rest.is_empty() {
        return Err(err!(MalformedRecord, "text outside the quoted TXT strings"));
    }
    Ok(out)
}

/// Splits `a=b; c=d` into pairs, refusing empty and repeated names.
fn split_fields(text: &str) -> Result<Vec<(&str, &str)>> {
    let mut fields: Vec<(&str, &str)> = Vec::new();
    // A set, not a scan of `fields`: a 2 KiB record holds ~680 fields. A map to a unit count
    // rather than a `BTreeSet<&str>`: the tools-list check already carries this map type, and
    // each B-tree type is its own copy of the code in the wasm the browsers download (#14).
    let mut names: alloc::collections::BTreeMap<&str, usize> = alloc::collections::BTreeMap::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').ok_or_else(|| {
            err!(
                MalformedRecord,
                "record field {:?} is not name=value",
                excerpt(part)
            )
        })?;
        let (k, v) = (k.trim(), v.trim());
        if names.insert(k, 1).is_some() {
            return Err(err!(
                MalformedRecord,
                "record field {} appears twice",
                excerpt(k)
            ));
        }
        fields.push((k, v));
    }
    Ok(fields)
}

fn required<'a>(fields: &[(&'a str, &'a str)], name: &str) -> Result<&'a str> {
    match fields.iter().find(|(k, _)| *k == name) {
        Some((_, v)) if !v.is_empty() => Ok(v),
        _ => Err(err!(MalformedRecord, "the record has no {}= field", name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn rfc_key() -> VerifyingKey {
        let pk = encoding::hex_decode(
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        )
        .unwrap();
        VerifyingKey::from_slice(&pk).unwrap()
    }

    #[test]
    fn records_match_the_computed_reference_values() {
        let vk = rfc_key();
        assert_eq!(
            dns_record(&vk),
            "v=mcp1; kid=If4x36FUomFia_hUBG_SJw; fp=If4x36FUomFia_hUBG_SJxt77UtqvkWqWId-9H-XIbk"
        );
        assert_eq!(
            registry_record(&vk),
            "v=MCPv1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
        );
        assert_eq!(
            dns_record_name("Example.com.").unwrap(),
            "_mcp-identity.example.com"
        );
        assert_eq!(
            dns_record_name("bad_domain").unwrap_err().code(),
            ErrorCode::MalformedRecord
        );
    }

    #[test]
    fn dns_record_parses_split_quoted_strings() {
        let r = DnsRecord::parse(r#""v=mcp1; kid=If4x36FUomFia_hUBG_SJw; " "fp=If4x36FUomFia_hUBG_SJxt77UtqvkWqWId-9H-XIbk""#)
            .unwrap();
        assert!(r.verify(&rfc_key(), None).is_ok());
        let e = r
            .verify(
                &crate::SigningKey::from_bytes(&[1; 32]).verifying_key(),
                None,
            )
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::RecordMismatch);
        assert!(e.message().contains("v=mcp1; kid="), "{e}");
    }

    #[test]
    fn dns_record_errors() {
        for bad in [
            "",
            "v=mcp2; kid=a; fp=b",
            "kid=a; v=mcp1",
            "v=mcp1; kid=a",
            "v=mcp1; kid=a; kid=b; fp=c",
            "v=mcp1; kid=a; fp=short",
            "\"v=mcp1",
        ] {
            assert_eq!(
                DnsRecord::parse(bad).unwrap_err().code(),
                ErrorCode::MalformedRecord,
                "{bad}"
            );
        }
    }

    #[test]
    fn registry_record_errors_and_hex_hint() {
        let hex = "v=MCPv1; k=ed25519; p=d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
        let e = RegistryRecord::parse(hex).unwrap_err();
        assert_eq!(e.code(), ErrorCode::MalformedRecord);
        assert!(
            e.message()
                .contains("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="),
            "{e}"
        );
        let p384 = RegistryRecord::parse("v=MCPv1; k=ecdsap384; p=AAAA").unwrap();
        assert_eq!(
            p384.verifying_key().unwrap_err().code(),
            ErrorCode::UnsupportedKeyType
        );
        assert_eq!(
            p384.verify(&rfc_key()).unwrap_err().code(),
            ErrorCode::RecordMismatch
        );
        assert_eq!(
            RegistryRecord::parse("v=MCPv1;k=ed25519;p=!!")
                .unwrap_err()
                .code(),
            ErrorCode::MalformedRecord
        );
        assert_eq!(
            RegistryRecord::parse(&"x".repeat(5000)).unwrap_err().code(),
            ErrorCode::InputTooLarge
        );
    }
}

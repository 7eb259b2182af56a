//! The client's trust store: pinned server identities (trust on first use), trusted issuers
//! and revocation lists, serialised to versioned JSON so a host can persist it.
//!
//! ```
//! use mcp_attest::{trust::{PinStatus, TrustStore}, SigningKey, ErrorCode};
//! let mut store = TrustStore::new();
//! let server = SigningKey::from_bytes(&[1u8; 32]).verifying_key();
//! assert_eq!(store.check_pin("https://mcp.example.com", &server, 100).unwrap(), PinStatus::FirstUse);
//! assert_eq!(store.check_pin("https://mcp.example.com", &server, 200).unwrap(), PinStatus::Match);
//! let impostor = SigningKey::from_bytes(&[2u8; 32]).verifying_key();
//! let err = store.check_pin("https://mcp.example.com", &impostor, 300).unwrap_err();
//! assert_eq!(err.code(), ErrorCode::PinnedKeyChanged);
//! let saved = store.to_json();
//! assert_eq!(TrustStore::from_json(&saved).unwrap(), store);
//! ```

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{err, excerpt, Result};
use crate::issuer::TrustedIssuer;
use crate::json::{self, Limits, Number, Object, Value};
use crate::jws;
use crate::keys::VerifyingKey;
use crate::names::NameMap;
use crate::revocation::RevocationList;

/// The trust store JSON format version this library writes. It reads this one and version 1
/// (which had no accepted tools).
pub const TRUST_STORE_VERSION: u64 = 2;
/// Largest trust store text accepted (16 MiB).
pub const MAX_TRUST_STORE_BYTES: usize = 16 << 20;

/// The outcome of a pin check that did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinStatus {
    /// The server was unknown; its key is now pinned.
    FirstUse,
    /// The server presented its pinned key.
    Match,
}

impl PinStatus {
    /// The stable snake_case name: `first_use`, `match`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            PinStatus::FirstUse => "first_use",
            PinStatus::Match => "match",
        }
    }
}

/// One pinned server identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pin {
    /// The pinned key.
    pub key: VerifyingKey,
    /// When it was first seen, Unix seconds.
    pub first_seen: u64,
    /// When it was last seen, Unix seconds.
    pub last_seen: u64,
}

/// A tool as the client last accepted it from a server: its content hash and one hash per
/// field a host shows its user (see [`crate::session`]), so a later change can say which
/// fields changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptedTool {
    /// The content hash ([`crate::tool::content_hash`]).
    pub hash: String,
    /// Field name (`title`, `description`, `inputSchema`, `outputSchema`, `annotations`) →
    /// `sha256-<base64url>` of its JCS; absent fields are not listed.
    pub fields: BTreeMap<String, String>,
}

/// Pins, trusted issuers, revocation lists and the tools accepted from each server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustStore {
    pins: NameMap<String, Pin>,
    issuers: Vec<TrustedIssuer>,
    revocations: Vec<(String, RevocationList)>,
    /// Server → tool name → the version accepted. Kept when a tool disappears from a list,
    /// so a tool removed and re-added changed is still reported as changed.
    tools: NameMap<String, BTreeMap<String, AcceptedTool>>,
}

impl TrustStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> TrustStore {
        TrustStore::default()
    }

    /// Checks `key` against the pin for `server` (any stable server identifier: a URL, a
    /// command line, a registry name). Unknown servers are pinned (trust on first use).
    ///
    /// # Errors
    /// `pinned_key_changed`, with both DIDs and fingerprints in the message.
    pub fn check_pin(&mut self, server: &str, key: &VerifyingKey, now: u64) -> Result<PinStatus> {
        match self.pins.get_mut(server) {
            None => {
                self.pins.insert(String::from(server), Pin { key: *key, first_seen: now, last_seen: now });
                Ok(PinStatus::FirstUse)
            }
            Some(pin) if pin.key == *key => {
                pin.last_seen = pin.last_seen.max(now);
                Ok(PinStatus::Match)
            }
            Some(pin) => Err(err!(
                PinnedKeyChanged,
                "server {:?} presented key {} (fingerprint {}) but {} (fingerprint {}) is pinned since {}; \
                 if the server rotated its key on purpose, remove the pin and check again",
                excerpt(server),
                key.to_did_key(),
                key.fingerprint(),
                pin.key.to_did_key(),
                pin.key.fingerprint(),
                crate::time::format_rfc3339(pin.first_seen)
            )),
        }
    }

    /// Pins `key` for `server`, replacing any pin (an explicit, user-approved rotation).
    pub fn pin(&mut self, server: &str, key: &VerifyingKey, now: u64) {
        self.pins.insert(
            String::from(server),
            Pin {
                key: *key,
                first_seen: now,
                last_seen: now,
            },
        );
    }

    /// Removes the pin for `server`, and the tools accepted from it; returns the pin.
    pub fn unpin(&mut self, server: &str) -> Option<Pin> {
        self.tools.remove(server);
        self.pins.remove(server)
    }

    /// The tools accepted from `server`, by name.
    #[must_use]
    pub fn accepted_tools(&self, server: &str) -> Option<&BTreeMap<String, AcceptedTool>> {
        self.tools.get(server)
    }

    /// Records `tool` as the accepted version of `name` from `server` (replacing an earlier
    /// one: this is also how a host accepts a changed tool after asking its user).
    pub fn accept_tool(&mut self, server: &str, name: &str, tool: AcceptedTool) {
        if let Some(set) = self.tools.get_or_default(String::from(server)) {
            set.insert(String::from(name), tool);
        }
    }

    /// Forgets the accepted version of `name` from `server`; returns it.
    pub fn forget_tool(&mut self, server: &str, name: &str) -> Option<AcceptedTool> {
        let set = self.tools.get_mut(server)?;
        let gone = set.remove(name);
        if set.is_empty() {
            self.tools.remove(server);
        }
        gone
    }

    /// The pin for `server`.
    #[must_use]
    pub fn pinned(&self, server: &str) -> Option<&Pin> {
        self.pins.get(server)
    }

    /// Trusts `issuer` (replacing an issuer with the same id).
    pub fn add_issuer(&mut self, issuer: TrustedIssuer) {
        self.issuers.retain(|i| i.id() != issuer.id());
        self.issuers.push(issuer);
    }

    /// The trusted issuers.
    #[must_use]
    pub fn issuers(&self) -> &[TrustedIssuer] {
        &self.issuers
    }

    /// Verifies a revocation list under the trusted issuers and adds it. A newer list from the
    /// same issuer replaces an older one; an older one than held is ignored (returns false).
    ///
    /// # Errors
    /// As [`RevocationList::verify`].
    pub fn add_revocation_list(&mut self, token: &str, now: u64) -> Result<bool> {
        let list = RevocationList::verify(token, &self.issuers, Some(now))?;
        if let Some(pos) = self
            .revocations
            .iter()
            .position(|(_, l)| l.issuer() == list.issuer())
        {
            if self
                .revocations
                .get(pos)
                .is_some_and(|(_, l)| l.issued_at() >= list.issued_at())
            {
                return Ok(false);
            }
            self.revocations.remove(pos);
        }
        self.revocations.push((String::from(token), list));
        Ok(true)
    }

    /// The verified revocation lists, for passport and identity verification.
    #[must_use]
    pub fn revocation_lists(&self) -> Vec<RevocationList> {
        self.revocations.iter().map(|(_, l)| l.clone()).collect()
    }

    /// Checks `key` and its DID against every revocation list.
    ///
    /// # Errors
    /// `revoked`, naming the entry and the issuer.
    pub fn check_revoked(&self, key: &VerifyingKey) -> Result<()> {
        let did = key.to_did_key();
        for (_, l) in &self.revocations {
            l.check_key(key)?;
            l.check_did(&did)?;
        }
        Ok(())
    }

    /// The store as versioned JSON (RFC 8785 canonical, so equal stores give equal text).
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut o = Object::new();
        o.insert("version", Value::from_u64(TRUST_STORE_VERSION));
        let pins = self
            .pins
            .iter()
            .map(|(server, p)| {
                let mut e = Object::new();
                e.insert("server", Value::from(server.as_str()));
                e.insert("did", Value::from(p.key.to_did_key()));
                e.insert("firstSeen", Value::from_u64(p.first_seen));
                e.insert("lastSeen", Value::from_u64(p.last_seen));
                Value::Object(e)
            })
            .collect();
        o.insert("pins", Value::Array(pins));
        o.insert(
            "issuers",
            Value::Array(self.issuers.iter().map(TrustedIssuer::to_value).collect()),
        );
        o.insert(
            "revocationLists",
            Value::Array(
                self.revocations
                    .iter()
                    .map(|(t, _)| Value::from(t.as_str()))
                    .collect(),
            ),
        );
        let mut accepted = Vec::new();
        for (server, set) in self.tools.iter() {
            for (name, t) in set {
                let mut e = Object::new();
                e.insert("server", Value::from(server.as_str()));
                e.insert("name", Value::from(name.as_str()));
                e.insert("hash", Value::from(t.hash.as_str()));
                let mut f = Object::new();
                for (k, v) in &t.fields {
                    f.insert(k, Value::from(v.as_str()));
                }
                e.insert("fields", Value::Object(f));
                accepted.push(Value::Object(e));
            }
        }
        o.insert("acceptedTools", Value::Array(accepted));
        Value::Object(o).to_jcs()
    }

    /// Loads a store written by [`TrustStore::to_json`]. Revocation lists are re-verified
    /// under the stored issuers (signature and shape; a revocation never lapses, so their
    /// `exp` is not applied here).
    ///
    /// # Errors
    /// `input_too_large`, JSON errors, `malformed_trust_store` (including another version),
    /// key and revocation-list errors.
    pub fn from_json(text: &str) -> Result<TrustStore> {
        let v = json::parse_with_limits(
            text,
            Limits {
                max_bytes: MAX_TRUST_STORE_BYTES,
                max_depth: 16,
            },
        )?;
        let bad = |what: &str| err!(MalformedTrustStore, "trust store: {}", what);
        let o = v.as_object().ok_or_else(|| bad("not a JSON object"))?;
        let version = o
            .get("version")
            .and_then(Value::as_number)
            .and_then(Number::as_u64);
        match version {
            Some(1 | TRUST_STORE_VERSION) => {}
            Some(other) => {
                return Err(err!(
                    MalformedTrustStore,
                    "trust store version {} is not supported (this library reads version {})",
                    other,
                    TRUST_STORE_VERSION
                ))
            }
            None => return Err(bad("no integer version")),
        }
        let array = |name: &str| {
            o.get(name)
                .and_then(Value::as_array)
                .ok_or_else(|| bad("a pins, issuers or revocationLists array is missing"))
        };
        let mut store = TrustStore::new();
        for p in array("pins")? {
            let server = p
                .get("server")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("a pin has no server"))?;
            let did = p
                .get("did")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("a pin has no did"))?;
            let time = |n: &str| p.get(n).and_then(Value::as_number).and_then(Number::as_u64);
            let (first_seen, last_seen) = match (time("firstSeen"), time("lastSeen")) {
                (Some(f), Some(l)) => (f, l),
                _ => return Err(bad("a pin has no firstSeen/lastSeen")),
            };
            let pin = Pin {
                key: VerifyingKey::from_did_key(did)?,
                first_seen,
                last_seen,
            };
            if store.pins.insert(String::from(server), pin).is_some() {
                return Err(err!(
                    MalformedTrustStore,
                    "trust store: server {:?} is pinned twice",
                    excerpt(server)
                ));
            }
        }
        // Loading keeps the rules of adding: one entry per issuer id, one list per issuer.
        // Ids are looked up in maps, not by scanning: a 16 MiB store holds ~10⁵ issuers
        // and ~10⁴ lists, and a scan per entry would make loading quadratic.
        let mut issuer_at: BTreeMap<String, usize> = BTreeMap::new();
        for i in array("issuers")? {
            let issuer = TrustedIssuer::from_value(i)?;
            if issuer_at
                .insert(String::from(issuer.id()), store.issuers.len())
                .is_some()
            {
                return Err(err!(
                    MalformedTrustStore,
                    "trust store: issuer {:?} is listed twice",
                    excerpt(issuer.id())
                ));
            }
            store.issuers.push(issuer);
        }
        // The same map type as `issuer_at` (and `json::Object`'s index): one copy of the
        // code in the WebAssembly build.
        let mut list_issuers: BTreeMap<String, usize> = BTreeMap::new();
        for t in array("revocationLists")? {
            let token = t
                .as_str()
                .ok_or_else(|| bad("a revocation list is not a string"))?;
            // Only the issuer the list names can verify it; handing `verify` that one
            // issuer (or none) gives the same verdict as the whole slice without its scan.
            let named = jws::parse(token, crate::revocation::MAX_REVOCATION_BYTES)
                .ok()
                .and_then(|p| {
                    p.unverified_claims()
                        .get("iss")
                        .and_then(Value::as_str)
                        .map(|iss| issuer_at.get(iss).copied())
                });
            let candidates = match named {
                Some(Some(at)) => store.issuers.get(at..=at).unwrap_or_default(),
                Some(None) => &[],
                None => store.issuers.as_slice(),
            };
            let list = RevocationList::verify(token, candidates, None)?;
            if list_issuers
                .insert(String::from(list.issuer()), store.revocations.len())
                .is_some()
            {
                return Err(err!(
                    MalformedTrustStore,
                    "trust store: two revocation lists from {:?}",
                    excerpt(list.issuer())
                ));
            }
            store.revocations.push((String::from(token), list));
        }
        if version == Some(TRUST_STORE_VERSION) {
            for t in array("acceptedTools")? {
                let text = |n: &str| {
                    t.get(n)
                        .and_then(Value::as_str)
                        .ok_or_else(|| bad("an accepted tool needs server, name and hash strings"))
                };
                let mut fields = BTreeMap::new();
                let f = t
                    .get("fields")
                    .and_then(Value::as_object)
                    .ok_or_else(|| bad("an accepted tool has no fields object"))?;
                for (k, v) in f.iter() {
                    let v = v
                        .as_str()
                        .ok_or_else(|| bad("an accepted tool's field hash is not a string"))?;
                    fields.insert(String::from(k), String::from(v));
                }
                let (server, name) = (text("server")?, text("name")?);
                let tool = AcceptedTool {
                    hash: String::from(text("hash")?),
                    fields,
                };
                let set = store
                    .tools
                    .get_or_default(String::from(server))
                    .ok_or_else(|| bad("an accepted tool's server could not be recorded"))?;
                if set.insert(String::from(name), tool).is_some() {
                    return Err(err!(
                        MalformedTrustStore,
                        "trust store: tool {:?} of {:?} is listed twice",
                        excerpt(name),
                        excerpt(server)
                    ));
                }
            }
        }
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revocation::{self, Entry};
    use crate::{ErrorCode, SigningKey};

    // Pins and accepted tools live in `NameMap`s: positions in a vector behind the B-tree.
    // Removing a server moves the last value into its slot; the moved server must follow.
    #[test]
    fn unpinning_keeps_every_other_pin_and_tool_set_reachable_and_stores_compare_by_content() {
        let key = |b: u8| SigningKey::from_bytes(&[b; 32]).verifying_key();
        let tool = |h: &str| AcceptedTool {
            hash: String::from(h),
            fields: BTreeMap::new(),
        };
        let mut s = TrustStore::new();
        for (i, server) in ["c", "a", "d", "b"].into_iter().enumerate() {
            s.pin(server, &key(i as u8 + 1), 10);
            s.accept_tool(server, "t", tool(server));
        }
        assert_eq!(s.unpin("c").unwrap().key, key(1));
        assert_eq!(s.unpin("c"), None);
        for (server, b) in [("a", 2), ("d", 3), ("b", 4)] {
            assert_eq!(s.pinned(server).unwrap().key, key(b), "{server}");
            assert_eq!(s.accepted_tools(server).unwrap()["t"].hash, server);
        }
        assert!(s.pinned("c").is_none() && s.accepted_tools("c").is_none());
        assert_eq!(s.forget_tool("d", "t").unwrap().hash, "d");
        assert!(s.accepted_tools("d").is_none() && s.accepted_tools("b").is_some());
        // The same content built in another order is the same store, and so is its reload.
        let mut t = TrustStore::new();
        for (server, b) in [("b", 4), ("d", 3), ("a", 2)] {
            t.pin(server, &key(b), 10);
        }
        t.accept_tool("b", "t", tool("b"));
        t.accept_tool("a", "t", tool("a"));
        assert_eq!(s, t);
        assert_eq!(TrustStore::from_json(&s.to_json()).unwrap(), t);
        t.pin("a", &key(9), 10);
        assert_ne!(s, t);
    }

    #[test]
    fn pin_change_names_both_keys() {
        let mut s = TrustStore::new();
        let a = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let b = SigningKey::from_bytes(&[2; 32]).verifying_key();
        s.check_pin("srv", &a, 1).unwrap();
        let e = s.check_pin("srv", &b, 2).unwrap_err();
        assert!(
            e.message().contains(&a.fingerprint()) && e.message().contains(&b.fingerprint()),
            "{e}"
        );
        s.pin("srv", &b, 3);
        assert_eq!(s.check_pin("srv", &b, 4).unwrap(), PinStatus::Match);
    }

    #[test]
    fn revocations_persist_and_newer_lists_replace_older() {
        let reg = SigningKey::from_bytes(&[9; 32]);
        let server = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let mut s = TrustStore::new();
        s.add_issuer(TrustedIssuer::new("reg", reg.verifying_key()));
        let old = revocation::issue(&reg, "reg", &[], 100, None);
        let new = revocation::issue(
            &reg,
            "reg",
            &[Entry::key(&server, Some("key-compromise"))],
            200,
            None,
        );
        assert!(s.add_revocation_list(&new, 200).unwrap());
        assert!(!s.add_revocation_list(&old, 200).unwrap());
        assert_eq!(
            s.check_revoked(&server).unwrap_err().code(),
            ErrorCode::Revoked
        );
        let loaded = TrustStore::from_json(&s.to_json()).unwrap();
        assert_eq!(loaded, s);
        assert_eq!(
            loaded.check_revoked(&server).unwrap_err().code(),
            ErrorCode::Revoked
        );
    }

    #[test]
    fn malformed_stores_are_refused() {
        for bad in [
            "[]",
            "{}",
            r#"{"version":2,"pins":[],"issuers":[],"revocationLists":[]}"#,
            r#"{"version":1,"pins":[{}],"issuers":[],"revocationLists":[]}"#,
        ] {
            assert_eq!(
                TrustStore::from_json(bad).unwrap_err().code(),
                ErrorCode::MalformedTrustStore,
                "{bad}"
            );
        }
        let forged = r#"{"version":1,"pins":[],"issuers":[],"revocationLists":["a.b.c"]}"#;
        assert!(TrustStore::from_json(forged).is_err());
    }
}

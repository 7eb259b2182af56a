//! `trust list | pin | unpin | import`: editing a trust store file in the format the
//! libraries save, through the core's `TrustStore` (every change is its method; nothing
//! here writes store JSON by hand). Saved atomically, mode 0600 (`storeio`).

// `serde_json::Value[&str]` is not slice indexing: a missing member reads as `Null`.
#![allow(clippy::indexing_slicing)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use mcp_attest::issuer::TrustedIssuer;
use mcp_attest::trust::TrustStore;
use mcp_attest::VerifyingKey;
use serde_json::{json, Value};

use crate::commands::{now_or, parse_issuer, read_input};
use crate::keyio;
use crate::out::{Fail, Outcome};
use crate::storeio;

#[derive(Subcommand)]
pub(crate) enum TrustCmd {
    /// Print the store: pins (server, did, fingerprint, first/last seen), trusted issuers,
    /// revocation lists, accepted tools.
    List {
        /// The trust store file.
        #[arg(long)]
        store: PathBuf,
    },
    /// Pin a server's key (replacing any pin: an explicit, user-approved rotation). The
    /// store is created when missing.
    Pin {
        /// The trust store file.
        #[arg(long)]
        store: PathBuf,
        /// The name the server is pinned under (as `verify --server-id`).
        #[arg(long)]
        server: String,
        /// The server key: a did:key or a key file (public or secret).
        #[arg(long)]
        key: String,
        /// The pin's first-seen time (Unix seconds) instead of the clock.
        #[arg(long)]
        now: Option<u64>,
    },
    /// Remove a server's pin and the tools accepted from it (nothing to remove is not an
    /// error: `removed` says whether there was a pin).
    Unpin {
        /// The trust store file.
        #[arg(long)]
        store: PathBuf,
        /// The name the server is pinned under.
        #[arg(long)]
        server: String,
    },
    /// Merge into the store: another store's pins, accepted tools, issuers and revocation
    /// lists (--from); trusted issuers (--issuer); revocation lists (--revocations), verified
    /// under the store's issuers after the new ones are added. A pin in --from for a server
    /// pinned here to another key refuses the whole import (pinned_key_changed) and nothing
    /// is written; tools already accepted here are kept; an issuer with an id already here is
    /// replaced; a revocation list older than the one held from its issuer is ignored.
    Import(ImportArgs),
}

#[derive(Args)]
pub(crate) struct ImportArgs {
    /// The trust store file (created when missing).
    #[arg(long)]
    store: PathBuf,
    /// Another trust store file to merge in.
    #[arg(long)]
    from: Vec<PathBuf>,
    /// A trusted issuer: ID=JWKS_FILE, ID=did:key:…, or a did:key (its own id); repeat
    /// for several.
    #[arg(long)]
    issuer: Vec<String>,
    /// A revocation list (JWS file) signed by a trusted issuer; repeat for several.
    #[arg(long)]
    revocations: Vec<PathBuf>,
    /// Check revocation lists as of this time (Unix seconds) instead of the clock.
    #[arg(long)]
    now: Option<u64>,
}

/// `ID=JWKS_FILE` or a did:key as `passport verify --issuer`, plus `ID=did:key:…`: a
/// publisher with one key under its own id (what `revoke --issuer-id` signs as).
fn issuer_arg(spec: &str) -> Result<TrustedIssuer, Fail> {
    if let Some((id, did)) = spec
        .split_once('=')
        .filter(|(_, d)| d.starts_with("did:key:"))
    {
        let key = VerifyingKey::from_did_key(did).map_err(Fail::cannot_core)?;
        return Ok(TrustedIssuer::new(id, key));
    }
    parse_issuer(spec)
}

pub(crate) fn run(cmd: &TrustCmd) -> Result<Outcome, Fail> {
    match cmd {
        TrustCmd::List { store } => list(store),
        TrustCmd::Pin {
            store,
            server,
            key,
            now,
        } => pin(store, server, key, now_or(*now)),
        TrustCmd::Unpin { store, server } => unpin(store, server),
        TrustCmd::Import(a) => import(a),
    }
}

/// The store's own JSON, for walking what the core has no iterator for (pins, tools).
fn store_json(store: &TrustStore) -> Value {
    serde_json::from_str(&store.to_json()).unwrap_or(Value::Null)
}

fn arr(v: &Value, k: &str) -> Vec<Value> {
    v.get(k)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn list(path: &Path) -> Result<Outcome, Fail> {
    if !path.exists() {
        return Err(Fail::io(
            path,
            &std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    let store = storeio::load(path)?;
    let raw = store_json(&store);
    let t = mcp_attest::time::format_rfc3339;
    let mut pins = Vec::new();
    let mut h = String::new();
    for p in arr(&raw, "pins") {
        let server = p["server"].as_str().unwrap_or_default();
        let Some(pin) = store.pinned(server) else {
            continue;
        };
        pins.push(json!({
            "server": server,
            "did": pin.key.to_did_key(),
            "fingerprint": pin.key.fingerprint(),
            "firstSeen": pin.first_seen,
            "lastSeen": pin.last_seen,
        }));
        let _ = writeln!(h, "pin     {server}");
        let _ = writeln!(h, "        did          {}", pin.key.to_did_key());
        let _ = writeln!(h, "        fingerprint  {}", pin.key.fingerprint());
        let _ = writeln!(
            h,
            "        first seen   {}  last seen {}",
            t(pin.first_seen),
            t(pin.last_seen)
        );
    }
    let mut issuers = Vec::new();
    for i in store.issuers() {
        let kids: Vec<String> = i
            .keys()
            .iter()
            .map(|(kid, k)| kid.clone().unwrap_or_else(|| k.kid()))
            .collect();
        let _ = writeln!(h, "issuer  {}  keys: {}", i.id(), kids.join(", "));
        issuers.push(json!({"id": i.id(), "kids": kids}));
    }
    let mut lists = Vec::new();
    for l in store.revocation_lists() {
        let entries: Vec<Value> = l
            .entries()
            .map(|e| json!({"type": e.kind.as_str(), "value": e.value, "reason": e.reason}))
            .collect();
        let _ = writeln!(
            h,
            "revocations  {}  issued {}  {} entries",
            l.issuer(),
            t(l.issued_at()),
            entries.len()
        );
        for e in l.entries() {
            let _ = writeln!(h, "        revoked {:<4} {}", e.kind.as_str(), e.value);
        }
        lists.push(json!({"issuer": l.issuer(), "issuedAt": l.issued_at(), "expiresAt": l.expires_at(), "entries": entries}));
    }
    let mut tools = Vec::new();
    for tl in arr(&raw, "acceptedTools") {
        let _ = writeln!(
            h,
            "tool    {}  {}  {}",
            tl["server"].as_str().unwrap_or("?"),
            tl["name"].as_str().unwrap_or("?"),
            tl["hash"].as_str().unwrap_or("?")
        );
        tools.push(json!({"server": tl["server"], "name": tl["name"], "hash": tl["hash"]}));
    }
    if h.is_empty() {
        h.push_str("(empty trust store)\n");
    }
    let j = json!({
        "file": path.display().to_string(),
        "pins": pins,
        "issuers": issuers,
        "revocationLists": lists,
        "acceptedTools": tools,
    });
    Ok(Outcome::ok(j, h))
}

fn pin(path: &Path, server: &str, key: &str, now: u64) -> Result<Outcome, Fail> {
    let vk = keyio::load_verifying_key(key)?;
    let mut store = storeio::load(path)?;
    let previous = store.pinned(server).map(|p| p.key);
    store.pin(server, &vk, now);
    storeio::save(path, &store)?;
    let mut h = format!(
        "pinned {server}\n        did          {}\n        fingerprint  {}\n",
        vk.to_did_key(),
        vk.fingerprint()
    );
    if let Some(p) = previous.filter(|p| *p != vk) {
        let _ = writeln!(h, "        replaces     {}", p.to_did_key());
    }
    let j = json!({
        "server": server,
        "did": vk.to_did_key(),
        "fingerprint": vk.fingerprint(),
        "previous": previous.map(|p| p.to_did_key()),
    });
    Ok(Outcome::ok(j, h))
}

fn unpin(path: &Path, server: &str) -> Result<Outcome, Fail> {
    let mut store = storeio::load(path)?;
    let removed = store.unpin(server);
    if removed.is_some() {
        storeio::save(path, &store)?;
    }
    let h = match &removed {
        Some(p) => format!("unpinned {server} (was {})\n", p.key.to_did_key()),
        None => format!("no pin for {server}; store unchanged\n"),
    };
    let j = json!({
        "server": server,
        "removed": removed.is_some(),
        "did": removed.map(|p| p.key.to_did_key()),
    });
    Ok(Outcome::ok(j, h))
}

fn import(a: &ImportArgs) -> Result<Outcome, Fail> {
    let now = now_or(a.now);
    let mut store = storeio::load(&a.store)?;
    let mut h = String::new();
    let (mut pins, mut tools, mut issuers, mut lists) = (0usize, 0usize, 0usize, 0usize);
    let mut ignored_lists = 0usize;
    let mut list_tokens: Vec<String> = Vec::new();
    for from in &a.from {
        if !from.exists() {
            return Err(Fail::io(
                from,
                &std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        let other = storeio::load(from)?;
        let raw = store_json(&other);
        for i in other.issuers() {
            store.add_issuer(i.clone());
            issuers += 1;
        }
        list_tokens.extend(
            arr(&raw, "revocationLists")
                .iter()
                .filter_map(|t| t.as_str().map(String::from)),
        );
        let mut servers = BTreeSet::new();
        for p in arr(&raw, "pins") {
            let server = p["server"].as_str().unwrap_or_default().to_owned();
            let Some(pin) = other.pinned(&server) else {
                continue;
            };
            let (key, first, last) = (pin.key, pin.first_seen, pin.last_seen);
            // The core's TOFU check: a new server is pinned as of its first sighting there; the
            // same key keeps the earlier history; another key is refused (nothing is saved).
            if store.pinned(&server).is_none() {
                pins += 1;
            }
            store
                .check_pin(&server, &key, first)
                .map_err(Fail::refused_core)?;
            store
                .check_pin(&server, &key, last)
                .map_err(Fail::refused_core)?;
            servers.insert(server);
        }
        for t in arr(&raw, "acceptedTools") {
            if let Some(s) = t["server"].as_str() {
                servers.insert(s.to_owned());
            }
        }
        for server in &servers {
            let Some(set) = other.accepted_tools(server) else {
                continue;
            };
            let have: BTreeSet<String> = store
                .accepted_tools(server)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            for (name, tool) in set {
                if !have.contains(name) {
                    store.accept_tool(server, name, tool.clone());
                    tools += 1;
                }
            }
        }
        let _ = writeln!(h, "merged {}", from.display());
    }
    for spec in &a.issuer {
        let i = issuer_arg(spec)?;
        let _ = writeln!(h, "issuer {}", i.id());
        store.add_issuer(i);
        issuers += 1;
    }
    for path in &a.revocations {
        list_tokens.push(read_input(&path.to_string_lossy())?.trim().to_owned());
    }
    for token in &list_tokens {
        // Verified under the store's issuers (including those just added) by the core.
        if store
            .add_revocation_list(token, now)
            .map_err(Fail::refused_core)?
        {
            lists += 1;
        } else {
            ignored_lists += 1;
        }
    }
    storeio::save(&a.store, &store)?;
    let _ = writeln!(
        h,
        "{}: {pins} new pins, {tools} accepted tools, {issuers} issuers, {lists} revocation lists \
         ({ignored_lists} not newer than held, ignored)",
        a.store.display()
    );
    let j = json!({
        "file": a.store.display().to_string(),
        "pins": pins,
        "acceptedTools": tools,
        "issuers": issuers,
        "revocationLists": lists,
        "ignoredRevocationLists": ignored_lists,
    });
    Ok(Outcome::ok(j, h))
}

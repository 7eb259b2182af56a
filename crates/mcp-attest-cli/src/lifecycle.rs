//! Key lifecycle: `revoke` (create or extend a signed revocation list) and `rotate` (a new
//! key plus the rotation attestation signed by the old one). Formats and checks are the
//! core's (`revocation::issue`, `identity::revocation_attestation`); this file reads keys,
//! writes files and prints.

// `serde_json::Value[&str]` on objects this file built.
#![allow(clippy::indexing_slicing)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use mcp_attest::identity;
use mcp_attest::issuer::TrustedIssuer;
use mcp_attest::revocation::{self, Entry, RevocationList};
use mcp_attest::SigningKey;
use serde_json::{json, Value};

use crate::commands::{now_or, public_facts, read_input};
use crate::keyio;
use crate::out::{Fail, Outcome};
use crate::KeyFormat;

#[derive(Args)]
pub(crate) struct RevokeArgs {
    /// The issuer's secret key (file or env:VAR): the publisher or registry that signs the list.
    #[arg(long)]
    pub(crate) issuer_key: String,
    /// The issuer id (`iss`), as verifiers name it in their trusted issuers.
    #[arg(long)]
    pub(crate) issuer_id: String,
    /// An existing list to extend: verified under --issuer-key/--issuer-id first (an expired
    /// list may be extended: revocations never lapse), its entries kept.
    #[arg(long)]
    pub(crate) list: Option<PathBuf>,
    /// Revoke a key: a did:key or a key file (public or secret); repeat for several.
    #[arg(long)]
    pub(crate) key: Vec<String>,
    /// Revoke a DID; repeat for several.
    #[arg(long)]
    pub(crate) did: Vec<String>,
    /// Revoke one passport by its token id (`jti`); repeat for several.
    #[arg(long)]
    pub(crate) jti: Vec<String>,
    /// The reason recorded with the new entries (e.g. key_compromise, superseded).
    #[arg(long)]
    pub(crate) reason: Option<String>,
    /// Seconds until the list expires (`exp`); default none. Verifiers refuse an expired
    /// list when they fetch it, so a publisher that re-publishes on a schedule sets one.
    #[arg(long)]
    pub(crate) ttl: Option<u64>,
    /// Sign as of this time (Unix seconds) instead of the clock.
    #[arg(long)]
    pub(crate) now: Option<u64>,
    /// Where to write the signed list (mode 0644: it is published). May be the --list file.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Replace an existing --out file that is not the --list being extended.
    #[arg(long)]
    pub(crate) force: bool,
}

fn entry_json(e: &Entry) -> Value {
    json!({"type": e.kind.as_str(), "value": e.value, "reason": e.reason, "revokedAt": e.revoked_at})
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

pub(crate) fn revoke(a: &RevokeArgs) -> Result<Outcome, Fail> {
    let key = keyio::load_signing_key(&a.issuer_key)?;
    let issuer = TrustedIssuer::new(a.issuer_id.clone(), key.verifying_key());
    let issuers = core::slice::from_ref(&issuer);
    let now = now_or(a.now);
    let extending_in_place = a.list.as_deref().is_some_and(|l| same_file(l, &a.out));
    if !a.force && !extending_in_place && a.out.exists() {
        return Err(Fail::refused(
            "file_exists",
            format!("{} exists; pass --force to replace it", a.out.display()),
        ));
    }
    let mut entries: Vec<Entry> = Vec::new();
    if let Some(path) = &a.list {
        // Not the 64 KiB key-file limit: a list may hold thousands of entries; the core bounds
        // it (MAX_REVOCATION_BYTES).
        let text = read_input(&path.to_string_lossy())?;
        // Signature and shape only (no clock): extending an expired list is how it is renewed.
        // Another issuer's list, or one signed by another key, is refused here.
        let old = RevocationList::verify(text.trim(), issuers, None).map_err(Fail::refused_core)?;
        if now <= old.issued_at() {
            // Trust stores keep the newest list per issuer and ignore one not newer than
            // theirs: a list that is not newer would never reach them.
            return Err(Fail::cannot(
                "invalid_argument",
                format!(
                    "the extended list must be issued after the one it extends (iat {}); now is {now}",
                    old.issued_at()
                ),
            ));
        }
        entries.extend(old.entries().cloned());
    }
    let kept = entries.len();
    let mut new = Vec::new();
    for k in &a.key {
        new.push(Entry::key(
            &keyio::load_verifying_key(k)?,
            a.reason.as_deref(),
        ));
    }
    new.extend(a.did.iter().map(|d| Entry::did(d, a.reason.as_deref())));
    new.extend(a.jti.iter().map(|j| Entry::jti(j, a.reason.as_deref())));
    for mut e in new {
        // An entry already in the list keeps its original date and reason.
        if !entries
            .iter()
            .any(|o| o.kind == e.kind && o.value == e.value)
        {
            e.revoked_at = Some(now);
            entries.push(e);
        }
    }
    let token = revocation::issue(&key, &a.issuer_id, &entries, now, a.ttl);
    // What is published must verify as verifiers will check it: a self-check before writing.
    RevocationList::verify(&token, issuers, Some(now)).map_err(Fail::refused_core)?;
    keyio::write_atomic(&a.out, format!("{token}\n").as_bytes(), true, 0o644)?;
    let added = entries.len() - kept;
    let expires = a.ttl.map(|t| now.saturating_add(t));
    let j = json!({
        "file": a.out.display().to_string(),
        "issuer": a.issuer_id,
        "issuedAt": now,
        "expiresAt": expires,
        "kept": kept,
        "added": added,
        "entries": entries.iter().map(entry_json).collect::<Vec<_>>(),
    });
    let mut h = String::new();
    let _ = writeln!(
        h,
        "wrote {} ({} entries: {kept} kept, {added} new)",
        a.out.display(),
        entries.len()
    );
    let _ = writeln!(h, "issuer   {}", a.issuer_id);
    let _ = writeln!(h, "issued   {}", mcp_attest::time::format_rfc3339(now));
    if let Some(e) = expires {
        let _ = writeln!(h, "expires  {}", mcp_attest::time::format_rfc3339(e));
    }
    for e in &entries {
        let _ = write!(h, "revoked  {:<4} {}", e.kind.as_str(), e.value);
        if let Some(r) = &e.reason {
            let _ = write!(h, "  ({r})");
        }
        h.push('\n');
    }
    Ok(Outcome::ok(j, h))
}

#[derive(Args)]
pub(crate) struct RotateArgs {
    /// The current (old) secret key, which signs the rotation attestation.
    #[arg(long)]
    pub(crate) old_key: String,
    /// Where to write the new secret key (mode 0600; same rules as keygen).
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Format of the new secret.
    #[arg(long, value_enum, default_value = "pem")]
    pub(crate) format: KeyFormat,
    /// Replace an existing --out file (the key in it is lost).
    #[arg(long)]
    pub(crate) force: bool,
    /// The reason recorded in the attestation (e.g. scheduled, key_compromise).
    #[arg(long)]
    pub(crate) reason: Option<String>,
    /// Also write the attestation to this file (mode 0644), for the server to serve.
    #[arg(long)]
    pub(crate) attestation_out: Option<PathBuf>,
    /// Your domain, to print the full DNS record name for the new key.
    #[arg(long)]
    pub(crate) domain: Option<String>,
    /// Sign as of this time (Unix seconds) instead of the clock.
    #[arg(long)]
    pub(crate) now: Option<u64>,
}

pub(crate) fn rotate(a: &RotateArgs) -> Result<Outcome, Fail> {
    let old = keyio::load_signing_key(&a.old_key)?;
    // The same checks as keygen, before a key is generated for a file that will not be written.
    if !a.force && a.out.exists() {
        return Err(keyio::exists(&a.out));
    }
    keyio::check_secret_dir(&a.out)?;
    if let Some(p) = &a.attestation_out {
        if !a.force && p.exists() {
            return Err(Fail::refused(
                "file_exists",
                format!("{} exists; pass --force to replace it", p.display()),
            ));
        }
    }
    let new = SigningKey::generate().map_err(Fail::cannot_core)?;
    let secret = crate::commands::secret_text(&new, a.format)?;
    let old_vk = old.verifying_key();
    let new_vk = new.verifying_key();
    let now = now_or(a.now);
    // revokedKid is the old key's derived kid: that is what verifiers compare with the key
    // they pinned (identity::verify_document), never a served label.
    let att = identity::revocation_attestation(
        &old,
        &old_vk.kid(),
        Some(&new_vk),
        a.reason.as_deref(),
        now,
    );
    let att_text = att.to_jcs();
    keyio::write_private(&a.out, secret.as_bytes(), a.force)?;
    if let Some(p) = &a.attestation_out {
        keyio::write_atomic(p, format!("{att_text}\n").as_bytes(), a.force, 0o644)?;
    }
    let (facts, facts_h) = public_facts(&new_vk, a.domain.as_deref())?;
    let att_json: Value = serde_json::from_str(&att_text).unwrap_or(Value::Null);
    let mut j = json!({
        "file": a.out.display().to_string(),
        "oldKey": {"did": old_vk.to_did_key(), "kid": old_vk.kid()},
        "newKey": facts,
        "attestation": att_json,
    });
    if let Some(p) = &a.attestation_out {
        j["attestationFile"] = json!(p.display().to_string());
    }
    let mut h = String::new();
    let _ = writeln!(h, "wrote {} (mode 0600): the new key", a.out.display());
    if let Some(p) = &a.attestation_out {
        let _ = writeln!(h, "wrote {}: the rotation attestation", p.display());
    }
    let _ = writeln!(h, "old did:key     {}", old_vk.to_did_key());
    let _ = writeln!(h, "old kid         {}", old_vk.kid());
    let _ = writeln!(h, "new key:");
    h.push_str(&facts_h);
    let _ = writeln!(
        h,
        "rotation attestation (signed by the old key; add it to the new key's identity document):"
    );
    let _ = writeln!(h, "{att_text}");
    Ok(Outcome::ok(j, h))
}

//! Passports and revocation lists: `passport::verify` and `RevocationList::verify` with a
//! trusted registry key, never panicking on any token.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_attest::issuer::TrustedIssuer;
use mcp_attest::passport::{self, VerifyOptions};
use mcp_attest::revocation::{self, Entry, RevocationList};
use std::sync::OnceLock;

use mcp_attest::{SigningKey, VerifyingKey};

/// tests/vectors signed_at + 60 s.
const NOW: u64 = 1_799_992_860;
/// The seeds of the project's vectors (crates/xtask): byte j of seed i is i·31 + j, so the
/// committed vector files are valid inputs here and reach the deep paths.
fn seed(i: u8) -> [u8; 32] {
    core::array::from_fn(|j| i.wrapping_mul(31).wrapping_add(j as u8))
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    // Built once: issuing and verifying the list per input would be most of the work.
    static FIXTURE: OnceLock<(Vec<TrustedIssuer>, Vec<RevocationList>, VerifyingKey)> =
        OnceLock::new();
    let (issuers, lists, server) = FIXTURE.get_or_init(|| {
        let registry = SigningKey::from_bytes(&seed(5));
        let issuers = vec![TrustedIssuer::new(
            "https://registry.example.com",
            registry.verifying_key(),
        )];
        let token = revocation::issue(
            &registry,
            "https://registry.example.com",
            &[Entry::jti("passport-revoked", None)],
            NOW,
            None,
        );
        let lists =
            vec![RevocationList::verify(&token, &issuers, Some(NOW)).expect("own list verifies")];
        (
            issuers,
            lists,
            SigningKey::from_bytes(&seed(1)).verifying_key(),
        )
    });
    let (issuers, lists) = (issuers.as_slice(), lists.as_slice());
    for (audience, subject) in [
        (None, None),
        (Some("https://mcp.example.com/mcp"), Some(server)),
    ] {
        let opts = VerifyOptions {
            now: NOW,
            issuers,
            revocations: lists,
            audience,
            subject,
            max_age: Some(600),
            ..Default::default()
        };
        if let Ok(p) = passport::verify(s, &opts) {
            // Whatever verified names a subject whose key the passport bound.
            assert_eq!(p.subject_key.to_did_key(), p.subject);
        }
    }
    let _ = RevocationList::verify(s, issuers, Some(NOW));
    let _ = RevocationList::verify(s, issuers, None);
});

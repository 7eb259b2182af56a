//! Compact JWS parsing, signature verification and claim checks.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mcp_attest::jws::{self, ClaimRules};
use mcp_attest::{SigningKey, VerifyingKey};

fn keys() -> &'static [VerifyingKey; 2] {
    static KEYS: OnceLock<[VerifyingKey; 2]> = OnceLock::new();
    KEYS.get_or_init(|| {
        [
            SigningKey::from_bytes(&[7; 32]).verifying_key(),
            // The trusted key of /work/shared/vectors/jws-attacks.json, so valid seeds verify.
            VerifyingKey::from_jwk(r#"{"kty":"OKP","crv":"Ed25519","x":"vus-fZT7xYp3kPZ6VZ6TXZRyJZFbZcpnJ7z45Yh5Erc"}"#)
                .expect("fixed JWK"),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    let rules = ClaimRules { now: 1_800_000_000, audience: Some("https://mcp.example.com"), ..Default::default() };
    let Ok(unverified) = jws::parse(s, jws::MAX_TOKEN_BYTES) else {
        return;
    };
    let _ = unverified.expect_typ("JWT");
    // Claim checks must also be total on unauthenticated claims.
    let _ = jws::check_claims(unverified.unverified_claims(), &rules);
    let _ = jws::check_claims(unverified.unverified_claims(), &ClaimRules::default());
    for key in keys() {
        let Ok(u) = jws::parse(s, jws::MAX_TOKEN_BYTES) else {
            panic!("parse is not deterministic");
        };
        if let Ok(verified) = u.verify(key) {
            let _ = jws::check_claims(&verified.claims, &rules);
        }
    }
});

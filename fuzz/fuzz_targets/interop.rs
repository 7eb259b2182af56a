//! AI Identity passports and CapiscIO badges: any token text is verified or refused without a
//! panic, in time linear in its size; whatever verifies carries the fields its scheme
//! requires, and a CapiscIO level maps onto ours only within the trust store's cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_attest::interop;
use mcp_attest::issuer::TrustedIssuer;
use mcp_attest::SigningKey;

/// The keys of tests/vectors/interop.json (xtask's `seed(i)`), whose tokens are the seed
/// corpus, so mutations start from tokens that verify.
fn key(i: u8) -> SigningKey {
    let mut seed = [0u8; 32];
    for (j, b) in seed.iter_mut().enumerate() {
        *b = i.wrapping_mul(31).wrapping_add(j as u8);
    }
    SigningKey::from_bytes(&seed)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let registry = TrustedIssuer::new("https://aiidentity.org", key(70).verifying_key());
    if let Ok(p) = interop::verify_ai_identity_passport(text, &registry, 1_800_000_000) {
        assert!(interop::AI_IDENTITY_TIERS.contains(&p.tier.as_str()));
    }
    let ca = TrustedIssuer::new("https://registry.capisc.io", key(71).verifying_key()).with_max_level(2);
    if let Ok(b) = interop::verify_capiscio_badge(text, &[ca], None, 1_800_000_000) {
        assert!(b.vouched.is_none_or(|l| (1..=2).contains(&l)), "{:?}", b.vouched);
    }
    let _ = interop::find_ai_identity_passport(text);
});

//! Caller proofs: any params and header text is identified or refused without a panic, in
//! time linear in its size; whatever identifies does so at level 1–4 with a did:key, and a
//! second identical request is refused (a proof is good once).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_attest::caller::CallerVerifier;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    // Seeds are "<now>\n<params>\n<header>", from tests/vectors/caller.json (whose server DID
    // this is), so mutations start from proofs that verify.
    let mut parts = text.splitn(3, '\n');
    let now = parts.next().and_then(|n| n.parse::<u64>().ok()).unwrap_or(1_799_992_800);
    let params = parts.next().unwrap_or("");
    let header = parts.next().filter(|h| !h.is_empty());
    let audience = "did:key:z6MkwZQvCvTyiLJhJhm6JxQcjbkQZgJuyQoSBR7VcRNdM8Wt";
    let mut v = CallerVerifier::new(audience, 16, 16);
    if let Ok(Some(who)) = v.identify("tools/call", params, header, "fuzz", now) {
        assert!((1..=4).contains(&who.level));
        assert!(who.did.starts_with("did:key:"));
        assert!(v.identify("tools/call", params, header, "fuzz", now).is_err(), "a proof verified twice");
    }
});

//! The same-key batch path must give exactly the verdict of single strict verification on
//! every edge case the public suites hold (CCTV, speccheck, Wycheproof), valid or not.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{array_field, hex, read_json, str_field};
use mcp_attest::batch::{verify_same_key, BatchVerifier};
use mcp_attest::{Signature, VerifyingKey};

fn check(key_hex: &str, msg: &[u8], sig_hex: &str) -> bool {
    let Ok(vk) = VerifyingKey::from_slice(&hex(key_hex)) else {
        return false; // refused at import: nothing to compare
    };
    let Ok(sig) = Signature::from_slice(&hex(sig_hex)) else {
        return false;
    };
    let single = vk.verify(msg, &sig).is_ok();
    assert_eq!(
        BatchVerifier::new(&vk).verify(msg, &sig).is_ok(),
        single,
        "key {key_hex} sig {sig_hex}"
    );
    // Through the public entry point too, above its single-verification threshold.
    let items = vec![(msg, &sig); 5];
    assert!(verify_same_key(&vk, &items)
        .iter()
        .all(|r| r.is_ok() == single));
    true
}

#[test]
fn batch_agrees_with_single_on_cctv() {
    let cases = read_json("cctv/ed25519vectors.json");
    let cases = cases.as_array().unwrap();
    let compared = cases
        .iter()
        .filter(|c| {
            check(
                str_field(c, "key"),
                str_field(c, "msg").as_bytes(),
                str_field(c, "sig"),
            )
        })
        .count();
    assert_eq!(cases.len(), 914);
    assert!(
        compared > 300,
        "only {compared} CCTV cases had importable keys"
    );
}

#[test]
fn batch_agrees_with_single_on_speccheck_and_wycheproof() {
    let cases = read_json("ed25519-speccheck/cases.json");
    let mut compared = 0;
    for c in cases.as_array().unwrap() {
        compared += usize::from(check(
            str_field(c, "pub_key"),
            &hex(str_field(c, "message")),
            str_field(c, "signature"),
        ));
    }
    let w = read_json("wycheproof/ed25519_test.json");
    for g in array_field(&w, "testGroups") {
        let pk = str_field(g.get("publicKey").unwrap(), "pk");
        for t in array_field(g, "tests") {
            compared += usize::from(check(pk, &hex(str_field(t, "msg")), str_field(t, "sig")));
        }
    }
    assert!(compared > 120, "compared {compared}");
}

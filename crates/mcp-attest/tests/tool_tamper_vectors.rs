//! `tool-tamper.json`, signature half: strict Ed25519 over the JCS bytes of the presented
//! tool (the canonical-bytes half runs in `jcs_vectors.rs`). Each verdict is checked through
//! single verification and through the same-key batch path, which must agree.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{array_field, read_json, str_field};
use mcp_attest::batch::BatchVerifier;
use mcp_attest::{encoding, json, Signature, VerifyingKey};

#[test]
fn tool_tamper_signatures_match_expectations() {
    let file = read_json("tool-tamper.json");
    let signer = file.get("signer").unwrap();
    let vk = VerifyingKey::from_slice(
        &encoding::hex_decode(str_field(signer, "public_key_hex")).unwrap(),
    )
    .unwrap();
    assert_eq!(vk.to_did_key(), str_field(signer, "did"));
    let batch = BatchVerifier::new(&vk);
    let cases = array_field(&file, "cases");
    let mut ran = 0;
    for case in cases {
        let name = str_field(case, "name");
        let expect = case
            .get("expect_signature_valid")
            .and_then(serde_json::Value::as_bool)
            .unwrap();
        let sig_bytes = encoding::hex_decode(str_field(case, "presented_signature_hex")).unwrap();
        let verdict = match json::parse(str_field(case, "presented_json")) {
            // A presented tool we refuse to parse is never accepted, whatever its signature.
            Err(_) => false,
            Ok(tool) => {
                let canonical = tool.to_jcs();
                let single = vk.verify_slice(canonical.as_bytes(), &sig_bytes).is_ok();
                if let Ok(sig) = Signature::from_slice(&sig_bytes) {
                    let batched = batch.verify(canonical.as_bytes(), &sig).is_ok();
                    assert_eq!(
                        batched, single,
                        "{name}: batch and single verification disagree"
                    );
                }
                single
            }
        };
        assert_eq!(verdict, expect, "{name}: signature verdict");
        ran += 1;
    }
    assert_eq!(ran, 42, "tool-tamper.json should hold 42 cases");
}

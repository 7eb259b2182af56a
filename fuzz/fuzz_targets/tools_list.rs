//! `tools/list` verification under a fixed key: must return Ok/Err, never panic, and the
//! report must serialise to JSON our own parser accepts.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mcp_attest::json;
use mcp_attest::tool::{self, VerifyOptions};
use mcp_attest::{SigningKey, VerifyingKey};

const NOW: u64 = 1_800_000_000;

fn key() -> &'static VerifyingKey {
    static KEY: OnceLock<VerifyingKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_bytes(&[7; 32]).verifying_key())
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    let options = VerifyOptions { now: NOW, ..Default::default() };
    if let Ok(report) = tool::verify_tools_list(s, key(), &options) {
        let text = report.to_json();
        let v = json::parse(&text).unwrap_or_else(|e| panic!("report.to_json() is not JSON: {e:?}\n{text}"));
        assert_eq!(
            v.get("verified").and_then(json::Value::as_bool),
            Some(report.is_fully_verified()),
            "report JSON disagrees with is_fully_verified"
        );
        let _ = report.verified_names();
    }
});

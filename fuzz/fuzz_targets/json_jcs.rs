//! Strict JSON parsing and RFC 8785 (JCS) serialisation.
//!
//! Property: JCS output is valid JSON under the same parser, and JCS is idempotent
//! (parse(jcs(v)) serialises to the same bytes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_attest::json::{self, Limits};

fuzz_target!(|data: &[u8]| {
    let from_bytes = json::parse_bytes(data, Limits::default());

    let Ok(s) = core::str::from_utf8(data) else {
        assert!(from_bytes.is_err(), "parse_bytes accepted invalid UTF-8");
        return;
    };
    let parsed = json::parse(s);
    // parse_bytes on UTF-8 text is parse.
    assert_eq!(parsed.is_ok(), from_bytes.is_ok(), "parse and parse_bytes disagree");

    if let Ok(v) = parsed {
        let jcs = v.to_jcs();
        let again = json::parse(&jcs).unwrap_or_else(|e| panic!("JCS output does not parse: {e:?}\n{jcs}"));
        assert_eq!(again.to_jcs(), jcs, "JCS is not idempotent");
        // (No `again == v`: `Value`'s PartialEq compares object members in insertion order,
        // and JCS sorts them; JCS byte equality is the order-insensitive comparison.)
        assert_eq!(json::canonicalize(s).as_deref(), Ok(jcs.as_str()));
    }
});

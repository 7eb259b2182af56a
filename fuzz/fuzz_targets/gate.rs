//! The server's call gate and the client's local refusal: any server options, params, header
//! and report text is decided without a panic, in time linear in its size. A refusal is a
//! JSON-RPC error with -31001 or -31002 and a contract `data.reason`, and records exactly one
//! denial; an admitted call completes; everything recorded verifies as a log; a call admitted
//! once is refused when replayed; prepare_call never attaches a proof for a tool it refuses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_attest::evidence::{self, EvidenceLog};
use mcp_attest::gate::Admission;
use mcp_attest::server::{ServerOptions, ServerPresentation};
use mcp_attest::{caller, json, ErrorCode, SigningKey};

const SERVER_SEED: [u8; 32] = [0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c];
const CLIENT_SEED: [u8; 32] = [0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    // Seeds are "<now>\n<server options>\n<params>\n<header>", from tests/vectors/caller.json
    // (the server and client seeds below are that file's), so mutations start from calls
    // that are admitted.
    let mut parts = text.splitn(4, '\n');
    let now = parts.next().and_then(|n| n.parse::<u64>().ok()).unwrap_or(1_799_992_800);
    let options = parts.next().unwrap_or("{}");
    let params = parts.next().unwrap_or("");
    let header = parts.next().filter(|h| !h.is_empty());
    let Ok(options) = ServerOptions::from_json(options) else {
        return;
    };
    let key = || SigningKey::from_bytes(&SERVER_SEED);
    let mut p = ServerPresentation::new(key(), options);
    let mut log = EvidenceLog::new(key(), evidence::DEFAULT_MAX_FILE_BYTES);
    let mut lines = Vec::new();
    match p.admit_call(params, header, "fuzz", now, Some(&mut log)) {
        Err(_) => {}
        Ok(Admission::Refuse { error, writes }) => {
            let e = json::parse(&error).expect("a refusal is JSON");
            let code = e.get("code").and_then(json::Value::as_number).and_then(json::Number::as_i64);
            assert!(matches!(code, Some(-31001 | -31002)), "{error}");
            let reason = e.get("data").and_then(|d| d.get("reason")).and_then(json::Value::as_str);
            assert!(reason.and_then(ErrorCode::from_code).is_some(), "{error}");
            assert_eq!(writes.len(), 1, "one denial recorded");
            lines.extend(writes.into_iter().map(|w| w.line));
        }
        Ok(Admission::Run(ticket)) => {
            let w = p
                .complete_call(&ticket, Some(r#"{"content":[]}"#), None, now, Some(&mut log))
                .expect("an admitted call completes");
            lines.extend(w.into_iter().map(|w| w.line));
            if ticket.caller.is_some() {
                let again = p.admit_call(params, header, "fuzz", now, Some(&mut log));
                assert!(
                    matches!(again, Ok(Admission::Refuse { .. }) | Err(_)),
                    "a caller proof was admitted twice"
                );
                if let Ok(Admission::Refuse { writes, .. }) = again {
                    lines.extend(writes.into_iter().map(|w| w.line));
                }
            }
        }
    }
    if !lines.is_empty() {
        let r = evidence::verify_log(&lines.join("\n"), &key().verifying_key(), &[], usize::MAX)
            .expect("the gate's lines are a log");
        assert!(r.is_valid(), "{}", r.to_json());
    }
    // The same params as a report, from a client with a key: refused or attached, never both.
    let client = SigningKey::from_bytes(&CLIENT_SEED);
    if let Ok(Some(a)) = caller::prepare_call(Some(&client), None, params, params, now, &[1; 16]) {
        assert!(a.params.contains(caller::META_KEY));
    }
});

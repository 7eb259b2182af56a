//! The client session driven by a hostile server: the input is the server's answers, in order,
//! separated by NUL bytes; an answer starting with `!` is a JSON-RPC error `!<code> <data>`.
//! Every sequence must end in a report that is valid JSON, never a panic or a hang, and the
//! session must never ask for more requests than the answers allow for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_attest::session::{ClientPolicy, ClientSession};
use mcp_attest::trust::TrustStore;
use mcp_attest::{json, SigningKey};

/// tests/vectors signed_at + 60 s (the transcripts of sessions.json are valid seeds).
const NOW: u64 = 1_799_992_860;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    let mut store = TrustStore::new();
    // A pin, so the rotation and changed-key paths are reachable.
    let pinned = SigningKey::from_bytes(&core::array::from_fn(|j| 9u8.wrapping_mul(31).wrapping_add(j as u8)));
    store.pin("stdio:weather", &pinned.verifying_key(), NOW - 86_400);
    let policy = ClientPolicy::from_json(r#"{"serverId":"stdio:weather","maxPages":8}"#).unwrap();
    let Ok(mut session) = ClientSession::new(policy, Some(store), NOW, &[7; 64]) else {
        return;
    };
    let mut answers = s.split('\0');
    let mut asked = 0usize;
    while session.next_request().is_some() {
        asked += 1;
        // At most 8 pages, identity/get and two challenges.
        assert!(asked <= 11, "the session asked for more than its bounds allow");
        match answers.next() {
            Some(a) if a.starts_with('!') => {
                let (code, data) = a[1..].split_once(' ').unwrap_or((&a[1..], ""));
                let code = code.parse::<i64>().unwrap_or(-32603);
                session.receive_error(code, "error", (!data.is_empty()).then_some(data));
            }
            Some(a) => session.receive_result(a),
            None => session.receive_error(-32000, "connection closed", None),
        }
    }
    let report = session.report().expect("a finished session has a report");
    assert!(json::parse(report).is_ok(), "the report is not JSON");
});

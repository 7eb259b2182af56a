//! Runs one operation `n` times, for instruction counting under
//! `valgrind --tool=callgrind` (bench/profile/icount.sh): two runs with different `n`, and
//! the difference divided by the difference of `n` is the marginal cost of one call, free of
//! start-up and of this shared machine's timing noise.
//!
//! `icount <op> <n>`, op one of:
//!   `verify_strict`   raw ed25519-dalek `verify_strict`, 64-byte message (the floor)
//!   `core_verify`     the core's `VerifyingKey::verify_slice` on the same input
//!   `passport`        `passport::verify` of a self-issued passport with an audience (the key
//!                     from the did:key), as the bindings' `verify_passport` calls it
//!   `passport_pinned` the same with the subject key given
//!   `session <dir> <now>`  the client side of a verification with the default policy but no
//!                     challenge, on a real server's answers captured by
//!                     bench/profile/capture.mjs (`dir/page.json`, `dir/identity.json`): the
//!                     tools/list page in, identity/get in, the report out — the core's part
//!                     of `verifyServer`, without a binding or an SDK
//!
//! The fixtures are the ones bench/python/peers.py and bench/js/peers.mjs verify (seed
//! 0..32, `mcp` name "bench"), so the counts compare with the bindings' counts directly.

// A benchmark binary: a wrong verdict must stop the run loudly (a broken path must never
// look cheap), so unwrap/expect/panic are the point here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

use std::hint::black_box;

use mcp_attest::passport::{self, IssueOptions, McpInfo};
use mcp_attest::session::{ClientPolicy, ClientSession};
use mcp_attest::SigningKey;

const NOW: u64 = 1_800_000_000;
const AUD: &str = "https://mcp.example.com/mcp";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(op), Some(n)) = (args.get(1), args.get(2).and_then(|n| n.parse::<u64>().ok())) else {
        panic!("usage: icount verify_strict|core_verify|passport|passport_pinned <n> | session <n> <dir> <now>");
    };
    let seed: [u8; 32] = core::array::from_fn(|i| u8::try_from(i).unwrap());
    let sk = SigningKey::from_bytes(&seed);
    let vk = sk.verifying_key();
    let msg = [b'm'; 64];
    let sig = sk.sign(&msg);
    let sig_bytes = sig.to_bytes();
    let dalek_vk = ed25519_dalek::VerifyingKey::from_bytes(&vk.to_bytes()).unwrap();
    let dalek_sig = ed25519_dalek::Signature::from_bytes(&sig_bytes);
    let info = McpInfo {
        name: String::from("bench"),
        version: Some(String::from("1.0.0")),
        endpoints: vec![String::from(AUD)],
        tools_hash: None,
    };
    let token = passport::issue_self(
        &sk,
        &info,
        &IssueOptions {
            now: NOW,
            ttl: 86_400,
            audience: Some(AUD),
            ..IssueOptions::default()
        },
    );
    let options = |subject| passport::VerifyOptions {
        now: NOW,
        audience: Some(AUD),
        subject,
        ..passport::VerifyOptions::default()
    };
    match op.as_str() {
        "verify_strict" => {
            for _ in 0..n {
                dalek_vk
                    .verify_strict(black_box(&msg), black_box(&dalek_sig))
                    .unwrap();
            }
        }
        "core_verify" => {
            for _ in 0..n {
                vk.verify_slice(black_box(&msg), black_box(&sig_bytes))
                    .unwrap();
            }
        }
        "passport" => {
            let o = options(None);
            for _ in 0..n {
                black_box(passport::verify(black_box(&token), &o).unwrap());
            }
        }
        "passport_pinned" => {
            let o = options(Some(&vk));
            for _ in 0..n {
                black_box(passport::verify(black_box(&token), &o).unwrap());
            }
        }
        "session" => {
            let dir = std::path::Path::new(args.get(3).expect("session needs <dir>"));
            let now: u64 = args
                .get(4)
                .and_then(|t| t.parse().ok())
                .expect("session needs <now>");
            let page = std::fs::read_to_string(dir.join("page.json")).unwrap();
            let identity = std::fs::read_to_string(dir.join("identity.json")).unwrap();
            let policy = ClientPolicy {
                challenge: false,
                ..ClientPolicy::default()
            };
            let run = || {
                let mut s = ClientSession::new(policy.clone(), None, now, &[7; 64]).unwrap();
                assert_eq!(s.next_request().unwrap().method, "tools/list");
                s.receive_result(black_box(&page));
                assert_eq!(s.next_request().unwrap().method, "identity/get");
                s.receive_result(black_box(&identity));
                assert!(s.next_request().is_none());
                s
            };
            // The verdict is checked once, outside the counted calls (parsing the report is
            // the host's cost, not the verification's).
            let report = mcp_attest::json::parse(run().report().unwrap()).unwrap();
            let verified = report.get("verified") == Some(&mcp_attest::json::Value::Bool(true));
            assert!(verified, "{}", report.to_jcs());
            for _ in 0..n {
                black_box(run());
            }
        }
        other => panic!("unknown op {other}"),
    }
}

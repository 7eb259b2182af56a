//! identity/get documents and identity/challenge messages, client and server side.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_attest::challenge::{self, ChallengeRequest, ChallengeResponder, ChallengeResponse};
use mcp_attest::identity::{self, VerifyOptions};
use mcp_attest::SigningKey;

/// tests/vectors signed_at + 60 s.
const NOW: u64 = 1_799_992_860;
/// The seeds of the project's vectors (crates/xtask): byte j of seed i is i·31 + j, so the
/// committed vector files are valid inputs here and reach the deep paths.
fn seed(i: u8) -> [u8; 32] {
    core::array::from_fn(|j| i.wrapping_mul(31).wrapping_add(j as u8))
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    let server = SigningKey::from_bytes(&seed(1));
    let publisher = SigningKey::from_bytes(&seed(6)).verifying_key();
    let previous = SigningKey::from_bytes(&seed(9)).verifying_key();
    let trusted = [publisher];
    let opts = VerifyOptions {
        now: NOW,
        trusted_publishers: &trusted,
        previous_key: Some(&previous),
        require_trusted_publisher: false,
    };
    let _ = identity::verify_document(s, &opts);

    // Server side: whatever the params, an answer or a coded error with a JSON-RPC mapping.
    let mut responder = ChallengeResponder::new(server.verifying_key().kid(), 4);
    match responder.respond(&server, s, NOW) {
        Ok(resp) => {
            let req = ChallengeRequest::from_json(s).expect("answered params parse");
            challenge::verify_response(&req, &resp, &server.verifying_key(), None)
                .expect("own answer verifies");
            // The same params again are a replay.
            let again = responder
                .respond(&server, s, NOW)
                .expect_err("replay accepted");
            assert_eq!(
                challenge::jsonrpc_error(&again).0,
                challenge::JSONRPC_REPLAYED_NONCE
            );
        }
        Err(e) => {
            let _ = challenge::jsonrpc_error_json(&e);
        }
    }
    // Client side: a result for a fixed request.
    if let Ok(resp) = ChallengeResponse::from_json(s) {
        let req = ChallengeRequest::new(&[3; 32], NOW);
        let _ = challenge::verify_response(&req, &resp, &server.verifying_key(), None);
    }
});

//! `identity/challenge` through the public API: client → server → client, every refusal the
//! server makes (with its JSON-RPC code), the client's checks of the answer, the replay
//! cache's memory ceiling measured with a counting allocator, and a deterministic
//! never-panics loop.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use core::sync::atomic::{AtomicIsize, Ordering};
use std::alloc::System;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use mcp_attest::challenge::{
    jsonrpc_error, jsonrpc_error_json, verify_response, ChallengeRequest, ChallengeResponder,
    ChallengeResponse, NonceCache, DEFAULT_NONCE_CACHE_CAPACITY, JSONRPC_INVALID_PARAMS,
    JSONRPC_REPLAYED_NONCE, JSONRPC_STALE_TIMESTAMP, MAX_CHALLENGE_BYTES, MAX_FUTURE_SKEW_SECONDS,
    MIN_CHALLENGE_BYTES, WINDOW_SECONDS,
};
use mcp_attest::{encoding, time, ErrorCode, Result, Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------------------------
// A counting allocator. The test harness runs tests on several threads at once, so only the
// allocations of a thread that is measuring are counted (a thread-local flag), into atomics;
// a lock keeps two measurements from overlapping.

struct CountingAllocator;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);
static METER_LOCK: Mutex<()> = Mutex::new(());

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
}

fn record(delta: isize) {
    if MEASURING.try_with(Cell::get).unwrap_or(false) {
        let now = CURRENT.fetch_add(delta, Ordering::Relaxed) + delta;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

fn signed(size: usize) -> isize {
    isize::try_from(size).unwrap_or(isize::MAX)
}

#[allow(unsafe_code)]
// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// bookkeeping touches only atomics and a const-initialised thread-local without a destructor,
// so it never allocates or re-enters the allocator.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            record(signed(layout.size()));
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            record(signed(layout.size()));
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        record(-signed(layout.size()));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            record(signed(new_size) - signed(layout.size()));
        }
        p
    }
}

/// Counts this thread's heap bytes from `start` until dropped.
struct Meter {
    _lock: MutexGuard<'static, ()>,
}

impl Meter {
    fn start() -> Meter {
        let lock = METER_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        CURRENT.store(0, Ordering::Relaxed);
        PEAK.store(0, Ordering::Relaxed);
        MEASURING.with(|m| m.set(true));
        Meter { _lock: lock }
    }
    /// Live bytes allocated since `start`.
    fn current(&self) -> usize {
        usize::try_from(CURRENT.load(Ordering::Relaxed)).unwrap_or(0)
    }
    /// The most live bytes at any moment since `start`.
    fn peak(&self) -> usize {
        usize::try_from(PEAK.load(Ordering::Relaxed)).unwrap_or(0)
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        MEASURING.with(|m| m.set(false));
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// 2027-01-15T08:00:00Z.
const NOW: u64 = 1_800_000_000;

fn server_key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

fn responder() -> ChallengeResponder {
    ChallengeResponder::new(
        server_key().verifying_key().kid(),
        DEFAULT_NONCE_CACHE_CAPACITY,
    )
}

fn params(challenge: &str, timestamp: &str) -> String {
    format!(r#"{{"challenge":"{challenge}","timestamp":"{timestamp}"}}"#)
}

/// A valid challenge text of `n` bytes, all `fill`.
fn challenge_of(n: usize, fill: u8) -> String {
    encoding::base64url_encode(&vec![fill; n])
}

#[track_caller]
fn code<T: core::fmt::Debug>(result: Result<T>) -> ErrorCode {
    result.unwrap_err().code()
}

/// A deterministic pseudo-random stream (SplitMix64).
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn nonce(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for chunk in out.chunks_mut(8) {
            chunk.copy_from_slice(&self.next().to_le_bytes());
        }
        out
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// The happy path and the signing input.

#[test]
fn round_trip_client_server_client() {
    let sk = server_key();
    let vk = sk.verifying_key();
    let mut server = responder();

    let request = ChallengeRequest::new(&Stream(1).nonce(), NOW);
    let params = request.to_json();
    assert_eq!(
        params,
        format!(
            r#"{{"challenge":"{}","timestamp":"2027-01-15T08:00:00Z"}}"#,
            request.challenge()
        )
    );

    // Over the wire: params text in, result text out.
    let result = server.respond(&sk, &params, NOW + 5).unwrap().to_json();
    let response = ChallengeResponse::from_json(&result).unwrap();
    assert_eq!(response.kid, vk.kid());
    assert_eq!(
        Signature::from_base64url(&response.signature)
            .unwrap()
            .to_bytes()
            .len(),
        64
    );
    verify_response(&request, &response, &vk, None).unwrap();
    verify_response(&request, &response, &vk, Some(&vk.kid())).unwrap();
    assert_eq!(server.cache().len(), 1);

    // Larger challenges work the same, up to the limit.
    for n in [33, 64, 500, MAX_CHALLENGE_BYTES] {
        let request = ChallengeRequest::from_random(&Stream(n as u64).bytes(n), NOW).unwrap();
        let response = server.respond(&sk, &request.to_json(), NOW).unwrap();
        verify_response(&request, &response, &vk, None).unwrap();
    }
}

#[test]
fn signing_input_is_challenge_bytes_then_timestamp_text() {
    let random: Vec<u8> = (0u8..40).collect();
    let request = ChallengeRequest::from_random(&random, NOW).unwrap();
    let mut expected = random.clone();
    expected.extend_from_slice(b"2027-01-15T08:00:00Z");
    assert_eq!(request.signing_input().unwrap(), expected);

    // The server signs exactly those bytes: the signature verifies over them with the raw
    // key API, and over nothing else.
    let sk = server_key();
    let response = responder().respond(&sk, &request.to_json(), NOW).unwrap();
    let signature = Signature::from_base64url(&response.signature).unwrap();
    sk.verifying_key().verify(&expected, &signature).unwrap();
    let mut encoded_instead = request.challenge().as_bytes().to_vec();
    encoded_instead.extend_from_slice(request.timestamp().as_bytes());
    assert_eq!(
        code(sk.verifying_key().verify(&encoded_instead, &signature)),
        ErrorCode::InvalidSignature
    );
    // Ed25519 is deterministic, so an independent signature over the same bytes is equal.
    assert_eq!(sk.sign(&expected), signature);
}

#[test]
fn timestamp_is_signed_exactly_as_received() {
    // The same instant in three spellings; each is signed as sent.
    let sk = server_key();
    let vk = sk.verifying_key();
    let spellings = [
        "2027-01-15T08:00:00Z",
        "2027-01-15T09:00:00+01:00",
        "2027-01-15T08:00:00.250z",
    ];
    let mut server = responder();
    let mut responses = Vec::new();
    for (i, ts) in spellings.iter().enumerate() {
        let challenge = challenge_of(32, i as u8);
        let text = params(&challenge, ts);
        let request = ChallengeRequest::from_json(&text).unwrap();
        assert_eq!(request.timestamp(), *ts);
        let response = server.respond(&sk, &text, NOW).unwrap();
        verify_response(&request, &response, &vk, None).unwrap();
        responses.push((challenge, response));
    }
    // A response checked against the request re-spelled to another equivalent timestamp fails.
    let (challenge_1, response_1) = &responses[1];
    let respelled = ChallengeRequest::from_json(&params(challenge_1, spellings[0])).unwrap();
    assert_eq!(
        code(verify_response(&respelled, response_1, &vk, None)),
        ErrorCode::InvalidSignature
    );
}

// ---------------------------------------------------------------------------------------------
// Server refusals, in the order the server checks.

#[test]
fn replayed_nonce_is_refused_until_its_timestamp_goes_stale() {
    let sk = server_key();
    let mut server = responder();
    let text = ChallengeRequest::new(&[0x42; 32], NOW).to_json();
    server.respond(&sk, &text, NOW).unwrap();

    for now in [NOW, NOW + 1, NOW + WINDOW_SECONDS] {
        let err = server.respond(&sk, &text, now).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ReplayedNonce, "at {now}");
        assert_eq!(
            jsonrpc_error(&err),
            (JSONRPC_REPLAYED_NONCE, "replayed_nonce")
        );
        assert_eq!(jsonrpc_error(&err).0, -32002);
    }
    // The same nonce with another timestamp is still the same nonce.
    let other_time = params(
        ChallengeRequest::from_json(&text).unwrap().challenge(),
        "2027-01-15T08:01:00Z",
    );
    assert_eq!(
        code(server.respond(&sk, &other_time, NOW + 10)),
        ErrorCode::ReplayedNonce
    );
    // Once the nonce is forgotten (after timestamp + window), its timestamp is stale anyway.
    let err = server
        .respond(&sk, &text, NOW + WINDOW_SECONDS + 1)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::StaleTimestamp);
    assert_eq!(
        jsonrpc_error(&err),
        (JSONRPC_STALE_TIMESTAMP, "stale_timestamp")
    );
}

#[test]
fn stale_beyond_300_s_behind_or_60_s_ahead() {
    let sk = server_key();
    let mut server = responder();
    for (i, (skew, stale)) in [
        (-301i64, true),
        (61, true),
        (300, true),
        (-300, false),
        (60, false),
        (-100_000, true),
        (100_000, true),
        (0, false),
    ]
    .into_iter()
    .enumerate()
    {
        let ts = time::format_rfc3339(NOW.checked_add_signed(skew).unwrap());
        let text = params(&challenge_of(32, i as u8), &ts);
        let result = server.respond(&sk, &text, NOW);
        if stale {
            let err = result.unwrap_err();
            assert_eq!(err.code(), ErrorCode::StaleTimestamp, "skew {skew}");
            assert_eq!(jsonrpc_error(&err).0, -32001);
        } else {
            result.unwrap();
        }
    }
    // A stale request is refused before the replay check and does not use a cache slot.
    assert_eq!(server.cache().len(), 3);
    // now earlier than 1970 + window: no underflow.
    let text = params(&challenge_of(32, 0xaa), "1970-01-01T00:00:00Z");
    server.respond(&sk, &text, 0).unwrap();
    assert_eq!(
        code(server.respond(&sk, &text, 0)),
        ErrorCode::ReplayedNonce
    );
}

#[test]
fn timestamp_without_colons_is_invalid_params_not_stale() {
    let sk = server_key();
    let mut server = responder();
    let now = time::parse_rfc3339("2027-01-15T06:00:00Z").unwrap();
    // The same instant in the extended form is fine, so the refusal is about the form.
    server
        .respond(
            &sk,
            &params(&challenge_of(32, 1), "2027-01-15T06:00:00Z"),
            now,
        )
        .unwrap();
    for ts in [
        "20270115T060000Z",
        "2027-01-15T060000Z",
        "2027-01-15T06:00:00+0100",
        "2027-01-15 06:00:00Z",
        "2027-01-15T06:00:00",
        "2027-01-15",
        "1800000000",
        "",
    ] {
        let err = server
            .respond(&sk, &params(&challenge_of(32, 2), ts), now)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidChallenge, "{ts}");
        assert_eq!(
            jsonrpc_error(&err),
            (JSONRPC_INVALID_PARAMS, "invalid_params")
        );
        assert_eq!(jsonrpc_error(&err).0, -32602);
        assert_eq!(
            code(ChallengeRequest::from_json(&params(
                &challenge_of(32, 2),
                ts
            ))),
            ErrorCode::InvalidChallenge
        );
    }
    // A timestamp that is a number, not a string.
    let text = format!(
        r#"{{"challenge":"{}","timestamp":{now}}}"#,
        challenge_of(32, 3)
    );
    assert_eq!(
        code(server.respond(&sk, &text, now)),
        ErrorCode::InvalidChallenge
    );
}

#[test]
fn challenge_length_is_32_to_512_bytes() {
    let sk = server_key();
    let mut server = responder();
    let ts = "2027-01-15T08:00:00Z";
    for (n, ok) in [
        (0, false),
        (16, false),
        (31, false),
        (32, true),
        (512, true),
        (513, false),
        (1024, false),
    ] {
        let text = params(&challenge_of(n, n as u8), ts);
        let result = server.respond(&sk, &text, NOW);
        assert_eq!(result.is_ok(), ok, "{n} bytes");
        if !ok {
            let err = result.unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidChallenge, "{n} bytes");
            assert_eq!(jsonrpc_error(&err).0, -32602);
        }
        assert_eq!(
            ChallengeRequest::from_random(&vec![1u8; n], NOW).is_ok(),
            ok,
            "from_random {n}"
        );
    }
    assert_eq!(MIN_CHALLENGE_BYTES, 32);
    // Refused challenges never reach the cache.
    assert_eq!(server.cache().len(), 2);
}

#[test]
fn challenge_must_be_canonical_unpadded_base64url() {
    let sk = server_key();
    let mut server = responder();
    let ts = "2027-01-15T08:00:00Z";
    let bytes: Vec<u8> = (0u8..33)
        .map(|b| b.wrapping_mul(37).wrapping_add(0xf8))
        .collect();
    let good = encoding::base64url_encode(&bytes);
    assert!(good.contains('-') || good.contains('_'));
    let standard = encoding::base64_encode(&bytes); // 33 bytes: no padding, but +/ alphabet
    assert_ne!(standard, good);
    let padded = format!("{}=", encoding::base64url_encode(&[9u8; 32]));
    let mut noncanonical = encoding::base64url_encode(&[0u8; 32]).into_bytes();
    *noncanonical.last_mut().unwrap() = b'B'; // 32 bytes leave 2 unused bits; set one
    let noncanonical = String::from_utf8(noncanonical).unwrap();
    let spaced = format!("{} ", encoding::base64url_encode(&[9u8; 32]));
    let split = {
        let mut s = encoding::base64url_encode(&[9u8; 32]);
        s.insert(20, '\n');
        s
    };
    for bad in [
        padded.as_str(),
        standard.as_str(),
        noncanonical.as_str(),
        spaced.as_str(),
        split.as_str(),
        "not base64 at all!",
    ] {
        let text = serde_json::json!({"challenge": bad, "timestamp": ts}).to_string();
        let err = server.respond(&sk, &text, NOW).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidChallenge, "{bad:?}");
        assert_eq!(jsonrpc_error(&err).0, -32602);
    }
    server.respond(&sk, &params(&good, ts), NOW).unwrap();
}

#[test]
fn params_over_4_kib_are_refused_before_parsing() {
    let sk = server_key();
    let mut server = responder();
    let base = params(&challenge_of(32, 5), "2027-01-15T08:00:00Z");
    // `base` without its closing brace, then one more member of `n` filler characters.
    let with_filler = |n: usize| {
        format!(
            r#"{},"filler":"{}"}}"#,
            &base[..base.len() - 1],
            "x".repeat(n)
        )
    };
    // Exactly 4096 bytes: accepted (extra members are ignored).
    let overhead = with_filler(0).len();
    let exact = with_filler(4096 - overhead);
    assert_eq!(exact.len(), 4096);
    server.respond(&sk, &exact, NOW).unwrap();
    // 4097 bytes: refused, even though it is otherwise valid.
    let over = with_filler(4097 - overhead).replace(&challenge_of(32, 5), &challenge_of(32, 6));
    assert_eq!(over.len(), 4097);
    let err = server.respond(&sk, &over, NOW).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidChallenge);
    assert!(err.message().contains("4096"), "{}", err.message());
    // Not JSON at all, and large: the size is what is reported.
    let junk = "[".repeat(1 << 20);
    let err = server.respond(&sk, &junk, NOW).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidChallenge);
    assert!(err.message().contains("4096"), "{}", err.message());
}

#[test]
fn junk_and_wrongly_shaped_params_are_invalid_params() {
    let sk = server_key();
    let mut server = responder();
    let c = challenge_of(32, 8);
    let ts = "2027-01-15T08:00:00Z";
    let cases = [
        String::new(),
        " ".into(),
        "null".into(),
        "[]".into(),
        "\"text\"".into(),
        "{".into(),
        "{}".into(),
        format!(r#"{{"challenge":"{c}"}}"#),
        format!(r#"{{"timestamp":"{ts}"}}"#),
        format!(r#"{{"challenge":null,"timestamp":"{ts}"}}"#),
        format!(r#"{{"challenge":["{c}"],"timestamp":"{ts}"}}"#),
        format!(r#"{{"challenge":"{c}","timestamp":["{ts}"]}}"#),
        format!(r#"{{"Challenge":"{c}","Timestamp":"{ts}"}}"#),
        format!(r#"{{"challenge":"{c}","timestamp":"{ts}","challenge":"{c}"}}"#),
        format!(r#"{{"challenge":"{c}","timestamp":"{ts}"}} trailing"#),
        format!(r#"{{"challenge":"{c}","timestamp":"{ts}",}}"#),
        format!("\u{feff}{{\"challenge\":\"{c}\",\"timestamp\":\"{ts}\"}}"),
        format!(r#"{{"challenge":"{c}","timestamp":"{ts}","x":"\ud800"}}"#),
        format!(
            r#"{{"challenge":"{c}","timestamp":"{ts}","deep":{}{}}}"#,
            "[".repeat(40),
            "]".repeat(40)
        ),
    ];
    for text in &cases {
        let err = server.respond(&sk, text, NOW).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidChallenge, "{text:?}");
        assert_eq!(jsonrpc_error(&err), (-32602, "invalid_params"));
        assert_eq!(
            code(ChallengeRequest::from_json(text)),
            ErrorCode::InvalidChallenge
        );
    }
    assert!(server.cache().is_empty());
    // Unknown members, including MCP's `_meta`, are ignored.
    let extra = format!(
        r#"{{"_meta":{{"progressToken":1}},"challenge":"{c}","nonce":7,"timestamp":"{ts}"}}"#
    );
    let request = ChallengeRequest::from_json(&extra).unwrap();
    assert_eq!(request.to_json(), params(&c, ts));
    server.respond(&sk, &extra, NOW).unwrap();
}

#[test]
fn full_cache_refuses_with_internal_error_and_recovers() {
    let sk = server_key();
    let mut server = ChallengeResponder::new("srv", 2);
    let ts = "2027-01-15T08:00:00Z";
    server
        .respond(&sk, &params(&challenge_of(32, 1), ts), NOW)
        .unwrap();
    server
        .respond(&sk, &params(&challenge_of(32, 2), ts), NOW)
        .unwrap();
    let err = server
        .respond(&sk, &params(&challenge_of(32, 3), ts), NOW)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NonceCacheFull);
    assert_eq!(jsonrpc_error(&err), (-32603, "nonce_cache_full"));
    // Replays are still reported as replays.
    assert_eq!(
        code(server.respond(&sk, &params(&challenge_of(32, 1), ts), NOW)),
        ErrorCode::ReplayedNonce
    );
    // After the window the old nonces are forgotten and a fresh challenge is answered.
    let later = NOW + WINDOW_SECONDS + 1;
    let fresh = params(&challenge_of(32, 3), &time::format_rfc3339(later));
    server.respond(&sk, &fresh, later).unwrap();
    assert_eq!(server.cache().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Client checks.

fn answered() -> (ChallengeRequest, ChallengeResponse) {
    let request = ChallengeRequest::new(&[0x33; 32], NOW);
    let response = responder()
        .respond(&server_key(), &request.to_json(), NOW)
        .unwrap();
    (request, response)
}

#[test]
fn wrong_key_is_invalid_signature() {
    let (request, response) = answered();
    let other = SigningKey::from_bytes(&[8u8; 32]).verifying_key();
    // With the kid check passed, only the signature can fail.
    assert_eq!(
        code(verify_response(
            &request,
            &response,
            &other,
            Some(&response.kid)
        )),
        ErrorCode::InvalidSignature
    );
    // With the default kid, the other key's kid differs first.
    assert_eq!(
        code(verify_response(&request, &response, &other, None)),
        ErrorCode::KidMismatch
    );
}

#[test]
fn kid_mismatch() {
    let (request, response) = answered();
    let vk = server_key().verifying_key();
    assert_eq!(
        code(verify_response(&request, &response, &vk, Some("srv-a1b2"))),
        ErrorCode::KidMismatch
    );
    let renamed = ChallengeResponse {
        kid: "srv-a1b2".into(),
        ..response.clone()
    };
    assert_eq!(
        code(verify_response(&request, &renamed, &vk, None)),
        ErrorCode::KidMismatch
    );
    verify_response(&request, &renamed, &vk, Some("srv-a1b2")).unwrap();
}

#[test]
fn response_for_another_nonce_or_time_fails() {
    let (request, response) = answered();
    let vk = server_key().verifying_key();
    let other_nonce = ChallengeRequest::new(&[0x34; 32], NOW);
    assert_eq!(
        code(verify_response(&other_nonce, &response, &vk, None)),
        ErrorCode::InvalidSignature
    );
    let other_time = ChallengeRequest::new(&[0x33; 32], NOW + 1);
    assert_eq!(
        code(verify_response(&other_time, &response, &vk, None)),
        ErrorCode::InvalidSignature
    );
    verify_response(&request, &response, &vk, None).unwrap();
}

#[test]
fn malformed_signature_text_is_invalid_signature() {
    let (request, response) = answered();
    let vk = server_key().verifying_key();
    let sig = response.signature.clone();
    let mut flipped = Signature::from_base64url(&sig).unwrap().to_bytes();
    flipped[10] ^= 1;
    for bad in [
        String::new(),
        "!!!".into(),
        format!("{sig}="),
        sig[..sig.len() - 1].to_string(),
        format!("{sig}AA"),
        encoding::base64_encode(&Signature::from_base64url(&sig).unwrap().to_bytes()),
        encoding::base64url_encode(&flipped),
        encoding::base64url_encode(&[0u8; 64]),
    ] {
        let tampered = ChallengeResponse {
            signature: bad.clone(),
            ..response.clone()
        };
        assert_eq!(
            code(verify_response(&request, &tampered, &vk, None)),
            ErrorCode::InvalidSignature,
            "{bad:?}"
        );
    }
}

#[test]
fn response_json_round_trip_and_malformed_results() {
    let (_, response) = answered();
    let text = response.to_json();
    assert!(text.starts_with(r#"{"kid":""#));
    assert_eq!(ChallengeResponse::from_json(&text).unwrap(), response);
    let with_extra = format!(
        r#"{{"_meta":{{}},"kid":"{}","signature":"{}"}}"#,
        response.kid, response.signature
    );
    assert_eq!(ChallengeResponse::from_json(&with_extra).unwrap(), response);
    for bad in [
        "",
        "[]",
        "{}",
        r#"{"signature":"abc"}"#,
        r#"{"kid":"abc"}"#,
        r#"{"kid":1,"signature":"abc"}"#,
        r#"{"kid":"k","signature":null}"#,
        r#"{"kid":"k","kid":"k","signature":"s"}"#,
    ] {
        assert_eq!(
            code(ChallengeResponse::from_json(bad)),
            ErrorCode::MalformedIdentity,
            "{bad:?}"
        );
    }
    let huge = format!(r#"{{"kid":"k","signature":"{}"}}"#, "A".repeat(5000));
    assert_eq!(
        code(ChallengeResponse::from_json(&huge)),
        ErrorCode::MalformedIdentity
    );
}

#[test]
fn jsonrpc_error_objects() {
    let sk = server_key();
    let mut server = ChallengeResponder::new("srv", 1);
    let ts = "2027-01-15T08:00:00Z";
    let invalid = server.respond(&sk, "{}", NOW).unwrap_err();
    let stale = server
        .respond(&sk, &params(&challenge_of(32, 1), ts), NOW + 301)
        .unwrap_err();
    server
        .respond(&sk, &params(&challenge_of(32, 1), ts), NOW)
        .unwrap();
    let replayed = server
        .respond(&sk, &params(&challenge_of(32, 1), ts), NOW)
        .unwrap_err();
    let full = server
        .respond(&sk, &params(&challenge_of(32, 2), ts), NOW)
        .unwrap_err();
    for (err, code, reason, ours) in [
        (&invalid, -32602, "invalid_params", "invalid_challenge"),
        (&stale, -32001, "stale_timestamp", "stale_timestamp"),
        (&replayed, -32002, "replayed_nonce", "replayed_nonce"),
        (&full, -32603, "nonce_cache_full", "nonce_cache_full"),
    ] {
        assert_eq!(jsonrpc_error(err), (code, reason));
        let json: serde_json::Value = serde_json::from_str(&jsonrpc_error_json(err)).unwrap();
        assert_eq!(json["code"], code);
        assert_eq!(json["message"], err.message());
        assert_eq!(json["data"]["reason"], reason);
        assert_eq!(json["data"]["code"], ours);
        assert_eq!(json.as_object().unwrap().len(), 3);
    }
    // Other errors of the crate map to invalid params.
    let other = VerifyingKey::from_slice(&[0u8; 31]).unwrap_err();
    assert_eq!(jsonrpc_error(&other), (-32602, "invalid_params"));
}

// ---------------------------------------------------------------------------------------------
// The replay cache's memory ceiling, measured.

fn hash16(nonce: &[u8]) -> [u8; 16] {
    Sha256::digest(nonce)[..16].try_into().unwrap()
}

#[test]
fn nonce_cache_memory_stays_under_its_ceiling() {
    const CAPACITY: usize = 1_000;
    let mut stream = Stream(0xc0ffee);
    let random: Vec<[u8; 32]> = (0..CAPACITY * 4).map(|_| stream.nonce()).collect();
    let mut ascending = random[..CAPACITY].to_vec();
    ascending.sort_by_key(|n| hash16(n));
    let mut descending = ascending.clone();
    descending.reverse();
    let extra = stream.nonce();

    let ceiling = NonceCache::new(CAPACITY).memory_ceiling_bytes();
    if cfg!(target_pointer_width = "64") {
        assert_eq!(ceiling, 1_000 * 40 + 2 * 201 * 376);
    }
    let mut report = Vec::new();

    for (name, order) in [
        ("random", &random[..CAPACITY]),
        ("ascending", &ascending[..]),
        ("descending", &descending[..]),
    ] {
        let meter = Meter::start();
        let mut cache = NonceCache::new(CAPACITY);
        for nonce in order {
            cache.check_and_insert(nonce, NOW + 300, NOW).unwrap();
        }
        let (full, peak) = (meter.current(), meter.peak());
        assert_eq!(cache.len(), CAPACITY);
        assert!(peak <= ceiling, "{name}: peak {peak} > ceiling {ceiling}");

        // Full: one more distinct unexpired nonce is refused, a stored one is a replay.
        assert_eq!(
            code(cache.check_and_insert(&extra, NOW + 300, NOW + 10)),
            ErrorCode::NonceCacheFull
        );
        assert_eq!(
            code(cache.check_and_insert(&order[7], NOW + 300, NOW + 300)),
            ErrorCode::ReplayedNonce
        );
        assert_eq!(cache.len(), CAPACITY);

        // Time passes: everything has expired and is evicted; inserts succeed again.
        cache
            .check_and_insert(&extra, NOW + 601, NOW + 301)
            .unwrap();
        cache
            .check_and_insert(&order[7], NOW + 601, NOW + 301)
            .unwrap();
        assert_eq!(cache.len(), 2);
        // The tree shrinks; the eviction heap keeps its buffer (at most CAPACITY slots).
        let after = meter.current();
        assert!(
            after <= CAPACITY * 40 + 2 * 376,
            "{name}: {after} bytes left after eviction"
        );
        assert!(meter.peak() <= ceiling);
        drop(cache);
        assert!(meter.current() == 0, "{name}: leak {}", meter.current());
        drop(meter);
        report.push(format!("{name}: full {full} B, peak {peak} B"));
    }

    // Churn: a cache that stays near capacity while entries expire in scattered order
    // (removals all over the tree, merges and steals), with expiries 1..=600 s ahead.
    let meter = Meter::start();
    let mut cache = NonceCache::new(CAPACITY);
    let mut now = NOW;
    let mut inserted = 0usize;
    let mut refused = 0usize;
    for round in 0..40 {
        for nonce in random
            .iter()
            .skip((round * 97) % (CAPACITY * 3))
            .take(CAPACITY)
        {
            let ttl = 1 + (u64::from(nonce[0]) * 7 + u64::from(nonce[1])) % 600;
            match cache.check_and_insert(nonce, now + ttl, now) {
                Ok(()) => inserted += 1,
                Err(e) if e.code() == ErrorCode::NonceCacheFull => refused += 1,
                Err(e) => assert_eq!(e.code(), ErrorCode::ReplayedNonce),
            }
        }
        now += 37;
    }
    let churn_peak = meter.peak();
    drop(meter);
    assert!(
        inserted > CAPACITY * 5 && refused > 0,
        "{inserted} {refused}"
    );
    assert!(
        churn_peak <= ceiling,
        "churn: peak {churn_peak} > ceiling {ceiling}"
    );
    report.push(format!(
        "churn: peak {churn_peak} B ({inserted} inserts, {refused} refused full)"
    ));
    println!(
        "nonce cache of {CAPACITY}, ceiling {ceiling} B: {}",
        report.join("; ")
    );
}

#[test]
fn default_capacity_ceiling_is_under_two_mib_and_holds() {
    let ceiling = NonceCache::new(DEFAULT_NONCE_CACHE_CAPACITY).memory_ceiling_bytes();
    assert!(ceiling < 2 << 20, "{ceiling}");
    let mut stream = Stream(99);
    let nonces: Vec<[u8; 32]> = (0..DEFAULT_NONCE_CACHE_CAPACITY)
        .map(|_| stream.nonce())
        .collect();
    let clients: Vec<String> = (0..DEFAULT_NONCE_CACHE_CAPACITY)
        .map(|i| format!("client-{i}"))
        .collect();
    let meter = Meter::start();
    // The worst case for the client tree: every entry charged to a different client.
    let mut cache = NonceCache::new(DEFAULT_NONCE_CACHE_CAPACITY);
    for (nonce, client) in nonces.iter().zip(&clients) {
        cache
            .check_and_insert_for(client, nonce, NOW + 360, NOW)
            .unwrap();
    }
    assert_eq!(cache.len(), DEFAULT_NONCE_CACHE_CAPACITY);
    let peak = meter.peak();
    drop(meter);
    assert!(peak <= ceiling, "peak {peak} > ceiling {ceiling}");
    println!("nonce cache of {DEFAULT_NONCE_CACHE_CAPACITY}: peak {peak} B, ceiling {ceiling} B");
}

// ---------------------------------------------------------------------------------------------
// One client cannot deny the others (issue #10 item 5).

/// The attack of the issue: 10 000 challenges timestamped now + 300 s from one client. Before
/// the fix they filled the shared cache for 10 minutes and every other client's challenge
/// failed with `nonce_cache_full`; now far-future timestamps are refused outright and the
/// flood at the largest accepted skew stops at the flooder's quota.
#[test]
fn one_client_flooding_cannot_deny_another() {
    let sk = server_key();
    let vk = sk.verifying_key();
    let mut server = responder();
    let mut stream = Stream(105);
    let far = time::format_rfc3339(NOW + 300);
    let mut far_refused = 0;
    for _ in 0..DEFAULT_NONCE_CACHE_CAPACITY {
        let text = params(&encoding::base64url_encode(&stream.nonce()), &far);
        if code(server.respond_for(&sk, &text, "stdio:flooder", NOW)) == ErrorCode::StaleTimestamp {
            far_refused += 1;
        }
    }
    assert_eq!(far_refused, DEFAULT_NONCE_CACHE_CAPACITY);
    assert!(server.cache().is_empty());

    let near = time::format_rfc3339(NOW + MAX_FUTURE_SKEW_SECONDS);
    let (mut answered, mut limited) = (0, 0);
    for _ in 0..DEFAULT_NONCE_CACHE_CAPACITY {
        let text = params(&encoding::base64url_encode(&stream.nonce()), &near);
        match server.respond_for(&sk, &text, "stdio:flooder", NOW) {
            Ok(_) => answered += 1,
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::ChallengeRateLimited);
                assert_eq!(jsonrpc_error(&e), (-32029, "challenge_rate_limited"));
                limited += 1;
            }
        }
    }
    assert_eq!(answered, DEFAULT_NONCE_CACHE_CAPACITY / 16);
    assert_eq!(limited, DEFAULT_NONCE_CACHE_CAPACITY - answered);

    // Another client, during the flood: answered, and the answer verifies.
    let request = ChallengeRequest::new(&stream.nonce(), NOW);
    let response = server
        .respond_for(&sk, &request.to_json(), "stdio:honest", NOW + 1)
        .unwrap();
    verify_response(&request, &response, &vk, Some(&vk.kid())).unwrap();
    // The nonce set is one set: the honest answer replayed from the flooder's connection is
    // a replay, not a fresh nonce on another connection.
    assert_eq!(
        code(server.respond_for(&sk, &request.to_json(), "stdio:flooder", NOW + 2)),
        ErrorCode::ReplayedNonce
    );
    // The flooder's quota comes back when its entries expire (timestamp + 300 s).
    let later = NOW + MAX_FUTURE_SKEW_SECONDS + WINDOW_SECONDS + 1;
    let text = ChallengeRequest::new(&stream.nonce(), later).to_json();
    server
        .respond_for(&sk, &text, "stdio:flooder", later)
        .unwrap();
}

/// The split path: admit, an external store's insert-if-absent, sign. Two responders (two
/// replicas) sharing one store: a replay sent to the other replica is refused by the store.
#[test]
fn admit_then_store_then_sign_refuses_a_replay_on_another_replica() {
    let sk = server_key();
    let vk = sk.verifying_key();
    let mut store = HashMap::<String, u64>::new();
    let mut replicas = [responder(), responder()];
    let request = ChallengeRequest::new(&[0x77; 32], NOW);
    let mut answer = |replica: usize, now: u64| -> Result<ChallengeResponse> {
        let admitted = replicas[replica].admit(&request.to_json(), "10.0.0.1", now)?;
        assert_eq!(admitted.expires_at(), NOW + WINDOW_SECONDS);
        let key = admitted.store_key();
        assert_eq!(
            key,
            encoding::hex_encode(&Sha256::digest([0x77u8; 32])[..16])
        );
        if store.insert(key, admitted.expires_at()).is_some() {
            return Err(mcp_attest::Error::with_message(
                ErrorCode::ReplayedNonce,
                "answered by another replica".into(),
            ));
        }
        Ok(replicas[replica].sign(&sk, &admitted))
    };
    let response = answer(0, NOW).unwrap();
    verify_response(&request, &response, &vk, None).unwrap();
    assert_eq!(code(answer(1, NOW + 1)), ErrorCode::ReplayedNonce);
    // The replica that answered refuses it from its own cache, before the store.
    assert_eq!(code(answer(0, NOW + 1)), ErrorCode::ReplayedNonce);
    // The one-call path signs the same bytes.
    let one_call = responder()
        .respond_for(&sk, &request.to_json(), "x", NOW)
        .unwrap();
    assert_eq!(one_call, response);
}

// ---------------------------------------------------------------------------------------------
// Never panics.

#[test]
fn deterministic_fuzz_never_panics_and_errors_stay_in_their_families() {
    let sk = server_key();
    let vk = sk.verifying_key();
    let mut server = ChallengeResponder::new(vk.kid(), 128);
    let mut stream = Stream(2027);
    let timestamps = [
        "2027-01-15T08:00:00Z",
        "2027-01-15T08:04:59Z",
        "2027-01-15T08:05:01Z",
        "2027-01-15T09:00:00+01:00",
        "2027-01-15T08:00:00.999999999Z",
        "2027-01-15t08:00:00z",
        "2027-02-30T08:00:00Z",
        "2027-01-15T24:00:00Z",
        "2027-01-15T08:00:60Z",
        "9999-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z",
        "20270115T080000Z",
        "2027-01-15T08:00:00",
        "",
    ];
    let alphabet: Vec<char> =
        "{}[]\":,.-_+/=\\ \n\tAZaz09eE\u{0}\u{7f}é\u{2028}\u{feff}\u{1F600}ntrufl"
            .chars()
            .collect();
    let valid = params(&challenge_of(32, 0), timestamps[0]);
    let (mut answered, mut full) = (0, 0);

    for i in 0..3_000u64 {
        let text: String = match stream.below(4) {
            // Raw noise.
            0 => {
                let n = stream.below(120);
                String::from_utf8_lossy(&stream.bytes(n)).into_owned()
            }
            // A valid request with a few characters changed, inserted or removed.
            1 => {
                let mut chars: Vec<char> = valid.chars().collect();
                for _ in 0..=stream.below(4) {
                    let at = stream.below(chars.len() + 1);
                    let c = *stream.pick(&alphabet);
                    match stream.below(3) {
                        0 if at < chars.len() => chars[at] = c,
                        1 if at < chars.len() => {
                            chars.remove(at);
                        }
                        _ => chars.insert(at, c),
                    }
                }
                chars.into_iter().collect()
            }
            // Well-formed JSON with random contents.
            2 => {
                let n = stream.below(600);
                let challenge = if stream.below(4) == 0 {
                    stream
                        .bytes(n)
                        .iter()
                        .map(|b| (b'!' + b % 94) as char)
                        .collect()
                } else {
                    encoding::base64url_encode(&stream.bytes(n))
                };
                serde_json::json!({
                    "challenge": challenge,
                    "timestamp": stream.pick(&timestamps),
                })
                .to_string()
            }
            // Mostly valid: fresh random challenges at times around now.
            _ => params(
                &encoding::base64url_encode(&stream.nonce()),
                &time::format_rfc3339(NOW + i / 4 - 400 + stream.below(800) as u64),
            ),
        };
        // The server's clock advances a second every four requests.
        let now = NOW + i / 4;

        let parsed = ChallengeRequest::from_json(&text);
        if let Err(e) = &parsed {
            assert_eq!(e.code(), ErrorCode::InvalidChallenge, "{text:?}");
        }
        match server.respond(&sk, &text, now) {
            Ok(response) => {
                answered += 1;
                let request = parsed
                    .as_ref()
                    .expect("params the server answered must parse");
                verify_response(request, &response, &vk, None).unwrap();
                let round_trip = ChallengeResponse::from_json(&response.to_json()).unwrap();
                assert_eq!(round_trip, response);
            }
            Err(e) => {
                assert!(
                    matches!(
                        e.code(),
                        ErrorCode::InvalidChallenge
                            | ErrorCode::StaleTimestamp
                            | ErrorCode::ReplayedNonce
                            | ErrorCode::NonceCacheFull
                    ),
                    "{e:?} for {text:?}"
                );
                if e.code() == ErrorCode::NonceCacheFull {
                    full += 1;
                }
                if e.code() == ErrorCode::InvalidChallenge {
                    assert!(parsed.is_err(), "{text:?}");
                }
                let json: serde_json::Value =
                    serde_json::from_str(&jsonrpc_error_json(&e)).unwrap();
                assert_eq!(json["code"], jsonrpc_error(&e).0);
            }
        }
        // The same text as a result, and a random answer to a valid request.
        if let Err(e) = ChallengeResponse::from_json(&text) {
            assert_eq!(e.code(), ErrorCode::MalformedIdentity);
        }
        if let Ok(request) = &parsed {
            let forged = ChallengeResponse {
                signature: text.chars().take(100).collect(),
                kid: vk.kid(),
            };
            assert_eq!(
                code(verify_response(request, &forged, &vk, None)),
                ErrorCode::InvalidSignature
            );
        }
    }
    assert!(answered > 200, "only {answered} answered");
    println!("fuzz: {answered} of 3000 answered, {full} refused as cache full");
}

//! `jws-attacks.json`: JWT (EdDSA) verifier conformance and attack cases, run through the
//! library's JWS API in the policy's check order.
//!
//! The vector file states the verifier contract in its `policy` header and, for each error
//! case, the *first* check that must fail in the order size, structure, base64url, JSON,
//! alg/crit, key, signature, claims. The runner follows that order with the library's steps:
//!
//! 1. `jws::parse` — size, structure, base64url, JSON, `alg`, `crit` (all key-independent);
//! 2. `VerifyingKey::from_jwk` — import of the case's `public_jwk` (the only trusted key);
//! 3. `UnverifiedJws::verify` — the strict Ed25519 signature check;
//! 4. `jws::check_claims` — time and audience rules.
//!
//! Every case must give its `expect`, and an error case must fail at the step its
//! `error_kind` belongs to with a code from that kind's row of [`KIND_MAP`]. All mismatches
//! are collected and reported together, so one run lists every finding. `serde_json` only
//! reads the file's structure; the token, key and claims go through the library.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

extern crate alloc;

use alloc::collections::{BTreeMap, BTreeSet};
use core::panic::AssertUnwindSafe;
use std::panic::catch_unwind;

use common::{array_field, field, read_json, str_field};
use mcp_attest::jws::{self, ClaimRules, UnverifiedJws, VerifiedJws};
use mcp_attest::{Error, ErrorCode, VerifyingKey};

const FILE: &str = "jws-attacks.json";
/// Cases in the file (also its `count` header).
const TOTAL_CASES: usize = 95;
/// Of which `expect: "valid"`.
const VALID_CASES: usize = 12;

/// Cases the runner cannot run, each with its reason. Empty: every case runs. A name listed
/// here is still counted and must exist in the file, so the list cannot go stale silently.
const NOT_RUN: &[(&str, &str)] = &[];

/// The library step at which a check fails, in the policy's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    /// `jws::parse`: size, structure, base64url, JSON, alg, crit.
    Parse,
    /// `VerifyingKey::from_jwk` on the case's `public_jwk`.
    Key,
    /// `UnverifiedJws::verify`.
    Signature,
    /// `jws::check_claims`.
    Claims,
}

/// `error_kind` (the vector file's enum) → the step that must fail and the library codes
/// that classification allows. Each row is as narrow as the library's documented behaviour
/// justifies; a code outside its row is a finding, never a reason to widen the row. Every
/// code listed must also be produced by at least one case (checked below), so no row can
/// carry a dead entry.
///
/// Why some rows hold several codes:
/// - `malformed` is the vector file's umbrella for "structure, base64url, UTF-8 or JSON
///   problem (incl. duplicate names, depth, non-object)". The library reports which of those
///   layers failed, each with its own stable code: `malformed_token` (not exactly three
///   segments, or a header/payload that is valid JSON but not an object), `invalid_base64`
///   (padding, wrong alphabet, whitespace, non-canonical trailing bits), `invalid_json`
///   (syntax, trailing data, a byte order mark, a payload that is not JSON at all),
///   `duplicate_key` (repeated member name), `invalid_unicode` (bytes that are not UTF-8,
///   overlong forms) and `json_too_deep` (nesting beyond 64). These are the codes `jws::parse`
///   documents for those failures, shared with the JS and Python bindings.
/// - `invalid_key` is "public_jwk unusable" for any reason; the JWK importer separates
///   `unsupported_key_type` (kty/crv other than OKP/Ed25519), `malformed_jwk` (members
///   missing, wrongly typed, or `x` not canonical unpadded base64url — e.g. padded),
///   `invalid_key_length` (`x` decodes to other than 32 bytes), `invalid_key` (not a
///   canonical curve point) and `weak_key` (a small-order point).
///
/// Every other kind is one check in the library and so one code.
const KIND_MAP: &[(&str, Step, &[ErrorCode])] = &[
    (
        "malformed",
        Step::Parse,
        &[
            ErrorCode::MalformedToken,
            ErrorCode::InvalidBase64,
            ErrorCode::InvalidJson,
            ErrorCode::DuplicateKey,
            ErrorCode::InvalidUnicode,
            ErrorCode::JsonTooDeep,
        ],
    ),
    ("too_large", Step::Parse, &[ErrorCode::InputTooLarge]),
    (
        "unsupported_alg",
        Step::Parse,
        &[ErrorCode::UnsupportedAlgorithm],
    ),
    (
        "crit_unsupported",
        Step::Parse,
        &[ErrorCode::UnsupportedCritical],
    ),
    (
        "invalid_key",
        Step::Key,
        &[
            ErrorCode::InvalidKey,
            ErrorCode::WeakKey,
            ErrorCode::InvalidKeyLength,
            ErrorCode::UnsupportedKeyType,
            ErrorCode::MalformedJwk,
        ],
    ),
    ("signature", Step::Signature, &[ErrorCode::InvalidSignature]),
    ("expired", Step::Claims, &[ErrorCode::TokenExpired]),
    (
        "not_yet_valid",
        Step::Claims,
        &[ErrorCode::TokenNotYetValid],
    ),
    (
        "iat_in_future",
        Step::Claims,
        &[ErrorCode::TokenIssuedInFuture],
    ),
    ("audience", Step::Claims, &[ErrorCode::AudienceMismatch]),
    ("missing_claim", Step::Claims, &[ErrorCode::MissingClaim]),
    ("invalid_claim", Step::Claims, &[ErrorCode::InvalidClaim]),
];

fn kind_row(kind: &str) -> (Step, &'static [ErrorCode]) {
    KIND_MAP
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|&(_, step, codes)| (step, codes))
        .unwrap_or_else(|| panic!("error_kind {kind:?} has no row in KIND_MAP"))
}

/// One case as read from the file.
struct Case<'a> {
    name: &'a str,
    token: &'a str,
    public_jwk: &'a serde_json::Value,
    now: u64,
    expected_audience: Option<&'a str>,
    /// `None` for `expect: "valid"`, else the `error_kind`.
    error_kind: Option<&'a str>,
}

fn read_case(case: &serde_json::Value) -> Case<'_> {
    let name = str_field(case, "name");
    let now = field(case, "now")
        .as_u64()
        .unwrap_or_else(|| panic!("{name}: now is not a non-negative integer"));
    let expected_audience = match field(case, "expected_audience") {
        serde_json::Value::Null => None,
        v => Some(
            v.as_str()
                .unwrap_or_else(|| panic!("{name}: expected_audience is not a string or null")),
        ),
    };
    let error_kind = match str_field(case, "expect") {
        "valid" => {
            assert!(
                field(case, "error_kind").is_null(),
                "{name}: a valid case has an error_kind"
            );
            None
        }
        "error" => Some(str_field(case, "error_kind")),
        other => panic!("{name}: unknown expect {other:?}"),
    };
    Case {
        name,
        token: str_field(case, "token"),
        public_jwk: field(case, "public_jwk"),
        now,
        expected_audience,
        error_kind,
    }
}

fn rules<'a>(case: &Case<'a>) -> ClaimRules<'a> {
    ClaimRules {
        now: case.now,
        leeway: 60,
        audience: case.expected_audience,
        require_exp: true,
        max_lifetime: None,
    }
}

/// The case's trusted key as JSON text (the form an application receives it in).
fn jwk_text(case: &Case<'_>) -> String {
    serde_json::to_string(case.public_jwk).unwrap()
}

/// Steps 2–4 with an already imported key.
fn verify_with(
    unverified: UnverifiedJws<'_>,
    key: &VerifyingKey,
    rules: &ClaimRules<'_>,
) -> Result<VerifiedJws, (Step, Error)> {
    let verified = unverified.verify(key).map_err(|e| (Step::Signature, e))?;
    jws::check_claims(&verified.claims, rules).map_err(|e| (Step::Claims, e))?;
    Ok(verified)
}

/// All four steps, in the policy's order; the first failure wins.
fn run(case: &Case<'_>) -> Result<VerifiedJws, (Step, Error)> {
    let unverified = jws::parse(case.token, jws::MAX_TOKEN_BYTES).map_err(|e| (Step::Parse, e))?;
    let key = VerifyingKey::from_jwk(&jwk_text(case)).map_err(|e| (Step::Key, e))?;
    verify_with(unverified, &key, &rules(case))
}

fn load() -> serde_json::Value {
    let file = read_json(FILE);
    let cases = array_field(&file, "cases");
    assert_eq!(cases.len(), TOTAL_CASES, "{FILE}: number of cases");
    assert_eq!(
        field(&file, "count").as_u64(),
        Some(TOTAL_CASES as u64),
        "{FILE}: count header"
    );
    file
}

/// The file's policy must be the one the library implements; otherwise the verdicts below
/// would test a different contract.
#[test]
fn policy_header_matches_the_library() {
    let file = load();
    let policy = field(&file, "policy");
    let algs: Vec<&str> = array_field(policy, "accepted_algs")
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(algs, ["EdDSA", "Ed25519"]);
    assert_eq!(
        field(policy, "max_token_bytes").as_u64(),
        Some(jws::MAX_TOKEN_BYTES as u64)
    );
    assert_eq!(
        field(policy, "max_json_depth").as_u64(),
        Some(jws::MAX_JSON_DEPTH as u64)
    );
    assert_eq!(
        field(policy, "clock_skew_seconds").as_u64(),
        Some(jws::DEFAULT_LEEWAY)
    );
    assert_eq!(jws::DEFAULT_LEEWAY, 60, "the runner passes leeway: 60");

    // Every error kind the file defines has exactly one row, and vice versa.
    let kinds: BTreeSet<&str> = field(&file, "error_kinds")
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let rows: BTreeSet<&str> = KIND_MAP.iter().map(|(k, _, _)| *k).collect();
    assert_eq!(rows.len(), KIND_MAP.len(), "KIND_MAP repeats a kind");
    assert_eq!(kinds, rows, "error_kinds vs KIND_MAP");

    // The issuer's JWK and did:key name the same key.
    let issuer = field(&file, "issuer");
    let vk = VerifyingKey::from_jwk(&serde_json::to_string(field(issuer, "public_jwk")).unwrap())
        .unwrap();
    assert_eq!(vk.to_did_key(), str_field(issuer, "did"));
    assert_eq!(vk.to_did_key_url(), str_field(issuer, "kid"));
}

#[test]
fn jws_attack_cases_match_expectations() {
    let file = load();
    let cases = array_field(&file, "cases");

    let mut ran = 0usize;
    let mut not_run = Vec::new();
    let mut valid = 0usize;
    let mut mismatches = Vec::new();
    let mut seen_names = BTreeSet::new();
    // Which library codes each error kind actually produced (for the exactness check).
    let mut produced: BTreeMap<&str, BTreeSet<ErrorCode>> = BTreeMap::new();

    for raw in cases {
        let case = read_case(raw);
        assert!(
            seen_names.insert(case.name),
            "duplicate case name {}",
            case.name
        );
        if let Some((_, why)) = NOT_RUN.iter().find(|(n, _)| *n == case.name) {
            not_run.push(format!("{}: {why}", case.name));
            continue;
        }
        let outcome = run(&case);
        ran += 1;
        // One line per case (shown with `--nocapture`), for reviewing the classification.
        match &outcome {
            Ok(_) => println!("{:<40} valid", case.name),
            Err((step, e)) => println!(
                "{:<40} {:<16} {step:?}: {} ({})",
                case.name,
                case.error_kind.unwrap_or("valid"),
                e.code(),
                e.message()
            ),
        }
        match (case.error_kind, outcome) {
            (None, Ok(_)) => valid += 1,
            (None, Err((step, e))) => mismatches.push(format!(
                "{}: expected valid, got {step:?} error {} ({})",
                case.name,
                e.code(),
                e.message()
            )),
            (Some(kind), Ok(_)) => mismatches.push(format!(
                "{}: expected error {kind}, but every step succeeded",
                case.name
            )),
            (Some(kind), Err((step, e))) => {
                let (want_step, codes) = kind_row(kind);
                produced.entry(kind).or_default().insert(e.code());
                if step != want_step || !codes.contains(&e.code()) {
                    mismatches.push(format!(
                        "{}: expected {kind} (step {want_step:?}, codes {}), got step {step:?} \
                         code {} ({})",
                        case.name,
                        codes
                            .iter()
                            .map(|c| c.as_str())
                            .collect::<Vec<_>>()
                            .join("|"),
                        e.code(),
                        e.message()
                    ));
                }
            }
        }
    }

    // Every NOT_RUN entry names a real case.
    for (name, _) in NOT_RUN {
        assert!(
            seen_names.contains(name),
            "NOT_RUN names {name:?}, which is not in {FILE}"
        );
    }
    assert!(
        mismatches.is_empty(),
        "{} of {ran} cases disagree with {FILE}:\n  {}",
        mismatches.len(),
        mismatches.join("\n  ")
    );
    assert_eq!(not_run.len(), NOT_RUN.len(), "not run: {not_run:?}");
    assert_eq!(ran + not_run.len(), TOTAL_CASES, "cases accounted for");
    assert_eq!(
        ran, TOTAL_CASES,
        "every case must run; not run: {not_run:?}"
    );
    assert_eq!(valid, VALID_CASES, "valid cases that verified");

    // Exactness of KIND_MAP: each listed code is produced by some case of its kind.
    for &(kind, _, codes) in KIND_MAP {
        let got = produced.get(kind).cloned().unwrap_or_default();
        let unused: Vec<&str> = codes
            .iter()
            .filter(|c| !got.contains(c))
            .map(|c| c.as_str())
            .collect();
        assert!(
            unused.is_empty(),
            "KIND_MAP row {kind} lists codes no case produces: {unused:?} (produced {got:?})"
        );
    }
}

/// The key path through did:key: every valid case still verifies when its trusted key
/// travels as a did:key instead of a JWK.
#[test]
fn valid_cases_verify_with_the_key_as_did_key() {
    let file = load();
    let mut ran = 0usize;
    for raw in array_field(&file, "cases") {
        let case = read_case(raw);
        if case.error_kind.is_some() {
            continue;
        }
        let from_jwk = VerifyingKey::from_jwk(&jwk_text(&case))
            .unwrap_or_else(|e| panic!("{}: JWK import: {e:?}", case.name));
        let did = from_jwk.to_did_key();
        assert!(did.starts_with("did:key:z6Mk"), "{}: {did}", case.name);
        let key = VerifyingKey::from_did_key(&did)
            .unwrap_or_else(|e| panic!("{}: did:key import of {did}: {e:?}", case.name));
        assert_eq!(key, from_jwk, "{}: did:key round trip", case.name);
        let unverified = jws::parse(case.token, jws::MAX_TOKEN_BYTES)
            .unwrap_or_else(|e| panic!("{}: parse: {e:?}", case.name));
        verify_with(unverified, &key, &rules(&case))
            .unwrap_or_else(|(step, e)| panic!("{}: {step:?} with did:key: {e:?}", case.name));
        ran += 1;
    }
    assert_eq!(ran, VALID_CASES, "valid cases run through did:key");
}

/// `check_claims` must return (Ok or Err), never panic, on the unauthenticated claims of
/// every error case whose token parses — hostile payloads reach it in applications that
/// peek at claims (e.g. `iss`) before choosing a key.
#[test]
fn check_claims_never_panics_on_unverified_claims() {
    let file = load();
    let mut checked = 0usize;
    let mut panicked = Vec::new();
    for raw in array_field(&file, "cases") {
        let case = read_case(raw);
        if case.error_kind.is_none() {
            continue;
        }
        let Ok(unverified) = jws::parse(case.token, jws::MAX_TOKEN_BYTES) else {
            continue;
        };
        let claims = unverified.unverified_claims();
        // With the case's rules, with no audience, and at the extremes of the clock.
        let base = rules(&case);
        let variants = [
            base,
            ClaimRules {
                audience: None,
                ..base
            },
            ClaimRules {
                now: 0,
                leeway: 0,
                ..base
            },
            ClaimRules {
                now: u64::MAX,
                leeway: u64::MAX,
                max_lifetime: Some(0),
                ..base
            },
        ];
        for rules in &variants {
            if catch_unwind(AssertUnwindSafe(|| {
                let _ = jws::check_claims(claims, rules);
            }))
            .is_err()
            {
                panicked.push(format!("{} with {rules:?}", case.name));
            }
        }
        checked += 1;
    }
    assert!(panicked.is_empty(), "check_claims panicked: {panicked:?}");
    // Error cases that parse: all but the malformed, too_large, unsupported_alg and
    // crit_unsupported ones (which fail inside jws::parse).
    let expected: usize = array_field(&file, "cases")
        .iter()
        .filter(|c| {
            !matches!(
                c.get("error_kind").and_then(serde_json::Value::as_str),
                None | Some("malformed" | "too_large" | "unsupported_alg" | "crit_unsupported")
            )
        })
        .count();
    assert_eq!(checked, expected, "error cases whose token parses");
}

//! A guarded server and its clients, end to end through the core's public API (spec §20):
//! the required level published in the signed manifest and shown in the client's report, the
//! client refusing what it cannot satisfy, the presentation deciding each call with evidence,
//! the signed-page cache, and the session's DNS step.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

extern crate alloc;

use core::sync::atomic::{AtomicU8, Ordering};

use mcp_attest::caller;
use mcp_attest::evidence::{self, EvidenceLog, Write};
use mcp_attest::gate::{self, Admission, Ticket};
use mcp_attest::issuer::TrustedIssuer;
use mcp_attest::json::{self, Value};
use mcp_attest::passport::{self, McpInfo};
use mcp_attest::records;
use mcp_attest::server::{ServerOptions, ServerPresentation};
use mcp_attest::session::{ClientPolicy, ClientSession, METHOD_DNS_TXT};
use mcp_attest::{ErrorCode, SigningKey};

const NOW: u64 = 1_800_000_000;
const LIST: &str = r#"{"tools":[{"name":"echo","inputSchema":{"type":"object"}},{"name":"delete","inputSchema":{"type":"object"}}]}"#;

fn server_key() -> SigningKey {
    SigningKey::from_bytes(&[41; 32])
}

fn presentation(options: &str) -> ServerPresentation {
    ServerPresentation::new(server_key(), ServerOptions::from_json(options).unwrap())
}

/// Runs a client session against `server` in process; `dns` answers the DNS step.
fn session(
    server: &mut ServerPresentation,
    policy: &str,
    dns: impl Fn(&str) -> Result<String, ()>,
) -> Value {
    // Each session its own challenge nonces: the server's replay cache outlives a session.
    static SESSIONS: AtomicU8 = AtomicU8::new(1);
    let random = [SESSIONS.fetch_add(1, Ordering::Relaxed); 64];
    let mut s =
        ClientSession::new(ClientPolicy::from_json(policy).unwrap(), None, NOW, &random).unwrap();
    while let Some(r) = s.next_request() {
        match r.method {
            "tools/list" => {
                let page = server.sign_tools_list(LIST, None, NOW).unwrap();
                s.receive_result(&page);
            }
            "identity/get" => s.receive_result(&server.identity_get(NOW)),
            "identity/challenge" => {
                let (answer, ok) = match server.answer_challenge(&r.params, "c", NOW) {
                    Ok(a) => (a, true),
                    Err(e) => (e, false),
                };
                assert!(ok, "challenge refused: {answer}");
                s.receive_result(&answer);
            }
            m if m == METHOD_DNS_TXT => {
                let name = json::parse(&r.params).unwrap();
                assert_eq!(
                    name.get("name").and_then(Value::as_str),
                    Some("_mcp-identity.weather.example")
                );
                match dns(&r.params) {
                    Ok(answer) => s.receive_result(&answer),
                    Err(()) => s.receive_error(-32603, "no resolver", None),
                }
            }
            other => panic!("unexpected request {other}"),
        }
    }
    json::parse(s.report().unwrap()).unwrap()
}

fn tool<'a>(report: &'a Value, name: &str) -> &'a Value {
    report
        .get("tools")
        .and_then(Value::as_array)
        .unwrap()
        .iter()
        .find(|t| t.get("name").and_then(Value::as_str) == Some(name))
        .unwrap()
}

fn level_of(v: &Value, member: &str) -> u64 {
    v.get(member)
        .and_then(Value::as_number)
        .and_then(json::Number::as_u64)
        .unwrap()
}

#[test]
fn the_required_level_is_published_signed_and_shown_in_the_report() {
    let mut server = presentation(r#"{"toolTrustLevels":{"delete":3}}"#);
    let report = session(&mut server, "{}", |_| Err(()));
    assert_eq!(report.get("verified"), Some(&Value::Bool(true)));
    assert_eq!(level_of(tool(&report, "delete"), "requiredLevel"), 3);
    assert_eq!(level_of(tool(&report, "echo"), "requiredLevel"), 0);
    // A level set later (a tool registration) is published by the next list: the cached
    // signed page is dropped.
    server.set_tool_trust_level("echo", 1).unwrap();
    let report = session(&mut server, "{}", |_| Err(()));
    assert_eq!(level_of(tool(&report, "echo"), "requiredLevel"), 1);
    assert_eq!(
        server.set_tool_trust_level("echo", 5).unwrap_err().code(),
        ErrorCode::InvalidPolicy
    );
}

#[test]
fn a_signed_page_is_served_from_cache_until_half_its_lifetime() {
    let mut server = presentation(r#"{"manifestTtl":600}"#);
    let first = server.sign_tools_list(LIST, None, NOW).unwrap();
    assert_eq!(
        server.sign_tools_list(LIST, None, NOW + 299).unwrap(),
        first
    );
    // Another cursor is another page.
    assert_ne!(
        server.sign_tools_list(LIST, Some("p2"), NOW).unwrap(),
        first
    );
    let renewed = server.sign_tools_list(LIST, None, NOW + 300).unwrap();
    assert_ne!(renewed, first);
    assert!(renewed.contains("org.mcp-attest/identity"));
    // The renewed page replaces the stale one, and is what is served next.
    assert_eq!(
        server.sign_tools_list(LIST, None, NOW + 301).unwrap(),
        renewed
    );
    // A page differing by one byte is another page, never the cached one.
    let other = LIST.replacen("echo", "echp", 1);
    assert_ne!(other, LIST);
    let signed_other = server.sign_tools_list(&other, None, NOW + 301).unwrap();
    assert!(signed_other.contains("echp") && !signed_other.contains("\"echo\""));
}

fn client_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

fn issuer_key() -> SigningKey {
    SigningKey::from_bytes(&[43; 32])
}

fn vouched_passport(level: u8) -> String {
    passport::issue_with_level(
        &issuer_key(),
        "https://issuer.example",
        None,
        &client_key().verifying_key(),
        &McpInfo {
            name: "client".into(),
            version: None,
            endpoints: Vec::new(),
            tools_hash: None,
        },
        level,
        &passport::IssueOptions {
            now: NOW,
            ..Default::default()
        },
    )
    .unwrap()
}

fn lines(writes: &[Write]) -> Vec<String> {
    writes.iter().map(|w| w.line.clone()).collect()
}

#[test]
fn clients_refuse_locally_and_the_server_decides_with_evidence() {
    let mut server = presentation(r#"{"minTrustLevel":1,"toolTrustLevels":{"delete":3}}"#);
    server.set_caller_trust(
        vec![TrustedIssuer::new(
            "https://issuer.example",
            issuer_key().verifying_key(),
        )],
        Vec::new(),
    );
    let report = session(&mut server, "{}", |_| Err(()));
    let report_json = report.to_jcs();
    let mut log = EvidenceLog::new(server_key(), evidence::DEFAULT_MAX_FILE_BYTES);
    let mut written: Vec<String> = Vec::new();
    let delete = r#"{"name":"delete","arguments":{"id":7}}"#;
    let echo = r#"{"name":"echo","arguments":{"text":"hi"}}"#;

    // No key: level 0, below every tool here; refused before anything is sent.
    let e = caller::prepare_call::<SigningKey>(None, None, &report_json, echo, NOW, &[1; 16])
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InsufficientTrustLevel);
    // A key alone shows level 1: echo goes, delete is refused locally.
    let key = client_key();
    let e =
        caller::prepare_call(Some(&key), None, &report_json, delete, NOW, &[2; 16]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InsufficientTrustLevel);
    let sent = caller::prepare_call(Some(&key), None, &report_json, echo, NOW, &[3; 16])
        .unwrap()
        .unwrap();
    let Admission::Run(ticket) = server
        .admit_call(&sent.params, None, "c", NOW, Some(&mut log))
        .unwrap()
    else {
        panic!("a level-1 caller was refused echo")
    };
    assert_eq!(ticket.caller.as_ref().unwrap().level, 1);
    let ticket = Ticket::from_json(&ticket.to_json()).unwrap();
    written.extend(lines(
        &server
            .complete_call(
                &ticket,
                Some(r#"{"content":[]}"#),
                None,
                NOW,
                Some(&mut log),
            )
            .unwrap(),
    ));

    // An anonymous call that reaches the server anyway is refused there, and recorded.
    let Admission::Refuse { error, writes } = server
        .admit_call(echo, None, "c", NOW, Some(&mut log))
        .unwrap()
    else {
        panic!("an anonymous caller ran a level-1 tool")
    };
    assert!(error.contains("-31001") && error.contains("insufficient_trust_level"));
    written.extend(lines(&writes));

    // A passport from a trusted issuer (level 3 by default) lets the caller delete.
    let passport = vouched_passport(3);
    let sent = caller::prepare_call(
        Some(&key),
        Some(&passport),
        &report_json,
        delete,
        NOW,
        &[4; 16],
    )
    .unwrap()
    .unwrap();
    let Admission::Run(ticket) = server
        .admit_call(&sent.params, Some(&sent.proof), "c", NOW, Some(&mut log))
        .unwrap()
    else {
        panic!("a vouched caller was refused")
    };
    assert_eq!(ticket.caller.as_ref().unwrap().level, 3);
    let failed = gate::error_code_of(r#"{"code":-32000,"data":{"reason":"revoked"}}"#);
    written.extend(lines(
        &server
            .complete_call(&ticket, None, Some(&failed), NOW, Some(&mut log))
            .unwrap(),
    ));
    // The same proof again is a replay: refused with its code, recorded.
    let Admission::Refuse { error, writes } = server
        .admit_call(&sent.params, None, "c", NOW, Some(&mut log))
        .unwrap()
    else {
        panic!("a replayed proof ran")
    };
    assert!(error.contains("replayed_nonce"));
    written.extend(lines(&writes));

    let report = evidence::verify_log(
        &written.join("\n"),
        &server_key().verifying_key(),
        &[],
        1 << 20,
    )
    .unwrap();
    assert!(report.is_valid(), "{}", report.to_json());
    let text = written.join("\n");
    assert_eq!(written.len(), 4);
    assert_eq!(text.matches(r#""decision":"deny""#).count(), 2);
    assert!(text.contains(r#""reason":"replayed_nonce""#));
    assert!(text.contains(r#""error":"revoked""#));

    // Another server's log is refused, so no record is signed under the wrong identity.
    let mut foreign = EvidenceLog::new(client_key(), evidence::DEFAULT_MAX_FILE_BYTES);
    let e = server
        .admit_call(echo, None, "c", NOW, Some(&mut foreign))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidPolicy);
}

#[test]
fn a_passport_claim_above_what_the_store_allows_is_capped_by_the_server() {
    let mut server = presentation(r#"{"toolTrustLevels":{"delete":4}}"#);
    // The store lets this issuer grant 3 at most; its passport claims 4.
    server.set_caller_trust(
        vec![
            TrustedIssuer::new("https://issuer.example", issuer_key().verifying_key())
                .with_max_level(3),
        ],
        Vec::new(),
    );
    let report = session(&mut server, "{}", |_| Err(())).to_jcs();
    let passport = vouched_passport(4);
    let delete = r#"{"name":"delete","arguments":{}}"#;
    // The client cannot know the server's store: it sends (its passport claims 4)…
    let sent = caller::prepare_call(
        Some(&client_key()),
        Some(&passport),
        &report,
        delete,
        NOW,
        &[9; 16],
    )
    .unwrap()
    .unwrap();
    // …and the server refuses with the level it granted.
    let Admission::Refuse { error, .. } = server
        .admit_call::<SigningKey>(&sent.params, None, "c", NOW, None)
        .unwrap()
    else {
        panic!("an issuer granted more than its maxLevel")
    };
    assert!(
        error.contains(r#""level":3"#) && error.contains(r#""required":4"#),
        "{error}"
    );
}

#[test]
fn the_dns_step_raises_the_server_to_level_2_or_refuses_another_key() {
    let policy = r#"{"domain":"weather.example"}"#;
    let ours = records::dns_record(&server_key().verifying_key());
    let theirs = records::dns_record(&SigningKey::from_bytes(&[9; 32]).verifying_key());

    let mut server = presentation("{}");
    let answer = format!(r#"{{"records":["google-site-verification=abc","{ours}"]}}"#);
    let r = session(&mut server, policy, |_| Ok(answer.clone()));
    assert_eq!(r.get("dns").and_then(Value::as_str), Some("verified"));
    assert_eq!(level_of(&r, "level"), 2);

    let r = session(&mut server, policy, |_| {
        Ok(String::from(r#"{"records":[]}"#))
    });
    assert_eq!(r.get("dns").and_then(Value::as_str), Some("absent"));
    assert_eq!(level_of(&r, "level"), 1);
    assert_eq!(r.get("verified"), Some(&Value::Bool(true)));

    let r = session(&mut server, policy, |_| Err(()));
    assert_eq!(r.get("dns").and_then(Value::as_str), Some("unchecked"));
    assert_eq!(level_of(&r, "level"), 1);

    // The domain publishes another key: this server is not the domain's.
    let answer = format!(r#"{{"records":["{theirs}"]}}"#);
    let r = session(&mut server, policy, |_| Ok(answer.clone()));
    assert_eq!(r.get("dns").and_then(Value::as_str), Some("mismatch"));
    assert_eq!(
        r.get("code").and_then(Value::as_str),
        Some("record_mismatch")
    );
    assert_eq!(r.get("verified"), Some(&Value::Bool(false)));

    // A malformed answer from the adapter is not evidence about the server's key.
    let r = session(&mut server, policy, |_| {
        Ok(String::from(r#"{"records":"x"}"#))
    });
    assert_eq!(r.get("code").and_then(Value::as_str), Some("server_error"));

    // No domain: no DNS request, `dns` null.
    let r = session(&mut server, "{}", |_| {
        panic!("asked for DNS without a domain")
    });
    assert_eq!(r.get("dns"), Some(&Value::Null));
    assert_eq!(
        ClientPolicy::from_json(r#"{"domain":"not a domain"}"#)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidPolicy
    );
}

#[test]
fn a_client_keeps_a_log_of_the_calls_it_made() {
    use caller::ClientOutcome;
    let mut server = presentation(r#"{"toolTrustLevels":{"delete":3}}"#);
    let report = session(&mut server, "{}", |_| Err(())).to_jcs();
    let mut log = EvidenceLog::new(client_key(), evidence::DEFAULT_MAX_FILE_BYTES);
    let echo = r#"{"name":"echo","arguments":{"text":"hi"}}"#;
    let delete = r#"{"name":"delete","arguments":{}}"#;
    let mut written = Vec::new();
    for (params, outcome) in [
        (echo, ClientOutcome::Result(r#"{"content":[]}"#)),
        (
            delete,
            ClientOutcome::RefusedLocally("insufficient_trust_level"),
        ),
        (
            echo,
            ClientOutcome::Error(
                r#"{"code":-31002,"message":"no","data":{"reason":"replayed_nonce"}}"#,
            ),
        ),
        (
            echo,
            ClientOutcome::Error(r#"{"code":-32602,"message":"bad"}"#),
        ),
    ] {
        let call = caller::client_call_evidence(&report, params, outcome).unwrap();
        written.extend(lines(&log.append_call_json(&call, NOW).unwrap()));
    }
    let text = written.join("\n");
    let r = evidence::verify_log(&text, &client_key().verifying_key(), &[], 1 << 20).unwrap();
    assert!(r.is_valid(), "{}", r.to_json());
    let server_did = server_key().verifying_key().to_did_key();
    assert_eq!(
        text.matches(&format!(r#""caller":"{server_did}""#)).count(),
        4
    );
    assert_eq!(text.matches(r#""decision":"deny""#).count(), 2);
    assert!(text.contains(r#""reason":"insufficient_trust_level""#));
    assert!(text.contains(r#""reason":"replayed_nonce""#));
    assert!(text.contains(r#""error":"-32602""#));
}

/// Two replicas of one server share a replay store: a proof admitted by one is refused by the
/// other, though the other's own cache has never seen it.
#[test]
fn replicas_sharing_a_replay_store_refuse_a_proof_the_other_admitted() {
    let mut a = presentation("{}");
    let mut b = presentation("{}");
    let report = session(&mut a, "{}", |_| Err(())).to_jcs();
    let mut store = alloc::collections::BTreeSet::new();
    let mut log = EvidenceLog::new(server_key(), evidence::DEFAULT_MAX_FILE_BYTES);
    let echo = r#"{"name":"echo","arguments":{}}"#;
    let sent = caller::prepare_call(Some(&client_key()), None, &report, echo, NOW, &[6; 16])
        .unwrap()
        .unwrap();
    let mut outcomes = Vec::new();
    for replica in [&mut a, &mut b] {
        let Admission::Run(t) = replica
            .admit_call(&sent.params, None, "c", NOW, Some(&mut log))
            .unwrap()
        else {
            panic!("the replica's own cache refused a proof it never saw")
        };
        let caller = t.caller.as_ref().unwrap();
        assert!(caller.replay_key.len() == 32 && caller.expires_at == NOW + 300);
        let inserted = store.insert(caller.replay_key.clone());
        outcomes.push(
            replica
                .complete_admission(&t, inserted, NOW, Some(&mut log))
                .unwrap(),
        );
    }
    assert!(matches!(outcomes[0], Admission::Run(_)));
    let Admission::Refuse { error, writes } = &outcomes[1] else {
        panic!("the second replica ran a replayed proof")
    };
    assert!(error.contains("replayed_nonce") && writes.len() == 1);
    // An anonymous call has nothing to store.
    let Admission::Run(t) = a.admit_call(echo, None, "c", NOW, Some(&mut log)).unwrap() else {
        panic!("anonymous refused")
    };
    assert!(matches!(
        a.complete_admission(&t, false, NOW, Some(&mut log))
            .unwrap(),
        Admission::Run(_)
    ));
}

/// A page served again from the signed-page cache is the list in use again: the evidence
/// records carry its tools' hashes, not those of the list signed in between. (The cache first
/// skipped the gate's bookkeeping on a hit: a call to `echo` after lists A, B, A was recorded
/// with B's hash of `echo`.)
#[test]
fn a_page_served_from_the_cache_sets_the_hashes_records_carry() {
    let mut p = presentation("{}");
    let a = r#"{"tools":[{"name":"echo","description":"A","inputSchema":{"type":"object"}}]}"#;
    let b = r#"{"tools":[{"name":"echo","description":"B","inputSchema":{"type":"object"}}]}"#;
    let hash_a = mcp_attest::tool::content_hash(
        &json::parse(a)
            .unwrap()
            .get("tools")
            .unwrap()
            .as_array()
            .unwrap()[0],
    )
    .unwrap();
    p.sign_tools_list(a, None, NOW).unwrap();
    p.sign_tools_list(b, None, NOW).unwrap();
    p.sign_tools_list(a, None, NOW + 1).unwrap(); // from the cache
    let mut log = EvidenceLog::new(server_key(), evidence::DEFAULT_MAX_FILE_BYTES);
    let Admission::Run(t) = p
        .admit_call(
            r#"{"name":"echo","arguments":{}}"#,
            None,
            "c",
            NOW,
            Some(&mut log),
        )
        .unwrap()
    else {
        panic!("refused")
    };
    let w = p
        .complete_call(&t, Some(r#"{"content":[]}"#), None, NOW, Some(&mut log))
        .unwrap();
    assert!(
        w[0].line.contains(&format!(r#""toolHash":"{hash_a}""#)),
        "{}",
        w[0].line
    );
}

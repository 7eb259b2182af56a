//! `caller.json`: trust levels, request hashes, caller proofs attached by a client, and a
//! server identifying callers step by step (one verifier per case, so replays show).

use mcp_attest::caller::{self, CallerVerifier, LevelBasis};
use mcp_attest::evidence::{self, EvidenceLog};
use mcp_attest::gate::{self, Admission, Ticket};
use mcp_attest::issuer::TrustedIssuer;
use mcp_attest::passport::{self, IssueOptions, McpInfo};
use mcp_attest::revocation::{self, Entry};
use mcp_attest::server::{ServerOptions, ServerPresentation};
use mcp_attest::trust::TrustStore;
use mcp_attest::{encoding, SigningKey};
use serde_json::{json, Value};

use super::{seed, NOW};

const ISSUER: &str = "https://agents.example.com";

fn client() -> SigningKey {
    SigningKey::from_bytes(&seed(50))
}
fn server() -> SigningKey {
    SigningKey::from_bytes(&seed(51))
}
fn issuer() -> SigningKey {
    SigningKey::from_bytes(&seed(52))
}

fn store(max_level: u8, revoke_client: bool) -> String {
    let mut s = TrustStore::new();
    s.add_issuer(TrustedIssuer::new(ISSUER, issuer().verifying_key()).with_max_level(max_level));
    if revoke_client {
        let list = revocation::issue(
            &issuer(),
            ISSUER,
            &[Entry::key(
                &client().verifying_key(),
                Some("key compromised"),
            )],
            NOW,
            None,
        );
        s.add_revocation_list(&list, NOW).unwrap();
    }
    s.to_json()
}

struct Step<'a> {
    method: &'a str,
    params: String,
    header: Option<String>,
    client: &'a str,
    now: u64,
}

fn case(id: &str, description: &str, trust_store: &str, steps: &[Step<'_>]) -> Value {
    let server_did = server().verifying_key().to_did_key();
    let store = TrustStore::from_json(trust_store).unwrap();
    let mut v = CallerVerifier::new(&server_did, 100, 10);
    v.set_trust(store.issuers().to_vec(), store.revocation_lists());
    let steps: Vec<Value> = steps
        .iter()
        .map(|s| {
            let expect = match v.identify(s.method, &s.params, s.header.as_deref(), s.client, s.now)
            {
                Ok(None) => json!({ "ok": null }),
                Ok(Some(c)) => json!({ "ok": super::parse(&c.to_json()) }),
                Err(e) => json!({ "error": e.code().as_str() }),
            };
            json!({
                "method": s.method, "params": s.params, "header": s.header,
                "client": s.client, "now": s.now, "expect": expect,
            })
        })
        .collect();
    json!({
        "id": format!("caller/{id}"),
        "description": description,
        "trust_store": trust_store,
        "steps": steps,
    })
}

pub(crate) fn caller() -> Value {
    let server_did = server().verifying_key().to_did_key();
    let client_vk = client().verifying_key();
    let params = r#"{"name":"transfer","arguments":{"amount":100,"to":"alice"}}"#;
    let mcp = McpInfo {
        name: String::from("billing-agent"),
        ..Default::default()
    };
    let opts = IssueOptions {
        now: NOW,
        ..Default::default()
    };
    let vouched = passport::issue(&issuer(), ISSUER, None, &client_vk, &mcp, &opts);
    let vouched_high =
        passport::issue_with_level(&issuer(), ISSUER, None, &client_vk, &mcp, 4, &opts).unwrap();
    let self_issued = passport::issue_self(&client(), &mcp, &opts);
    let other_vk = SigningKey::from_bytes(&seed(53)).verifying_key();
    let for_other = passport::issue(&issuer(), ISSUER, None, &other_vk, &mcp, &opts);

    let attach = |passport: Option<&str>, params: &str, nonce: u8, now: u64, audience: &str| {
        caller::attach(
            &client(),
            passport,
            audience,
            "tools/call",
            params,
            now,
            &[nonce; 16],
        )
        .unwrap()
    };
    let plain = attach(None, params, 1, NOW, &server_did);
    let step = |params: &str, header: Option<&str>, client: &'static str, now: u64| Step {
        method: "tools/call",
        params: String::from(params),
        header: header.map(String::from),
        client,
        now,
    };

    let levels: Vec<Value> = [
        (false, false, None),
        (false, true, Some(4)),
        (true, false, None),
        (true, true, None),
        (true, false, Some(3)),
        (true, true, Some(1)),
        (true, false, Some(4)),
    ]
    .iter()
    .enumerate()
    .map(|(i, (k, d, v))| {
        let basis = LevelBasis {
            key_proven: *k,
            domain_proven: *d,
            vouched: *v,
        };
        json!({ "id": format!("caller/level/{i}"), "key_proven": k, "domain_proven": d, "vouched": v, "expect": caller::level(&basis) })
    })
    .collect();

    let hashes: Vec<Value> = [
        ("tools/call", r#"{"name":"t"}"#),
        (
            "tools/call",
            r#"{"_meta":{"progressToken":1},"arguments":{},"name":"t"}"#,
        ),
        (
            "tools/call",
            r#"{"name":"t","arguments":{"b":[1.0,2],"a":"é"}}"#,
        ),
        ("resources/read", r#"{"uri":"file:///a","_meta":{"x":1}}"#),
        ("tools/call", r#"{"arguments":{}}"#),
        ("tools/call", r#"{"name":"t","arguments":[1]}"#),
    ]
    .iter()
    .enumerate()
    .map(|(i, (m, p))| {
        let expect = match caller::request_hash(m, p) {
            Ok(h) => json!({ "ok": h }),
            Err(e) => json!({ "error": e.code().as_str() }),
        };
        json!({ "id": format!("caller/hash/{i}"), "method": m, "params": p, "expect": expect })
    })
    .collect();

    let moved_tool = plain.params.replace("\"transfer\"", "\"delete\"");
    let moved_args = plain.params.replace("100", "100000");
    let other_server = attach(
        None,
        params,
        2,
        NOW,
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    );
    let second = attach(None, params, 3, NOW, &server_did);
    let with_vouched = attach(Some(&vouched), params, 4, NOW, &server_did);
    let with_high = attach(Some(&vouched_high), params, 5, NOW, &server_did);
    let with_self = attach(Some(&self_issued), params, 6, NOW, &server_did);
    let with_other = attach(Some(&for_other), params, 7, NOW, &server_did);
    let default_store = store(3, false);
    let cases = vec![
        case("anonymous", "No proof: an anonymous caller (ok null), any number of times.", &default_store, &[step(params, None, "c1", NOW), step(params, None, "c1", NOW)]),
        case("honest-then-replayed", "A proof verifies once (level 1); the same request again, from any connection, is a replay.", &default_store, &[step(&plain.params, None, "c1", NOW), step(&plain.params, None, "c2", NOW + 1)]),
        case("moved-tool", "The proof moved to another tool.", &default_store, &[step(&moved_tool, None, "c1", NOW)]),
        case("moved-arguments", "The proof kept but the arguments changed.", &default_store, &[step(&moved_args, None, "c1", NOW)]),
        case("other-server", "A proof made for another server.", &default_store, &[step(&other_server.params, None, "c1", NOW)]),
        case("stale", "Presented 301 s after it was made.", &default_store, &[step(&plain.params, None, "c1", NOW + 301)]),
        case("future", "Presented 61 s before it was made (the server's clock is behind).", &default_store, &[step(&plain.params, None, "c1", NOW - 61)]),
        case("header-only", "Over HTTP with the SDK's _meta dropped: the header alone identifies the caller.", &default_store, &[step(params, Some(&plain.proof), "c1", NOW)]),
        case("header-disagrees", "The header and _meta carry different proofs.", &default_store, &[step(&plain.params, Some(&second.proof), "c1", NOW)]),
        case("refused-then-honest", "A refused proof does not use up its nonce: the honest request after it verifies.", &default_store, &[step(&moved_tool, None, "c1", NOW), step(&plain.params, None, "c1", NOW)]),
        case("vouched", "A trusted issuer's passport for the caller's key: level 3.", &default_store, &[step(&with_vouched.params, None, "c1", NOW)]),
        case("vouched-high-capped", "The passport claims level 4; the store allows the issuer 3.", &default_store, &[step(&with_high.params, None, "c1", NOW)]),
        case("vouched-high", "The passport claims level 4 and the store allows the issuer 4.", &store(4, false), &[step(&with_high.params, None, "c1", NOW)]),
        case("self-issued-passport", "A self-issued passport vouches for nothing: level 1.", &default_store, &[step(&with_self.params, None, "c1", NOW)]),
        case("passport-for-another-key", "An issuer's passport for another key.", &default_store, &[step(&with_other.params, None, "c1", NOW)]),
        case("revoked", "The issuer's revocation list names the caller's key.", &store(3, true), &[step(&plain.params, None, "c1", NOW)]),
        case("malformed-carrier", "The _meta carrier is not an object.", &default_store, &[step(r#"{"_meta":{"org.mcp-attest/caller":"x"},"name":"t"}"#, None, "c1", NOW)]),
        case("passport-as-proof", "A passport where a proof belongs.", &default_store, &[step(params, Some(&self_issued), "c1", NOW)]),
    ];

    let refusals: Vec<Value> = [
        (caller::guard(3, None).unwrap_err(), Some(3u8), Some(0u8)),
        (mcp_attest::Error::new(mcp_attest::ErrorCode::ReplayedNonce, "replayed"), None, None),
    ]
    .iter()
    .map(|(e, r, l)| json!({ "error": e.code().as_str(), "message": e.message(), "required": r, "level": l, "expect": caller::refusal_json(e, *r, *l) }))
    .collect();

    // The client's local decision before sending (spec §20.6, prepare_call).
    let report = |server: Option<&str>, required: u8| {
        json!({
            "code": if server.is_some() { Value::Null } else { json!("pinned_key_changed") },
            "server": server.map(|d| json!({ "did": d, "kid": null })),
            "tools": [{ "name": "transfer", "status": "verified", "requiredLevel": required }],
        })
        .to_string()
    };
    let sd = Some(server_did.as_str());
    let prepare: Vec<Value> = [
        ("anonymous-open", false, None, report(sd, 0), "No key, an unguarded tool: sent unchanged (ok null)."),
        ("anonymous-guarded", false, None, report(sd, 1), "No key, a tool requiring 1: refused before sending."),
        ("key", true, None, report(sd, 1), "A key shows level 1: the proof is attached."),
        ("key-below", true, None, report(sd, 2), "A key alone cannot show level 2."),
        ("vouched", true, Some(vouched.as_str()), report(sd, 3), "An issuer's passport without a level claim shows 3."),
        ("vouched-below-4", true, Some(vouched.as_str()), report(sd, 4), "It cannot show 4."),
        ("claims-4", true, Some(vouched_high.as_str()), report(sd, 4), "A passport claiming 4 is sent (only the server knows the issuer's maxLevel)."),
        ("self-issued", true, Some(self_issued.as_str()), report(sd, 2), "A self-issued passport shows 1 at most."),
        ("unverified-server", true, None, report(None, 0), "The report established no server: no audience for a proof; the report's code."),
        ("unlisted-tool", true, None, report(sd, 0).replace("\"transfer\"", "\"other\""), "A tool the report does not list requires 0 here (the server decides)."),
    ]
    .into_iter()
    .map(|(id, key, passport, report, description)| {
        let k = client();
        let got = caller::prepare_call(key.then_some(&k), passport, &report, params, NOW, &[8; 16]);
        let expect = match got {
            Ok(None) => json!({ "ok": null }),
            Ok(Some(a)) => json!({ "ok": { "params": a.params, "proof": a.proof } }),
            Err(e) => json!({ "error": e.code().as_str() }),
        };
        json!({ "id": format!("caller/prepare/{id}"), "description": description, "key": key, "passport": passport, "report": report, "params": params, "now": NOW, "nonce_hex": encoding::hex_encode(&[8u8; 16]), "expect": expect })
    })
    .collect();

    // The record a client keeps of each call it made (spec §19.6, client_call_evidence).
    let client_report = json!({
        "server": { "did": server_did, "kid": null },
        "level": 3,
        "tools": [{ "name": "transfer", "status": "verified", "hash": "sha256-0Xbx2Yq9GYtLHgT6gZ5GpKm0cG9MzAtn6RkfOT7QWkY", "requiredLevel": 1 }],
    })
    .to_string();
    let called = json!({ "name": "transfer", "arguments": { "amount": 5 } }).to_string();
    let client_records: Vec<Value> = [
        ("result", client_report.clone(), called.clone(), json!({ "result": { "content": [{ "type": "text", "text": "done" }] } }), "An answered call: allow, with the result (the log hashes it)."),
        ("tool-error", client_report.clone(), called.clone(), json!({ "error": { "code": -32602, "message": "bad arguments" } }), "A JSON-RPC error from the tool: allow, with the error's code."),
        ("named-error", client_report.clone(), called.clone(), json!({ "error": { "code": -32000, "message": "x", "data": { "reason": "token_expired" } } }), "An error naming a contract code in data.reason: that code."),
        ("gate-level", client_report.clone(), called.clone(), json!({ "error": { "code": -31001, "message": "needs 3", "data": { "reason": "insufficient_trust_level", "required": 3, "level": 1 } } }), "Refused by the server's gate (-31001): deny, with the code."),
        ("gate-proof", client_report.clone(), called.clone(), json!({ "error": { "code": -31002, "message": "replayed", "data": { "reason": "replayed_nonce" } } }), "Refused by the gate for its proof (-31002): deny, with the proof's code."),
        ("refused-locally", client_report.clone(), called.clone(), json!({ "refused": "insufficient_trust_level" }), "Refused before sending (prepare_call): deny, with that code."),
        ("unlisted-tool", client_report.clone(), json!({ "name": "other" }).to_string(), json!({ "result": {} }), "A tool the report does not list: no tool hash; absent arguments are {}."),
        ("unverified-server", json!({ "server": null, "tools": [] }).to_string(), called.clone(), json!({ "result": {} }), "A report that established no server: no caller, level 0."),
        ("no-name", client_report.clone(), json!({ "arguments": {} }).to_string(), json!({ "result": {} }), "Params without a string name: caller_proof_mismatch."),
    ]
    .into_iter()
    .map(|(id, report, params, outcome, description)| {
        let text = |k: &str| outcome.get(k).map(|v| v.to_string());
        let (result, error) = (text("result"), text("error"));
        let refused = outcome.get("refused").and_then(Value::as_str);
        let o = match (&result, &error, refused) {
            (Some(r), _, _) => caller::ClientOutcome::Result(r),
            (_, Some(e), _) => caller::ClientOutcome::Error(e),
            (_, _, Some(c)) => caller::ClientOutcome::RefusedLocally(c),
            _ => unreachable!("every case has an outcome"),
        };
        let expect = match caller::client_call_evidence(&report, &params, o) {
            Ok(record) => json!({ "ok": record }),
            Err(e) => json!({ "error": e.code().as_str() }),
        };
        json!({ "id": format!("caller/client-record/{id}"), "description": description, "report": report, "params": params, "outcome": outcome, "expect": expect })
    })
    .collect();

    let gate = gate_script(&plain, &moved_tool, &with_vouched, params);

    json!({
        "description": "Caller identity (spec §20). `levels`: LevelBasis → level. `hashes`: request_hash(method, params). `attach`: the client key (seed below) attaches a proof to `params` for `audience` at `now` with nonce `nonce_hex` → the params and proof byte for byte. `cases`: a new CallerVerifier for `server_did` (capacity 100, client quota 10) with the issuers and revocation lists of `trust_store`, then each step's identify(method, params, header, client, now) → {ok: null} (anonymous), {ok: {did, issuer, level}}, or {error: code}. `refusals`: refusal_json(error, required, level). `prepare`: the client's prepare_call(key (the client key, or none), passport, report, params, now, nonce) → {ok: null} (no key: sent unchanged), {ok: {params, proof}}, or {error: code}. `client_records`: the client's client_call_evidence(report, params, outcome) for its own log, where outcome is {result: CallToolResult}, {error: JSON-RPC error object} or {refused: code} → {ok: call JSON (JCS text)} or {error: code}. `gate`: a ServerPresentation of the server key (seed `server_seed_hex`) with `options`, its caller trust set from `trust_store`, and an EvidenceLog of the same key that never rotates; it signs `list` at `now` (so records carry the tools' hashes), then each step: `admit` → admitCall(params, header, client, now, log) must equal `expect` (Admission JSON); `complete` → completeCall(the ticket of the last admitted call, result or error, now, log) must equal `expect` (the writes); `shared` → completeAdmission(the ticket of the last admitted call, inserted, now, log) must equal `expect` (Admission JSON).",
        "server_seed_hex": encoding::hex_encode(&seed(51)),
        "client_seed_hex": encoding::hex_encode(&seed(50)),
        "client_did": client_vk.to_did_key(),
        "server_did": server_did,
        "levels": levels,
        "hashes": hashes,
        "attach": {
            "params": params, "audience": server().verifying_key().to_did_key(), "now": NOW,
            "nonce_hex": encoding::hex_encode(&[1u8; 16]), "passport": null,
            "expect": { "ok": { "params": plain.params, "proof": plain.proof } },
        },
        "cases": cases,
        "refusals": refusals,
        "prepare": prepare,
        "client_records": client_records,
        "gate": gate,
    })
}

/// The server's decision on a sequence of calls, with evidence (spec §20.6).
fn gate_script(
    plain: &caller::Attached,
    moved_tool: &str,
    with_vouched: &caller::Attached,
    anonymous: &str,
) -> Value {
    let options = r#"{"toolTrustLevels":{"transfer":1}}"#;
    let list = r#"{"tools":[{"name":"transfer","inputSchema":{"type":"object"}},{"name":"delete","inputSchema":{"type":"object"}}]}"#;
    let trust = store(3, false);
    let mut p = ServerPresentation::new(server(), ServerOptions::from_json(options).unwrap());
    let t = TrustStore::from_json(&trust).unwrap();
    p.set_caller_trust(t.issuers().to_vec(), t.revocation_lists());
    let mut log = EvidenceLog::new(server(), u64::MAX);
    p.sign_tools_list(list, None, NOW).unwrap();
    let mut ticket = None;
    let mut steps = Vec::new();
    let admit = |p: &mut ServerPresentation,
                 log: &mut EvidenceLog,
                 ticket: &mut Option<Ticket>,
                 params: &str,
                 header: Option<&str>,
                 description: &str| {
        let a = p.admit_call(params, header, "c1", NOW, Some(log)).unwrap();
        if let Admission::Run(t) = &a {
            *ticket = Some(t.clone());
        }
        json!({ "admit": { "params": params, "header": header, "client": "c1" }, "now": NOW, "description": description, "expect": super::parse(&a.to_json()) })
    };
    let complete = |p: &ServerPresentation,
                    log: &mut EvidenceLog,
                    ticket: &Option<Ticket>,
                    result: Option<&str>,
                    error: Option<&str>,
                    description: &str| {
        let code = error.map(gate::error_code_of);
        let w = p
            .complete_call(
                ticket.as_ref().unwrap(),
                result,
                code.as_deref(),
                NOW,
                Some(log),
            )
            .unwrap();
        json!({ "complete": { "result": result.map(super::parse), "error": error.map(super::parse) }, "now": NOW, "description": description, "expect": super::parse(&evidence::writes_value(&w).to_jcs()) })
    };
    steps.push(admit(
        &mut p,
        &mut log,
        &mut ticket,
        anonymous,
        None,
        "Anonymous, below the tool's level 1: refused -31001, a denial recorded.",
    ));
    steps.push(admit(
        &mut p,
        &mut log,
        &mut ticket,
        &plain.params,
        None,
        "A caller proof: level 1, admitted.",
    ));
    steps.push(complete(
        &p,
        &mut log,
        &ticket,
        Some(r#"{"content":[{"type":"text","text":"sent"}]}"#),
        None,
        "Its result, hashed into an allow record.",
    ));
    steps.push(admit(
        &mut p,
        &mut log,
        &mut ticket,
        &plain.params,
        Some(&plain.proof),
        "The same proof again (also in the header): replayed_nonce, -31002, recorded.",
    ));
    steps.push(admit(
        &mut p,
        &mut log,
        &mut ticket,
        moved_tool,
        None,
        "A proof moved to another tool: caller_proof_mismatch, recorded.",
    ));
    steps.push(admit(
        &mut p,
        &mut log,
        &mut ticket,
        &with_vouched.params,
        None,
        "A trusted issuer's passport: level 3, admitted.",
    ));
    steps.push(complete(
        &p,
        &mut log,
        &ticket,
        None,
        Some(r#"{"code":-32000,"message":"no","data":{"reason":"revoked"}}"#),
        "It failed with a contract code in data.reason: the record keeps the code.",
    ));
    // Replicas sharing a replay store: the store says whether it took the admitted ticket's
    // replayKey; not taken (another replica saw the proof) is a replay.
    for (inserted, description) in [
        (true, "The shared store took the vouched call's replayKey: it runs (the same ticket)."),
        (false, "The shared store already held it (another replica admitted the proof): replayed_nonce, recorded."),
    ] {
        let a = p
            .complete_admission(ticket.as_ref().unwrap(), inserted, NOW, Some(&mut log))
            .unwrap();
        steps.push(json!({ "shared": { "inserted": inserted }, "now": NOW, "description": description, "expect": super::parse(&a.to_json()) }));
    }
    json!({ "options": options, "trust_store": trust, "list": list, "now": NOW, "steps": steps })
}

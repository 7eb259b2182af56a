//! `evidence.json`: evidence logs. `hashes` pins the argument/result hash; `writer` scripts a
//! writer and pins every line it signs (Ed25519 is deterministic); `logs` are logs, honest
//! and attacked, with anchors and the report every runner must produce (problem messages are
//! not part of the contract: runners compare the report without them).

use mcp_attest::evidence::{self, CheckpointReason, EvidenceLog, EvidenceWriter, LogVerifier};
use mcp_attest::SigningKey;
use serde_json::{json, Value};

use super::{parse, seed, NOW};

fn server() -> SigningKey {
    SigningKey::from_bytes(&seed(40))
}

/// One scripted step: a call record (JSON, as the bindings pass it) or a checkpoint.
enum Step {
    Call(Value),
    Checkpoint(CheckpointReason),
}

fn steps() -> Vec<Step> {
    let caller = SigningKey::from_bytes(&seed(41))
        .verifying_key()
        .to_did_key();
    vec![
        Step::Call(json!({
            "caller": caller, "level": 1, "tool": "read_file",
            "toolHash": "sha256-47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU",
            "arguments": {"path": "/etc/hosts"},
            "result": {"content": [{"type": "text", "text": "127.0.0.1 localhost"}]},
            "decision": "allow"
        })),
        Step::Call(json!({
            "tool": "delete_file", "arguments": {"path": "/"},
            "decision": "deny", "reason": "insufficient_trust_level"
        })),
        Step::Checkpoint(CheckpointReason::Periodic),
        Step::Call(json!({
            "caller": caller, "level": 1, "tool": "read_file",
            "arguments": {"path": "/missing"}, "error": "-32603", "decision": "allow"
        })),
        Step::Checkpoint(CheckpointReason::Periodic),
        Step::Call(json!({"tool": "echo", "decision": "allow", "result": {"content": []}})),
    ]
}

/// The scripted writer's lines; the step times advance one second per step.
fn lines() -> Vec<String> {
    let mut w = EvidenceWriter::new(server());
    steps()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let now = NOW + i as u64;
            match s {
                Step::Call(c) => w.append_call_json(&c.to_string(), now).unwrap(),
                Step::Checkpoint(r) => w.checkpoint(*r, now).unwrap(),
            }
        })
        .collect()
}

fn report(lines: &[String], anchors: &[String]) -> Value {
    let public = server().verifying_key();
    let mut v = LogVerifier::new(&public);
    for l in lines {
        v.push(l);
    }
    let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
    let mut r = parse(&v.finish(&anchors).to_json());
    for p in r["problems"].as_array_mut().unwrap() {
        p.as_object_mut().unwrap().remove("message");
    }
    r
}

fn log_case(id: &str, description: &str, lines: Vec<String>, anchors: Vec<String>) -> Value {
    let expect = report(&lines, &anchors);
    json!({
        "id": format!("evidence/log/{id}"),
        "description": description,
        "lines": lines,
        "anchors": anchors,
        "expect": { "ok": expect },
    })
}

pub(crate) fn evidence() -> Value {
    let public = server().verifying_key();
    let honest = lines();
    // The second checkpoint, held elsewhere: an anchor.
    let periodic = honest[4].clone();

    let hashes: Vec<Value> = [
        ("{}", "the empty object: also the hash of absent arguments"),
        (r#"{"b":2,"a":1}"#, "members sorted by RFC 8785"),
        (r#"{"n":1.0,"e":1e2,"s":"\u00e9"}"#, "numbers and strings in canonical form"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (text, why))| json!({ "id": format!("evidence/hash/{i}"), "json": text, "description": why, "hash": evidence::hash_json(text).unwrap() }))
    .collect();

    let script: Vec<Value> = steps()
        .into_iter()
        .enumerate()
        .map(|(i, s)| match s {
            Step::Call(c) => json!({ "call": c, "now": NOW + i as u64 }),
            Step::Checkpoint(r) => json!({ "checkpoint": r.as_str(), "now": NOW + i as u64 }),
        })
        .collect();

    let mut w = EvidenceWriter::new(server());
    let bad_calls: Vec<Value> = [
        (
            r#"{"tool":"t","decision":"deny"}"#,
            "a denial without a reason",
        ),
        (
            r#"{"tool":"t","decision":"allow"}"#,
            "an allowed call with neither result nor error",
        ),
        (
            r#"{"tool":"t","decision":"allow","result":{},"level":2}"#,
            "an anonymous caller above level 0",
        ),
        (
            r#"{"tool":"t","decision":"allow","result":{},"caller":"did:key:z6Mk","level":5}"#,
            "level above 4",
        ),
        (
            r#"{"tool":"t","decision":"allow","result":{},"note":"x"}"#,
            "an unknown member",
        ),
        (
            r#"{"tool":"t","decision":"allow","result":{},"error":"x"}"#,
            "both result and error",
        ),
        (
            r#"{"tool":"","decision":"allow","result":{}}"#,
            "an empty tool name",
        ),
    ]
    .iter()
    .enumerate()
    .map(|(i, (call, why))| {
        json!({
            "id": format!("evidence/bad-call/{i}"), "call": call, "description": why,
            "expect": { "error": w.append_call_json(call, NOW).unwrap_err().code().as_str() },
        })
    })
    .collect();

    let mut edited = honest.clone();
    edited[3] = edited[3].replace("\"level\":1", "\"level\":2");
    let mut deleted = honest.clone();
    deleted.remove(1);
    let mut swapped = honest.clone();
    swapped.swap(0, 1);
    let mut foreign = honest.clone();
    let mut other = EvidenceWriter::new(SigningKey::from_bytes(&seed(42)));
    foreign.push(other.checkpoint(CheckpointReason::Close, NOW + 9).unwrap());
    let mut spaced = honest.clone();
    spaced[5] = spaced[5].replacen("\":", "\": ", 1);
    let mut garbage = honest.clone();
    garbage.insert(2, String::from("not json"));

    let logs = vec![
        log_case("honest", "The scripted writer's log, with its second checkpoint as an anchor.", honest.clone(), vec![periodic.clone()]),
        log_case("second-file", "The lines after the first checkpoint alone (as a later file would be): valid, but not from genesis.", honest[3..].to_vec(), vec![]),
        log_case("edited", "A record's level raised after the fact: its signature fails; the successor's link is not reported again.", edited, vec![]),
        log_case("deleted", "The denied call removed: the next record's seq is not the one expected.", deleted, vec![]),
        log_case("reordered", "The first two records swapped.", swapped, vec![]),
        log_case("foreign", "A checkpoint signed by another key appended.", foreign, vec![]),
        log_case("non-canonical", "A space after a colon: not RFC 8785, refused though the JSON means the same.", spaced, vec![]),
        log_case("garbage-line", "A line that is not JSON in the middle; the chain resumes after it.", garbage, vec![]),
        log_case("truncated-no-anchor", "Cut after the first checkpoint: undetectable without an anchor.", honest[..3].to_vec(), vec![]),
        log_case("truncated", "Cut after the first checkpoint, verified with the second checkpoint as an anchor.", honest[..3].to_vec(), vec![periodic.clone()]),
        log_case("anchor-not-a-checkpoint", "An anchor that is a call record.", honest.clone(), vec![honest[0].clone()]),
        log_case("empty", "No lines.", vec![], vec![]),
    ];

    let file_calls: Vec<Value> = (0..6u64)
        .map(|i| json!({ "call": json!({"tool": "echo", "arguments": {"i": i}, "decision": "allow", "result": {"content": []}}).to_string(), "now": NOW + i }))
        .collect();
    let mut file_log = EvidenceLog::new(server(), 1200);
    let writes: Vec<Value> = file_calls
        .iter()
        .flat_map(|c| {
            file_log
                .append_call_json(c["call"].as_str().unwrap(), c["now"].as_u64().unwrap())
                .unwrap()
        })
        .map(|w| json!({ "file": w.file, "line": w.line }))
        .collect();

    json!({
        "description": "Evidence logs (spec §19). The server key is `server_seed_hex` (a fixed, public test seed). Runners: for `writer`, run `script` through a new writer for that key and compare every line byte for byte; for `file_log`, run `calls` through a new file log with `max_file_bytes` and compare the writes (file index and line); for `bad_calls`, expect the error code; for `logs`, push `lines` in order, finish with `anchors`, and compare the report JSON with `expect.ok` after removing each problem's `message`.",
        "server_seed_hex": mcp_attest::encoding::hex_encode(&seed(40)),
        "server_public_key_hex": mcp_attest::encoding::hex_encode(public.as_bytes()),
        "server_did": public.to_did_key(),
        "hashes": hashes,
        "writer": { "script": script, "expect": { "ok": honest } },
        "file_log": {
            "description": "A log that rotates at 1200 bytes: each write names its file; a file ends with a rotate checkpoint. File names: evidence-000000.jsonl, …",
            "max_file_bytes": 1200,
            "prefix": "evidence",
            "file_names": [evidence::file_name("evidence", 0), evidence::file_name("evidence", 12)],
            "calls": file_calls,
            "expect": { "ok": writes },
        },
        "bad_calls": bad_calls,
        "logs": logs,
    })
}

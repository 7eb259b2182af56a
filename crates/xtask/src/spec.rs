//! Keeps `docs/spec.md` in step with `tests/vectors`: the error-code table of §16 is written
//! from `error_codes.json` between marker comments, and every vector case `id` of the files
//! the spec tabulates must appear in the spec. `just vectors` rewrites the table;
//! `just vectors-check` fails when the table was edited by hand, a code was added without a
//! row, or a case is missing from the spec's tables.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// Where each code is raised, by spec section. Kept here rather than in the core because it
/// describes the document, not the code; a code missing from this list stops generation, so a
/// new error code cannot reach the spec without saying where it comes from.
const RAISED_IN: &[(&str, &str)] = &[
    (
        "input_too_large",
        "§2.5, §4, §5, §6, §7, §9, §10, §11, §12, §14",
    ),
    ("invalid_base64", "§1.3, §6"),
    ("invalid_base58", "§2.5"),
    ("invalid_hex", "hex decoding (API only)"),
    ("invalid_key_length", "§2.2, §2.3, §2.5, §3.2"),
    ("invalid_key", "§2.3"),
    ("weak_key", "§2.3"),
    (
        "key_mismatch",
        "§2.2, §2.5, §9.5 (`cnf.jwk`), §12.5 (publisher binding)",
    ),
    ("unsupported_key_type", "§2.5, §3.2, §4.2"),
    ("malformed_pem", "§2.5"),
    ("malformed_der", "§2.5"),
    ("malformed_jwk", "§2.5, §10"),
    ("malformed_signature", "§2.4 (signature parsing API)"),
    (
        "invalid_signature",
        "§2.4, §6, §7, §9, §11, §12, §13, §19, §20",
    ),
    ("malformed_did", "§3.2, §9, §14"),
    ("unsupported_did_method", "§3.2"),
    ("invalid_did_url", "§3.3"),
    ("malformed_record", "§4"),
    ("record_mismatch", "§4"),
    ("invalid_json", "§5"),
    ("duplicate_key", "§5"),
    ("invalid_unicode", "§5"),
    ("number_out_of_range", "§5"),
    ("json_too_deep", "§5"),
    ("malformed_tool_definition", "§7, §9 (`toolsHash`)"),
    ("malformed_attestation", "§7"),
    ("missing_signature", "§7"),
    ("kid_mismatch", "§7, §13"),
    ("malformed_manifest", "§7"),
    ("manifest_mismatch", "§7"),
    ("missing_manifest", "§7.6 (per-tool, step 5b)"),
    ("malformed_token", "§6, §11, §20"),
    ("unsupported_algorithm", "§2.5 (JWK `alg`), §6, §10"),
    ("unsupported_critical", "§6"),
    ("wrong_token_type", "§6, §7, §9, §11, §20"),
    ("missing_claim", "§6, §7, §9, §11"),
    ("invalid_claim", "§6, §7, §9, §11"),
    ("token_expired", "§6, §9, §11"),
    ("token_not_yet_valid", "§6, §9"),
    ("token_issued_in_future", "§6, §9"),
    ("lifetime_too_long", "§9.5 (check 7b)"),
    ("audience_mismatch", "§6, §9, §11, §20"),
    ("issuer_mismatch", "§7"),
    ("subject_mismatch", "§9, §20"),
    ("invalid_timestamp", "§1.4"),
    ("untrusted_issuer", "§9, §11, §12"),
    ("revoked", "§9, §11, §14, §20"),
    ("pinned_key_changed", "§14"),
    ("malformed_trust_store", "§10.3, §14"),
    ("invalid_policy", "§15.2.1, §15.3"),
    ("no_identity", "§15.2 step 2"),
    ("missing_passport", "§15.2 step 4"),
    ("server_error", "§15.2"),
    ("tool_changed", "§15.2 step 9"),
    ("endpoint_mismatch", "§15.2 step 4, §15.5"),
    ("unsupported_sdk", "the MCP adapters (API only)"),
    ("attestation_expired", "§12.5"),
    ("malformed_identity", "§12, §13 (result)"),
    ("invalid_challenge", "§13"),
    ("stale_timestamp", "§13, §20"),
    ("replayed_nonce", "§13, §20"),
    ("nonce_cache_full", "§13"),
    ("challenge_rate_limited", "§13"),
    ("malformed_evidence", "§19"),
    ("evidence_chain_broken", "§19"),
    ("evidence_truncated", "§19"),
    ("insufficient_trust_level", "§20"),
    ("caller_proof_mismatch", "§20"),
    ("signer_failed", "§6.2 (signing API)"),
    (
        "key_unavailable",
        "`loadOrCreateKey` / `load_or_create_key`, the CLI (API only)",
    ),
    (
        "unsafe_directory",
        "`loadOrCreateKey` / `load_or_create_key`, the CLI (API only)",
    ),
];

/// The vector files whose every case the spec lists by `id` (in its vector tables or the
/// prose around them).
const TABULATED: &[&str] = &[
    "keys.json",
    "did_key.json",
    "records.json",
    "jcs.json",
    "tools.json",
    "passports.json",
    "identity.json",
    "challenge.json",
    "trust_store.json",
    "sessions.json",
    "evidence.json",
    "caller.json",
    "interop.json",
];

/// Rewrites (or, with `check`, verifies) the generated parts of `spec`. Returns the problems
/// found; empty means the spec is current.
pub(crate) fn run(spec: &Path, vectors: &Path, check: bool) -> Vec<String> {
    let text = std::fs::read_to_string(spec)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", spec.display()));
    let mut problems = Vec::new();

    let regions: [(&str, Result<String, String>); 6] = [
        (
            "evidence cases",
            case_table(&read_json(&vectors.join("evidence.json"))),
        ),
        (
            "caller cases",
            case_table(&read_json(&vectors.join("caller.json"))),
        ),
        (
            "interop cases",
            case_table(&read_json(&vectors.join("interop.json"))),
        ),
        (
            "error codes",
            error_table(&read_json(&vectors.join("error_codes.json"))),
        ),
        (
            "jcs numbers",
            number_table(&read_json(&vectors.join("jcs.json"))),
        ),
        (
            "session cases",
            session_table(&read_json(&vectors.join("sessions.json"))),
        ),
    ];
    let mut updated = text.clone();
    for (name, body) in regions {
        match body.and_then(|body| replace_between(&updated, name, &body)) {
            Ok(next) => updated = next,
            Err(e) => problems.push(format!("{}: {e}", spec.display())),
        }
    }
    if problems.is_empty() && updated != text {
        if check {
            problems.push(format!(
                "{}: a generated table (§5.2 numbers, §15.6 sessions, §16 error codes) differs \
                 from tests/vectors (edited by hand, or the vectors changed): run 'just vectors'",
                spec.display()
            ));
        } else {
            std::fs::write(spec, &updated).unwrap();
            println!("wrote {} (generated tables)", spec.display());
        }
    }

    // Checked against the text as it will be, so a run of `just vectors` is judged on its result.
    for file in TABULATED {
        let value = read_json(&vectors.join(file));
        let mut ids = Vec::new();
        collect_ids(&value, &mut ids);
        for id in ids {
            if !updated.contains(&format!("`{id}`")) {
                problems.push(format!(
                    "{}: case `{id}` of tests/vectors/{file} is not listed in the spec",
                    spec.display()
                ));
            }
        }
    }
    problems
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn collect_ids(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(id)) = map.get("id") {
                out.push(id.clone());
            }
            map.values().for_each(|v| collect_ids(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, out)),
        _ => {}
    }
}

fn error_table(codes: &Value) -> Result<String, String> {
    let raised: BTreeMap<&str, &str> = RAISED_IN.iter().copied().collect();
    let list = codes["codes"]
        .as_array()
        .ok_or("error_codes.json has no `codes` array")?;
    let mut out = format!(
        "Generated from `tests/vectors/error_codes.json` ({} codes) by `just vectors`; \
         `just vectors-check` fails if this table is edited by hand.\n\n\
         | code | meaning (from `error_codes.json`) | raised in |\n|---|---|---|\n",
        list.len()
    );
    let mut missing = Vec::new();
    for entry in list {
        let code = entry["code"].as_str().ok_or("a code is not a string")?;
        let description = entry["description"]
            .as_str()
            .ok_or("a description is not a string")?;
        match raised.get(code) {
            Some(sections) => {
                out.push_str(&format!(
                    "| `{code}` | {} | {sections} |\n",
                    cell(description)
                ));
            }
            None => missing.push(code),
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "error codes without a 'raised in' entry: {}; add them to RAISED_IN in \
             crates/xtask/src/spec.rs",
            missing.join(", ")
        ));
    }
    Ok(out)
}

/// A description inside a Markdown table cell: a `|` would end the cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn replace_between(text: &str, name: &str, body: &str) -> Result<String, String> {
    let begin = format!("<!-- BEGIN GENERATED: {name} (just vectors; do not edit) -->");
    let end = format!("<!-- END GENERATED: {name} -->");
    let start = text
        .find(&begin)
        .ok_or_else(|| format!("the marker `{begin}` is missing"))?;
    let stop = text
        .find(&end)
        .ok_or_else(|| format!("the marker `{end}` is missing"))?;
    if stop < start {
        return Err(format!("the {name} markers are out of order"));
    }
    let head = &text[..start + begin.len()];
    let tail = &text[stop..];
    Ok(format!("{head}\n{body}{tail}"))
}

/// Every case with an `id` in a vector file, with its description and what it expects: the
/// error code, or a short summary of the ok value (a level, a verdict, anonymous).
fn case_table(file: &Value) -> Result<String, String> {
    fn cases<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        match v {
            Value::Object(m) if m.contains_key("id") => out.push(v),
            Value::Object(m) => m.values().for_each(|x| cases(x, out)),
            Value::Array(a) => a.iter().for_each(|x| cases(x, out)),
            _ => {}
        }
    }
    fn ok_summary(v: &Value) -> String {
        match v {
            Value::Null => String::from("ok: null (anonymous / none)"),
            Value::Object(o) if o.contains_key("valid") => {
                let codes: Vec<String> = o["problems"]
                    .as_array()
                    .map(|p| {
                        p.iter()
                            .map(|x| {
                                format!(
                                    "line {} `{}`",
                                    x["line"],
                                    x["code"].as_str().unwrap_or("?")
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if o["valid"] == Value::Bool(true) {
                    String::from("valid")
                } else {
                    format!("invalid: {}", codes.join(", "))
                }
            }
            Value::Object(o) if o.contains_key("level") && o.contains_key("did") => {
                format!("ok: level {}", o["level"])
            }
            Value::Object(o) if o.contains_key("vouched") => {
                format!("ok: vouched {}", o["vouched"])
            }
            Value::Object(o) if o.contains_key("tier") => format!("ok: tier {}", o["tier"]),
            Value::String(s) if s.len() <= 24 => format!("ok: `{s}`"),
            Value::Number(n) => format!("{n}"),
            _ => String::from("ok (value in the file)"),
        }
    }
    fn summary(e: &Value) -> String {
        if let Some(code) = e["error"].as_str() {
            format!("error `{code}`")
        } else if e.get("ok").is_some() {
            ok_summary(&e["ok"])
        } else {
            ok_summary(e)
        }
    }
    let mut found = Vec::new();
    cases(file, &mut found);
    let mut out = String::from("| id | what | expected |\n|---|---|---|\n");
    for c in found {
        let id = c["id"].as_str().ok_or("a case id is not a string")?;
        let expected = if let Some(steps) = c["steps"].as_array() {
            steps
                .iter()
                .map(|s| summary(&s["expect"]))
                .collect::<Vec<_>>()
                .join("; then ")
        } else if !c["expect"].is_null() {
            summary(&c["expect"])
        } else if let Some(h) = c["hash"].as_str() {
            format!("`{h}`")
        } else {
            String::from("see the file")
        };
        let what = c["description"].as_str().unwrap_or("");
        out.push_str(&format!(
            "| `{id}` | {} | {} |\n",
            cell(what),
            cell(&expected)
        ));
    }
    Ok(out)
}

fn expect_cell(expect: &Value) -> String {
    if let Some(code) = expect["error"].as_str() {
        format!("error `{code}`")
    } else if let Some(canonical) = expect["ok"]["canonical"].as_str() {
        format!("`{canonical}`")
    } else {
        format!("`{}`", expect)
    }
}

fn number_table(jcs: &Value) -> Result<String, String> {
    let numbers = jcs["numbers"]
        .as_array()
        .ok_or("jcs.json has no `numbers` array")?;
    let mut out = String::from(
        "| id | literal (or how it is built) | expected JCS output or error |\n|---|---|---|\n",
    );
    for n in numbers {
        let id = n["id"].as_str().ok_or("a number case has no id")?;
        let literal = if let Some(text) = n["literal"].as_str() {
            if text.len() > 60 {
                format!("`{}…` ({} bytes)", &text[..40], text.len())
            } else {
                format!("`{text}`")
            }
        } else {
            let b = &n["build"];
            format!(
                "`{}` + {} × `{}` + `{}` ({} bytes)",
                b["prefix"].as_str().unwrap_or_default(),
                b["count"],
                b["repeat"].as_str().unwrap_or_default(),
                b["suffix"].as_str().unwrap_or_default(),
                n["length"]
            )
        };
        out.push_str(&format!(
            "| `{id}` | {literal} | {} |\n",
            expect_cell(&n["expect"])
        ));
    }
    Ok(out)
}

fn session_table(sessions: &Value) -> Result<String, String> {
    let cases = sessions["cases"]
        .as_array()
        .ok_or("sessions.json has no `cases` array")?;
    let mut out = String::from("| id | scenario | report `verified` / `code` |\n|---|---|---|\n");
    for c in cases {
        let id = c["id"].as_str().ok_or("a session case has no id")?;
        let report: Value = serde_json::from_str(
            c["expect"]["report"]
                .as_str()
                .ok_or("a session case has no report text")?,
        )
        .map_err(|e| format!("{id}: report: {e}"))?;
        let code = report["code"]
            .as_str()
            .map_or_else(|| "—".to_owned(), |c| format!("`{c}`"));
        out.push_str(&format!(
            "| `{id}` | {} | {} / {code} |\n",
            cell(c["description"].as_str().unwrap_or_default()),
            report["verified"]
        ));
    }
    let policies = sessions["policies"]
        .as_array()
        .ok_or("sessions.json has no `policies` array")?;
    out.push_str("\n| id (`policies`) | policy | with a store | expected |\n|---|---|---|---|\n");
    for p in policies {
        let id = p["id"].as_str().ok_or("a policy case has no id")?;
        out.push_str(&format!(
            "| `{id}` | `{}` | {} | {} |\n",
            p["policy"].as_str().unwrap_or_default(),
            p["with_store"],
            expect_cell(&p["expect"])
        ));
    }
    Ok(out)
}

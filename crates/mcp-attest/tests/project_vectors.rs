//! The project's own cross-language vectors (`tests/vectors/*.json`, written by
//! `just vectors`). The npm and Python packages run these same files; here the Rust core
//! must reproduce every expected output and error code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use mcp_attest::did_key::{self, DidUrlFragment, DocumentFormat};
use mcp_attest::{encoding, json, records, tool, Error, ErrorCode, SigningKey, VerifyingKey};
use serde_json::Value;

fn read(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} is missing ({e}); run `just vectors`", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("no string {k} in {v}"))
}

/// The expected error code of a case, or None when it expects ok.
fn expected_error(case: &Value) -> Option<ErrorCode> {
    let e = &case["expect"];
    if e.get("ok").is_some() {
        return None;
    }
    let code = e["error"]
        .as_str()
        .unwrap_or_else(|| panic!("bad expect in {case}"));
    Some(ErrorCode::from_code(code).unwrap_or_else(|| panic!("unknown code {code}")))
}

fn assert_outcome<T>(case: &Value, got: Result<T, Error>) -> Option<T> {
    let id = s(case, "id");
    match (expected_error(case), got) {
        (None, Ok(v)) => Some(v),
        (Some(code), Err(e)) => {
            assert_eq!(e.code(), code, "{id}: {e}");
            None
        }
        (None, Err(e)) => panic!("{id}: expected ok, got {e}"),
        (Some(code), Ok(_)) => panic!("{id}: expected {code}, got ok"),
    }
}

fn canonical(text: &str) -> String {
    json::canonicalize(text).unwrap()
}

#[test]
fn error_codes_file_lists_exactly_our_codes() {
    let file = read("error_codes.json");
    let listed: Vec<&str> = file["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| s(c, "code"))
        .collect();
    let ours: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, ours);
}

#[test]
fn keys() {
    let file = read("keys.json");
    let positive = file["positive"].as_array().unwrap();
    assert_eq!(positive.len(), 4);
    for case in positive {
        let ok = &case["expect"]["ok"];
        let sk =
            SigningKey::from_slice(&encoding::hex_decode(s(case, "seed_hex")).unwrap()).unwrap();
        let vk = sk.verifying_key();
        assert_eq!(encoding::hex_encode(vk.as_bytes()), s(ok, "public_key_hex"));
        assert_eq!(
            encoding::hex_encode(sk.to_keypair_bytes().as_ref()),
            s(ok, "keypair_hex")
        );
        assert_eq!(vk.to_multibase(), s(ok, "multibase"));
        assert_eq!(vk.to_did_key(), s(ok, "did"));
        assert_eq!(vk.to_did_key_url(), s(ok, "did_url"));
        assert_eq!(did_key::x25519_multibase(&vk), s(ok, "x25519_multibase"));
        assert_eq!(vk.to_jwk(), s(ok, "jwk_public"));
        assert_eq!(sk.to_jwk().as_str(), s(ok, "jwk_private"));
        assert_eq!(vk.jwk_thumbprint(), s(ok, "jwk_thumbprint"));
        assert_eq!(vk.kid(), s(ok, "kid"));
        assert_eq!(vk.fingerprint(), s(ok, "fingerprint"));
        assert_eq!(sk.to_pkcs8_pem().unwrap().as_str(), s(ok, "pkcs8_v1_pem"));
        assert_eq!(
            sk.to_pkcs8_pem_v2().unwrap().as_str(),
            s(ok, "pkcs8_v2_pem")
        );
        assert_eq!(vk.to_spki_pem(), s(ok, "spki_pem"));
        assert_eq!(
            encoding::hex_encode(&sk.sign(b"").to_bytes()),
            s(ok, "signature_over_empty_hex")
        );
        assert_eq!(
            encoding::hex_encode(&sk.sign(b"abc").to_bytes()),
            s(ok, "signature_over_abc_hex")
        );
        // Every exported form imports back to the same key.
        for imported in [
            VerifyingKey::from_did_key(s(ok, "did")).unwrap(),
            VerifyingKey::from_multibase(s(ok, "multibase")).unwrap(),
            VerifyingKey::from_jwk(s(ok, "jwk_public")).unwrap(),
            VerifyingKey::from_spki_pem(s(ok, "spki_pem")).unwrap(),
            SigningKey::from_jwk(s(ok, "jwk_private"))
                .unwrap()
                .verifying_key(),
            SigningKey::from_pkcs8_pem(s(ok, "pkcs8_v1_pem"))
                .unwrap()
                .verifying_key(),
            SigningKey::from_pkcs8_pem(s(ok, "pkcs8_v2_pem"))
                .unwrap()
                .verifying_key(),
            SigningKey::from_slice(&encoding::hex_decode(s(ok, "keypair_hex")).unwrap())
                .unwrap()
                .verifying_key(),
        ] {
            assert_eq!(imported, vk);
        }
    }
    let imports = file["imports"].as_array().unwrap();
    assert!(imports.len() >= 10);
    for case in imports {
        let input = s(case, "input");
        let got = match s(case, "input_kind") {
            "secret_hex" => SigningKey::from_slice(&encoding::hex_decode(input).unwrap())
                .map(|k| k.verifying_key()),
            "public_hex" => VerifyingKey::from_slice(&encoding::hex_decode(input).unwrap()),
            "jwk_public" => VerifyingKey::from_jwk(input),
            "pkcs8_pem" => SigningKey::from_pkcs8_pem(input).map(|k| k.verifying_key()),
            "spki_pem" => VerifyingKey::from_spki_pem(input),
            other => panic!("unknown input_kind {other}"),
        };
        if let Some(vk) = assert_outcome(case, got) {
            assert_eq!(
                encoding::hex_encode(vk.as_bytes()),
                s(&case["expect"]["ok"], "public_key_hex")
            );
        }
    }
}

#[test]
fn did_key_documents_urls_and_refusals() {
    let file = read("did_key.json");
    let vk = VerifyingKey::from_did_key(s(&file, "did")).unwrap();
    let docs = &file["documents"];
    for (name, format) in [
        ("multikey", DocumentFormat::Multikey),
        (
            "ed25519_verification_key_2020",
            DocumentFormat::Ed25519VerificationKey2020,
        ),
        ("json_web_key", DocumentFormat::JsonWebKey),
    ] {
        assert_eq!(
            did_key::document(&vk, format),
            canonical(&docs[name].to_string()),
            "{name}"
        );
    }
    for case in file["did_urls"].as_array().unwrap() {
        let url = did_key::parse_did_url(s(case, "input")).unwrap();
        let want = match s(&case["expect"]["ok"], "fragment") {
            "verification_method" => DidUrlFragment::VerificationMethod,
            "key_agreement" => DidUrlFragment::KeyAgreement,
            "none" => DidUrlFragment::None,
            other => panic!("unknown fragment {other}"),
        };
        assert_eq!((url.key, url.fragment), (vk, want), "{}", s(case, "id"));
    }
    let negative = file["negative"].as_array().unwrap();
    assert!(negative.len() >= 7);
    for case in negative {
        let got = match s(case, "input_kind") {
            "did" => VerifyingKey::from_did_key(s(case, "input")).map(|_| ()),
            _ => did_key::parse_did_url(s(case, "input")).map(|_| ()),
        };
        assert_outcome(case, got);
    }
}

#[test]
fn records() {
    let file = read("records.json");
    let vk = VerifyingKey::from_slice(&encoding::hex_decode(s(&file, "public_key_hex")).unwrap())
        .unwrap();
    assert_eq!(records::dns_record(&vk), s(&file, "dns_record"));
    assert_eq!(records::registry_record(&vk), s(&file, "registry_record"));
    assert_eq!(
        records::dns_record_name("example.com").unwrap(),
        s(&file, "dns_name_for_example_com")
    );
    for case in file["dns"].as_array().unwrap() {
        assert_outcome(
            case,
            records::DnsRecord::parse(s(case, "input")).and_then(|r| r.verify(&vk, None)),
        );
    }
    for case in file["registry"].as_array().unwrap() {
        assert_outcome(
            case,
            records::RegistryRecord::parse(s(case, "input")).and_then(|r| r.verify(&vk)),
        );
    }
}

#[test]
fn jcs() {
    let file = read("jcs.json");
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 15);
    for case in cases {
        if let Some(out) = assert_outcome(case, json::canonicalize(s(case, "input"))) {
            let ok = &case["expect"]["ok"];
            assert_eq!(out, s(ok, "canonical"));
            assert_eq!(encoding::hex_encode(out.as_bytes()), s(ok, "canonical_hex"));
        }
    }
    // Adversarial number literals: refused with the code, or read as the stated double.
    let numbers = file["numbers"].as_array().unwrap();
    assert!(numbers.len() >= 20);
    for case in numbers {
        let literal = number_literal(case);
        if let Some(out) = assert_outcome(case, json::canonicalize(&literal)) {
            assert_eq!(
                out,
                s(&case["expect"]["ok"], "canonical"),
                "{}",
                s(case, "id")
            );
        }
    }
}

/// A `numbers` case's literal: stored, or built as prefix + repeat × count + suffix.
fn number_literal(case: &Value) -> String {
    if let Some(l) = case["literal"].as_str() {
        return l.to_string();
    }
    let b = &case["build"];
    let lit = format!(
        "{}{}{}",
        s(b, "prefix"),
        s(b, "repeat").repeat(b["count"].as_u64().unwrap() as usize),
        s(b, "suffix")
    );
    assert_eq!(lit.len() as u64, case["length"].as_u64().unwrap());
    lit
}

#[test]
fn tools() {
    let file = read("tools.json");
    let server = &file["server"];
    let vk = VerifyingKey::from_did_key(s(server, "did")).unwrap();
    assert_eq!(vk.kid(), s(server, "kid"));
    for case in file["per_tool"].as_array().unwrap() {
        let ok = &case["expect"]["ok"];
        let tool_value = json::parse(s(case, "tool")).unwrap();
        let input = tool::ext_auth_signing_input(&tool_value).unwrap();
        assert_eq!(input, s(ok, "signing_input"));
        vk.verify_slice(
            input.as_bytes(),
            &encoding::hex_decode(s(ok, "signature_hex")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            tool::content_hash(&tool_value).unwrap(),
            s(ok, "content_hash")
        );
        tool::verify_tool(&json::parse(s(ok, "signed_tool")).unwrap(), &vk, None).unwrap();
    }
    // A revoked server key: every tool revoked, the manifest invalid.
    let rs = &file["revoked_server"];
    let passports = read("passports.json");
    let issuers = trusted_registry(&passports);
    let list = [mcp_attest::revocation::RevocationList::verify(
        s(rs, "revocation_list"),
        &issuers,
        rs["now"].as_u64(),
    )
    .unwrap()];
    let opts = tool::VerifyOptions {
        now: rs["now"].as_u64().unwrap(),
        audience: rs["audience"].as_str(),
        revocations: &list,
        ..Default::default()
    };
    let r = tool::verify_tools_list(s(rs, "result"), &vk, &opts).unwrap();
    let ok = &rs["expect"]["ok"];
    assert_eq!(r.is_fully_verified(), ok["verified"].as_bool().unwrap());
    assert!(
        matches!(&r.manifest, tool::ManifestStatus::Invalid(e) if Some(e.code().as_str()) == ok["manifest"]["invalid"].as_str())
    );
    let statuses: Vec<&str> = r.tools.iter().map(|t| t.status.as_str()).collect();
    assert_eq!(serde_json::json!(statuses), ok["statuses"]);

    let lists = file["lists"].as_array().unwrap();
    assert!(lists.len() >= 20);
    for case in lists {
        for (field, tool_signatures) in [
            ("expect", tool::ToolSignatures::IfNoManifest),
            ("expect_all_tool_signatures", tool::ToolSignatures::Always),
        ] {
            check_list(case, &vk, field, tool_signatures);
        }
    }
}

fn check_list(case: &Value, vk: &VerifyingKey, field: &str, tool_signatures: tool::ToolSignatures) {
    let id = format!("{} ({field})", s(case, "id"));
    let opts = tool::VerifyOptions {
        now: case["now"].as_u64().unwrap(),
        audience: case["audience"].as_str(),
        tool_signatures,
        require_manifest: case["require_manifest"].as_bool().unwrap(),
        ..Default::default()
    };
    let got = tool::verify_tools_list(s(case, "result"), vk, &opts);
    let expect = &case[field];
    let report = match (got, expect.get("error").and_then(Value::as_str)) {
        (Err(e), Some(code)) => {
            assert_eq!(e.code().as_str(), code, "{id}");
            return;
        }
        (Ok(r), None) => r,
        (got, want) => panic!("{id}: got {got:?}, want {want:?}"),
    };
    let ok = &expect["ok"];
    assert_eq!(
        report.is_fully_verified(),
        ok["verified"].as_bool().unwrap(),
        "{id}"
    );
    let manifest = match &report.manifest {
        tool::ManifestStatus::Verified { .. } => serde_json::json!("verified"),
        tool::ManifestStatus::Absent => serde_json::json!("absent"),
        tool::ManifestStatus::Invalid(e) => serde_json::json!({ "invalid": e.code().as_str() }),
        _ => panic!("{id}: unknown manifest status"),
    };
    assert_eq!(manifest, ok["manifest"], "{id}");
    assert_eq!(
        serde_json::json!(report.verified_names()),
        ok["verified_names"],
        "{id}"
    );
    let want = ok["tools"].as_array().unwrap();
    assert_eq!(report.tools.len(), want.len(), "{id}");
    for (t, w) in report.tools.iter().zip(want) {
        assert_eq!(t.name.as_deref(), w["name"].as_str(), "{id}");
        assert_eq!(t.status.as_str(), s(w, "status"), "{id}: {:?}", t.name);
        assert_eq!(
            t.error.as_ref().map(|e| e.code().as_str()),
            w["error"].as_str(),
            "{id}: {:?}",
            t.name
        );
    }
}

fn trusted_registry(file: &Value) -> Vec<mcp_attest::issuer::TrustedIssuer> {
    file["trusted_issuers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| mcp_attest::issuer::TrustedIssuer::from_jwks(s(i, "id"), s(i, "jwks")).unwrap())
        .collect()
}

#[test]
fn passports_and_revocation_lists() {
    use mcp_attest::passport;
    use mcp_attest::revocation::RevocationList;
    let file = read("passports.json");
    let issuers = trusted_registry(&file);
    let list_token = s(&file, "revocation_list");
    for case in file["revocation_list_checks"].as_array().unwrap() {
        let trusted: &[_] = if case["trusted"].as_bool().unwrap() {
            &issuers
        } else {
            &[]
        };
        let got = RevocationList::verify(list_token, trusted, case["now"].as_u64());
        if let Some(list) = assert_outcome(case, got) {
            assert_eq!(
                list.entries().count() as u64,
                case["expect"]["ok"]["entries"].as_u64().unwrap()
            );
        }
    }
    let lists = [RevocationList::verify(list_token, &issuers, None).unwrap()];
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let subject = case["expected_subject"]
            .as_str()
            .map(|d| VerifyingKey::from_did_key(d).unwrap());
        let with_decoy: Vec<mcp_attest::issuer::TrustedIssuer> = case["decoy_issuer_first"]
            .as_str()
            .map(|d| {
                let decoy = VerifyingKey::from_did_key(d).unwrap();
                vec![
                    mcp_attest::issuer::TrustedIssuer::new(issuers[0].id(), decoy),
                    issuers[0].clone(),
                ]
            })
            .unwrap_or_default();
        let opts = passport::VerifyOptions {
            now: case["now"].as_u64().unwrap(),
            audience: case["audience"].as_str(),
            issuers: if case["no_trusted_issuers"].as_bool().unwrap_or(false) {
                &[]
            } else if !with_decoy.is_empty() {
                &with_decoy
            } else {
                &issuers
            },
            // Absent or null: the core's default.
            allow_self_issued: case["allow_self_issued"].as_bool(),
            max_age: case["max_age"].as_u64(),
            revocations: if case["use_revocations"].as_bool().unwrap_or(false) {
                &lists
            } else {
                &[]
            },
            subject: subject.as_ref(),
            ..Default::default()
        };
        if let Some(p) = assert_outcome(case, passport::verify(s(case, "token"), &opts)) {
            let ok = &case["expect"]["ok"];
            assert_eq!(p.issuer, s(ok, "issuer"));
            assert_eq!(p.subject, s(ok, "subject"));
            assert_eq!(p.self_issued, ok["self_issued"].as_bool().unwrap());
            assert_eq!(p.expires_at, ok["expires_at"].as_u64().unwrap());
            assert_eq!(p.jti.as_deref(), ok["jti"].as_str());
            assert_eq!(p.mcp.map(|m| m.name).as_deref(), ok["mcp_name"].as_str());
        }
    }
}

#[test]
fn identity_documents() {
    use mcp_attest::identity;
    let file = read("identity.json");
    let trusted: Vec<VerifyingKey> = file["trusted_publishers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| VerifyingKey::from_did_key(d.as_str().unwrap()).unwrap())
        .collect();
    for case in file["cases"].as_array().unwrap() {
        let prev = case["previous_key_did"]
            .as_str()
            .map(|d| VerifyingKey::from_did_key(d).unwrap());
        let opts = identity::VerifyOptions {
            now: case["now"].as_u64().unwrap(),
            trusted_publishers: &trusted,
            require_trusted_publisher: case["require_trusted_publisher"].as_bool().unwrap(),
            previous_key: prev.as_ref(),
        };
        if let Some(v) = assert_outcome(case, identity::verify_document(s(case, "document"), &opts))
        {
            let ok = &case["expect"]["ok"];
            assert_eq!(v.key.to_did_key(), s(ok, "did"));
            assert_eq!(v.kid, s(ok, "kid"));
            let pubs: Vec<Value> = v
                .publishers
                .iter()
                .map(|p| serde_json::json!({ "name": p.name, "trusted": p.trusted, "bound": p.bound }))
                .collect();
            assert_eq!(Value::Array(pubs), ok["publishers"]);
            let rots: Vec<Value> = v
                .rotations
                .iter()
                .map(|r| serde_json::json!({ "revoked_kid": r.revoked_kid, "replacement_kid": r.replacement_kid, "verified": r.verified }))
                .collect();
            assert_eq!(Value::Array(rots), ok["rotations"]);
        }
    }
}

#[test]
fn trust_store_ops_and_persistence() {
    use mcp_attest::trust::{PinStatus, TrustStore};
    let file = read("trust_store.json");
    let passports = read("passports.json");
    let mut store = TrustStore::new();
    for i in trusted_registry(&passports) {
        store.add_issuer(i);
    }
    assert!(store
        .add_revocation_list(
            s(&passports, "revocation_list"),
            file["ops"][0]["now"].as_u64().unwrap()
        )
        .unwrap());
    for case in file["ops"].as_array().unwrap() {
        let key = VerifyingKey::from_did_key(s(case, "did")).unwrap();
        let got: Result<Value, Error> = match s(case, "op") {
            "check_pin" => store
                .check_pin(s(case, "server"), &key, case["now"].as_u64().unwrap())
                .map(|p| match p {
                    PinStatus::FirstUse => Value::from("first_use"),
                    PinStatus::Match => Value::from("match"),
                }),
            "check_revoked" => store.check_revoked(&key).map(|()| serde_json::json!({})),
            other => panic!("unknown op {other}"),
        };
        match (got, &case["expect"]) {
            (Ok(v), e) if e.get("ok").is_some() => assert_eq!(&v, &e["ok"]),
            (Err(err), e) => assert_eq!(Some(err.code().as_str()), e["error"].as_str(), "{case}"),
            (Ok(v), e) => panic!("{case}: got {v}, want {e}"),
        }
    }
    assert_eq!(store.to_json(), s(&file, "saved"));
    assert_eq!(TrustStore::from_json(s(&file, "saved")).unwrap(), store);
    for case in file["loads"].as_array().unwrap() {
        assert_outcome(case, TrustStore::from_json(s(case, "input")).map(|_| ()));
    }
}

#[test]
fn challenges() {
    use mcp_attest::challenge::{self, ChallengeRequest, ChallengeResponder, ChallengeResponse};
    let file = read("challenge.json");
    let vk = VerifyingKey::from_did_key(s(&file, "server_did")).unwrap();
    let random: [u8; 32] = encoding::hex_decode(s(&file, "random_hex"))
        .unwrap()
        .try_into()
        .unwrap();
    let req = ChallengeRequest::new(&random, file["signed_at"].as_u64().unwrap());
    assert_eq!(req.to_json(), s(&file, "request"));
    assert_eq!(
        encoding::hex_encode(&req.signing_input().unwrap()),
        s(&file, "signing_input_hex")
    );
    // The server key is seed-1 of keys.json.
    let keys = read("keys.json");
    let seed = encoding::hex_decode(s(&keys["positive"][0], "seed_hex")).unwrap();
    let server = SigningKey::from_slice(&seed).unwrap();
    assert_eq!(server.verifying_key(), vk);
    let mut shared = ChallengeResponder::new(s(&file, "kid"), 16);
    for case in file["server"].as_array().unwrap() {
        let id = s(case, "id");
        let params = s(case, "params");
        let now = case["now"].as_u64().unwrap();
        let got = if id == "challenge/replayed" {
            shared.respond(&server, params, now)
        } else {
            if id == "challenge/ok" {
                shared.respond(&server, params, now).unwrap();
            }
            ChallengeResponder::new(s(&file, "kid"), 16).respond(&server, params, now)
        };
        match got {
            Ok(resp) => {
                let ok = &case["expect"]["ok"];
                assert_eq!(
                    (resp.signature.as_str(), resp.kid.as_str()),
                    (s(ok, "signature"), s(ok, "kid")),
                    "{id}"
                );
                let sent = ChallengeRequest::from_json(params).unwrap();
                challenge::verify_response(&sent, &resp, &vk, None).unwrap();
            }
            Err(e) => {
                let want = &case["expect"];
                assert_eq!(Some(e.code().as_str()), want["error"].as_str(), "{id}");
                let (code, reason) = challenge::jsonrpc_error(&e);
                assert_eq!(
                    (code, reason),
                    (want["jsonrpc_code"].as_i64().unwrap(), s(want, "reason")),
                    "{id}"
                );
            }
        }
    }
    for case in file["client"].as_array().unwrap() {
        let resp = ChallengeResponse::from_json(s(case, "result")).unwrap();
        assert_outcome(case, challenge::verify_response(&req, &resp, &vk, None));
    }
    // A full replay cache refuses (fails closed) rather than forgetting a live nonce.
    let full = &file["cache_full"];
    let mut tiny = ChallengeResponder::new(s(&file, "kid"), 1);
    tiny.respond(
        &server,
        s(&file, "request"),
        file["signed_at"].as_u64().unwrap(),
    )
    .unwrap();
    let e = tiny
        .respond(&server, s(full, "params"), full["now"].as_u64().unwrap())
        .unwrap_err();
    assert_eq!(Some(e.code().as_str()), full["expect"]["error"].as_str());
    assert_eq!(
        challenge::jsonrpc_error(&e).0,
        full["expect"]["jsonrpc_code"].as_i64().unwrap()
    );
    // Per-client quotas: the steps in order against one responder.
    let limited = &file["rate_limited"];
    let mut quota = ChallengeResponder::with_client_quota(
        s(&file, "kid"),
        usize::try_from(limited["capacity"].as_u64().unwrap()).unwrap(),
        usize::try_from(limited["client_quota"].as_u64().unwrap()).unwrap(),
    );
    let steps = limited["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    for step in steps {
        let got = quota.respond_for(
            &server,
            s(step, "params"),
            s(step, "client"),
            step["now"].as_u64().unwrap(),
        );
        let want = &step["expect"];
        match got {
            Ok(resp) => assert_eq!(resp.signature, s(&want["ok"], "signature")),
            Err(e) => {
                assert_eq!(Some(e.code().as_str()), want["error"].as_str());
                let (code, reason) = challenge::jsonrpc_error(&e);
                assert_eq!(
                    (code, reason),
                    (want["jsonrpc_code"].as_i64().unwrap(), s(want, "reason"))
                );
            }
        }
    }
    // What an external store is given.
    let admission = &file["admission"];
    let admitted = ChallengeResponder::new(s(&file, "kid"), 16)
        .admit(
            s(admission, "params"),
            s(admission, "client"),
            admission["now"].as_u64().unwrap(),
        )
        .unwrap();
    assert_eq!(admitted.store_key(), s(admission, "store_key"));
    assert_eq!(
        admitted.expires_at(),
        admission["expires_at"].as_u64().unwrap()
    );
}

/// Replays every recorded transcript through a fresh `ClientSession`: the session must ask
/// for exactly the recorded requests and end with the recorded report and trust store, byte
/// for byte (the same file runs in Node, Chromium and Python).
#[test]
fn sessions() {
    use mcp_attest::session::{ClientPolicy, ClientSession};
    use mcp_attest::trust::TrustStore;
    let file = read("sessions.json");
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let id = s(case, "id");
        let policy = ClientPolicy::from_json(s(case, "policy")).unwrap();
        let store = case["store"]
            .as_str()
            .map(|t| TrustStore::from_json(t).unwrap());
        let random: [u8; 64] = encoding::hex_decode(s(case, "random_hex"))
            .unwrap()
            .try_into()
            .unwrap();
        let now = case["now"].as_u64().unwrap();
        let mut session = ClientSession::new(policy, store, now, &random).unwrap();
        for x in case["exchanges"].as_array().unwrap() {
            let req = session
                .next_request()
                .unwrap_or_else(|| panic!("{id}: the session stopped early"));
            assert_eq!(req.method, s(x, "method"), "{id}");
            assert_eq!(req.params, s(x, "params"), "{id}");
            if let Some(r) = x["result"].as_str() {
                session.receive_result(r);
            } else {
                let e = &x["error"];
                session.receive_error(
                    e["code"].as_i64().unwrap(),
                    s(e, "message"),
                    e["data"].as_str(),
                );
            }
        }
        assert!(
            session.next_request().is_none(),
            "{id}: the session asks for more"
        );
        assert_eq!(
            session.report().unwrap(),
            s(&case["expect"], "report"),
            "{id}"
        );
        assert_eq!(
            session.trust_store().map(TrustStore::to_json).as_deref(),
            case["expect"]["store"].as_str(),
            "{id}"
        );
    }
    for case in file["policies"].as_array().unwrap() {
        let with_store = case["with_store"].as_bool().unwrap();
        let got = ClientPolicy::from_json(s(case, "policy")).and_then(|p| {
            ClientSession::new(p, with_store.then(TrustStore::new), 0, &[0; 64]).map(|_| ())
        });
        assert_outcome(case, got);
    }
}

#[test]
fn evidence_logs() {
    use mcp_attest::evidence::{self, CheckpointReason, EvidenceWriter, LogVerifier};
    let file = read("evidence.json");
    let seed: [u8; 32] = encoding::hex_decode(s(&file, "server_seed_hex"))
        .unwrap()
        .try_into()
        .unwrap();
    let sk = SigningKey::from_bytes(&seed);
    let vk = sk.verifying_key();
    assert_eq!(
        encoding::hex_encode(vk.as_bytes()),
        s(&file, "server_public_key_hex")
    );
    assert_eq!(vk.to_did_key(), s(&file, "server_did"));

    for case in file["hashes"].as_array().unwrap() {
        assert_eq!(
            evidence::hash_json(s(case, "json")).unwrap(),
            s(case, "hash"),
            "{case}"
        );
    }

    let mut w = EvidenceWriter::new(SigningKey::from_bytes(&seed));
    let expected = file["writer"]["expect"]["ok"].as_array().unwrap();
    let script = file["writer"]["script"].as_array().unwrap();
    assert_eq!(script.len(), expected.len());
    for (step, want) in script.iter().zip(expected) {
        let now = step["now"].as_u64().unwrap();
        let line = if let Some(call) = step.get("call") {
            w.append_call_json(&call.to_string(), now).unwrap()
        } else {
            let reason = match s(step, "checkpoint") {
                "rotate" => CheckpointReason::Rotate,
                "close" => CheckpointReason::Close,
                "periodic" => CheckpointReason::Periodic,
                other => panic!("unknown checkpoint reason {other}"),
            };
            w.checkpoint(reason, now).unwrap()
        };
        assert_eq!(line, want.as_str().unwrap());
    }

    let mut w = EvidenceWriter::new(sk);
    for case in file["bad_calls"].as_array().unwrap() {
        assert_outcome(case, w.append_call_json(s(case, "call"), 0));
    }
    assert_eq!(w.next_seq(), 0, "a refused call appends nothing");

    let logs = file["logs"].as_array().unwrap();
    assert!(logs.len() >= 10);
    for case in logs {
        let mut v = LogVerifier::new(&vk);
        for line in case["lines"].as_array().unwrap() {
            v.push(line.as_str().unwrap());
        }
        let anchors: Vec<&str> = case["anchors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let mut got: Value = serde_json::from_str(&v.finish(&anchors).to_json()).unwrap();
        for p in got["problems"].as_array_mut().unwrap() {
            p.as_object_mut().unwrap().remove("message");
        }
        assert_eq!(got, case["expect"]["ok"], "{}", s(case, "id"));
    }
}

#[test]
fn caller_identity() {
    use mcp_attest::caller::{self, CallerVerifier, LevelBasis};
    use mcp_attest::trust::TrustStore;
    let file = read("caller.json");
    let seed: [u8; 32] = encoding::hex_decode(s(&file, "client_seed_hex"))
        .unwrap()
        .try_into()
        .unwrap();
    let client = SigningKey::from_bytes(&seed);
    assert_eq!(client.verifying_key().to_did_key(), s(&file, "client_did"));

    for case in file["levels"].as_array().unwrap() {
        let basis = LevelBasis {
            key_proven: case["key_proven"].as_bool().unwrap(),
            domain_proven: case["domain_proven"].as_bool().unwrap(),
            vouched: case["vouched"].as_u64().map(|v| u8::try_from(v).unwrap()),
        };
        assert_eq!(
            u64::from(caller::level(&basis)),
            case["expect"].as_u64().unwrap(),
            "{}",
            s(case, "id")
        );
    }
    for case in file["hashes"].as_array().unwrap() {
        if let Some(h) = assert_outcome(
            case,
            caller::request_hash(s(case, "method"), s(case, "params")),
        ) {
            assert_eq!(
                h,
                case["expect"]["ok"].as_str().unwrap(),
                "{}",
                s(case, "id")
            );
        }
    }
    let a = &file["attach"];
    let nonce: [u8; 16] = encoding::hex_decode(s(a, "nonce_hex"))
        .unwrap()
        .try_into()
        .unwrap();
    let got = caller::attach(
        &client,
        a["passport"].as_str(),
        s(a, "audience"),
        "tools/call",
        s(a, "params"),
        a["now"].as_u64().unwrap(),
        &nonce,
    )
    .unwrap();
    assert_eq!(got.params, s(&a["expect"]["ok"], "params"));
    assert_eq!(got.proof, s(&a["expect"]["ok"], "proof"));

    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 15);
    for case in cases {
        let store = TrustStore::from_json(s(case, "trust_store")).unwrap();
        let mut v = CallerVerifier::new(s(&file, "server_did"), 100, 10);
        v.set_trust(store.issuers().to_vec(), store.revocation_lists());
        for step in case["steps"].as_array().unwrap() {
            let got = v.identify(
                s(step, "method"),
                s(step, "params"),
                step["header"].as_str(),
                s(step, "client"),
                step["now"].as_u64().unwrap(),
            );
            let got = match got {
                Ok(None) => serde_json::json!({ "ok": null }),
                Ok(Some(c)) => {
                    serde_json::json!({ "ok": serde_json::from_str::<Value>(&c.to_json()).unwrap() })
                }
                Err(e) => serde_json::json!({ "error": e.code().as_str() }),
            };
            assert_eq!(got, step["expect"], "{}", s(case, "id"));
        }
    }
    for r in file["refusals"].as_array().unwrap() {
        let e = Error::with_message(
            ErrorCode::from_code(s(r, "error")).unwrap(),
            s(r, "message").to_string(),
        );
        let req = r["required"].as_u64().map(|v| u8::try_from(v).unwrap());
        let lvl = r["level"].as_u64().map(|v| u8::try_from(v).unwrap());
        assert_eq!(caller::refusal_json(&e, req, lvl), s(r, "expect"));
    }

    let parse = |t: &str| serde_json::from_str::<Value>(t).unwrap();
    for c in file["prepare"].as_array().unwrap() {
        let nonce: [u8; 16] = encoding::hex_decode(s(c, "nonce_hex"))
            .unwrap()
            .try_into()
            .unwrap();
        let key = c["key"].as_bool().unwrap().then_some(&client);
        let got = match caller::prepare_call(
            key,
            c["passport"].as_str(),
            s(c, "report"),
            s(c, "params"),
            c["now"].as_u64().unwrap(),
            &nonce,
        ) {
            Ok(None) => serde_json::json!({ "ok": null }),
            Ok(Some(a)) => serde_json::json!({ "ok": { "params": a.params, "proof": a.proof } }),
            Err(e) => serde_json::json!({ "error": e.code().as_str() }),
        };
        assert_eq!(got, c["expect"], "{}", s(c, "id"));
    }

    // The client's record of each call it made.
    for c in file["client_records"].as_array().unwrap() {
        let o = &c["outcome"];
        let (result, error) = (
            o.get("result").map(Value::to_string),
            o.get("error").map(Value::to_string),
        );
        let outcome = match (&result, &error, o.get("refused").and_then(Value::as_str)) {
            (Some(r), _, _) => caller::ClientOutcome::Result(r),
            (_, Some(e), _) => caller::ClientOutcome::Error(e),
            (_, _, Some(code)) => caller::ClientOutcome::RefusedLocally(code),
            _ => panic!("{}: no outcome", s(c, "id")),
        };
        let got = match caller::client_call_evidence(s(c, "report"), s(c, "params"), outcome) {
            Ok(record) => serde_json::json!({ "ok": record }),
            Err(e) => serde_json::json!({ "error": e.code().as_str() }),
        };
        assert_eq!(got, c["expect"], "{}", s(c, "id"));
    }

    // The server's gate, step by step, with its evidence.
    use mcp_attest::evidence::{self, EvidenceLog};
    use mcp_attest::gate::{self, Admission};
    use mcp_attest::server::{ServerOptions, ServerPresentation};
    let g = &file["gate"];
    let seed: [u8; 32] = encoding::hex_decode(s(&file, "server_seed_hex"))
        .unwrap()
        .try_into()
        .unwrap();
    let server = || SigningKey::from_bytes(&seed);
    let mut p =
        ServerPresentation::new(server(), ServerOptions::from_json(s(g, "options")).unwrap());
    let store = TrustStore::from_json(s(g, "trust_store")).unwrap();
    p.set_caller_trust(store.issuers().to_vec(), store.revocation_lists());
    let mut log = EvidenceLog::new(server(), u64::MAX);
    p.sign_tools_list(s(g, "list"), None, g["now"].as_u64().unwrap())
        .unwrap();
    let mut ticket = None;
    for st in g["steps"].as_array().unwrap() {
        let now = st["now"].as_u64().unwrap();
        let got = if let Some(a) = st.get("admit") {
            let out = p
                .admit_call(
                    s(a, "params"),
                    a["header"].as_str(),
                    s(a, "client"),
                    now,
                    Some(&mut log),
                )
                .unwrap();
            if let Admission::Run(t) = &out {
                ticket = Some(t.clone());
            }
            parse(&out.to_json())
        } else if let Some(sh) = st.get("shared") {
            let out = p
                .complete_admission(
                    ticket.as_ref().unwrap(),
                    sh["inserted"].as_bool().unwrap(),
                    now,
                    Some(&mut log),
                )
                .unwrap();
            parse(&out.to_json())
        } else {
            let c = &st["complete"];
            let result = c["result"].as_object().map(|_| c["result"].to_string());
            let code = c["error"]
                .as_object()
                .map(|_| gate::error_code_of(&c["error"].to_string()));
            let w = p
                .complete_call(
                    ticket.as_ref().unwrap(),
                    result.as_deref(),
                    code.as_deref(),
                    now,
                    Some(&mut log),
                )
                .unwrap();
            parse(&evidence::writes_value(&w).to_jcs())
        };
        assert_eq!(got, st["expect"], "{}", s(st, "description"));
    }
}

#[test]
fn interop_tokens() {
    use mcp_attest::interop;
    use mcp_attest::trust::TrustStore;
    let file = read("interop.json");
    let registry = mcp_attest::issuer::TrustedIssuer::from_jwks(
        s(&file, "registry_id"),
        s(&file, "registry_jwks"),
    )
    .unwrap();
    let now = file["now"].as_u64().unwrap();
    let json_of = |t: String| serde_json::from_str::<Value>(&t).unwrap();
    for c in file["ai_identity"].as_array().unwrap() {
        if let Some(p) = assert_outcome(
            c,
            interop::verify_ai_identity_passport(s(c, "token"), &registry, now),
        ) {
            assert_eq!(json_of(p.to_json()), c["expect"]["ok"], "{}", s(c, "id"));
        }
    }
    for c in file["ai_identity_find"].as_array().unwrap() {
        if let Some(p) = assert_outcome(
            c,
            interop::find_ai_identity_passport(s(c, "initialize_result")),
        ) {
            assert_eq!(serde_json::json!(p), c["expect"]["ok"], "{}", s(c, "id"));
        }
    }
    let cases = file["capiscio"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for c in cases {
        let store = TrustStore::from_json(s(c, "trust_store")).unwrap();
        let r = interop::verify_capiscio_badge(
            s(c, "token"),
            store.issuers(),
            c["audience"].as_str(),
            c["now"].as_u64().unwrap(),
        );
        if let Some(b) = assert_outcome(c, r) {
            assert_eq!(json_of(b.to_json()), c["expect"]["ok"], "{}", s(c, "id"));
        }
    }
}

//! `interop.json`: AI Identity passports and CapiscIO trust badges, made with fixed test keys
//! in those schemes' formats, with the verdict each runner must reach (spec §21).

use mcp_attest::interop;
use mcp_attest::issuer::TrustedIssuer;
use mcp_attest::json::{Object, Value as CoreValue};
use mcp_attest::trust::TrustStore;
use mcp_attest::{encoding, jws, SigningKey};
use serde_json::{json, Value};

use super::{seed, NOW};

const AII: &str = "https://aiidentity.org";
const CAPISCIO: &str = "https://registry.capisc.io";
const API: &str = "https://api.example.com";

fn core(v: &Value) -> Object {
    match mcp_attest::json::parse(&v.to_string()).unwrap() {
        CoreValue::Object(o) => o,
        _ => panic!("claims are an object"),
    }
}

fn sign(key: &SigningKey, typ: Option<&str>, kid: Option<&str>, claims: &Value) -> String {
    jws::sign(key, typ, kid, &core(claims))
}

fn aii_claims() -> Value {
    json!({
        "iss": AII, "sub": "aii_01HZX", "aud": "verifier", "iat": NOW - 100,
        "exp": NOW + 365 * 86_400, "tier": "creator_verified", "operator": "anon",
        "key_id": "k_2026", "capabilities": ["customer-support"],
        "surfaces": ["mcp://tools.example.com/mcp"]
    })
}

fn with(mut v: Value, k: &str, x: Value) -> Value {
    v[k] = x;
    v
}

fn badge(level: &str, ial: &str, subject: &SigningKey, iss: &str) -> Value {
    let mut b = json!({
        "jti": "7f4a7c15-badge", "iss": iss, "sub": subject.verifying_key().to_did_key(),
        "aud": [API], "iat": NOW - 10, "exp": NOW + 290, "ial": ial,
        "key": serde_json::from_str::<Value>(&subject.verifying_key().to_jwk()).unwrap(),
        "vc": {"type": ["VerifiableCredential", "AgentIdentity"],
               "credentialSubject": {"domain": "finance.example.com", "level": level}}
    });
    if ial == "1" {
        b["cnf"] = json!({ "kid": subject.verifying_key().to_did_key_url() });
    }
    b
}

fn expect<T>(r: mcp_attest::Result<T>, ok: impl FnOnce(T) -> String) -> Value {
    match r {
        Ok(v) => json!({ "ok": super::parse(&ok(v)) }),
        Err(e) => json!({ "error": e.code().as_str() }),
    }
}

pub(crate) fn interop() -> Value {
    let registry = SigningKey::from_bytes(&seed(70));
    let jwks = format!(
        r#"{{"keys":[{}]}}"#,
        registry
            .verifying_key()
            .to_jwk_value(Some("k_2026"))
            .to_jcs()
    );
    let reg_issuer = TrustedIssuer::from_jwks(AII, &jwks).unwrap();
    let stranger = SigningKey::from_bytes(&seed(73));
    let aii_cases: Vec<(&str, &str, String)> = vec![
        (
            "ok",
            "A creator-verified passport valid for a year (their normal lifetime).",
            sign(&registry, Some("JWT"), None, &aii_claims()),
        ),
        (
            "expired",
            "exp 61 s ago: past their 60 s skew.",
            sign(
                &registry,
                None,
                None,
                &with(aii_claims(), "exp", json!(NOW - 61)),
            ),
        ),
        (
            "wrong-audience",
            "aud is not their fixed \"verifier\".",
            sign(
                &registry,
                None,
                None,
                &with(aii_claims(), "aud", json!("someone")),
            ),
        ),
        (
            "unknown-tier",
            "A tier their spec does not define.",
            sign(
                &registry,
                None,
                None,
                &with(aii_claims(), "tier", json!("god_mode")),
            ),
        ),
        (
            "other-key",
            "Signed by a key not in the registry's JWKS.",
            sign(&stranger, None, None, &aii_claims()),
        ),
        (
            "other-issuer",
            "iss is not the registry the caller named.",
            sign(
                &registry,
                None,
                None,
                &with(aii_claims(), "iss", json!("https://evil.example")),
            ),
        ),
        (
            "our-passport-typ",
            "An mcp-passport+jwt is not an AI Identity passport.",
            sign(&registry, Some("mcp-passport+jwt"), None, &aii_claims()),
        ),
    ];
    let ai_identity: Vec<Value> = aii_cases
        .into_iter()
        .map(|(id, why, token)| {
            let e = expect(interop::verify_ai_identity_passport(&token, &reg_issuer, NOW), |p| p.to_json());
            json!({ "id": format!("interop/ai-identity/{id}"), "description": why, "token": token, "expect": e })
        })
        .collect();
    let finds: Vec<Value> = [
        ("meta", r#"{"_meta":{"x-ai-identity":{"id":"aii_01HZX","passport":"a.b.c","registry":"https://aiidentity.org"}},"serverInfo":{"name":"s","version":"1"}}"#),
        ("metadata", r#"{"metadata":{"x-ai-identity":{"passport":"d.e.f"}}}"#),
        ("absent", r#"{"serverInfo":{"name":"s","version":"1"}}"#),
        ("no-passport", r#"{"_meta":{"x-ai-identity":{"id":"aii_01HZX"}}}"#),
    ]
    .iter()
    .map(|(id, init)| {
        let e = match interop::find_ai_identity_passport(init) {
            Ok(p) => json!({ "ok": p }),
            Err(e) => json!({ "error": e.code().as_str() }),
        };
        json!({ "id": format!("interop/ai-identity-find/{id}"), "initialize_result": init, "expect": e })
    })
    .collect();

    let ca = SigningKey::from_bytes(&seed(71));
    let agent = SigningKey::from_bytes(&seed(72));
    let store = |max: u8| {
        let mut s = TrustStore::new();
        s.add_issuer(TrustedIssuer::new(CAPISCIO, ca.verifying_key()).with_max_level(max));
        s.to_json()
    };
    let ev4 = sign(
        &ca,
        Some("JWT"),
        Some("ca-key-2026"),
        &badge("4", "1", &agent, CAPISCIO),
    );
    let agent_did = agent.verifying_key().to_did_key();
    let self_signed = sign(
        &agent,
        Some("JWT"),
        None,
        &badge("0", "0", &agent, &agent_did),
    );
    let mut string_aud = badge("2", "0", &agent, CAPISCIO);
    string_aud["aud"] = json!(API);
    let mut numeric_level = badge("2", "0", &agent, CAPISCIO);
    numeric_level["vc"]["credentialSubject"]["level"] = json!(2);
    let mut did_web = badge("2", "1", &agent, CAPISCIO);
    did_web["cnf"] = json!({ "kid": "did:web:registry.capisc.io:agents:a#key-1" });
    let mut other_cnf = badge("2", "1", &agent, CAPISCIO);
    other_cnf["cnf"] = json!({ "kid": stranger.verifying_key().to_did_key_url() });
    let es256 = format!(
        "{}.{}",
        encoding::base64url_encode(br#"{"alg":"ES256","typ":"JWT"}"#),
        ev4.split_once('.').unwrap().1
    );
    // (id, description, token, trust store, the verifier's audience, now)
    type Case<'a> = (&'a str, &'a str, String, String, Option<&'a str>, u64);
    let capiscio_cases: Vec<Case<'_>> = vec![
        (
            "ev-capped",
            "Level \"4\" (Extended Validated) with ial \"1\"; the store allows the issuer 3.",
            ev4.clone(),
            store(3),
            Some(API),
            NOW,
        ),
        (
            "ev",
            "The same badge; the store allows the issuer 4.",
            ev4.clone(),
            store(4),
            Some(API),
            NOW,
        ),
        (
            "no-audience-given",
            "A verifier that names no audience does not check aud (it must still be an array).",
            ev4.clone(),
            store(4),
            None,
            NOW,
        ),
        (
            "self-signed",
            "Level \"0\": iss = sub = did:key, signed by that key; vouches for nothing.",
            self_signed,
            store(4),
            Some(API),
            NOW,
        ),
        (
            "string-aud",
            "aud as a string: RFC-002 requires an array.",
            sign(&ca, None, None, &string_aud),
            store(4),
            Some(API),
            NOW,
        ),
        (
            "numeric-level",
            "The level as a number: RFC-002 levels are strings.",
            sign(&ca, None, None, &numeric_level),
            store(4),
            Some(API),
            NOW,
        ),
        (
            "did-web-cnf",
            "ial \"1\" with a did:web cnf.kid: needs a resolver, refused offline.",
            sign(&ca, None, None, &did_web),
            store(4),
            Some(API),
            NOW,
        ),
        (
            "cnf-other-key",
            "cnf.kid names another key than the badge key.",
            sign(&ca, None, None, &other_cnf),
            store(4),
            Some(API),
            NOW,
        ),
        (
            "untrusted-issuer",
            "The issuer is not in the trust store.",
            ev4.clone(),
            TrustStore::new().to_json(),
            Some(API),
            NOW,
        ),
        (
            "other-audience",
            "The badge is for another API.",
            ev4.clone(),
            store(4),
            Some("https://other.example.com"),
            NOW,
        ),
        (
            "expired",
            "Presented after exp + 60 s (their badges live 5 minutes).",
            ev4,
            store(4),
            Some(API),
            NOW + 400,
        ),
        (
            "es256",
            "An ES256 badge (allowed by RFC-002): refused, the core has no ES256.",
            es256,
            store(4),
            Some(API),
            NOW,
        ),
    ];
    let capiscio: Vec<Value> = capiscio_cases
        .into_iter()
        .map(|(id, why, token, store_json, aud, now)| {
            let s = TrustStore::from_json(&store_json).unwrap();
            let e = expect(
                interop::verify_capiscio_badge(&token, s.issuers(), aud, now),
                |b| b.to_json(),
            );
            json!({ "id": format!("interop/capiscio/{id}"), "description": why, "token": token,
                    "trust_store": store_json, "audience": aud, "now": now, "expect": e })
        })
        .collect();

    json!({
        "description": "Verify-only readers of other schemes (spec §21). `ai_identity`: verify `token` under the registry `registry_id` with `registry_jwks` at `now`; `ai_identity_find`: the passport an initialize result carries; `capiscio`: verify `token` with the issuers of `trust_store`, the verifier's `audience` (null: none) at the case's `now`. Expect the JSON of the verified token, or an error code.",
        "now": NOW,
        "registry_id": AII,
        "registry_jwks": jwks,
        "ai_identity": ai_identity,
        "ai_identity_find": finds,
        "capiscio": capiscio,
    })
}

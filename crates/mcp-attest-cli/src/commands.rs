//! The commands: each reads its inputs, calls the core, and returns an [`Outcome`] (JSON and
//! text) or a [`Fail`].

// `serde_json::Value[&str]` is not slice indexing: reading a missing member gives `Null`,
// and the writes here are on objects this file built (or `Null`, which becomes an object).
#![allow(clippy::indexing_slicing)]

use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mcp_attest::issuer::TrustedIssuer;
use mcp_attest::passport::{self, IssueOptions, McpInfo};
use mcp_attest::revocation::RevocationList;
use mcp_attest::session::{ClientPolicy, ClientSession};
use mcp_attest::tool::{self, ManifestStatus, ToolSignatures};
use mcp_attest::{jws, records, SigningKey, VerifyingKey};
use serde_json::{json, Value};
use zeroize::Zeroizing;

use crate::keyio;
use crate::out::{Fail, Outcome, EXIT_REFUSED};
use crate::rpc::{Answer, StdioClient};
use crate::storeio;
use crate::{
    KeyFormat, KeygenArgs, PassportIssueArgs, PassportVerifyArgs, ToolSigs, ToolsSignArgs,
    ToolsVerifyArgs, VerifyArgs,
};

/// Largest input read from stdin or a file for `tools` and `passport`: the core's own
/// limits are smaller (4 MiB lists, 8 KiB tokens) and it refuses larger input with
/// `input_too_large`; this only stops an endless pipe from filling memory.
const MAX_INPUT: u64 = 8 << 20;

pub(crate) fn now_or(given: Option<u64>) -> u64 {
    given.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    })
}

/// Reads `-` (stdin) or a file, bounded.
pub(crate) fn read_input(spec: &str) -> Result<String, Fail> {
    let mut buf = Vec::new();
    let res = if spec == "-" {
        std::io::stdin().take(MAX_INPUT + 1).read_to_end(&mut buf)
    } else {
        std::fs::File::open(spec).and_then(|f| f.take(MAX_INPUT + 1).read_to_end(&mut buf))
    };
    res.map_err(|e| Fail::io(Path::new(spec), &e))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(Fail::refused(
            "input_too_large",
            format!("input larger than {MAX_INPUT} bytes"),
        ));
    }
    String::from_utf8(buf).map_err(|_| Fail::refused("invalid_utf8", "input is not UTF-8".into()))
}

/// The public facts of a key, as JSON and text (what keygen and key show print).
pub(crate) fn public_facts(
    vk: &VerifyingKey,
    domain: Option<&str>,
) -> Result<(Value, String), Fail> {
    let did = vk.to_did_key();
    let kid = vk.kid();
    let thumb = vk.jwk_thumbprint();
    let dns_value = records::dns_record(vk);
    let dns_name = match domain {
        Some(d) => records::dns_record_name(d).map_err(Fail::refused_core)?,
        None => "_mcp-identity.<your-domain>".to_owned(),
    };
    let registry = records::registry_record(vk);
    let jwk: Value = serde_json::from_str(&vk.to_jwk()).unwrap_or(Value::Null);
    let j = json!({
        "did": did,
        "kid": kid,
        "jwkThumbprint": thumb,
        "publicJwk": jwk,
        "dnsRecord": {"name": dns_name, "type": "TXT", "value": dns_value},
        "registryRecord": registry,
    });
    let mut h = String::new();
    let _ = writeln!(h, "did:key         {did}");
    let _ = writeln!(h, "kid             {kid}");
    let _ = writeln!(h, "JWK thumbprint  {thumb}");
    let _ = writeln!(h, "DNS TXT record  {dns_name}  \"{dns_value}\"");
    if domain.is_none() {
        let _ = writeln!(
            h,
            "                (pass --domain to print the full record name)"
        );
    }
    let _ = writeln!(h, "MCP Registry    {registry}");
    Ok((j, h))
}

/// The secret of `key` in `format`, in a wiped buffer (keygen and rotate write it).
pub(crate) fn secret_text(key: &SigningKey, format: KeyFormat) -> Result<Zeroizing<String>, Fail> {
    Ok(match format {
        KeyFormat::Pem => key.to_pkcs8_pem().map_err(Fail::cannot_core)?,
        KeyFormat::Jwk => {
            let mut s = key.to_jwk();
            s.push('\n');
            s
        }
        KeyFormat::Env => {
            // Built in a wiped buffer; the PEM's characters need no escaping but newlines.
            let pem = key.to_pkcs8_pem().map_err(Fail::cannot_core)?;
            let mut s = Zeroizing::new(String::with_capacity(pem.len() + 48));
            s.push_str("MCP_ATTEST_PRIVATE_KEY_PEM=\"");
            for c in pem.trim_end().chars() {
                if c == '\n' {
                    s.push_str("\\n");
                } else {
                    s.push(c);
                }
            }
            s.push_str("\"\n");
            s
        }
    })
}

pub(crate) fn keygen(a: &KeygenArgs, as_json: bool) -> Result<Outcome, Fail> {
    // Checks first, so no key is generated for a file that will not be written.
    if let Some(path) = &a.out {
        if !a.force && path.exists() {
            return Err(keyio::exists(path));
        }
        keyio::check_secret_dir(path)?;
    }
    let key = SigningKey::generate().map_err(Fail::cannot_core)?;
    let secret = secret_text(&key, a.format)?;
    if let Some(path) = &a.out {
        keyio::write_private(path, secret.as_bytes(), a.force)?;
    }
    let (mut j, mut h) = public_facts(&key.verifying_key(), a.domain.as_deref())?;
    if let Some(path) = &a.out {
        j["file"] = json!(path.display().to_string());
        h = format!("wrote {} (mode 0600)\n{h}", path.display());
    }
    if !a.stdout {
        return Ok(Outcome::ok(j, h));
    }
    // The one place a secret is printed, asked for with --stdout. Built in wiped buffers:
    // a serde_json value or a plain String would leave a copy of the secret behind.
    let mut o = Outcome::ok(j, String::new());
    if as_json {
        let facts = o.json.to_string();
        let mut text = Zeroizing::new(String::with_capacity(facts.len() + secret.len() + 32));
        text.push_str(facts.strip_suffix('}').unwrap_or(&facts));
        text.push_str(",\"privateKey\":\"");
        for c in secret.chars() {
            match c {
                '"' => text.push_str("\\\""),
                '\\' => text.push_str("\\\\"),
                '\n' => text.push_str("\\n"),
                c => text.push(c),
            }
        }
        text.push_str("\"}");
        o.json_text = Some(text);
    } else {
        // Text mode: the secret alone on stdout, the facts on stderr.
        eprint!("{h}");
        o.human.push_str(&secret);
    }
    Ok(o)
}

pub(crate) fn key_show(spec: &str, domain: Option<&str>) -> Result<Outcome, Fail> {
    let vk = keyio::load_verifying_key(spec)?;
    let (j, h) = public_facts(&vk, domain)?;
    Ok(Outcome::ok(j, h))
}

pub(crate) fn passport_issue(a: &PassportIssueArgs) -> Result<Outcome, Fail> {
    let server = keyio::load_signing_key(&a.key)?;
    let mcp = McpInfo {
        name: a.name.clone(),
        version: a.version.clone(),
        endpoints: a.endpoint.clone(),
        tools_hash: None,
    };
    let now = now_or(a.now);
    let opts = IssueOptions {
        now,
        ttl: a.ttl,
        audience: a.audience.as_deref(),
        jti: a.jti.as_deref(),
        not_before: None,
    };
    let vk = server.verifying_key();
    let token = match (&a.issuer_key, &a.issuer_id) {
        (Some(ik), Some(id)) => {
            let issuer = keyio::load_signing_key(ik)?;
            let ivk = issuer.verifying_key();
            passport::issue(&issuer, id, Some(&ivk.kid()), &vk, &mcp, &opts)
        }
        _ => passport::issue_self(&server, &mcp, &opts),
    };
    let j = json!({
        "token": token,
        "subject": vk.to_did_key(),
        "issuer": a.issuer_id.clone().unwrap_or_else(|| vk.to_did_key()),
        "issuedAt": now,
        "expiresAt": now.saturating_add(a.ttl),
    });
    Ok(Outcome::ok(j, token))
}

/// A core object as serde JSON (through its canonical text).
fn to_serde(o: &mcp_attest::json::Object) -> Value {
    serde_json::from_str(&mcp_attest::json::Value::Object(o.clone()).to_jcs())
        .unwrap_or(Value::Null)
}

pub(crate) fn passport_inspect(token: &str) -> Result<Outcome, Fail> {
    let text = if token == "-" {
        read_input("-")?
    } else {
        token.to_owned()
    };
    let parsed = jws::parse(text.trim(), jws::MAX_TOKEN_BYTES).map_err(Fail::refused_core)?;
    let header = to_serde(parsed.header());
    let claims = to_serde(parsed.unverified_claims());
    let j = json!({
        "verified": false,
        "signature": "NOT checked",
        "header": header,
        "claims": claims,
    });
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let h = format!(
        "UNVERIFIED: decoded only, signature NOT checked; do not trust these claims \
         (use `passport verify`).\nheader: {}\nclaims: {}\n",
        pretty(&header),
        pretty(&claims)
    );
    Ok(Outcome::ok(j, h))
}

/// `ID=JWKS_FILE` or a did:key.
pub(crate) fn parse_issuer(spec: &str) -> Result<TrustedIssuer, Fail> {
    if spec.starts_with("did:key:") {
        return TrustedIssuer::from_did_key(spec).map_err(Fail::cannot_core);
    }
    let (id, file) = spec.split_once('=').ok_or_else(|| {
        Fail::cannot(
            "invalid_argument",
            format!("--issuer is ID=JWKS_FILE or a did:key, not {spec:?}"),
        )
    })?;
    let jwks = keyio::read_file_text(Path::new(file))?;
    TrustedIssuer::from_jwks(id, &jwks).map_err(Fail::cannot_core)
}

pub(crate) fn passport_verify(a: &PassportVerifyArgs) -> Result<Outcome, Fail> {
    let token = if a.token == "-" {
        read_input("-")?
    } else {
        a.token.clone()
    };
    let now = now_or(a.now);
    let issuers = a
        .issuer
        .iter()
        .map(|s| parse_issuer(s))
        .collect::<Result<Vec<_>, _>>()?;
    let mut revocations = Vec::new();
    for path in &a.revocations {
        let text = keyio::read_file_text(path)?;
        revocations.push(
            RevocationList::verify(text.trim(), &issuers, Some(now)).map_err(Fail::cannot_core)?,
        );
    }
    let opts = passport::VerifyOptions {
        now,
        audience: a.audience.as_deref(),
        issuers: &issuers,
        allow_self_issued: a.allow_self_issued.then_some(true),
        revocations: &revocations,
        ..passport::VerifyOptions::default()
    };
    let p = passport::verify(token.trim(), &opts).map_err(Fail::refused_core)?;
    let mcp = p
        .mcp
        .as_ref()
        .map(|m| json!({"name": m.name, "version": m.version, "endpoints": m.endpoints}));
    let j = json!({
        "verified": true,
        "issuer": p.issuer,
        "subject": p.subject,
        "selfIssued": p.self_issued,
        "audience": p.audience,
        "issuedAt": p.issued_at,
        "expiresAt": p.expires_at,
        "jti": p.jti,
        "mcp": mcp,
    });
    let mut h = String::new();
    let _ = writeln!(h, "verified passport");
    let _ = writeln!(
        h,
        "issuer   {}{}",
        p.issuer,
        if p.self_issued { " (self-issued)" } else { "" }
    );
    let _ = writeln!(h, "subject  {}", p.subject);
    if let Some(m) = &p.mcp {
        let _ = writeln!(
            h,
            "server   {} {}",
            m.name,
            m.version.as_deref().unwrap_or("")
        );
    }
    let _ = writeln!(
        h,
        "expires  {}",
        mcp_attest::time::format_rfc3339(p.expires_at)
    );
    Ok(Outcome::ok(j, h))
}

pub(crate) fn tools_sign(a: &ToolsSignArgs) -> Result<Outcome, Fail> {
    let key = keyio::load_signing_key(&a.key)?;
    let input = read_input(&a.input)?;
    // A bare array is wrapped as a tools/list result, so CI can sign the tools it declares.
    let result = if input.trim_start().starts_with('[') {
        format!("{{\"tools\":{input}}}")
    } else {
        input
    };
    let opts = tool::SignOptions {
        now: now_or(a.now),
        ttl: a.ttl,
        audience: a.audience.as_deref(),
        kid: None,
    };
    let signed = tool::sign_tools_list(&key, &result, &opts).map_err(Fail::refused_core)?;
    let j: Value = serde_json::from_str(&signed).unwrap_or(Value::Null);
    Ok(Outcome::ok(j, signed))
}

pub(crate) fn tools_verify(a: &ToolsVerifyArgs) -> Result<Outcome, Fail> {
    let key = keyio::load_verifying_key(&a.key)?;
    let input = read_input(&a.input)?;
    let opts = tool::VerifyOptions {
        now: now_or(a.now),
        leeway: jws::DEFAULT_LEEWAY,
        audience: a.audience.as_deref(),
        kid: None,
        require_manifest: true,
        tool_signatures: match a.tool_signatures {
            ToolSigs::IfNoManifest => ToolSignatures::IfNoManifest,
            ToolSigs::Always => ToolSignatures::Always,
        },
        revocations: &[],
        max_bytes: tool::DEFAULT_MAX_LIST_BYTES,
    };
    let report = tool::verify_tools_list(&input, &key, &opts).map_err(Fail::refused_core)?;
    let mut j: Value = serde_json::from_str(&report.to_json()).unwrap_or(Value::Null);
    let ok = report.is_fully_verified();
    // The first reason, for scripts: the manifest's, else the first refused tool's.
    let code = match &report.manifest {
        ManifestStatus::Invalid(e) => Some(e.code().as_str()),
        ManifestStatus::Absent => Some("missing_manifest"),
        _ => None,
    }
    .or_else(|| {
        report
            .tools
            .iter()
            .find_map(|t| t.error.as_ref().map(|e| e.code().as_str()))
    });
    j["verified"] = json!(ok);
    j["code"] = if ok { Value::Null } else { json!(code) };
    let mut h = String::new();
    let _ = writeln!(
        h,
        "{} (key {})",
        if ok { "verified" } else { "REFUSED" },
        key.to_did_key()
    );
    let _ = writeln!(h, "manifest  {}", report.manifest.as_str());
    if let ManifestStatus::Invalid(e) = &report.manifest {
        let _ = writeln!(h, "          {}: {}", e.code().as_str(), e.message());
    }
    for t in &report.tools {
        let _ = write!(
            h,
            "tool {:<20} {}",
            t.name.as_deref().unwrap_or("?"),
            t.status.as_str()
        );
        if let Some(e) = &t.error {
            let _ = write!(h, "  {}: {}", e.code().as_str(), e.message());
        }
        h.push('\n');
    }
    if !ok {
        let _ = writeln!(h, "code: {}", code.unwrap_or("unverified"));
    }
    Ok(Outcome {
        json: j,
        json_text: None,
        human: Zeroizing::new(h),
        exit: if ok { 0 } else { EXIT_REFUSED },
    })
}

pub(crate) fn verify(a: &VerifyArgs) -> Result<Outcome, Fail> {
    let url = a
        .url
        .as_deref()
        .map(|u| crate::http::parse_url(u, a.insecure_http))
        .transpose()?;
    let server_id = a.server_id.clone().unwrap_or_else(|| match &url {
        Some(u) => u.canonical.clone(),
        None => format!("stdio:{}", a.command.join(" ")),
    });
    let store = a.trust_store.as_deref().map(storeio::load).transpose()?;
    let policy = ClientPolicy {
        server_id: Some(server_id.clone()),
        expected_key: a
            .expected_key
            .as_deref()
            .map(VerifyingKey::from_did_key)
            .transpose()
            .map_err(Fail::cannot_core)?,
        audience: a.audience.clone(),
        domain: a.domain.clone(),
        ..ClientPolicy::default()
    };
    if let Some(d) = &a.domain {
        // The core's check, so a bad name is refused before any server is started.
        mcp_attest::records::dns_record_name(d).map_err(Fail::cannot_core)?;
    }
    let mut random = Zeroizing::new([0u8; 64]);
    getrandom::getrandom(random.as_mut())
        .map_err(|e| Fail::cannot("no_randomness", e.to_string()))?;
    let mut session =
        ClientSession::new(policy, store, now_or(None), &random).map_err(Fail::cannot_core)?;

    let timeout = Duration::from_secs(a.timeout);
    let mut client: Box<dyn crate::transport::Transport> = match &url {
        Some(u) => Box::new(crate::http::HttpClient::new(u, timeout)),
        None => Box::new(StdioClient::spawn(&a.command, timeout)?),
    };
    let server_info = client.initialize()?;
    while let Some(req) = session.next_request() {
        let params: Value = serde_json::from_str(&req.params).unwrap_or(json!({}));
        if req.method == mcp_attest::session::METHOD_DNS_TXT {
            // Answered here, never sent to the server (spec §15.2 step 6a).
            let name = params["name"].as_str().unwrap_or_default();
            match crate::dns::lookup_txt_with(name, a.resolver.as_deref(), a.timeout.min(60)) {
                Ok(records) => session.receive_result(&json!({ "records": records }).to_string()),
                Err(f) => session.receive_error(-32603, &f.message, None),
            }
            continue;
        }
        match client.request(req.method, params)? {
            Answer::Result(r) => session.receive_result(&r.to_string()),
            Answer::Error(code, message, data) => {
                let data = data.map(|d| d.to_string());
                session.receive_error(code, &message, data.as_deref());
            }
        }
    }
    drop(client);
    let report_text = session
        .report()
        .ok_or_else(|| Fail::cannot("internal_error", "the session made no report".into()))?
        .to_owned();
    if let (Some(path), Some(store)) = (&a.trust_store, session.trust_store()) {
        storeio::save(path, store)?;
    }
    let report: Value = serde_json::from_str(&report_text).unwrap_or(Value::Null);
    let verified = report.get("verified") == Some(&Value::Bool(true));
    Ok(Outcome {
        human: Zeroizing::new(render_report(&report, &server_id, &server_info)),
        json: report,
        json_text: Some(Zeroizing::new(report_text)),
        exit: if verified { 0 } else { EXIT_REFUSED },
    })
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("-")
}

/// The report as text: the verdict, the key, pin and challenge, each tool, what changed.
fn render_report(r: &Value, server_id: &str, info: &Value) -> String {
    let mut h = String::new();
    let verified = r["verified"] == Value::Bool(true);
    let _ = writeln!(
        h,
        "{}  {}",
        if verified { "VERIFIED" } else { "REFUSED" },
        server_id
    );
    if !verified {
        let _ = writeln!(h, "code       {}", s(&r["code"]));
        let _ = writeln!(h, "message    {}", s(&r["message"]));
    }
    if let Some(name) = info.get("name").and_then(Value::as_str) {
        let _ = writeln!(
            h,
            "server     {name} {}",
            info.get("version").and_then(Value::as_str).unwrap_or("")
        );
    }
    let _ = writeln!(h, "did        {}", s(&r["server"]["did"]));
    if let Some(p) = r["passport"].as_object() {
        let _ = writeln!(
            h,
            "passport   {}{}",
            p.get("issuer").map_or("-", s),
            if p.get("selfIssued") == Some(&Value::Bool(true)) {
                " (self-issued)"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(h, "pin        {}", s(&r["pin"]));
    let _ = writeln!(h, "challenge  {}", s(&r["challenge"]));
    for t in r["tools"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let _ = write!(h, "tool       {:<20} {}", s(&t["name"]), s(&t["status"]));
        if let Some(c) = t["code"].as_str() {
            let _ = write!(h, "  {c}");
        }
        if let Some(f) = t["changedFields"].as_array().filter(|f| !f.is_empty()) {
            let names: Vec<&str> = f.iter().map(s).collect();
            let _ = write!(h, "  changed: {}", names.join(", "));
        }
        h.push('\n');
    }
    if let Some(c) = r["changes"].as_object() {
        let list = |k: &str| -> String {
            c.get(k)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|v| v.as_str().or_else(|| v["name"].as_str()).unwrap_or("?"))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
        };
        let (added, removed, changed) = (list("added"), list("removed"), list("changed"));
        if added.is_empty() && removed.is_empty() && changed.is_empty() {
            let _ = writeln!(h, "changes    none since last accepted");
        } else {
            let _ = writeln!(
                h,
                "changes    added [{added}] removed [{removed}] changed [{changed}]"
            );
        }
    }
    h
}

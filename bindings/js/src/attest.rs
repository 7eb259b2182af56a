//! Glue for caller identity (spec §20) and evidence logs (§19). JSON text in, JSON text out;
//! every decision is the core's.

use mcp_attest::caller::{self, CallerVerifier, LevelBasis};
use mcp_attest::evidence::{self, EvidenceLog, LogVerifier, Write};
use mcp_attest::interop;
use mcp_attest::json::{Object, Value};
use mcp_attest::{Error, ErrorCode};
use wasm_bindgen::prelude::*;

use crate::error::{err, js, JsResult};
use crate::glue::{secs, KeyInner, WasmSigningKey, WasmTrustStore, WasmVerifyingKey};

fn nonce16(random: &[u8]) -> JsResult<[u8; 16]> {
    random.try_into().map_err(|_| {
        err(
            ErrorCode::InvalidClaim,
            "a caller proof needs 16 random bytes",
        )
    })
}

fn level_byte(level: Option<f64>) -> Option<u8> {
    // Levels are 0–4; anything else from JS is treated as the nearest bound, never wrapped.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::as_conversions
    )]
    level.map(|l| {
        if l.is_finite() {
            l.clamp(0.0, 255.0) as u8
        } else {
            0
        }
    })
}

/// `{"params", "proof"}`.
#[wasm_bindgen(js_name = callerAttach)]
pub fn caller_attach(
    key: &WasmSigningKey,
    passport: Option<String>,
    audience: &str,
    method: &str,
    params_json: &str,
    now: f64,
    random: &[u8],
) -> JsResult<String> {
    let a = js(caller::attach(
        &key.0,
        passport.as_deref(),
        audience,
        method,
        params_json,
        secs(now)?,
        &nonce16(random)?,
    ))?;
    let mut o = Object::new();
    o.insert("params", Value::from(a.params));
    o.insert("proof", Value::from(a.proof));
    Ok(Value::Object(o).to_jcs())
}

/// A `caller::CallerContext` with the caller's key (or none): built once per report, so a
/// call costs its proof, not a parse of the report.
#[wasm_bindgen]
pub struct WasmCallerContext {
    key: Option<KeyInner>,
    ctx: caller::CallerContext,
}

#[wasm_bindgen]
impl WasmCallerContext {
    /// Without a key: anonymous calls, still refused here when the report says they need a level.
    #[wasm_bindgen(constructor)]
    pub fn new(report_json: &str) -> JsResult<WasmCallerContext> {
        Ok(WasmCallerContext {
            key: None,
            ctx: js(caller::CallerContext::new(report_json, false, None))?,
        })
    }
    #[wasm_bindgen(js_name = withKey)]
    pub fn with_key(
        key: &WasmSigningKey,
        passport: Option<String>,
        report_json: &str,
    ) -> JsResult<WasmCallerContext> {
        Ok(WasmCallerContext {
            key: Some(key.0.duplicate()),
            ctx: js(caller::CallerContext::new(
                report_json,
                true,
                passport.as_deref(),
            ))?,
        })
    }
    /// `{"params", "proof"}`, or `{}` without a key (the params go out unchanged).
    pub fn prepare(&self, params_json: &str, now: f64, random: &[u8]) -> JsResult<String> {
        let a = js(self.ctx.prepare(
            self.key.as_ref(),
            params_json,
            secs(now)?,
            &nonce16(random)?,
        ))?;
        let mut o = Object::new();
        if let Some(a) = a {
            o.insert("params", Value::from(a.params));
            o.insert("proof", Value::from(a.proof));
        }
        Ok(Value::Object(o).to_jcs())
    }
}

/// `caller::client_call_evidence`: exactly one of `result_json`, `error_json`, `refused`.
#[wasm_bindgen(js_name = clientCallEvidence)]
pub fn client_call_evidence(
    report_json: &str,
    params_json: &str,
    result_json: Option<String>,
    error_json: Option<String>,
    refused: Option<String>,
) -> JsResult<String> {
    let outcome = match (&result_json, &error_json, &refused) {
        (Some(r), None, None) => caller::ClientOutcome::Result(r),
        (None, Some(e), None) => caller::ClientOutcome::Error(e),
        (None, None, Some(c)) => caller::ClientOutcome::RefusedLocally(c),
        _ => {
            return Err(err(
                ErrorCode::MalformedEvidence,
                "a call ends with a result, an error or a local refusal",
            ))
        }
    };
    js(caller::client_call_evidence(
        report_json,
        params_json,
        outcome,
    ))
}

#[wasm_bindgen(js_name = callerRequestHash)]
pub fn caller_request_hash(method: &str, params_json: &str) -> JsResult<String> {
    js(caller::request_hash(method, params_json))
}

#[wasm_bindgen(js_name = trustLevel)]
pub fn trust_level(key_proven: bool, domain_proven: bool, vouched: Option<f64>) -> u8 {
    caller::level(&LevelBasis {
        key_proven,
        domain_proven,
        vouched: level_byte(vouched),
    })
}

/// The JSON-RPC error object refusing a call (`caller::refusal_json`); `code` is a contract
/// code, `message` the error's message.
#[wasm_bindgen(js_name = callerRefusal)]
pub fn caller_refusal(
    code: &str,
    message: &str,
    required: Option<f64>,
    level: Option<f64>,
) -> JsResult<String> {
    let c = ErrorCode::from_code(code)
        .ok_or_else(|| err(ErrorCode::InvalidPolicy, "unknown error code"))?;
    Ok(caller::refusal_json(
        &Error::with_message(c, String::from(message)),
        level_byte(required),
        level_byte(level),
    ))
}

/// Throws `insufficient_trust_level` when `level` < `required`.
#[wasm_bindgen(js_name = callerGuard)]
pub fn caller_guard(required: f64, level: f64) -> JsResult<()> {
    js(caller::guard_level(
        level_byte(Some(required)).unwrap_or(u8::MAX),
        level_byte(Some(level)).unwrap_or(0),
    ))
}

#[wasm_bindgen]
pub struct WasmCallerVerifier(CallerVerifier);

#[wasm_bindgen]
impl WasmCallerVerifier {
    #[wasm_bindgen(constructor)]
    /// `capacity`, `client_quota`: absent for the core's defaults.
    pub fn new(
        audience: &str,
        capacity: Option<u32>,
        client_quota: Option<u32>,
        store: Option<WasmTrustStore>,
    ) -> WasmCallerVerifier {
        let mut v = CallerVerifier::new(
            audience,
            capacity.map_or(caller::DEFAULT_CACHE_CAPACITY, |c| c as usize),
            client_quota.map_or(caller::DEFAULT_CLIENT_QUOTA, |c| c as usize),
        );
        if let Some(s) = store {
            v.set_trust(s.0.issuers().to_vec(), s.0.revocation_lists());
        }
        WasmCallerVerifier(v)
    }
    /// `null` (anonymous) or `{"did", "issuer", "level"}`; throws when a proof fails.
    pub fn identify(
        &mut self,
        method: &str,
        params_json: &str,
        header: Option<String>,
        client: &str,
        now: f64,
    ) -> JsResult<Option<String>> {
        Ok(js(self
            .0
            .identify(method, params_json, header.as_deref(), client, secs(now)?))?
        .map(|c| c.to_json()))
    }
}

fn writes_json(writes: &[Write]) -> String {
    Value::Array(writes.iter().map(write_value).collect()).to_jcs()
}

fn write_value(w: &Write) -> Value {
    let mut o = Object::new();
    o.insert("file", Value::from_u64(w.file));
    o.insert("line", Value::from(w.line.as_str()));
    Value::Object(o)
}

fn max_bytes(n: Option<f64>) -> JsResult<u64> {
    n.map_or(Ok(evidence::DEFAULT_MAX_FILE_BYTES), u64_of)
}

fn u64_of(n: f64) -> JsResult<u64> {
    secs(n).map_err(|_| {
        err(
            ErrorCode::InvalidPolicy,
            "a count must be a non-negative integer",
        )
    })
}

#[wasm_bindgen]
pub struct WasmEvidenceLog(pub(crate) EvidenceLog<KeyInner>);

#[wasm_bindgen]
impl WasmEvidenceLog {
    /// `max_file_bytes`: absent for the core's default rotation size.
    #[wasm_bindgen(constructor)]
    pub fn new(key: &WasmSigningKey, max_file_bytes: Option<f64>) -> JsResult<WasmEvidenceLog> {
        Ok(WasmEvidenceLog(EvidenceLog::new(
            key.0.duplicate(),
            max_bytes(max_file_bytes)?,
        )))
    }
    /// Continues a file-backed log from its newest file's text (and the previous file's, when
    /// the newest is empty): `EvidenceLog::resume_files`.
    #[wasm_bindgen(js_name = resumeFiles)]
    pub fn resume_files(
        key: &WasmSigningKey,
        max_file_bytes: Option<f64>,
        newest_index: f64,
        newest_text: &str,
        previous_text: Option<String>,
    ) -> JsResult<WasmEvidenceLog> {
        js(EvidenceLog::resume_files(
            key.0.duplicate(),
            max_bytes(max_file_bytes)?,
            u64_of(newest_index)?,
            newest_text,
            previous_text.as_deref(),
        ))
        .map(WasmEvidenceLog)
    }
    pub fn resume(
        key: &WasmSigningKey,
        max_file_bytes: Option<f64>,
        last_line: &str,
        file: f64,
        file_bytes: f64,
    ) -> JsResult<WasmEvidenceLog> {
        js(EvidenceLog::resume(
            key.0.duplicate(),
            max_bytes(max_file_bytes)?,
            last_line,
            u64_of(file)?,
            u64_of(file_bytes)?,
        ))
        .map(WasmEvidenceLog)
    }
    /// `[{"file", "line"}, …]`.
    #[wasm_bindgen(js_name = appendCall)]
    pub fn append_call(&mut self, call_json: &str, now: f64) -> JsResult<String> {
        Ok(writes_json(&js(self
            .0
            .append_call_json(call_json, secs(now)?))?))
    }
    pub fn checkpoint(&mut self, now: f64) -> JsResult<String> {
        Ok(write_value(&js(self.0.checkpoint(secs(now)?))?).to_jcs())
    }
    pub fn close(&mut self, now: f64) -> JsResult<String> {
        Ok(write_value(&js(self.0.close(secs(now)?))?).to_jcs())
    }
    #[wasm_bindgen(js_name = serverDid)]
    pub fn server_did(&self) -> String {
        String::from(self.0.writer().server_did())
    }
    #[wasm_bindgen(js_name = nextSeq)]
    pub fn next_seq(&self) -> f64 {
        #[allow(clippy::cast_precision_loss, clippy::as_conversions)]
        let n = self.0.writer().next_seq() as f64;
        n
    }
    pub fn file(&self) -> f64 {
        #[allow(clippy::cast_precision_loss, clippy::as_conversions)]
        let n = self.0.file() as f64;
        n
    }
}

#[wasm_bindgen]
pub struct WasmLogVerifier(LogVerifier);

#[wasm_bindgen]
impl WasmLogVerifier {
    #[wasm_bindgen(constructor)]
    pub fn new(key: &WasmVerifyingKey) -> WasmLogVerifier {
        WasmLogVerifier(LogVerifier::new(&key.0))
    }
    pub fn push(&mut self, line: &str) {
        self.0.push(line);
    }
    /// Consumes the verifier: the report JSON.
    pub fn finish(self, anchors: Vec<String>) -> String {
        let anchors: Vec<&str> = anchors.iter().map(String::as_str).collect();
        self.0.finish(&anchors).to_json()
    }
}

#[wasm_bindgen(js_name = evidenceHashJson)]
pub fn evidence_hash_json(text: &str) -> JsResult<String> {
    js(evidence::hash_json(text))
}

#[wasm_bindgen(js_name = evidenceFileName)]
pub fn evidence_file_name(prefix: &str, index: f64) -> JsResult<String> {
    Ok(evidence::file_name(prefix, u64_of(index)?))
}

/// The file's index, or -1 for a name that is not one of the log's files.
#[wasm_bindgen(js_name = evidenceFileIndex)]
pub fn evidence_file_index(prefix: &str, name: &str) -> f64 {
    #[allow(clippy::cast_precision_loss, clippy::as_conversions)]
    evidence::file_index(prefix, name).map_or(-1.0, |i| i as f64)
}

/// `{"issuer", "subject", "tier", …}` of a verified AI Identity passport (spec §21).
#[wasm_bindgen(js_name = verifyAiIdentityPassport)]
pub fn verify_ai_identity_passport(
    token: &str,
    registry_id: &str,
    jwks: &str,
    now: f64,
) -> JsResult<String> {
    let registry = js(mcp_attest::issuer::TrustedIssuer::from_jwks(
        registry_id,
        jwks,
    ))?;
    js(interop::verify_ai_identity_passport(
        token,
        &registry,
        secs(now)?,
    ))
    .map(|p| p.to_json())
}

#[wasm_bindgen(js_name = findAiIdentityPassport)]
pub fn find_ai_identity_passport(initialize_result: &str) -> JsResult<Option<String>> {
    js(interop::find_ai_identity_passport(initialize_result))
}

/// `{"issuer", "subject", "level", "vouched", …}` of a verified CapiscIO badge (spec §21);
/// issuers (with their `maxLevel`) from the trust store.
#[wasm_bindgen(js_name = verifyCapiscioBadge)]
pub fn verify_capiscio_badge(
    token: &str,
    store: &WasmTrustStore,
    audience: Option<String>,
    now: f64,
) -> JsResult<String> {
    js(interop::verify_capiscio_badge(
        token,
        store.0.issuers(),
        audience.as_deref(),
        secs(now)?,
    ))
    .map(|b| b.to_json())
}

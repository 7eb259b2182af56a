//! Glue for the session engine: the client's trust decision and the server's presentation.
//! JSON text in, JSON text out; every decision is the core's.

use mcp_attest::json::{Object, Value};
use mcp_attest::server::{ServerOptions, ServerPresentation};
use mcp_attest::session::{ClientPolicy, ClientSession};
use mcp_attest::ErrorCode;
use wasm_bindgen::prelude::*;

use crate::attest::WasmEvidenceLog;
use crate::error::{err, js, JsResult};
use crate::glue::{secs, KeyInner, WasmSigningKey, WasmTrustStore};
use mcp_attest::evidence::{self, EvidenceLog};
use mcp_attest::gate::{self, Ticket};

#[wasm_bindgen]
pub struct WasmClientSession(ClientSession);

#[wasm_bindgen]
impl WasmClientSession {
    /// `store`: the caller's trust store, copied in (write it back with `saveStore`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        policy_json: &str,
        store: Option<WasmTrustStore>,
        now: f64,
        random: &[u8],
    ) -> JsResult<WasmClientSession> {
        let random: [u8; 64] = random
            .try_into()
            .map_err(|_| err(ErrorCode::InvalidPolicy, "a session needs 64 random bytes"))?;
        let policy = js(ClientPolicy::from_json(policy_json))?;
        js(ClientSession::new(
            policy,
            store.map(|s| s.0),
            secs(now)?,
            &random,
        ))
        .map(WasmClientSession)
    }
    /// `{"method", "params"}` (params a JSON object) or `null` when the report is ready.
    #[wasm_bindgen(js_name = nextRequest)]
    pub fn next_request(&self) -> Option<String> {
        self.0.next_request().map(|r| {
            let mut o = Object::new();
            o.insert("method", Value::from(r.method));
            o.insert("params", Value::from(r.params));
            Value::Object(o).to_jcs()
        })
    }
    /// `result_json`: the JSON text as UTF-8 bytes. wasm-bindgen copies a string into wasm
    /// memory in a JS loop, a character at a time while they are ASCII (about 0.25 ms for a
    /// 100-tool list); bytes are one copy. Bytes that are not UTF-8 (`TextEncoder` never
    /// writes them) are no JSON text: the empty text stands for them.
    #[wasm_bindgen(js_name = receiveResult)]
    pub fn receive_result(&mut self, result_json: &[u8]) {
        self.0
            .receive_result(core::str::from_utf8(result_json).unwrap_or_default());
    }
    #[wasm_bindgen(js_name = receiveError)]
    pub fn receive_error(&mut self, code: f64, message: &str, data_json: Option<String>) {
        // A code that is not a whole number is no JSON-RPC code: decided on data alone.
        #[allow(clippy::cast_possible_truncation, clippy::as_conversions)]
        let code = if code.is_finite() && code.fract() == 0.0 && code.abs() < 9.0e15 {
            code as i64
        } else {
            0
        };
        self.0.receive_error(code, message, data_json.as_deref());
    }
    pub fn report(&self) -> Option<String> {
        self.0.report().map(String::from)
    }
    /// The updated trust store, as a new glue object (`undefined` without a store).
    #[wasm_bindgen(js_name = trustStore)]
    pub fn trust_store(&self) -> Option<WasmTrustStore> {
        self.0.trust_store().cloned().map(WasmTrustStore)
    }
}

#[wasm_bindgen]
pub struct WasmServerPresentation(ServerPresentation<KeyInner>);

#[wasm_bindgen]
impl WasmServerPresentation {
    #[wasm_bindgen(constructor)]
    pub fn new(key: &WasmSigningKey, options_json: &str) -> JsResult<WasmServerPresentation> {
        let options = js(ServerOptions::from_json(options_json))?;
        Ok(WasmServerPresentation(ServerPresentation::with_signer(
            key.0.duplicate(),
            options,
        )))
    }
    pub fn kid(&self) -> String {
        String::from(self.0.kid())
    }
    pub fn did(&self) -> String {
        self.0.did()
    }
    pub fn capabilities(&self) -> String {
        self.0.capabilities()
    }
    #[wasm_bindgen(js_name = httpHeaders)]
    pub fn http_headers(&self) -> String {
        self.0.http_headers()
    }
    pub fn passport(&mut self, now: f64) -> JsResult<Option<String>> {
        js(self.0.try_passport(secs(now)?))
    }
    /// `result_json` as UTF-8 bytes, for the reason `receiveResult` gives.
    #[wasm_bindgen(js_name = signToolsList)]
    pub fn sign_tools_list(
        &mut self,
        result_json: &[u8],
        cursor: Option<String>,
        now: f64,
    ) -> JsResult<String> {
        let Ok(text) = core::str::from_utf8(result_json) else {
            return Err(err(
                ErrorCode::MalformedToolDefinition,
                "the tools/list result is not UTF-8 text",
            ));
        };
        js(self.0.sign_tools_list(text, cursor.as_deref(), secs(now)?))
    }
    #[wasm_bindgen(js_name = identityGet)]
    pub fn identity_get(&self, now: f64) -> JsResult<String> {
        js(self.0.try_identity_get(secs(now)?))
    }
    /// `{"result": {...}}` or `{"error": {code, message, data}}` (JSON text).
    #[wasm_bindgen(js_name = answerChallenge)]
    pub fn answer_challenge(
        &mut self,
        params_json: &str,
        client: &str,
        now: f64,
    ) -> JsResult<String> {
        Ok(answer(self.0.answer_challenge(
            params_json,
            client,
            secs(now)?,
        )))
    }
    /// `{"storeKey", "expiresAt"}` or `{"error": {...}}` (JSON text).
    #[wasm_bindgen(js_name = admitChallenge)]
    pub fn admit_challenge(
        &mut self,
        params_json: &str,
        client: &str,
        now: f64,
    ) -> JsResult<String> {
        Ok(
            match self.0.admit_challenge(params_json, client, secs(now)?) {
                Ok((key, expires)) => {
                    let mut o = Object::new();
                    o.insert("storeKey", Value::from(key));
                    o.insert("expiresAt", Value::from_u64(expires));
                    Value::Object(o).to_jcs()
                }
                Err(e) => format!("{{\"error\":{e}}}"),
            },
        )
    }
    /// `{"result": {...}}` or `{"error": {...}}` (JSON text).
    #[wasm_bindgen(js_name = completeChallenge)]
    pub fn complete_challenge(&mut self, store_key: &str, inserted: bool) -> String {
        answer(self.0.complete_challenge(store_key, inserted))
    }
    #[wasm_bindgen(js_name = setToolTrustLevel)]
    pub fn set_tool_trust_level(&mut self, tool: &str, level: f64) -> JsResult<()> {
        js(self.0.set_tool_trust_level(tool, level_u8(level)?))
    }
    #[wasm_bindgen(js_name = requiredLevel)]
    pub fn required_level(&self, tool: &str) -> u8 {
        self.0.required_level(tool)
    }
    #[wasm_bindgen(js_name = setCallerTrust)]
    pub fn set_caller_trust(&mut self, store: &WasmTrustStore) {
        self.0
            .set_caller_trust(store.0.issuers().to_vec(), store.0.revocation_lists());
    }
    /// The gate's decision (`Admission::to_json`), without an evidence log.
    #[wasm_bindgen(js_name = admitCall)]
    pub fn admit_call(
        &mut self,
        params_json: &str,
        header: Option<String>,
        client: &str,
        now: f64,
    ) -> JsResult<String> {
        let a =
            self.0
                .admit_call::<KeyInner>(params_json, header.as_deref(), client, secs(now)?, None);
        Ok(js(a)?.to_json())
    }
    /// [`Self::admit_call`] recording into `log` (wasm-bindgen has no `Option<&mut T>`).
    #[wasm_bindgen(js_name = admitCallLogged)]
    pub fn admit_call_logged(
        &mut self,
        params_json: &str,
        header: Option<String>,
        client: &str,
        now: f64,
        log: &mut WasmEvidenceLog,
    ) -> JsResult<String> {
        let a = self.0.admit_call(
            params_json,
            header.as_deref(),
            client,
            secs(now)?,
            Some(&mut log.0),
        );
        Ok(js(a)?.to_json())
    }
    /// For replicas sharing a replay store: whether the store took the admitted ticket's
    /// `replayKey` (`Admission::to_json`).
    #[wasm_bindgen(js_name = completeAdmission)]
    pub fn complete_admission(
        &self,
        ticket_json: &str,
        inserted: bool,
        now: f64,
    ) -> JsResult<String> {
        let t = js(Ticket::from_json(ticket_json))?;
        Ok(js(self
            .0
            .complete_admission::<KeyInner>(&t, inserted, secs(now)?, None))?
        .to_json())
    }
    /// [`Self::complete_admission`] recording into `log`.
    #[wasm_bindgen(js_name = completeAdmissionLogged)]
    pub fn complete_admission_logged(
        &self,
        ticket_json: &str,
        inserted: bool,
        now: f64,
        log: &mut WasmEvidenceLog,
    ) -> JsResult<String> {
        let t = js(Ticket::from_json(ticket_json))?;
        Ok(js(self
            .0
            .complete_admission(&t, inserted, secs(now)?, Some(&mut log.0)))?
        .to_json())
    }
    /// Records an admitted call's outcome: `result_json` (the CallToolResult) or `error_json`
    /// (the JSON-RPC error object); no log: `[]`.
    #[wasm_bindgen(js_name = completeCall)]
    pub fn complete_call(
        &self,
        ticket_json: &str,
        result_json: Option<String>,
        error_json: Option<String>,
        now: f64,
    ) -> JsResult<String> {
        self.complete(ticket_json, result_json, error_json, now, None)
    }
    /// [`Self::complete_call`] recording into `log`: `[{file, line}]`.
    #[wasm_bindgen(js_name = completeCallLogged)]
    pub fn complete_call_logged(
        &self,
        ticket_json: &str,
        result_json: Option<String>,
        error_json: Option<String>,
        now: f64,
        log: &mut WasmEvidenceLog,
    ) -> JsResult<String> {
        self.complete(ticket_json, result_json, error_json, now, Some(&mut log.0))
    }
}

impl WasmServerPresentation {
    fn complete(
        &self,
        ticket_json: &str,
        result_json: Option<String>,
        error_json: Option<String>,
        now: f64,
        log: Option<&mut EvidenceLog<KeyInner>>,
    ) -> JsResult<String> {
        let ticket = js(Ticket::from_json(ticket_json))?;
        let code = error_json.as_deref().map(gate::error_code_of);
        let writes = js(self.0.complete_call(
            &ticket,
            result_json.as_deref(),
            code.as_deref(),
            secs(now)?,
            log,
        ))?;
        Ok(evidence::writes_value(&writes).to_jcs())
    }
}

fn level_u8(level: f64) -> JsResult<u8> {
    if level.is_finite() && (0.0..=255.0).contains(&level) && level.fract() == 0.0 {
        // Exact: checked finite, whole and within u8 just above.
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::as_conversions
        )]
        return Ok(level as u8);
    }
    Err(err(
        ErrorCode::InvalidPolicy,
        "a trust level is an integer 0–4",
    ))
}

fn answer(r: Result<String, String>) -> String {
    match r {
        Ok(r) => format!("{{\"result\":{r}}}"),
        Err(e) => format!("{{\"error\":{e}}}"),
    }
}

#[wasm_bindgen]
impl WasmTrustStore {
    /// A copy (a session takes its store by value).
    #[wasm_bindgen(js_name = copy)]
    pub fn copy(&self) -> WasmTrustStore {
        WasmTrustStore(self.0.clone())
    }
    /// Accepts `tool_json` as the version of its tool `server` may serve (after the user
    /// approved a `changed` tool).
    #[wasm_bindgen(js_name = acceptTool)]
    pub fn accept_tool(&mut self, server: &str, tool_json: &str) -> JsResult<()> {
        js(mcp_attest::session::accept_tool(
            &mut self.0,
            server,
            tool_json,
        ))
    }
    /// Forgets the accepted version of `name` from `server`; whether there was one.
    #[wasm_bindgen(js_name = forgetTool)]
    pub fn forget_tool(&mut self, server: &str, name: &str) -> bool {
        self.0.forget_tool(server, name).is_some()
    }
    /// The names of the tools accepted from `server`, sorted.
    #[wasm_bindgen(js_name = acceptedToolNames)]
    pub fn accepted_tool_names(&self, server: &str) -> Vec<String> {
        self.0
            .accepted_tools(server)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default()
    }
    /// Replaces this store's contents with `other`'s (a session's updated store).
    #[wasm_bindgen(js_name = replaceWith)]
    pub fn replace_with(&mut self, other: &WasmTrustStore) {
        self.0 = other.0.clone();
    }
}

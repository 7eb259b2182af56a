//! The server's decision on each `tools/call` (spec §20.6): who calls, whether the tool may
//! run for them, and the evidence record of what happened — in one place, in one order, so
//! that no adapter decides any of it.
//!
//! An adapter calls [`CallGate::admit`] before the tool's handler: it answers either
//! [`Admission::Refuse`] (send the JSON-RPC error, append the evidence lines; the handler never
//! runs) or [`Admission::Run`] with a [`Ticket`]; after the handler it calls
//! [`CallGate::complete`] with the result or the error and appends the lines it returns.
//!
//! ```
//! use mcp_attest::gate::{Admission, CallGate, GateOptions};
//! use mcp_attest::SigningKey;
//!
//! let server = SigningKey::from_bytes(&[1; 32]);
//! let options = GateOptions::from_json(r#"{"toolTrustLevels":{"delete":1}}"#)?;
//! // No evidence log in this example (`None`), so the gate names its signer type.
//! let mut gate: CallGate = CallGate::new(&server.verifying_key().to_did_key(), options, None);
//! // An anonymous caller may echo but not delete.
//! let echo = gate.admit(r#"{"name":"echo","arguments":{}}"#, None, "conn-1", 1_800_000_000)?;
//! assert!(matches!(echo, Admission::Run(_)));
//! let delete = gate.admit(r#"{"name":"delete","arguments":{}}"#, None, "conn-1", 1_800_000_000)?;
//! let Admission::Refuse { error, .. } = delete else { panic!("a guarded tool ran") };
//! assert!(error.contains("insufficient_trust_level"));
//! # Ok::<(), mcp_attest::Error>(())
//! ```

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::caller::{self, CallerVerifier, VerifiedCaller};
use crate::error::{err, excerpt, Error, ErrorCode, Result};
use crate::evidence::{self, CallOutcome, CallRecord, Decision, EvidenceLog, Write};
use crate::issuer::TrustedIssuer;
use crate::json::{self, Object, Value};
use crate::keys::SigningKey;
use crate::revocation::RevocationList;
use crate::signer::Signer;
use crate::tool;

/// The server's guard policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateOptions {
    /// The level every tool requires (default 0: anonymous callers allowed).
    pub min_trust_level: u8,
    /// Per-tool levels; a tool requires the higher of this and [`GateOptions::min_trust_level`].
    pub tool_levels: BTreeMap<String, u8>,
    /// Caller-proof replay cache capacity (default [`caller::DEFAULT_CACHE_CAPACITY`]).
    pub replay_cache_capacity: usize,
    /// Live proofs one connection may hold (default [`caller::DEFAULT_CLIENT_QUOTA`]).
    pub client_quota: usize,
}

impl Default for GateOptions {
    fn default() -> Self {
        GateOptions {
            min_trust_level: 0,
            tool_levels: BTreeMap::new(),
            replay_cache_capacity: caller::DEFAULT_CACHE_CAPACITY,
            client_quota: caller::DEFAULT_CLIENT_QUOTA,
        }
    }
}

fn level_of(v: &Value, what: &str) -> Result<u8> {
    v.as_number()
        .and_then(json::Number::as_u64)
        .and_then(|l| u8::try_from(l).ok())
        .filter(|l| *l <= caller::LEVEL_VOUCHED_HIGH)
        .ok_or_else(|| err!(InvalidPolicy, "{} is a trust level, an integer 0–4", what))
}

impl GateOptions {
    /// Reads `{"minTrustLevel", "toolTrustLevels": {name: level}, "replayCacheCapacity",
    /// "clientQuota"}` (every member optional). An unknown member or a level outside 0–4 is
    /// `invalid_policy`: a misspelt guard must not silently allow everyone.
    ///
    /// # Errors
    /// `invalid_policy`, JSON errors.
    pub fn from_json(text: &str) -> Result<GateOptions> {
        let v = json::parse(text)?;
        let o = v
            .as_object()
            .ok_or_else(|| err!(InvalidPolicy, "gate options are a JSON object"))?;
        let mut out = GateOptions::default();
        for (name, value) in o.iter() {
            if !out.read_member(name, value)? {
                return Err(err!(
                    InvalidPolicy,
                    "unknown gate option {:?}",
                    excerpt(name)
                ));
            }
        }
        Ok(out)
    }

    /// Reads one member of the options object; `false` for a name that is not a gate option
    /// (so the server's options can hold these members among their own).
    pub(crate) fn read_member(&mut self, name: &str, value: &Value) -> Result<bool> {
        match name {
            "minTrustLevel" => self.min_trust_level = level_of(value, "minTrustLevel")?,
            "toolTrustLevels" => {
                let m = value.as_object().ok_or_else(|| {
                    err!(InvalidPolicy, "toolTrustLevels maps tool names to levels")
                })?;
                for (tool, l) in m.iter() {
                    self.tool_levels
                        .insert(tool.to_string(), level_of(l, "a tool's trust level")?);
                }
            }
            "replayCacheCapacity" | "clientQuota" => {
                let n = value
                    .as_number()
                    .and_then(json::Number::as_u64)
                    .and_then(|n| usize::try_from(n).ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| err!(InvalidPolicy, "{} is a positive integer", name))?;
                if name == "clientQuota" {
                    self.client_quota = n;
                } else {
                    self.replay_cache_capacity = n;
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The level `tool` requires.
    #[must_use]
    pub fn required_level(&self, tool: &str) -> u8 {
        self.tool_levels
            .get(tool)
            .copied()
            .unwrap_or(0)
            .max(self.min_trust_level)
    }
}

/// An admitted call, to be completed after its handler ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// Who called (`None`: anonymous).
    pub caller: Option<VerifiedCaller>,
    /// The tool name.
    pub tool: String,
    /// The level the tool required.
    pub required: u8,
    args_hash: String,
    tool_hash: Option<String>,
}

impl Ticket {
    /// `{"tool", "required", "caller": {did, level, issuer} | null, "argsHash", "toolHash"}`
    /// as canonical JSON: what bindings hand to their adapters and take back.
    #[must_use]
    pub fn to_json(&self) -> String {
        self.to_value().to_jcs()
    }

    fn to_value(&self) -> Value {
        let mut o = Object::new();
        o.insert("tool", Value::from(self.tool.as_str()));
        o.insert("required", Value::from_u64(u64::from(self.required)));
        o.insert(
            "caller",
            self.caller
                .as_ref()
                .map_or(Value::Null, VerifiedCaller::to_value),
        );
        // For a replay store shared by replicas (see `ServerPresentation::complete_admission`).
        o.insert(
            "replayKey",
            self.caller
                .as_ref()
                .map_or(Value::Null, |c| Value::from(c.replay_key.as_str())),
        );
        o.insert(
            "expiresAt",
            self.caller
                .as_ref()
                .map_or(Value::Null, |c| Value::from_u64(c.expires_at)),
        );
        o.insert("argsHash", Value::from(self.args_hash.as_str()));
        o.insert(
            "toolHash",
            self.tool_hash.as_deref().map_or(Value::Null, Value::from),
        );
        Value::Object(o)
    }

    /// Reads [`Ticket::to_json`]'s form back.
    ///
    /// # Errors
    /// `malformed_evidence` for anything else; JSON errors.
    pub fn from_json(text: &str) -> Result<Ticket> {
        let v = json::parse(text)?;
        let bad = || err!(MalformedEvidence, "not a call ticket");
        let text_of = |v: Option<&Value>| v.and_then(Value::as_str).map(String::from);
        let level_of = |v: Option<&Value>| {
            v.and_then(Value::as_number)
                .and_then(json::Number::as_u64)
                .and_then(|l| u8::try_from(l).ok())
                .filter(|l| *l <= caller::LEVEL_VOUCHED_HIGH)
        };
        let caller = match v.get("caller") {
            None | Some(Value::Null) => None,
            Some(c) => {
                let did = text_of(c.get("did")).ok_or_else(bad)?;
                Some(VerifiedCaller {
                    replay_key: text_of(v.get("replayKey")).ok_or_else(bad)?,
                    expires_at: v
                        .get("expiresAt")
                        .and_then(Value::as_number)
                        .and_then(json::Number::as_u64)
                        .ok_or_else(bad)?,
                    key: crate::keys::VerifyingKey::from_did_key(&did)?,
                    did,
                    level: level_of(c.get("level")).ok_or_else(bad)?,
                    issuer: text_of(c.get("issuer")),
                })
            }
        };
        Ok(Ticket {
            caller,
            tool: text_of(v.get("tool")).ok_or_else(bad)?,
            required: level_of(v.get("required")).ok_or_else(bad)?,
            args_hash: text_of(v.get("argsHash")).ok_or_else(bad)?,
            tool_hash: text_of(v.get("toolHash")),
        })
    }
}

/// The code an evidence record keeps for a call whose handler failed, from the JSON-RPC
/// error object it answered with (JSON text): `data.reason`, else `data.code`, when it is one
/// of this specification's codes (the SDKs use -32000…-32099 for conditions of their own, so
/// the number alone says little); else the number as text. One rule for every adapter.
///
/// ```
/// use mcp_attest::gate::error_code_of;
/// assert_eq!(error_code_of(r#"{"code":-32602,"message":"bad"}"#), "-32602");
/// assert_eq!(error_code_of(r#"{"code":-32000,"data":{"reason":"revoked"}}"#), "revoked");
/// assert_eq!(error_code_of("not json"), "-32603");
/// ```
#[must_use]
pub fn error_code_of(error_json: &str) -> String {
    let Ok(v) = json::parse(error_json) else {
        return String::from("-32603");
    };
    let data = v.get("data");
    let named = ["reason", "code"]
        .into_iter()
        .filter_map(|k| data.and_then(|d| d.get(k)).and_then(Value::as_str))
        .find_map(ErrorCode::from_code);
    if let Some(c) = named {
        return String::from(c.as_str());
    }
    match v.get("code") {
        Some(n @ Value::Number(_)) => n.to_jcs(),
        _ => String::from("-32603"),
    }
}

/// What [`CallGate::admit`] decided.
// One per call, returned and matched at once: boxing the ticket would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Run the handler, then [`CallGate::complete`] the ticket.
    Run(Ticket),
    /// Do not run the handler: answer with `error` (a JSON-RPC error object, JSON text) and
    /// append `writes` to the evidence log.
    Refuse {
        /// The JSON-RPC error object ([`caller::refusal_json`]).
        error: String,
        /// The evidence lines recording the denial (empty without a log).
        writes: Vec<Write>,
    },
}

impl Admission {
    /// The decision as canonical JSON, the one shape every binding hands its adapters:
    /// `{"run": true, "ticket": {…}, "caller": {did, level, issuer} | null}` or
    /// `{"run": false, "error": {code, message, data}, "writes": [{file, line}]}`.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut o = Object::new();
        match self {
            Admission::Run(t) => {
                o.insert("run", Value::Bool(true));
                o.insert("ticket", t.to_value());
                o.insert(
                    "caller",
                    t.caller
                        .as_ref()
                        .map_or(Value::Null, VerifiedCaller::to_value),
                );
            }
            Admission::Refuse { error, writes } => {
                o.insert("run", Value::Bool(false));
                o.insert("error", json::parse(error).unwrap_or(Value::Null));
                o.insert("writes", evidence::writes_value(writes));
            }
        }
        Value::Object(o).to_jcs()
    }
}

/// What a denial's record and refusal need.
struct Denial<'a> {
    caller: Option<&'a VerifiedCaller>,
    tool: &'a str,
    tool_hash: Option<&'a str>,
    args_hash: &'a str,
    required: u8,
}

/// The server side of caller identity and evidence for every `tools/call` (spec §20.6).
#[derive(Debug)]
pub struct CallGate<K: Signer = SigningKey> {
    verifier: CallerVerifier,
    options: GateOptions,
    log: Option<EvidenceLog<K>>,
    tool_hashes: BTreeMap<String, String>,
    /// The page [`CallGate::note_tools`] noted last: noting it again changes nothing.
    noted: Option<u64>,
}

impl<K: Signer> CallGate<K> {
    /// A gate for the server whose DID is `server_did`; `log`: where evidence goes, if kept.
    #[must_use]
    pub fn new(server_did: &str, options: GateOptions, log: Option<EvidenceLog<K>>) -> Self {
        CallGate {
            verifier: CallerVerifier::new(
                server_did,
                options.replay_cache_capacity,
                options.client_quota,
            ),
            options,
            log,
            tool_hashes: BTreeMap::new(),
            noted: None,
        }
    }

    /// Issuers (and their `maxLevel`) whose passports raise callers, and revocation lists.
    pub fn set_trust(&mut self, issuers: Vec<TrustedIssuer>, revocations: Vec<RevocationList>) {
        self.verifier.set_trust(issuers, revocations);
    }

    /// The tools the server lists (a `tools/list` result or a bare array), so evidence records
    /// carry each tool's content hash. Call it whenever the list changes.
    ///
    /// # Errors
    /// JSON errors; `malformed_tool_definition`.
    pub fn set_tools(&mut self, tools_json: &str) -> Result<()> {
        let v = json::parse_with_limits(
            tools_json,
            json::Limits {
                max_bytes: tool::DEFAULT_MAX_LIST_BYTES,
                ..json::Limits::default()
            },
        )?;
        let tools = match &v {
            Value::Array(a) => a.as_slice(),
            Value::Object(o) => o
                .get("tools")
                .and_then(Value::as_array)
                .ok_or_else(|| err!(MalformedToolDefinition, "a tools/list result has tools"))?,
            _ => return Err(err!(MalformedToolDefinition, "tools are an array")),
        };
        let mut hashes = BTreeMap::new();
        for t in tools {
            let name = t
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| err!(MalformedToolDefinition, "a tool has a string name"))?;
            hashes.insert(name.to_string(), tool::content_hash(t)?);
        }
        self.tool_hashes = hashes;
        self.noted = None;
        Ok(())
    }

    /// The guard policy.
    #[must_use]
    pub const fn options(&self) -> &GateOptions {
        &self.options
    }

    /// The evidence log, if kept (for checkpoints and closing).
    pub fn log_mut(&mut self) -> Option<&mut EvidenceLog<K>> {
        self.log.as_mut()
    }

    /// Sets the level one tool requires (0–4), e.g. from a tool registration.
    ///
    /// # Errors
    /// `invalid_policy` for a level above 4.
    pub fn set_tool_trust_level(&mut self, tool: &str, level: u8) -> Result<()> {
        if level > caller::LEVEL_VOUCHED_HIGH {
            return Err(err!(
                InvalidPolicy,
                "a tool's trust level is 0–4, not {}",
                level
            ));
        }
        self.options.tool_levels.insert(tool.to_string(), level);
        Ok(())
    }

    /// Records the content hashes of one page of the served list; `first` starts a new list.
    /// `page` names the page: serving the same page again in a row (the common case, a cached
    /// list) leaves the hashes as they are instead of copying them all on every `tools/list`.
    pub(crate) fn note_tools(&mut self, page: u64, hashes: &[(String, String)], first: bool) {
        if self.noted.replace(page) == Some(page) {
            return;
        }
        if first {
            self.tool_hashes.clear();
        }
        for (name, h) in hashes {
            self.tool_hashes.insert(name.clone(), h.clone());
        }
    }

    /// `(name, content hash)` of one page's tools, for [`CallGate::note_tools`].
    pub(crate) fn page_hashes(tools: &[Value]) -> Vec<(String, String)> {
        tools
            .iter()
            .filter_map(|t| {
                let name = t.get("name").and_then(Value::as_str)?;
                Some((name.to_string(), tool::content_hash(t).ok()?))
            })
            .collect()
    }

    fn record<L: Signer>(
        log: Option<&mut EvidenceLog<L>>,
        call: &CallRecord<'_>,
        now: u64,
    ) -> Result<Vec<Write>> {
        match log {
            None => Ok(Vec::new()),
            // A record that cannot be written is the server's failure, reported as such: the
            // adapter must then fail the call closed rather than run it unrecorded.
            Some(log) => log.append_call(call, now).map_err(|e| {
                err!(
                    ServerError,
                    "evidence could not be recorded: {}",
                    e.message()
                )
            }),
        }
    }

    /// A refusal: the JSON-RPC error (with the caller's level when one was identified) and
    /// the denial's evidence record, whose `reason` is the refusal's code.
    fn refuse<L: Signer>(
        log: Option<&mut EvidenceLog<L>>,
        e: &Error,
        d: &Denial<'_>,
        now: u64,
    ) -> Result<Admission> {
        let level = d.caller.map(|c| c.level);
        let writes = Self::record(
            log,
            &CallRecord {
                caller: d.caller.map(|c| c.did.as_str()),
                level: level.unwrap_or(caller::LEVEL_ANONYMOUS),
                tool: d.tool,
                tool_hash: d.tool_hash,
                args_hash: d.args_hash,
                outcome: CallOutcome::NotRun,
                decision: Decision::Deny,
                reason: Some(e.code().as_str()),
            },
            now,
        )?;
        // A failed proof names no caller; a level refusal names the caller's level (0 when
        // anonymous), so the client sees how far it is from the requirement.
        let shown = if e.code() == ErrorCode::InsufficientTrustLevel {
            Some(level.unwrap_or(caller::LEVEL_ANONYMOUS))
        } else {
            None
        };
        Ok(Admission::Refuse {
            error: caller::refusal_json(e, Some(d.required), shown),
            writes,
        })
    }

    /// Decides one `tools/call` before its handler runs, in this order: the params (a string
    /// `name`), the caller (no proof: anonymous; a failed proof or passport: refused with
    /// -31002 and its code), the tool's required level (refused with -31001,
    /// `insufficient_trust_level`). Every refusal is recorded as a denial.
    ///
    /// # Errors
    /// JSON errors and `caller_proof_mismatch` for params that are not a `tools/call`'s;
    /// `server_error` when the evidence log cannot record (the call must then fail closed).
    pub fn admit(
        &mut self,
        params_json: &str,
        header: Option<&str>,
        client: &str,
        now: u64,
    ) -> Result<Admission> {
        let mut log = self.log.take();
        let out = self.admit_into(params_json, header, client, now, log.as_mut());
        self.log = log;
        out
    }

    /// [`CallGate::admit`] recording into `log` (a log kept outside the gate, such as a
    /// binding's file-backed log) instead of the gate's own.
    ///
    /// # Errors
    /// As [`CallGate::admit`].
    pub fn admit_into<L: Signer>(
        &mut self,
        params_json: &str,
        header: Option<&str>,
        client: &str,
        now: u64,
        log: Option<&mut EvidenceLog<L>>,
    ) -> Result<Admission> {
        let params = caller::parse_params(params_json)?;
        let tool_name = params
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| err!(CallerProofMismatch, "tools/call params have a string name"))?
            .to_string();
        let args_hash = evidence::hash_value(
            params
                .get("arguments")
                .filter(|a| !a.is_null())
                .unwrap_or(&Value::Object(Object::new())),
        );
        let tool_hash = self.tool_hashes.get(&tool_name).cloned();
        let required = self.options.required_level(&tool_name);
        let caller = match self
            .verifier
            .identify_value("tools/call", &params, header, client, now)
        {
            Ok(c) => c,
            Err(e) => {
                let denial = Denial {
                    caller: None,
                    tool: &tool_name,
                    tool_hash: tool_hash.as_deref(),
                    args_hash: &args_hash,
                    required,
                };
                return Self::refuse(log, &e, &denial, now);
            }
        };
        let level = caller.as_ref().map_or(caller::LEVEL_ANONYMOUS, |c| c.level);
        if let Err(e) = caller::guard_level(required, level) {
            let denial = Denial {
                caller: caller.as_ref(),
                tool: &tool_name,
                tool_hash: tool_hash.as_deref(),
                args_hash: &args_hash,
                required,
            };
            return Self::refuse(log, &e, &denial, now);
        }
        Ok(Admission::Run(Ticket {
            caller,
            tool: tool_name,
            required,
            args_hash,
            tool_hash,
        }))
    }

    /// Records an admitted call's outcome: `result_json` (the `CallToolResult`) or
    /// `error_code` (the JSON-RPC code as text, or a contract code).
    ///
    /// # Errors
    /// JSON errors for the result; `malformed_evidence` for neither or both; `server_error`
    /// when the evidence log cannot record.
    pub fn complete(
        &mut self,
        ticket: &Ticket,
        result_json: Option<&str>,
        error_code: Option<&str>,
        now: u64,
    ) -> Result<Vec<Write>> {
        Self::complete_into(ticket, result_json, error_code, now, self.log.as_mut())
    }

    /// The second half of an admission for replicas sharing a replay store: after
    /// [`CallGate::admit_into`] admitted a call with a caller proof, the adapter inserts the
    /// ticket's `replayKey` into the shared store if absent (until `expiresAt`) and reports
    /// whether it did. Inserted (or no proof): the call runs. Not inserted: another replica saw
    /// the proof first — refused as `replayed_nonce`, recorded as a denial.
    ///
    /// # Errors
    /// `server_error` when the evidence log cannot record.
    pub fn complete_admission_into<L: Signer>(
        ticket: &Ticket,
        inserted: bool,
        now: u64,
        log: Option<&mut EvidenceLog<L>>,
    ) -> Result<Admission> {
        if inserted || ticket.caller.is_none() {
            return Ok(Admission::Run(ticket.clone()));
        }
        let e = err!(
            ReplayedNonce,
            "this caller proof was already used (seen by another replica)"
        );
        let denial = Denial {
            caller: None,
            tool: &ticket.tool,
            tool_hash: ticket.tool_hash.as_deref(),
            args_hash: &ticket.args_hash,
            required: ticket.required,
        };
        Self::refuse(log, &e, &denial, now)
    }

    /// [`CallGate::complete`] recording into `log` (see [`CallGate::admit_into`]).
    ///
    /// # Errors
    /// As [`CallGate::complete`].
    pub fn complete_into<L: Signer>(
        ticket: &Ticket,
        result_json: Option<&str>,
        error_code: Option<&str>,
        now: u64,
        log: Option<&mut EvidenceLog<L>>,
    ) -> Result<Vec<Write>> {
        let result_hash = result_json.map(evidence::hash_json).transpose()?;
        let outcome = match (result_hash.as_deref(), error_code) {
            (Some(h), None) => CallOutcome::Result(h),
            (None, Some(c)) => CallOutcome::Error(c),
            _ => {
                return Err(err!(
                    MalformedEvidence,
                    "a call ends with a result or an error"
                ))
            }
        };
        let level = ticket
            .caller
            .as_ref()
            .map_or(caller::LEVEL_ANONYMOUS, |c| c.level);
        Self::record(
            log,
            &CallRecord {
                caller: ticket.caller.as_ref().map(|c| c.did.as_str()),
                level,
                tool: &ticket.tool,
                tool_hash: ticket.tool_hash.as_deref(),
                args_hash: &ticket.args_hash,
                outcome,
                decision: Decision::Allow,
                reason: None,
            },
            now,
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]

    use super::*;
    use crate::evidence::LogVerifier;
    use crate::ErrorCode;

    const NOW: u64 = 1_800_000_000;

    fn server() -> SigningKey {
        SigningKey::from_bytes(&[31; 32])
    }
    fn client() -> SigningKey {
        SigningKey::from_bytes(&[32; 32])
    }
    fn gate(options: &str) -> CallGate {
        let did = server().verifying_key().to_did_key();
        let mut g = CallGate::new(
            &did,
            GateOptions::from_json(options).unwrap(),
            Some(EvidenceLog::new(server(), evidence::DEFAULT_MAX_FILE_BYTES)),
        );
        g.set_tools(r#"{"tools":[{"name":"echo","inputSchema":{"type":"object"}},{"name":"delete","inputSchema":{"type":"object"}}]}"#)
            .unwrap();
        g
    }
    fn proven(params: &str, nonce: u8) -> String {
        let did = server().verifying_key().to_did_key();
        caller::attach(
            &client(),
            None,
            &did,
            "tools/call",
            params,
            NOW,
            &[nonce; 16],
        )
        .unwrap()
        .params
    }
    fn lines(writes: &[Write]) -> Vec<String> {
        writes.iter().map(|w| w.line.clone()).collect()
    }

    #[test]
    fn the_whole_decision_in_order_with_a_record_for_each_call() {
        let mut g = gate(r#"{"toolTrustLevels":{"delete":1}}"#);
        let mut log = Vec::new();
        // Anonymous echo: runs; recorded with its result.
        let Admission::Run(t) = g
            .admit(r#"{"name":"echo","arguments":{"x":1}}"#, None, "c", NOW)
            .unwrap()
        else {
            panic!("echo refused")
        };
        assert_eq!((t.caller.as_ref(), t.required), (None, 0));
        log.extend(lines(
            &g.complete(&t, Some(r#"{"content":[]}"#), None, NOW)
                .unwrap(),
        ));
        // Anonymous delete: refused before the handler, -31001, recorded as a denial.
        let Admission::Refuse { error, writes } = g
            .admit(r#"{"name":"delete","arguments":{}}"#, None, "c", NOW)
            .unwrap()
        else {
            panic!("a guarded tool ran")
        };
        assert!(error.starts_with(r#"{"code":-31001,"data":{"code":"insufficient_trust_level","level":0,"reason":"insufficient_trust_level","required":1}"#), "{error}");
        assert!(
            writes[0].line.contains(r#""decision":"deny""#)
                && writes[0]
                    .line
                    .contains(r#""reason":"insufficient_trust_level""#)
        );
        log.extend(lines(&writes));
        // A proven caller deletes; the handler fails; recorded with the caller and the error.
        let params = proven(r#"{"name":"delete","arguments":{}}"#, 1);
        let Admission::Run(t) = g.admit(&params, None, "c", NOW).unwrap() else {
            panic!("a proven caller was refused")
        };
        assert_eq!(t.caller.as_ref().unwrap().level, 1);
        let w = g.complete(&t, None, Some("-32603"), NOW).unwrap();
        assert!(
            w[0].line.contains(&client().verifying_key().to_did_key())
                && w[0].line.contains(r#""error":"-32603""#)
        );
        log.extend(lines(&w));
        // The same proof replayed: refused with -31002 and its code, recorded, handler not run.
        let Admission::Refuse { error, writes } = g.admit(&params, None, "d", NOW + 1).unwrap()
        else {
            panic!("a replayed proof ran")
        };
        assert!(
            error.starts_with(r#"{"code":-31002,"data":{"code":"replayed_nonce""#),
            "{error}"
        );
        assert!(writes[0].line.contains(r#""reason":"replayed_nonce""#));
        log.extend(lines(&writes));
        // Four records, one chain, from genesis; each names the tool's content hash.
        let mut v = LogVerifier::new(&server().verifying_key());
        for l in &log {
            v.push(l);
            assert!(l.contains(r#""toolHash":"sha256-"#), "{l}");
        }
        let r = v.finish(&[]);
        assert!(
            r.is_valid() && r.from_genesis && r.records == 4,
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn options_are_strict_and_levels_combine() {
        for bad in [
            r#"{"minTrustLevel":5}"#,
            r#"{"toolTrustLevel":{}}"#,
            r#"{"toolTrustLevels":{"a":"3"}}"#,
            r#"{"clientQuota":0}"#,
            "[]",
        ] {
            assert_eq!(
                GateOptions::from_json(bad).unwrap_err().code(),
                ErrorCode::InvalidPolicy,
                "{bad}"
            );
        }
        let o =
            GateOptions::from_json(r#"{"minTrustLevel":1,"toolTrustLevels":{"admin":3,"ping":0}}"#)
                .unwrap();
        assert_eq!(
            (
                o.required_level("admin"),
                o.required_level("ping"),
                o.required_level("x")
            ),
            (3, 1, 1)
        );
    }

    #[test]
    fn without_a_log_nothing_is_written_and_bad_params_are_errors() {
        let did = server().verifying_key().to_did_key();
        let mut g: CallGate = CallGate::new(&did, GateOptions::default(), None);
        let Admission::Run(t) = g.admit(r#"{"name":"echo"}"#, None, "c", NOW).unwrap() else {
            panic!()
        };
        assert!(g.complete(&t, Some("{}"), None, NOW).unwrap().is_empty());
        assert_eq!(
            g.complete(&t, None, None, NOW).unwrap_err().code(),
            ErrorCode::MalformedEvidence
        );
        assert_eq!(
            g.admit(r#"{"arguments":{}}"#, None, "c", NOW)
                .unwrap_err()
                .code(),
            ErrorCode::CallerProofMismatch
        );
        assert_eq!(
            g.admit("[", None, "c", NOW).unwrap_err().code(),
            ErrorCode::InvalidJson
        );
    }
}

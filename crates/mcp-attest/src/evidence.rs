//! Evidence logs: a signed, hash-chained record of every `tools/call` decision.
//!
//! A server with an identity appends one record per `tools/call`, allowed or denied. Each
//! record is one line of RFC 8785 canonical JSON, signed by the server key, and commits to
//! the SHA-256 of the line before it, so a record cannot be edited, deleted or moved without
//! the verifier naming the record where the chain breaks. Arguments and results are never
//! written, only their canonical hashes. Signed *checkpoints* (the sequence number and the
//! hash of the head) close each file at rotation and can be copied elsewhere as *anchors*:
//! a log cut shorter than an anchor is reported as truncated.
//!
//! What offline verification cannot catch (spec §19.4): records cut after the last anchor the
//! verifier holds, and a rewrite of the whole chain by whoever holds the key.
//!
//! This module is sans-I/O: [`EvidenceWriter`] returns lines and says when a file is due
//! for rotation; the bindings write the files. [`LogVerifier`] takes lines in order (across
//! rotated files) and reports every problem with its line number.
//!
//! ```
//! use mcp_attest::evidence::{CallOutcome, CallRecord, Decision, EvidenceWriter, LogVerifier};
//! use mcp_attest::SigningKey;
//!
//! let key = SigningKey::from_bytes(&[7; 32]);
//! let public = key.verifying_key();
//! let mut log = EvidenceWriter::new(key);
//! let args = mcp_attest::evidence::hash_json(r#"{"path":"/tmp"}"#)?;
//! let result = mcp_attest::evidence::hash_json(r#"{"content":[]}"#)?;
//! let line = log.append_call(
//!     &CallRecord {
//!         caller: None,
//!         level: 0,
//!         tool: "list_files",
//!         tool_hash: None,
//!         args_hash: &args,
//!         outcome: CallOutcome::Result(&result),
//!         decision: Decision::Allow,
//!         reason: None,
//!     },
//!     1_700_000_000,
//! )?;
//!
//! let mut verifier = LogVerifier::new(&public);
//! verifier.push(&line);
//! let report = verifier.finish(&[]);
//! assert!(report.is_valid());
//! assert_eq!(report.records, 1);
//! # Ok::<(), mcp_attest::Error>(())
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use crate::encoding;
use crate::error::{err, excerpt, Error, ErrorCode, Result};
use crate::json::{self, Object, Value};
use crate::keys::{Signature, SigningKey, VerifyingKey};
use crate::signer::{sign_checked, Signer};

/// The record format version written in every record's `v`.
pub const EVIDENCE_VERSION: u64 = 1;

/// Bytes prepended to a record's canonical JSON before signing, so an evidence signature can
/// never be mistaken for a signature over a token, a tool or a challenge made by the same key.
pub const SIGNING_PREFIX: &str = "mcp-attest-evidence-v1\n";

/// Largest accepted record line, in bytes (without the newline). Records hold hashes, a tool
/// name, a DID and short codes: a few hundred bytes. The bound keeps a hostile log linear.
pub const MAX_LINE_BYTES: usize = 16 * 1024;

/// Default size at which a writer's file is rotated: 16 MiB, about 40,000 records.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Most problems a [`LogReport`] lists; further ones are only counted, so a verifier's memory
/// stays bounded however broken the log.
pub const MAX_PROBLEMS: usize = 100;

/// Highest trust level (spec: levels 0–4).
pub const MAX_LEVEL: u8 = 4;

/// Whether a call was allowed to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The handler ran.
    Allow,
    /// The handler did not run.
    Deny,
}

impl Decision {
    /// The wire name: `allow` or `deny`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
        }
    }
}

/// What came of an allowed call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallOutcome<'a> {
    /// The handler returned a result: its [`hash_json`] hash.
    Result(&'a str),
    /// The handler failed: the error's code (a JSON-RPC code as text, or a contract code).
    Error(&'a str),
    /// The handler did not run (every denied call).
    NotRun,
}

/// One `tools/call` decision, as the server's adapter saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallRecord<'a> {
    /// The caller's DID, or `None` for an anonymous caller.
    pub caller: Option<&'a str>,
    /// The caller's trust level, 0–4 (0 for anonymous).
    pub level: u8,
    /// The tool name as requested.
    pub tool: &'a str,
    /// The tool's content hash (`sha256-…`, see `tool::content_hash`), when the tool exists.
    pub tool_hash: Option<&'a str>,
    /// [`hash_json`] of the call's `arguments` (an absent `arguments` hashes as `{}`).
    pub args_hash: &'a str,
    /// The result's hash, the error code, or nothing for a denied call.
    pub outcome: CallOutcome<'a>,
    /// Allowed or denied.
    pub decision: Decision,
    /// Why: required for a denial (a contract code such as `insufficient_trust_level`).
    pub reason: Option<&'a str>,
}

/// Why a checkpoint was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckpointReason {
    /// The file reached its size limit; the chain continues in the next file.
    Rotate,
    /// The writer was closed (a clean shutdown).
    Close,
    /// Written on the operator's schedule, to be copied elsewhere as an anchor.
    Periodic,
}

impl CheckpointReason {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            CheckpointReason::Rotate => "rotate",
            CheckpointReason::Close => "close",
            CheckpointReason::Periodic => "periodic",
        }
    }

    fn from_name(name: &str) -> Option<CheckpointReason> {
        match name {
            "rotate" => Some(CheckpointReason::Rotate),
            "close" => Some(CheckpointReason::Close),
            "periodic" => Some(CheckpointReason::Periodic),
            _ => None,
        }
    }
}

/// `sha256-<base64url>` of the RFC 8785 form of a JSON text: the hash recorded for arguments
/// and results, equal in every language whatever the serializer's member order or spacing.
///
/// # Errors
/// The strict parser's errors (`invalid_json`, `duplicate_key`, `input_too_large`, …).
pub fn hash_json(text: &str) -> Result<String> {
    Ok(hash_value(&json::parse(text)?))
}

/// [`hash_json`] of an already parsed value.
#[must_use]
pub fn hash_value(value: &Value) -> String {
    sha256_tag(value.to_jcs().as_bytes())
}

fn sha256_tag(bytes: &[u8]) -> String {
    let mut s = String::from("sha256-");
    s.push_str(&encoding::base64url_encode(&Sha256::digest(bytes)));
    s
}

/// The `prev` of a chain's first record: the hash of the signing prefix and the server's DID,
/// so a log that begins at sequence 0 proves it is the start of that server's chain.
#[must_use]
pub fn genesis_hash(server_did: &str) -> String {
    let mut buf = String::from(SIGNING_PREFIX);
    buf.push_str(server_did);
    sha256_tag(buf.as_bytes())
}

/// The hash a successor's `prev` names: SHA-256 of the record's line (its canonical bytes,
/// without the newline).
#[must_use]
pub fn line_hash(line: &str) -> String {
    sha256_tag(line.as_bytes())
}

/// Whether writing `next_line_bytes` more would take a file of `file_bytes` past `max_bytes`:
/// the writer then emits a [`CheckpointReason::Rotate`] checkpoint, closes the file and
/// starts the next. A file always takes at least one record.
#[must_use]
pub const fn rotation_due(file_bytes: u64, next_line_bytes: u64, max_bytes: u64) -> bool {
    file_bytes > 0 && file_bytes.saturating_add(next_line_bytes).saturating_add(1) > max_bytes
}

fn is_hash(s: &str) -> bool {
    s.len() == 50
        && s.starts_with("sha256-")
        && s.bytes()
            .skip(7)
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn check_call(call: &CallRecord<'_>) -> Result<()> {
    if call.level > MAX_LEVEL {
        return Err(err!(MalformedEvidence, "level {} is above 4", call.level));
    }
    if call.caller.is_none() && call.level != 0 {
        return Err(err!(MalformedEvidence, "an anonymous caller has level 0"));
    }
    if let Some(c) = call.caller {
        if !c.starts_with("did:") {
            return Err(err!(
                MalformedEvidence,
                "caller {:?} is not a DID",
                excerpt(c)
            ));
        }
    }
    if call.tool.is_empty() {
        return Err(err!(MalformedEvidence, "the tool name is empty"));
    }
    if !is_hash(call.args_hash) || call.tool_hash.is_some_and(|h| !is_hash(h)) {
        return Err(err!(MalformedEvidence, "a hash is not sha256-<base64url>"));
    }
    match (call.decision, call.outcome) {
        (Decision::Deny, CallOutcome::NotRun) if call.reason.is_some() => Ok(()),
        (Decision::Deny, CallOutcome::NotRun) => {
            Err(err!(MalformedEvidence, "a denial needs a reason"))
        }
        (Decision::Deny, _) => Err(err!(MalformedEvidence, "a denied call has no outcome")),
        (Decision::Allow, CallOutcome::NotRun) => Err(err!(
            MalformedEvidence,
            "an allowed call has a result or an error"
        )),
        (Decision::Allow, CallOutcome::Result(h)) if !is_hash(h) => Err(err!(
            MalformedEvidence,
            "the result hash is not sha256-<base64url>"
        )),
        (Decision::Allow, CallOutcome::Error("")) => {
            Err(err!(MalformedEvidence, "the error code is empty"))
        }
        (Decision::Allow, _) => Ok(()),
    }
}

/// A call's outcome from its `result` hash and `error` code: at most one of them.
fn outcome_of<'a>(result: Option<&'a str>, error: Option<&'a str>) -> Result<CallOutcome<'a>> {
    match (result, error) {
        (Some(h), None) => Ok(CallOutcome::Result(h)),
        (None, Some(c)) => Ok(CallOutcome::Error(c)),
        (None, None) => Ok(CallOutcome::NotRun),
        (Some(_), Some(_)) => Err(err!(
            MalformedEvidence,
            "a call has a result or an error, not both"
        )),
    }
}

fn opt(s: Option<&str>) -> Value {
    s.map_or(Value::Null, Value::from)
}

/// Appends records to one server's chain and signs them.
///
/// The writer holds the chain's head (next sequence number and the hash of the last line),
/// so one writer serves one chain: replicas each keep their own (spec §19.2).
///
/// `K` is any [`Signer`] (an in-memory key by default, or a key in a KMS whose every
/// signature is checked before a line is returned).
pub struct EvidenceWriter<K: Signer = SigningKey> {
    key: K,
    server: String,
    next_seq: u64,
    prev: String,
}

impl<K: Signer> core::fmt::Debug for EvidenceWriter<K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EvidenceWriter")
            .field("server", &self.server)
            .field("next_seq", &self.next_seq)
            .field("prev", &self.prev)
            .finish_non_exhaustive()
    }
}

impl<K: Signer> EvidenceWriter<K> {
    /// A new chain starting at sequence 0.
    #[must_use]
    pub fn new(key: K) -> EvidenceWriter<K> {
        let server = key.verifying_key().to_did_key();
        let prev = genesis_hash(&server);
        EvidenceWriter {
            key,
            server,
            next_seq: 0,
            prev,
        }
    }

    /// Continues a chain after a restart from its last complete line, which must be a valid
    /// record signed by this key.
    ///
    /// # Errors
    /// `malformed_evidence`, `invalid_signature`, or `key_mismatch` when the line was written
    /// by another server.
    pub fn resume(key: K, last_line: &str) -> Result<EvidenceWriter<K>> {
        let public = key.verifying_key();
        let record = parse_record(last_line, &public)?;
        let server = public.to_did_key();
        if record.server != server {
            return Err(err!(
                KeyMismatch,
                "the log's last record was written by another key"
            ));
        }
        Ok(EvidenceWriter {
            key,
            server,
            next_seq: record.seq.saturating_add(1),
            prev: line_hash(last_line),
        })
    }

    /// The server DID written in every record.
    #[must_use]
    pub fn server_did(&self) -> &str {
        &self.server
    }

    /// The sequence number the next record gets.
    #[must_use]
    pub const fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The hash of the last line written (or the genesis hash).
    #[must_use]
    pub fn head(&self) -> &str {
        &self.prev
    }

    /// Signs one call record; returns its line (no newline).
    ///
    /// # Errors
    /// `malformed_evidence` when the record breaks a rule (level above 4, a denial without a
    /// reason, a malformed hash, …); nothing is appended then.
    pub fn append_call(&mut self, call: &CallRecord<'_>, now: u64) -> Result<String> {
        let line = self.prepare_call(call, now)?;
        self.commit(&line);
        Ok(line)
    }

    /// The line [`append_call`](Self::append_call) would write, without appending it.
    ///
    /// # Errors
    /// As [`append_call`](Self::append_call).
    pub fn prepare_call(&self, call: &CallRecord<'_>, now: u64) -> Result<String> {
        check_call(call)?;
        let mut o = self.base("call", now);
        o.insert("caller", opt(call.caller));
        o.insert("level", Value::from_u64(u64::from(call.level)));
        o.insert("tool", Value::from(call.tool));
        o.insert("toolHash", opt(call.tool_hash));
        o.insert("args", Value::from(call.args_hash));
        let (result, error) = match call.outcome {
            CallOutcome::Result(h) => (Some(h), None),
            CallOutcome::Error(c) => (None, Some(c)),
            CallOutcome::NotRun => (None, None),
        };
        o.insert("result", opt(result));
        o.insert("error", opt(error));
        o.insert("decision", Value::from(call.decision.as_str()));
        o.insert("reason", opt(call.reason));
        self.sign_record(o)
    }

    /// [`append_call`](Self::append_call) from the JSON the bindings pass, hashing the
    /// arguments and the result here so every language hashes the same bytes:
    /// `{"caller": did|null, "level": 0–4, "tool": name, "toolHash": hash|null,
    /// "arguments": any (absent: {}), "result": any | "error": code, "decision": "allow"|"deny",
    /// "reason": code|null}`. Absent optional members count as null; unknown members are
    /// refused.
    ///
    /// # Errors
    /// `malformed_evidence`, or the strict parser's errors.
    pub fn append_call_json(&mut self, call: &str, now: u64) -> Result<String> {
        let line = self.prepare_call_json(call, now)?;
        self.commit(&line);
        Ok(line)
    }

    /// The line [`append_call_json`](Self::append_call_json) would write, without appending.
    ///
    /// # Errors
    /// As [`append_call_json`](Self::append_call_json).
    pub fn prepare_call_json(&self, call: &str, now: u64) -> Result<String> {
        const KNOWN: &[&str] = &[
            "arguments",
            "caller",
            "decision",
            "error",
            "level",
            "reason",
            "result",
            "tool",
            "toolHash",
        ];
        let value = json::parse(call)?;
        let o = value
            .as_object()
            .ok_or_else(|| err!(MalformedEvidence, "a call record is a JSON object"))?;
        if let Some((name, _)) = o.iter().find(|(n, _)| !KNOWN.contains(n)) {
            return Err(err!(
                MalformedEvidence,
                "unknown member {:?}",
                excerpt(name)
            ));
        }
        let opt_member = |name: &str| match o.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(err!(MalformedEvidence, "{:?} is a string or null", name)),
        };
        let level = match o.get("level") {
            None => 0,
            Some(v) => v
                .as_number()
                .and_then(json::Number::as_u64)
                .and_then(|l| u8::try_from(l).ok())
                .ok_or_else(|| err!(MalformedEvidence, "level is an integer 0–4"))?,
        };
        let args = match o.get("arguments") {
            None => hash_value(&Value::Object(Object::new())),
            Some(v) => hash_value(v),
        };
        let result = o.get("result").map(hash_value);
        let error = opt_member("error")?;
        let outcome = outcome_of(result.as_deref(), error)?;
        let decision = match opt_member("decision")? {
            Some("allow") => Decision::Allow,
            Some("deny") => Decision::Deny,
            _ => return Err(err!(MalformedEvidence, "decision is \"allow\" or \"deny\"")),
        };
        let record = CallRecord {
            caller: opt_member("caller")?,
            level,
            tool: opt_member("tool")?.ok_or_else(|| err!(MalformedEvidence, "tool is required"))?,
            tool_hash: opt_member("toolHash")?,
            args_hash: &args,
            outcome,
            decision,
            reason: opt_member("reason")?,
        };
        self.prepare_call(&record, now)
    }

    /// Signs a checkpoint committing to every record so far; returns its line. Write it to
    /// the log and, for [`CheckpointReason::Periodic`], also somewhere the log's writer cannot
    /// rewrite (it is then an anchor for [`LogVerifier::finish`]).
    ///
    /// # Errors
    /// The signer's error, or `signer_failed`; `malformed_evidence` only if the line would
    /// exceed [`MAX_LINE_BYTES`] (it cannot). Nothing is appended on error.
    pub fn checkpoint(&mut self, reason: CheckpointReason, now: u64) -> Result<String> {
        let mut o = self.base("checkpoint", now);
        o.insert("records", Value::from_u64(self.next_seq));
        o.insert("reason", Value::from(reason.as_str()));
        let line = self.sign_record(o)?;
        self.commit(&line);
        Ok(line)
    }

    fn base(&self, kind: &str, now: u64) -> Object {
        let mut o = Object::new();
        o.insert("v", Value::from_u64(EVIDENCE_VERSION));
        o.insert("kind", Value::from(kind));
        o.insert("seq", Value::from_u64(self.next_seq));
        o.insert("prev", Value::from(self.prev.as_str()));
        o.insert("time", Value::from_u64(now));
        o.insert("server", Value::from(self.server.as_str()));
        o
    }

    /// Makes `line` the chain's head.
    fn commit(&mut self, line: &str) {
        self.prev = line_hash(line);
        self.next_seq = self.next_seq.saturating_add(1);
    }

    fn sign_record(&self, mut o: Object) -> Result<String> {
        let mut input = String::from(SIGNING_PREFIX);
        Value::Object(o.clone()).write_jcs(&mut input);
        let sig = sign_checked(&self.key, input.as_bytes())?;
        o.insert("sig", Value::from(sig.to_base64url()));
        let line = Value::Object(o).to_jcs();
        if line.len() > MAX_LINE_BYTES {
            return Err(err!(
                MalformedEvidence,
                "a record of {} bytes exceeds {MAX_LINE_BYTES}",
                line.len()
            ));
        }
        Ok(line)
    }
}

/// The file name of a log's `index`-th file: `<prefix>-<index, 6 digits>.jsonl`, so files sort
/// in chain order by name.
#[must_use]
pub fn file_name(prefix: &str, index: u64) -> String {
    alloc::format!("{prefix}-{index:06}.jsonl")
}

/// The index of a file named by [`file_name`] for `prefix`, or `None` for any other name.
#[must_use]
pub fn file_index(prefix: &str, name: &str) -> Option<u64> {
    let digits = name
        .strip_prefix(prefix)?
        .strip_prefix('-')?
        .strip_suffix(".jsonl")?;
    if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `[{"file", "line"}, …]`: the JSON form of evidence writes every binding hands over.
#[must_use]
pub fn writes_value(writes: &[Write]) -> Value {
    Value::Array(
        writes
            .iter()
            .map(|w| {
                let mut o = Object::new();
                o.insert("file", Value::from_u64(w.file));
                o.insert("line", Value::from(w.line.as_str()));
                Value::Object(o)
            })
            .collect(),
    )
}

/// A line to append to file number `file` (see [`file_name`]), followed by `\n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    /// The file's index.
    pub file: u64,
    /// The record line, without the newline.
    pub line: String,
}

/// A writer plus the rotation policy: says which file each line goes to, so every binding
/// rotates at the same point and names files the same way. The binding only appends lines.
#[derive(Debug)]
pub struct EvidenceLog<K: Signer = SigningKey> {
    writer: EvidenceWriter<K>,
    file: u64,
    file_bytes: u64,
    max_file_bytes: u64,
}

impl<K: Signer> EvidenceLog<K> {
    /// A new chain in file 0. `max_file_bytes`: rotation size ([`DEFAULT_MAX_FILE_BYTES`]).
    #[must_use]
    pub fn new(key: K, max_file_bytes: u64) -> EvidenceLog<K> {
        EvidenceLog {
            writer: EvidenceWriter::new(key),
            file: 0,
            file_bytes: 0,
            max_file_bytes,
        }
    }

    /// Continues after a restart: `last_line` is the last complete line of the newest file
    /// (`file`, currently `file_bytes` long). A newest file that is empty (a rotation just
    /// happened) resumes from the previous file's last line with `file_bytes` 0.
    ///
    /// # Errors
    /// As [`EvidenceWriter::resume`].
    pub fn resume(
        key: K,
        max_file_bytes: u64,
        last_line: &str,
        file: u64,
        file_bytes: u64,
    ) -> Result<EvidenceLog<K>> {
        Ok(EvidenceLog {
            writer: EvidenceWriter::resume(key, last_line)?,
            file,
            file_bytes,
            max_file_bytes,
        })
    }

    /// Continues a file-backed log from what the binding read of its newest files, deciding
    /// here (not per binding) how: `newest_text` is the whole newest file (index
    /// `newest_index`); `previous_text` the file before it, read only when the newest is
    /// empty (a rotation just happened). An empty log (no previous file) starts a new chain
    /// in that file; otherwise the chain resumes from the last complete line.
    ///
    /// # Errors
    /// `malformed_evidence` when the line to resume from was cut mid-line (an interrupted
    /// write: move the file aside rather than silently start a new chain); as
    /// [`EvidenceWriter::resume`].
    pub fn resume_files(
        key: K,
        max_file_bytes: u64,
        newest_index: u64,
        newest_text: &str,
        previous_text: Option<&str>,
    ) -> Result<EvidenceLog<K>> {
        let last = match (newest_text, previous_text) {
            ("", None) => {
                let mut log = EvidenceLog::new(key, max_file_bytes);
                log.file = newest_index;
                return Ok(log);
            }
            ("", Some(previous)) => previous,
            (newest, _) => newest,
        };
        let body = last.strip_suffix('\n').ok_or_else(|| {
            err!(
                MalformedEvidence,
                "the log's last file ends with a partial line (an interrupted write): move it aside before resuming the log"
            )
        })?;
        let line = body.rsplit('\n').next().unwrap_or(body);
        EvidenceLog::resume(
            key,
            max_file_bytes,
            line,
            newest_index,
            newest_text.len() as u64,
        )
    }

    /// The writer (server DID, next sequence number, head).
    #[must_use]
    pub const fn writer(&self) -> &EvidenceWriter<K> {
        &self.writer
    }

    /// The index of the file being written.
    #[must_use]
    pub const fn file(&self) -> u64 {
        self.file
    }

    fn emit(&mut self, line: String) -> Write {
        self.file_bytes = self
            .file_bytes
            .saturating_add(line.len() as u64)
            .saturating_add(1);
        Write {
            file: self.file,
            line,
        }
    }

    /// Records a call ([`EvidenceWriter::append_call_json`]). When the record would take the
    /// file past its size, a `rotate` checkpoint closes the file first and the record opens
    /// the next one: two writes, in order.
    ///
    /// # Errors
    /// As [`EvidenceWriter::append_call_json`]; nothing is written then.
    pub fn append_call_json(&mut self, call: &str, now: u64) -> Result<Vec<Write>> {
        self.append_with(|w| w.prepare_call_json(call, now), now)
    }

    /// [`append_call_json`](Self::append_call_json) for a record whose hashes are computed.
    ///
    /// # Errors
    /// As [`EvidenceWriter::append_call`]; nothing is written then.
    pub fn append_call(&mut self, call: &CallRecord<'_>, now: u64) -> Result<Vec<Write>> {
        self.append_with(|w| w.prepare_call(call, now), now)
    }

    fn append_with(
        &mut self,
        prepare: impl Fn(&EvidenceWriter<K>) -> Result<String>,
        now: u64,
    ) -> Result<Vec<Write>> {
        // The record is signed before it is committed: its size decides the rotation, and a
        // record moved to the next file must be re-signed after the checkpoint's seq.
        let mut out = Vec::new();
        let mut line = prepare(&self.writer)?;
        if rotation_due(self.file_bytes, line.len() as u64, self.max_file_bytes) {
            let cp = self.writer.checkpoint(CheckpointReason::Rotate, now)?;
            out.push(self.emit(cp));
            self.file = self.file.saturating_add(1);
            self.file_bytes = 0;
            line = prepare(&self.writer)?;
        }
        self.writer.commit(&line);
        out.push(self.emit(line));
        Ok(out)
    }

    /// A `periodic` checkpoint in the current file: copy its line somewhere the server
    /// cannot rewrite, as an anchor for [`LogVerifier::finish`].
    ///
    /// # Errors
    /// As [`EvidenceWriter::checkpoint`].
    pub fn checkpoint(&mut self, now: u64) -> Result<Write> {
        let line = self.writer.checkpoint(CheckpointReason::Periodic, now)?;
        Ok(self.emit(line))
    }

    /// A `close` checkpoint, for a clean shutdown.
    ///
    /// # Errors
    /// As [`EvidenceWriter::checkpoint`].
    pub fn close(&mut self, now: u64) -> Result<Write> {
        let line = self.writer.checkpoint(CheckpointReason::Close, now)?;
        Ok(self.emit(line))
    }
}

/// The fields of a verified record a verifier reasons about.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ParsedRecord {
    seq: u64,
    prev: String,
    time: u64,
    server: String,
    checkpoint: Option<(u64, CheckpointReason)>,
}

fn field_str<'a>(o: &'a Object, name: &str) -> Result<&'a str> {
    o.get(name).and_then(Value::as_str).ok_or_else(|| {
        err!(
            MalformedEvidence,
            "member {:?} is missing or not a string",
            name
        )
    })
}

fn field_u64(o: &Object, name: &str) -> Result<u64> {
    o.get(name)
        .and_then(Value::as_number)
        .and_then(json::Number::as_u64)
        .ok_or_else(|| {
            err!(
                MalformedEvidence,
                "member {:?} is missing or not a count",
                name
            )
        })
}

fn field_opt_str<'a>(o: &'a Object, name: &str) -> Result<Option<&'a str>> {
    match o.get(name) {
        Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        _ => Err(err!(
            MalformedEvidence,
            "member {:?} is missing or not a string or null",
            name
        )),
    }
}

const CALL_MEMBERS: &[&str] = &[
    "args", "caller", "decision", "error", "kind", "level", "prev", "reason", "result", "seq",
    "server", "sig", "time", "tool", "toolHash", "v",
];
const CHECKPOINT_MEMBERS: &[&str] = &[
    "kind", "prev", "reason", "records", "seq", "server", "sig", "time", "v",
];

/// Parses one line strictly (canonical form, exact member set, field rules) and checks its
/// signature under `key`.
fn parse_record(line: &str, key: &VerifyingKey) -> Result<ParsedRecord> {
    if line.len() > MAX_LINE_BYTES {
        return Err(err!(
            InputTooLarge,
            "a record line exceeds {} bytes",
            MAX_LINE_BYTES
        ));
    }
    let value = json::parse(line)
        .map_err(|e| err!(MalformedEvidence, "not a JSON record: {}", e.message()))?;
    let Value::Object(mut o) = value else {
        return Err(err!(MalformedEvidence, "a record is a JSON object"));
    };
    // A line that is not the record's canonical form could hash differently in another
    // implementation; the chain is defined over canonical bytes only.
    if Value::Object(o.clone()).to_jcs() != line {
        return Err(err!(
            MalformedEvidence,
            "the record is not in RFC 8785 canonical form"
        ));
    }
    if field_u64(&o, "v")? != EVIDENCE_VERSION {
        return Err(err!(MalformedEvidence, "unsupported record version"));
    }
    let kind = field_str(&o, "kind")?;
    let members = match kind {
        "call" => CALL_MEMBERS,
        "checkpoint" => CHECKPOINT_MEMBERS,
        other => {
            return Err(err!(
                MalformedEvidence,
                "unknown record kind {:?}",
                excerpt(other)
            ))
        }
    };
    if o.len() != members.len() || members.iter().any(|m| o.get(m).is_none()) {
        return Err(err!(
            MalformedEvidence,
            "a {} record has exactly the members {:?}",
            kind,
            members
        ));
    }
    let seq = field_u64(&o, "seq")?;
    let prev = field_str(&o, "prev")?.to_string();
    let time = field_u64(&o, "time")?;
    let server = field_str(&o, "server")?.to_string();
    if !is_hash(&prev) {
        return Err(err!(MalformedEvidence, "prev is not sha256-<base64url>"));
    }
    let checkpoint = if kind == "checkpoint" {
        let records = field_u64(&o, "records")?;
        let reason = CheckpointReason::from_name(field_str(&o, "reason")?)
            .ok_or_else(|| err!(MalformedEvidence, "unknown checkpoint reason"))?;
        if records != seq {
            return Err(err!(
                MalformedEvidence,
                "a checkpoint at seq {} counts {} records",
                seq,
                records
            ));
        }
        Some((records, reason))
    } else {
        let level = field_u64(&o, "level")?;
        let level = u8::try_from(level).unwrap_or(u8::MAX);
        let decision = match field_str(&o, "decision")? {
            "allow" => Decision::Allow,
            "deny" => Decision::Deny,
            _ => return Err(err!(MalformedEvidence, "decision is allow or deny")),
        };
        let result = field_opt_str(&o, "result")?;
        let error = field_opt_str(&o, "error")?;
        let outcome = outcome_of(result, error)?;
        check_call(&CallRecord {
            caller: field_opt_str(&o, "caller")?,
            level,
            tool: field_str(&o, "tool")?,
            tool_hash: field_opt_str(&o, "toolHash")?,
            args_hash: field_str(&o, "args")?,
            outcome,
            decision,
            reason: field_opt_str(&o, "reason")?,
        })?;
        None
    };
    let sig = Signature::from_base64url(field_str(&o, "sig")?)?;
    o.remove("sig");
    let mut input = String::from(SIGNING_PREFIX);
    Value::Object(o).write_jcs(&mut input);
    key.verify(input.as_bytes(), &sig)?;
    Ok(ParsedRecord {
        seq,
        prev,
        time,
        server,
        checkpoint,
    })
}

/// One thing wrong with a log, at a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line number across every line pushed, in order.
    pub line: u64,
    /// The record's sequence number, when the line parsed that far.
    pub seq: Option<u64>,
    /// `malformed_evidence`, `invalid_signature`, `evidence_chain_broken`,
    /// `evidence_truncated`, `key_mismatch`, `input_too_large`, …
    pub code: ErrorCode,
    /// What is wrong, for people.
    pub message: String,
}

/// What [`LogVerifier::finish`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogReport {
    /// Lines read.
    pub lines: u64,
    /// Records that verified (calls and checkpoints).
    pub records: u64,
    /// Verified checkpoints.
    pub checkpoints: u64,
    /// Sequence number of the first line, when it parsed.
    pub first_seq: Option<u64>,
    /// Sequence number of the last verified record.
    pub last_seq: Option<u64>,
    /// Hash of the last line (what the next record's `prev` must be).
    pub head: Option<String>,
    /// Whether the first record starts the server's chain (sequence 0, genesis `prev`).
    /// A log that starts later (an earlier file not supplied) proves nothing before it.
    pub from_genesis: bool,
    /// Anchors that matched a record of the log.
    pub anchors_matched: u64,
    /// Every problem found, in line order, at most [`MAX_PROBLEMS`].
    pub problems: Vec<Problem>,
    /// Problems found beyond [`MAX_PROBLEMS`].
    pub problems_omitted: u64,
}

impl LogReport {
    /// No problem: every line verified, the chain is unbroken and every anchor matched.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty() && self.problems_omitted == 0
    }

    /// The report as canonical JSON, identical in every language.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut o = Object::new();
        o.insert("valid", Value::Bool(self.is_valid()));
        o.insert("lines", Value::from_u64(self.lines));
        o.insert("records", Value::from_u64(self.records));
        o.insert("checkpoints", Value::from_u64(self.checkpoints));
        o.insert(
            "firstSeq",
            self.first_seq.map_or(Value::Null, Value::from_u64),
        );
        o.insert(
            "lastSeq",
            self.last_seq.map_or(Value::Null, Value::from_u64),
        );
        o.insert("head", opt(self.head.as_deref()));
        o.insert("fromGenesis", Value::Bool(self.from_genesis));
        o.insert("anchorsMatched", Value::from_u64(self.anchors_matched));
        let problems = self
            .problems
            .iter()
            .map(|p| {
                let mut q = Object::new();
                q.insert("line", Value::from_u64(p.line));
                q.insert("seq", p.seq.map_or(Value::Null, Value::from_u64));
                q.insert("code", Value::from(p.code.as_str()));
                q.insert("message", Value::from(p.message.as_str()));
                Value::Object(q)
            })
            .collect();
        o.insert("problems", Value::Array(problems));
        o.insert("problemsOmitted", Value::from_u64(self.problems_omitted));
        Value::Object(o).to_jcs()
    }
}

/// Verifies a log line by line, keeping only the chain's head and the checkpoints' hashes:
/// push every line of every file
/// in order (oldest file first), then [`finish`](LogVerifier::finish) with any anchors.
#[derive(Debug)]
pub struct LogVerifier {
    key: VerifyingKey,
    server: String,
    report: LogReport,
    /// `(seq, prev)` the next record must carry, once a first record has set the chain.
    expect: Option<(u64, String)>,
    last_time: u64,
    /// `seq → line hash` of the records anchors can name: only checkpoint lines are kept,
    /// since an anchor is a checkpoint.
    checkpoints: alloc::collections::BTreeMap<u64, String>,
    last_line_hash: Option<String>,
}

impl LogVerifier {
    /// A verifier for the chain of the server whose key is `key`.
    #[must_use]
    pub fn new(key: &VerifyingKey) -> LogVerifier {
        LogVerifier {
            key: *key,
            server: key.to_did_key(),
            report: LogReport {
                lines: 0,
                records: 0,
                checkpoints: 0,
                first_seq: None,
                last_seq: None,
                head: None,
                from_genesis: false,
                anchors_matched: 0,
                problems: Vec::new(),
                problems_omitted: 0,
            },
            expect: None,
            last_time: 0,
            checkpoints: alloc::collections::BTreeMap::new(),
            last_line_hash: None,
        }
    }

    fn problem(&mut self, seq: Option<u64>, error: &Error) {
        if self.report.problems.len() < MAX_PROBLEMS {
            self.report.problems.push(Problem {
                line: self.report.lines,
                seq,
                code: error.code(),
                message: error.message().to_string(),
            });
        } else {
            self.report.problems_omitted = self.report.problems_omitted.saturating_add(1);
        }
    }

    /// Checks the next line (without its newline; a trailing `\r` is refused as
    /// non-canonical). Empty lines are problems too: the writer never writes one.
    pub fn push(&mut self, line: &str) {
        self.report.lines = self.report.lines.saturating_add(1);
        let hash = line_hash(line);
        let record = match parse_record(line, &self.key) {
            Ok(r) => r,
            Err(e) => {
                self.problem(None, &e);
                // The chain cannot be followed through a line that does not verify: the next
                // record is judged by its own seq and prev, and its broken link is not
                // reported again.
                self.expect = None;
                self.last_line_hash = Some(hash);
                return;
            }
        };
        let first = self.report.lines == 1;
        if first {
            self.report.first_seq = Some(record.seq);
        }
        if record.server != self.server {
            let e = err!(
                KeyMismatch,
                "the record names server {}",
                excerpt(&record.server)
            );
            self.problem(Some(record.seq), &e);
        }
        match &self.expect {
            None if first => {
                self.report.from_genesis =
                    record.seq == 0 && record.prev == genesis_hash(&self.server);
                if record.seq == 0 && !self.report.from_genesis {
                    let e = err!(
                        EvidenceChainBroken,
                        "record 0 does not start at the genesis hash"
                    );
                    self.problem(Some(0), &e);
                }
            }
            // After a line that did not verify: its successor's link to it is the same fault,
            // already reported; the chain resumes from this record.
            None => {}
            Some((seq, prev)) => {
                if record.seq != *seq {
                    let e = if record.seq > *seq {
                        err!(
                            EvidenceChainBroken,
                            "expected seq {seq}, found {}: records {seq}–{} are missing",
                            record.seq,
                            record.seq - 1
                        )
                    } else {
                        err!(
                            EvidenceChainBroken,
                            "expected seq {seq}, found {}: a record was moved or repeated",
                            record.seq
                        )
                    };
                    self.problem(Some(record.seq), &e);
                } else if record.prev != *prev {
                    let e = err!(
                        EvidenceChainBroken,
                        "prev does not match the hash of the line before: that line was edited or replaced"
                    );
                    self.problem(Some(record.seq), &e);
                }
            }
        }
        if record.time < self.last_time {
            let e = err!(EvidenceChainBroken, "time goes backwards");
            self.problem(Some(record.seq), &e);
        }
        self.last_time = record.time;
        if record.checkpoint.is_some() {
            self.report.checkpoints = self.report.checkpoints.saturating_add(1);
            self.checkpoints.insert(record.seq, hash.clone());
        }
        self.report.records = self.report.records.saturating_add(1);
        self.report.last_seq = Some(record.seq);
        self.expect = Some((record.seq.saturating_add(1), hash.clone()));
        self.last_line_hash = Some(hash);
    }

    /// Ends the log and checks `anchors`: checkpoint lines kept elsewhere. Each must verify
    /// under the key and appear in the log byte for byte; an anchor past the log's end means
    /// the log was cut (`evidence_truncated`).
    #[must_use]
    pub fn finish(mut self, anchors: &[&str]) -> LogReport {
        for anchor in anchors {
            let a = match parse_record(anchor, &self.key) {
                Ok(a) if a.checkpoint.is_some() => a,
                Ok(a) => {
                    let e = err!(MalformedEvidence, "an anchor is a checkpoint record");
                    self.anchor_problem(Some(a.seq), &e);
                    continue;
                }
                Err(e) => {
                    self.anchor_problem(None, &e);
                    continue;
                }
            };
            let hash = line_hash(anchor);
            match self.checkpoints.get(&a.seq) {
                Some(h) if *h == hash => {
                    self.report.anchors_matched = self.report.anchors_matched.saturating_add(1);
                }
                Some(_) => {
                    let e = err!(
                        EvidenceChainBroken,
                        "the log's checkpoint at seq {} differs from the anchor",
                        a.seq
                    );
                    self.anchor_problem(Some(a.seq), &e);
                }
                None if self.report.last_seq.is_none_or(|l| l < a.seq) => {
                    let e = err!(
                        EvidenceTruncated,
                        "an anchor commits to seq {} but the log ends at {}",
                        a.seq,
                        self.report
                            .last_seq
                            .map_or(String::from("nothing"), |l| l.to_string())
                    );
                    self.anchor_problem(Some(a.seq), &e);
                }
                None => {
                    let e = err!(
                        EvidenceTruncated,
                        "the checkpoint at seq {} named by an anchor is missing from the log",
                        a.seq
                    );
                    self.anchor_problem(Some(a.seq), &e);
                }
            }
        }
        self.report.head = self.last_line_hash.take();
        self.report
    }

    fn anchor_problem(&mut self, seq: Option<u64>, error: &Error) {
        // Anchor problems are not at a line of the log: line 0 says so.
        let lines = self.report.lines;
        self.report.lines = 0;
        self.problem(seq, error);
        self.report.lines = lines;
    }
}

/// Verifies a whole log given as text (every file's contents concatenated in order): splits
/// at `\n` (the last line may lack one) and runs a [`LogVerifier`].
///
/// # Errors
/// `input_too_large` when `text` is larger than `max_bytes`.
pub fn verify_log(
    text: &str,
    key: &VerifyingKey,
    anchors: &[&str],
    max_bytes: usize,
) -> Result<LogReport> {
    if text.len() > max_bytes {
        return Err(err!(
            InputTooLarge,
            "a log of {} bytes exceeds {max_bytes}",
            text.len()
        ));
    }
    let mut v = LogVerifier::new(key);
    let body = text.strip_suffix('\n').unwrap_or(text);
    if !body.is_empty() {
        for line in body.split('\n') {
            v.push(line);
        }
    }
    Ok(v.finish(anchors))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use alloc::format;
    use alloc::vec;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[9; 32])
    }

    fn call<'a>(args: &'a str, result: &'a str, i: usize) -> CallRecord<'a> {
        CallRecord {
            caller: if i % 2 == 0 {
                Some("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
            } else {
                None
            },
            level: if i % 2 == 0 { 1 } else { 0 },
            tool: "echo",
            tool_hash: None,
            args_hash: args,
            outcome: if i % 3 == 2 {
                CallOutcome::NotRun
            } else {
                CallOutcome::Result(result)
            },
            decision: if i % 3 == 2 {
                Decision::Deny
            } else {
                Decision::Allow
            },
            reason: if i % 3 == 2 {
                Some("insufficient_trust_level")
            } else {
                None
            },
        }
    }

    fn log(n: usize) -> Vec<String> {
        let args = hash_json("{}").unwrap();
        let result = hash_json(r#"{"content":[]}"#).unwrap();
        let mut w = EvidenceWriter::new(key());
        let mut lines = Vec::new();
        for i in 0..n {
            lines.push(
                w.append_call(&call(&args, &result, i), 1000 + i as u64)
                    .unwrap(),
            );
            if i == 3 {
                lines.push(
                    w.checkpoint(CheckpointReason::Rotate, 1000 + i as u64)
                        .unwrap(),
                );
            }
        }
        lines
    }

    fn check(lines: &[String], anchors: &[&str]) -> LogReport {
        let public = key().verifying_key();
        let mut v = LogVerifier::new(&public);
        for l in lines {
            v.push(l);
        }
        v.finish(anchors)
    }

    #[test]
    fn honest_log_verifies_from_genesis() {
        let lines = log(8);
        let r = check(&lines, &[]);
        assert!(r.is_valid(), "{:?}", r.problems);
        assert_eq!(r.records, 9);
        assert_eq!(r.checkpoints, 1);
        assert!(r.from_genesis);
        assert_eq!(r.last_seq, Some(8));
        assert_eq!(r.head.as_deref(), Some(line_hash(&lines[8]).as_str()));
    }

    #[test]
    fn edited_record_is_named_once() {
        let mut lines = log(8);
        lines[2] = lines[2].replace("\"time\":1002", "\"time\":1003");
        let r = check(&lines, &[]);
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert_eq!(r.problems[0].line, 3);
        assert_eq!(r.problems[0].code, ErrorCode::InvalidSignature);
    }

    #[test]
    fn deleted_reordered_and_foreign_records_are_named() {
        let mut deleted = log(8);
        deleted.remove(4);
        let r = check(&deleted, &[]);
        assert_eq!(r.problems.len(), 1);
        assert_eq!(
            (r.problems[0].line, r.problems[0].code),
            (5, ErrorCode::EvidenceChainBroken)
        );

        let mut swapped = log(8);
        swapped.swap(5, 6);
        let r = check(&swapped, &[]);
        assert_eq!(r.problems[0].line, 6);
        assert!(r
            .problems
            .iter()
            .all(|p| p.code == ErrorCode::EvidenceChainBroken));

        let other = SigningKey::from_bytes(&[10; 32]);
        let mut w = EvidenceWriter::new(other);
        let mut foreign = log(3);
        foreign.push(w.checkpoint(CheckpointReason::Close, 2000).unwrap());
        let r = check(&foreign, &[]);
        assert_eq!(r.problems.len(), 1);
        assert_eq!(
            (r.problems[0].line, r.problems[0].code),
            (4, ErrorCode::InvalidSignature)
        );
    }

    #[test]
    fn truncation_is_caught_by_an_anchor_only() {
        let args = hash_json("{}").unwrap();
        let result = hash_json("{}").unwrap();
        let mut w = EvidenceWriter::new(key());
        let mut lines = Vec::new();
        for i in 0..4 {
            lines.push(w.append_call(&call(&args, &result, i), 10).unwrap());
        }
        let anchor = w.checkpoint(CheckpointReason::Periodic, 11).unwrap();
        lines.push(anchor.clone());
        lines.push(w.append_call(&call(&args, &result, 0), 12).unwrap());
        assert!(check(&lines, &[&anchor]).is_valid());
        assert_eq!(check(&lines, &[&anchor]).anchors_matched, 1);
        // Cut before the checkpoint: without the anchor the shorter log still verifies (the
        // documented limit); with it the cut is named.
        let cut = &lines[..3];
        assert!(check(cut, &[]).is_valid());
        let r = check(cut, &[&anchor]);
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].code, ErrorCode::EvidenceTruncated);
        assert_eq!(r.problems[0].line, 0);
    }

    #[test]
    fn resume_continues_the_chain_and_refuses_another_key() {
        let lines = log(3);
        let mut w = EvidenceWriter::resume(key(), lines.last().unwrap()).unwrap();
        assert_eq!(w.next_seq(), 3);
        let mut all = lines.clone();
        all.push(w.checkpoint(CheckpointReason::Close, 5000).unwrap());
        assert!(check(&all, &[]).is_valid());
        let err = EvidenceWriter::resume(SigningKey::from_bytes(&[10; 32]), &lines[0]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidSignature);
    }

    #[test]
    fn writer_refuses_records_that_break_the_rules() {
        let args = hash_json("{}").unwrap();
        let mut w = EvidenceWriter::new(key());
        let mut bad = call(&args, &args, 2);
        bad.reason = None;
        assert_eq!(
            w.append_call(&bad, 0).unwrap_err().code(),
            ErrorCode::MalformedEvidence
        );
        let mut bad = call(&args, &args, 1);
        bad.level = 3;
        assert_eq!(
            w.append_call(&bad, 0).unwrap_err().code(),
            ErrorCode::MalformedEvidence
        );
        let mut bad = call(&args, "sha256-x", 0);
        bad.level = 5;
        assert_eq!(
            w.append_call(&bad, 0).unwrap_err().code(),
            ErrorCode::MalformedEvidence
        );
        assert_eq!(w.next_seq(), 0, "nothing was appended");
    }

    #[test]
    fn non_canonical_or_hostile_lines_are_problems_not_panics() {
        let lines = log(2);
        let spaced = lines[0].replacen(':', ": ", 1);
        let cases = vec![
            String::new(),
            String::from("{"),
            spaced,
            format!("{}\r", lines[0]),
            "[".repeat(100_000),
            format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_LINE_BYTES)),
        ];
        for c in &cases {
            let r = check(core::slice::from_ref(c), &[]);
            assert_eq!(r.problems.len(), 1, "{}", excerpt(c));
        }
    }

    #[test]
    fn json_calls_hash_in_the_core() {
        let mut a = EvidenceWriter::new(key());
        let mut b = EvidenceWriter::new(key());
        let args = hash_json(r#"{"x":1}"#).unwrap();
        let result = hash_json(r#"{"content":[{"text":"hi","type":"text"}]}"#).unwrap();
        let direct = a
            .append_call(
                &CallRecord {
                    caller: None,
                    level: 0,
                    tool: "echo",
                    tool_hash: None,
                    args_hash: &args,
                    outcome: CallOutcome::Result(&result),
                    decision: Decision::Allow,
                    reason: None,
                },
                7,
            )
            .unwrap();
        let via_json = b
            .append_call_json(
                r#"{"tool":"echo","arguments":{"x":1.0},"result":{"content":[{"type":"text","text":"hi"}]},"decision":"allow"}"#,
                7,
            )
            .unwrap();
        assert_eq!(direct, via_json);
        for bad in [
            r#"{"tool":"echo","decision":"allow","result":{},"extra":1}"#,
            r#"{"tool":"echo","decision":"maybe","result":{}}"#,
            r#"{"tool":"echo","decision":"allow","result":{},"error":"x"}"#,
            r#"{"tool":"echo","decision":"allow","result":{},"level":9}"#,
            r#"{"decision":"deny","reason":"r"}"#,
            r#"[]"#,
        ] {
            assert_eq!(
                b.append_call_json(bad, 8).unwrap_err().code(),
                ErrorCode::MalformedEvidence,
                "{bad}"
            );
        }
    }

    #[test]
    fn file_log_rotates_with_a_checkpoint_and_resumes() {
        let call = r#"{"tool":"echo","decision":"allow","result":{}}"#;
        let mut log = EvidenceLog::new(key(), 1500);
        let mut writes = Vec::new();
        for i in 0..8 {
            writes.extend(log.append_call_json(call, 100 + i).unwrap());
        }
        let files: Vec<u64> = writes.iter().map(|w| w.file).collect();
        assert!(files.windows(2).all(|w| w[1] == w[0] || w[1] == w[0] + 1));
        assert!(*files.last().unwrap() >= 2, "{files:?}");
        for (i, w) in writes.iter().enumerate() {
            let next_file = writes.get(i + 1).map(|n| n.file);
            if next_file.is_some_and(|f| f != w.file) {
                assert!(
                    w.line.contains("\"reason\":\"rotate\""),
                    "a file ends with a rotate checkpoint"
                );
            }
        }
        let per_file = |f: u64| {
            writes
                .iter()
                .filter(|w| w.file == f)
                .map(|w| w.line.len() as u64 + 1)
                .sum::<u64>()
        };
        assert!(
            per_file(0) <= 1500 + 400,
            "rotation kept file 0 near its limit"
        );
        let lines: Vec<String> = writes.iter().map(|w| w.line.clone()).collect();
        assert!(check(&lines, &[]).is_valid());

        let last = writes.last().unwrap();
        // The binding's view: the newest file's text; an interrupted write is refused.
        let newest: String = writes
            .iter()
            .filter(|w| w.file == last.file)
            .map(|w| alloc::format!("{}\n", w.line))
            .collect();
        let via_files = EvidenceLog::resume_files(key(), 1500, last.file, &newest, None).unwrap();
        assert_eq!(via_files.writer().next_seq(), writes.len() as u64);
        let cut = &newest[..newest.len() - 3];
        assert_eq!(
            EvidenceLog::resume_files(key(), 1500, last.file, cut, None)
                .unwrap_err()
                .code(),
            ErrorCode::MalformedEvidence
        );
        let fresh = EvidenceLog::resume_files(key(), 1500, 0, "", None).unwrap();
        assert_eq!(fresh.writer().next_seq(), 0);
        let after_rotation =
            EvidenceLog::resume_files(key(), 1500, last.file + 1, "", Some(&newest)).unwrap();
        assert_eq!(
            (after_rotation.file(), after_rotation.writer().next_seq()),
            (last.file + 1, writes.len() as u64)
        );

        // Resume from the newest file and keep going: still one chain.
        let mut again =
            EvidenceLog::resume(key(), 1500, &last.line, last.file, per_file(last.file)).unwrap();
        let more = again.append_call_json(call, 200).unwrap();
        assert_eq!(more[0].file, last.file);
        let mut all = lines;
        all.extend(more.into_iter().map(|w| w.line));
        assert!(check(&all, &[]).is_valid());

        // A refused call changes nothing.
        let before = again.writer().next_seq();
        assert!(again.append_call_json("{}", 201).is_err());
        assert_eq!(again.writer().next_seq(), before);
    }

    #[test]
    fn file_names_sort_in_chain_order() {
        assert_eq!(file_name("evidence", 7), "evidence-000007.jsonl");
        assert_eq!(file_index("evidence", "evidence-000007.jsonl"), Some(7));
        assert_eq!(
            file_index("evidence", "evidence-1234567.jsonl"),
            Some(1_234_567)
        );
        for other in [
            "evidence-7.jsonl",
            "evidence-00000x.jsonl",
            "other-000001.jsonl",
            "evidence-000001.json",
        ] {
            assert_eq!(file_index("evidence", other), None, "{other}");
        }
    }

    /// A key in a store that answers with another key's signatures.
    struct Liar(SigningKey, SigningKey);
    impl Signer for Liar {
        fn verifying_key(&self) -> VerifyingKey {
            self.0.verifying_key()
        }
        fn try_sign(&self, message: &[u8]) -> Result<Signature> {
            Ok(self.1.sign(message))
        }
    }

    #[test]
    fn a_signer_that_lies_writes_nothing() {
        let mut w = EvidenceWriter::new(Liar(key(), SigningKey::from_bytes(&[10; 32])));
        let call = r#"{"tool":"echo","decision":"allow","result":{}}"#;
        assert_eq!(
            w.append_call_json(call, 1).unwrap_err().code(),
            ErrorCode::SignerFailed
        );
        assert_eq!(
            w.checkpoint(CheckpointReason::Close, 1).unwrap_err().code(),
            ErrorCode::SignerFailed
        );
        assert_eq!(w.next_seq(), 0);
        // The same store answering honestly (through the Signer path, not the in-memory one).
        let mut honest = EvidenceWriter::new(Liar(key(), key()));
        let line = honest.append_call_json(call, 1).unwrap();
        assert!(check(&[line], &[]).is_valid());
    }

    #[test]
    fn problem_messages_name_what_is_wrong() {
        // err! with an inline capture takes its constant arm: these messages once read
        // "member {name:?} …" and "a {kind} record …" literally.
        let line = log(1).remove(0).replace("\"seq\":0", "\"seq\":\"0\"");
        let r = check(&[line], &[]);
        assert_eq!(r.problems[0].code, ErrorCode::MalformedEvidence);
        assert!(
            r.problems[0].message.contains("\"seq\""),
            "{}",
            r.problems[0].message
        );
        let extra = log(1).remove(0).replacen("{", "{\"a\":1,", 1);
        let r = check(&[extra], &[]);
        assert!(
            r.problems[0]
                .message
                .starts_with("a call record has exactly"),
            "{}",
            r.problems[0].message
        );
        let mut w = EvidenceWriter::new(key());
        let e = w
            .append_call_json(
                r#"{"tool":"t","decision":"allow","result":{},"caller":7}"#,
                0,
            )
            .unwrap_err();
        assert!(e.message().starts_with("\"caller\" is"), "{}", e.message());
        for p in r.problems.iter() {
            assert!(!p.message.contains('{'), "{}", p.message);
        }
    }

    #[test]
    fn rotation_rule() {
        assert!(!rotation_due(0, 10_000, 100));
        assert!(!rotation_due(50, 48, 100));
        assert!(rotation_due(50, 50, 100));
    }

    #[test]
    fn hashes_are_canonical() {
        assert_eq!(
            hash_json(r#"{"b":1,"a":[1.0]}"#).unwrap(),
            hash_json(r#"{"a":[1],"b":1}"#).unwrap()
        );
        assert_eq!(hash_json("{}").unwrap(), sha256_tag(b"{}"));
    }
}

//! Glue for caller identity (spec §20) and evidence logs (§19). JSON text in, JSON text out;
//! every decision is the core's (Python's `mcp_attest.caller` / `mcp_attest.evidence` wrap
//! these).

use std::sync::{Mutex, MutexGuard};

use mcp_attest::caller::{self, CallerVerifier as CoreVerifier, LevelBasis};
use mcp_attest::evidence::{self, EvidenceLog as CoreLog, LogVerifier as CoreLogVerifier, Write};
use mcp_attest::interop;
use mcp_attest::{Error, ErrorCode};
use pyo3::prelude::*;

use crate::convert::{json_text, text};
use crate::error::{glue_error, CoreResult};
use crate::keys::{signer_arg, PySigner, VerifyingKey};
use crate::trust::lock_attached;
use crate::trust::TrustStore;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// ``(params_json, proof)``: the request params with the caller's proof (and passport)
/// attached, and the proof alone for the HTTP header. ``key``: a ``SigningKey`` or a signer
/// object; ``nonce``: 16 random bytes.
#[pyfunction]
#[pyo3(signature = (key, passport, audience, method, params, now, nonce))]
pub(crate) fn caller_attach(
    key: &Bound<'_, PyAny>,
    passport: Option<&str>,
    audience: &str,
    method: &str,
    params: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
    nonce: &[u8],
) -> PyResult<(String, String)> {
    let nonce = nonce16(nonce)?;
    let p = json_text(params, "params")?;
    let key = signer_arg(key, "key")?;
    let a = caller::attach(
        &key,
        passport,
        audience,
        method,
        &p,
        crate::convert::now(now)?,
        &nonce,
    )
    .py()?;
    Ok((a.params, a.proof))
}

/// A ``caller::CallerContext`` with the caller's key (or none), built once per report.
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct CallerContext {
    key: Option<PySigner>,
    ctx: caller::CallerContext,
}

#[pymethods]
impl CallerContext {
    #[new]
    #[pyo3(signature = (report, key = None, passport = None))]
    fn py_new(
        report: &Bound<'_, PyAny>,
        key: Option<&Bound<'_, PyAny>>,
        passport: Option<&str>,
    ) -> PyResult<Self> {
        let key = key.map(|k| signer_arg(k, "key")).transpose()?;
        let ctx =
            caller::CallerContext::new(&json_text(report, "report")?, key.is_some(), passport)
                .py()?;
        Ok(CallerContext { key, ctx })
    }
    /// ``(params_json, proof)`` with a key, ``None`` without one.
    #[pyo3(signature = (params, now, nonce))]
    fn prepare(
        &self,
        params: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
        nonce: &[u8],
    ) -> PyResult<Option<(String, String)>> {
        let nonce = nonce16(nonce)?;
        let p = json_text(params, "params")?;
        let a = self
            .ctx
            .prepare(self.key.as_ref(), &p, crate::convert::now(now)?, &nonce)
            .py()?;
        Ok(a.map(|a| (a.params, a.proof)))
    }
}

/// ``caller::client_call_evidence`` (JSON text): exactly one of ``result``, ``error``,
/// ``refused``.
#[pyfunction]
#[pyo3(signature = (report, params, result = None, error = None, refused = None))]
pub(crate) fn client_call_evidence(
    report: &Bound<'_, PyAny>,
    params: &Bound<'_, PyAny>,
    result: Option<&Bound<'_, PyAny>>,
    error: Option<&Bound<'_, PyAny>>,
    refused: Option<&str>,
) -> PyResult<String> {
    let r = json_text(report, "report")?;
    let p = json_text(params, "params")?;
    let result = result.map(|x| json_text(x, "result")).transpose()?;
    let error = error.map(|x| json_text(x, "error")).transpose()?;
    let outcome = match (&result, &error, refused) {
        (Some(r), None, None) => caller::ClientOutcome::Result(r),
        (None, Some(e), None) => caller::ClientOutcome::Error(e),
        (None, None, Some(c)) => caller::ClientOutcome::RefusedLocally(c),
        _ => {
            return Err(glue_error(
                ErrorCode::MalformedEvidence,
                "a call ends with a result, an error or a local refusal",
            ))
        }
    };
    caller::client_call_evidence(&r, &p, outcome).py()
}

fn nonce16(nonce: &[u8]) -> PyResult<[u8; 16]> {
    nonce.try_into().map_err(|_| {
        glue_error(
            ErrorCode::InvalidClaim,
            "a caller proof needs 16 random bytes",
        )
    })
}

/// ``sha256-…`` of what a proof binds (method, tool name and arguments; not ``_meta``).
#[pyfunction]
pub(crate) fn caller_request_hash(method: &str, params: &Bound<'_, PyAny>) -> PyResult<String> {
    caller::request_hash(method, &json_text(params, "params")?).py()
}

/// The trust level (0–4) of what a peer has shown.
#[pyfunction]
#[pyo3(signature = (key_proven, domain_proven = false, vouched = None))]
pub(crate) fn trust_level(key_proven: bool, domain_proven: bool, vouched: Option<u8>) -> u8 {
    caller::level(&LevelBasis {
        key_proven,
        domain_proven,
        vouched,
    })
}

/// Raises ``insufficient_trust_level`` when ``level`` < ``required``.
#[pyfunction]
pub(crate) fn guard_level(required: u8, level: u8) -> PyResult<()> {
    caller::guard_level(required, level).py()
}

/// The JSON-RPC error object (JSON text) refusing a call.
#[pyfunction]
#[pyo3(signature = (code, message, required = None, level = None))]
pub(crate) fn caller_refusal(
    code: &str,
    message: &str,
    required: Option<u8>,
    level: Option<u8>,
) -> PyResult<String> {
    let c = ErrorCode::from_code(code)
        .ok_or_else(|| glue_error(ErrorCode::InvalidPolicy, "unknown error code"))?;
    Ok(caller::refusal_json(
        &Error::with_message(c, message.to_owned()),
        required,
        level,
    ))
}

/// The server side of caller identity (see ``mcp_attest.caller.CallerVerifier``).
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct CallerVerifier {
    inner: Mutex<CoreVerifier>,
}

#[pymethods]
impl CallerVerifier {
    #[new]
    /// ``capacity``, ``client_quota``: ``None`` for the core's defaults.
    #[pyo3(signature = (audience, capacity = None, client_quota = None, trust_store = None))]
    fn py_new(
        audience: &str,
        capacity: Option<usize>,
        client_quota: Option<usize>,
        trust_store: Option<&Bound<'_, TrustStore>>,
    ) -> Self {
        let mut v = CoreVerifier::new(
            audience,
            capacity.unwrap_or(caller::DEFAULT_CACHE_CAPACITY),
            client_quota.unwrap_or(caller::DEFAULT_CLIENT_QUOTA),
        );
        if let Some(s) = trust_store {
            let s = lock(&s.get().inner);
            v.set_trust(s.issuers().to_vec(), s.revocation_lists());
        }
        CallerVerifier {
            inner: Mutex::new(v),
        }
    }
    /// ``None`` (anonymous) or the caller as JSON text; raises when a proof fails.
    #[pyo3(signature = (method, params, header, client, now))]
    fn identify(
        &self,
        method: &str,
        params: &Bound<'_, PyAny>,
        header: Option<&str>,
        client: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<String>> {
        let p = json_text(params, "params")?;
        let now = crate::convert::now(now)?;
        Ok(lock(&self.inner)
            .identify(method, &p, header, client, now)
            .py()?
            .map(|c| c.to_json()))
    }
}

fn write_tuple(w: Write) -> (u64, String) {
    (w.file, w.line)
}

/// The writer side of an evidence log, without I/O (see ``mcp_attest.evidence``).
#[pyclass(frozen, module = "mcp_attest")]
pub(crate) struct EvidenceLog {
    inner: Mutex<CoreLog<PySigner>>,
}

impl EvidenceLog {
    /// Locked without the GIL while waiting: a Python signer may release the GIL inside its
    /// call while the lock is held (see `trust::lock_attached`).
    pub(crate) fn log(&self, py: Python<'_>) -> MutexGuard<'_, CoreLog<PySigner>> {
        lock_attached(py, &self.inner)
    }
}

#[pymethods]
impl EvidenceLog {
    /// ``max_file_bytes``: ``None`` for the core's default rotation size. ``resume``:
    /// ``(last_line, file, file_bytes)``; ``resume_files``: ``(newest_index, newest_text,
    /// previous_text)``, the core deciding how a file-backed log resumes.
    #[new]
    #[pyo3(signature = (key, max_file_bytes = None, resume = None, resume_files = None))]
    fn py_new(
        key: &Bound<'_, PyAny>,
        max_file_bytes: Option<u64>,
        resume: Option<(String, u64, u64)>,
        resume_files: Option<(u64, String, Option<String>)>,
    ) -> PyResult<Self> {
        let key = signer_arg(key, "key")?;
        let max = max_file_bytes.unwrap_or(evidence::DEFAULT_MAX_FILE_BYTES);
        let log = match (resume, resume_files) {
            (None, None) => CoreLog::new(key, max),
            (Some((last_line, file, file_bytes)), None) => {
                CoreLog::resume(key, max, &last_line, file, file_bytes).py()?
            }
            (None, Some((index, newest, previous))) => {
                CoreLog::resume_files(key, max, index, &newest, previous.as_deref()).py()?
            }
            (Some(_), Some(_)) => {
                return Err(glue_error(
                    ErrorCode::InvalidPolicy,
                    "resume and resume_files are alternatives",
                ))
            }
        };
        Ok(EvidenceLog {
            inner: Mutex::new(log),
        })
    }
    /// ``[(file, line), …]`` for one call record (JSON text or a dict).
    #[pyo3(signature = (call, now = None))]
    fn append_call(
        &self,
        py: Python<'_>,
        call: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<(u64, String)>> {
        let c = json_text(call, "call")?;
        let now = crate::convert::now(now)?;
        Ok(self
            .log(py)
            .append_call_json(&c, now)
            .py()?
            .into_iter()
            .map(write_tuple)
            .collect())
    }
    #[pyo3(signature = (now = None))]
    fn checkpoint(
        &self,
        py: Python<'_>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(u64, String)> {
        let now = crate::convert::now(now)?;
        self.log(py).checkpoint(now).py().map(write_tuple)
    }
    #[pyo3(signature = (now = None))]
    fn close(&self, py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<(u64, String)> {
        let now = crate::convert::now(now)?;
        self.log(py).close(now).py().map(write_tuple)
    }
    #[getter]
    fn server_did(&self, py: Python<'_>) -> String {
        self.log(py).writer().server_did().to_owned()
    }
    #[getter]
    fn next_seq(&self, py: Python<'_>) -> u64 {
        self.log(py).writer().next_seq()
    }
    #[getter]
    fn file(&self, py: Python<'_>) -> u64 {
        self.log(py).file()
    }
}

/// Verifies an evidence log line by line (see ``mcp_attest.evidence.verify_evidence_log``).
#[pyclass(module = "mcp_attest")]
pub(crate) struct LogVerifier {
    inner: Option<CoreLogVerifier>,
}

#[pymethods]
impl LogVerifier {
    #[new]
    fn py_new(key: &VerifyingKey) -> Self {
        LogVerifier {
            inner: Some(CoreLogVerifier::new(&key.inner)),
        }
    }
    fn push(&mut self, line: &Bound<'_, PyAny>) -> PyResult<()> {
        let l = text(line, "line")?;
        match self.inner.as_mut() {
            Some(v) => {
                v.push(l);
                Ok(())
            }
            None => Err(glue_error(
                ErrorCode::InvalidPolicy,
                "the verifier has finished",
            )),
        }
    }
    /// The report as JSON text; the verifier cannot be used after.
    fn finish(&mut self, anchors: Vec<String>) -> PyResult<String> {
        let v = self
            .inner
            .take()
            .ok_or_else(|| glue_error(ErrorCode::InvalidPolicy, "the verifier has finished"))?;
        let refs: Vec<&str> = anchors.iter().map(String::as_str).collect();
        Ok(v.finish(&refs).to_json())
    }
}

#[pyfunction]
pub(crate) fn evidence_hash(value: &Bound<'_, PyAny>) -> PyResult<String> {
    evidence::hash_json(&json_text(value, "value")?).py()
}

#[pyfunction]
pub(crate) fn evidence_file_name(prefix: &str, index: u64) -> String {
    evidence::file_name(prefix, index)
}

#[pyfunction]
pub(crate) fn evidence_file_index(prefix: &str, name: &str) -> Option<u64> {
    evidence::file_index(prefix, name)
}

/// The verified AI Identity passport as JSON text (spec §21).
#[pyfunction]
#[pyo3(signature = (token, registry_id, jwks, now = None))]
pub(crate) fn verify_ai_identity_passport(
    token: &str,
    registry_id: &str,
    jwks: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let registry =
        mcp_attest::issuer::TrustedIssuer::from_jwks(registry_id, &json_text(jwks, "jwks")?)
            .py()?;
    interop::verify_ai_identity_passport(token, &registry, crate::convert::now(now)?)
        .py()
        .map(|p| p.to_json())
}

#[pyfunction]
pub(crate) fn find_ai_identity_passport(
    initialize_result: &Bound<'_, PyAny>,
) -> PyResult<Option<String>> {
    interop::find_ai_identity_passport(&json_text(initialize_result, "initialize_result")?).py()
}

/// The verified CapiscIO badge as JSON text (spec §21); issuers from the trust store.
#[pyfunction]
#[pyo3(signature = (token, trust_store, audience = None, now = None))]
pub(crate) fn verify_capiscio_badge(
    token: &str,
    trust_store: &Bound<'_, TrustStore>,
    audience: Option<&str>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let now = crate::convert::now(now)?;
    let store = lock(&trust_store.get().inner);
    interop::verify_capiscio_badge(token, store.issuers(), audience, now)
        .py()
        .map(|b| b.to_json())
}
